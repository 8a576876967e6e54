// SPDX-License-Identifier: MIT
/*
 * The structural check every program passes before it can run, until the
 * static verifier replaces it. Four passes over the instructions:
 *
 *  1. encodings: each opcode is one RFC 9669 defines (and Linux accepts),
 *     reserved fields are zero, registers exist, r10 is never written;
 *  2. jump and call targets lie inside the program and not on the second
 *     half of an lddw;
 *  3. functions (the entry and every bpf-to-bpf call target) end with exit
 *     or ja, so nothing falls off their end, and jumps stay inside them;
 *  4. registers: a data flow over the control flow graph, through
 *     bpf-to-bpf calls, finds the registers some path has written before
 *     each instruction; reading one that no path wrote is refused. Each
 *     instruction's read and write sets are Linux's (regs_read, regs_after);
 *     a helper call's come from the helper's prototype when the caller
 *     passes them (the loader does).
 *
 * Pass 4 joins paths with a union ("written on some path"), not an
 * intersection: clang may leave a register unwritten on a path where it is
 * later not read (a path-sensitive verifier accepts that), and refusing
 * such programs would refuse valid C. What it refuses, Linux refuses too.
 * The interpreter starts every register at 0 and checks every memory
 * access, so a register written on only some paths is no safety hole.
 */
#include "prog_check.h"

/* Per-instruction flags of the passes. */
#define INSN_LDDW_HI 0x01	/* second half of an lddw */
#define INSN_FUNC 0x02		/* first instruction of a function */
#define INSN_SEEN 0x04		/* reached by the data flow */
#define INSN_QUEUED 0x08
#define INSN_RET_R0 0x10	/* first instruction of a function some exit of which has r0 */

#define CALLER_SAVED (BH_REG_BIT(1) | BH_REG_BIT(2) | BH_REG_BIT(3) | BH_REG_BIT(4) | BH_REG_BIT(5))


static bool is_cond_jump(uint8_t op)
{
	switch (op) {
	case BPF_JEQ:
	case BPF_JGT:
	case BPF_JGE:
	case BPF_JSET:
	case BPF_JNE:
	case BPF_JSGT:
	case BPF_JSGE:
	case BPF_JLT:
	case BPF_JLE:
	case BPF_JSLT:
	case BPF_JSLE:
		return true;
	default:
		return false;
	}
}

static bool is_atomic_op(int32_t imm)
{
	switch (imm) {
	case BPF_ADD:
	case BPF_ADD | BPF_FETCH:
	case BPF_OR:
	case BPF_OR | BPF_FETCH:
	case BPF_AND:
	case BPF_AND | BPF_FETCH:
	case BPF_XOR:
	case BPF_XOR | BPF_FETCH:
	case BPF_XCHG:
	case BPF_CMPXCHG:
		return true;
	default:
		return false;
	}
}

#define RESERVED(what) bh_insn_err(-EINVAL, name, i, "opcode 0x%02x: %s must be 0", code, what)
#define BAD_OPCODE() bh_insn_err(-EINVAL, name, i, "invalid opcode 0x%02x", code)

static int check_alu(const char *name, uint32_t i, const struct bpf_insn *insn)
{
	uint8_t code = insn->code, op = BPF_OP(code), cls = BPF_CLASS(code);
	bool k = BPF_SRC(code) == BPF_K;

	switch (op) {
	case BPF_END:
		if (cls == BPF_ALU64 && !k)
			return BAD_OPCODE();
		if (insn->src_reg)
			return RESERVED("src_reg");
		if (insn->off)
			return RESERVED("offset");
		if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
			return bh_insn_err(-EINVAL, name, i, "byte swap width %d is not 16, 32 or 64",
				      insn->imm);
		break;
	case BPF_NEG:
		if (!k)
			return BAD_OPCODE();
		if (insn->src_reg)
			return RESERVED("src_reg");
		if (insn->off)
			return RESERVED("offset");
		if (insn->imm)
			return RESERVED("imm");
		break;
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_DIV:
	case BPF_OR:
	case BPF_AND:
	case BPF_LSH:
	case BPF_RSH:
	case BPF_MOD:
	case BPF_XOR:
	case BPF_MOV:
	case BPF_ARSH: {
		/* off 1: signed div/mod; off 8/16/32 on a register mov: movsx. */
		bool off_ok = insn->off == 0 ||
			      ((op == BPF_DIV || op == BPF_MOD) && insn->off == 1) ||
			      (op == BPF_MOV && !k &&
			       (insn->off == 8 || insn->off == 16 || (insn->off == 32 && cls == BPF_ALU64)));

		if (!off_ok)
			return bh_insn_err(-EINVAL, name, i, "opcode 0x%02x: offset %d is not valid here",
				      code, insn->off);
		if (k && insn->src_reg)
			return RESERVED("src_reg");
		if (!k && insn->imm)
			return RESERVED("imm");
		break;
	}
	default:
		return BAD_OPCODE();
	}
	if (insn->dst_reg == BPF_REG_10)
		return bh_insn_err(-EINVAL, name, i, "r10 (the frame pointer) is read-only");
	return 0;
}

static int check_jmp(const char *name, uint32_t i, const struct bpf_insn *insn)
{
	uint8_t code = insn->code, op = BPF_OP(code), cls = BPF_CLASS(code);
	bool k = BPF_SRC(code) == BPF_K;

	if (is_cond_jump(op)) {
		if (k && insn->src_reg)
			return RESERVED("src_reg");
		if (!k && insn->imm)
			return RESERVED("imm");
		return 0;
	}
	switch (op) {
	case BPF_JA:
		if (!k)
			return BAD_OPCODE();
		if (insn->dst_reg)
			return RESERVED("dst_reg");
		if (insn->src_reg)
			return RESERVED("src_reg");
		if (cls == BPF_JMP && insn->imm)
			return RESERVED("imm");
		if (cls == BPF_JMP32 && insn->off)
			return RESERVED("offset");
		return 0;
	case BPF_CALL:
		if (cls != BPF_JMP)
			return BAD_OPCODE();
		if (insn->off)
			return RESERVED("offset");
		if (!k) {	/* callx: the register in dst_reg holds a helper id */
			if (insn->src_reg)
				return RESERVED("src_reg");
			if (insn->imm)
				return RESERVED("imm");
			return 0;
		}
		if (insn->dst_reg)
			return RESERVED("dst_reg");
		/* A kfunc's id is resolved by the loader (prog_load.c). */
		if (insn->src_reg > BPF_PSEUDO_KFUNC_CALL)
			return bh_insn_err(-EINVAL, name, i, "call with src_reg %u (0: helper, 1: local, "
					   "2: kfunc)", insn->src_reg);
		return 0;
	case BPF_EXIT:
		if (cls != BPF_JMP || !k)
			return BAD_OPCODE();
		if (insn->dst_reg)
			return RESERVED("dst_reg");
		if (insn->src_reg)
			return RESERVED("src_reg");
		if (insn->off)
			return RESERVED("offset");
		if (insn->imm)
			return RESERVED("imm");
		return 0;
	default:
		return BAD_OPCODE();
	}
}

static int check_lddw(const char *name, uint32_t i, const struct bpf_insn *insns, uint32_t len)
{
	const struct bpf_insn *insn = &insns[i], *hi = &insns[i + 1];
	uint8_t code = insn->code;

	if (insn->off)
		return RESERVED("offset");
	switch (insn->src_reg) {
	case 0:
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		break;
	case BPF_PSEUDO_BTF_ID:
		return bh_insn_err(-EINVAL, name, i, "lddw of a BTF id (src_reg 3) is not supported");
	case BPF_PSEUDO_FUNC: {	/* a callback's address (bpf_loop): an instruction of the program */
		int64_t t = (int64_t)i + 1 + insn->imm;

		if (t < 0 || t >= (int64_t)len)
			return bh_insn_err(-EINVAL, name, i, "lddw of a function at %lld, outside the program's "
					   "%u instructions", (long long)t, len);
		break;
	}
	default:
		return bh_insn_err(-EINVAL, name, i, "lddw with unknown src_reg %u", insn->src_reg);
	}
	if (insn->dst_reg == BPF_REG_10)
		return bh_insn_err(-EINVAL, name, i, "r10 (the frame pointer) is read-only");
	if (i + 1 >= len)
		return bh_insn_err(-EINVAL, name, i, "lddw is cut off: its second half is missing");
	if (hi->code || hi->dst_reg || hi->src_reg || hi->off)
		return bh_insn_err(-EINVAL, name, i + 1,
			      "second half of the lddw at %u must have opcode, registers and offset 0", i);
	return 0;
}

static int check_mem(const char *name, uint32_t i, const struct bpf_insn *insn)
{
	uint8_t code = insn->code, mode = BPF_MODE(code), size = BPF_SIZE(code);

	switch (BPF_CLASS(code)) {
	case BPF_LD:	/* legacy packet loads; lddw is checked apart */
		if ((mode != BPF_ABS && mode != BPF_IND) || size == BPF_DW)
			return BAD_OPCODE();
		if (insn->dst_reg)
			return RESERVED("dst_reg");
		if (insn->off)
			return RESERVED("offset");
		if (mode == BPF_ABS && insn->src_reg)
			return RESERVED("src_reg");
		return 0;
	case BPF_LDX:
		if (mode != BPF_MEM && (mode != BPF_MEMSX || size == BPF_DW))
			return BAD_OPCODE();
		if (insn->imm)
			return RESERVED("imm");
		if (insn->dst_reg == BPF_REG_10)
			return bh_insn_err(-EINVAL, name, i, "r10 (the frame pointer) is read-only");
		return 0;
	case BPF_ST:
		if (mode != BPF_MEM)
			return BAD_OPCODE();
		if (insn->src_reg)
			return RESERVED("src_reg");
		return 0;
	default:	/* BPF_STX */
		if (mode == BPF_MEM) {
			if (insn->imm)
				return RESERVED("imm");
			return 0;
		}
		if (mode != BPF_ATOMIC || (size != BPF_W && size != BPF_DW))
			return BAD_OPCODE();
		if (!is_atomic_op(insn->imm))
			return bh_insn_err(-EINVAL, name, i, "unknown atomic operation 0x%x", (unsigned)insn->imm);
		if ((insn->imm & BPF_FETCH) && insn->imm != BPF_CMPXCHG && insn->src_reg == BPF_REG_10)
			return bh_insn_err(-EINVAL, name, i, "r10 (the frame pointer) is read-only");
		return 0;
	}
}

/* Pass 1: encodings. Marks the second halves of lddw. */
static int check_encodings(const char *name, const struct bpf_insn *insns, uint32_t len,
			   uint8_t *flags)
{
	for (uint32_t i = 0; i < len; i++) {
		const struct bpf_insn *insn = &insns[i];
		int err;

		if (insn->dst_reg > BPF_REG_10 || insn->src_reg > BPF_REG_10)
			return bh_insn_err(-EINVAL, name, i, "register r%u does not exist",
				      insn->dst_reg > BPF_REG_10 ? insn->dst_reg : insn->src_reg);
		switch (BPF_CLASS(insn->code)) {
		case BPF_ALU:
		case BPF_ALU64:
			err = check_alu(name, i, insn);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			err = check_jmp(name, i, insn);
			break;
		default:
			if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				err = check_lddw(name, i, insns, len);
				if (!err)
					flags[++i] |= INSN_LDDW_HI;
			} else {
				err = check_mem(name, i, insn);
			}
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static bool is_jump(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && (op == BPF_JA || is_cond_jump(op));
}

static bool is_local_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

/* Where a jump or local call at @i goes (ja32 and calls take imm, others off). */
static int64_t target_of(const struct bpf_insn *insn, uint32_t i)
{
	if (insn->code == (BPF_JMP32 | BPF_JA) || is_local_call(insn))
		return (int64_t)i + insn->imm + 1;
	return (int64_t)i + insn->off + 1;
}

/* Pass 2: targets inside the program, not into an lddw. Marks functions. */
static int check_targets(const char *name, const struct bpf_insn *insns, uint32_t len,
			 uint8_t *flags)
{
	flags[0] |= INSN_FUNC;
	for (uint32_t i = 0; i < len; i++) {
		const struct bpf_insn *insn = &insns[i];
		bool call = is_local_call(insn);
		int64_t t;

		if (flags[i] & INSN_LDDW_HI || (!call && !is_jump(insn)))
			continue;
		t = target_of(insn, i);
		if (t < 0 || t >= len)
			return bh_insn_err(-EINVAL, name, i, "%s to %lld is outside the program (%u insns)",
				      call ? "call" : "jump", (long long)t, len);
		if (flags[t] & INSN_LDDW_HI)
			return bh_insn_err(-EINVAL, name, i, "%s to %lld lands inside the lddw at %lld",
				      call ? "call" : "jump", (long long)t, (long long)t - 1);
		if (call)
			flags[t] |= INSN_FUNC;
	}
	return 0;
}

/* Pass 3: each function [start, end) ends with exit or ja, jumps stay inside. */
static int check_functions(const char *name, const struct bpf_insn *insns, uint32_t len,
			   const uint8_t *flags)
{
	uint32_t start = 0;

	while (start < len) {
		uint32_t end = start + 1;
		uint8_t last;

		while (end < len && !(flags[end] & INSN_FUNC))
			end++;
		last = insns[end - 1].code;
		if (last != (BPF_JMP | BPF_EXIT) && last != (BPF_JMP | BPF_JA) &&
		    last != (BPF_JMP32 | BPF_JA)) {
			if (start == 0 && end == len)
				return bh_insn_err(-EINVAL, name, end - 1,
					      "the last instruction must be exit or ja: execution would fall off the end of the program");
			return bh_insn_err(-EINVAL, name, end - 1,
				      "the last instruction of the function at %u must be exit or ja: execution would fall into the next one",
				      start);
		}
		for (uint32_t i = start; i < end; i++) {
			int64_t t;

			if (flags[i] & INSN_LDDW_HI || !is_jump(&insns[i]))
				continue;
			t = target_of(&insns[i], i);
			if (t < start || t >= end)
				return bh_insn_err(-EINVAL, name, i,
					      "jump to %lld leaves the function at %u (insns %u-%u)",
					      (long long)t, start, start, end - 1);
		}
		start = end;
	}
	return 0;
}

static bool is_helper_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg;
}

struct flow {
	const struct bpf_insn *insns;
	uint32_t len;
	uint8_t *flags;
	uint16_t *written;	/* registers some path wrote before each insn */
	uint32_t *func;		/* the first instruction of each instruction's function */
	uint32_t *calls;	/* at a function's first insn: its first call site + 1 (0: none) */
	uint32_t *next_call;	/* at a call site: the next call site of the same function + 1 */
	uint32_t *work;
	uint32_t work_cnt;
	bh_check_helper_fn helper;
	const void *helper_ctx;
};

/* The prototype of the helper @insn calls, or NULL (not a helper call, no prototypes, unknown id). */
static const struct bh_helper *helper_of(const struct flow *f, const struct bpf_insn *insn)
{
	return f->helper && is_helper_call(insn) ? f->helper(f->helper_ctx, (uint32_t)insn->imm) : NULL;
}

/* The registers a helper's arguments are in: r1 for the first, and so on. */
static uint32_t helper_arg_regs(const struct bh_helper *h)
{
	uint32_t regs = 0;

	for (int a = 0; h && a < 5; a++)
		if (h->args[a] != BPFHOST_ARG_DONTCARE)
			regs |= BH_REG_BIT(a + 1);
	return regs;
}

/*
 * Registers @insn reads (@h: the helper it calls, if known; @entry: it is
 * in the entry function), as Linux's check_reg_arg(SRC_OP) calls: a mov reads
 * only its source, neg and byte swaps their destination, every atomic its
 * address and source and cmpxchg r0 too, legacy packet loads the context
 * in r6, a helper call its arguments, callx the helper id. The program's
 * exit reads r0; a function's exit does not (its caller gets r0 as it is).
 * A bpf-to-bpf call reads nothing here: its callee starts with what the
 * caller wrote of r1-r5.
 */
static uint32_t regs_read(const struct bpf_insn *insn, const struct bh_helper *h, bool entry)
{
	uint8_t code = insn->code, op = BPF_OP(code);
	uint32_t dst = BH_REG_BIT(insn->dst_reg), src = BH_REG_BIT(insn->src_reg);
	bool x = BPF_SRC(code) == BPF_X;

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_MOV)
			return x ? src : 0;
		if (op == BPF_NEG || op == BPF_END)
			return dst;
		return x ? dst | src : dst;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_EXIT)
			return entry ? BH_REG_BIT(BPF_REG_0) : 0;
		if (op == BPF_CALL)
			return x ? dst : helper_arg_regs(h);
		if (op == BPF_JA)
			return 0;
		return x ? dst | src : dst;
	case BPF_LD:
		if (BPF_MODE(code) == BPF_IMM)
			return 0;
		return BH_REG_BIT(BPF_REG_6) | (BPF_MODE(code) == BPF_IND ? src : 0);
	case BPF_LDX:
		return src;
	case BPF_ST:
		return dst;
	default:	/* BPF_STX */
		if (BPF_MODE(code) == BPF_ATOMIC && insn->imm == BPF_CMPXCHG)
			return dst | src | BH_REG_BIT(BPF_REG_0);
		return dst | src;
	}
}

/*
 * The registers written after @insn, given @in written before it. Every
 * call and legacy packet load leaves r1-r5 unwritten. A helper call (and
 * callx, and a packet load) writes r0 unless the helper returns void:
 * Linux marks r0 not initialised after bpf_tail_call (an empty slot, the
 * limit reached) and bpf_ringbuf_submit/discard. After a bpf-to-bpf call,
 * r0 is what the callee left in it (flow_run adds it).
 */
static uint32_t regs_after(const struct bpf_insn *insn, uint32_t in, const struct bh_helper *h)
{
	uint8_t code = insn->code;
	uint32_t kept = in & ~(CALLER_SAVED | BH_REG_BIT(BPF_REG_0));	/* r6-r10 */

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LDX:
		return in | BH_REG_BIT(insn->dst_reg);
	case BPF_JMP:
		if (BPF_OP(code) != BPF_CALL)
			return in;
		if (is_local_call(insn) || (h && h->ret == BPFHOST_RET_VOID))
			return kept;
		return kept | BH_REG_BIT(BPF_REG_0);
	case BPF_LD:
		if (BPF_MODE(code) == BPF_IMM)
			return in | BH_REG_BIT(insn->dst_reg);
		return kept | BH_REG_BIT(BPF_REG_0);
	case BPF_STX:
		if (BPF_MODE(code) != BPF_ATOMIC)
			return in;
		if (insn->imm == BPF_CMPXCHG)
			return in | BH_REG_BIT(BPF_REG_0);
		if (insn->imm & BPF_FETCH)	/* the fetch variants and xchg */
			return in | BH_REG_BIT(insn->src_reg);
		return in;
	default:	/* BPF_ST, BPF_JMP32 */
		return in;
	}
}

static void flow_merge(struct flow *f, uint32_t i, uint32_t regs)
{
	uint16_t merged = (uint16_t)(f->written[i] | regs);

	if ((f->flags[i] & INSN_SEEN) && merged == f->written[i])
		return;
	f->written[i] = merged;
	f->flags[i] |= INSN_SEEN;
	if (!(f->flags[i] & INSN_QUEUED)) {
		f->flags[i] |= INSN_QUEUED;
		f->work[f->work_cnt++] = i;
	}
}

/* What a bpf-to-bpf call at @c hands back to the instruction after it. */
static uint32_t after_local_call(const struct flow *f, uint32_t c)
{
	uint32_t callee = (uint32_t)target_of(&f->insns[c], c);

	return regs_after(&f->insns[c], f->written[c], NULL) |
	       (f->flags[callee] & INSN_RET_R0 ? BH_REG_BIT(BPF_REG_0) : 0);
}

/*
 * Pass 4: the union of written registers over all paths, to a fixed point.
 * A callee starts with r10 and what its callers wrote of r1-r5 (Linux
 * copies the caller's r1-r5 into the new frame, unwritten ones too); its
 * callers find r0 written after the call once some exit of it has r0.
 */
static void flow_run(struct flow *f)
{
	while (f->work_cnt) {
		uint32_t i = f->work[--f->work_cnt];
		const struct bpf_insn *insn = &f->insns[i];
		uint32_t out = regs_after(insn, f->written[i], helper_of(f, insn));
		uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

		f->flags[i] &= (uint8_t)~INSN_QUEUED;
		if (insn->code == (BPF_JMP | BPF_EXIT)) {
			uint32_t fn = f->func[i];

			if (!fn || !(out & BH_REG_BIT(BPF_REG_0)) || (f->flags[fn] & INSN_RET_R0))
				continue;
			f->flags[fn] |= INSN_RET_R0;
			for (uint32_t c = f->calls[fn]; c; c = f->next_call[c - 1])
				if (f->flags[c - 1] & INSN_SEEN)
					flow_merge(f, c, after_local_call(f, c - 1));
			continue;
		}
		if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (i + 2 < f->len)
				flow_merge(f, i + 2, out);
			continue;
		}
		if (is_local_call(insn)) {
			flow_merge(f, (uint32_t)target_of(insn, i),
				   (f->written[i] & CALLER_SAVED) | BH_REG_BIT(BPF_REG_10));
			out = after_local_call(f, i);
		}
		if ((cls == BPF_JMP || cls == BPF_JMP32) && (op == BPF_JA || is_cond_jump(op)))
			flow_merge(f, (uint32_t)target_of(insn, i), out);
		if ((cls == BPF_JMP || cls == BPF_JMP32) && op == BPF_JA)
			continue;
		/* A poisoned CO-RE relocation's call stops the run (poison.c): nothing follows it. */
		if (insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg &&
		    (uint32_t)insn->imm == BPFHOST_POISON_HELPER_ID)
			continue;
		/* pass 3 made sure the last instruction of a function does not fall through */
		if (i + 1 < f->len)
			flow_merge(f, i + 1, out);
	}
}

/* Each instruction's function, and the call sites of each function. */
static void flow_index(struct flow *f)
{
	uint32_t fn = 0;

	for (uint32_t i = 0; i < f->len; i++) {
		if (f->flags[i] & INSN_FUNC)
			fn = i;
		f->func[i] = fn;
		f->calls[i] = 0;
	}
	for (uint32_t i = 0; i < f->len; i++) {
		uint32_t t;

		if ((f->flags[i] & INSN_LDDW_HI) || !is_local_call(&f->insns[i]))
			continue;
		t = (uint32_t)target_of(&f->insns[i], i);
		f->next_call[i] = f->calls[t];
		f->calls[t] = i + 1;
	}
}

static int refuse_read(const struct flow *f, const char *name, uint32_t i, uint32_t missing)
{
	const struct bpf_insn *insn = &f->insns[i];
	const struct bh_helper *h = helper_of(f, insn);
	int r = __builtin_ctz(missing);

	if (h && r >= 1 && r <= 5)
		return bh_insn_err(-EINVAL, name, i, "r%d is read before any instruction writes it (argument "
			      "%d of %s; calls leave r1-r5 unwritten)", r, r, h->name);
	return bh_insn_err(-EINVAL, name, i, "r%d is read before any instruction writes it", r);
}

static int check_registers(const char *name, const struct bpf_insn *insns, uint32_t len,
			   uint8_t *flags, uint32_t entry_regs, bh_check_helper_fn helper,
			   const void *helper_ctx)
{
	struct flow f = { .insns = insns, .len = len, .flags = flags, .helper = helper,
			  .helper_ctx = helper_ctx };
	int err = 0;

	f.written = plat_alloc((size_t)len * sizeof(*f.written));
	f.func = plat_alloc((size_t)len * sizeof(*f.func));
	f.calls = plat_alloc((size_t)len * sizeof(*f.calls));
	f.next_call = plat_alloc((size_t)len * sizeof(*f.next_call));
	f.work = plat_alloc((size_t)len * sizeof(*f.work));
	if (!f.written || !f.func || !f.calls || !f.next_call || !f.work) {
		err = bh_err(-ENOMEM, "program '%s': no memory to check %u instructions", name, len);
		goto out;
	}
	flow_index(&f);
	/* Other functions are entered through their calls. */
	flow_merge(&f, 0, entry_regs | BH_REG_BIT(BPF_REG_10));
	flow_run(&f);

	for (uint32_t i = 0; i < len && !err; i++) {
		uint32_t missing;

		if (!(flags[i] & INSN_SEEN))
			continue;	/* unreachable: nothing runs it */
		missing = regs_read(&insns[i], helper_of(&f, &insns[i]), f.func[i] == 0) &
			  ~(uint32_t)f.written[i];
		if (missing)
			err = refuse_read(&f, name, i, missing);
	}
out:
	plat_free(f.written);
	plat_free(f.func);
	plat_free(f.calls);
	plat_free(f.next_call);
	plat_free(f.work);
	return err;
}

/* Passes 1 to @last; @flags (@len bytes) their scratch. */
static int check(const char *name, const struct bpf_insn *insns, uint32_t len, uint8_t *flags, int last,
		 uint32_t entry_regs, bh_check_helper_fn helper, const void *ctx)
{
	int err = check_encodings(name, insns, len, flags);

	if (!err && last >= 2)
		err = check_targets(name, insns, len, flags);
	if (!err && last >= 3)
		err = check_functions(name, insns, len, flags);
	if (!err && last >= 4)
		err = check_registers(name, insns, len, flags, entry_regs, helper, ctx);
	return err;
}

/* Programs up to this many instructions keep the passes' flags on the stack (no malloc per load). */
#define FLAGS_ON_STACK 1024u

static int check_with_flags(const char *name, const struct bpf_insn *insns, uint32_t len, int last,
			    uint32_t entry_regs, bh_check_helper_fn helper, const void *ctx)
{
	uint8_t stack_flags[FLAGS_ON_STACK], *flags = stack_flags;
	int err;

	if (!len)
		return bh_err(-EINVAL, "program '%s': no instructions", name);
	if (len > BPFHOST_MAX_INSNS)
		return bh_err(-E2BIG, "program '%s': %u instructions, more than the limit of %u",
			      name, len, BPFHOST_MAX_INSNS);
	if (len > FLAGS_ON_STACK) {
		flags = plat_alloc(len);
		if (!flags)
			return bh_err(-ENOMEM, "program '%s': no memory to check %u instructions", name, len);
	}
	plat_memset(flags, 0, len);
	err = check(name, insns, len, flags, last, entry_regs, helper, ctx);
	if (flags != stack_flags)
		plat_free(flags);
	return err;
}

int bh_prog_check_calls(const char *name, const struct bpf_insn *insns, uint32_t len,
			uint32_t entry_regs, bh_check_helper_fn helper, const void *ctx)
{
	return check_with_flags(name, insns, len, 4, entry_regs, helper, ctx);
}

int bh_prog_check_encodings(const char *name, const struct bpf_insn *insns, uint32_t len)
{
	return check_with_flags(name, insns, len, 1, 0, NULL, NULL);
}

int bh_prog_check_regs(const char *name, const struct bpf_insn *insns, uint32_t len,
		       uint32_t entry_regs)
{
	return bh_prog_check_calls(name, insns, len, entry_regs, NULL, NULL);
}

int bh_prog_check(const char *name, const struct bpf_insn *insns, uint32_t len)
{
	return bh_prog_check_regs(name, insns, len, BH_CHECK_ENTRY_REGS);
}
