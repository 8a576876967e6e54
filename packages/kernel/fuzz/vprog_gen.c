// SPDX-License-Identifier: MIT
/*
 * The idiom generator of fuzz_verifier (see vprog_gen.h). The input is read
 * as a list of snippets; each is self-contained (what it acquires it
 * releases, its forward jumps land at its own end) so any sequence of them
 * is a program the verifier can follow, and each snippet reads its
 * parameters (which map, which bound, which access size and offset) from
 * the input. The generator knows what bound makes an access safe and uses
 * it, unless slip() says to get it wrong this time.
 */
#include "vprog_gen.h"

#include <string.h>

#define MAIN_CAP 560u
#define SUB_CAP 220u
#define SNIP_ROOM 96u		/* instructions the largest snippet may emit */
#define SUBS_MAX 2u
#define CALLS_MAX 16u
#define LABEL_MAX 12u

#define BIT(r) (1u << (r))
#define INSN(c, d, s, o, i)                                                                \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* Frame layout (offsets from r10). */
#define BUF_OFF (-128)		/* 64-byte buffer, zeroed by the prologue */
#define BUF_SIZE 64
#define SPILL_OFF (-176)	/* six spill slots: -176 .. -129 */
#define SPILL_SLOTS 6
#define CALLER_SLOT (-184)	/* subprograms: the caller's buffer pointer */
#define RECORD_SLOT (-192)	/* a reserved ring buffer record */

struct vfunc {
	struct bpf_insn insns[MAIN_CAP];
	uint32_t len, cap;
	uint32_t call_at[CALLS_MAX], call_to[CALLS_MAX], ncalls;
	bool sub;
};

/* A forward jump target: the jumps recorded land where land() is called. */
struct label {
	uint32_t at[LABEL_MAX];
	uint32_t n;
};

struct vgen {
	struct fuzz_bytes *in;
	const struct gen_env *env;
	struct gen_prog *out;
	struct vfunc f[1 + SUBS_MAX];
	struct vfunc *cur;
	uint32_t nsubs;
	uint8_t slip_rate;	/* out of 256 */
	uint8_t keep;		/* a scalar register snippets must not overwrite (a loop counter) */
};

/* Where a pointer points and how many bytes it may reach from there. */
enum region { RG_ARRAY, RG_HASH, RG_GLOBAL, RG_STACK, RG_RECORD, RG_CALLER, RG_CNT };

static uint8_t u8(struct vgen *g)
{
	return fuzz_u8(g->in);
}

static uint32_t pick(struct vgen *g, uint32_t n)
{
	return u8(g) % n;
}

/* Get a detail wrong this time? (Zero bytes, read past the input's end, never do.) */
static bool slip(struct vgen *g)
{
	return g->slip_rate && u8(g) >= 256u - g->slip_rate;
}

static void e(struct vgen *g, struct bpf_insn insn)
{
	struct vfunc *f = g->cur;

	if (f->len < f->cap)
		f->insns[f->len++] = insn;
}

static void mov_imm(struct vgen *g, uint8_t dst, int32_t v)
{
	e(g, INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, v));
}

static void mov_reg(struct vgen *g, uint8_t dst, uint8_t src)
{
	e(g, INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0));
}

static void alu_imm(struct vgen *g, uint8_t op, uint8_t dst, int32_t v)
{
	e(g, INSN(BPF_ALU64 | op | BPF_K, dst, 0, 0, v));
}

static void call(struct vgen *g, int32_t helper)
{
	e(g, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

static void lddw(struct vgen *g, uint8_t dst, uint8_t src, int32_t lo, int32_t hi)
{
	e(g, INSN(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, lo));
	e(g, INSN(0, 0, 0, 0, hi));
}

static void map_ld(struct vgen *g, uint8_t dst, enum gen_map m)
{
	lddw(g, dst, BPF_PSEUDO_MAP_FD, g->env->map_fd[m], 0);
	g->out->maps_used |= BIT(m);
}

static void jump_to(struct vgen *g, struct label *l, struct bpf_insn insn)
{
	if (l->n < LABEL_MAX && g->cur->len < g->cur->cap)
		l->at[l->n++] = g->cur->len;
	else
		insn.off = 0;	/* no room to record it: a jump to the next instruction */
	e(g, insn);
}

static void land(struct vgen *g, struct label *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		g->cur->insns[l->at[i]].off = (int16_t)(g->cur->len - l->at[i] - 1);
	l->n = 0;
}

static uint8_t scalar_reg(struct vgen *g)
{
	uint8_t r = (uint8_t)(7 + pick(g, 3));

	return r == g->keep ? (uint8_t)(r == 9 ? 7 : r + 1) : r;
}

static const uint8_t size_code[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const uint8_t size_bytes[] = { 1, 2, 4, 8 };

/* A random ALU step on scalar @s (any result: a bound check follows, or none is needed). */
static void alu_random(struct vgen *g, uint8_t s)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
				       BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_ARSH, BPF_MOV, BPF_END };
	uint8_t a = u8(g), op = ops[(a >> 2) % sizeof(ops)], cls = a & 1 ? BPF_ALU64 : BPF_ALU;
	int32_t v = (int32_t)(int8_t)u8(g);

	switch (op) {
	case BPF_NEG:
		e(g, INSN(cls | BPF_NEG | BPF_K, s, 0, 0, 0));
		return;
	case BPF_END:
		e(g, INSN(BPF_ALU | BPF_END | (a & 2 ? BPF_TO_BE : BPF_TO_LE), s, 0, 0, 16 << (a >> 7)));
		return;
	case BPF_MOV:	/* zero- or sign-extension of the scalar itself */
		e(g, INSN(cls | BPF_MOV | BPF_X, s, s, (int16_t)(cls == BPF_ALU64 ? 8 << pick(g, 3) : 0),
			  0));
		return;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		v &= cls == BPF_ALU64 ? 63 : 31;
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (!v && !slip(g))
			v = 3;
		break;
	default:
		break;
	}
	if (a & 2)	/* with another scalar */
		e(g, INSN(cls | op | BPF_X, s, scalar_reg(g), 0, 0));
	else
		e(g, INSN(cls | op | BPF_K, s, 0, 0, v));
}

/* Context fields a program of the type may read as a u32 scalar. */
static int16_t ctx_scalar_field(struct vgen *g)
{
	static const int16_t skb[] = { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 68, 84, 164 };

	switch (g->env->pkt) {
	case GEN_PKT_SKB:
		return skb[pick(g, sizeof(skb) / sizeof(skb[0]))];
	case GEN_PKT_XDP:
		return (int16_t)(12 + 4 * pick(g, 2));	/* ingress_ifindex, rx_queue_index */
	default:
		return 16;	/* testprog's value */
	}
}

/* Packet pointers of the type: data (which 0), data_end (1), data_meta (2). */
static void pkt_ptr(struct vgen *g, uint8_t dst, int which)
{
	if (g->env->pkt == GEN_PKT_PTR64)
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, BPF_REG_6, (int16_t)(8 * which), 0));
	else
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_6, (int16_t)(4 * which), 0));
}

/* s = a scalar from somewhere the verifier knows little about (r0-r5 clobbered). */
static void src_scalar(struct vgen *g, uint8_t s)
{
	uint8_t k = u8(g);

	switch (k % 9) {
	case 0:
		mov_imm(g, s, (int32_t)(int8_t)u8(g));
		break;
	case 1:
		call(g, BPF_FUNC_get_prandom_u32);
		mov_reg(g, s, 0);
		break;
	case 2: {	/* a value from the array map (key 0..3: all present) */
		uint8_t sz = (uint8_t)pick(g, 4);

		map_ld(g, 1, GEN_MAP_ARRAY);
		mov_reg(g, 2, BPF_REG_10);
		alu_imm(g, BPF_ADD, 2, -8 * (int32_t)(1 + pick(g, 4)));
		call(g, BPF_FUNC_map_lookup_elem);
		mov_imm(g, s, 0);
		e(g, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0));
		e(g, INSN(BPF_LDX | BPF_MEM | size_code[sz], s, 0,
			  (int16_t)(pick(g, VGEN_ARRAY_VALUE / 8) * 8), 0));
		break;
	}
	case 3:
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, s, BPF_REG_6, ctx_scalar_field(g), 0));
		break;
	case 4:
		if (g->env->pkt == GEN_PKT_SKB) {
			e(g, INSN(BPF_LD | BPF_ABS | size_code[pick(g, 3)], 0, 0, 0, (int32_t)pick(g, 60)));
			mov_reg(g, s, 0);
		} else {	/* a packet byte, behind its bounds check */
			int16_t k2 = (int16_t)pick(g, 16);

			pkt_ptr(g, 2, 0);
			pkt_ptr(g, 3, 1);
			mov_reg(g, 4, 2);
			alu_imm(g, BPF_ADD, 4, k2 + 1);
			mov_imm(g, s, 0);
			e(g, INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 1, 0));
			e(g, INSN(BPF_LDX | BPF_MEM | BPF_B, s, 2, k2, 0));
		}
		break;
	case 5:	/* a copy: linked with the original until either changes */
		mov_reg(g, s, scalar_reg(g));
		break;
	case 6:
		e(g, INSN(BPF_LDX | BPF_MEM | size_code[pick(g, 4)], s, BPF_REG_10,
			  (int16_t)(BUF_OFF + 8 * (int32_t)pick(g, BUF_SIZE / 8)), 0));
		break;
	case 7:
		e(g, INSN(BPF_ALU | BPF_MOV | BPF_X, s, scalar_reg(g), 0, 0));
		break;
	default: {	/* a 64-bit constant: 32 bits zero- or sign-extended, or an edge */
		static const uint64_t edges[] = { 1ull << 63, INT64_MAX, UINT64_MAX, 1ull << 32 };
		uint32_t lo = fuzz_u32(g->in);
		uint8_t how = u8(g);
		/*
		 * Never an arbitrary 64-bit value: fuzz_verifier looks for host
		 * addresses in what unprivileged programs leave behind, and
		 * libFuzzer would learn to plant them as constants.
		 */
		uint64_t v = how & 1 ? (uint64_t)(int64_t)(int32_t)lo : how & 2 ? lo : edges[how >> 6];

		lddw(g, s, 0, (int32_t)(uint32_t)v, (int32_t)(uint32_t)(v >> 32));
		break;
	}
	}
	for (uint32_t n = pick(g, 4); n; n--)
		alu_random(g, s);
}

/*
 * Jumps to @skip unless 0 <= s <= lim, the ways programs write it (r0 is
 * scratch). Returns the range the program meant (what a slip widened not
 * included).
 */
static void check_bound(struct vgen *g, uint8_t s, int32_t lim, struct label *skip)
{
	uint8_t k = u8(g);

	if (slip(g)) {
		switch (pick(g, 4)) {
		case 0:
			return;	/* no check at all */
		case 1:
			lim += 1 + (int32_t)pick(g, 8);
			break;
		case 2:	/* signed only: negative values pass */
			jump_to(g, skip, INSN(BPF_JMP | BPF_JSGT | BPF_K, s, 0, 0, lim));
			return;
		default:	/* 32-bit check of a 64-bit value */
			jump_to(g, skip, INSN(BPF_JMP32 | BPF_JGT | BPF_K, s, 0, 0, lim));
			return;
		}
	}
	switch (k % 9) {
	case 0:
		jump_to(g, skip, INSN(BPF_JMP | BPF_JGT | BPF_K, s, 0, 0, lim));
		break;
	case 1:
		jump_to(g, skip, INSN(BPF_JMP | BPF_JGE | BPF_K, s, 0, 0, lim + 1));
		break;
	case 2:
		jump_to(g, skip, INSN(BPF_JMP | BPF_JSGT | BPF_K, s, 0, 0, lim));
		jump_to(g, skip, INSN(BPF_JMP | BPF_JSLT | BPF_K, s, 0, 0, 0));
		break;
	case 3:	/* zero-extended, then a 32-bit check */
		e(g, INSN(BPF_ALU | BPF_MOV | BPF_X, s, s, 0, 0));
		jump_to(g, skip, INSN(BPF_JMP32 | BPF_JGT | BPF_K, s, 0, 0, lim));
		break;
	case 4:
		mov_imm(g, 0, lim);
		jump_to(g, skip, INSN(BPF_JMP | BPF_JGT | BPF_X, s, 0, 0, 0));
		break;
	case 5:	/* the bound on the left */
		mov_imm(g, 0, lim);
		jump_to(g, skip, INSN(BPF_JMP | BPF_JLT | BPF_X, 0, s, 0, 0));
		break;
	case 6: {	/* a mask: the largest 2^n - 1 within the bound */
		int32_t m = 1;

		while (m * 2 - 1 <= lim)
			m *= 2;
		e(g, INSN((k & 0x10 ? BPF_ALU : BPF_ALU64) | BPF_AND | BPF_K, s, 0, 0, m - 1));
		break;
	}
	case 7:	/* taken side is the good one: if s <= lim goto ok; goto skip */
		e(g, INSN(BPF_JMP | BPF_JLE | BPF_K, s, 0, 1, lim));
		jump_to(g, skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		break;
	default: {	/* a copy is checked: the check refines the original too */
		uint8_t t = (uint8_t)(1 + pick(g, 5));

		mov_reg(g, t, s);
		jump_to(g, skip, INSN(BPF_JMP | BPF_JGT | BPF_K, t, 0, 0, lim));
		break;
	}
	}
}

/*
 * p = a pointer into a region (r1-r5 clobbered); NULL results jump to @skip.
 * Returns the bytes reachable from p. A ring buffer record is also kept at
 * RECORD_SLOT for release_record().
 */
static int32_t region(struct vgen *g, enum region rg, uint8_t p, struct label *skip)
{
	uint8_t k = u8(g);

	switch (rg) {
	case RG_ARRAY:
	case RG_HASH:
		map_ld(g, 1, rg == RG_ARRAY ? GEN_MAP_ARRAY : GEN_MAP_HASH);
		mov_reg(g, 2, BPF_REG_10);
		alu_imm(g, BPF_ADD, 2, -8 * (int32_t)(1 + (k & 3)));
		call(g, BPF_FUNC_map_lookup_elem);
		if (!slip(g)) {
			switch ((k >> 2) & 3) {
			case 0:
			case 1:
				jump_to(g, skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0));
				break;
			case 2:	/* a copy checked: the original is refined too */
				mov_reg(g, 3, 0);
				jump_to(g, skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0, 0));
				break;
			default:
				e(g, INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0));
				jump_to(g, skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
				break;
			}
		}
		mov_reg(g, p, 0);
		return rg == RG_ARRAY ? (int32_t)VGEN_ARRAY_VALUE : (int32_t)VGEN_HASH_VALUE;
	case RG_GLOBAL: {
		int32_t off = (int32_t)(k % 4) * 8;

		lddw(g, p, BPF_PSEUDO_MAP_VALUE, g->env->map_fd[GEN_MAP_GLOBAL], off);
		g->out->maps_used |= BIT(GEN_MAP_GLOBAL);
		return (int32_t)VGEN_GLOBAL_VALUE - off;
	}
	case RG_RECORD: {
		int32_t size = 8 * (int32_t)(1 + (k & 7));

		map_ld(g, 1, GEN_MAP_RINGBUF);
		mov_imm(g, 2, size);
		mov_imm(g, 3, 0);
		call(g, BPF_FUNC_ringbuf_reserve);
		if (!slip(g))
			jump_to(g, skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0));
		e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 0, RECORD_SLOT, 0));
		mov_reg(g, p, 0);
		return size;
	}
	case RG_CALLER:
		if (g->cur->sub) {
			e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, p, BPF_REG_10, CALLER_SLOT, 0));
			return BUF_SIZE;
		}
		/* main has no caller: its own buffer */
		__attribute__((fallthrough));
	case RG_STACK:
	default:
		mov_reg(g, p, BPF_REG_10);
		alu_imm(g, BPF_ADD, p, BUF_OFF);
		return BUF_SIZE;
	}
}

/* Submit or discard the record at RECORD_SLOT (r1-r5 and r0 clobbered). */
static void release_record(struct vgen *g)
{
	uint8_t k = u8(g);

	e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, BPF_REG_10, RECORD_SLOT, 0));
	if (slip(g))
		alu_imm(g, BPF_ADD, 1, 8);	/* not the record's start */
	mov_imm(g, 2, k & 2);
	call(g, k & 1 ? BPF_FUNC_ringbuf_discard : BPF_FUNC_ringbuf_submit);
	if (slip(g)) {	/* used after it was handed back */
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, BPF_REG_10, RECORD_SLOT, 0));
		if (k & 4) {
			mov_imm(g, 2, 0);
			call(g, BPF_FUNC_ringbuf_submit);
		}
		else
			e(g, INSN(BPF_ST | BPF_MEM | BPF_B, 1, 0, 0, 1));
	}
}

static enum region any_region(struct vgen *g)
{
	return (enum region)pick(g, RG_CNT);
}

/* A load, store or atomic of @sz (index into size_*) at p + off. */
static void access(struct vgen *g, uint8_t p, int16_t off, uint8_t sz)
{
	uint8_t k = u8(g), v = scalar_reg(g);

	switch (k % 6) {
	case 0:
	case 1:
		e(g, INSN(BPF_LDX | ((k & 8) && sz < 3 ? BPF_MEMSX : BPF_MEM) | size_code[sz], v, p, off,
			  0));
		break;
	case 2:
		e(g, INSN(BPF_ST | BPF_MEM | size_code[sz], p, 0, off, (int32_t)(int8_t)u8(g)));
		break;
	case 3:
		if (slip(g)) {	/* a pointer stored (unprivileged: a leak) */
			static const uint8_t ptrs[] = { 0, BPF_REG_10, BPF_REG_6 };

			v = ptrs[pick(g, 3)];
			v = v ? v : p;
			sz = 3;
		}
		e(g, INSN(BPF_STX | BPF_MEM | size_code[sz], p, v, off, 0));
		break;
	default: {	/* atomics: 4 or 8 bytes only */
		static const int32_t ops[] = { BPF_ADD, BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_XCHG,
					       BPF_CMPXCHG, BPF_AND };
		int32_t op = ops[pick(g, 6)];

		if (sz < 2)
			sz = 2;
		if (op == BPF_CMPXCHG)
			mov_imm(g, 0, 0);
		e(g, INSN(BPF_STX | BPF_ATOMIC | size_code[sz], p, v, off, op));
		break;
	}
	}
}

/*
 * A scalar [lo, hi] added to a pointer with @size bytes, then an access that
 * fits (unless a slip; when the range is wider than the region it cannot).
 */
static void access_at(struct vgen *g, uint8_t p, int32_t size, int32_t lo, int32_t hi)
{
	uint8_t sz = (uint8_t)pick(g, 4);
	int32_t room = size - (hi - lo) - size_bytes[sz], off;

	while (room < 0 && sz) {
		sz--;
		room = size - (hi - lo) - size_bytes[sz];
	}
	off = -lo + (room > 0 ? (int32_t)pick(g, (uint32_t)room + 1) : 0);
	if (slip(g))
		off += pick(g, 2) ? size_bytes[sz] : -1 - (int32_t)pick(g, 8);
	if (lo == 0 && off > 0 && (u8(g) & 7))	/* aligned (when the scalar is) */
		off &= ~(int32_t)(size_bytes[sz] - 1);
	access(g, p, (int16_t)off, sz);
}

/* The bytes a region reaches, before it is acquired (record and global: the smallest). */
static int32_t nominal(enum region rg)
{
	static const int32_t sizes[RG_CNT] = { VGEN_ARRAY_VALUE, VGEN_HASH_VALUE, 8, BUF_SIZE, 8,
					       BUF_SIZE };

	return sizes[rg];
}

/* After the check, a few steps whose effect on [lo, hi] the generator follows. */
static void shape(struct vgen *g, uint8_t s, int32_t size, int32_t *lo, int32_t *hi)
{
	for (uint32_t n = pick(g, 3); n; n--) {
		uint8_t k = u8(g);

		switch (k % 5) {
		case 0:
			if (*hi * 2 < size) {
				alu_imm(g, BPF_LSH, s, 1);
				*lo *= 2, *hi *= 2;
			}
			break;
		case 1: {
			int32_t c = (int32_t)(k >> 4) - 8;

			alu_imm(g, BPF_ADD, s, c);
			*lo += c, *hi += c;
			break;
		}
		case 2:
			alu_imm(g, BPF_RSH, s, 1);
			*lo /= 2, *hi /= 2;	/* lo >= 0 here or the shift leaves it huge */
			if (*lo < 0)
				*hi = INT32_MAX / 4;
			break;
		case 3:	/* zero-extension: a no-op on a small non-negative value */
			e(g, INSN(BPF_ALU | BPF_MOV | BPF_X, s, s, 0, 0));
			if (*lo < 0)
				*hi = INT32_MAX / 4, *lo = 0;
			break;
		default:
			if (*hi * 3 < size && *lo >= 0) {
				alu_imm(g, BPF_MUL, s, 3);
				*lo *= 3, *hi *= 3;
			}
			break;
		}
	}
}

/* A scalar, bounded, added to a region pointer, then an access: the verifier's core. */
static void snip_indexed(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t s = scalar_reg(g);
	enum region rg = any_region(g);
	int32_t lim = (int32_t)pick(g, (uint32_t)nominal(rg)), lo = 0, hi = lim, size;

	src_scalar(g, s);
	check_bound(g, s, lim, &skip);
	shape(g, s, nominal(rg), &lo, &hi);
	size = region(g, rg, 2, &skip);
	mov_reg(g, 3, 2);
	e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, s, 0, 0));
	access_at(g, 3, size, lo, hi);
	if (rg == RG_RECORD)
		release_record(g);
	land(g, &skip);
}

/* A region pointer and an access at a constant offset. */
static void snip_const(struct vgen *g)
{
	struct label skip = { .n = 0 };
	enum region rg = any_region(g);
	int32_t size = region(g, rg, 2, &skip);

	for (uint32_t n = 1 + pick(g, 3); n; n--)
		access_at(g, 2, size, 0, 0);
	if (rg == RG_RECORD)
		release_record(g);
	land(g, &skip);
}

/* Packet access behind a data_end check (XDP, testprog), or LD_ABS/LD_IND (socket filter). */
static void snip_packet(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t k = u8(g), s = scalar_reg(g);
	int32_t n = 1 + (int32_t)pick(g, 40), lim = (int32_t)pick(g, 32);
	bool var = k & 1, meta = g->env->pkt == GEN_PKT_XDP && (k & 6) == 6;

	if (var) {
		src_scalar(g, s);
		check_bound(g, s, lim, &skip);
	}
	if (g->env->pkt == GEN_PKT_SKB) {
		uint8_t sz = size_code[pick(g, 3)];

		if (var)
			e(g, INSN(BPF_LD | BPF_IND | sz, 0, s, 0, (int32_t)pick(g, 32)));
		else
			e(g, INSN(BPF_LD | BPF_ABS | sz, 0, 0, 0, (int32_t)pick(g, 64)));
		mov_reg(g, scalar_reg(g), 0);
		land(g, &skip);
		return;
	}
	pkt_ptr(g, 2, meta ? 2 : 0);
	pkt_ptr(g, 3, meta ? 0 : 1);
	if (var)
		e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 2, s, 0, 0));
	mov_reg(g, 4, 2);
	alu_imm(g, BPF_ADD, 4, n);
	switch ((k >> 3) & 3) {
	case 0:
		jump_to(g, &skip, INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 0, 0));
		break;
	case 1:
		jump_to(g, &skip, INSN(BPF_JMP | BPF_JLT | BPF_X, 3, 4, 0, 0));
		break;
	case 2:
		e(g, INSN(BPF_JMP | BPF_JLE | BPF_X, 4, 3, 1, 0));
		jump_to(g, &skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		break;
	default:
		e(g, INSN(BPF_JMP | BPF_JGE | BPF_X, 3, 4, 1, 0));
		jump_to(g, &skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		break;
	}
	for (uint32_t i = 1 + pick(g, 2); i; i--)
		access_at(g, 2, n, 0, 0);
	land(g, &skip);
}

/* for (c = 0; c < n; c += step) access(region + (c << sh)) */
static void snip_loop(struct vgen *g)
{
	static const enum region rgs[] = { RG_ARRAY, RG_HASH, RG_GLOBAL, RG_STACK, RG_CALLER };
	struct label skip = { .n = 0 };
	uint8_t k = u8(g), c = scalar_reg(g), acc = c == 7 ? 8 : 7;
	bool with_call = k & 1;
	enum region rg = with_call ? RG_STACK : rgs[pick(g, 5)];
	int32_t n = 1 + (int32_t)(k & 0x80 ? pick(g, 64) : pick(g, 12)), step = 1 + (k >> 5 & 1);
	int32_t sh = (int32_t)pick(g, 4), size = nominal(rg);
	uint32_t top;

	if (!with_call)
		size = region(g, rg, 2, &skip);
	while (sh && ((n - 1) << sh) >= size)
		sh--;
	mov_imm(g, c, 0);
	g->keep = c;
	top = g->cur->len;
	if (with_call) {
		call(g, BPF_FUNC_get_prandom_u32);
		e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, acc, 0, 0, 0));
		region(g, rg, 2, &skip);
	}
	mov_reg(g, 3, c);
	alu_imm(g, BPF_LSH, 3, sh);
	e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0));
	access_at(g, 3, size, 0, (n - 1) << sh);
	if (!slip(g))
		alu_imm(g, BPF_ADD, c, step);
	{
		int16_t back = (int16_t)((int32_t)top - (int32_t)g->cur->len - 1);

		switch ((k >> 2) & 7) {
		case 0:
			/* c != n with n a multiple of the step (never an endless count: F2) */
			e(g, INSN(BPF_JMP | BPF_JNE | BPF_K, c, 0, back, step == 1 ? n : (n + 1) & ~1));
			break;
		case 1:
			e(g, INSN(BPF_JMP | BPF_JSLT | BPF_K, c, 0, back, n));
			break;
		case 2:
			e(g, INSN(BPF_JMP | BPF_JLE | BPF_K, c, 0, back, n - 1));
			break;
		case 3:
			e(g, INSN(BPF_JMP32 | BPF_JLT | BPF_K, c, 0, back, n));
			break;
		case 4:	/* the bound in a register */
			mov_imm(g, 4, n);
			e(g, INSN(BPF_JMP | BPF_JLT | BPF_X, c, 4, (int16_t)(back - 1), 0));
			break;
		default:
			e(g, INSN(BPF_JMP | BPF_JLT | BPF_K, c, 0, back, n));
			break;
		}
	}
	g->keep = 0;
	land(g, &skip);
}

/* A pointer or a bounded scalar spilled to the stack, maybe across a call, filled and used. */
static void snip_spill(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t k = u8(g), s = scalar_reg(g);
	int16_t slot = (int16_t)(SPILL_OFF + 8 * (int32_t)pick(g, SPILL_SLOTS));
	enum region rg = any_region(g);
	int32_t size;

	if (k & 1) {
		size = region(g, rg, 2, &skip);
		e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, slot, 0));
		if (k & 2)
			call(g, BPF_FUNC_get_prandom_u32);
		if (slip(g)) {	/* part of the spilled pointer overwritten */
			if (k & 4)
				e(g, INSN(BPF_ST | BPF_MEM | size_code[pick(g, 3)], BPF_REG_10, 0,
					  (int16_t)(slot + (int16_t)pick(g, 4)), (int32_t)pick(g, 256)));
			else
				e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, s, slot, 0));
		}
		e(g, INSN(BPF_LDX | BPF_MEM | (slip(g) ? BPF_W : BPF_DW), 3, BPF_REG_10, slot, 0));
		access_at(g, 3, size, 0, 0);
	} else {
		int32_t lim = (int32_t)pick(g, (uint32_t)nominal(rg));
		uint8_t ssz = k & 4 ? BPF_DW : BPF_W;

		src_scalar(g, s);
		check_bound(g, s, lim, &skip);
		e(g, INSN(BPF_STX | BPF_MEM | ssz, BPF_REG_10, s, slot, 0));
		if (k & 2)
			call(g, BPF_FUNC_get_prandom_u32);
		size = region(g, rg, 2, &skip);
		e(g, INSN(BPF_LDX | BPF_MEM | (slip(g) ? (ssz == BPF_W ? BPF_DW : BPF_W) : ssz), 4, BPF_REG_10,
			  slot, 0));
		mov_reg(g, 3, 2);
		e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, 4, 0, 0));
		access_at(g, 3, size, 0, lim);
	}
	if (rg == RG_RECORD)
		release_record(g);
	land(g, &skip);
}

/* A helper taking memory and a size (or a key or value pointer) into a region. */
static void snip_helper_mem(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t k = u8(g), s = scalar_reg(g);
	enum region rg = k & 1 ? RG_ARRAY : RG_STACK;
	int32_t lim = (int32_t)pick(g, (uint32_t)nominal(rg) + 1), off = (int32_t)pick(g, 40);
	uint32_t which = pick(g, 6);

	src_scalar(g, s);
	check_bound(g, s, lim, &skip);
	if (!slip(g))
		jump_to(g, &skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, s, 0, 0, 0));
	region(g, rg, 0, &skip);
	if (slip(g))	/* a pointer in the memory the helper copies out (unprivileged: a leak) */
		e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, 0, (uint8_t)(k & 2 ? BPF_REG_10 : 0), 0, 0));
	switch (which) {
	case 0:
		map_ld(g, 1, GEN_MAP_RINGBUF);
		mov_reg(g, 2, 0);
		mov_reg(g, 3, s);
		mov_imm(g, 4, 0);
		call(g, BPF_FUNC_ringbuf_output);
		break;
	case 1:
		if (g->env->pkt == GEN_PKT_PTR64)
			goto update;
		mov_reg(g, 1, BPF_REG_6);
		mov_imm(g, 2, off);
		mov_reg(g, 3, 0);
		mov_reg(g, 4, s);
		call(g, g->env->pkt == GEN_PKT_SKB ? BPF_FUNC_skb_load_bytes
			 : k & 2 ? BPF_FUNC_xdp_store_bytes : BPF_FUNC_xdp_load_bytes);
		break;
	case 2:
		if (g->env->pkt != GEN_PKT_XDP)
			goto update;
		mov_reg(g, 1, 0);
		mov_reg(g, 2, s);
		alu_imm(g, BPF_AND, 2, ~3);
		mov_imm(g, 3, 0);
		mov_imm(g, 4, 0);
		mov_imm(g, 5, (int32_t)pick(g, 256));
		call(g, BPF_FUNC_csum_diff);
		break;
	case 3:
	update:
		map_ld(g, 1, k & 2 ? GEN_MAP_HASH : GEN_MAP_ARRAY);
		mov_reg(g, 3, 0);
		mov_reg(g, 2, BPF_REG_10);
		alu_imm(g, BPF_ADD, 2, -8 * (int32_t)(1 + pick(g, 4)));
		mov_imm(g, 4, 0);
		call(g, BPF_FUNC_map_update_elem);
		break;
	case 4: {
		static const int32_t q[] = { BPF_FUNC_map_push_elem, BPF_FUNC_map_pop_elem,
					     BPF_FUNC_map_peek_elem };

		map_ld(g, 1, GEN_MAP_QUEUE);
		mov_reg(g, 2, 0);
		mov_imm(g, 3, 0);
		call(g, q[pick(g, 3)]);
		break;
	}
	default:	/* a key at a variable offset into the region */
		map_ld(g, 1, GEN_MAP_HASH);
		mov_reg(g, 2, 0);
		if (lim + 8 > nominal(rg) && !slip(g))
			alu_imm(g, BPF_AND, s, 7);
		e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 2, s, 0, 0));
		call(g, BPF_FUNC_map_lookup_elem);
		land(g, &skip);
		return;
	}
	if (k & 0x80)
		mov_reg(g, scalar_reg(g), 0);
	land(g, &skip);
}

/* One of the two paths sets a value: a scalar or pointer of one of two kinds, then used. */
static void snip_diverge(struct vgen *g)
{
	struct label skip = { .n = 0 }, other = { .n = 0 }, join = { .n = 0 };
	uint8_t k = u8(g), s = scalar_reg(g), t = s == 9 ? 8 : (uint8_t)(s + 1);

	src_scalar(g, s);
	if (k & 1) {	/* t = c1 or c2, then region + t */
		enum region rg = any_region(g);
		int32_t c1 = (int32_t)pick(g, (uint32_t)nominal(rg)), c2 = (int32_t)pick(g, (uint32_t)nominal(rg));
		int32_t size;

		if (slip(g))
			c2 += nominal(rg);
		jump_to(g, &other, INSN(BPF_JMP | BPF_JSET | BPF_K, s, 0, 0, 1 << pick(g, 8)));
		mov_imm(g, t, c1);
		jump_to(g, &join, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		land(g, &other);
		mov_imm(g, t, c2);
		land(g, &join);
		size = region(g, rg, 2, &skip);
		mov_reg(g, 3, 2);
		e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, t, 0, 0));
		access_at(g, 3, size, c1 < c2 ? c1 : c2, c1 < c2 ? c2 : c1);
		if (rg == RG_RECORD)
			release_record(g);
	} else {	/* r2 = the stack buffer or a map value (or, a slip, a scalar) */
		int16_t slot = (int16_t)(SPILL_OFF + 8 * (int32_t)pick(g, SPILL_SLOTS));

		jump_to(g, &other, INSN(BPF_JMP | BPF_JSET | BPF_K, s, 0, 0, 1 << pick(g, 8)));
		region(g, RG_STACK, 2, &skip);
		jump_to(g, &join, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		land(g, &other);
		if (slip(g))
			mov_reg(g, 2, s);
		else
			region(g, RG_ARRAY, 2, &skip);
		land(g, &join);
		if (k & 2) {	/* through a spill slot */
			e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, slot, 0));
			e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, BPF_REG_10, slot, 0));
		}
		access_at(g, 2, VGEN_ARRAY_VALUE, 0, 0);
	}
	land(g, &skip);
}

/* The context: fields read (whole or narrow), the writable ones written. */
static void snip_ctx(struct vgen *g)
{
	uint8_t k = u8(g), v = scalar_reg(g);

	if (slip(g)) {	/* a read-only field written, or the context at a variable offset */
		if (k & 1) {
			e(g, INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_6, 0, 0, 0));
		} else {
			mov_reg(g, 2, BPF_REG_6);
			e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 2, v, 0, 0));
			e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, v, 2, 0, 0));
		}
		return;
	}
	switch (g->env->pkt) {
	case GEN_PKT_SKB:
		if (k & 1) {	/* cb[] */
			int16_t at = (int16_t)(48 + 4 * (int32_t)pick(g, 5));

			if (k & 2)
				e(g, INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_6, v, at, 0));
			else
				e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, v, BPF_REG_6, at, 0));
			return;
		}
		break;
	case GEN_PKT_PTR64:
		if (k & 1) {
			e(g, INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_6, v, 16, 0));
			return;
		}
		break;
	default:
		break;
	}
	if (k & 4) {	/* narrow: a byte or half of the field */
		bool half = k & 8;

		e(g, INSN(BPF_LDX | BPF_MEM | (half ? BPF_H : BPF_B), v, BPF_REG_6,
			  (int16_t)(ctx_scalar_field(g) + (half ? 2 * (int32_t)pick(g, 2) : (int32_t)pick(g, 4))), 0));
	} else {
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, v, BPF_REG_6, ctx_scalar_field(g), 0));
	}
}

/* XDP: the packet moves (its old pointers must not be used again). */
static void snip_xdp_adjust(struct vgen *g)
{
	static const int32_t helpers[] = { BPF_FUNC_xdp_adjust_head, BPF_FUNC_xdp_adjust_meta,
					   BPF_FUNC_xdp_adjust_tail };
	uint8_t k = u8(g);
	bool stale = slip(g);

	if (stale) {
		pkt_ptr(g, 2, 0);
		e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, SPILL_OFF, 0));
	}
	mov_reg(g, 1, BPF_REG_6);
	mov_imm(g, 2, ((int32_t)(k >> 2) % 9 - 4) * 4);
	call(g, helpers[k & 3 ? (k & 3) - 1 : 0]);
	if (stale) {
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, BPF_REG_10, SPILL_OFF, 0));
		e(g, INSN(BPF_LDX | BPF_MEM | BPF_B, scalar_reg(g), 2, 0, 0));
	}
}

/* A bpf-to-bpf call: context, the caller's buffer and the three scalars. */
static void snip_call(struct vgen *g)
{
	struct vfunc *f = g->cur;
	uint8_t k = u8(g);

	if (!g->nsubs || f->ncalls == CALLS_MAX)
		return;
	mov_reg(g, 1, BPF_REG_6);
	mov_reg(g, 2, BPF_REG_10);
	alu_imm(g, BPF_ADD, 2, BUF_OFF + (slip(g) ? 8 : 0));
	mov_reg(g, 3, 7);
	mov_reg(g, 4, 8);
	mov_reg(g, 5, 9);
	f->call_at[f->ncalls] = f->len;
	f->call_to[f->ncalls++] = 1 + k % g->nsubs;
	e(g, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	if (k & 0x10)
		mov_reg(g, scalar_reg(g), 0);
}

static void snip_tail_call(struct vgen *g)
{
	uint8_t k = u8(g);

	mov_reg(g, 1, BPF_REG_6);
	map_ld(g, 2, GEN_MAP_PROG_ARRAY);
	if (k & 1)
		mov_reg(g, 3, scalar_reg(g));
	else
		mov_imm(g, 3, (int32_t)pick(g, 5));
	call(g, BPF_FUNC_tail_call);
}

static void snippet(struct vgen *g)
{
	switch (pick(g, 16)) {
	case 0:
	case 1:
	case 2:
		snip_indexed(g);
		break;
	case 3:
		snip_const(g);
		break;
	case 4:
	case 5:
		snip_packet(g);
		break;
	case 6:
	case 7:
		snip_loop(g);
		break;
	case 8:
		snip_spill(g);
		break;
	case 9:
		snip_helper_mem(g);
		break;
	case 10:
		snip_diverge(g);
		break;
	case 11:
		snip_ctx(g);
		break;
	case 12:
		if (g->env->pkt == GEN_PKT_XDP)
			snip_xdp_adjust(g);
		else
			src_scalar(g, scalar_reg(g));
		break;
	case 13:
		if (!g->cur->sub)
			snip_call(g);
		break;
	case 14:
		if (!g->cur->sub && !(u8(g) & 3))
			snip_tail_call(g);
		break;
	default:
		alu_random(g, scalar_reg(g));
		break;
	}
}

static void prologue(struct vgen *g)
{
	mov_reg(g, 6, 1);
	if (g->cur->sub) {
		e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, CALLER_SLOT, 0));
		mov_reg(g, 7, 3);
		mov_reg(g, 8, 4);
		mov_reg(g, 9, 5);
	} else {
		mov_imm(g, 7, 0);
		mov_imm(g, 8, 0);
		mov_imm(g, 9, 0);
	}
	for (int16_t off = BUF_OFF; off < -32; off += 8)
		e(g, INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, off, 0));
	for (int16_t key = 0; key < 4; key++)	/* keys 0..3 at fp-8 .. fp-32 */
		e(g, INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, (int16_t)(-8 * (key + 1)), key));
}

static void epilogue(struct vgen *g)
{
	uint8_t k = u8(g);

	if (g->cur->sub && (k & 1)) {
		mov_reg(g, 0, 7);
	} else {
		mov_reg(g, 0, 7 + k % 3);
		alu_imm(g, BPF_AND, 0, 3);
		if (k & 4)
			mov_imm(g, 0, k >> 6);
	}
	e(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

static void gen_func(struct vgen *g, struct vfunc *f, uint32_t snippets)
{
	g->cur = f;
	prologue(g);
	while (snippets-- && g->in->n && f->len + SNIP_ROOM <= f->cap)
		snippet(g);
	epilogue(g);
}

void vgen_program(struct fuzz_bytes *in, const struct gen_env *env, struct gen_prog *out)
{
	static struct vgen g;
	static const uint8_t rates[] = { 0, 0, 6, 16, 40, 96 };
	uint32_t base[1 + SUBS_MAX];
	bool called[1 + SUBS_MAX];

	memset(&g, 0, sizeof(g));
	memset(out, 0, sizeof(*out));
	g.in = in;
	g.env = env;
	g.out = out;
	g.slip_rate = rates[fuzz_u8(in) % sizeof(rates)];
	g.nsubs = fuzz_u8(in) % (SUBS_MAX + 1);
	g.f[0].cap = MAIN_CAP;
	for (uint32_t i = 1; i <= g.nsubs; i++) {
		g.f[i].cap = SUB_CAP;
		g.f[i].sub = true;
		gen_func(&g, &g.f[i], 1 + fuzz_u8(in) % 4);
	}
	gen_func(&g, &g.f[0], UINT32_MAX);
	/* Subprograms main never calls are left out (the verifier refuses unreachable code). */
	memset(called, 0, sizeof(called));
	called[0] = true;
	for (uint32_t c = 0; c < g.f[0].ncalls; c++)
		called[g.f[0].call_to[c]] = true;
	for (uint32_t i = 0; i <= g.nsubs; i++) {
		if (!called[i])
			continue;
		base[i] = out->len;
		memcpy(&out->insns[out->len], g.f[i].insns, g.f[i].len * sizeof(struct bpf_insn));
		out->len += g.f[i].len;
		out->funcs++;
	}
	for (uint32_t c = 0; c < g.f[0].ncalls; c++) {
		uint32_t at = g.f[0].call_at[c];

		out->insns[at].imm = (int32_t)base[g.f[0].call_to[c]] - (int32_t)at - 1;
	}
}
