/* SPDX-License-Identifier: MIT */
/*
 * Static verifier findings of the soundness fuzzing that are not fixed yet,
 * recognised by the fault message of the run of a verified program, so
 * fuzz_verifier and fuzz_prog keep looking past them (they count them and
 * fuzz_verifier prints the counts at exit). FUZZ_VERIFIER_UNMASK=1 makes
 * them stop the run again, to reproduce them. Remove an entry when its fix
 * lands, and commit the inputs that found it as seeds (fuzz/corpus/).
 */
#ifndef BPFHOST_FUZZ_KNOWN_FINDINGS_H
#define BPFHOST_FUZZ_KNOWN_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/bpf_insn.h"

static const struct {
	const char *id, *message;
} fuzz_known[] = {
	/*
	 * None open. Fixed: F1 (the run's stack reach now includes the
	 * verifier's depth), F3 (zero-sized memory arguments must point into
	 * memory, NULL only where the prototype takes it): verifier_test has a
	 * case for each. An entry is { "Fn", "a piece of the fault message" }.
	 */
	{ NULL, NULL },
};

/*
 * F2 (not a fault, so not in the table): verification cost. A loop the
 * verifier cannot bound takes it to its complexity limit (1M processed
 * instructions) in about 3 s of CPU (30 s under ASan, past libFuzzer's
 * timeout), even for a 5-instruction program; and with no precision
 * tracking, N two-way branches that leave different constants in a
 * register nothing later needs exactly, followed by a counted loop, cost
 * 2^N times the loop (14 branches and 50 iterations: -E2BIG). Until that is
 * faster, fuzz_prog asks the verifier only about programs without a
 * backward jump, and vprog_gen's programs have at most LOOPS_MAX loops that
 * always end (its loop slips are loops the verifier sees come back to the
 * same state, which it refuses at once).
 */
static inline bool fuzz_has_back_edge(const struct bpf_insn *insns, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		uint8_t cls = insns[i].code & 0x07, op = insns[i].code & 0xf0;

		if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT &&
		    (cls == BPF_JMP32 && op == BPF_JA ? insns[i].imm : insns[i].off) < 0)
			return true;
	}
	return false;
}
#define FUZZ_NKNOWN (sizeof(fuzz_known) / sizeof(fuzz_known[0]))
static uint64_t fuzz_known_hits[FUZZ_NKNOWN];

/* Is the fault @msg of a verified program's run a known finding (and counted)? */
static inline bool fuzz_known_finding(const char *msg)
{
	static int unmask = -1;

	if (unmask < 0)
		unmask = getenv("FUZZ_VERIFIER_UNMASK") != NULL;
	for (size_t i = 0; !unmask && i < FUZZ_NKNOWN; i++)
		if (fuzz_known[i].message && strstr(msg, fuzz_known[i].message)) {
			fuzz_known_hits[i]++;
			return true;
		}
	return false;
}

#endif /* BPFHOST_FUZZ_KNOWN_FINDINGS_H */
