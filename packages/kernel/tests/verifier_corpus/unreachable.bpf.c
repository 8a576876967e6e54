// SPDX-License-Identifier: MIT
/*
 * The control-flow graph: every instruction reachable (dead code that only
 * the values make dead is fine, the kernel removes it), the last
 * instruction an exit or a jump, no jump into the middle of an lddw.
 */
#include "corpus.h"

SEC("socket") CORPUS_NAKED int refuse_code_after_exit(void)
{
	asm volatile("r0 = 0; exit; r0 = 1; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_jump_over_code(void)
{
	asm volatile("goto l0_%=; r0 = 1; l0_%=: r0 = 0; exit;" ::: "memory");
}

/* Reachable in the graph, never taken: accepted. */
SEC("socket") CORPUS_NAKED int accept_branch_never_taken(void)
{
	asm volatile("r1 = 0;"
		     "if r1 != 0 goto l0_%=;"
		     "r0 = 0;"
		     "exit;"
		     "l0_%=: r0 = 1;"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_branch_always_taken(void)
{
	asm volatile("r0 = 0;"
		     "if r0 == 0 goto l0_%=;"
		     "r0 = 1;"
		     "l0_%=: exit;" ::: "memory");
}

/* The dead branch even holds an invalid access: never explored, never checked. */
SEC("socket") CORPUS_NAKED int accept_dead_branch_with_bad_access(void)
{
	asm volatile("r1 = 0;"
		     "if r1 == 0 goto l0_%=;"
		     "r0 = *(u64 *)(r1 + 0);"
		     "exit;"
		     "l0_%=: r0 = 0;"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_falls_off_the_end(void)
{
	asm volatile("r0 = 0;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_unreachable_lddw(void)
{
	asm volatile("goto l0_%=; r1 = 0x1122334455667788 ll; l0_%=: r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_jump_into_lddw(void)
{
	asm volatile("r0 = 0;"
		     "if r0 == 0 goto +1;"
		     "r1 = 0x1122334455667788 ll;"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_exit_on_both_branches(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "if r2 > 5 goto l0_%=;"
		     "r0 = 1;"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;" ::: "memory");
}

CORPUS_ASM_SUB int returns_zero(void)
{
	asm volatile("r0 = 0; exit;" ::: "memory");
}

/* Code after a call is reachable (the callee returns). */
SEC("socket") CORPUS_NAKED int accept_code_after_call(void)
{
	asm volatile("call returns_zero; r0 += 1; exit;" ::: "memory");
}

/* A conditional jump as the last instruction: its fall-through leaves the program. */
SEC("socket") CORPUS_NAKED int refuse_ends_in_conditional_jump(void)
{
	asm volatile("r0 = 0; l0_%=: exit; if r0 == 0 goto l0_%=;" ::: "memory");
}
