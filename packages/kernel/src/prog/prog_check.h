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

#endif /* BPFHOST_PROG_CHECK_H */
