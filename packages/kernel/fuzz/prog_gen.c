// SPDX-License-Identifier: MIT
/*
 * The program generator (see prog_gen.h). The input is read as a list of
 * operations (an ALU step, a load or store through a pointer of some region
 * kind, a helper call with its arguments, a jump, a local or tail call ...).
 *
 * Why its programs pass the structural check: every instruction but the
 * last of a function falls through to the next (no mid-function exit or
 * unconditional ja; "leave early" is a conditional jump to the function's
 * exit), so the straight-line path reaches each instruction and the
 * registers written along it are a subset of what the check's union over
 * paths finds. The generator tracks that set (`w`) and reads only
 * registers in it, counting calls as the check does (r1-r5 unwritten after
 * any call, r0 unwritten after a void helper or callx, and after a local
 * call unless the callee ends with exit); every call gets all the argument
 * registers its helper's prototype reads, and a local call all of r1-r5.
 * Jump targets are instruction starts of the same function, so never the
 * second half of an lddw.
 *
 * r6 holds the context for the whole function (never written after the
 * prologue); r7, r8 and r9 keep the last map value, ring buffer record and
 * inner map (or, in a subprogram, the caller's stack pointer) so later
 * operations can use them: that is how pointers of each region kind reach
 * loads, stores and helper arguments.
 */
#include "prog_gen.h"

#include <string.h>

#define FUNC_MAX 4u		/* main and up to three subprograms */
#define MAIN_CAP 448u
#define SUB_CAP 160u
#define OP_ROOM 32u		/* instructions the largest operation may emit */
#define PEND_MAX 48u
#define CALLS_MAX 4u		/* local call sites per function: bounds the call tree */
#define PEND_TO_END UINT32_MAX

#define BIT(r) (1u << (r))
#define CALLER_SAVED (BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5))

#define INSN(c, d, s, o, i)                                                                \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct func {
	struct bpf_insn insns[MAIN_CAP];
	uint32_t len, cap;
	uint32_t starts[MAIN_CAP];	/* instruction starts: backward jump targets */
	uint32_t nstarts;
	struct {
		uint32_t at, left;	/* jump at @at lands after @left more instructions */
	} pend[PEND_MAX];
	uint32_t npend;
	struct {
		uint32_t at, callee;
	} calls[CALLS_MAX];
	uint32_t ncalls;
	uint32_t w;			/* registers written on the straight-line path */
	uint32_t index;
	bool exits;			/* ends with exit (else a ja back: only the budget ends it) */
};

struct gen {
	struct fuzz_bytes *in;
	const struct gen_env *env;
	struct gen_prog *out;
	struct func f[FUNC_MAX];
	uint32_t nfuncs;
};

static uint8_t u8(struct gen *g)
{
	return fuzz_u8(g->in);
}

/* Immediates: mostly small, sometimes the edges of the range. */
static int32_t imm(struct gen *g)
{
	uint8_t k = u8(g);

	switch (k & 7) {
	case 0:
		return -1;
	case 1:
		return INT32_MIN;
	case 2:
		return INT32_MAX;
	case 3:
		return (int32_t)fuzz_u32(g->in);
	default:
		return (int32_t)(k >> 3) - 4;
	}
}

/* Registers written after @insn, as the structural check counts them. */
static uint32_t track(uint32_t w, const struct bpf_insn *insn)
{
	uint8_t code = insn->code, cls = BPF_CLASS(code);

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LDX:
		return w | BIT(insn->dst_reg);
	case BPF_LD:
		if (BPF_MODE(code) == BPF_IMM)
			return w | BIT(insn->dst_reg);
		return (w & ~CALLER_SAVED) | BIT(0);
	case BPF_JMP:
		if (BPF_OP(code) != BPF_CALL)
			return w;
		/*
		 * Helpers that return nothing (bpf_tail_call, ring buffer submit and
		 * discard) leave r0 unwritten, as Linux's verifier sees them; callx
		 * names its helper only at run time, so count it among them too.
		 */
		if (code == (BPF_JMP | BPF_CALL | BPF_X) ||
		    (!insn->src_reg && (insn->imm == BPF_FUNC_tail_call || insn->imm == BPF_FUNC_ringbuf_submit ||
					insn->imm == BPF_FUNC_ringbuf_discard)))
			return w & ~(CALLER_SAVED | BIT(0));
		/* a local call: r0 is the callee's (op_local_call adds it when the callee exits) */
		if (insn->src_reg == BPF_PSEUDO_CALL)
			return w & ~(CALLER_SAVED | BIT(0));
		return (w & ~CALLER_SAVED) | BIT(0);
	case BPF_STX:
		if (BPF_MODE(code) != BPF_ATOMIC)
			return w;
		if (insn->imm == BPF_CMPXCHG)
			return w | BIT(0);
		if (insn->imm & BPF_FETCH)
			return w | BIT(insn->src_reg);
		return w;
	default:
		return w;
	}
}

/* Pending forward jumps whose distance ran out land here (the next instruction). */
static void land_pending(struct func *f)
{
	for (uint32_t i = 0; i < f->npend;) {
		if (f->pend[i].left != PEND_TO_END && --f->pend[i].left == 0) {
			f->insns[f->pend[i].at].off = (int16_t)(f->len - f->pend[i].at - 1);
			f->pend[i] = f->pend[--f->npend];
		} else {
			i++;
		}
	}
}

static void emit(struct func *f, struct bpf_insn insn)
{
	f->starts[f->nstarts++] = f->len;
	f->insns[f->len++] = insn;
	f->w = track(f->w, &insn);
	land_pending(f);
}

static void emit_lddw(struct func *f, uint8_t dst, uint8_t src, int32_t lo, int32_t hi)
{
	struct bpf_insn insn = INSN(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, lo);

	f->starts[f->nstarts++] = f->len;
	f->insns[f->len++] = insn;
	f->insns[f->len++] = INSN(0, 0, 0, 0, hi);
	f->w = track(f->w, &insn);
	land_pending(f);
}

static void mov_imm(struct func *f, uint8_t dst, int32_t v)
{
	emit(f, INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, v));
}

static void mov_reg(struct func *f, uint8_t dst, uint8_t src)
{
	emit(f, INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0));
}

static void add_imm(struct func *f, uint8_t dst, int32_t v)
{
	emit(f, INSN(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, v));
}

/* A register some instruction wrote (r10 and r6 always are). */
static uint8_t pick_read(struct gen *g, const struct func *f)
{
	uint8_t regs[11], n = 0, k = u8(g);

	for (uint8_t r = 0; r <= 10; r++)
		if (f->w & BIT(r))
			regs[n++] = r;
	return regs[k % n];
}

/* A register the program may overwrite: all but r6 (the context) and r10. */
static uint8_t pick_write(struct gen *g)
{
	static const uint8_t regs[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 };

	return regs[u8(g) % sizeof(regs)];
}

/* dst = the map (an lddw by handle or by fd_array index). */
static void emit_map(struct gen *g, struct func *f, uint8_t dst, enum gen_map m)
{
	bool by_idx = u8(g) & 1;

	emit_lddw(f, dst, by_idx ? BPF_PSEUDO_MAP_IDX : BPF_PSEUDO_MAP_FD,
		  by_idx ? (int32_t)m : g->env->map_fd[m], 0);
	g->out->maps_used |= BIT(m);
}

static enum gen_map any_map(struct gen *g)
{
	return (enum gen_map)(u8(g) % GEN_MAP_CNT);
}

/* dst = a pointer of some region kind (or something that only looks like one). */
static void gen_ptr(struct gen *g, struct func *f, uint8_t dst)
{
	uint8_t kind = u8(g), o = u8(g);

	switch (kind % 14) {
	case 0:
	case 1:
	case 2:		/* a stack slot the prologue put a small key in */
		mov_reg(f, dst, BPF_REG_10);
		add_imm(f, dst, -8 * (1 + o % 8));
		break;
	case 3:		/* anywhere near the frame: misaligned, or past it either way */
		mov_reg(f, dst, BPF_REG_10);
		add_imm(f, dst, (int32_t)o * 3 - 700);
		break;
	case 4:		/* the context */
		mov_reg(f, dst, BPF_REG_6);
		if (o & 3)
			add_imm(f, dst, o % (g->env->ctx_size + 8));
		break;
	case 5:		/* the last map value */
		mov_reg(f, dst, BPF_REG_7);
		if (o & 1)
			add_imm(f, dst, (o >> 1) % 40 - 4);
		break;
	case 6:		/* the last ring buffer record */
		mov_reg(f, dst, BPF_REG_8);
		if (o & 1)
			add_imm(f, dst, (o >> 1) % 40 - 8);
		break;
	case 7:		/* an inner map (main) or the caller's stack (subprogram) */
		mov_reg(f, dst, BPF_REG_9);
		break;
	case 8:		/* packet data or metadata (socket filter: __sk_buff->data, not a pointer here) */
	case 9: {	/* packet end */
		bool end = kind % 14 == 9;

		switch (g->env->pkt) {
		case GEN_PKT_PTR64:
			emit(f, INSN(BPF_LDX | BPF_MEM | BPF_DW, dst, BPF_REG_6, end ? 8 : 0, 0));
			break;
		case GEN_PKT_XDP:	/* data, data_end or data_meta */
			emit(f, INSN(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_6,
				     end ? 4 : (kind & 0x80) ? 8 : 0, 0));
			break;
		case GEN_PKT_TC:	/* __sk_buff's data, data_end or data_meta */
			emit(f, INSN(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_6,
				     end ? 80 : (kind & 0x80) ? 140 : 76, 0));
			break;
		default:
			emit(f, INSN(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_6, end ? 80 : 76, 0));
			break;
		}
		add_imm(f, dst, end ? -(int32_t)(o % 24) : o % 80);
		/* kept in r9 too: still used after a helper moved the packet (xdp_adjust_*) */
		if (o & 0x40)
			mov_reg(f, BPF_REG_9, dst);
		break;
	}
	case 10: {	/* global data: a direct value address */
		bool by_idx = u8(g) & 1;

		emit_lddw(f, dst, by_idx ? BPF_PSEUDO_MAP_IDX_VALUE : BPF_PSEUDO_MAP_VALUE,
			  by_idx ? (int32_t)GEN_MAP_GLOBAL : g->env->map_fd[GEN_MAP_GLOBAL],
			  (int32_t)(o % g->env->global_value_size));
		g->out->maps_used |= BIT(GEN_MAP_GLOBAL);
		break;
	}
	case 11:	/* a map's own struct: host memory no program may touch */
		emit_map(g, f, dst, any_map(g));
		break;
	case 12:	/* null and small integers */
		mov_imm(f, dst, o & 0x80 ? 0 : o);
		break;
	default: {	/* a garbage scalar */
		uint64_t v = fuzz_u64(g->in);

		emit_lddw(f, dst, 0, (int32_t)(uint32_t)v, (int32_t)(uint32_t)(v >> 32));
		break;
	}
	}
}

/* A base register for a memory access: r10 or r6 as they are, or a scratch one. */
static uint8_t gen_base(struct gen *g, struct func *f, uint8_t avoid, int16_t *off)
{
	uint8_t k = u8(g), o = u8(g), d;

	switch (k & 3) {
	case 0:
		*off = (int16_t)(-8 * (1 + o % 64) + (k & 4 ? (o >> 6) : 0));
		return BPF_REG_10;
	case 1:
		*off = (int16_t)(o % (g->env->ctx_size + 8));
		return BPF_REG_6;
	default:
		do
			d = pick_write(g);
		while (d == avoid && g->in->n);
		if (d == avoid)
			d = avoid == 1 ? 2 : 1;
		gen_ptr(g, f, d);
		*off = (int16_t)((int8_t)o / 8);
		return d;
	}
}

static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

static void op_alu(struct gen *g, struct func *f)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
				       BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END };
	uint8_t a = u8(g), b = u8(g), op = ops[(a >> 2) % sizeof(ops)], dst = pick_write(g);
	uint8_t cls = a & 1 ? BPF_ALU64 : BPF_ALU;
	bool x = a & 2;

	if (op != BPF_MOV && !(f->w & BIT(dst)))
		mov_imm(f, dst, imm(g));
	switch (op) {
	case BPF_NEG:
		emit(f, INSN(cls | BPF_NEG | BPF_K, dst, 0, 0, 0));
		return;
	case BPF_END: {
		static const int32_t widths[] = { 16, 32, 64 };
		int32_t width = widths[b % 3];

		if (cls == BPF_ALU64)
			emit(f, INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, width));
		else
			emit(f, INSN(BPF_ALU | BPF_END | (x ? BPF_TO_BE : BPF_TO_LE), dst, 0, 0, width));
		return;
	}
	case BPF_MOV:
		if (x) {
			static const int16_t sx[] = { 0, 0, 8, 16, 32 };
			int16_t off = sx[b % (cls == BPF_ALU64 ? 5 : 4)];

			emit(f, INSN(cls | BPF_MOV | BPF_X, dst, pick_read(g, f), off, 0));
		} else {
			emit(f, INSN(cls | BPF_MOV | BPF_K, dst, 0, 0, imm(g)));
		}
		return;
	default: {
		int16_t off = (op == BPF_DIV || op == BPF_MOD) && (b & 0x40) ? 1 : 0;

		if (x)
			emit(f, INSN(cls | op | BPF_X, dst, pick_read(g, f), off, 0));
		else
			emit(f, INSN(cls | op | BPF_K, dst, 0, off, imm(g)));
		return;
	}
	}
}

static void op_load(struct gen *g, struct func *f)
{
	uint8_t a = u8(g), size = sizes[a & 3], dst = pick_write(g), base;
	bool sx = (a & 4) && size != BPF_DW;
	int16_t off;

	base = gen_base(g, f, 0xff, &off);
	emit(f, INSN(BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | size, dst, base, off, 0));
}

static void op_store(struct gen *g, struct func *f)
{
	uint8_t a = u8(g), size = sizes[a & 3], src = 0, base;
	int16_t off;

	if (a & 4)
		src = pick_read(g, f);
	base = gen_base(g, f, 0xff, &off);
	if (a & 4)
		emit(f, INSN(BPF_STX | BPF_MEM | size, base, src, off, 0));
	else
		emit(f, INSN(BPF_ST | BPF_MEM | size, base, 0, off, imm(g)));
}

static void op_atomic(struct gen *g, struct func *f)
{
	static const int32_t ops[] = { BPF_ADD, BPF_ADD | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH,
				       BPF_AND, BPF_AND | BPF_FETCH, BPF_XOR, BPF_XOR | BPF_FETCH,
				       BPF_XCHG, BPF_CMPXCHG };
	uint8_t a = u8(g), size = a & 1 ? BPF_DW : BPF_W, src, base;
	int32_t op = ops[(a >> 1) % 10];
	int16_t off;

	if (op == BPF_CMPXCHG && !(f->w & BIT(0)))
		mov_imm(f, 0, imm(g));
	if ((op & BPF_FETCH) && op != BPF_CMPXCHG) {
		src = pick_write(g);	/* fetch writes it back: not r6 or r10 */
		if (!(f->w & BIT(src)))
			mov_imm(f, src, imm(g));
	} else {
		src = pick_read(g, f);
	}
	base = gen_base(g, f, src, &off);
	if (op == BPF_CMPXCHG && base == 0) {	/* r0 is the comparand: keep it */
		base = BPF_REG_10;
		off = -8;
	}
	emit(f, INSN(BPF_STX | BPF_ATOMIC | size, base, src, off, op));
}

static const uint8_t cond_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
				    BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };

/* A conditional jump comparing a written register; its offset is filled in later. */
static uint32_t emit_cond(struct gen *g, struct func *f, int16_t off)
{
	uint8_t a = u8(g), cls = a & 1 ? BPF_JMP32 : BPF_JMP, op = cond_ops[(a >> 1) % 11];
	uint8_t dst = pick_read(g, f);
	uint32_t at = f->len;

	if (a & 0x80)
		emit(f, INSN(cls | op | BPF_X, dst, pick_read(g, f), off, 0));
	else
		emit(f, INSN(cls | op | BPF_K, dst, 0, off, imm(g)));
	return at;
}

static void op_jump_forward(struct gen *g, struct func *f, bool to_end)
{
	uint32_t left = to_end ? PEND_TO_END : 1u + u8(g) % 16;
	uint32_t at = emit_cond(g, f, 0);

	if (f->npend == PEND_MAX)
		return;	/* stays a jump +0 */
	f->pend[f->npend].at = at;
	f->pend[f->npend++].left = left;
}

/* A loop: back to an earlier instruction start of this function. */
static void op_jump_back(struct gen *g, struct func *f)
{
	uint32_t span = f->nstarts < 48 ? f->nstarts : 48;
	uint32_t target = f->starts[f->nstarts - 1 - u8(g) % span];

	emit_cond(g, f, (int16_t)((int32_t)target - (int32_t)f->len - 1));
}

/* Helper argument roles, for choosing what goes in r1-r5. */
enum role { R_NONE, R_MAP, R_KEY, R_VAL, R_MEM, R_SIZE, R_ANY, R_CTX, R_REC, R_FLAGS, R_DELTA };

struct gen_helper {
	uint32_t id;
	uint8_t role[5];
	enum gen_map map;	/* the map it is meant for (others are tried too) */
	uint8_t types;		/* GEN_TYPE_* bits of the program types that have it */
};

#define ALL (GEN_TYPE_SKB | GEN_TYPE_TESTPROG | GEN_TYPE_XDP | GEN_TYPE_TC)
#define TC GEN_TYPE_TC

static const struct gen_helper helpers[] = {
	{ BPF_FUNC_map_lookup_elem, { R_MAP, R_KEY }, GEN_MAP_HASH, ALL },
	{ BPF_FUNC_map_update_elem, { R_MAP, R_KEY, R_VAL, R_FLAGS }, GEN_MAP_HASH, ALL },
	{ BPF_FUNC_map_delete_elem, { R_MAP, R_KEY }, GEN_MAP_HASH, ALL },
	{ BPF_FUNC_ktime_get_ns, { R_NONE }, GEN_MAP_ARRAY, ALL },
	{ BPF_FUNC_trace_printk, { R_MEM, R_SIZE, R_ANY, R_ANY, R_ANY }, GEN_MAP_ARRAY, ALL },
	{ BPF_FUNC_get_prandom_u32, { R_NONE }, GEN_MAP_ARRAY, ALL },
	{ BPF_FUNC_get_smp_processor_id, { R_NONE }, GEN_MAP_ARRAY, ALL },
	{ BPF_FUNC_skb_load_bytes, { R_CTX, R_ANY, R_MEM, R_SIZE }, GEN_MAP_ARRAY, GEN_TYPE_SKB | TC },
	/* TC's (Linux's ids): store_bytes, l3/l4_csum_replace, clone_redirect, vlan_push/pop, get_hash_recalc,
	 * change_tail, pull_data, change_head, adjust_room, ecn_set_ce */
	{ 9, { R_CTX, R_ANY, R_MEM, R_SIZE, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 10, { R_CTX, R_ANY, R_ANY, R_ANY, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 11, { R_CTX, R_ANY, R_ANY, R_ANY, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 13, { R_CTX, R_ANY, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 18, { R_CTX, R_ANY, R_ANY }, GEN_MAP_ARRAY, TC },
	{ 19, { R_CTX }, GEN_MAP_ARRAY, TC },
	{ 34, { R_CTX }, GEN_MAP_ARRAY, TC },
	{ 38, { R_CTX, R_SIZE, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 39, { R_CTX, R_SIZE }, GEN_MAP_ARRAY, TC },
	{ 43, { R_CTX, R_SIZE, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 50, { R_CTX, R_DELTA, R_ANY, R_FLAGS }, GEN_MAP_ARRAY, TC },
	{ 97, { R_CTX }, GEN_MAP_ARRAY, TC },
	{ BPF_FUNC_map_push_elem, { R_MAP, R_VAL, R_FLAGS }, GEN_MAP_QUEUE, ALL },
	{ BPF_FUNC_map_pop_elem, { R_MAP, R_VAL }, GEN_MAP_QUEUE, ALL },
	{ BPF_FUNC_map_peek_elem, { R_MAP, R_VAL }, GEN_MAP_QUEUE, ALL },
	{ BPF_FUNC_ktime_get_boot_ns, { R_NONE }, GEN_MAP_ARRAY, ALL },
	{ BPF_FUNC_ringbuf_output, { R_MAP, R_MEM, R_SIZE, R_FLAGS }, GEN_MAP_RINGBUF, ALL },
	{ BPF_FUNC_ringbuf_reserve, { R_MAP, R_SIZE, R_FLAGS }, GEN_MAP_RINGBUF, ALL },
	{ BPF_FUNC_ringbuf_submit, { R_REC, R_FLAGS }, GEN_MAP_RINGBUF, ALL },
	{ BPF_FUNC_ringbuf_discard, { R_REC, R_FLAGS }, GEN_MAP_RINGBUF, ALL },
	{ BPF_FUNC_ringbuf_query, { R_MAP, R_FLAGS }, GEN_MAP_RINGBUF, ALL },
	{ 65600 /* test_add of tests/ext/test_prog_provider.c */, { R_ANY, R_ANY }, GEN_MAP_ARRAY,
	  GEN_TYPE_TESTPROG },
	{ BPF_FUNC_redirect, { R_ANY, R_FLAGS }, GEN_MAP_ARRAY, GEN_TYPE_XDP | TC },
	{ BPF_FUNC_csum_diff, { R_MEM, R_SIZE, R_MEM, R_SIZE, R_ANY }, GEN_MAP_ARRAY, GEN_TYPE_XDP | TC },
	{ BPF_FUNC_xdp_adjust_head, { R_CTX, R_DELTA }, GEN_MAP_ARRAY, GEN_TYPE_XDP },
	{ BPF_FUNC_xdp_adjust_meta, { R_CTX, R_DELTA }, GEN_MAP_ARRAY, GEN_TYPE_XDP },
	{ BPF_FUNC_xdp_adjust_tail, { R_CTX, R_DELTA }, GEN_MAP_ARRAY, GEN_TYPE_XDP },
	{ BPF_FUNC_xdp_load_bytes, { R_CTX, R_ANY, R_MEM, R_SIZE }, GEN_MAP_ARRAY, GEN_TYPE_XDP },
	{ BPF_FUNC_xdp_store_bytes, { R_CTX, R_ANY, R_MEM, R_SIZE }, GEN_MAP_ARRAY, GEN_TYPE_XDP },
};

static bool helper_ok(const struct gen *g, const struct gen_helper *h)
{
	return h->types & g->env->type_bit;
}

static void gen_size(struct gen *g, struct func *f, uint8_t dst)
{
	static const int32_t common[] = { 0, 1, 4, 8, 16, 24, 32, 64, 200, 4096 };
	uint8_t k = u8(g);

	if (k < 200)
		mov_imm(f, dst, common[k % 10]);
	else if (k < 240)
		mov_imm(f, dst, k - 200);
	else
		mov_imm(f, dst, (int32_t)fuzz_u32(g->in));
}

static void gen_arg(struct gen *g, struct func *f, const struct gen_helper *h, uint8_t r,
		    enum role role)
{
	uint8_t k = u8(g);

	switch (role) {
	case R_MAP:
		if (k < 160)
			emit_map(g, f, r, h->map == GEN_MAP_HASH && (k & 1) ? any_map(g) : h->map);
		else if (k < 200)
			emit_map(g, f, r, any_map(g));
		else if (k < 230)
			mov_reg(f, r, BPF_REG_9);	/* an inner map from a map-of-maps lookup */
		else
			gen_ptr(g, f, r);
		break;
	case R_KEY:
	case R_VAL:
	case R_MEM:
		gen_ptr(g, f, r);
		break;
	case R_SIZE:
		gen_size(g, f, r);
		break;
	case R_CTX:
		if (k < 200)
			mov_reg(f, r, BPF_REG_6);
		else
			gen_ptr(g, f, r);
		break;
	case R_REC:
		if (k < 200)
			mov_reg(f, r, BPF_REG_8);
		else
			gen_ptr(g, f, r);
		break;
	case R_FLAGS:
		mov_imm(f, r, k < 200 ? k % 4 : imm(g));
		break;
	case R_DELTA:	/* a packet adjustment: mostly small, either way */
		mov_imm(f, r, k < 224 ? ((int32_t)k % 56 - 28) * 4 + (k & 0x80 ? 1 : 0) : imm(g));
		break;
	case R_ANY:
		if (k & 1)
			mov_reg(f, r, pick_read(g, f));
		else
			mov_imm(f, r, imm(g));
		break;
	case R_NONE:
		break;
	}
}

/* A format string on the stack at r10-72 (bytes from the input) for bpf_trace_printk. */
static void gen_format(struct gen *g, struct func *f)
{
	for (int16_t off = -72; off < -56; off += 4)
		emit(f, INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, off, (int32_t)fuzz_u32(g->in)));
}

static void op_helper(struct gen *g, struct func *f)
{
	const struct gen_helper *h;
	uint8_t k = u8(g), how = u8(g);
	bool via_callx = (how & 7) == 0;

	do
		h = &helpers[k++ % (sizeof(helpers) / sizeof(helpers[0]))];
	while (!helper_ok(g, h));
	if (h->id == BPF_FUNC_trace_printk && (how & 0x10))
		gen_format(g, f);
	for (uint8_t a = 0; a < 5; a++) {
		if (h->id == BPF_FUNC_trace_printk && a == 0 && (how & 0x10)) {
			mov_reg(f, 1, BPF_REG_10);
			add_imm(f, 1, -72);
			continue;
		}
		gen_arg(g, f, h, a + 1, h->role[a]);
	}
	if (via_callx) {
		/* callx: the helper id in a register (sometimes one no helper has) */
		mov_imm(f, 0, how & 0x80 ? (int32_t)fuzz_u32(g->in) : (int32_t)h->id);
		emit(f, INSN(BPF_JMP | BPF_CALL | BPF_X, 0, 0, 0, 0));
	} else {
		emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)h->id));
	}
	if ((how & 0x40) || !(f->w & BIT(0)))
		return;	/* result not kept (or none: a void helper, callx) */
	if (h->id == BPF_FUNC_map_lookup_elem)
		mov_reg(f, how & 0x20 ? BPF_REG_9 : BPF_REG_7, 0);
	else if (h->id == BPF_FUNC_ringbuf_reserve)
		mov_reg(f, BPF_REG_8, 0);
}

/* if (r0 == 0) skip what follows: returns the jump's index for skip_to_here(). */
static uint32_t skip_if_null(struct func *f)
{
	uint32_t at = f->len;

	emit(f, INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0));
	return at;
}

static void skip_to_here(struct func *f, uint32_t at)
{
	f->insns[at].off = (int16_t)(f->len - at - 1);
}

/*
 * reserve, write the record, submit or discard it: the sequence programs
 * use, with the usual slips (no NULL check, a write past the record, the
 * wrong address handed back, the pointer kept and used after the commit).
 */
static void op_ringbuf_record(struct gen *g, struct func *f)
{
	uint8_t k = u8(g), o = u8(g);
	uint32_t size = 8u * (1 + (k & 7)), at = 0;

	emit_map(g, f, 1, GEN_MAP_RINGBUF);
	mov_imm(f, 2, (int32_t)size);
	mov_imm(f, 3, 0);
	emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve));
	mov_reg(f, BPF_REG_8, 0);
	if (k & 8)
		at = skip_if_null(f);
	emit(f, INSN(BPF_ST | BPF_MEM | sizes[o & 3], BPF_REG_8, 0,
		     (int16_t)(o & 0x80 ? (o >> 2) % (size + 16) : 0), imm(g)));
	mov_reg(f, 1, BPF_REG_8);
	if ((o & 0x60) == 0x60)
		add_imm(f, 1, 8);	/* not the record's start */
	mov_imm(f, 2, (k >> 4) & 3);
	emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0,
		     k & 0x40 ? BPF_FUNC_ringbuf_discard : BPF_FUNC_ringbuf_submit));
	if (k & 8)
		skip_to_here(f, at);
}

/* A map-of-maps lookup, then an operation on the inner map it gave. */
static void op_inner_map(struct gen *g, struct func *f)
{
	uint8_t k = u8(g);
	uint32_t at = 0;

	emit_map(g, f, 1, k & 1 ? GEN_MAP_AOM : GEN_MAP_HOM);
	mov_reg(f, 2, BPF_REG_10);
	add_imm(f, 2, -8 * (1 + ((k >> 1) & 1)));	/* key 0 (AOM slot) or 1 (HOM key) */
	emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem));
	mov_reg(f, BPF_REG_9, 0);
	if (k & 4)
		at = skip_if_null(f);
	mov_reg(f, 1, BPF_REG_9);
	mov_reg(f, 2, BPF_REG_10);
	add_imm(f, 2, -8 * (1 + ((k >> 3) & 3)));
	switch ((k >> 5) % 3) {
	case 0:
		emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem));
		mov_reg(f, BPF_REG_7, 0);
		break;
	case 1:
		gen_ptr(g, f, 3);
		mov_imm(f, 4, u8(g) % 4);
		emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem));
		break;
	default:
		emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_delete_elem));
		break;
	}
	if (k & 4)
		skip_to_here(f, at);
}

static void op_tail_call(struct gen *g, struct func *f)
{
	uint8_t k = u8(g);

	if (k & 1)
		mov_reg(f, 1, BPF_REG_6);
	else
		gen_ptr(g, f, 1);
	emit_map(g, f, 2, k & 2 ? GEN_MAP_PROG_ARRAY : any_map(g));
	mov_imm(f, 3, k & 4 ? (k >> 3) % 6 : imm(g));
	emit(f, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call));
}

static void op_local_call(struct gen *g, struct func *f)
{
	uint8_t k = u8(g);
	uint32_t callee;

	/* Any subprogram, this one too: recursion ends at the frame limit or the budget. */
	if (g->nfuncs == 1 || f->ncalls == CALLS_MAX)
		return;
	callee = 1 + k % (g->nfuncs - 1);
	/*
	 * What the callee's prologue keeps: context, map value, record, a stack
	 * pointer; all of r1-r5 written, so the callee may read any of them.
	 */
	mov_reg(f, 1, BPF_REG_6);
	mov_reg(f, 2, BPF_REG_7);
	mov_reg(f, 3, BPF_REG_8);
	mov_reg(f, 4, BPF_REG_10);
	add_imm(f, 4, -8 * (1 + (k >> 4) % 8));
	mov_reg(f, 5, BPF_REG_9);
	f->calls[f->ncalls].at = f->len;
	f->calls[f->ncalls++].callee = callee;
	emit(f, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	/* The callee's exit has r0 written (epilogue); one that never exits gives none back. */
	if (g->f[callee].exits)
		f->w |= BIT(0);
}

static void op_packet_load(struct gen *g, struct func *f)
{
	static const uint8_t ld_sizes[] = { BPF_B, BPF_H, BPF_W };
	uint8_t a = u8(g), size = ld_sizes[a % 3];
	int32_t off = a & 0x80 ? imm(g) : u8(g) % 72;

	if (a & 4)
		emit(f, INSN(BPF_LD | BPF_IND | size, 0, pick_read(g, f), 0, off));
	else
		emit(f, INSN(BPF_LD | BPF_ABS | size, 0, 0, 0, off));
}

/* Keys 0..3 in the frame's first slots, for lookups that hit. */
static void store_keys(struct func *f)
{
	for (int16_t k = 0; k < 4; k++)
		emit(f, INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, (int16_t)(-8 * (k + 1)), k));
}

static void prologue(struct func *f)
{
	if (f->index == 0) {
		f->w = BIT(1) | BIT(10);
		mov_reg(f, 6, 1);
		mov_imm(f, 7, 0);
		mov_imm(f, 8, 0);
		mov_imm(f, 9, 0);
	} else {
		f->w = CALLER_SAVED | BIT(10);
		mov_reg(f, 6, 1);
		mov_reg(f, 7, 2);
		mov_reg(f, 8, 3);
		mov_reg(f, 9, 4);
	}
	mov_imm(f, 0, 0);
	store_keys(f);
}

/* exit (r0 written first), or a ja to an earlier start: a loop only the budget ends. */
static void epilogue(struct gen *g, struct func *f)
{
	uint8_t k = u8(g);

	/*
	 * Right before the exit, whatever came before: a recursive callee's r0
	 * counts as written only once some exit of it has r0, so it must not
	 * depend on the calls it makes.
	 */
	if (f->exits || !(f->w & BIT(0)))
		mov_imm(f, 0, imm(g));
	for (uint32_t i = 0; i < f->npend; i++)
		f->insns[f->pend[i].at].off = (int16_t)(f->len - f->pend[i].at - 1);
	f->npend = 0;
	if (!f->exits) {
		uint32_t target = f->starts[u8(g) % f->nstarts];
		int32_t off = (int32_t)target - (int32_t)f->len - 1;

		if (k & 16)
			emit(f, INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, off));
		else
			emit(f, INSN(BPF_JMP | BPF_JA, 0, 0, (int16_t)off, 0));
	} else {
		emit(f, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	}
}

static void gen_func(struct gen *g, struct func *f)
{
	prologue(f);
	while (g->in->n && f->len + OP_ROOM <= f->cap) {
		switch (u8(g) % 24) {
		case 0:
			goto done;
		case 1:
		case 2:
		case 3:
			op_alu(g, f);
			break;
		case 4: {
			uint64_t v = fuzz_u64(g->in);

			emit_lddw(f, pick_write(g), 0, (int32_t)(uint32_t)v, (int32_t)(uint32_t)(v >> 32));
			break;
		}
		case 5:
		case 6:
			op_load(g, f);
			break;
		case 7:
		case 8:
			op_store(g, f);
			break;
		case 9:
			op_atomic(g, f);
			break;
		case 10:
		case 11:
		case 12:
		case 13:
			op_helper(g, f);
			break;
		case 14:
			op_jump_forward(g, f, false);
			break;
		case 15:
			op_jump_forward(g, f, true);
			break;
		case 16:
			op_jump_back(g, f);
			break;
		case 17:
			op_local_call(g, f);
			break;
		case 18:
			op_tail_call(g, f);
			break;
		case 19:
			if (g->env->pkt == GEN_PKT_XDP)	/* refused at load for XDP, as Linux */
				op_load(g, f);
			else
				op_packet_load(g, f);
			break;
		case 20:
			emit(f, INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0,
				     (int16_t)(-8 * (1 + u8(g) % 8)), u8(g) % 6));
			break;
		case 21:
			op_ringbuf_record(g, f);
			break;
		case 22:
			op_inner_map(g, f);
			break;
		default:	/* keep r0 (a helper's result) as a pointer for later */
			if (f->w & BIT(0))
				mov_reg(f, 7 + u8(g) % 3, 0);
			break;
		}
	}
done:
	epilogue(g, f);
}

void gen_program(struct fuzz_bytes *in, const struct gen_env *env, struct gen_prog *out)
{
	static struct gen g;
	uint32_t base[FUNC_MAX];

	memset(&g, 0, sizeof(g));
	memset(out, 0, sizeof(*out));
	g.in = in;
	g.env = env;
	g.out = out;
	g.nfuncs = 1 + fuzz_u8(in) % FUNC_MAX;
	/* How each function ends is known before any call to it is generated. */
	for (uint32_t i = 0; i < g.nfuncs; i++) {
		g.f[i].index = i;
		g.f[i].cap = i ? SUB_CAP : MAIN_CAP;
		g.f[i].exits = (fuzz_u8(in) & 15) != 0;
	}
	for (uint32_t i = 0; i < g.nfuncs; i++)
		gen_func(&g, &g.f[i]);
	for (uint32_t i = 0; i < g.nfuncs; i++) {
		base[i] = out->len;
		memcpy(&out->insns[out->len], g.f[i].insns, g.f[i].len * sizeof(struct bpf_insn));
		out->len += g.f[i].len;
	}
	for (uint32_t i = 0; i < g.nfuncs; i++)
		for (uint32_t c = 0; c < g.f[i].ncalls; c++) {
			uint32_t at = base[i] + g.f[i].calls[c].at;

			out->insns[at].imm = (int32_t)base[g.f[i].calls[c].callee] - (int32_t)at - 1;
		}
	out->funcs = g.nfuncs;
}
