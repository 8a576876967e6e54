/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's opcode table (interp.c): each opcode it knows, named
 * for its handler label, the RFC 9669 set and the internal opcodes of
 * specialised calls (specialise.h).
 */
#ifndef BPFHOST_INTERP_OPCODES_H
#define BPFHOST_INTERP_OPCODES_H

#include "specialise.h"

/* Each opcode the interpreter knows, named for its handler label. */
#define BH_ALU_OPCODES(X, cls, pfx)                                                        \
	X(pfx##_add_k, cls | BPF_ADD | BPF_K) X(pfx##_add_x, cls | BPF_ADD | BPF_X)       \
	X(pfx##_sub_k, cls | BPF_SUB | BPF_K) X(pfx##_sub_x, cls | BPF_SUB | BPF_X)       \
	X(pfx##_mul_k, cls | BPF_MUL | BPF_K) X(pfx##_mul_x, cls | BPF_MUL | BPF_X)       \
	X(pfx##_div_k, cls | BPF_DIV | BPF_K) X(pfx##_div_x, cls | BPF_DIV | BPF_X)       \
	X(pfx##_or_k, cls | BPF_OR | BPF_K) X(pfx##_or_x, cls | BPF_OR | BPF_X)           \
	X(pfx##_and_k, cls | BPF_AND | BPF_K) X(pfx##_and_x, cls | BPF_AND | BPF_X)       \
	X(pfx##_lsh_k, cls | BPF_LSH | BPF_K) X(pfx##_lsh_x, cls | BPF_LSH | BPF_X)       \
	X(pfx##_rsh_k, cls | BPF_RSH | BPF_K) X(pfx##_rsh_x, cls | BPF_RSH | BPF_X)       \
	X(pfx##_neg, cls | BPF_NEG | BPF_K)                                                \
	X(pfx##_mod_k, cls | BPF_MOD | BPF_K) X(pfx##_mod_x, cls | BPF_MOD | BPF_X)       \
	X(pfx##_xor_k, cls | BPF_XOR | BPF_K) X(pfx##_xor_x, cls | BPF_XOR | BPF_X)       \
	X(pfx##_mov_k, cls | BPF_MOV | BPF_K) X(pfx##_mov_x, cls | BPF_MOV | BPF_X)       \
	X(pfx##_arsh_k, cls | BPF_ARSH | BPF_K) X(pfx##_arsh_x, cls | BPF_ARSH | BPF_X)

#define BH_JMP_OPCODES(X, cls, pfx)                                                        \
	X(pfx##_jeq_k, cls | BPF_JEQ | BPF_K) X(pfx##_jeq_x, cls | BPF_JEQ | BPF_X)       \
	X(pfx##_jgt_k, cls | BPF_JGT | BPF_K) X(pfx##_jgt_x, cls | BPF_JGT | BPF_X)       \
	X(pfx##_jge_k, cls | BPF_JGE | BPF_K) X(pfx##_jge_x, cls | BPF_JGE | BPF_X)       \
	X(pfx##_jset_k, cls | BPF_JSET | BPF_K) X(pfx##_jset_x, cls | BPF_JSET | BPF_X)   \
	X(pfx##_jne_k, cls | BPF_JNE | BPF_K) X(pfx##_jne_x, cls | BPF_JNE | BPF_X)       \
	X(pfx##_jsgt_k, cls | BPF_JSGT | BPF_K) X(pfx##_jsgt_x, cls | BPF_JSGT | BPF_X)   \
	X(pfx##_jsge_k, cls | BPF_JSGE | BPF_K) X(pfx##_jsge_x, cls | BPF_JSGE | BPF_X)   \
	X(pfx##_jlt_k, cls | BPF_JLT | BPF_K) X(pfx##_jlt_x, cls | BPF_JLT | BPF_X)       \
	X(pfx##_jle_k, cls | BPF_JLE | BPF_K) X(pfx##_jle_x, cls | BPF_JLE | BPF_X)       \
	X(pfx##_jslt_k, cls | BPF_JSLT | BPF_K) X(pfx##_jslt_x, cls | BPF_JSLT | BPF_X)   \
	X(pfx##_jsle_k, cls | BPF_JSLE | BPF_K) X(pfx##_jsle_x, cls | BPF_JSLE | BPF_X)

#define BH_OPCODES(X)                                                                      \
	BH_ALU_OPCODES(X, BPF_ALU64, alu64)                                                \
	X(alu64_bswap, BPF_ALU64 | BPF_END | BPF_TO_LE)                                    \
	BH_ALU_OPCODES(X, BPF_ALU, alu32)                                                  \
	X(alu32_le, BPF_ALU | BPF_END | BPF_TO_LE)                                         \
	X(alu32_be, BPF_ALU | BPF_END | BPF_TO_BE)                                         \
	BH_JMP_OPCODES(X, BPF_JMP, jmp)                                                    \
	X(jmp_ja, BPF_JMP | BPF_JA)                                                        \
	X(jmp_call, BPF_JMP | BPF_CALL)                                                    \
	X(jmp_callx, BPF_JMP | BPF_CALL | BPF_X)                                           \
	X(jmp_exit, BPF_JMP | BPF_EXIT)                                                    \
	BH_JMP_OPCODES(X, BPF_JMP32, jmp32)                                                \
	X(jmp32_ja, BPF_JMP32 | BPF_JA)                                                    \
	X(lddw, BPF_LD | BPF_IMM | BPF_DW)                                                 \
	X(ld_abs_w, BPF_LD | BPF_ABS | BPF_W)                                              \
	X(ld_abs_h, BPF_LD | BPF_ABS | BPF_H)                                              \
	X(ld_abs_b, BPF_LD | BPF_ABS | BPF_B)                                              \
	X(ld_ind_w, BPF_LD | BPF_IND | BPF_W)                                              \
	X(ld_ind_h, BPF_LD | BPF_IND | BPF_H)                                              \
	X(ld_ind_b, BPF_LD | BPF_IND | BPF_B)                                              \
	X(ldx_w, BPF_LDX | BPF_MEM | BPF_W)                                                \
	X(ldx_h, BPF_LDX | BPF_MEM | BPF_H)                                                \
	X(ldx_b, BPF_LDX | BPF_MEM | BPF_B)                                                \
	X(ldx_dw, BPF_LDX | BPF_MEM | BPF_DW)                                              \
	X(ldxs_w, BPF_LDX | BPF_MEMSX | BPF_W)                                             \
	X(ldxs_h, BPF_LDX | BPF_MEMSX | BPF_H)                                             \
	X(ldxs_b, BPF_LDX | BPF_MEMSX | BPF_B)                                             \
	X(st_w, BPF_ST | BPF_MEM | BPF_W)                                                  \
	X(st_h, BPF_ST | BPF_MEM | BPF_H)                                                  \
	X(st_b, BPF_ST | BPF_MEM | BPF_B)                                                  \
	X(st_dw, BPF_ST | BPF_MEM | BPF_DW)                                                \
	X(stx_w, BPF_STX | BPF_MEM | BPF_W)                                                \
	X(stx_h, BPF_STX | BPF_MEM | BPF_H)                                                \
	X(stx_b, BPF_STX | BPF_MEM | BPF_B)                                                \
	X(stx_dw, BPF_STX | BPF_MEM | BPF_DW)                                              \
	X(atomic_w, BPF_STX | BPF_ATOMIC | BPF_W)                                          \
	X(atomic_dw, BPF_STX | BPF_ATOMIC | BPF_DW)                                        \
	X(fast_array, BH_OP_ARRAY_LOOKUP)                                                  \
	X(fast_pcpu, BH_OP_PCPU_LOOKUP)                                                    \
	X(fast_aom, BH_OP_AOM_LOOKUP)                                                      \
	X(fast_lookup, BH_OP_MAP_LOOKUP)                                                   \
	X(fast_tail_call, BH_OP_TAIL_CALL)                                                 \
	X(fast_tail_call_k, BH_OP_TAIL_CALL_K)                                             \
	X(fast_noargs, BH_OP_CALL_NOARGS)                                                  \
	X(fast_inner_map, BH_OP_INNER_MAP)

enum {
#define BH_OPCODE_ENUM(name, code) OPC_##name = (code),
	BH_OPCODES(BH_OPCODE_ENUM)
#undef BH_OPCODE_ENUM
};

#endif /* BPFHOST_INTERP_OPCODES_H */
