/* SPDX-License-Identifier: MIT */
/*
 * The id ranges extensions register in: custom map types, program types,
 * attach types and program-type-specific helpers. No includes and no types,
 * so BPF programs (clang -target bpf) include it as well as host code: an
 * extension's public header defines its ids from these bases for both
 * sides. uapi.h and extension.h include it.
 */
#ifndef BPFHOST_EXT_IDS_H
#define BPFHOST_EXT_IDS_H

#define BPFHOST_MAP_TYPE_EXT_BASE 4096U		/* first custom map type id */
#define BPFHOST_MAP_TYPE_EXT_LIMIT 65536U	/* one past the last */
#define BPFHOST_PROG_TYPE_EXT_BASE 4096U	/* first extension program type */
#define BPFHOST_PROG_TYPE_EXT_LIMIT 65536U
#define BPFHOST_ATTACH_TYPE_EXT_BASE 4096U	/* first extension attach type */
#define BPFHOST_ATTACH_TYPE_EXT_LIMIT 65536U
#define BPFHOST_HELPER_EXT_BASE 65536U		/* first program-type-specific helper id */

#endif /* BPFHOST_EXT_IDS_H */
