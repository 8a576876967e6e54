/* SPDX-License-Identifier: MIT */
/*
 * Context access sweeps against the kernel: one load, store or atomic per
 * program at each offset and size of a program type's context. For each,
 * bpfhost's verifier must decide as the kernel's does, and the same program
 * loaded without the verifier must run where the kernel accepts and fault
 * (-EFAULT) where it refuses: the run-time rules agree too.
 */
#ifndef BPFHOST_TEST_CTX_SWEEP_H
#define BPFHOST_TEST_CTX_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/bpf_insn.h"

enum ctx_access_kind { CTX_LDX, CTX_LDXS, CTX_STX, CTX_ST, CTX_ATOMIC, CTX_KINDS };

extern const char *const ctx_access_kind_names[CTX_KINDS];

/*
 * Writes into @p (room for 6) the program doing one access of @kind, size
 * index @s (B, H, W, DW) at context offset @off, then exit. A load leaves
 * what it read in r0 when @keep_value; otherwise r0 = 2 before exit (a
 * verdict every type accepts). 0 when no such instruction exists.
 */
size_t ctx_access_prog(enum ctx_access_kind kind, int s, int16_t off, bool keep_value, struct bpf_insn *p);

struct ctx_sweep {
	uint32_t prog_type;
	const char *what;		/* the context's name in messages: "__sk_buff" */
	const void *data;		/* both test runs' input */
	uint32_t data_size;
	const void *ctx;
	uint32_t ctx_size;
	const char *fault_msg;		/* a substring of bpfhost's fault message, or NULL */
	int compared, allowed, values;	/* counts, printed by ctx_sweep_report */
};

/*
 * Sweeps one access (see ctx_access_prog): asserts both verifiers decide
 * alike and the unverified program runs or faults as the kernel decided;
 * with @compare_value, the values both runs return must agree too.
 */
void ctx_sweep_one(struct ctx_sweep *sw, enum ctx_access_kind kind, int s, int16_t off, bool compare_value);

void ctx_sweep_report(const struct ctx_sweep *sw);

#endif /* BPFHOST_TEST_CTX_SWEEP_H */
