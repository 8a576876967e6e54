/* SPDX-License-Identifier: MIT */
/*
 * Key and value types shared by object_maps.bpf.c and the host tests: the
 * host compiler's sizeof/offsetof of these are the oracle for the sizes and
 * member offsets the BTF of the clang-compiled object must describe (BPF and
 * x86-64/arm64 Linux lay these out alike: LP64, natural alignment).
 */
#ifndef BPFHOST_TEST_OBJECT_TYPES_H
#define BPFHOST_TEST_OBJECT_TYPES_H

#include <linux/types.h>

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

enum verdict { VERDICT_PASS = 0, VERDICT_DROP = 7, VERDICT_UNKNOWN = -1 };

struct flow_stats {
	__u64 packets;
	__u64 bytes;
	struct {
		__u32 first;
		__u32 last;
	} seen;
	__s16 delta[4];
	enum verdict verdict;
	union {
		__u32 raw;
		float ratio;
	} v;
	unsigned int flag_a : 3;
	unsigned int flag_b : 5;
};

typedef __u32 counter_t;

/* .rodata of object_globals.bpf.c */
struct settings {
	__u32 scale;
	__u16 offset;
	__u8 enabled;
};

#endif /* BPFHOST_TEST_OBJECT_TYPES_H */
