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
#include "vprog_emit.h"

#include <string.h>

/* A scalar, bounded, added to a region pointer, then an access: the verifier's core. */
static void snip_indexed(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t s = vg_scalar_reg(g);
	enum region rg = vg_any_region(g);
	int32_t lim = (int32_t)vg_pick(g, (uint32_t)vg_nominal(rg)), lo = 0, hi = lim, size;

	vg_src_scalar(g, s);
	vg_check_bound(g, s, lim, &skip);
	vg_shape(g, s, vg_nominal(rg), &lo, &hi);
	size = vg_region(g, rg, 2, &skip);
	vg_mov_reg(g, 3, 2);
	vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, s, 0, 0));
	vg_access_at(g, 3, size, lo, hi);
	if (rg == RG_RECORD)
		vg_release_record(g);
	vg_land(g, &skip);
}

/* A region pointer and an access at a constant offset. */
static void snip_const(struct vgen *g)
{
	struct label skip = { .n = 0 };
	enum region rg = vg_any_region(g);
	int32_t size = vg_region(g, rg, 2, &skip);

	for (uint32_t n = 1 + vg_pick(g, 3); n; n--)
		vg_access_at(g, 2, size, 0, 0);
	if (rg == RG_RECORD)
		vg_release_record(g);
	vg_land(g, &skip);
}

/* Packet access behind a data_end check (XDP, testprog), or LD_ABS/LD_IND (socket filter). */
static void snip_packet(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t k = vg_u8(g), s = vg_scalar_reg(g);
	int32_t n = 1 + (int32_t)vg_pick(g, 40), lim = (int32_t)vg_pick(g, 32);
	bool var = k & 1, meta = g->env->pkt == GEN_PKT_XDP && (k & 6) == 6;

	if (var) {
		vg_src_scalar(g, s);
		vg_check_bound(g, s, lim, &skip);
	}
	if (g->env->pkt == GEN_PKT_SKB) {
		uint8_t sz = size_code[vg_pick(g, 3)];

		if (var)
			vg_e(g, INSN(BPF_LD | BPF_IND | sz, 0, s, 0, (int32_t)vg_pick(g, 32)));
		else
			vg_e(g, INSN(BPF_LD | BPF_ABS | sz, 0, 0, 0, (int32_t)vg_pick(g, 64)));
		vg_mov_reg(g, vg_scalar_reg(g), 0);
		vg_land(g, &skip);
		return;
	}
	vg_pkt_ptr(g, 2, meta ? 2 : 0);
	vg_pkt_ptr(g, 3, meta ? 0 : 1);
	if (var)
		vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 2, s, 0, 0));
	vg_mov_reg(g, 4, 2);
	vg_alu_imm(g, BPF_ADD, 4, n);
	switch ((k >> 3) & 3) {
	case 0:
		vg_jump_to(g, &skip, INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 0, 0));
		break;
	case 1:
		vg_jump_to(g, &skip, INSN(BPF_JMP | BPF_JLT | BPF_X, 3, 4, 0, 0));
		break;
	case 2:
		vg_e(g, INSN(BPF_JMP | BPF_JLE | BPF_X, 4, 3, 1, 0));
		vg_jump_to(g, &skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		break;
	default:
		vg_e(g, INSN(BPF_JMP | BPF_JGE | BPF_X, 3, 4, 1, 0));
		vg_jump_to(g, &skip, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		break;
	}
	for (uint32_t i = 1 + vg_pick(g, 2); i; i--)
		vg_access_at(g, 2, n, 0, 0);
	vg_land(g, &skip);
}

/* for (c = 0; c < n; c += step) vg_access(region + (c << sh)) */
static void snip_loop(struct vgen *g)
{
	static const enum region rgs[] = { RG_ARRAY, RG_HASH, RG_GLOBAL, RG_STACK, RG_CALLER };
	struct label skip = { .n = 0 };
	uint8_t k = vg_u8(g), c = vg_scalar_reg(g), acc = c == 7 ? 8 : 7;
	bool with_call = k & 1;
	enum region rg = with_call ? RG_STACK : rgs[vg_pick(g, 5)];
	int32_t n = 1 + (int32_t)(k & 0x80 ? vg_pick(g, 24) : vg_pick(g, 12)), step = 1 + (k >> 5 & 1);
	int32_t sh = (int32_t)vg_pick(g, 4), size = vg_nominal(rg);
	uint32_t top;

	if (g->loops++ >= LOOPS_MAX)
		return;
	if (!with_call)
		size = vg_region(g, rg, 2, &skip);
	while (sh && ((n - 1) << sh) >= size)
		sh--;
	vg_mov_imm(g, c, 0);
	g->keep = c;
	top = g->cur->len;
	if (with_call) {
		vg_call(g, BPF_FUNC_get_prandom_u32);
		vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, acc, 0, 0, 0));
		vg_region(g, rg, 2, &skip);
	}
	vg_mov_reg(g, 3, c);
	vg_alu_imm(g, BPF_LSH, 3, sh);
	vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0));
	vg_access_at(g, 3, size, 0, (n - 1) << sh);
	if (!vg_slip(g))
		vg_alu_imm(g, BPF_ADD, c, step);
	{
		int16_t back = (int16_t)((int32_t)top - (int32_t)g->cur->len - 1);

		switch ((k >> 2) & 7) {
		case 0:
			/* c != n with n a multiple of the step (never an endless count: F2) */
			vg_e(g, INSN(BPF_JMP | BPF_JNE | BPF_K, c, 0, back, step == 1 ? n : (n + 1) & ~1));
			break;
		case 1:
			vg_e(g, INSN(BPF_JMP | BPF_JSLT | BPF_K, c, 0, back, n));
			break;
		case 2:
			vg_e(g, INSN(BPF_JMP | BPF_JLE | BPF_K, c, 0, back, n - 1));
			break;
		case 3:
			vg_e(g, INSN(BPF_JMP32 | BPF_JLT | BPF_K, c, 0, back, n));
			break;
		case 4:	/* the bound in a register */
			vg_mov_imm(g, 4, n);
			vg_e(g, INSN(BPF_JMP | BPF_JLT | BPF_X, c, 4, (int16_t)(back - 1), 0));
			break;
		default:
			vg_e(g, INSN(BPF_JMP | BPF_JLT | BPF_K, c, 0, back, n));
			break;
		}
	}
	g->keep = 0;
	vg_land(g, &skip);
}

/* A pointer or a bounded scalar spilled to the stack, maybe across a call, filled and used. */
static void snip_spill(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t k = vg_u8(g), s = vg_scalar_reg(g);
	int16_t slot = (int16_t)(SPILL_OFF + 8 * (int32_t)vg_pick(g, SPILL_SLOTS));
	enum region rg = vg_any_region(g);
	int32_t size;

	if (k & 1) {
		size = vg_region(g, rg, 2, &skip);
		vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, slot, 0));
		if (k & 2)
			vg_call(g, BPF_FUNC_get_prandom_u32);
		if (vg_slip(g)) {	/* part of the spilled pointer overwritten */
			if (k & 4)
				vg_e(g, INSN(BPF_ST | BPF_MEM | size_code[vg_pick(g, 3)], BPF_REG_10, 0,
					  (int16_t)(slot + (int16_t)vg_pick(g, 4)), (int32_t)vg_pick(g, 256)));
			else
				vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, s, slot, 0));
		}
		vg_e(g, INSN(BPF_LDX | BPF_MEM | (vg_slip(g) ? BPF_W : BPF_DW), 3, BPF_REG_10, slot, 0));
		vg_access_at(g, 3, size, 0, 0);
	} else {
		int32_t lim = (int32_t)vg_pick(g, (uint32_t)vg_nominal(rg));
		uint8_t ssz = k & 4 ? BPF_DW : BPF_W;

		vg_src_scalar(g, s);
		vg_check_bound(g, s, lim, &skip);
		vg_e(g, INSN(BPF_STX | BPF_MEM | ssz, BPF_REG_10, s, slot, 0));
		if (k & 2)
			vg_call(g, BPF_FUNC_get_prandom_u32);
		size = vg_region(g, rg, 2, &skip);
		vg_e(g, INSN(BPF_LDX | BPF_MEM | (vg_slip(g) ? (ssz == BPF_W ? BPF_DW : BPF_W) : ssz), 4, BPF_REG_10,
			  slot, 0));
		vg_mov_reg(g, 3, 2);
		vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, 4, 0, 0));
		vg_access_at(g, 3, size, 0, lim);
	}
	if (rg == RG_RECORD)
		vg_release_record(g);
	vg_land(g, &skip);
}

/* A helper taking memory and a size (or a key or value pointer) into a region. */
static void snip_helper_mem(struct vgen *g)
{
	struct label skip = { .n = 0 };
	uint8_t k = vg_u8(g), s = vg_scalar_reg(g);
	enum region rg = k & 1 ? RG_ARRAY : RG_STACK;
	int32_t lim = (int32_t)vg_pick(g, (uint32_t)vg_nominal(rg) + 1), off = (int32_t)vg_pick(g, 40);
	uint32_t which = vg_pick(g, 6);

	vg_src_scalar(g, s);
	vg_check_bound(g, s, lim, &skip);
	if (!vg_slip(g))
		vg_jump_to(g, &skip, INSN(BPF_JMP | BPF_JEQ | BPF_K, s, 0, 0, 0));
	vg_region(g, rg, 0, &skip);
	if (vg_slip(g))	/* a pointer in the memory the helper copies out (unprivileged: a leak) */
		vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, 0, (uint8_t)(k & 2 ? BPF_REG_10 : 0), 0, 0));
	switch (which) {
	case 0:
		vg_map_ld(g, 1, GEN_MAP_RINGBUF);
		vg_mov_reg(g, 2, 0);
		vg_mov_reg(g, 3, s);
		vg_mov_imm(g, 4, 0);
		vg_call(g, BPF_FUNC_ringbuf_output);
		break;
	case 1:
		if (g->env->pkt == GEN_PKT_PTR64)
			goto update;
		vg_mov_reg(g, 1, BPF_REG_6);
		vg_mov_imm(g, 2, off);
		vg_mov_reg(g, 3, 0);
		vg_mov_reg(g, 4, s);
		vg_call(g, g->env->pkt == GEN_PKT_SKB ? BPF_FUNC_skb_load_bytes
			 : k & 2 ? BPF_FUNC_xdp_store_bytes : BPF_FUNC_xdp_load_bytes);
		break;
	case 2:
		if (g->env->pkt != GEN_PKT_XDP)
			goto update;
		vg_mov_reg(g, 1, 0);
		vg_mov_reg(g, 2, s);
		vg_alu_imm(g, BPF_AND, 2, ~3);
		vg_mov_imm(g, 3, 0);
		vg_mov_imm(g, 4, 0);
		vg_mov_imm(g, 5, (int32_t)vg_pick(g, 256));
		vg_call(g, BPF_FUNC_csum_diff);
		break;
	case 3:
	update:
		vg_map_ld(g, 1, k & 2 ? GEN_MAP_HASH : GEN_MAP_ARRAY);
		vg_mov_reg(g, 3, 0);
		vg_mov_reg(g, 2, BPF_REG_10);
		vg_alu_imm(g, BPF_ADD, 2, -8 * (int32_t)(1 + vg_pick(g, 4)));
		vg_mov_imm(g, 4, 0);
		vg_call(g, BPF_FUNC_map_update_elem);
		break;
	case 4: {
		static const int32_t q[] = { BPF_FUNC_map_push_elem, BPF_FUNC_map_pop_elem,
					     BPF_FUNC_map_peek_elem };

		vg_map_ld(g, 1, GEN_MAP_QUEUE);
		vg_mov_reg(g, 2, 0);
		vg_mov_imm(g, 3, 0);
		vg_call(g, q[vg_pick(g, 3)]);
		break;
	}
	default:	/* a key at a variable offset into the region */
		vg_map_ld(g, 1, GEN_MAP_HASH);
		vg_mov_reg(g, 2, 0);
		if (lim + 8 > vg_nominal(rg) && !vg_slip(g))
			vg_alu_imm(g, BPF_AND, s, 7);
		vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 2, s, 0, 0));
		vg_call(g, BPF_FUNC_map_lookup_elem);
		vg_land(g, &skip);
		return;
	}
	if (k & 0x80)
		vg_mov_reg(g, vg_scalar_reg(g), 0);
	vg_land(g, &skip);
}

/* One of the two paths sets a value: a scalar or pointer of one of two kinds, then used. */
static void snip_diverge(struct vgen *g)
{
	struct label skip = { .n = 0 }, other = { .n = 0 }, join = { .n = 0 };
	uint8_t k = vg_u8(g), s = vg_scalar_reg(g), t = s == 9 ? 8 : (uint8_t)(s + 1);

	vg_src_scalar(g, s);
	if (k & 1) {	/* t = c1 or c2, then region + t */
		enum region rg = vg_any_region(g);
		int32_t c1 = (int32_t)vg_pick(g, (uint32_t)vg_nominal(rg));
		int32_t c2 = (int32_t)vg_pick(g, (uint32_t)vg_nominal(rg));
		int32_t size;

		if (vg_slip(g))
			c2 += vg_nominal(rg);
		vg_jump_to(g, &other, INSN(BPF_JMP | BPF_JSET | BPF_K, s, 0, 0, 1 << vg_pick(g, 8)));
		vg_mov_imm(g, t, c1);
		vg_jump_to(g, &join, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		vg_land(g, &other);
		vg_mov_imm(g, t, c2);
		vg_land(g, &join);
		size = vg_region(g, rg, 2, &skip);
		vg_mov_reg(g, 3, 2);
		vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 3, t, 0, 0));
		vg_access_at(g, 3, size, c1 < c2 ? c1 : c2, c1 < c2 ? c2 : c1);
		if (rg == RG_RECORD)
			vg_release_record(g);
	} else {	/* r2 = the stack buffer or a map value (or, a slip, a scalar) */
		int16_t slot = (int16_t)(SPILL_OFF + 8 * (int32_t)vg_pick(g, SPILL_SLOTS));

		vg_jump_to(g, &other, INSN(BPF_JMP | BPF_JSET | BPF_K, s, 0, 0, 1 << vg_pick(g, 8)));
		vg_region(g, RG_STACK, 2, &skip);
		vg_jump_to(g, &join, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		vg_land(g, &other);
		if (vg_slip(g))
			vg_mov_reg(g, 2, s);
		else
			vg_region(g, RG_ARRAY, 2, &skip);
		vg_land(g, &join);
		if (k & 2) {	/* through a spill slot */
			vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, slot, 0));
			vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, BPF_REG_10, slot, 0));
		}
		vg_access_at(g, 2, VGEN_ARRAY_VALUE, 0, 0);
	}
	vg_land(g, &skip);
}

/* The context: fields read (whole or narrow), the writable ones written. */
static void snip_ctx(struct vgen *g)
{
	uint8_t k = vg_u8(g), v = vg_scalar_reg(g);

	if (vg_slip(g)) {	/* a read-only field written, or the context at a variable offset */
		if (k & 1) {
			vg_e(g, INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_6, 0, 0, 0));
		} else {
			vg_mov_reg(g, 2, BPF_REG_6);
			vg_e(g, INSN(BPF_ALU64 | BPF_ADD | BPF_X, 2, v, 0, 0));
			vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, v, 2, 0, 0));
		}
		return;
	}
	switch (g->env->pkt) {
	case GEN_PKT_SKB:
		if (k & 1) {	/* cb[] */
			int16_t at = (int16_t)(48 + 4 * (int32_t)vg_pick(g, 5));

			if (k & 2)
				vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_6, v, at, 0));
			else
				vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, v, BPF_REG_6, at, 0));
			return;
		}
		break;
	case GEN_PKT_PTR64:
		if (k & 1) {
			vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_6, v, 16, 0));
			return;
		}
		break;
	default:
		break;
	}
	if (k & 4) {	/* narrow: a byte or half of the field */
		bool half = k & 8;

		vg_e(g, INSN(BPF_LDX | BPF_MEM | (half ? BPF_H : BPF_B), v, BPF_REG_6,
			  (int16_t)(vg_ctx_scalar_field(g) + (half ? 2 * (int32_t)vg_pick(g, 2) : (int32_t)vg_pick(g, 4))), 0));
	} else {
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_W, v, BPF_REG_6, vg_ctx_scalar_field(g), 0));
	}
}

/* XDP: the packet moves (its old pointers must not be used again). */
static void snip_xdp_adjust(struct vgen *g)
{
	static const int32_t helpers[] = { BPF_FUNC_xdp_adjust_head, BPF_FUNC_xdp_adjust_meta,
					   BPF_FUNC_xdp_adjust_tail };
	uint8_t k = vg_u8(g);
	bool stale = vg_slip(g);

	if (stale) {
		vg_pkt_ptr(g, 2, 0);
		vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, SPILL_OFF, 0));
	}
	vg_mov_reg(g, 1, BPF_REG_6);
	vg_mov_imm(g, 2, ((int32_t)(k >> 2) % 9 - 4) * 4);
	vg_call(g, helpers[k & 3 ? (k & 3) - 1 : 0]);
	if (stale) {
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, BPF_REG_10, SPILL_OFF, 0));
		vg_e(g, INSN(BPF_LDX | BPF_MEM | BPF_B, vg_scalar_reg(g), 2, 0, 0));
	}
}

/* A bpf-to-bpf call: context, the caller's buffer and the three scalars. */
static void snip_call(struct vgen *g)
{
	struct vfunc *f = g->cur;
	uint8_t k = vg_u8(g);

	if (!g->nsubs || f->ncalls == CALLS_MAX)
		return;
	vg_mov_reg(g, 1, BPF_REG_6);
	vg_mov_reg(g, 2, BPF_REG_10);
	vg_alu_imm(g, BPF_ADD, 2, BUF_OFF + (vg_slip(g) ? 8 : 0));
	vg_mov_reg(g, 3, 7);
	vg_mov_reg(g, 4, 8);
	vg_mov_reg(g, 5, 9);
	f->call_at[f->ncalls] = f->len;
	f->call_to[f->ncalls++] = 1 + k % g->nsubs;
	vg_e(g, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	if (k & 0x10)
		vg_mov_reg(g, vg_scalar_reg(g), 0);
}

static void snip_tail_call(struct vgen *g)
{
	uint8_t k = vg_u8(g);

	vg_mov_reg(g, 1, BPF_REG_6);
	vg_map_ld(g, 2, GEN_MAP_PROG_ARRAY);
	if (k & 1)
		vg_mov_reg(g, 3, vg_scalar_reg(g));
	else
		vg_mov_imm(g, 3, (int32_t)vg_pick(g, 5));
	vg_call(g, BPF_FUNC_tail_call);
}

static void snippet(struct vgen *g)
{
	switch (vg_pick(g, 16)) {
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
			vg_src_scalar(g, vg_scalar_reg(g));
		break;
	case 13:
		if (!g->cur->sub)
			snip_call(g);
		break;
	case 14:
		if (!g->cur->sub && !(vg_u8(g) & 3))
			snip_tail_call(g);
		break;
	default:
		vg_alu_random(g, vg_scalar_reg(g));
		break;
	}
}

static void prologue(struct vgen *g)
{
	vg_mov_reg(g, 6, 1);
	if (g->cur->sub) {
		vg_e(g, INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, 2, CALLER_SLOT, 0));
		vg_mov_reg(g, 7, 3);
		vg_mov_reg(g, 8, 4);
		vg_mov_reg(g, 9, 5);
	} else {
		vg_mov_imm(g, 7, 0);
		vg_mov_imm(g, 8, 0);
		vg_mov_imm(g, 9, 0);
	}
	for (int16_t off = BUF_OFF; off < -32; off += 8)
		vg_e(g, INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, off, 0));
	for (int16_t key = 0; key < 4; key++)	/* keys 0..3 at fp-8 .. fp-32 */
		vg_e(g, INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, (int16_t)(-8 * (key + 1)), key));
}

static void epilogue(struct vgen *g)
{
	uint8_t k = vg_u8(g);

	if (g->cur->sub && (k & 1)) {
		vg_mov_reg(g, 0, 7);
	} else {
		vg_mov_reg(g, 0, 7 + k % 3);
		vg_alu_imm(g, BPF_AND, 0, 3);
		if (k & 4)
			vg_mov_imm(g, 0, k >> 6);
	}
	vg_e(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
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
