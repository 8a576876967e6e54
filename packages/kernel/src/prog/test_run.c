// SPDX-License-Identifier: MIT
/*
 * Running a program: the common path every invocation takes (hooks and
 * test runs), and BPF_PROG_TEST_RUN with ctx/data in and out, repeat and
 * duration, as Linux's bpf_prog_test_run_*.
 */
#include "prog_internal.h"
#include "../ext/registrar.h"

/* The pointer fields of @t a program may load whole (interp.h: ctx_ptr32_read). */
static uint32_t ptr32_readable(const struct bh_prog_type *t)
{
	uint32_t m = t->ctx_ptr32_mask, ok = 0;

	if (!t->ctx_rules)
		return 0;	/* any access inside the context: the interpreter's general path */
	while (m) {
		uint32_t i = (uint32_t)__builtin_ctz(m), off = t->ctx_ptr32_base + 4 * i;

		m &= m - 1;
		/* A rule bit is set only where the whole access fits in the context. */
		if (4 * i < t->ctx_ptr32_span && off < t->ctx.size && (t->ctx_rules[off] & BH_CTX_READ(4)))
			ok |= 1u << i;
	}
	return ok;
}

/* The part of a run that stays the same from one run of @prog on @ctx to the next. */
static void run_setup(struct bh_run *run, const struct bh_prog *prog, void *ctx, uint32_t insn_budget)
{
	const struct bh_prog_type *t = prog->ptype;

	bh_run_init(run, prog, ctx, t->ctx.size);
	run->insn_budget = insn_budget;
	run->ctx_rules = t->ctx_rules;
	run->ctx_atomics = !t->ctx_field_cnt;
	run->ctx_ptr32_span = t->ctx_ptr32_span;
	run->ctx_ptr32_base = t->ctx_ptr32_base;
	run->ctx_ptr32_mask = t->ctx_ptr32_mask;
	run->ctx_ptr32_read = t->ctx_ptr32_span ? ptr32_readable(t) : 0;
}

/*
 * Runs @prog once on a run state from run_setup (or the previous run of
 * the same program and context): resets what a run changes (the program a
 * tail call switched to, what helpers handed out, the fault) and reads the
 * packet again, where the last run (bpf_xdp_adjust_head ...) left it.
 */
static inline int run_once(struct bh_run *run, const struct bh_prog *prog, void *ctx, uint32_t *retval)
{
	const struct bh_prog_type *t = prog->ptype;
	uint64_t r0;

	if (unlikely(atomic_load_explicit(&t->gone, memory_order_acquire)))
		return bh_err(-ENODEV, "program '%s': its program type '%s' (%u) was unloaded with its "
			      "module", prog->name, t->name, t->type);
	bh_run_reset(run, prog);
	if (t->packet) {
		t->packet(ctx, &run->pkt);
	} else if (t->ctx.data >= 0) {
		uintptr_t data, end;

		plat_memcpy(&data, (uint8_t *)ctx + t->ctx.data, sizeof(data));
		plat_memcpy(&end, (uint8_t *)ctx + t->ctx.end, sizeof(end));
		if (data && end >= data) {
			run->pkt.start = data;
			run->pkt.end = end;
			run->pkt.writable = true;
		} else {
			run->pkt.start = run->pkt.end = 0;
			run->pkt.writable = false;
		}
	}
	r0 = bh_interp_run(run, (uint64_t)(uintptr_t)ctx, 0);
	if (unlikely(run->err))
		return bh_prog_fault_source(run->prog, run->pc, run->err);
	*retval = (uint32_t)r0;
	return 0;
}

int bh_prog_run(const struct bh_prog *prog, void *ctx, uint32_t insn_budget, uint32_t *retval)
{
	struct bh_run run;

	run_setup(&run, prog, ctx, insn_budget);
	return run_once(&run, prog, ctx, retval);
}

/* The core's test-run context when the type has no context_create: ctx_in + a packet copy. */
struct default_ctx {
	uint8_t *packet;
	size_t packet_len;
	uint8_t ctx[];
};

static int default_create(const struct bh_prog_type *t, const uint8_t *data, size_t data_size,
			  const uint8_t *ctx_in, size_t ctx_size, void **context)
{
	struct default_ctx *c;

	if (ctx_size > t->ctx.size)
		return bh_err(-EINVAL, "BPF_PROG_TEST_RUN: ctx_size_in %zu is larger than the context "
			      "of program type '%s' (%u bytes)", ctx_size, t->name, t->ctx.size);
	if (data_size && t->ctx.data < 0)
		return bh_err(-EINVAL, "BPF_PROG_TEST_RUN: program type '%s' has no packet data; pass "
			      "the context in ctx_in", t->name);
	c = plat_alloc(sizeof(*c) + t->ctx.size + data_size + 1);
	if (!c)
		return bh_err(-ENOMEM, "BPF_PROG_TEST_RUN: out of memory");
	if (ctx_size)
		plat_memcpy(c->ctx, ctx_in, ctx_size);
	c->packet = c->ctx + t->ctx.size;
	c->packet_len = data_size;
	if (data_size)
		plat_memcpy(c->packet, data, data_size);
	if (t->ctx.data >= 0) {
		uintptr_t start = (uintptr_t)c->packet, end = start + data_size;

		plat_memcpy(c->ctx + t->ctx.data, &start, sizeof(start));
		plat_memcpy(c->ctx + t->ctx.end, &end, sizeof(end));
		if (t->ctx.meta >= 0)
			plat_memcpy(c->ctx + t->ctx.meta, &start, sizeof(start));
	}
	*context = c->ctx;
	return 0;
}

static void default_destroy(const struct bh_prog_type *t, void *context, uint8_t *data_out,
			    size_t *data_size_out, uint8_t *ctx_out, size_t *ctx_size_out)
{
	struct default_ctx *c = container_of((uint8_t *)context, struct default_ctx, ctx[0]);
	size_t n = c->packet_len < *data_size_out ? c->packet_len : *data_size_out;

	if (data_out)
		plat_memcpy(data_out, c->packet, n);
	*data_size_out = c->packet_len;
	/* Pointers mean nothing to the caller: zero them in ctx_out. */
	if (t->ctx.data >= 0) {
		plat_memset(c->ctx + t->ctx.data, 0, 8);
		plat_memset(c->ctx + t->ctx.end, 0, 8);
		if (t->ctx.meta >= 0)
			plat_memset(c->ctx + t->ctx.meta, 0, 8);
	}
	n = t->ctx.size < *ctx_size_out ? t->ctx.size : *ctx_size_out;
	if (ctx_out)
		plat_memcpy(ctx_out, c->ctx, n);
	*ctx_size_out = ctx_out ? t->ctx.size : 0;
	plat_free(c);
}

/* The program type's test-run context from the caller's data and ctx: 0 or the refusal. */
static int create_context(const struct bh_prog *prog, const union bpf_attr *attr, void **ctx)
{
	const uint8_t *data_in = u64_to_ptr(attr->test.data_in), *ctx_in = u64_to_ptr(attr->test.ctx_in);
	const struct bh_prog_type *t = prog->ptype;
	char why[256];
	int err;

	uint32_t ctx_size_in = attr->test.ctx_size_in;
	uint8_t zero_ctx[256] = { 0 };

	*ctx = NULL;
	bh_err_clear();
	/*
	 * Linux's bpf_ctx_init: ctx_out without ctx_in runs on a zeroed
	 * context (for XDP, data_end 0: the frame in fragments). Built-in
	 * types follow it; extensions keep their contract (no ctx_in).
	 */
	if (!ctx_in && attr->test.ctx_out && !t->provider && t->ctx.size <= sizeof(zero_ctx)) {
		ctx_in = zero_ctx;
		ctx_size_in = t->ctx.size;
	}
	if (t->ctx_create)
		err = t->ctx_create(t->binding_context, data_in, attr->test.data_size_in, ctx_in,
				    ctx_size_in, ctx);
	else
		err = default_create(t, data_in, attr->test.data_size_in, ctx_in, ctx_size_in, ctx);
	if (!err && !*ctx)
		return bh_err(-EINVAL, "BPF_PROG_TEST_RUN: program '%s': context_create of type '%s' "
			      "returned no context", prog->name, t->name);
	if (!err)
		return 0;
	/* A provider cannot set the core's message: then say what it returned. */
	if (bpfhost_last_error()[0])
		plat_snprintf(why, sizeof(why), "%s", bpfhost_last_error());
	else
		plat_snprintf(why, sizeof(why), "context_create of program type '%s' returned %d", t->name,
			      err);
	return bh_err(err < 0 ? err : -EINVAL, "BPF_PROG_TEST_RUN: program '%s': could not build its "
		      "context: %s", prog->name, why);
}

#define TEST_RUN_QUIESCE_EVERY 1024u	/* runs between two epoch quiescent points */

int bh_prog_test_run(union bpf_attr *attr, union bpf_attr *uattr)
{
	const uint8_t *data_in = u64_to_ptr(attr->test.data_in), *ctx_in = u64_to_ptr(attr->test.ctx_in);
	uint8_t *data_out = u64_to_ptr(attr->test.data_out), *ctx_out = u64_to_ptr(attr->test.ctx_out);
	uint32_t repeat = attr->test.repeat ? attr->test.repeat : 1, retval = 0;
	uint32_t budget = attr->test.insn_budget ? attr->test.insn_budget : BPFHOST_INSN_BUDGET_DEFAULT;
	size_t data_size_out = attr->test.data_size_out, ctx_size_out = attr->test.ctx_size_out;
	const struct bh_prog_type *t;
	struct bh_module *busy;
	struct bh_prog *prog;
	struct bh_redirect redirect = { BPFHOST_REDIRECT_NONE, 0, 0, 0, 0 };
	struct bh_run run;
	uint64_t start, total = 0;
	void *ctx = NULL;
	int err;

	err = bh_prog_from_handle((int)attr->test.prog_fd, "BPF_PROG_TEST_RUN", &prog);
	if (err)
		return err;
	t = prog->ptype;
	if (t->test_run_check) {
		err = t->test_run_check(prog);
		if (err)
			return err;
	}
	if (attr->test.flags || attr->test.cpu || attr->test.batch_size)
		return bh_err(-EINVAL, "BPF_PROG_TEST_RUN: program '%s': flags, cpu and batch_size "
			      "must be 0 (runs happen on the calling thread)", prog->name);
	if ((attr->test.data_size_in && !data_in) || (attr->test.ctx_size_in && !ctx_in))
		return bh_err(-EFAULT, "BPF_PROG_TEST_RUN: program '%s': a size_in without its buffer",
			      prog->name);
	if ((!data_out && attr->test.data_size_out) || (!ctx_out && attr->test.ctx_size_out))
		return bh_err(-EINVAL, "BPF_PROG_TEST_RUN: program '%s': a size_out without its buffer",
			      prog->name);
	if (!data_out)
		data_size_out = 0;
	if (!ctx_out)
		ctx_size_out = 0;
	if (atomic_load(&t->gone))
		return bh_err(-ENODEV, "program '%s': its program type '%s' (%u) was unloaded",
			      prog->name, t->name, t->type);
	/*
	 * The loop leaves the epoch now and then, so a forced unload could
	 * otherwise unmap the module before context_destroy: keep it busy (its
	 * unload waits), counted inside the epoch in which the type was alive.
	 */
	busy = t->provider ? t->provider->module : NULL;
	if (busy)
		atomic_fetch_add(&busy->busy, 1);
	err = create_context(prog, attr, &ctx);
	if (!err) {
		/*
		 * Hold the program for the loop: it leaves the epoch now and then
		 * so that what its runs retire (replaced hash elements ...) is
		 * freed, as Linux's test-run loop lets RCU run when it reschedules.
		 */
		bh_object_get(&prog->obj);
		start = plat_ktime_ns();
		/* Every repeat runs on the same context: its fixed part of the run state is set once. */
		run_setup(&run, prog, ctx, budget);
		for (uint32_t i = 0; i < repeat && !err; i++) {
			err = run_once(&run, prog, ctx, &retval);
			if ((i & (TEST_RUN_QUIESCE_EVERY - 1)) == TEST_RUN_QUIESCE_EVERY - 1)
				epoch_quiesce();
		}
		total = plat_ktime_ns() - start;
		if (!err && t->redirect)
			t->redirect(ctx, retval, &redirect);
		if (t->ctx_destroy)
			t->ctx_destroy(t->binding_context, ctx, data_out, &data_size_out, ctx_out,
				       &ctx_size_out);
		else
			default_destroy(t, ctx, data_out, &data_size_out, ctx_out, &ctx_size_out);
		bh_object_put(&prog->obj);
	}
	if (busy)
		atomic_fetch_sub(&busy->busy, 1);
	if (err)
		return err;
	uattr->test.retval = retval;
	uattr->test.duration = total / repeat > UINT32_MAX ? UINT32_MAX : (uint32_t)(total / repeat);
	uattr->test.data_size_out = (uint32_t)data_size_out;
	uattr->test.ctx_size_out = (uint32_t)ctx_size_out;
	uattr->test.redirect_kind = redirect.kind;
	uattr->test.redirect_target = redirect.target;
	uattr->test.redirect_map_id = redirect.map_id;
	uattr->test.redirect_key = redirect.key;
	uattr->test.redirect_flags = redirect.flags;
	if (data_out && data_size_out > attr->test.data_size_out)
		return bh_err(-ENOSPC, "BPF_PROG_TEST_RUN: program '%s': data_out holds %u bytes, the "
			      "data is %zu", prog->name, attr->test.data_size_out, data_size_out);
	if (ctx_out && ctx_size_out > attr->test.ctx_size_out)
		return bh_err(-ENOSPC, "BPF_PROG_TEST_RUN: program '%s': ctx_out holds %u bytes, the "
			      "context is %zu", prog->name, attr->test.ctx_size_out, ctx_size_out);
	return 0;
}
