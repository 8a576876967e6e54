/* SPDX-License-Identifier: MIT */
/*
 * The mnemonics of the conformance text syntax, shared by the assembler
 * (asm.c) and the disassembler (disasm.c) so that each name is spelled once.
 */
#ifndef BPFHOST_LIB_INSN_NAMES_H
#define BPFHOST_LIB_INSN_NAMES_H

#include <stdint.h>

#include "bpfhost/bpf_insn.h"

#define BPF_LDDW (BPF_LD | BPF_IMM | BPF_DW)

/* ALU operations by BPF_OP(code) >> 4. neg and the byte swaps have their own forms. */
static const char *const insn_alu_names[16] = {
	"add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
	"neg", "mod", "xor", "mov", "arsh", NULL, NULL, NULL,
};

/* Signed division and modulo: the same opcodes with off = 1 (RFC 9669 4.1). */
#define INSN_SDIV_NAME "sdiv"
#define INSN_SMOD_NAME "smod"

/* Conditional jumps by BPF_OP(code) >> 4 (ja, call and exit are separate). */
static const char *const insn_jmp_names[16] = {
	NULL, "jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge",
	NULL, NULL, "jlt", "jle", "jslt", "jsle", NULL, NULL,
};

/* Load/store size suffixes by BPF_SIZE(code) >> 3. */
static const char *const insn_size_names[4] = { "w", "h", "b", "dw" };

/* Atomic operations, in the imm of BPF_STX | BPF_ATOMIC. */
struct insn_atomic_name {
	const char *name;
	int32_t imm;		/* without BPF_FETCH for the fetch-optional ones */
	int fetch_optional;
};
static const struct insn_atomic_name insn_atomic_names[] = {
	{ "add", BPF_ADD, 1 },
	{ "or", BPF_OR, 1 },
	{ "and", BPF_AND, 1 },
	{ "xor", BPF_XOR, 1 },
	{ "xchg", BPF_XCHG, 0 },
	{ "cmpxchg", BPF_CMPXCHG, 0 },
};

/* Pseudo sources of lddw (src_reg 1..6), written `lddw %rD, KIND IMM[, NEXT_IMM]`. */
static const char *const insn_lddw_kinds[7] = {
	NULL, "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value",
};

/* Call kinds by src_reg: helper id, pc-relative local function, kfunc id. */
#define INSN_CALL_LOCAL_NAME "local"
#define INSN_CALL_KFUNC_NAME "kfunc"

#endif /* BPFHOST_LIB_INSN_NAMES_H */
