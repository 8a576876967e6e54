// SPDX-License-Identifier: MIT
/*
 * The helper section's programs, written for this bench: each does one
 * workload's operation once per test-run iteration. The same bytecode goes
 * to bpfhost and to the kernel (only the map fds differ).
 *
 * Stack layout: fp-4 the u32 key, fp-16 the random number (the value of
 * updates), fp-8 (LPM: prefixlen at fp-8, address at fp-4), fp-80..-16 the
 * 64-byte record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/uapi.h"
#include "insn_build.h"
#include "interp_helpers_int.h"

static void put(struct hb_prog *p, const struct bpf_insn *insns, uint32_t n)
{
	if (p->cnt + n > HB_MAX_INSNS) {
		fprintf(stderr, "interp_helpers: program too long\n");
		exit(2);
	}
	memcpy(p->insns + p->cnt, insns, n * sizeof(*insns));
	p->cnt += n;
}

#define EMIT(p, ...)                                                                     \
	do {                                                                             \
		const struct bpf_insn emit_[] = { __VA_ARGS__ };                         \
		put(p, emit_, sizeof(emit_) / sizeof(emit_[0]));                         \
	} while (0)

uint32_t hb_record_slot(uint32_t payload)
{
	return (payload + 8U + 7U) & ~7U;
}

uint32_t hb_lpm_addr(uint32_t i)
{
	return (uint32_t)(((uint64_t)i * HB_LPM_MUL) & 0xffffffU);
}

/* The key: bpf_get_prandom_u32() & 0xffff at fp-4; the random number at fp-16. */
static void emit_key(struct hb_prog *p)
{
	EMIT(p, CALL(BPF_FUNC_get_prandom_u32), STX(BPF_DW, 10, 0, -16),
	     ALU64_IMM(BPF_AND, 0, (int32_t)(HB_KEYS - 1)), STX(BPF_W, 10, 0, -4));
}

/* Lookup of the key at fp-4 in the map in r1 (already loaded); r0 = 1 when found (value read). */
static void emit_lookup_r1(struct hb_prog *p)
{
	EMIT(p, MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem),
	     JMP_IMM(BPF_JEQ, 0, 0, 2), LDX(BPF_DW, 1, 0, 0), MOV64_IMM(0, 1), EXIT());
}

static void emit_lookup(struct hb_prog *p, int map_fd)
{
	EMIT(p, LD_MAP(1, map_fd));
	emit_lookup_r1(p);
}

/* Update (BPF_ANY) of the key at fp-4 with the value at fp-16 in the map in r1. */
static void emit_update_r1(struct hb_prog *p)
{
	EMIT(p, MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10),
	     ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, BPF_ANY), CALL(BPF_FUNC_map_update_elem));
}

/* r1 = the inner map of @outer_fd's key 0, or exit with r0 = 0. Clobbers fp-8. */
static void emit_inner(struct hb_prog *p, int outer_fd)
{
	EMIT(p, ST(BPF_W, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
	     LD_MAP(1, outer_fd), CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 2),
	     MOV64_IMM(0, 0), EXIT(), MOV64_REG(1, 0));
}

/*
 * LPM key {prefixlen 32, address}: r = prandom; the address of prefix
 * (r & (n - 1)) in its low 24 bits (hb_lpm_addr), r's top byte as the host
 * byte, so every lookup hits a stored /24.
 */
static void emit_lpm_key(struct hb_prog *p, uint32_t n, bool host_byte)
{
	EMIT(p, CALL(BPF_FUNC_get_prandom_u32), STX(BPF_DW, 10, 0, -16), MOV64_REG(1, 0),
	     ALU64_IMM(BPF_AND, 1, (int32_t)(n - 1)), ALU64_IMM(BPF_MUL, 1, HB_LPM_MUL),
	     ALU64_IMM(BPF_AND, 1, 0xffffff));
	if (host_byte)
		EMIT(p, ALU64_IMM(BPF_AND, 0, (int32_t)0xff000000), ALU64_REG(BPF_OR, 1, 0));
	EMIT(p, STX(BPF_W, 10, 1, -4), ST(BPF_W, 10, -8, host_byte ? 32 : 24), MOV64_REG(2, 10),
	     ALU64_IMM(BPF_ADD, 2, -8));
}

/* The rolling key: this CPU's counter, then (counter & window) | cpu << 14, at fp-4. */
static void emit_rolling_key(struct hb_prog *p, const struct hb_engine *e)
{
	EMIT(p, ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
	     LD_MAP(1, e->map[M_COUNTER]), CALL(BPF_FUNC_map_lookup_elem),
	     JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(), LDX(BPF_DW, 6, 0, 0),
	     MOV64_REG(1, 6), ALU64_IMM(BPF_ADD, 1, 1), STX(BPF_DW, 0, 1, 0),
	     CALL(BPF_FUNC_get_smp_processor_id), ALU64_IMM(BPF_AND, 0, 1),
	     ALU64_IMM(BPF_LSH, 0, 14), ALU64_IMM(BPF_AND, 6, (int32_t)(HB_ROLL_WINDOW - 1)),
	     ALU64_REG(BPF_OR, 6, 0), STX(BPF_W, 10, 6, -4), STX(BPF_DW, 10, 6, -16));
}

/* 64 bytes of stack (fp-80..-16) as the record. */
static void emit_stack_record(struct hb_prog *p)
{
	for (int off = -80; off < -16; off += 8)
		EMIT(p, ST(BPF_DW, 10, (int16_t)off, off));
}

static void emit_tail_call(struct hb_prog *p, int map_fd, int slot)
{
	EMIT(p, LD_MAP(2, map_fd), MOV64_IMM(3, slot), CALL(BPF_FUNC_tail_call));
}

static void build_xdp_parse(struct hb_prog *p)
{
	/* r2 = data, r3 = data_end; 42 bytes (Ethernet, IPv4, UDP) or XDP_DROP. */
	EMIT(p, LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 42),
	     JMP_REG(BPF_JGT, 4, 3, 13), LDX(BPF_H, 5, 2, 12), JMP_IMM(BPF_JNE, 5, 0x0008, 13),
	     LDX(BPF_B, 5, 2, 14), ALU64_IMM(BPF_AND, 5, 0xf), JMP_IMM(BPF_JNE, 5, 5, 10),
	     LDX(BPF_B, 5, 2, 23), JMP_IMM(BPF_JNE, 5, 17, 8), LDX(BPF_H, 5, 2, 36),
	     JMP_IMM(BPF_JNE, 5, 0x3500, 2), MOV64_IMM(0, XDP_PASS), EXIT(), MOV64_IMM(0, XDP_TX),
	     EXIT(), MOV64_IMM(0, XDP_DROP), EXIT(), MOV64_IMM(0, XDP_PASS), EXIT());
}

void hb_build(struct hb_prog *p, const struct hb_workload *w, const struct hb_engine *e)
{
	int fd = w->map < M_COUNT ? e->map[w->map] : -1;

	p->cnt = 0;
	switch (w->kind) {
	case K_EMPTY:
		EMIT(p, MOV64_IMM(0, 0), EXIT());
		break;
	case K_PRANDOM:
		emit_key(p);
		EMIT(p, MOV64_IMM(0, 0), EXIT());
		break;
	case K_READ:
	case K_XDP_HASH:
		emit_key(p);
		emit_lookup(p, fd);
		break;
	case K_UPDATE:
		emit_key(p);
		EMIT(p, LD_MAP(1, fd));
		emit_update_r1(p);
		EMIT(p, EXIT());
		break;
	case K_UPDATE_READ:
		emit_key(p);
		EMIT(p, LD_MAP(1, fd));
		emit_update_r1(p);
		emit_lookup(p, fd);
		break;
	case K_ROLLING_LRU:
		/* Found: r0 = 1; a miss: the update's result (0). */
		emit_rolling_key(p, e);
		EMIT(p, MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, fd),
		     CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_IMM(0, 1),
		     EXIT(), LD_MAP(1, fd));
		emit_update_r1(p);
		EMIT(p, EXIT());
		break;
	case K_SMP_ID:
	case K_KTIME:
		EMIT(p, CALL(w->kind == K_SMP_ID ? BPF_FUNC_get_smp_processor_id :
						   BPF_FUNC_ktime_get_ns),
		     STX(BPF_DW, 10, 0, -8), MOV64_IMM(0, 0), EXIT());
		break;
	case K_MIM_READ:
		emit_key(p);
		emit_inner(p, fd);
		emit_lookup_r1(p);
		break;
	case K_MIM_UPDATE:
		emit_key(p);
		emit_inner(p, fd);
		emit_update_r1(p);
		EMIT(p, EXIT());
		break;
	case K_TAIL:
	case K_TAIL_CHAIN:
		emit_tail_call(p, fd, 0);
		EMIT(p, MOV64_IMM(0, 0), EXIT());
		break;
	case K_TAIL_LIMIT:
		hb_build_loop(p, e);
		break;
	case K_LPM_READ:
		emit_lpm_key(p, hb_maps[w->map].nprefixes, true);
		EMIT(p, LD_MAP(1, fd), CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 2),
		     LDX(BPF_DW, 1, 0, 0), MOV64_IMM(0, 1), EXIT());
		break;
	case K_LPM_UPDATE:
		/* Replaces an existing /24 (the key prefix itself), value the random number. */
		emit_lpm_key(p, hb_maps[w->map].nprefixes, false);
		EMIT(p, MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, BPF_ANY),
		     LD_MAP(1, fd), CALL(BPF_FUNC_map_update_elem), EXIT());
		break;
	case K_RINGBUF:
	case K_RINGBUF_FULL:
		emit_stack_record(p);
		EMIT(p, LD_MAP(1, fd), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -80),
		     MOV64_IMM(3, (int32_t)w->size), MOV64_IMM(4, HB_RB_NO_WAKEUP),
		     CALL(BPF_FUNC_ringbuf_output), EXIT());
		break;
	case K_RINGBUF_MAP:
		/* The record is the first @size bytes of the record map's only value. */
		EMIT(p, ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		     LD_MAP(1, e->map[M_RECORD]), CALL(BPF_FUNC_map_lookup_elem),
		     JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 1), EXIT(), MOV64_REG(2, 0),
		     LD_MAP(1, fd), MOV64_IMM(3, (int32_t)w->size), MOV64_IMM(4, HB_RB_NO_WAKEUP),
		     CALL(BPF_FUNC_ringbuf_output), EXIT());
		break;
	case K_XDP_EMPTY:
		EMIT(p, MOV64_IMM(0, XDP_PASS), EXIT());
		break;
	case K_XDP_PARSE:
		build_xdp_parse(p);
		break;
	}
}

void hb_build_chain(struct hb_prog *p, int slot, const struct hb_engine *e)
{
	p->cnt = 0;
	if (slot + 1 < HB_CHAIN) {
		emit_tail_call(p, e->map[M_CHAIN], slot + 1);
		EMIT(p, MOV64_IMM(0, 0), EXIT());
	} else {
		EMIT(p, MOV64_IMM(0, 1), EXIT());
	}
}

void hb_build_loop(struct hb_prog *p, const struct hb_engine *e)
{
	p->cnt = 0;
	emit_tail_call(p, e->map[M_LOOP], 0);
	EMIT(p, MOV64_IMM(0, 1), EXIT());
}
