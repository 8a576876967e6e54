/* SPDX-License-Identifier: MIT */
/*
 * vprog_gen's building blocks (vprog_emit.c): the generator's state, the
 * instruction emitters, scalar sources, bound checks, regions (a pointer
 * and the bytes it may reach) and accesses. The snippets and the program's
 * layout are in vprog_gen.c.
 */
#ifndef BPFHOST_FUZZ_VPROG_EMIT_H
#define BPFHOST_FUZZ_VPROG_EMIT_H

#include "vprog_gen.h"

#define MAIN_CAP 560u
#define SUB_CAP 220u
#define SNIP_ROOM 96u		/* instructions the largest snippet may emit */
#define SUBS_MAX 2u
#define CALLS_MAX 16u
#define LABEL_MAX 12u
/*
 * The verifier walks every path through a loop (no precision tracking, see
 * known_findings.h F2): branches before loops multiply its work, so a
 * program gets at most this many loops, or long inputs time out under ASan.
 */
#define LOOPS_MAX 2u

#define BIT(r) (1u << (r))
#define INSN(c, d, s, o, i)                                                                \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* Frame layout (offsets from r10). */
#define BUF_OFF (-128)		/* 64-byte buffer, zeroed by the prologue */
#define BUF_SIZE 64
#define SPILL_OFF (-176)	/* six spill slots: -176 .. -129 */
#define SPILL_SLOTS 6
#define CALLER_SLOT (-184)	/* subprograms: the caller's buffer pointer */
#define RECORD_SLOT (-192)	/* a reserved ring buffer record */

struct vfunc {
	struct bpf_insn insns[MAIN_CAP];
	uint32_t len, cap;
	uint32_t call_at[CALLS_MAX], call_to[CALLS_MAX], ncalls;
	bool sub;
};

/* A forward jump target: the jumps recorded land where land() is called. */
struct label {
	uint32_t at[LABEL_MAX];
	uint32_t n;
};

struct vgen {
	struct fuzz_bytes *in;
	const struct gen_env *env;
	struct gen_prog *out;
	struct vfunc f[1 + SUBS_MAX];
	struct vfunc *cur;
	uint32_t nsubs;
	uint8_t slip_rate;	/* out of 256 */
	uint8_t keep;		/* a scalar register snippets must not overwrite (a loop counter) */
	uint32_t loops;		/* counted loops so far (at most LOOPS_MAX: known finding F2) */
};

/* Where a pointer points and how many bytes it may reach from there. */
enum region { RG_ARRAY, RG_HASH, RG_GLOBAL, RG_STACK, RG_RECORD, RG_CALLER, RG_CNT };

static const uint8_t size_code[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const uint8_t size_bytes[] = { 1, 2, 4, 8 };

uint8_t vg_u8(struct vgen *g);
uint32_t vg_pick(struct vgen *g, uint32_t n);
bool vg_slip(struct vgen *g);
void vg_e(struct vgen *g, struct bpf_insn insn);
void vg_mov_imm(struct vgen *g, uint8_t dst, int32_t v);
void vg_mov_reg(struct vgen *g, uint8_t dst, uint8_t src);
void vg_alu_imm(struct vgen *g, uint8_t op, uint8_t dst, int32_t v);
void vg_call(struct vgen *g, int32_t helper);
void vg_lddw(struct vgen *g, uint8_t dst, uint8_t src, int32_t lo, int32_t hi);
void vg_map_ld(struct vgen *g, uint8_t dst, enum gen_map m);
void vg_jump_to(struct vgen *g, struct label *l, struct bpf_insn insn);
void vg_land(struct vgen *g, struct label *l);
uint8_t vg_scalar_reg(struct vgen *g);
void vg_alu_random(struct vgen *g, uint8_t s);
int16_t vg_ctx_scalar_field(struct vgen *g);
void vg_pkt_ptr(struct vgen *g, uint8_t dst, int which);
void vg_src_scalar(struct vgen *g, uint8_t s);
void vg_check_bound(struct vgen *g, uint8_t s, int32_t lim, struct label *skip);
int32_t vg_region(struct vgen *g, enum region rg, uint8_t p, struct label *skip);
void vg_release_record(struct vgen *g);
enum region vg_any_region(struct vgen *g);
void vg_access(struct vgen *g, uint8_t p, int16_t off, uint8_t sz);
void vg_access_at(struct vgen *g, uint8_t p, int32_t size, int32_t lo, int32_t hi);
int32_t vg_nominal(enum region rg);
void vg_shape(struct vgen *g, uint8_t s, int32_t size, int32_t *lo, int32_t *hi);

#endif /* BPFHOST_FUZZ_VPROG_EMIT_H */
