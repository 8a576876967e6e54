/* SPDX-License-Identifier: MIT */
/*
 * The library's BTF: the raw bytes (owned) and every type decoded once into
 * the public view (struct bpfhost_btf_type), indexed by id. Private.
 */
#ifndef BPFHOST_LIB_BTF_INTERNAL_H
#define BPFHOST_LIB_BTF_INTERNAL_H

#include "bpfhost/libbpf.h"

struct bpfhost_btf {
	uint8_t *raw;				/* owned copy of the section */
	size_t raw_size;
	const char *strs;			/* string section inside raw */
	uint32_t str_len;
	struct bpfhost_btf_type *types;		/* [0] is void */
	uint32_t type_cnt;
	/* Backing arrays of the decoded views, one per kind of list. */
	struct bpfhost_btf_member *members;
	struct bpfhost_btf_enum_value *values;
	struct bpfhost_btf_param *params;
	struct bpfhost_btf_var_secinfo *secinfos;
};

/*
 * Parses and validates @size bytes of raw BTF. @what prefixes messages
 * ("object 'x': .BTF"). Returns the BTF or NULL with errno set (EINVAL,
 * ENOMEM) and the thread's message.
 */
struct bpfhost_btf *btf_parse(const void *data, size_t size, const char *what);

/* The type behind typedefs and modifiers (also returns its id), or NULL. */
const struct bpfhost_btf_type *btf_skip_mods_and_typedefs(const struct bpfhost_btf *btf,
							  uint32_t id, uint32_t *res_id);

/* Writable secinfos of a DATASEC (object-file fixups of sizes and offsets). */
static inline struct bpfhost_btf_var_secinfo *btf_datasec_secinfos(struct bpfhost_btf_type *t)
{
	return (struct bpfhost_btf_var_secinfo *)t->secinfos;
}

#endif /* BPFHOST_LIB_BTF_INTERNAL_H */
