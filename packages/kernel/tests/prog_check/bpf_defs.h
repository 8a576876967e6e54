/* SPDX-License-Identifier: MIT */
/*
 * What the prog_check_test programs need, without system headers (they
 * build with clang -nostdinc): integer types, the first fields of Linux's
 * struct __sk_buff, and helpers by their Linux ids.
 */
#ifndef PROG_CHECK_BPF_DEFS_H
#define PROG_CHECK_BPF_DEFS_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

struct __sk_buff {
	__u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto;
	__u32 priority;
};

#define BPF_NOEXIST 1

static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value,
					 __u64 flags) = (void *)2;
static __u64 (*const bpf_ktime_get_ns)(void) = (void *)5;
static long (*const bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
static long (*const bpf_skb_load_bytes)(const void *skb, __u32 off, void *to, __u32 len) = (void *)26;
static long (*const bpf_ringbuf_output)(void *rb, void *data, __u64 size, __u64 flags) = (void *)130;

/* Maps are only addresses here: their lddw stays plain (src_reg 0) in .text. */
#define MAP(name) char name[64] __attribute__((section(".maps")))

#endif
