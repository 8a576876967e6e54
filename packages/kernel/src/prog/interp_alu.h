/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's arithmetic that C does not give as RFC 9669 wants it:
 * signed division and modulo (by 0 and INT_MIN / -1 defined), and the byte
 * order conversions of BPF_END.
 */
#ifndef BPFHOST_INTERP_ALU_H
#define BPFHOST_INTERP_ALU_H

#include <stdint.h>

static inline uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (!b)
		return 0;
	if ((int64_t)b == -1)
		return 0 - a;	/* INT64_MIN / -1 wraps (RFC 9669); in C it would trap */
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t smod64(uint64_t a, uint64_t b)
{
	if (!b)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t sdiv32(uint32_t a, uint32_t b)
{
	if (!b)
		return 0;
	if ((int32_t)b == -1)
		return 0 - a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t smod32(uint32_t a, uint32_t b)
{
	if (!b)
		return a;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define host_to_le16(x) ((uint16_t)(x))
#define host_to_le32(x) ((uint32_t)(x))
#define host_to_le64(x) ((uint64_t)(x))
#define host_to_be16(x) __builtin_bswap16((uint16_t)(x))
#define host_to_be32(x) __builtin_bswap32((uint32_t)(x))
#define host_to_be64(x) __builtin_bswap64((uint64_t)(x))
#else
#define host_to_le16(x) __builtin_bswap16((uint16_t)(x))
#define host_to_le32(x) __builtin_bswap32((uint32_t)(x))
#define host_to_le64(x) __builtin_bswap64((uint64_t)(x))
#define host_to_be16(x) ((uint16_t)(x))
#define host_to_be32(x) ((uint32_t)(x))
#define host_to_be64(x) ((uint64_t)(x))
#endif

#endif /* BPFHOST_INTERP_ALU_H */
