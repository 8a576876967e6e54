// SPDX-License-Identifier: MIT
/*
 * <linux/bpf.h>'s numbers and layouts for uapi_layout_test, read by the
 * compiler from the installed kernel headers. Must never include
 * bpfhost/uapi.h or bpfhost/bpf_insn.h (they define the same names).
 */
#include <stdalign.h>
#include <stddef.h>

#include <string.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "kernel_uapi.h"

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)

#define CONST_ENTRY(n) { #n, (long long)(n) },
const struct kuapi_const kuapi_linux_constants[] = { KUAPI_CONSTANTS(CONST_ENTRY) };

#define ATTR_ENTRY(m) { #m, offsetof(union bpf_attr, m), MEMBER_SIZE(union bpf_attr, m) },
const struct kuapi_field kuapi_linux_attr[] = { KUAPI_ATTR_MEMBERS(ATTR_ENTRY) };

#define INFO_ENTRY(m) { #m, offsetof(struct bpf_map_info, m), MEMBER_SIZE(struct bpf_map_info, m) },
const struct kuapi_field kuapi_linux_map_info[] = { KUAPI_MAP_INFO_MEMBERS(INFO_ENTRY) };


const size_t kuapi_linux_n_constants =
	sizeof(kuapi_linux_constants) / sizeof(kuapi_linux_constants[0]);
const size_t kuapi_linux_n_attr = sizeof(kuapi_linux_attr) / sizeof(kuapi_linux_attr[0]);
const size_t kuapi_linux_n_map_info =
	sizeof(kuapi_linux_map_info) / sizeof(kuapi_linux_map_info[0]);
const size_t kuapi_linux_lpm_prefixlen_offset = offsetof(struct bpf_lpm_trie_key, prefixlen);
const size_t kuapi_linux_lpm_data_offset = offsetof(struct bpf_lpm_trie_key, data);

const size_t kuapi_linux_sizeof_attr = sizeof(union bpf_attr);
const size_t kuapi_linux_sizeof_map_info = sizeof(struct bpf_map_info);
const size_t kuapi_linux_sizeof_lpm_key = sizeof(struct bpf_lpm_trie_key);
const size_t kuapi_linux_alignof_attr = alignof(union bpf_attr);
const size_t kuapi_linux_alignof_map_info = alignof(struct bpf_map_info);

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct kuapi_const kuapi_linux_insn_constants[] = { KUAPI_INSN_CONSTANTS(CONST_ENTRY) };
const size_t kuapi_linux_n_insn_constants = N(kuapi_linux_insn_constants);

#define MACRO_FN(m) static long long apply_##m(int code) { return m(code); }
KUAPI_INSN_FIELD_MACROS(MACRO_FN)
#define MACRO_ENTRY(m) { #m, apply_##m },
const struct kuapi_code_macro kuapi_linux_insn_macros[] = { KUAPI_INSN_FIELD_MACROS(MACRO_ENTRY) };
const size_t kuapi_linux_n_insn_macros = N(kuapi_linux_insn_macros);

#define INSN_ENTRY(m) { #m, offsetof(struct bpf_insn, m), MEMBER_SIZE(struct bpf_insn, m) },
const struct kuapi_field kuapi_linux_insn[] = { KUAPI_INSN_MEMBERS(INSN_ENTRY) };
const size_t kuapi_linux_n_insn = N(kuapi_linux_insn);
const size_t kuapi_linux_sizeof_insn = sizeof(struct bpf_insn);

void kuapi_linux_insn_bytes(uint8_t out[8], uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	struct bpf_insn insn;

	memset(&insn, 0, sizeof(insn));
	insn.code = code;
	insn.dst_reg = dst;
	insn.src_reg = src;
	insn.off = off;
	insn.imm = imm;
	memcpy(out, &insn, 8);
}

#define PROG_INFO_ENTRY(m) \
	{ #m, offsetof(struct bpf_prog_info, m), MEMBER_SIZE(struct bpf_prog_info, m) },
const struct kuapi_field kuapi_linux_prog_info[] = { KUAPI_PROG_INFO_MEMBERS(PROG_INFO_ENTRY) };
const size_t kuapi_linux_n_prog_info = N(kuapi_linux_prog_info);
const size_t kuapi_linux_sizeof_prog_info = sizeof(struct bpf_prog_info);
const size_t kuapi_linux_alignof_prog_info = alignof(struct bpf_prog_info);

void kuapi_linux_prog_info_gpl_bytes(uint8_t *out, size_t len)
{
	struct bpf_prog_info info;

	memset(&info, 0, sizeof(info));
	info.gpl_compatible = 1;
	memcpy(out, &info, len < sizeof(info) ? len : sizeof(info));
}

#define LINK_INFO_ENTRY(m) \
	{ #m, offsetof(struct bpf_link_info, m), MEMBER_SIZE(struct bpf_link_info, m) },
const struct kuapi_field kuapi_linux_link_info[] = { KUAPI_LINK_INFO_MEMBERS(LINK_INFO_ENTRY) };
const size_t kuapi_linux_n_link_info = N(kuapi_linux_link_info);
const size_t kuapi_linux_sizeof_link_info = sizeof(struct bpf_link_info);
const size_t kuapi_linux_alignof_link_info = alignof(struct bpf_link_info);
const size_t kuapi_linux_link_info_union_offset = offsetof(struct bpf_link_info, raw_tracepoint);
const size_t kuapi_linux_link_info_tracing_attach_type =
	offsetof(struct bpf_link_info, tracing.attach_type);

/* The 6.1 headers have no bound for these three: their last members + 1. */
const long long kuapi_linux_max_cmd = BPF_PROG_BIND_MAP + 1;
const long long kuapi_linux_max_map_type = BPF_MAP_TYPE_USER_RINGBUF + 1;
const long long kuapi_linux_max_prog_type = BPF_PROG_TYPE_SYSCALL + 1;
const long long kuapi_linux_max_attach_type = __MAX_BPF_ATTACH_TYPE;
const long long kuapi_linux_max_func_id = __BPF_FUNC_MAX_ID;

#define SKB_ENTRY(m) { #m, offsetof(struct __sk_buff, m), MEMBER_SIZE(struct __sk_buff, m) },
const struct kuapi_field kuapi_linux_skb[] = { KUAPI_SKB_MEMBERS(SKB_ENTRY) };
const size_t kuapi_linux_n_skb = N(kuapi_linux_skb);
const size_t kuapi_linux_sizeof_skb = sizeof(struct __sk_buff);
const size_t kuapi_linux_eth_hlen = ETH_HLEN;
