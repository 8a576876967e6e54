/* SPDX-License-Identifier: MIT */
/*
 * Assembler and disassembler for the text syntax of the bpf_conformance suite
 * (uBPF's syntax): one instruction per line, `#` comments, `name:` labels.
 *
 *   mov32 %r0, 0            add %r1, %r2           sdiv32 %r1, 3     neg %r0
 *   movsx1664 %r1, %r2      be16 %r0   le32 %r0    bswap64 %r0 (swap64 too)
 *   ldxb %r0, [%r1+2]       ldxsw %r0, [%r1-4]     stdw [%r10-8], 1  stxw [%r1], %r2
 *   lddw %r0, 0x1122334455667788                   lddw %r1, map_fd 3
 *   lock add [%r1+0], %r2   lock fetch xor32 [...], %r3   lock xchg / cmpxchg [...], %r2
 *   ja +1   ja done   ja32 far   jeq %r1, 5, +2   jslt32 %r1, %r2, done
 *   call 5 (helper id)   call %r2 (callx)   call local func1   call kfunc 7   exit
 *   ldabsw 12   ldindb %r2, 0 (legacy packet loads)
 *
 * Jump targets are `+N`/`-N` (relative to the next instruction) or labels; the
 * label `exit` names the first `exit` instruction unless the source defines it.
 * Immediates are decimal or 0x hex, signed or unsigned within the field's width.
 * The pseudo lddw kinds (src_reg) are map_fd, map_value, btf_id, func, map_idx
 * and map_idx_value: `lddw %rD, KIND IMM[, NEXT_IMM]`.
 */
#ifndef BPFHOST_ASM_H
#define BPFHOST_ASM_H

#include <stddef.h>

#include "bpf_insn.h"
#include "bpfhost.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief **bpfhost_asm()** assembles @p source into instructions.
 * @param source NUL-terminated program text
 * @param insns set to a malloc'ed array the caller frees with free() (NULL
 * when the program is empty)
 * @param insn_cnt set to the number of 8-byte slots (lddw takes two)
 * @return 0, -EINVAL (bpfhost_last_error() names the line number, the line
 * and what was wrong: unknown mnemonic, bad register, wrong operand count,
 * immediate or offset out of range, malformed memory operand, undefined or
 * duplicate label) or -ENOMEM. Sets errno on failure.
 */
BPFHOST_API int bpfhost_asm(const char *source, struct bpf_insn **insns, size_t *insn_cnt);

/**
 * @brief **bpfhost_disasm()** writes @p insns as text in the syntax
 * bpfhost_asm() reads, one instruction per line. Jump and local-call targets
 * inside the program become labels `L<index>:`; the text reassembles to the
 * same bytes.
 * @param buf output, always NUL-terminated when @p size > 0 (may be NULL
 * when @p size is 0)
 * @return the length of the whole text without the NUL (as snprintf: call
 * again with a larger buffer when it is >= @p size), or -EINVAL for an
 * instruction that is not a valid encoding (unknown opcode, reserved field
 * not zero, register above r10, lddw cut off); the message names the
 * instruction index and the opcode.
 */
BPFHOST_API int bpfhost_disasm(const struct bpf_insn *insns, size_t insn_cnt, char *buf,
			       size_t size);

/**
 * @brief **bpfhost_disasm_insn()** writes one instruction (no newline).
 * Jump targets are printed relative (`+N`/`-N`).
 * @param remaining slots available from @p insn on (an lddw needs 2; see
 * bpfhost_insn_slots())
 * @return as bpfhost_disasm()
 */
BPFHOST_API int bpfhost_disasm_insn(const struct bpf_insn *insn, size_t remaining, char *buf,
				    size_t size);

/** @brief Slots the instruction at @p insn takes: 2 for lddw, else 1. */
static inline size_t bpfhost_insn_slots(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1;
}

#ifdef __cplusplus
}
#endif

#endif /* BPFHOST_ASM_H */
