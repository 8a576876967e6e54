/* SPDX-License-Identifier: MIT */
/*
 * What the verifier's files share while checking one program: the program,
 * its CFG, the state of the path being walked, the worklist of branches
 * still to walk, the states proven safe so far, and the log. Only the
 * verifier's own files include this; BPF_PROG_LOAD calls verifier.h.
 */
#ifndef BPFHOST_VERIFIER_ENV_H
#define BPFHOST_VERIFIER_ENV_H

#include "cfg.h"
#include "state.h"
#include "verifier.h"
#include "../core/internal.h"
#include "../maps/map.h"
#include "../prog/prog_internal.h"

/* Linux's limits (kernel/bpf/verifier.c): processed instructions, pending branches. */
#define BH_VERIFY_INSN_LIMIT 1000000u
#define BH_VERIFY_BRANCH_LIMIT 8192u
/* Offsets a pointer may carry (Linux's BPF_MAX_VAR_OFF) and sizes a helper may take (BPF_MAX_VAR_SIZ). */
#define BH_MAX_VAR_OFF (1 << 29)
#define BH_MAX_VAR_SIZE (1u << 29)
/* The packet offsets a proven range may reach (Linux's MAX_PACKET_OFF). */
#define BH_MAX_PACKET_OFF 0xffff

/*
 * A branch not walked yet: its first instruction and its state (an arena
 * block: the worklist stays small to grow, and a push or pop moves only
 * the state's used part, bh_state_move()).
 */
struct bh_pending {
	uint32_t insn;
	uint32_t log_pos;	/* level 1 keeps only the failing path: rewind to here */
	struct bh_state *st;
};

/*
 * A state reached at a prune point; `done` once every path from it is proven safe.
 * Stack liveness (as Linux's REG_LIVE_READ on stack slots): `live` gathers the
 * slots its continuations read before writing them; a read on the path marks
 * the last saved state and its ancestors up to the one before which the slot
 * was wholly written (`written`: the slots written between `parent` and it).
 */
struct bh_explored {
	struct bh_explored *next;
	struct bh_explored *parent;	/* the state saved before it on its path */
	uint64_t live[MAX_CALL_FRAMES];
	uint64_t written[MAX_CALL_FRAMES];
	uint32_t wl_depth;	/* worklist length when it was saved (see verifier.c) */
	uint32_t hit, miss;	/* prunes it made, comparisons it failed (eviction, see verifier.c) */
	bool done;
	struct bh_state st;
};

struct bh_venv {
	struct bh_prog *prog;
	const char *name;
	const struct bpf_insn *insns;
	uint32_t len;
	const struct bh_verify_opts *opts;
	bool priv;			/* privileged (Linux with CAP_BPF and CAP_PERFMON) */
	struct bh_cfg cfg;
	struct bh_varena arena;		/* every state's memory (arena.h) */

	struct bh_state cur;
	uint32_t insn;			/* the instruction being checked */
	uint32_t next_id;		/* ids of values (NULL checks, packet ranges, references) */

	struct bh_pending *wl;
	uint32_t wl_len, wl_cap;
	struct bh_explored **explored;	/* per instruction, at prune points */
	struct bh_explored **pending_saved;	/* saved states not done yet, oldest first */
	uint32_t pending_len, pending_cap;
	uint32_t *subprog_depth;	/* deepest stack byte per sub-program */

	uint64_t processed;
	uint32_t states, peak_states;
	uint32_t live_states;		/* saved and not dropped: what BH_EXPLORED_MAX bounds */
	uint32_t max_per_insn;		/* the most states saved at one instruction (the log's statistics) */
	uint32_t stack_reach;		/* see struct bh_verify_stats */
	/* Loaded values of 1, 2, 4 bytes, [sign][size / 2]: the same every time (mem.c). */
	struct bh_scalar sized[2][3];
	uint8_t sized_ready;		/* bit 3 * sign + size / 2: computed */
	struct bh_alu_memo *alu_memo;	/* costly ALU results (alu.c), from the arena when first needed */
	struct bh_branch_memo *branch_memo;	/* refined jumps between scalars (jump.c), the same way */

	/* The log buffer the caller gave (level 1 or 2) and how far it is written. */
	char *log;
	uint32_t log_size, log_pos;
	uint32_t log_level;
	bool log_truncated;
};

static inline struct bh_frame *bh_cur_frame(struct bh_venv *env)
{
	return env->cur.frames[env->cur.nframes - 1];
}

static inline struct bh_reg *bh_cur_reg(struct bh_venv *env, unsigned r)
{
	return &bh_cur_frame(env)->regs[r];
}

/* A refusal of the instruction being checked: the message, also at the end of the log. */
int bh_verr(struct bh_venv *env, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends to the log (no-op without one). */
void bh_vlog(struct bh_venv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "5: (61) r2 = *(u32 *)(r1 +76)" for instruction @i. */
void bh_vlog_insn(struct bh_venv *env, uint32_t i);
/* The registers (and spilled slots) of the current frame that hold something. */
void bh_vlog_state(struct bh_venv *env, const struct bh_state *st);

/* Reading @r as a source: refused when never written (the refusal out of line: every read checks). */
int bh_reg_init_err(struct bh_venv *env, unsigned r);
static inline int bh_check_reg_init(struct bh_venv *env, unsigned r)
{
	if (r < MAX_BPF_REG && bh_cur_reg(env, r)->kind != BH_REG_NOT_INIT)
		return 0;
	return bh_reg_init_err(env, r);
}
/* A fresh id for a value whose copies must be linked. */
static inline uint32_t bh_new_id(struct bh_venv *env)
{
	return ++env->next_id;
}

/* The instruction kinds (alu.c, mem.c, jump.c, call.c). */
int bh_check_alu(struct bh_venv *env, const struct bpf_insn *insn);
int bh_check_lddw(struct bh_venv *env, const struct bpf_insn *insn);
int bh_check_load(struct bh_venv *env, const struct bpf_insn *insn);
int bh_check_store(struct bh_venv *env, const struct bpf_insn *insn);
int bh_check_atomic(struct bh_venv *env, const struct bpf_insn *insn);
int bh_check_ld_abs(struct bh_venv *env, const struct bpf_insn *insn);
/*
 * A conditional jump: refines the current state for the fall-through and
 * pushes the taken side (or follows only the side that can happen).
 * *@next is where the current path continues.
 */
int bh_check_cond_jump(struct bh_venv *env, const struct bpf_insn *insn, uint32_t *next);
int bh_check_helper_call(struct bh_venv *env, const struct bpf_insn *insn);
/* bpf_loop (loop.c): the call, a callback's return, and whether @old covers a callback entry. */
int bh_check_loop_call(struct bh_venv *env, const struct bpf_insn *insn, uint32_t *next);
int bh_callback_exit(struct bh_venv *env, uint32_t *next);
bool bh_callback_entry_covered(struct bh_venv *env, uint32_t i, const struct bh_state *old);
/* The pending branch at @insn with state @st, which it takes over (freed on failure too). */
int bh_push_branch(struct bh_venv *env, uint32_t insn, struct bh_state *st);

/*
 * Memory of @size bytes at @reg + @off, as a helper argument or an access
 * (mem.c): checks bounds and kind, marks stack bytes written when @write.
 * @what names the access for messages ("read", "helper bpf_x arg 2").
 */
enum bh_access { BH_READ, BH_WRITE, BH_HELPER_READ, BH_HELPER_WRITE };
int bh_check_mem_range(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
		       uint64_t size_max, bool zero_ok, enum bh_access access, const char *what);

/* Unknown scalar of @size bytes, zero- or sign-extended (loads). */
struct bh_reg bh_reg_sized_unknown(struct bh_venv *env, unsigned size, bool sign);

/* The program reads bytes [@lo, @hi) (negative, from r10) of frame @frameno's stack (verifier.c). */
void bh_stack_mark_read(struct bh_venv *env, uint32_t frameno, int64_t lo, int64_t hi);

/* The kind of a context load at @off of @size bytes that yields a packet pointer, or 0 (ctx.c). */
enum bh_reg_kind bh_ctx_packet_field(const struct bh_prog_type *t, int32_t off, unsigned size);
/* Whether programs of @t may write the packet / access it at all. */
bool bh_packet_writable(const struct bh_prog_type *t);

/* References (refs.c). */
/* @kfunc: the acquiring kfunc's bh_helper, or NULL for a ring buffer record. */
int bh_ref_acquire(struct bh_venv *env, const void *kfunc, uint32_t *id);
/* "the ring buffer record reserved at insn 4" / "the reference kfunc x returned at insn 4", into @buf. */
const char *bh_ref_describe(const struct bh_ref *ref, char *buf, size_t size);
int bh_ref_release(struct bh_venv *env, uint32_t ref_id);
int bh_refs_check_exit(struct bh_venv *env, const char *where);

/* A map's name for messages. */
static inline const char *bh_vmap_name(const void *map)
{
	return map ? ((const struct bh_map *)map)->name : "?";
}

#endif /* BPFHOST_VERIFIER_ENV_H */
