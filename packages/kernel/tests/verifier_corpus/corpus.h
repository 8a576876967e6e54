/* SPDX-License-Identifier: MIT */
/*
 * What the verifier corpus programs share. Each <category>.bpf.c holds one
 * program per section, named accept_* or refuse_* as the Linux verifier
 * (privileged load, root) decides; verifier_kernel_diff_test checks the
 * names against the kernel and compares bpfhost's verdicts. Cases C cannot
 * express exactly (clang would fold the bug away or refuse to emit it) are
 * naked functions in BPF assembly: their instructions are the test.
 */
#ifndef BPFHOST_VERIFIER_CORPUS_H
#define BPFHOST_VERIFIER_CORPUS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A program whose body is one asm block (no prologue, no epilogue). */
#define CORPUS_NAKED __attribute__((naked))
/* A .text sub-program in assembly that nothing in C calls. */
#define CORPUS_ASM_SUB static __attribute__((naked, noinline, used))

/* Asm operands: a map's address (`r1 = %[m] ll`) and a helper id (`call %[h]`). */
#define MAP_ADDR(m) [m] "i"(&m)
#define HELPER(h) [h] "i"(BPF_FUNC_##h)

/* Keeps a value in a register the optimiser cannot reason about. */
#define OPAQUE(v) asm volatile("" : "+r"(v))

char _license[] SEC("license") = "GPL";

#endif /* BPFHOST_VERIFIER_CORPUS_H */
