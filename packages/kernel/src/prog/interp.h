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
/* Stack of all frames: the interpreter's, MAX_CALL_FRAMES x MAX_BPF_STACK. */
#define BH_RUN_STACK_SIZE (MAX_CALL_FRAMES * MAX_BPF_STACK)

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
	struct bh_region pkt;		/* data..end, set by the caller; empty if none */
	struct bh_region dyn[BH_RUN_DYN_REGIONS];
	uint32_t dyn_next;		/* next dyn slot to overwrite */
	uint32_t tail_calls;		/* taken so far (limit MAX_TAIL_CALL_CNT) */
	uint32_t pc;			/* instruction index of the current call/fault */
	int err;			/* 0, or why the program stopped */
};

/* Starts a run state for @prog on context [ctx, ctx + ctx_size). */
static inline void bh_run_init(struct bh_run *run, const struct bh_prog *prog, void *ctx,
			       size_t ctx_size)
{
	plat_memset(run, 0, sizeof(*run));
	run->prog = prog;
	run->ctx.start = (uintptr_t)ctx;
	run->ctx.end = (uintptr_t)ctx + ctx_size;
	run->ctx.writable = true;
	run->ctx_rules = NULL;
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

/* An atomic operation at @addr that the context rules refuse (Linux refuses them all). */
static inline bool bh_run_ctx_atomic_refused(const struct bh_run *run, uintptr_t addr)
{
	return run->ctx_rules && !run->ctx_atomics && addr - run->ctx.start < run->ctx.end - run->ctx.start;
}

/* Records a region a helper handed out (a map value, a ringbuf record). */
static inline void bh_run_add_region(struct bh_run *run, uintptr_t start, size_t size,
				     bool writable)
{
	struct bh_region *r = &run->dyn[run->dyn_next++ % BH_RUN_DYN_REGIONS];

	r->start = start;
	r->end = start + size;
	r->writable = writable;
	r->map = false;
}

/* Forgets a region (a submitted or discarded ringbuf record). */
static inline void bh_run_drop_region(struct bh_run *run, uintptr_t start)
{
	for (uint32_t i = 0; i < BH_RUN_DYN_REGIONS; i++)
		if (run->dyn[i].start == start)
			run->dyn[i].start = run->dyn[i].end = 0;
}

/* May the program read (or write) [addr, addr + size)? The slow path of every access. */
bool bh_run_access_ok(const struct bh_run *run, uintptr_t addr, size_t size, bool write);

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
