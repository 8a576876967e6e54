// SPDX-License-Identifier: MIT
/*
 * vprog_gen's building blocks (see vprog_emit.h): what a snippet emits
 * reads its parameters from the input, and knows what makes an access safe
 * (it gets it wrong only when vg_slip() says so).
 */
#include "vprog_emit.h"

uint8_t vg_u8(struct vgen *g)
{
	return fuzz_u8(g->in);
}

uint32_t vg_pick(struct vgen *g, uint32_t n)
{
	return vg_u8(g) % n;
}

/* Get a detail wrong this time? (Zero bytes, read past the input's end, never do.) */
bool vg_slip(struct vgen *g)
{
	return g->slip_rate && vg_u8(g) >= 256u - g->slip_rate;
}

void vg_e(struct vgen *g, struct bpf_insn insn)
{
	struct vfunc *f = g->cur;

	if (f->len < f->cap)
		f->insns[f->len++] = insn;
}

void vg_mov_imm(struct vgen *g, uint8_t dst, int32_t v)
{
	vg_e(g, INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, v));
}

void vg_mov_reg(struct vgen *g, uint8_t dst, uint8_t src)
{
	vg_e(g, INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0));
}

void vg_alu_imm(struct vgen *g, uint8_t op, uint8_t dst, int32_t v)
{
	vg_e(g, INSN(BPF_ALU64 | op | BPF_K, dst, 0, 0, v));
}

void vg_call(struct vgen *g, int32_t helper)
{
	vg_e(g, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

void vg_lddw(struct vgen *g, uint8_t dst, uint8_t src, int32_t lo, int32_t hi)
{
	vg_e(g, INSN(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, lo));
	vg_e(g, INSN(0, 0, 0, 0, hi));
}

void vg_map_ld(struct vgen *g, uint8_t dst, enum gen_map m)
{
	vg_lddw(g, dst, BPF_PSEUDO_MAP_FD, g->env->map_fd[m], 0);
	g->out->maps_used |= BIT(m);
}

void vg_jump_to(struct vgen *g, struct label *l, struct bpf_insn insn)
{
	if (l->n < LABEL_MAX && g->cur->len < g->cur->cap)
		l->at[l->n++] = g->cur->len;
	else
		insn.off = 0;	/* no room to record it: a jump to the next instruction */
	vg_e(g, insn);
}

void vg_land(struct vgen *g, struct label *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		g->cur->insns[l->at[i]].off = (int16_t)(g->cur->len - l->at[i] - 1);
	l->n = 0;
}

uint8_t vg_scalar_reg(struct vgen *g)
{
	uint8_t r = (uint8_t)(7 + vg_pick(g, 3));

	return r == g->keep ? (uint8_t)(r == 9 ? 7 : r + 1) : r;
}

/* A random ALU step on scalar @s (any result: a bound check follows, or none is needed). */
void vg_alu_random(struct vgen *g, uint8_t s)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
				       BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_ARSH, BPF_MOV, BPF_END };
	uint8_t a = vg_u8(g), op = ops[(a >> 2) % sizeof(ops)], cls = a & 1 ? BPF_ALU64 : BPF_ALU;
	int32_t v = (int32_t)(int8_t)vg_u8(g);

	switch (op) {
	case BPF_NEG:
		vg_e(g, INSN(cls | BPF_NEG | BPF_K, s, 0, 0, 0));
		return;
	case BPF_END:
		vg_e(g, INSN(BPF_ALU | BPF_END | (a & 2 ? BPF_TO_BE : BPF_TO_LE), s, 0, 0, 16 << (a >> 7)));
		return;
	case BPF_MOV:	/* zero- or sign-extension of the scalar itself */
		vg_e(g, INSN(cls | BPF_MOV | BPF_X, s, s, (int16_t)(cls == BPF_ALU64 ? 8 << vg_pick(g, 3) : 0),
			  0));
		return;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		v &= cls == BPF_ALU64 ? 63 : 31;
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (!v && !vg_slip(g))
			v = 3;
		break;
	default:
		break;
	}
	if (a & 2)	/* with another scalar */
		vg_e(g, INSN(cls | op | BPF_X, s, vg_scalar_reg(g), 0, 0));
	else
		vg_e(g, INSN(cls | op | BPF_K, s, 0, 0, v));
}

/* Context fields a program of the type may read as a u32 scalar. */
int16_t vg_ctx_scalar_field(struct vgen *g)
{
	static const int16_t skb[] = { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 68, 84, 164 };

	switch (g->env->pkt) {
	case GEN_PKT_SKB:
		return skb[vg_pick(g, sizeof(skb) / sizeof(skb[0]))];
	case GEN_PKT_XDP:
		return (int16_t)(12 + 4 * vg_pick(g, 2));	/* ingress_ifindex, rx_queue_index */
	default:
		return 16;	/* testprog's value */
	}
}

/* Packet pointers of the type: data (which 0), data_end (1), data_meta (2). */
void vg_pkt_ptr(struct vgen *g, uint8_t dst, int which)
{
	if (g->env->pkt == GEN_PKT_PTR64)
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, BPF_REG_6, (int16_t)(8 * which), 0));
	else
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_6, (int16_t)(4 * which), 0));
}

/* s = a scalar from somewhere the verifier knows little about (r0-r5 clobbered). */
void vg_src_scalar(struct vgen *g, uint8_t s)
{
	uint8_t k = vg_u8(g);

	switch (k % 9) {
	case 0:
		vg_mov_imm(g, s, (int32_t)(int8_t)vg_u8(g));
		break;
	case 1:
		vg_call(g, BPF_FUNC_get_prandom_u32);
		vg_mov_reg(g, s, 0);
		break;
	case 2: {	/* a value from the array map (key 0..3: all present) */
		uint8_t sz = (uint8_t)vg_pick(g, 4);

		vg_map_ld(g, 1, GEN_MAP_ARRAY);
		vg_mov_reg(g, 2, BPF_REG_10);
		vg_alu_imm(g, BPF_ADD, 2, -8 * (int32_t)(1 + vg_pick(g, 4)));
		vg_call(g, BPF_FUNC_map_lookup_elem);
		vg_mov_imm(g, s, 0);
		vg_e(g, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0));
		vg_e(g, INSN(BPF_LDX | BPF_MEM | size_code[sz], s, 0,
			  (int16_t)(vg_pick(g, VGEN_ARRAY_VALUE / 8) * 8), 0));
		break;
	}
	case 3:
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, s, BPF_REG_6, vg_ctx_scalar_field(g), 0));
		break;
	case 4:
		if (g->env->pkt == GEN_PKT_SKB) {
			vg_e(g, INSN(BPF_LD | BPF_ABS | size_code[vg_pick(g, 3)], 0, 0, 0, (int32_t)vg_pick(g, 60)));
			vg_mov_reg(g, s, 0);
		} else {	/* a packet byte, behind its bounds check */
			int16_t k2 = (int16_t)vg_pick(g, 16);

			vg_pkt_ptr(g, 2, 0);
			vg_pkt_ptr(g, 3, 1);
			vg_mov_reg(g, 4, 2);
			vg_alu_imm(g, BPF_ADD, 4, k2 + 1);
			vg_mov_imm(g, s, 0);
			vg_e(g, INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 1, 0));
			vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_B, s, 2, k2, 0));
		}
		break;
	case 5:	/* a copy: linked with the original until either changes */
		vg_mov_reg(g, s, vg_scalar_reg(g));
		break;
	case 6:
		vg_e(g, INSN(BPF_LDX | BPF_MEM | size_code[vg_pick(g, 4)], s, BPF_REG_10,
			  (int16_t)(BUF_OFF + 8 * (int32_t)vg_pick(g, BUF_SIZE / 8)), 0));
		break;
	case 7:
		vg_e(g, INSN(BPF_ALU | BPF_MOV | BPF_X, s, vg_scalar_reg(g), 0, 0));
		break;
	default: {	/* a 64-bit constant: 32 bits zero- or sign-extended, or an edge */
		static const uint64_t edges[] = { 1ull << 63, INT64_MAX, UINT64_MAX, 1ull << 32 };
		uint32_t lo = fuzz_u32(g->in);
		uint8_t how = vg_u8(g);
		/*
		 * Never an arbitrary 64-bit value: fuzz_verifier looks for host
		 * addresses in what unprivileged programs leave behind, and
		 * libFuzzer would learn to plant them as constants.
		 */
		uint64_t v = how & 1 ? (uint64_t)(int64_t)(int32_t)lo : how & 2 ? lo : edges[how >> 6];

		vg_lddw(g, s, 0, (int32_t)(uint32_t)v, (int32_t)(uint32_t)(v >> 32));
		break;
	}
	}
	for (uint32_t n = vg_pick(g, 4); n; n--)
		vg_alu_random(g, s);
}

/*
 * Jumps to @skip unless 0 <= s <= lim, the ways programs write it (r0 is
 * scratch). Returns the range the program meant (what a slip widened not
 * included).
 */
void vg_check_bound(struct vgen *g, uint8_t s, int32_t lim, struct label *skip)
{
	uint8_t k = vg_u8(g);

	if (vg_slip(g)) {
		switch (vg_pick(g, 4)) {
		case 0:
			return;	/* no check at all */
		case 1:
			lim += 1 + (int32_t)vg_pick(g, 8);
			break;
		case 2:	/* signed only: negative values pass */
			vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JSGT | BPF_K, s, 0, 0, lim));
			return;
		default:	/* 32-bit check of a 64-bit value */
			vg_jump_to(g, skip, INSN(BPF_JMP32 | BPF_JGT | BPF_K, s, 0, 0, lim));
			return;
		}
	}
	switch (k % 9) {
	case 0:
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JGT | BPF_K, s, 0, 0, lim));
		break;
	case 1:
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JGE | BPF_K, s, 0, 0, lim + 1));
		break;
	case 2:
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JSGT | BPF_K, s, 0, 0, lim));
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JSLT | BPF_K, s, 0, 0, 0));
		break;
	case 3:	/* zero-extended, then a 32-bit check */
		vg_e(g, INSN(BPF_ALU | BPF_MOV | BPF_X, s, s, 0, 0));
		vg_jump_to(g, skip, INSN(BPF_JMP32 | BPF_JGT | BPF_K, s, 0, 0, lim));
		break;
	case 4:
		vg_mov_imm(g, 0, lim);
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JGT | BPF_X, s, 0, 0, 0));
		break;
	case 5:	/* the bound on the left */
		vg_mov_imm(g, 0, lim);
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JLT | BPF_X, 0, s, 0, 0));
		break;
	case 6: {	/* a mask: the largest 2^n - 1 within the bound */
		int32_t m = 1;

		while (m * 2 - 1 <= lim)
			m *= 2;
		vg_e(g, INSN((k & 0x10 ? BPF_ALU : BPF_ALU64) | BPF_AND | BPF_K, s, 0, 0, m - 1));
		break;
	}
	case 7:	/* taken side is the good one: if s <= lim goto ok; goto skip */
		vg_e(g, INSN(BPF_JMP | BPF_JLE | BPF_K, s, 0, 1, lim));
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		break;
	default: {	/* a copy is checked: the check refines the original too */
		uint8_t t = (uint8_t)(1 + vg_pick(g, 5));

		vg_mov_reg(g, t, s);
		vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JGT | BPF_K, t, 0, 0, lim));
		break;
	}
	}
}

/*
 * p = a pointer into a region (r1-r5 clobbered); NULL results jump to @skip.
 * Returns the bytes reachable from p. A ring buffer record is also kept at
 * RECORD_SLOT for vg_release_record().
 */
int32_t vg_region(struct vgen *g, enum region rg, uint8_t p, struct label *skip)
{
	uint8_t k = vg_u8(g);

	switch (rg) {
	case RG_ARRAY:
	case RG_HASH:
		vg_map_ld(g, 1, rg == RG_ARRAY ? GEN_MAP_ARRAY : GEN_MAP_HASH);
		vg_mov_reg(g, 2, BPF_REG_10);
		vg_alu_imm(g, BPF_ADD, 2, -8 * (int32_t)(1 + (k & 3)));
		vg_call(g, BPF_FUNC_map_lookup_elem);
		if (!vg_slip(g)) {
			switch ((k >> 2) & 3) {
			case 0:
			case 1:
				vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0));
				break;
			case 2:	/* a copy checked: the original is refined too */
				vg_mov_reg(g, 3, 0);
				vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0, 0));
				break;
			default:
				vg_e(g, INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0));
				vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
				break;
			}
		}
		vg_mov_reg(g, p, 0);
		return rg == RG_ARRAY ? (int32_t)VGEN_ARRAY_VALUE : (int32_t)VGEN_HASH_VALUE;
	case RG_GLOBAL: {
		int32_t off = (int32_t)(k % 4) * 8;

		vg_lddw(g, p, BPF_PSEUDO_MAP_VALUE, g->env->map_fd[GEN_MAP_GLOBAL], off);
		g->out->maps_used |= BIT(GEN_MAP_GLOBAL);
		return (int32_t)VGEN_GLOBAL_VALUE - off;
	}
	case RG_RECORD: {
		int32_t size = 8 * (int32_t)(1 + (k & 7));

		vg_map_ld(g, 1, GEN_MAP_RINGBUF);
		vg_mov_imm(g, 2, size);
		vg_mov_imm(g, 3, 0);
		vg_call(g, BPF_FUNC_ringbuf_reserve);
		if (!vg_slip(g))
			vg_jump_to(g, skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0));
		vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 0, RECORD_SLOT, 0));
		vg_mov_reg(g, p, 0);
		return size;
	}
	case RG_CALLER:
		if (g->cur->sub) {
			vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, p, BPF_REG_10, CALLER_SLOT, 0));
			return BUF_SIZE;
		}
		/* main has no caller: its own buffer */
		__attribute__((fallthrough));
	case RG_STACK:
	default:
		vg_mov_reg(g, p, BPF_REG_10);
		vg_alu_imm(g, BPF_ADD, p, BUF_OFF);
		return BUF_SIZE;
	}
}

/* Submit or discard the record at RECORD_SLOT (r1-r5 and r0 clobbered). */
void vg_release_record(struct vgen *g)
{
	uint8_t k = vg_u8(g);

	vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, BPF_REG_10, RECORD_SLOT, 0));
	if (vg_slip(g))
		vg_alu_imm(g, BPF_ADD, 1, 8);	/* not the record's start */
	vg_mov_imm(g, 2, k & 2);
	vg_call(g, k & 1 ? BPF_FUNC_ringbuf_discard : BPF_FUNC_ringbuf_submit);
	if (vg_slip(g)) {	/* used after it was handed back */
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, BPF_REG_10, RECORD_SLOT, 0));
		if (k & 4) {
			vg_mov_imm(g, 2, 0);
			vg_call(g, BPF_FUNC_ringbuf_submit);
		}
		else
			vg_e(g, INSN(BPF_ST | BPF_MEM | BPF_B, 1, 0, 0, 1));
	}
}

enum region vg_any_region(struct vgen *g)
{
	return (enum region)vg_pick(g, RG_CNT);
}

/* A load, store or atomic of @sz (index into size_*) at p + off. */
void vg_access(struct vgen *g, uint8_t p, int16_t off, uint8_t sz)
{
	uint8_t k = vg_u8(g), v = vg_scalar_reg(g);

	switch (k % 6) {
	case 0:
	case 1:
		vg_e(g, INSN(BPF_LDX | ((k & 8) && sz < 3 ? BPF_MEMSX : BPF_MEM) | size_code[sz], v, p, off,
			  0));
		break;
	case 2:
		vg_e(g, INSN(BPF_ST | BPF_MEM | size_code[sz], p, 0, off, (int32_t)(int8_t)vg_u8(g)));
		break;
	case 3:
		if (vg_slip(g)) {	/* a pointer stored (unprivileged: a leak) */
			static const uint8_t ptrs[] = { 0, BPF_REG_10, BPF_REG_6 };

			v = ptrs[vg_pick(g, 3)];
			v = v ? v : p;
			sz = 3;
		}
		vg_e(g, INSN(BPF_STX | BPF_MEM | size_code[sz], p, v, off, 0));
		break;
	default: {	/* atomics: 4 or 8 bytes only */
		static const int32_t ops[] = { BPF_ADD, BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_XCHG,
					       BPF_CMPXCHG, BPF_AND };
		int32_t op = ops[vg_pick(g, 6)];

		if (sz < 2)
			sz = 2;
		if (op == BPF_CMPXCHG)
			vg_mov_imm(g, 0, 0);
		vg_e(g, INSN(BPF_STX | BPF_ATOMIC | size_code[sz], p, v, off, op));
		break;
	}
	}
}

/*
 * A scalar [lo, hi] added to a pointer with @size bytes, then an access that
 * fits (unless a slip; when the range is wider than the region it cannot).
 */
void vg_access_at(struct vgen *g, uint8_t p, int32_t size, int32_t lo, int32_t hi)
{
	uint8_t sz = (uint8_t)vg_pick(g, 4);
	int32_t room = size - (hi - lo) - size_bytes[sz], off;

	while (room < 0 && sz) {
		sz--;
		room = size - (hi - lo) - size_bytes[sz];
	}
	off = -lo + (room > 0 ? (int32_t)vg_pick(g, (uint32_t)room + 1) : 0);
	if (vg_slip(g))
		off += vg_pick(g, 2) ? size_bytes[sz] : -1 - (int32_t)vg_pick(g, 8);
	if (lo == 0 && off > 0 && (vg_u8(g) & 7))	/* aligned (when the scalar is) */
		off &= ~(int32_t)(size_bytes[sz] - 1);
	vg_access(g, p, (int16_t)off, sz);
}

/* The bytes a region reaches, before it is acquired (record and global: the smallest). */
int32_t vg_nominal(enum region rg)
{
	static const int32_t sizes[RG_CNT] = { VGEN_ARRAY_VALUE, VGEN_HASH_VALUE, 8, BUF_SIZE, 8,
					       BUF_SIZE };

	return sizes[rg];
}

/* After the check, a few steps whose effect on [lo, hi] the generator follows. */
void vg_shape(struct vgen *g, uint8_t s, int32_t size, int32_t *lo, int32_t *hi)
{
	for (uint32_t n = vg_pick(g, 3); n; n--) {
		uint8_t k = vg_u8(g);

		switch (k % 5) {
		case 0:
			if (*hi * 2 < size) {
				vg_alu_imm(g, BPF_LSH, s, 1);
				*lo *= 2, *hi *= 2;
			}
			break;
		case 1: {
			int32_t c = (int32_t)(k >> 4) - 8;

			vg_alu_imm(g, BPF_ADD, s, c);
			*lo += c, *hi += c;
			break;
		}
		case 2:
			vg_alu_imm(g, BPF_RSH, s, 1);
			*lo /= 2, *hi /= 2;	/* lo >= 0 here or the shift leaves it huge */
			if (*lo < 0)
				*hi = INT32_MAX / 4;
			break;
		case 3:	/* zero-extension: a no-op on a small non-negative value */
			vg_e(g, INSN(BPF_ALU | BPF_MOV | BPF_X, s, s, 0, 0));
			if (*lo < 0)
				*hi = INT32_MAX / 4, *lo = 0;
			break;
		default:
			if (*hi * 3 < size && *lo >= 0) {
				vg_alu_imm(g, BPF_MUL, s, 3);
				*lo *= 3, *hi *= 3;
			}
			break;
		}
	}
}
