/* SPDX-License-Identifier: MIT */
/*
 * The interpreter and the run state it shares with helper calls. Every
 * memory access of a program is checked against the regions it may touch:
 * the stack, the context, the packet, the program's global data, and the
 * map values and ring buffer records helpers handed out during this run.
 * A violation stops the program: run->err = -EFAULT and a message naming
 * the program and the instruction.
 */
#ifndef BPFHOST_INTERP_H
#define BPFHOST_INTERP_H

#include "prog.h"
#include "ctx_access.h"

/* Map values and records helpers returned, most recent kept. */
#define BH_RUN_DYN_REGIONS 32
/*
 * Frames a run may open: MAX_CALL_FRAMES of bpf-to-bpf calls, and one more
 * per tail call made so far. A tail call from a subprogram keeps the frames
 * below it, as Linux's JITs do, and its target (verified as if it started
 * at frame 0) may call again: the verifier cannot see that nesting, so the
 * run allows it, bounded by MAX_TAIL_CALL_CNT.
 */
#define BH_RUN_MAX_FRAMES (MAX_CALL_FRAMES + MAX_TAIL_CALL_CNT)
/* Stack of all frames: the interpreter's, BH_RUN_MAX_FRAMES x MAX_BPF_STACK. */
#define BH_RUN_STACK_SIZE (BH_RUN_MAX_FRAMES * MAX_BPF_STACK)

/* Ring buffer records a run may hold at once (reserved, not yet committed). */
#define BH_RUN_MAX_RECORDS 32

/*
 * A record bpf_ringbuf_reserve handed to this run: the core's own account
 * of it (which ring, where, how long), so that submit and discard never
 * trust anything a program can write.
 */
struct bh_run_record {
	uintptr_t start;		/* the payload */
	struct bh_map *ring;
	uint32_t size;
	uint32_t pc;			/* where it was reserved, for messages */
	bool committed;			/* submitted or discarded by the helper being called */
};

/* References acquiring kfuncs handed to a run that it may hold at once. */
#define BH_RUN_MAX_REFS 16

/*
 * A pointer an acquiring kfunc returned (ext/kfunc.h): the core's account of
 * it, so a release takes only a live one of its module and tag, and a run
 * that ends holding it has the module's releasing kfunc called for it.
 */
struct bh_run_ref {
	uintptr_t start;
	const struct bh_helper *kfunc;	/* the acquiring kfunc */
	uint32_t size;
	uint32_t pc;			/* where it was acquired, for messages */
	bool writable;
};

struct bh_run {
	const struct bh_prog *prog;	/* the program running now (tail calls change it) */
	struct bh_region stack;		/* set by the interpreter */
	struct bh_region ctx;		/* the context, set by the caller */
	/*
	 * The context rules of the program's type (ctx_access.h: which loads
	 * and stores may start at each context byte; packet pointers are never
	 * writable, since the core reads the packet range back from them).
	 * NULL: any access inside ctx (runs without a program type).
	 */
	const uint8_t *ctx_rules;
	bool ctx_atomics;		/* with rules: may atomics touch the context? */
	/*
	 * The first ctx_ptr32_span bytes of the context are u32 fields that
	 * hold packet pointers in the UAPI (struct xdp_md's data, data_end,
	 * data_meta), which Linux's verifier turns into pointer loads. Here a
	 * 4-byte load of the field at offset 4 * i yields the 64-bit pointer
	 * that the core keeps right after the context (uintptr_t[i] at
	 * ctx.end), out of the program's reach; the context rules allow only
	 * such whole 4-byte loads of these fields, and sign-extending ones
	 * fault (Linux's verifier refuses them). 0: no such fields.
	 * ctx_ptr32_base moves the span (struct __sk_buff's data is at 76);
	 * ctx_ptr32_mask says which 4-byte slots of it are pointer fields
	 * (bit i: the field at base + 4 * i; others load as plain fields).
	 */
	uint32_t ctx_ptr32_span;
	uint32_t ctx_ptr32_base;
	uint32_t ctx_ptr32_mask;
	/*
	 * The pointer fields of the mask whose whole 4-byte load the context
	 * rules allow (same bits), worked out once per run state so that the
	 * interpreter answers such a load with one test; 0: it asks the rules.
	 */
	uint32_t ctx_ptr32_read;
	struct bh_region pkt;		/* data..end, set by the caller; empty if none */
	uint32_t ref_cnt;		/* kfunc references held: refs[0, ref_cnt) */
	struct bh_region dyn[BH_RUN_DYN_REGIONS];
	uint32_t dyn_next;		/* next dyn slot to overwrite */
	uint32_t tail_calls;		/* taken so far (limit MAX_TAIL_CALL_CNT) */
	uint32_t pc;			/* instruction index of the current call/fault */
	uint32_t insn_budget;		/* instructions this run may execute (set by the caller) */
	uint32_t record_cnt;
	struct bh_run_record *arg_record; /* the record argument of the helper being called */
	struct bh_run_record records[BH_RUN_MAX_RECORDS]; /* [0, record_cnt) held */
	int err;			/* 0, or why the program stopped */
	struct bh_run_ref refs[BH_RUN_MAX_REFS];
};

/*
 * What one run of @prog changes in a run state (the program a tail call
 * switched to, what helpers handed out, the fault), reset for the next run
 * on the same context (test_run.c's repeats) or a new one.
 */
static inline void bh_run_reset(struct bh_run *run, const struct bh_prog *prog)
{
	run->prog = prog;
	run->ref_cnt = 0;
	run->dyn_next = 0;
	run->tail_calls = 0;
	run->pc = 0;
	run->err = 0;
	run->record_cnt = 0;
	run->arg_record = NULL;
}

/*
 * Starts a run state for @prog on context [ctx, ctx + ctx_size). Only the
 * fixed part is set: dyn[] and records[] are read below their counts only,
 * so short runs do not pay for clearing them.
 */
static inline void bh_run_init(struct bh_run *run, const struct bh_prog *prog, void *ctx,
			       size_t ctx_size)
{
	plat_memset(run, 0, offsetof(struct bh_run, dyn));
	bh_run_reset(run, prog);
	run->ctx.start = (uintptr_t)ctx;
	run->ctx.end = (uintptr_t)ctx + ctx_size;
	run->ctx.writable = true;
	run->ctx_rules = NULL;
	run->ctx_atomics = false;
	run->ctx_ptr32_span = 0;
	run->ctx_ptr32_base = 0;
	run->ctx_ptr32_mask = 0;
	run->ctx_ptr32_read = 0;
	run->insn_budget = BPFHOST_INSN_BUDGET_DEFAULT;
}

static inline bool bh_region_has(const struct bh_region *r, uintptr_t addr, size_t size,
				 bool write)
{
	return addr >= r->start && size <= r->end - r->start && addr - r->start <= r->end - r->start - size &&
	       (!write || r->writable);
}

/*
 * Is [addr, addr + size) in the context, and does a rule of its type allow
 * this load or store there? One lookup for the interpreter's sizes.
 */
static inline bool bh_run_ctx_has(const struct bh_run *run, uintptr_t addr, size_t size, bool write)
{
	uintptr_t off = addr - run->ctx.start;	/* below the context: wraps past its size */

	if (!run->ctx_rules)
		return bh_region_has(&run->ctx, addr, size, write);
	/* size - 1 < 8: 1..8 (0 wraps): a helper's empty range takes the byte loop. */
	if (likely(size - 1 < 8 && !(size & (size - 1))))
		/* A rule bit is set only where the whole access fits in the context. */
		return off < run->ctx.end - run->ctx.start &&
		       (run->ctx_rules[off] & (write ? BH_CTX_WRITE(size) : BH_CTX_READ(size)));
	return bh_region_has(&run->ctx, addr, size, write) && bh_ctx_bytes_ok(run->ctx_rules, off, size, write);
}

/*
 * If @addr is a 32-bit packet pointer field of the context (ctx_ptr32_span),
 * its slot's offset from ctx.end; else a value past any slot (UINTPTR_MAX).
 */
static inline uintptr_t bh_run_ctx_ptr32_slot(const struct bh_run *run, uintptr_t addr)
{
	uintptr_t o = addr - run->ctx.start - run->ctx_ptr32_base;

	if (o < run->ctx_ptr32_span && (run->ctx_ptr32_mask >> (o >> 2) & 1))
		return o * 2;
	return UINTPTR_MAX;
}

/* An atomic operation at @addr that the context rules refuse (Linux refuses them all). */
static inline bool bh_run_ctx_atomic_refused(const struct bh_run *run, uintptr_t addr)
{
	return run->ctx_rules && !run->ctx_atomics && addr - run->ctx.start < run->ctx.end - run->ctx.start;
}

/* Is [addr, addr + size) inside the record @r (records are always writable)? */
static inline bool bh_run_record_has(const struct bh_run_record *r, uintptr_t addr, size_t size)
{
	return addr >= r->start && size <= r->size && addr - r->start <= r->size - size;
}

/* How many dyn[] slots hold regions. */
static inline uint32_t bh_run_dyn_cnt(const struct bh_run *run)
{
	return run->dyn_next < BH_RUN_DYN_REGIONS ? run->dyn_next : BH_RUN_DYN_REGIONS;
}

/* Records a map value (or, with @map, an inner map) a helper handed out. */
static inline void bh_run_add_region(struct bh_run *run, uintptr_t start, size_t size,
				     bool writable, bool map)
{
	struct bh_region *r = &run->dyn[run->dyn_next++ % BH_RUN_DYN_REGIONS];

	r->start = start;
	r->end = start + size;
	r->writable = writable;
	r->map = map;
}

/* May the program read (or write) [addr, addr + size)? The slow path of every access. */
bool bh_run_access_ok(const struct bh_run *run, uintptr_t addr, size_t size, bool write);

/*
 * Discards, and counts on their rings, the records a run still holds when
 * it ends (a program that reserved and never committed), so no ring stays
 * blocked behind them; and passes each kfunc reference it still holds to
 * its module's releasing kfunc, so no module leaks. Each gets a trace line.
 * The interpreter calls it as a run ends holding either.
 */
void bh_run_release_records(struct bh_run *run);

/*
 * Runs run->prog with r1 = @r1, r2 = @r2 (r2 is for the conformance suite's
 * memory length; program types pass 0). Returns r0; run->err tells whether
 * the program completed. Call inside an epoch.
 */
uint64_t bh_interp_run(struct bh_run *run, uint64_t r1, uint64_t r2);

/*
 * Calls @h with r1..r5 = @args after checking them against its prototype
 * (helper_call.c). On a bad argument sets run->err (-EFAULT/-EINVAL) with a
 * message and returns 0; the interpreter then stops.
 */
uint64_t bh_helper_call(struct bh_run *run, const struct bh_helper *h, const uint64_t args[5]);

/* The run of the calling thread's current program, for helpers (NULL outside). */
struct bh_run *bh_run_current(void);

/* Stops the current program with @err and a message (for helpers); returns 0. */
uint64_t bh_run_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* BPFHOST_INTERP_H */
