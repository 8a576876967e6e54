// SPDX-License-Identifier: MIT
/*
 * CO-RE: the program's idea of struct bh_pkt (and enum bh_color) differs
 * from the target's (core_types.h, compiled into core_target.bpf.o): fields
 * moved, one missing, a bitfield reordered, a narrower unsigned and a
 * narrower signed field. Every relocation kind appears. `fields` writes what
 * it reads and computes into the `out` array, so a run shows the relocated
 * values; the other programs each reach one refusal or poisoned instruction.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core_defs.h"

struct bh_pkt {
	__u32 len;
	__u16 flags;
	__s16 delta;
	__u32 gone;			/* not in the target */
	__u64 stamp;
	unsigned int prio : 5, kind : 3;
	int level : 4;
	struct {
		__u32 b;
		__u32 a;
	} inner;
	__u32 arr[4];
	__u32 small;			/* the target's is a __u8: the load narrows */
	__s32 tiny;			/* the target's is a __s8: cannot narrow, poisoned */
	__u32 anon_a;			/* the target's is inside an anonymous union */
} __attribute__((preserve_access_index));

enum bh_color { BH_GREEN = 2, BH_BLUE = 1, BH_PURPLE = 5 };

struct bh_missing {
	int z;
} __attribute__((preserve_access_index));

struct bh_ambig {
	int x;
} __attribute__((preserve_access_index));

struct bh_same {
	int y;
} __attribute__((preserve_access_index));

struct blob {
	__u8 bytes[96];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct blob);
} in SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

static __always_inline void put(__u32 i, __u64 v)
{
	bpf_map_update_elem(&out, &i, &v, 0);
}

static __always_inline struct bh_pkt *input(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&in, &k);
}

SEC("socket")
int fields(struct __sk_buff *skb)
{
	struct bh_pkt *p = input();

	if (!p)
		return 0;
	put(0, p->len);
	put(1, p->flags);
	put(2, (__u64)(__s64)p->delta);
	put(3, p->stamp);
	put(4, p->inner.a);
	put(5, p->inner.b);
	put(6, p->arr[2]);
	put(7, bh_bitfield(p, kind));
	put(8, bh_bitfield(p, prio));
	put(9, bh_bitfield(p, level));
	put(10, bh_field(p->gone, BH_FIELD_EXISTS));
	put(11, bh_field(p->len, BH_FIELD_EXISTS));
	put(12, bh_field(p->stamp, BH_FIELD_SIZE));
	put(13, bh_field(p->delta, BH_FIELD_SIGNED));
	put(14, p->small);
	put(15, bh_type_size(struct bh_pkt));
	put(16, bh_type_exists(struct bh_pkt));
	put(17, bh_type_exists(struct bh_missing));
	put(18, bh_enum_value(enum bh_color, BH_GREEN));
	put(19, bh_enum_exists(enum bh_color, BH_PURPLE));
	put(20, bh_enum_value(enum bh_color, BH_BLUE));
	put(21, bh_type_matches(struct bh_pkt));
	put(22, bh_field(p->inner.a, BH_FIELD_OFFSET));
	put(23, ((struct bh_same *)p)->y);
	put(24, bh_type_id_target(struct bh_pkt));
	put(25, bh_type_id_local(struct bh_pkt));
	put(27, bh_type_matches(struct bh_same));
	put(28, p->anon_a);
	put(29, bh_field(p[1].len, BH_FIELD_OFFSET));	/* the root's array index: the second bh_pkt */
	if (bh_field(p->gone, BH_FIELD_EXISTS))
		put(26, p->gone);	/* poisoned, never reached */
	return 1;
}

SEC("socket")
int reach_missing(struct __sk_buff *skb)
{
	struct bh_pkt *p = input();

	if (!p)
		return 0;
	return p->gone;		/* poisoned and reached */
}

SEC("socket")
int narrow_signed(struct __sk_buff *skb)
{
	struct bh_pkt *p = input();

	if (!p)
		return 0;
	return p->tiny;		/* the __s8 target cannot be read as an __s32: poisoned */
}

SEC("socket")
int ambiguous(struct __sk_buff *skb)
{
	struct bh_ambig *a = (void *)input();

	if (!a)
		return 0;
	return a->x;		/* bh_ambig___v1 and ___v2 disagree: refused */
}

/* The program's own flavor of the context: fields in another order, resolved by name. */
struct __sk_buff___mine {
	__u32 mark;
	__u32 len;
} __attribute__((preserve_access_index));

SEC("socket")
int skb_fields(struct __sk_buff *skb)
{
	struct __sk_buff___mine *s = (void *)skb;

	return s->len << 16 | s->mark;
}

char LICENSE[] SEC("license") = "GPL";
