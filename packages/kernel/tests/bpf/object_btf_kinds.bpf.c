// SPDX-License-Identifier: MIT
/*
 * A BTF with every kind clang emits: int, ptr, array, struct, union, enum,
 * enum64, fwd, typedef, volatile, const, restrict, func, func_proto, var,
 * datasec, float, decl_tag and type_tag. btf_test compares the library's
 * view of it, type by type, with bpftool's dump of the same file.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ttag(x) __attribute__((btf_type_tag(x)))

struct opaque;					/* FWD (struct) */
union opaque_u;					/* FWD (union) */

enum small { SMALL_A = 1, SMALL_B = -2 };
enum wide { WIDE_LOW = 1, WIDE_HIGH = 0x1234567890ULL };	/* ENUM64 */
enum __attribute__((packed)) tiny { TINY_X = 3 };		/* 1-byte ENUM */

typedef volatile const unsigned long long vc_u64;

struct kinds {
	char c;
	signed char sc;
	_Bool flag;
	short s;
	unsigned int bits : 4 __tag("member_tag");
	int arr[2][3];
	float f;
	double d;
	vc_u64 v;
	enum small e;
	enum wide w;
	enum tiny t;
	struct opaque *op;
	union opaque_u *ou;
	int __ttag("user") *tagged;
	union {
		long l;
		unsigned char b[8];
	} u;
} __tag("struct_tag");

struct kinds kinds_var __tag("var_tag");
int counter;
const volatile int ro_value = 4;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kinds);
} kinds_map SEC(".maps");

static __noinline int take(int *restrict a, const int *restrict b __tag("param_tag"))
{
	return *a + *b;
}

SEC("socket")
int use_kinds(struct __sk_buff *skb)
{
	int x = ro_value;

	kinds_var.e = SMALL_B;
	kinds_var.w = WIDE_HIGH;
	kinds_var.t = TINY_X;
	counter++;
	return take(&x, &counter);
}

char LICENSE[] SEC("license") = "GPL";
