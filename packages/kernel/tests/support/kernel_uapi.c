// SPDX-License-Identifier: MIT
/*
 * <linux/bpf.h>'s numbers and layouts for uapi_layout_test, read by the
 * compiler from the installed kernel headers. Must never include
 * bpfhost/uapi.h (both define the same names).
 */
#include <stdalign.h>
#include <stddef.h>

#include <linux/bpf.h>

#include "kernel_uapi.h"

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)

#define CONST_ENTRY(n) { #n, (long long)(n) },
const struct kuapi_const kuapi_linux_constants[] = { KUAPI_CONSTANTS(CONST_ENTRY) };

#define ATTR_ENTRY(m) { #m, offsetof(union bpf_attr, m), MEMBER_SIZE(union bpf_attr, m) },
const struct kuapi_field kuapi_linux_attr[] = { KUAPI_ATTR_MEMBERS(ATTR_ENTRY) };

#define INFO_ENTRY(m) { #m, offsetof(struct bpf_map_info, m), MEMBER_SIZE(struct bpf_map_info, m) },
const struct kuapi_field kuapi_linux_map_info[] = { KUAPI_MAP_INFO_MEMBERS(INFO_ENTRY) };


const size_t kuapi_linux_n_constants = sizeof(kuapi_linux_constants) / sizeof(kuapi_linux_constants[0]);
const size_t kuapi_linux_n_attr = sizeof(kuapi_linux_attr) / sizeof(kuapi_linux_attr[0]);
const size_t kuapi_linux_n_map_info = sizeof(kuapi_linux_map_info) / sizeof(kuapi_linux_map_info[0]);
const size_t kuapi_linux_lpm_prefixlen_offset = offsetof(struct bpf_lpm_trie_key, prefixlen);
const size_t kuapi_linux_lpm_data_offset = offsetof(struct bpf_lpm_trie_key, data);

const size_t kuapi_linux_sizeof_attr = sizeof(union bpf_attr);
const size_t kuapi_linux_sizeof_map_info = sizeof(struct bpf_map_info);
const size_t kuapi_linux_sizeof_lpm_key = sizeof(struct bpf_lpm_trie_key);
const size_t kuapi_linux_alignof_attr = alignof(union bpf_attr);
const size_t kuapi_linux_alignof_map_info = alignof(struct bpf_map_info);
