/* SPDX-License-Identifier: MIT */
/*
 * The eBPF instruction encoding (RFC 9669), with Linux's names so that code
 * written against <linux/bpf.h> and <linux/bpf_common.h> reads the same.
 * Do not include together with those headers.
 */
#ifndef BPFHOST_BPF_INSN_H
#define BPFHOST_BPF_INSN_H

#include <stdint.h>

struct bpf_insn {
	uint8_t code;		/* opcode */
	uint8_t dst_reg : 4;	/* destination register */
	uint8_t src_reg : 4;	/* source register */
	int16_t off;		/* signed offset */
	int32_t imm;		/* signed immediate constant */
};

/* Instruction classes. */
#define BPF_CLASS(code) ((code) & 0x07)
#define BPF_LD 0x00
#define BPF_LDX 0x01
#define BPF_ST 0x02
#define BPF_STX 0x03
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_JMP32 0x06
#define BPF_ALU64 0x07

/* Load/store: size and mode. */
#define BPF_SIZE(code) ((code) & 0x18)
#define BPF_W 0x00
#define BPF_H 0x08
#define BPF_B 0x10
#define BPF_DW 0x18
#define BPF_MODE(code) ((code) & 0xe0)
#define BPF_IMM 0x00
#define BPF_ABS 0x20
#define BPF_IND 0x40
#define BPF_MEM 0x60
#define BPF_MEMSX 0x80
#define BPF_ATOMIC 0xc0

/* ALU and jump: operation and source. */
#define BPF_OP(code) ((code) & 0xf0)
#define BPF_SRC(code) ((code) & 0x08)
#define BPF_K 0x00
#define BPF_X 0x08

#define BPF_ADD 0x00
#define BPF_SUB 0x10
#define BPF_MUL 0x20
#define BPF_DIV 0x30
#define BPF_OR 0x40
#define BPF_AND 0x50
#define BPF_LSH 0x60
#define BPF_RSH 0x70
#define BPF_NEG 0x80
#define BPF_MOD 0x90
#define BPF_XOR 0xa0
#define BPF_MOV 0xb0
#define BPF_ARSH 0xc0
#define BPF_END 0xd0
#define BPF_TO_LE 0x00	/* with BPF_END in class ALU */
#define BPF_TO_BE 0x08
#define BPF_FROM_LE BPF_TO_LE
#define BPF_FROM_BE BPF_TO_BE

#define BPF_JA 0x00
#define BPF_JEQ 0x10
#define BPF_JGT 0x20
#define BPF_JGE 0x30
#define BPF_JSET 0x40
#define BPF_JNE 0x50
#define BPF_JSGT 0x60
#define BPF_JSGE 0x70
#define BPF_CALL 0x80
#define BPF_EXIT 0x90
#define BPF_JLT 0xa0
#define BPF_JLE 0xb0
#define BPF_JSLT 0xc0
#define BPF_JSLE 0xd0

/* Atomic operations (in imm of BPF_STX | BPF_ATOMIC). */
#define BPF_FETCH 0x01
#define BPF_XCHG (0xe0 | BPF_FETCH)
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)

/* src_reg of the first half of BPF_LD | BPF_IMM | BPF_DW. */
#define BPF_PSEUDO_MAP_FD 1		/* imm: map handle -> map pointer */
#define BPF_PSEUDO_MAP_VALUE 2		/* imm: map handle, next imm: value offset */
#define BPF_PSEUDO_BTF_ID 3
#define BPF_PSEUDO_FUNC 4
#define BPF_PSEUDO_MAP_IDX 5		/* imm: index into fd_array */
#define BPF_PSEUDO_MAP_IDX_VALUE 6

/* src_reg of BPF_JMP | BPF_CALL. */
#define BPF_PSEUDO_CALL 1		/* bpf-to-bpf: imm is the pc-relative target */
#define BPF_PSEUDO_KFUNC_CALL 2

/* Registers. */
enum {
	BPF_REG_0 = 0,
	BPF_REG_1,
	BPF_REG_2,
	BPF_REG_3,
	BPF_REG_4,
	BPF_REG_5,
	BPF_REG_6,
	BPF_REG_7,
	BPF_REG_8,
	BPF_REG_9,
	BPF_REG_10,
	MAX_BPF_REG,
};

#endif /* BPFHOST_BPF_INSN_H */
