/* SPDX-License-Identifier: MIT */
/*
 * The structural check (prog_check.c) with the set of registers a program
 * finds written at entry made explicit. Program types give r1 (the context)
 * and r10; the conformance suite also passes a length in r2.
 */
#ifndef BPFHOST_PROG_CHECK_H
#define BPFHOST_PROG_CHECK_H

#include "prog.h"

#define BH_REG_BIT(r) (1u << (r))
/* What bh_prog_check() assumes: r1 = context, r10 = frame pointer. */
#define BH_CHECK_ENTRY_REGS (BH_REG_BIT(BPF_REG_1) | BH_REG_BIT(BPF_REG_10))

/* bh_prog_check() with @entry_regs (bit n: rn is set at entry; r10 always is). */
int bh_prog_check_regs(const char *name, const struct bpf_insn *insns, uint32_t len,
		       uint32_t entry_regs);

/*
 * The prototype of helper @id for the program being checked, or NULL for an
 * id it does not know (the loader refuses those after the check).
 */
typedef const struct bh_helper *(*bh_check_helper_fn)(const void *ctx, uint32_t id);

/*
 * bh_prog_check_regs() knowing the helpers' prototypes, as the loader does:
 * a helper call reads the registers of its arguments and writes r0 unless
 * the helper returns void (bpf_tail_call, bpf_ringbuf_submit: Linux leaves
 * r0 unreadable after them). Without @helper (@helper NULL), a helper call
 * reads no register and writes r0.
 */
int bh_prog_check_calls(const char *name, const struct bpf_insn *insns, uint32_t len,
			uint32_t entry_regs, bh_check_helper_fn helper, const void *ctx);

/*
 * Pass 1 alone (encodings, and lddw's second halves): what a load the static
 * verifier checks needs before its fixups. The verifier's control-flow
 * graph checks targets and functions again (passes 2-3), and it proves
 * pass 4's property itself, path by path (a read of a register no
 * instruction on the path wrote is refused), so the loader runs passes 2-4
 * only to word a refusal as before (bh_prog_check_calls() on the original
 * instructions: its first refusal replaces whatever refused first).
 */
int bh_prog_check_encodings(const char *name, const struct bpf_insn *insns, uint32_t len);

#endif /* BPFHOST_PROG_CHECK_H */
