// SPDX-License-Identifier: MIT
/*
 * The interpreter: the whole RFC 9669 instruction set, one dispatch loop.
 *
 * Dispatch is a computed goto through a 256-entry table indexed by opcode
 * (GCC and clang), or a switch where labels as values are unavailable; the
 * handlers are the same text either way (TARGET/NEXT below). Nothing is
 * allocated and nothing is called per instruction: the registers are a
 * local array, the stack of every frame is one local block, and a memory
 * access checks the stack inline, then the context and the packet inline,
 * and only then calls bh_run_access_ok() for global data and map values.
 *
 * The instructions arrive rewritten by the loader (prog.h): every lddw
 * carries a plain 64-bit value and helper calls carry an index into
 * prog->helpers, or are internal opcodes indexing prog->fast where the
 * verifier proved their map (specialise.h). bh_prog_check() has refused bad
 * encodings, so an invalid opcode here is a bug somewhere else: the
 * program stops with -EINVAL.
 */
#include "interp.h"
#include "interp_alu.h"
#include "interp_fast.h"
#include "interp_fault.h"
#include "prog_type.h"
#include "specialise.h"
#include "trace.h"
#include "../maps/map.h"
#include "../maps/prog_array.h"
#include "../maps/ringbuf.h"

#ifndef BH_INTERP_COMPUTED_GOTO
#if defined(__GNUC__) || defined(__clang__)
#define BH_INTERP_COMPUTED_GOTO 1
#else
#define BH_INTERP_COMPUTED_GOTO 0
#endif
#endif

#include "interp_opcodes.h"

/* What a bpf-to-bpf call saves: the callee-saved registers and where to return. */
struct interp_frame {
	const struct bh_prog *prog;	/* a tail call in the callee may change the program */
	const struct bpf_insn *ret;
	uint64_t saved[5];		/* r6-r9, r10 */
	/* A bpf_loop callback's frame: its start, ctx, the iteration and the count (0: a plain call). */
	const struct bpf_insn *loop_fn;
	uint64_t loop_ctx;
	uint32_t loop_i, loop_n;
};

/* Linux's BPF_MAX_LOOPS: bpf_loop refuses more iterations (-E2BIG). */
#define BH_MAX_LOOPS (1u << 23)

/* The context, the last record, then everything else (bh_run_access_ok). */
static __attribute__((noinline)) bool access_ok_rest(const struct bh_run *run, uintptr_t addr,
						     size_t size, bool write)
{
	if (bh_run_ctx_has(run, addr, size, write))
		return true;
	if (run->record_cnt && bh_run_record_has(&run->records[run->record_cnt - 1], addr, size))
		return true;
	return bh_run_access_ok(run, addr, size, write);
}

/*
 * Every access that is neither to the stack nor to the packet (access_ok
 * checked both): what a helper handed out last first (the usual lookup,
 * then use of the value), then the rest. The regions do not overlap, so
 * the order only decides which test answers first. Out of line, so that
 * the checks stay small at each of the interpreter's access sites; the
 * first test alone here, so that it runs without saving registers.
 */
static __attribute__((noinline)) bool access_ok_other(const struct bh_run *run, uintptr_t addr,
						      size_t size, bool write)
{
	if (run->dyn_next &&
	    bh_region_has(&run->dyn[(run->dyn_next - 1) % BH_RUN_DYN_REGIONS], addr, size, write))
		return true;
	return access_ok_rest(run, addr, size, write);
}

/*
 * The inline part of every access check: the stack, [stack_lo, stack_lo +
 * reach); reach >= 8 and size <= 8, so reach - size never wraps. Then the
 * packet, which XDP and TC programs read most after the stack: the same
 * test as bh_region_has, without a call.
 */
static inline bool access_ok(const struct bh_run *run, uintptr_t stack_lo, uint32_t reach,
			     uintptr_t addr, size_t size, bool write)
{
	uintptr_t plen;

	if (likely(addr - stack_lo <= reach - size))
		return true;
	plen = run->pkt.end - run->pkt.start;
	if (addr - run->pkt.start <= plen - size && plen >= size && (!write || run->pkt.writable))
		return true;
	return access_ok_other(run, addr, size, write);
}

/*
 * Legacy packet loads (BPF_LD | BPF_ABS/BPF_IND): network byte order, and
 * an offset outside the packet ends the program with 0, as on Linux.
 */
static inline bool packet_load(const struct bh_run *run, int32_t off, uint32_t size, uint64_t *val)
{
	uintptr_t len = run->pkt.end - run->pkt.start;
	const uint8_t *p;

	if (off < 0 || (uintptr_t)off > len || len - (uintptr_t)off < size)
		return false;
	p = (const uint8_t *)run->pkt.start + off;
	switch (size) {
	case 1:
		*val = p[0];
		break;
	case 2:
		*val = (uint16_t)((uint16_t)p[0] << 8 | p[1]);
		break;
	default:
		*val = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		break;
	}
	return true;
}

#if BH_INTERP_COMPUTED_GOTO
#define TARGET(name) op_##name:
#define DISPATCH() goto *jump_table[insn->code]
#else
#define TARGET(name) case OPC_##name:
#define DISPATCH() goto dispatch
#endif
#define NEXT()                                                                             \
	{                                                                                  \
		insn++;                                                                    \
		DISPATCH();                                                                \
	}
/*
 * The instruction budget: straight-line code runs unmetered; every change of
 * flow (a taken jump, a call, a return, a tail call) charges the instructions
 * run since the previous one (insn - seg + 1) and starts the next stretch at
 * @to. Every loop takes a jump, so every run ends.
 */
#define CHARGE(to)                                                                         \
	{                                                                                  \
		uint64_t ran_ = (uint64_t)(insn - seg) + 1;                                \
		if (unlikely(ran_ > budget_left)) {                                        \
			interp_fault_budget(run, prog, PC);                                       \
			goto out;                                                          \
		}                                                                          \
		budget_left -= ran_;                                                       \
		seg = (to);                                                                \
	}
#define JUMP(off)                                                                          \
	{                                                                                  \
		const struct bpf_insn *to_ = insn + (off) + 1;                             \
		CHARGE(to_);                                                               \
		insn = to_;                                                                \
		DISPATCH();                                                                \
	}

#define DST reg[insn->dst_reg]
#define SRC reg[insn->src_reg]
#define IMM64 ((uint64_t)(int64_t)insn->imm)
#define IMM32 ((uint32_t)insn->imm)
#define PC ((uint32_t)(insn - prog->insns))
#define DEPTH_ONE (1u << 16)
#define DEPTH (tc_depth >> 16)
#define TAIL_CALLS (tc_depth & (DEPTH_ONE - 1))

/* Every access goes through this: on a violation the program stops. */
#define CHECK_ACCESS(addr, size, write)                                                    \
	if (unlikely(!access_ok(run, stack_lo, reach, (addr), (size), (write)))) {         \
		interp_fault_access(run, prog, PC, (addr), (size), (write), false);               \
		goto out;                                                                  \
	}

#define ALU_BINARY(name, op)                                                               \
	TARGET(alu64_##name##_k) DST = DST op IMM64; NEXT();                              \
	TARGET(alu64_##name##_x) DST = DST op SRC; NEXT();                                \
	TARGET(alu32_##name##_k) DST = (uint32_t)((uint32_t)DST op IMM32); NEXT();        \
	TARGET(alu32_##name##_x) DST = (uint32_t)((uint32_t)DST op (uint32_t)SRC); NEXT();

#define ALU_SHIFT(name, T64, T32, op)                                                      \
	TARGET(alu64_##name##_k) DST = (uint64_t)((T64)DST op (insn->imm & 63)); NEXT();  \
	TARGET(alu64_##name##_x) DST = (uint64_t)((T64)DST op (SRC & 63)); NEXT();        \
	TARGET(alu32_##name##_k)                                                           \
	DST = (uint32_t)((T32)(uint32_t)DST op (insn->imm & 31)); NEXT();                  \
	TARGET(alu32_##name##_x)                                                           \
	DST = (uint32_t)((T32)(uint32_t)DST op (SRC & 31)); NEXT();

/* Division and modulo: off 1 selects the signed form; by zero as RFC 9669 says. */
#define ALU_DIVMOD(name, uop, sfn64, sfn32, zero64, zero32)                                \
	TARGET(alu64_##name##_k)                                                           \
	{                                                                                  \
		uint64_t d = IMM64;                                                        \
		DST = insn->off ? sfn64(DST, d) : d ? DST uop d : zero64;                  \
		NEXT();                                                                    \
	}                                                                                  \
	TARGET(alu64_##name##_x)                                                           \
	{                                                                                  \
		uint64_t d = SRC;                                                          \
		DST = insn->off ? sfn64(DST, d) : d ? DST uop d : zero64;                  \
		NEXT();                                                                    \
	}                                                                                  \
	TARGET(alu32_##name##_k)                                                           \
	{                                                                                  \
		uint32_t a = (uint32_t)DST, d = IMM32;                                     \
		DST = insn->off ? sfn32(a, d) : d ? a uop d : zero32;                      \
		NEXT();                                                                    \
	}                                                                                  \
	TARGET(alu32_##name##_x)                                                           \
	{                                                                                  \
		uint32_t a = (uint32_t)DST, d = (uint32_t)SRC;                             \
		DST = insn->off ? sfn32(a, d) : d ? a uop d : zero32;                      \
		NEXT();                                                                    \
	}

#define JMP_COND(name, T64, T32, op)                                                       \
	TARGET(jmp_##name##_k) if ((T64)DST op (T64)IMM64) JUMP(insn->off); NEXT();       \
	TARGET(jmp_##name##_x) if ((T64)DST op (T64)SRC) JUMP(insn->off); NEXT();         \
	TARGET(jmp32_##name##_k) if ((T32)DST op (T32)IMM32) JUMP(insn->off); NEXT();     \
	TARGET(jmp32_##name##_x) if ((T32)DST op (T32)SRC) JUMP(insn->off); NEXT();

#define LOAD(name, T, size, ext)                                                           \
	TARGET(name)                                                                       \
	{                                                                                  \
		uintptr_t a = (uintptr_t)(SRC + (uint64_t)(int64_t)insn->off);             \
		T v;                                                                       \
		CHECK_ACCESS(a, size, false);                                              \
		__builtin_memcpy(&v, (const void *)a, size);                               \
		DST = (uint64_t)(ext)v;                                                    \
		NEXT();                                                                    \
	}

#define STORE(name, T, size, value)                                                        \
	TARGET(name)                                                                       \
	{                                                                                  \
		uintptr_t a = (uintptr_t)(DST + (uint64_t)(int64_t)insn->off);             \
		T v = (T)(value);                                                          \
		CHECK_ACCESS(a, size, true);                                               \
		__builtin_memcpy((void *)a, &v, size);                                     \
		NEXT();                                                                    \
	}

/* Atomics: real ones, since map values are shared between threads. */
#define ATOMIC(name, T, size)                                                              \
	TARGET(name)                                                                       \
	{                                                                                  \
		uintptr_t a = (uintptr_t)(DST + (uint64_t)(int64_t)insn->off);             \
		T *p = (T *)a, s = (T)SRC;                                                 \
		CHECK_ACCESS(a, size, true);                                               \
		if (unlikely((a & (size - 1)) || bh_run_ctx_atomic_refused(run, a))) {    \
			interp_fault_access(run, prog, PC, a, size, true, true);                  \
			goto out;                                                          \
		}                                                                          \
		switch (insn->imm) {                                                       \
		case BPF_ADD:                                                              \
			__atomic_fetch_add(p, s, __ATOMIC_SEQ_CST);                        \
			break;                                                             \
		case BPF_ADD | BPF_FETCH:                                                  \
			SRC = __atomic_fetch_add(p, s, __ATOMIC_SEQ_CST);                  \
			break;                                                             \
		case BPF_OR:                                                               \
			__atomic_fetch_or(p, s, __ATOMIC_SEQ_CST);                         \
			break;                                                             \
		case BPF_OR | BPF_FETCH:                                                   \
			SRC = __atomic_fetch_or(p, s, __ATOMIC_SEQ_CST);                   \
			break;                                                             \
		case BPF_AND:                                                              \
			__atomic_fetch_and(p, s, __ATOMIC_SEQ_CST);                        \
			break;                                                             \
		case BPF_AND | BPF_FETCH:                                                  \
			SRC = __atomic_fetch_and(p, s, __ATOMIC_SEQ_CST);                  \
			break;                                                             \
		case BPF_XOR:                                                              \
			__atomic_fetch_xor(p, s, __ATOMIC_SEQ_CST);                        \
			break;                                                             \
		case BPF_XOR | BPF_FETCH:                                                  \
			SRC = __atomic_fetch_xor(p, s, __ATOMIC_SEQ_CST);                  \
			break;                                                             \
		case BPF_XCHG:                                                             \
			SRC = __atomic_exchange_n(p, s, __ATOMIC_SEQ_CST);                 \
			break;                                                             \
		case BPF_CMPXCHG: {                                                        \
			T expected = (T)reg[BPF_REG_0];                                    \
			/* expected becomes the old value whether or not it matched */    \
			__atomic_compare_exchange_n(p, &expected, s, false,                \
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);   \
			reg[BPF_REG_0] = expected;                                         \
			break;                                                             \
		}                                                                          \
		default:                                                                   \
			goto invalid;                                                      \
		}                                                                          \
		NEXT();                                                                    \
	}

/*
 * A specialised ARRAY or PERCPU_ARRAY lookup: bounds check of the u32 key,
 * then the value's address (plus @cpu_off, this CPU's slot), which becomes
 * a region the program may use, as the helper's result does.
 */
#define FAST_ARRAY(name, cpu_off)                                                          \
	TARGET(name)                                                                       \
	{                                                                                  \
		const struct bh_fast_op *f = &prog->fast[insn->imm];                       \
		uintptr_t k = (uintptr_t)reg[BPF_REG_2];                                   \
		uint32_t index;                                                            \
		if (unlikely(reg[BPF_REG_1] != (uintptr_t)f->map || k - stack_lo > reach - 4)) \
			goto fast_fallback;                                                \
		__builtin_memcpy(&index, (const void *)k, 4);                              \
		if (unlikely(index >= f->max_entries)) {                                   \
			reg[BPF_REG_0] = 0;                                                \
			NEXT();                                                            \
		}                                                                          \
		k = (uintptr_t)f->base + (uintptr_t)index * f->elem_size + (cpu_off);      \
		bh_run_add_region(run, k, f->value_size, f->writable, false);              \
		reg[BPF_REG_0] = k;                                                        \
		NEXT();                                                                    \
	}

#define LD_PACKET(name, size, offset)                                                      \
	TARGET(name)                                                                       \
	{                                                                                  \
		uint64_t v;                                                                \
		if (unlikely(!packet_load(run, (int32_t)(uint32_t)(offset), size, &v))) {  \
			reg[BPF_REG_0] = 0;                                                \
			goto out;                                                          \
		}                                                                          \
		reg[BPF_REG_0] = v;                                                        \
		NEXT();                                                                    \
	}

uint64_t bh_interp_run(struct bh_run *run, uint64_t r1, uint64_t r2)
{
#if BH_INTERP_COMPUTED_GOTO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#ifdef __clang__
#pragma GCC diagnostic ignored "-Winitializer-overrides"
#endif
	static const void *const jump_table[256] = {
		[0 ... 255] = &&op_invalid,
#define BH_OPCODE_LABEL(name, code) [code] = &&op_##name,
		BH_OPCODES(BH_OPCODE_LABEL)
#undef BH_OPCODE_LABEL
	};
#pragma GCC diagnostic pop
#endif
	uint64_t stack[BH_RUN_STACK_SIZE / sizeof(uint64_t)] __attribute__((aligned(16)));
	struct interp_frame frames[BH_RUN_MAX_FRAMES];
	uint64_t reg[MAX_BPF_REG] __attribute__((aligned(16)));
	const struct bh_prog *prog = run->prog;
	const struct bpf_insn *insn = prog->insns;
	const struct bh_helper *helper;
	struct bh_map *tc_map;			/* a tail call's prog array */
	_Atomic(struct bh_object *) *tc_slots;	/* its slots, when the call was specialised */
	const struct bh_prog *tc_target;	/* the program a tail call enters */
	const struct bpf_insn *seg = insn;	/* start of the stretch the budget has not charged */
	uint64_t budget_left = run->insn_budget;
	const uintptr_t stack_end = (uintptr_t)stack + sizeof(stack);
	uint32_t reach = prog->stack_reach;
	/*
	 * The bpf-to-bpf frames open (DEPTH) in the high half, the tail calls
	 * taken (TAIL_CALLS, run->tail_calls as a local, stored back at out)
	 * in the low half: a tail call of a program to itself from its main
	 * frame checks both with one compare.
	 */
	uint32_t tc_depth = 0;
	uintptr_t stack_lo = stack_end - reach;

	/*
	 * The program sees only the bytes it can reach, cleared: whatever the
	 * host left on this stack never shows through. Most programs reach
	 * little: clearing a fixed 64 bytes (the top of this block, unseen past
	 * reach) takes a few stores where a call to memset takes tens.
	 */
	if (likely(reach <= 64))
		__builtin_memset((void *)(stack_end - 64), 0, 64);
	else
		__builtin_memset((void *)stack_lo, 0, reach);
	run->stack.start = stack_lo;
	run->stack.end = stack_end;
	run->stack.writable = true;
	/*
	 * Registers a program reads before writing show 0, never host data.
	 * One by one: GCC turns `= { 0 }` into a rep stos, slow to start.
	 */
	for (int i = BPF_REG_0; i < MAX_BPF_REG; i++)
		reg[i] = 0;
	reg[BPF_REG_1] = r1;
	reg[BPF_REG_2] = r2;
	reg[BPF_REG_10] = run->stack.end;

#if BH_INTERP_COMPUTED_GOTO
	DISPATCH();
#else
dispatch:
	switch (insn->code) {
#endif

	ALU_BINARY(add, +)
	ALU_BINARY(sub, -)
	ALU_BINARY(mul, *)
	ALU_BINARY(or, |)
	ALU_BINARY(and, &)
	ALU_BINARY(xor, ^)
	ALU_SHIFT(lsh, uint64_t, uint32_t, <<)
	ALU_SHIFT(rsh, uint64_t, uint32_t, >>)
	ALU_SHIFT(arsh, int64_t, int32_t, >>)
	ALU_DIVMOD(div, /, sdiv64, sdiv32, 0, 0)
	ALU_DIVMOD(mod, %, smod64, smod32, DST, a)

	TARGET(alu64_neg) DST = 0 - DST; NEXT();
	TARGET(alu32_neg) DST = (uint32_t)(0 - (uint32_t)DST); NEXT();

	TARGET(alu64_mov_k) DST = IMM64; NEXT();
	TARGET(alu32_mov_k) DST = IMM32; NEXT();
	TARGET(alu64_mov_x)
	{
		uint64_t s = SRC;

		switch (insn->off) {
		case 0:
			DST = s;
			NEXT();
		case 8:
			DST = (uint64_t)(int64_t)(int8_t)s;
			NEXT();
		case 16:
			DST = (uint64_t)(int64_t)(int16_t)s;
			NEXT();
		case 32:
			DST = (uint64_t)(int64_t)(int32_t)s;
			NEXT();
		}
		goto invalid;
	}
	TARGET(alu32_mov_x)
	{
		uint64_t s = SRC;

		switch (insn->off) {
		case 0:
			DST = (uint32_t)s;
			NEXT();
		case 8:
			DST = (uint32_t)(int32_t)(int8_t)s;
			NEXT();
		case 16:
			DST = (uint32_t)(int32_t)(int16_t)s;
			NEXT();
		}
		goto invalid;
	}

	TARGET(alu32_le)
	switch (insn->imm) {
	case 16:
		DST = host_to_le16(DST);
		NEXT();
	case 32:
		DST = host_to_le32(DST);
		NEXT();
	case 64:
		DST = host_to_le64(DST);
		NEXT();
	default:
		goto invalid;
	}
	TARGET(alu32_be)
	switch (insn->imm) {
	case 16:
		DST = host_to_be16(DST);
		NEXT();
	case 32:
		DST = host_to_be32(DST);
		NEXT();
	case 64:
		DST = host_to_be64(DST);
		NEXT();
	default:
		goto invalid;
	}
	TARGET(alu64_bswap)
	switch (insn->imm) {
	case 16:
		DST = __builtin_bswap16((uint16_t)DST);
		NEXT();
	case 32:
		DST = __builtin_bswap32((uint32_t)DST);
		NEXT();
	case 64:
		DST = __builtin_bswap64(DST);
		NEXT();
	default:
		goto invalid;
	}

	JMP_COND(jeq, uint64_t, uint32_t, ==)
	JMP_COND(jne, uint64_t, uint32_t, !=)
	JMP_COND(jgt, uint64_t, uint32_t, >)
	JMP_COND(jge, uint64_t, uint32_t, >=)
	JMP_COND(jlt, uint64_t, uint32_t, <)
	JMP_COND(jle, uint64_t, uint32_t, <=)
	JMP_COND(jsgt, int64_t, int32_t, >)
	JMP_COND(jsge, int64_t, int32_t, >=)
	JMP_COND(jslt, int64_t, int32_t, <)
	JMP_COND(jsle, int64_t, int32_t, <=)
	TARGET(jmp_jset_k) if (DST & IMM64) JUMP(insn->off); NEXT();
	TARGET(jmp_jset_x) if (DST & SRC) JUMP(insn->off); NEXT();
	TARGET(jmp32_jset_k) if ((uint32_t)DST & IMM32) JUMP(insn->off); NEXT();
	TARGET(jmp32_jset_x) if ((uint32_t)DST & (uint32_t)SRC) JUMP(insn->off); NEXT();
	TARGET(jmp_ja) JUMP(insn->off);
	TARGET(jmp32_ja) JUMP(insn->imm);

	TARGET(lddw)
	DST = (uint64_t)(uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32;
	insn += 2;
	DISPATCH();

	LD_PACKET(ld_abs_w, 4, insn->imm)
	LD_PACKET(ld_abs_h, 2, insn->imm)
	LD_PACKET(ld_abs_b, 1, insn->imm)
	LD_PACKET(ld_ind_w, 4, SRC + IMM64)
	LD_PACKET(ld_ind_h, 2, SRC + IMM64)
	LD_PACKET(ld_ind_b, 1, SRC + IMM64)

	/*
	 * A 4-byte load of a 32-bit packet pointer field of the context
	 * (struct xdp_md's data ...) yields the pointer the core keeps after
	 * the context (interp.h: ctx_ptr32_span); the rules checked it is one.
	 */
	TARGET(ldx_w)
	{
		uintptr_t a = (uintptr_t)(SRC + (uint64_t)(int64_t)insn->off);
		uint32_t v;

		/* The stack first, as every access: the context's pointers cost nothing there. */
		if (unlikely(a - stack_lo > reach - 4)) {
			uintptr_t slot = a - run->ctx.start - run->ctx_ptr32_base;

			/*
			 * ctx->data and the like (an XDP or TC program's first
			 * loads): a whole field the rules allow, in one test.
			 */
			if (likely(slot < run->ctx_ptr32_span && !(slot & 3) &&
				   (run->ctx_ptr32_read >> (slot >> 2) & 1))) {
				uintptr_t p;

				__builtin_memcpy(&p, (const uint8_t *)run->ctx.end + slot * 2, sizeof(p));
				DST = (uint64_t)p;
				NEXT();
			}
			CHECK_ACCESS(a, 4, false);
			slot = bh_run_ctx_ptr32_slot(run, a);
			if (unlikely(slot != UINTPTR_MAX)) {
				uintptr_t p;

				__builtin_memcpy(&p, (const uint8_t *)run->ctx.end + slot, sizeof(p));
				DST = (uint64_t)p;
				NEXT();
			}
		}
		__builtin_memcpy(&v, (const void *)a, 4);
		DST = v;
		NEXT();
	}
	LOAD(ldx_h, uint16_t, 2, uint16_t)
	LOAD(ldx_b, uint8_t, 1, uint8_t)
	LOAD(ldx_dw, uint64_t, 8, uint64_t)
	/* Sign-extending loads of those pointer fields: refused, as Linux's verifier does. */
	TARGET(ldxs_w)
	{
		uintptr_t a = (uintptr_t)(SRC + (uint64_t)(int64_t)insn->off);
		int32_t v;

		if (unlikely(a - stack_lo > reach - 4)) {
			CHECK_ACCESS(a, 4, false);
			if (unlikely(bh_run_ctx_ptr32_slot(run, a) != UINTPTR_MAX)) {
				interp_fault_ptr32_sx(run, prog, PC, (uint32_t)(a - run->ctx.start));
				goto out;
			}
		}
		__builtin_memcpy(&v, (const void *)a, 4);
		DST = (uint64_t)(int64_t)v;
		NEXT();
	}
	LOAD(ldxs_h, int16_t, 2, int64_t)
	LOAD(ldxs_b, int8_t, 1, int64_t)

	STORE(st_w, uint32_t, 4, insn->imm)
	STORE(st_h, uint16_t, 2, insn->imm)
	STORE(st_b, uint8_t, 1, insn->imm)
	STORE(st_dw, uint64_t, 8, IMM64)
	STORE(stx_w, uint32_t, 4, SRC)
	STORE(stx_h, uint16_t, 2, SRC)
	STORE(stx_b, uint8_t, 1, SRC)
	STORE(stx_dw, uint64_t, 8, SRC)

	ATOMIC(atomic_w, uint32_t, 4)
	ATOMIC(atomic_dw, uint64_t, 8)

	TARGET(jmp_call)
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		struct interp_frame *f;

		if (unlikely(DEPTH + 1 >= MAX_CALL_FRAMES + TAIL_CALLS)) {
			run->tail_calls = TAIL_CALLS;
			interp_fault_frames(run, prog, PC, "bpf-to-bpf call");
			goto out;
		}
		f = &frames[DEPTH];
		tc_depth += DEPTH_ONE;
		f->prog = prog;
		f->ret = insn + 1;
		f->loop_n = 0;
		__builtin_memcpy(f->saved, &reg[BPF_REG_6], sizeof(f->saved));
		reg[BPF_REG_10] -= MAX_BPF_STACK;
		JUMP(insn->imm);
	}
	if (unlikely((uint32_t)insn->imm >= prog->helper_cnt)) {
		interp_fault_insn(run, prog, PC, -EINVAL, "helper index outside the program's helper table");
		goto out;
	}
	helper = prog->helpers[insn->imm];
	goto call_helper;

	TARGET(jmp_callx)
	helper = bh_prog_helper_by_id(prog, (uint32_t)DST);
	if (unlikely(!helper)) {
		const char *linux_name = DST <= UINT32_MAX ? bh_linux_helper_name((uint32_t)DST) : NULL;

		run->pc = PC;
		run->err = bh_err(-EINVAL, "program '%s': insn %u: callx: r%u = %llu%s%s%s is not a helper of "
				  "program type '%s'", prog->name, PC, insn->dst_reg, (unsigned long long)DST,
				  linux_name ? " (bpf_" : "", linux_name ? linux_name : "", linux_name ? ")" : "",
				  prog->ptype ? prog->ptype->name : "?");
		goto out;
	}
	goto call_helper;

	/*
	 * Specialised helper calls (specialise.h). Each first checks what the
	 * verifier proved: the map register holds the map, and (lookups) the
	 * key lies in the stack; anything else takes the helper path, whose
	 * run-time checks are the same as before specialisation.
	 */
	FAST_ARRAY(fast_array, 0)
	FAST_ARRAY(fast_pcpu, (uintptr_t)plat_cpu_id() * f->slot)
	TARGET(fast_aom)
	{
		const struct bh_fast_op *f = &prog->fast[insn->imm];
		uintptr_t k = (uintptr_t)reg[BPF_REG_2];
		struct bh_map *inner;
		uint32_t index;

		if (unlikely(reg[BPF_REG_1] != (uintptr_t)f->map || k - stack_lo > reach - 4))
			goto fast_fallback;
		__builtin_memcpy(&index, (const void *)k, 4);
		if (unlikely(index >= f->max_entries)) {
			reg[BPF_REG_0] = 0;
			NEXT();
		}
		inner = atomic_load_explicit(&((_Atomic(struct bh_map *) *)f->base)[index], memory_order_acquire);
		/* A custom inner map's provider is asked, as on the helper path. */
		if (inner && unlikely(inner->custom_map_context)) {
			run->pc = PC;
			reg[BPF_REG_0] = bh_run_map_lookup_result(run, f->map, (uintptr_t)inner);
			if (unlikely(run->err))
				goto out;
			NEXT();
		}
		if (inner)
			bh_run_add_region(run, (uintptr_t)inner, 0, false, true);
		reg[BPF_REG_0] = (uintptr_t)inner;
		NEXT();
	}
	TARGET(fast_lookup)
	{
		const struct bh_fast_op *f = &prog->fast[insn->imm];
		uintptr_t k = (uintptr_t)reg[BPF_REG_2], v;

		if (unlikely(reg[BPF_REG_1] != (uintptr_t)f->map || f->key_size > reach ||
			     k - stack_lo > reach - f->key_size))
			goto fast_fallback;
		v = (uintptr_t)f->lookup(f->map, (const void *)k);
		if (v && unlikely(f->inner_maps)) {
			run->pc = PC;
			v = bh_run_map_lookup_result(run, f->map, v);
			if (unlikely(run->err))
				goto out;
		} else if (v) {
			bh_run_add_region(run, v, f->value_size, f->writable, false);
		}
		reg[BPF_REG_0] = v;
		NEXT();
	}
	TARGET(fast_tail_call)
	{
		const struct bh_fast_op *f = &prog->fast[insn->imm];

		if (unlikely(reg[BPF_REG_2] != (uintptr_t)f->map))
			goto fast_fallback;
		tc_map = f->map;
		tc_slots = f->base;
		goto tail_call_known;
	}
	/*
	 * A fused `lddw r2, map; mov r3, K; call bpf_tail_call`: the map and
	 * the index are constants, checked at load (K < max_entries). The hop
	 * here does what is left of the checks; anything else (the count
	 * limit, an empty slot, another type) takes the checked path at the
	 * call, which reads the slot again.
	 */
	TARGET(fast_tail_call_k)
	{
		const struct bh_fast_op *f = &prog->fast[insn->imm];
		_Atomic(struct bh_object *) *slots = f->base;
		struct bh_object *obj = atomic_load_explicit(&slots[(uint32_t)f->r2r3[1]], memory_order_acquire);

		__builtin_memcpy(&reg[BPF_REG_2], f->r2r3, sizeof(f->r2r3));
		insn += BH_TAIL_CALL_K_SPAN;	/* at the call: the budget, pc and messages as unfused */
		/*
		 * A program calling itself from its main frame (a loop by tail
		 * calls), below the limit: nothing to switch, and its stack is
		 * already allowed. The slot is read first (reading has no effect
		 * on what the run sees): the count and the frame are checked
		 * while it loads.
		 */
		if (likely(obj == &prog->obj && tc_depth < MAX_TAIL_CALL_CNT)) {	/* DEPTH 0 too */
			tc_depth++;
			CHARGE(prog->insns);
			insn = prog->insns;
			DISPATCH();
		}
		tc_map = f->map;
		tc_slots = slots;
		if (unlikely(TAIL_CALLS >= MAX_TAIL_CALL_CNT || !obj))
			goto tail_call_known;
		tc_target = container_of(obj, struct bh_prog, obj);
		if (unlikely(tc_target->type != prog->type))
			goto tail_call_known;
		tc_depth++;
		goto tail_call_enter;
	}
	TARGET(fast_inner_map)
	{
		const struct bh_fast_op *f = &prog->fast[insn->imm];
		struct bh_map *m = u64_to_ptr(reg[BPF_REG_1]);
		uintptr_t k = (uintptr_t)reg[BPF_REG_2], v = (uintptr_t)reg[BPF_REG_3];

		if (f->helper->id == BPF_FUNC_ringbuf_output) {
			const struct bh_region *last = &run->dyn[(run->dyn_next - 1) % BH_RUN_DYN_REGIONS];
			uint64_t n = reg[BPF_REG_3];

			/*
			 * r1 the proved ring; the record, r3 bytes at r2, on the
			 * stack or in the value the run's last lookup handed out
			 * (the helper path's run_mem_has, for those two).
			 */
			if (unlikely(m != f->map ||
				     !((n <= reach && k - stack_lo <= reach - n) ||
				       (run->dyn_next && !last->map && bh_region_has(last, k, n, false)))))
				goto fast_fallback;
			reg[BPF_REG_0] = (uint64_t)bh_ringbuf_output(m, (const void *)k, n, reg[BPF_REG_4]);
			NEXT();
		}
		/*
		 * As the helper path checks the map (is_map_arg: the proved map
		 * the program holds, or the inner map just handed out) and the
		 * key (run_mem_has), for the stack.
		 */
		if (unlikely((f->map ? m != f->map : !inner_map_direct(run, reg[BPF_REG_1])) ||
			     m->key_size > reach || k - stack_lo > reach - m->key_size))
			goto fast_fallback;
		switch (f->helper->id) {
		case BPF_FUNC_map_lookup_elem:
			if (unlikely(!m->ops->lookup_elem))
				goto fast_fallback;
			v = (uintptr_t)m->ops->lookup_elem(m, (const void *)k);
			/* As bh_run_map_lookup_result marks a built-in map's value. */
			if (v)
				bh_run_add_region(run, v, m->value_size, !(m->map_flags & BPF_F_RDONLY_PROG), false);
			reg[BPF_REG_0] = v;
			NEXT();
		case BPF_FUNC_map_update_elem:
			/* The value, read: as the helper path checks it. */
			if (unlikely(!m->ops->update_elem || m->value_size > reach ||
				     v - stack_lo > reach - m->value_size))
				goto fast_fallback;
			reg[BPF_REG_0] = (uint64_t)m->ops->update_elem(m, (const void *)k, (const void *)v,
								       reg[BPF_REG_4]);
			NEXT();
		default:	/* BPF_FUNC_map_delete_elem */
			if (unlikely(!m->ops->delete_elem))
				goto fast_fallback;
			reg[BPF_REG_0] = (uint64_t)m->ops->delete_elem(m, (const void *)k);
			NEXT();
		}
	}
	TARGET(fast_noargs)
	reg[BPF_REG_0] = prog->fast[insn->imm].helper->fn(0, 0, 0, 0, 0);
	NEXT();

	TARGET(jmp_exit)
	if (likely(tc_depth < DEPTH_ONE)) {	/* DEPTH 0 */
		CHARGE(insn);	/* the last stretch too: the budget is exact */
		goto out;
	}
	{
		struct interp_frame *f = &frames[DEPTH - 1];

		if (unlikely(f->loop_n)) {
			/* A bpf_loop callback returned: 0 goes on, anything else stops. */
			uint64_t done;

			if (reg[BPF_REG_0]) {
				done = f->loop_i + 1;
			} else if (++f->loop_i < f->loop_n) {
				CHARGE(f->loop_fn);
				prog = f->prog;
				run->prog = prog;
				reg[BPF_REG_1] = f->loop_i;
				reg[BPF_REG_2] = f->loop_ctx;
				reg[BPF_REG_10] = f->saved[4] - MAX_BPF_STACK;
				insn = f->loop_fn;
				DISPATCH();
			} else {
				done = f->loop_n;
			}
			reg[BPF_REG_0] = done;
		}
		tc_depth -= DEPTH_ONE;
		CHARGE(f->ret);
		__builtin_memcpy(&reg[BPF_REG_6], f->saved, sizeof(f->saved));
		insn = f->ret;
		if (unlikely(f->prog != prog)) {	/* the callee tail-called */
			prog = f->prog;
			run->prog = prog;
		}
		DISPATCH();
	}

#if BH_INTERP_COMPUTED_GOTO
op_invalid:
#else
	default:
#endif
invalid:
	interp_fault_insn(run, prog, PC, -EINVAL, "invalid instruction");
	goto out;
#if !BH_INTERP_COMPUTED_GOTO
	}
#endif

fast_fallback:
	helper = prog->fast[insn->imm].helper;
call_helper:
	if (unlikely(!helper->fn)) {
		if (helper->id == BPF_FUNC_tail_call)
			goto tail_call;
		if (helper->id == BPF_FUNC_loop)
			goto bpf_loop;
		interp_fault_insn(run, prog, PC, -EINVAL, "helper without a function");
		goto out;
	}
	run->pc = PC;
	reg[BPF_REG_0] = bh_helper_call(run, helper, &reg[BPF_REG_1]);
	if (unlikely(run->err))
		goto out;
	NEXT();

	/*
	 * bpf_loop(nr_loops, callback, ctx, flags) as Linux: callback(i, ctx)
	 * for i from 0 while it returns 0, at most nr_loops times; r0 the
	 * number of calls. The callback runs in a frame of its own, as a
	 * bpf-to-bpf call would, so the budget and the frame limit hold.
	 */
bpf_loop: {
	struct interp_frame *f;

	if (unlikely(reg[BPF_REG_4])) {
		reg[BPF_REG_0] = (uint64_t)-EINVAL;	/* no flags are defined */
		NEXT();
	}
	if (unlikely(reg[BPF_REG_1] > BH_MAX_LOOPS)) {
		reg[BPF_REG_0] = (uint64_t)-E2BIG;
		NEXT();
	}
	if (unlikely(!bh_prog_is_callback(prog, reg[BPF_REG_2]))) {
		interp_fault_insn(run, prog, PC, -EINVAL, "bpf_loop: r2 is not a callback of this program (lddw rX, func)");
		goto out;
	}
	if (!reg[BPF_REG_1]) {
		reg[BPF_REG_0] = 0;
		NEXT();
	}
	if (unlikely(DEPTH + 1 >= MAX_CALL_FRAMES + TAIL_CALLS)) {
		run->tail_calls = TAIL_CALLS;
		interp_fault_frames(run, prog, PC, "bpf_loop callback");
		goto out;
	}
	f = &frames[DEPTH];
	tc_depth += DEPTH_ONE;
	f->prog = prog;
	f->ret = insn + 1;
	__builtin_memcpy(f->saved, &reg[BPF_REG_6], sizeof(f->saved));
	f->loop_fn = prog->insns + reg[BPF_REG_2];
	f->loop_ctx = reg[BPF_REG_3];
	f->loop_i = 0;
	f->loop_n = (uint32_t)reg[BPF_REG_1];
	reg[BPF_REG_10] -= MAX_BPF_STACK;
	reg[BPF_REG_1] = 0;
	reg[BPF_REG_2] = f->loop_ctx;
	CHARGE(f->loop_fn);
	insn = f->loop_fn;
	DISPATCH();
}

	/*
	 * bpf_tail_call(ctx, prog_array, index) as Linux: on success the
	 * target starts with the same r1 in this frame and never returns
	 * here; on failure (index out of range, over MAX_TAIL_CALL_CNT, empty
	 * slot) the program goes on after the call with r0 = a negative errno.
	 */
tail_call:
	tc_map = u64_to_ptr(reg[BPF_REG_2]);
	tc_slots = NULL;
	if (unlikely(!bh_prog_uses_map(prog, tc_map))) {
		interp_fault_tail_call(run, prog, PC, NULL);
		goto out;
	}
	/* A map of the program of another type: an error it gets back, as other helpers give. */
	if (unlikely(tc_map->map_type != BPF_MAP_TYPE_PROG_ARRAY)) {
		bh_trace_note(prog->name, "insn %u: bpf_tail_call on map '%s' (type %u), not a prog array",
			      PC, tc_map->name, tc_map->map_type);
		reg[BPF_REG_0] = (uint64_t)-EINVAL;
		NEXT();
	}
	/* A specialised call comes in here: the map is the prog array the verifier proved. */
tail_call_known: {
	struct bh_map *map = tc_map;
	uint32_t index = (uint32_t)reg[BPF_REG_3];
	const struct bh_prog *target;
	struct bh_object *obj;

	if (index >= map->max_entries) {
		reg[BPF_REG_0] = (uint64_t)-ENOENT;
		NEXT();
	}
	/* Counted before the slot is read, as Linux does: an empty slot counts too. */
	if (TAIL_CALLS >= MAX_TAIL_CALL_CNT) {
		interp_note_tail_call_limit(prog, PC);
		reg[BPF_REG_0] = (uint64_t)-E2BIG;
		NEXT();
	}
	tc_depth++;
	obj = tc_slots ? atomic_load_explicit(&tc_slots[index], memory_order_acquire) :
			 bh_prog_array_get(map, index);
	if (!obj) {
		reg[BPF_REG_0] = (uint64_t)-ENOENT;
		NEXT();
	}
	target = container_of(obj, struct bh_prog, obj);
	if (unlikely(target->type != prog->type)) {
		interp_fault_tail_call(run, prog, PC, target);
		goto out;
	}
	tc_target = target;
}
	/* Every tail call that found its target (counted) enters it here. */
tail_call_enter:
	CHARGE(tc_target->insns);
	/* The target runs in this frame and may reach deeper: clear and allow that too. */
	{
		uint32_t need = DEPTH * MAX_BPF_STACK + tc_target->stack_reach;

		if (unlikely(need > reach)) {
			if (need > BH_RUN_STACK_SIZE)
				need = BH_RUN_STACK_SIZE;
			__builtin_memset((void *)(stack_end - need), 0, need - reach);
			reach = need;
			stack_lo = stack_end - reach;
			run->stack.start = stack_lo;
		}
	}
	prog = tc_target;
	run->prog = prog;
	insn = prog->insns;
	DISPATCH();

out:
	run->tail_calls = TAIL_CALLS;
	if (unlikely(run->record_cnt | run->ref_cnt))
		bh_run_release_records(run);
	run->stack.start = run->stack.end = 0;
	return run->err ? 0 : reg[BPF_REG_0];
}
