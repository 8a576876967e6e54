// SPDX-License-Identifier: MIT
/*
 * Oracle input for asm_test: bpf-to-bpf calls, helper calls by id, 32- and
 * 64-bit conditional jumps and loops, and every atomic operation.
 */
/* No system headers, so that only clang itself is needed to build the oracle. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

static long (*const helper_prandom)(void) = (void *)7;
static long (*const helper_ktime)(void) = (void *)5;

static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b)
{
	return a * 31 + b;
}

__u64 branches(__u64 a, __s64 b, __u32 c, __s32 d)
{
	__u64 r = 0;

	for (int i = 0; i < 20 && r < a; i++) {
		if (b < -5)
			r += mix(r, i);
		else if (c > 100)
			r ^= d;
		if (d >= 3 && c != 9)
			r += (__u64)helper_prandom();
		if ((__s32)c <= d || (a & 0x40))
			r -= 1;
	}
	return r + (__u64)helper_ktime();
}

__u64 atomics(__u64 *p64, __u32 *p32, __u64 v)
{
	__u64 r = 0;

	__sync_fetch_and_add(p64, v);
	__sync_fetch_and_or(p64, v);
	__sync_fetch_and_and(p64, v);
	__sync_fetch_and_xor(p64, v);
	r += __sync_fetch_and_add(p64, 3);
	r += __sync_fetch_and_or(p64, v);
	r += __sync_fetch_and_and(p64, v);
	r += __sync_fetch_and_xor(p64, v);
	r += __atomic_exchange_n(p64, v, __ATOMIC_SEQ_CST);
	r += __sync_val_compare_and_swap(p64, r, v);
	__sync_fetch_and_add(p32, (__u32)v);
	r += __sync_fetch_and_add(p32, 5);
	r += __sync_fetch_and_xor(p32, (__u32)v);
	r += __atomic_exchange_n(p32, (__u32)v, __ATOMIC_SEQ_CST);
	r += __sync_val_compare_and_swap(p32, (__u32)r, (__u32)v);
	return r;
}
