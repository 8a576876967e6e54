/* SPDX-License-Identifier: MIT */
/*
 * CO-RE target types: core_target.bpf.c compiles them into its BTF (the
 * target an object is relocated against with btf_custom_path), and the
 * host tests include them, so the host compiler's offsetof/sizeof are the
 * oracle for every relocated value (BPF and x86-64/arm64 lay these out
 * alike). core_fields.bpf.c sees other layouts of the same names.
 */
#ifndef BPFHOST_TEST_CORE_TYPES_H
#define BPFHOST_TEST_CORE_TYPES_H

#include <linux/types.h>

struct bh_pkt {
	__u16 flags;
	__u32 len;
	__u64 stamp;
	__u8 pad[3];
	__s16 delta;
	unsigned int kind : 3, prio : 5;
	int level : 4;
	struct {
		__u32 a;
		__u32 b;
	} inner;
	__u32 arr[4];
	__u8 small;			/* the program reads it as a __u32 */
	__s8 tiny;			/* the program reads it as a __s32 */
	union {				/* anonymous: its members are found by name inside */
		__u32 anon_a;
		__u64 anon_b;
	};
};

enum bh_color { BH_RED = 10, BH_GREEN = 20, BH_BLUE = -3 };

/* Two flavors of one name whose `x` sits at different offsets: ambiguous. */
struct bh_ambig___v1 {
	int x;
};

struct bh_ambig___v2 {
	long pad;
	int x;
};

/* Two flavors that agree: not ambiguous. */
struct bh_same___v1 {
	int y;
};

struct bh_same___v2 {
	int y;
	int z;
};

#endif /* BPFHOST_TEST_CORE_TYPES_H */
