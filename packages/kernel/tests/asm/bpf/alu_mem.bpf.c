// SPDX-License-Identifier: MIT
/*
 * Oracle input for asm_test: arithmetic, shifts, byte swaps, sign extension,
 * loads and stores of every width. Global functions land in .text; the test
 * disassembles the bytes clang produced and compares with llvm-objdump.
 */
/* No system headers, so that only clang itself is needed to build the oracle. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

__u64 arith(__u64 a, __u64 b, __u32 c, __u32 d)
{
	__u64 r = a + b;

	r -= a * 3;
	r ^= b << 7;
	r |= a >> (b & 63);
	r &= ~0x1234ULL;
	c = c * d + (c >> 3) - (d << 2);
	c |= c / (d | 1);
	c ^= c % (d | 3);
	r += (__s64)r >> 5;
	r += (__s32)c >> 9;
	r += a / (b | 1) + a % (b | 5);
	r = -r + 0x1122334455667788ULL;
	return r + c;
}

__s64 signed_ops(__s64 a, __s64 b, __s32 c, __s32 d)
{
	__s64 r = a / (b | 1) + a % (b | 3);

	r += c / (d | 1) + c % (d | 7);
	r += (signed char)a + (short)b + (int)(a >> 3);
	r += (signed char)c + (short)d;
	return r;
}

__u64 swaps(__u64 a, __u32 b, __u16 c)
{
	return __builtin_bswap64(a) + __builtin_bswap32(b) + __builtin_bswap16(c);
}

__u64 loads(const void *p)
{
	const unsigned char *u8 = p;
	const signed char *s8 = p;
	const unsigned short *u16 = p;
	const short *s16 = p;
	const unsigned int *u32 = p;
	const int *s32 = p;
	const __u64 *u64 = p;

	return u8[1] + s8[2] + u16[3] + s16[4] + u32[5] + s32[6] + u64[7];
}

void stores(void *p, __u64 v)
{
	unsigned char *u8 = p;
	unsigned short *u16 = p;
	unsigned int *u32 = p;
	__u64 *u64 = p;

	u8[1] = (unsigned char)v;
	u16[2] = (unsigned short)v;
	u32[3] = (unsigned int)v;
	u64[4] = v;
	u8[40] = 7;
	u16[21] = 0x1234;
	u32[11] = 0xdeadbeef;
	u64[6] = -3;
}
