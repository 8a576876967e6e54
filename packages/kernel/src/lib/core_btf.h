/* SPDX-License-Identifier: MIT */
/*
 * The built-in CO-RE target: BTF of the UAPI types bpfhost's program types
 * provide (__sk_buff, xdp_md, bpf_sock, ...), generated into
 * core_btf_blob.c by tools/core_btf/gen_core_btf.cmake.
 */
#ifndef BPFHOST_LIB_CORE_BTF_H
#define BPFHOST_LIB_CORE_BTF_H

#include <stddef.h>

extern const unsigned char bh_core_btf_blob[];
extern const size_t bh_core_btf_blob_size;

#endif /* BPFHOST_LIB_CORE_BTF_H */
