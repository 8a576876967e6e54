// SPDX-License-Identifier: MIT
/*
 * The sample program type, its hook and its helpers through the public
 * library, with programs written in the conformance assembler syntax (the
 * clang-compiled programs under bpf/ are sample_ext_bpf_test's):
 *
 *  - the section prefixes the provider registers, test runs (the provider's
 *    context: data_len derived, ctx_in checked, ctx_out with the pointers
 *    zeroed, data written back);
 *  - the hook: links, events fired with bpfhost_hook_trigger(), the order
 *    programs run in, what each sees, how results combine, detach, a link
 *    of the wrong program type;
 *  - the helpers on every kind of map (ours, another of our types, a core
 *    map), the core's argument check stopping a bad call, the map helpers
 *    on custom maps (in place on the counter hash, refused on the
 *    updates_original_value maps), a custom map refusing a program type;
 *  - unload while programs are loaded (-EBUSY naming them) and forced
 *    (programs -ENODEV, links detached, the hook gone), then a reload.
 */
#include <stdarg.h>

#include "test.h"
#include "sample_ext.h"
#include "bpfhost/asm.h"

/* struct sample_ctx offsets, as programs address them. */
#define CTX_DATA 0
#define CTX_END 8
#define CTX_EVENT 16
#define CTX_LEN 24
#define CTX_INDEX 28

#define OBJ_VALUE 16

static char log_buf[4096];

/* Diagnostics the core prints (the provider's log lines among them). */
static char printed[8192];

static int capture(enum bpfhost_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(printed);

	(void)level;
	if (used < sizeof(printed) - 1)
		vsnprintf(printed + used, sizeof(printed) - used, fmt, ap);
	return 0;
}

static int load_module(void)
{
	int h = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);

	ASSERT_GE(h, 1, "load sample_ext.so");
	return h;
}

static void unload_module(int h)
{
	ASSERT_OK(bpfhost_extension_unload(h, 0), "unload (everything closed)");
}

/* prog_flags of the next loads: BPFHOST_F_TEST_UNVERIFIED for the run-time checks' tests. */
static uint32_t load_flags;

/* Assembles the formatted source and loads it; returns the handle or the error. */
static int __attribute__((format(printf, 3, 4))) prog(uint32_t type, const char *name,
						       const char *fmt, ...)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, opts, .log_buf = log_buf, .log_size = sizeof(log_buf),
		     .log_level = 1, .prog_flags = load_flags);
	struct bpf_insn *insns = NULL;
	char src[4096];
	size_t n = 0;
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(src, sizeof(src), fmt, ap);
	va_end(ap);
	if (bpfhost_asm(src, &insns, &n)) {
		fprintf(stderr, "assembling %s: %s\n", name, bpfhost_last_error());
		ASSERT_TRUE(false, "program assembles");
		return -EINVAL;
	}
	fd = bpfhost_prog_load(type, name, "MIT", insns, n, &opts);
	free(insns);
	return fd;
}

#define sample_prog(name, ...) prog(SAMPLE_EXT_PROGRAM_TYPE, name, __VA_ARGS__)

/* A test run with @data (copied back into it) and an optional ctx; returns the errno. */
static int run(int fd, void *data, uint32_t size, const struct sample_ctx *ctx_in,
	       struct sample_ctx *ctx_out, uint32_t *ret)
{
	uint8_t out[256];
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = size,
		     .data_out = out, .data_size_out = sizeof(out), .ctx_in = ctx_in,
		     .ctx_size_in = ctx_in ? sizeof(*ctx_in) : 0, .ctx_out = ctx_out,
		     .ctx_size_out = ctx_out ? sizeof(*ctx_out) : 0);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	if (!err && data) {
		ASSERT_EQ(o.data_size_out, size, "data_size_out is the data's size");
		memcpy(data, out, size);
	}
	if (!err && ctx_out)
		ASSERT_EQ(o.ctx_size_out, sizeof(*ctx_out), "ctx_size_out is the context's size");
	*ret = o.retval;
	return err;
}

static uint32_t run_ok(int fd, void *data, uint32_t size)
{
	uint32_t r = 0xdeadbeef;

	ASSERT_OK(run(fd, data, size, NULL, NULL, &r), "test run");
	return r;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			ASSERT_OK(bpfhost_close(fds[i]), "close");
}

/* ------------------------------------------------------------- program type */

static void sections_select_the_type(void)
{
	int mod = load_module();
	uint32_t type = 0, attach = 0;

	ASSERT_OK(bpfhost_prog_type_by_section("sample/count", &type, &attach), "sample/count");
	ASSERT_EQ(type, SAMPLE_EXT_PROGRAM_TYPE, "program type");
	ASSERT_EQ(attach, SAMPLE_EXT_ATTACH_TYPE, "attach type of the hook");
	type = attach = 0;
	ASSERT_OK(bpfhost_prog_type_by_section("sample", &type, &attach), "sample alone");
	ASSERT_EQ(type, SAMPLE_EXT_PROGRAM_TYPE, "program type");
	ASSERT_EQ(attach, SAMPLE_EXT_ATTACH_TYPE, "attach type");
	ASSERT_EQ(bpfhost_prog_type_by_section("samplex/count", &type, &attach), -ENOENT,
		  "a longer word is not the prefix");
	unload_module(mod);
	ASSERT_EQ(bpfhost_prog_type_by_section("sample/count", &type, &attach), -ENOENT,
		  "the prefixes leave with the module");
	ASSERT_EQ(sample_prog("gone", "mov %%r0, 0\nexit\n"), -EINVAL,
		  "no program type sample without the module");
}

static void test_run_context(void)
{
	int mod = load_module();
	struct sample_ctx in = { .event_id = 77, .prog_index = 3 }, out;
	uint8_t data[8] = { 5, 6, 7, 8, 9, 10, 11, 12 };
	uint32_t r = 0;
	/* r0 = data_len * 1000 + event_id + prog_index; data[0] += 1; ctx->data_len = 999 */
	int fd = sample_prog("ctx_fields",
			     "ldxdw %%r2, [%%r1+%d]\n"
			     "ldxdw %%r3, [%%r1+%d]\n"
			     "mov %%r4, %%r2\n"
			     "add %%r4, 1\n"
			     "jgt %%r4, %%r3, fields\n"
			     "ldxb %%r5, [%%r2+0]\n"
			     "add %%r5, 1\n"
			     "stxb [%%r2+0], %%r5\n"
			     "fields:\n"
			     "ldxw %%r0, [%%r1+%d]\n"
			     "mul %%r0, 1000\n"
			     "ldxdw %%r6, [%%r1+%d]\n"
			     "add %%r0, %%r6\n"
			     "ldxw %%r6, [%%r1+%d]\n"
			     "add %%r0, %%r6\n"
			     "stw [%%r1+%d], 999\n"
			     "exit\n",
			     CTX_DATA, CTX_END, CTX_LEN, CTX_EVENT, CTX_INDEX, CTX_LEN);
	int oob;

	/* A read past data_end: the verifier refuses it; loaded without it, the run faults. */
	ASSERT_EQ(sample_prog("past_end", "ldxdw %%r2, [%%r1+0]\nldxb %%r0, [%%r2+8]\nexit\n"), -EACCES,
		  "the verifier refuses an unchecked packet read");
	load_flags = BPFHOST_F_TEST_UNVERIFIED;
	oob = sample_prog("past_end", "ldxdw %%r2, [%%r1+0]\nldxb %%r0, [%%r2+8]\nexit\n");
	load_flags = 0;

	ASSERT_GE(fd, 0, "load ctx_fields");
	ASSERT_GE(oob, 0, "load past_end");
	memset(&out, 0xa5, sizeof(out));
	ASSERT_OK(run(fd, data, sizeof(data), &in, &out, &r), "test run with ctx_in and data_in");
	ASSERT_EQ(r, 8 * 1000 + 77 + 3, "data_len derived from data_in; event_id, prog_index from ctx_in");
	ASSERT_EQ(data[0], 6, "the program's write to the data comes back in data_out");
	ASSERT_EQ(data[1], 6, "the rest of the data unchanged");
	ASSERT_TRUE(out.data == NULL && out.data_end == NULL, "ctx_out pointers zeroed");
	ASSERT_EQ(out.event_id, 77, "ctx_out event_id");
	ASSERT_EQ(out.data_len, 999, "ctx_out carries the program's write");
	ASSERT_EQ(out.prog_index, 3, "ctx_out prog_index");

	ASSERT_OK(run(fd, NULL, 0, NULL, NULL, &r), "no data, no ctx");
	ASSERT_EQ(r, 0, "an empty event");

	in.data_len = 8;
	printed[0] = 0;
	ASSERT_EQ(run(fd, data, sizeof(data), &in, NULL, &r), -EINVAL, "ctx_in with data_len set");
	ASSERT_STR_CONTAINS(printed, "ctx_in sets data, data_end or data_len", "the provider says why");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "ctx_fields", "the core names the program");
	in.data_len = 0;
	in.data = (uint8_t *)data;
	ASSERT_EQ(run(fd, data, sizeof(data), &in, NULL, &r), -EINVAL, "ctx_in with a data pointer");
	{
		uint8_t big[sizeof(struct sample_ctx) + 8] = { 0 };
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .ctx_in = big, .ctx_size_in = sizeof(big));

		printed[0] = 0;
		ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -EINVAL, "ctx_in larger than sample_ctx");
		ASSERT_STR_CONTAINS(printed, "larger than struct sample_ctx", "the provider says why");
	}

	ASSERT_EQ(run(oob, data, sizeof(data), NULL, NULL, &r), -EFAULT, "a read past data_end");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "past_end", "the fault names the program");
	close_all((int[]){ fd, oob }, 2);
	unload_module(mod);
}

/* ----------------------------------------------------------------------- hook */

/*
 * obs[prog_index] = event_id * 1000 + ++data[0]; returns prog_index + 1
 * (0 with no data).
 */
static int observer(int obs_fd)
{
	return sample_prog("observer",
			   "mov %%r6, %%r1\n"
			   "ldxdw %%r2, [%%r6+%d]\n"
			   "ldxdw %%r3, [%%r6+%d]\n"
			   "mov %%r4, %%r2\n"
			   "add %%r4, 1\n"
			   "jgt %%r4, %%r3, empty\n"
			   "ldxb %%r5, [%%r2+0]\n"
			   "add %%r5, 1\n"
			   "stxb [%%r2+0], %%r5\n"
			   "ldxdw %%r7, [%%r6+%d]\n"
			   "mul %%r7, 1000\n"
			   "add %%r7, %%r5\n"
			   "stxdw [%%r10-16], %%r7\n"
			   "ldxw %%r8, [%%r6+%d]\n"
			   "stxw [%%r10-4], %%r8\n"
			   "lddw %%r1, map_fd %d\n"
			   "mov %%r2, %%r10\n"
			   "add %%r2, -4\n"
			   "mov %%r3, %%r10\n"
			   "add %%r3, -16\n"
			   "mov %%r4, 0\n"
			   "call 2\n"
			   "ldxw %%r0, [%%r6+%d]\n"
			   "add %%r0, 1\n"
			   "exit\n"
			   "empty:\n"
			   "mov %%r0, 0\n"
			   "exit\n",
			   CTX_DATA, CTX_END, CTX_EVENT, CTX_INDEX, obs_fd, CTX_INDEX);
}

/* Overwrites the context's writable fields (event_id, data_len), returns 0. */
static int scrambler(void)
{
	return sample_prog("scrambler", "stdw [%%r1+%d], 0\nstw [%%r1+%d], 99\n"
			   "mov %%r0, 0\nexit\n", CTX_EVENT, CTX_LEN);
}

/* The core keeps the packet pointers read-only: a write to them faults the event. */
static void pointer_writes_fault(void)
{
	int mod = load_module();
	int p;

	ASSERT_EQ(sample_prog("ptrwriter", "stdw [%%r1+%d], 0\nmov %%r0, 0\nexit\n", CTX_END), -EACCES,
		  "the verifier refuses a write to a packet pointer field");
	load_flags = BPFHOST_F_TEST_UNVERIFIED;
	p = sample_prog("ptrwriter", "stdw [%%r1+%d], 0\nmov %%r0, 0\nexit\n", CTX_END);
	load_flags = 0;
	uint8_t data[4] = { 5, 0, 0, 0 };
	uint32_t cnt = 99, r = 99;
	int l;

	ASSERT_GE(p, 0, "load");
	l = bpfhost_link_create(p, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	ASSERT_GE(l, 0, "link");
	ASSERT_EQ(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, data, sizeof(data), &cnt, &r), -EFAULT,
		  "the event fails");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "context field 'data_end' (offset 8) is read-only for "
			    "program type sample", "the fault says why");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "ptrwriter", "and names the program");
	bpfhost_close(l);
	bpfhost_close(p);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

static uint64_t obs(int fd, uint32_t i)
{
	uint64_t v = 0;

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &i, &v), "read obs");
	return v;
}

static void hook_runs_linked_programs(void)
{
	int mod = load_module();
	int obs_fd = test_map(BPF_MAP_TYPE_ARRAY, "obs", 4, 8, 4, 0);
	int scr = scrambler(), o1 = observer(obs_fd), o2 = observer(obs_fd);
	int l0, l1, l2;
	uint8_t data[4] = { 5, 0, 0, 0 };
	uint32_t cnt = 99, r = 99;

	ASSERT_GE(scr, 0, "load scrambler");
	ASSERT_GE(o1, 0, "load observer 1");
	ASSERT_GE(o2, 0, "load observer 2");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, data, sizeof(data), &cnt, &r),
		  "an event with no links");
	ASSERT_EQ(cnt, 0, "no program ran");
	ASSERT_EQ(r, 0, "result 0");

	l0 = bpfhost_link_create(scr, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	l1 = bpfhost_link_create(o1, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	l2 = bpfhost_link_create(o2, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	ASSERT_GE(l0, 0, "link scrambler");
	ASSERT_GE(l1, 0, "link observer 1");
	ASSERT_GE(l2, 0, "link observer 2");

	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, data, sizeof(data), &cnt, &r), "event 2");
	ASSERT_EQ(cnt, 3, "every linked program ran");
	ASSERT_EQ(r, 2, "the first non-zero result (observer 1: prog_index 1 + 1)");
	ASSERT_EQ(obs(obs_fd, 1), 2 * 1000 + 6,
		  "observer 1: event 2, the fields restored after the scrambler, 5 + 1");
	ASSERT_EQ(obs(obs_fd, 2), 2 * 1000 + 7, "observer 2 saw observer 1's write to the data");
	ASSERT_EQ(data[0], 5, "the caller's data is not written");

	ASSERT_OK(bpfhost_link_detach(l0), "detach the scrambler");
	ASSERT_EQ(bpfhost_link_detach(l0), -ENOLINK, "detach twice");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, data, sizeof(data), &cnt, &r), "event 3");
	ASSERT_EQ(cnt, 2, "two programs ran");
	ASSERT_EQ(r, 1, "observer 1 is first now: prog_index 0 + 1");
	ASSERT_EQ(obs(obs_fd, 0), 3 * 1000 + 6, "observer 1 at index 0, event 3");
	ASSERT_EQ(obs(obs_fd, 1), 3 * 1000 + 7, "observer 2 at index 1");

	ASSERT_OK(bpfhost_close(l1), "closing a link's last handle detaches it");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, NULL, 0, &cnt, &r), "event 4, no data");
	ASSERT_EQ(cnt, 1, "one program ran");
	ASSERT_EQ(r, 0, "the observer returns 0 on an empty event");

	ASSERT_EQ(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE + 1, data, sizeof(data), &cnt, &r), -ENOENT,
		  "no hook for the next attach type");
	close_all((int[]){ l0, l2, scr, o1, o2, obs_fd }, 6);
	unload_module(mod);
}

static void hook_refuses_wrong_links(void)
{
	int mod = load_module();
	int filter = prog(BPF_PROG_TYPE_SOCKET_FILTER, "filter", "mov %%r0, 0\nexit\n");
	int sample = sample_prog("sample", "mov %%r0, 0\nexit\n");
	int fault, l, lf;
	uint32_t cnt = 0, r = 0;

	/* A read past the context: refused at load; loaded without the verifier, the hook's run faults. */
	ASSERT_EQ(sample_prog("faulting", "ldxdw %%r0, [%%r1+4096]\nexit\n"), -EACCES, "verifier");
	load_flags = BPFHOST_F_TEST_UNVERIFIED;
	fault = sample_prog("faulting", "ldxdw %%r0, [%%r1+4096]\nexit\n");
	load_flags = 0;

	ASSERT_GE(filter, 0, "load a socket filter");
	ASSERT_GE(sample, 0, "load a sample program");
	ASSERT_GE(fault, 0, "load the faulting program");
	ASSERT_EQ(bpfhost_link_create(filter, 0, SAMPLE_EXT_ATTACH_TYPE, NULL), -EINVAL,
		  "a socket filter on the sample hook");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'" SAMPLE_EXT_HOOK_NAME "'", "message names the hook");
	ASSERT_EQ(bpfhost_link_create(sample, 0, SAMPLE_EXT_ATTACH_TYPE + 1, NULL), -EINVAL,
		  "an attach type nobody provides");
	ASSERT_EQ(bpfhost_link_create(sample, 5, SAMPLE_EXT_ATTACH_TYPE, NULL), -EINVAL,
		  "a target_fd for a hook attach type");

	/* A program that faults stops the event; its error reaches the caller. */
	l = bpfhost_link_create(sample, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	lf = bpfhost_link_create(fault, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	ASSERT_GE(l, 0, "link the sample program");
	ASSERT_GE(lf, 0, "link the faulting program");
	printed[0] = 0;
	ASSERT_EQ(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, NULL, 0, &cnt, &r), -EFAULT,
		  "an event whose second program faults");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "BPFHOST_HOOK_TRIGGER: attach type 4097",
			    "the message names the command and the hook");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'faulting': insn 0: invalid read",
			    "and quotes the fault, naming the program and the instruction");
	close_all((int[]){ lf, l, filter, sample, fault }, 5);
	unload_module(mod);
}

/* -------------------------------------------------------------------- helpers */

/*
 * sample_get_object_value(map, &key, buf, size): the object's bytes go to
 * data[0..16) when there is room; returns the helper's result.
 */
static int get_object_prog(int map_fd, uint32_t key, uint32_t size)
{
	return sample_prog("get_object",
			   "mov %%r6, %%r1\n"
			   "stw [%%r10-4], %u\n"
			   "lddw %%r1, map_fd %d\n"
			   "mov %%r2, %%r10\n"
			   "add %%r2, -4\n"
			   "mov %%r3, %%r10\n"
			   "add %%r3, -24\n"
			   "mov %%r4, %u\n"
			   "call %u\n"
			   "mov %%r7, %%r0\n"
			   "ldxdw %%r2, [%%r6+%d]\n"
			   "ldxdw %%r3, [%%r6+%d]\n"
			   "mov %%r4, %%r2\n"
			   "add %%r4, 16\n"
			   "jgt %%r4, %%r3, out\n"
			   "ldxdw %%r5, [%%r10-24]\n"
			   "stxdw [%%r2+0], %%r5\n"
			   "ldxdw %%r5, [%%r10-16]\n"
			   "stxdw [%%r2+8], %%r5\n"
			   "out:\n"
			   "mov %%r0, %%r7\n"
			   "exit\n",
			   key, map_fd, size, SAMPLE_EXT_HELPER_GET_OBJECT_VALUE, CTX_DATA, CTX_END);
}

/* sample_accumulator_read(map, &key, &sum): returns the error, or the sum (low 32 bits). */
static int acc_read_prog(int map_fd, uint32_t key)
{
	return sample_prog("acc_read",
			   "stw [%%r10-4], %u\n"
			   "stdw [%%r10-16], 7\n"
			   "lddw %%r1, map_fd %d\n"
			   "mov %%r2, %%r10\n"
			   "add %%r2, -4\n"
			   "mov %%r3, %%r10\n"
			   "add %%r3, -16\n"
			   "call %u\n"
			   "jne %%r0, 0, out\n"
			   "ldxdw %%r0, [%%r10-16]\n"
			   "out:\n"
			   "exit\n",
			   key, map_fd, SAMPLE_EXT_HELPER_ACCUMULATOR_READ);
}

static void put_object(int fd, uint32_t key, const char *s)
{
	char v[OBJ_VALUE] = { 0 };

	snprintf(v, sizeof(v), "%s", s);
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, v, BPF_ANY), "user update of the object map");
}

static void helper_get_object_value(void)
{
	int mod = load_module();
	int objects = test_map(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "objects", 4, OBJ_VALUE, 8, 0);
	int counters = test_map(SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, "counters", 4, 8, 8, 0);
	int plain = test_map(BPF_MAP_TYPE_HASH, "plain", 4, 8, 8, 0);
	int get1 = get_object_prog(objects, 1, OBJ_VALUE);
	int get2 = get_object_prog(objects, 2, OBJ_VALUE);
	int small = get_object_prog(objects, 1, 4);
	int on_plain, on_counter, overflow;
	uint8_t data[OBJ_VALUE];
	uint32_t r = 0, k = 1;
	uint64_t one = 1;

	/* The helper lists the maps it serves (map_types): others are refused at load... */
	ASSERT_EQ(get_object_prog(plain, 1, OBJ_VALUE), -EINVAL, "a core hash refused at load");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "sample_get_object_value cannot be used with map 'plain'",
			    "message");
	ASSERT_EQ(get_object_prog(counters, 1, OBJ_VALUE), -EINVAL, "another custom type refused at load");
	/* ...and the helper still refuses them itself (loaded without the verifier). */
	load_flags = BPFHOST_F_TEST_UNVERIFIED;
	on_plain = get_object_prog(plain, 1, OBJ_VALUE);
	on_counter = get_object_prog(counters, 1, OBJ_VALUE);
	load_flags = 0;

	/* 4096 bytes into a stack buffer: the verifier refuses it; without it, the argument check. */
	ASSERT_EQ(get_object_prog(objects, 1, 4096), -EACCES, "the verifier refuses a size past the stack");
	load_flags = BPFHOST_F_TEST_UNVERIFIED;
	overflow = get_object_prog(objects, 1, 4096);
	load_flags = 0;
	ASSERT_TRUE(get1 >= 0 && get2 >= 0 && small >= 0 && on_plain >= 0 && on_counter >= 0 &&
		    overflow >= 0, "load the helper programs");
	put_object(objects, 1, "hello, object");
	ASSERT_OK(bpfhost_map_update_elem(plain, &k, &one, BPF_ANY), "plain map has key 1");
	ASSERT_OK(bpfhost_map_update_elem(counters, &k, &one, BPF_ANY), "counter map has key 1");

	memset(data, 0xee, sizeof(data));
	ASSERT_EQ(run_ok(get1, data, sizeof(data)), OBJ_VALUE, "returns the value's size");
	ASSERT_OK(memcmp(data, "hello, object\0\0", OBJ_VALUE), "the object's bytes reached the program");
	memset(data, 0xee, sizeof(data));
	ASSERT_EQ((int32_t)run_ok(get2, data, sizeof(data)), -ENOENT, "a missing key");
	ASSERT_OK(memcmp(data, (uint8_t[OBJ_VALUE]){ 0 }, OBJ_VALUE), "the buffer is zeroed on failure");

	memset(data, 0xee, sizeof(data));
	ASSERT_EQ(run_ok(small, data, sizeof(data)), OBJ_VALUE, "a short buffer: still the value's size");
	ASSERT_OK(memcmp(data, "hell", 4), "the first 4 bytes");

	memset(data, 0xee, sizeof(data));
	ASSERT_EQ((int32_t)run_ok(on_plain, data, sizeof(data)), -EINVAL,
		  "a core map: MAP_CONTEXT is NULL, refused cleanly");
	ASSERT_OK(memcmp(data, (uint8_t[OBJ_VALUE]){ 0 }, OBJ_VALUE), "the buffer is zeroed");
	ASSERT_EQ((int32_t)run_ok(on_counter, data, sizeof(data)), -EINVAL,
		  "a custom map of another type, refused");

	ASSERT_EQ(run(overflow, data, sizeof(data), NULL, NULL, &r), -EFAULT,
		  "a size past the stack: the core's argument check stops the program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "sample_get_object_value", "the message names the helper");

	/* After a user delete and re-insert the helper sees the new object. */
	ASSERT_OK(bpfhost_map_delete_elem(objects, &k), "user delete");
	ASSERT_EQ((int32_t)run_ok(get1, data, sizeof(data)), -ENOENT, "deleted");
	put_object(objects, 1, "second life");
	ASSERT_EQ(run_ok(get1, data, sizeof(data)), OBJ_VALUE, "re-inserted");
	ASSERT_OK(memcmp(data, "second life", 12), "the new object");
	close_all((int[]){ get1, get2, small, on_plain, on_counter, overflow, objects, counters, plain }, 9);
	unload_module(mod);
}

static void helper_accumulator_read(void)
{
	int mod = load_module();
	int totals = test_map(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, "totals", 4, 8, 4, 0);
	int plain = test_map(BPF_MAP_TYPE_ARRAY, "plain", 4, 8, 4, 0);
	int read2 = acc_read_prog(totals, 2), past = acc_read_prog(totals, 4);
	int on_plain;
	uint64_t add;
	uint32_t k = 2;

	ASSERT_EQ(acc_read_prog(plain, 2), -EINVAL, "a core array refused at load (map_types)");
	load_flags = BPFHOST_F_TEST_UNVERIFIED;	/* and by the helper itself */
	on_plain = acc_read_prog(plain, 2);
	load_flags = 0;

	ASSERT_TRUE(read2 >= 0 && past >= 0 && on_plain >= 0, "load");
	ASSERT_EQ(run_ok(read2, NULL, 0), 0, "an element never written sums to 0");
	for (add = 10; add <= 30; add += 10)
		ASSERT_OK(bpfhost_map_update_elem(totals, &k, &add, BPF_ANY), "user adds");
	ASSERT_EQ(run_ok(read2, NULL, 0), 60, "the running sum 10 + 20 + 30");
	ASSERT_EQ((int32_t)run_ok(past, NULL, 0), -ENOENT, "index past max_entries");
	ASSERT_EQ((int32_t)run_ok(on_plain, NULL, 0), -EINVAL, "a core array: refused cleanly");
	close_all((int[]){ read2, past, on_plain, totals, plain }, 5);
	unload_module(mod);
}

/* ------------------------------------------------------ map helpers, custom maps */

/* Lookup-and-increment of @key in @map_fd; inserts 1 when missing. Returns the count or error. */
static int count_prog(int map_fd, uint32_t key)
{
	return sample_prog("count",
			   "stw [%%r10-4], %u\n"
			   "lddw %%r1, map_fd %d\n"
			   "mov %%r2, %%r10\n"
			   "add %%r2, -4\n"
			   "call 1\n"
			   "jeq %%r0, 0, insert\n"
			   "mov %%r1, 1\n"
			   "lock fetch add [%%r0+0], %%r1\n"
			   "mov %%r0, %%r1\n"
			   "add %%r0, 1\n"
			   "exit\n"
			   "insert:\n"
			   "stdw [%%r10-16], 1\n"
			   "lddw %%r1, map_fd %d\n"
			   "mov %%r2, %%r10\n"
			   "add %%r2, -4\n"
			   "mov %%r3, %%r10\n"
			   "add %%r3, -16\n"
			   "mov %%r4, %d\n"
			   "call 2\n"
			   "jne %%r0, 0, fail\n"
			   "mov %%r0, 1\n"
			   "fail:\n"
			   "exit\n",
			   key, map_fd, map_fd, (int)BPF_NOEXIST);
}

/* Calls map helper @helper (1 lookup, 2 update, 3 delete) on @key with a 16-byte value 0x41. */
static int map_op_prog(int helper, int map_fd, uint32_t key)
{
	return sample_prog("map_op",
			   "stw [%%r10-4], %u\n"
			   "stdw [%%r10-24], 65\n"
			   "stdw [%%r10-16], 0\n"
			   "lddw %%r1, map_fd %d\n"
			   "mov %%r2, %%r10\n"
			   "add %%r2, -4\n"
			   "mov %%r3, %%r10\n"
			   "add %%r3, -24\n"
			   "mov %%r4, 0\n"
			   "call %d\n"
			   "%s"
			   "exit\n",
			   key, map_fd, helper, helper == 1 ? "jeq %r0, 0, +1\nmov %r0, 1\n" : "");
}

static void map_helpers_on_custom_maps(void)
{
	int mod = load_module();
	int counters = test_map(SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, "counters", 4, 8, 8, 0);
	int objects = test_map(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "objects", 4, OBJ_VALUE, 8, 0);
	int totals = test_map(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, "totals", 4, 8, 4, 0);
	int count3 = count_prog(counters, 3);
	int upd = map_op_prog(2, counters, 4), del = map_op_prog(3, counters, 4);
	int obj_upd, obj_del, obj_look, tot_upd;
	uint64_t v = 0;
	uint32_t k = 3;
	char value[OBJ_VALUE];

	/* The core's map helpers on updates_original_value maps: refused at load (DESIGN.md)... */
	ASSERT_EQ(map_op_prog(2, objects, 1), -EACCES, "update on the object map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "updates_original_value", "message");
	ASSERT_EQ(map_op_prog(1, objects, 1), -EACCES, "lookup on the object map");
	ASSERT_EQ(map_op_prog(2, totals, 1), -EACCES, "update on the accumulator");
	/* ...and, loaded without the verifier, answered at run time. */
	load_flags = BPFHOST_F_TEST_UNVERIFIED;
	obj_upd = map_op_prog(2, objects, 1);
	obj_del = map_op_prog(3, objects, 1);
	obj_look = map_op_prog(1, objects, 1);
	tot_upd = map_op_prog(2, totals, 1);
	load_flags = 0;

	ASSERT_TRUE(count3 >= 0 && upd >= 0 && del >= 0 && obj_upd >= 0 && obj_del >= 0 &&
		    obj_look >= 0 && tot_upd >= 0, "load");
	ASSERT_EQ(run_ok(count3, NULL, 0), 1, "first count inserts 1");
	ASSERT_EQ(run_ok(count3, NULL, 0), 2, "then increments in place");
	ASSERT_EQ(run_ok(count3, NULL, 0), 3, "and again");
	ASSERT_OK(bpfhost_map_lookup_elem(counters, &k, &v), "user lookup");
	ASSERT_EQ(v, 3, "the user sees the program's count");

	ASSERT_EQ(run_ok(upd, NULL, 0), 0, "program update of the counter map");
	k = 4;
	ASSERT_OK(bpfhost_map_lookup_elem(counters, &k, &v), "user lookup of key 4");
	ASSERT_EQ(v, 65, "the value the program stored");
	ASSERT_EQ(run_ok(del, NULL, 0), 0, "program delete");
	ASSERT_EQ(bpfhost_map_lookup_elem(counters, &k, &v), -ENOENT, "gone for the user");
	ASSERT_EQ((int32_t)run_ok(del, NULL, 0), -ENOENT, "program delete of a missing key");

	put_object(objects, 1, "kept");
	ASSERT_EQ((int32_t)run_ok(obj_upd, NULL, 0), -EOPNOTSUPP,
		  "program update of an updates_original_value map: the program gets -EOPNOTSUPP");
	ASSERT_EQ((int32_t)run_ok(obj_del, NULL, 0), -EOPNOTSUPP, "program delete: -EOPNOTSUPP");
	ASSERT_EQ(run_ok(obj_look, NULL, 0), 0, "program lookup gets NULL, never the provider's pointer");
	ASSERT_EQ((int32_t)run_ok(tot_upd, NULL, 0), -EOPNOTSUPP, "accumulator update: -EOPNOTSUPP");
	k = 1;
	ASSERT_OK(bpfhost_map_lookup_elem(objects, &k, value), "the object is still there");
	ASSERT_OK(strcmp(value, "kept"), "unchanged");
	close_all((int[]){ count3, upd, del, obj_upd, obj_del, obj_look, tot_upd, counters, objects,
			   totals }, 10);
	unload_module(mod);
}

static void custom_maps_refuse_other_program_types(void)
{
	int mod = load_module();
	int counters = test_map(SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, "counters", 4, 8, 8, 0);
	int fd;

	printed[0] = 0;
	fd = prog(BPF_PROG_TYPE_SOCKET_FILTER, "filter", "lddw %%r1, map_fd %d\nmov %%r0, 0\nexit\n",
		  counters);
	ASSERT_EQ(fd, -EOPNOTSUPP, "a socket filter referencing the counter map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'counters'", "the message names the map");
	ASSERT_STR_CONTAINS(log_buf, "counters", "the load log says it too");
	ASSERT_STR_CONTAINS(printed, "counter_hash: programs of type 1 may not use it",
			    "the provider says why");
	if (fd >= 0)
		bpfhost_close(fd);
	close_all((int[]){ counters }, 1);
	unload_module(mod);
}

/* --------------------------------------------------------------------- unload */

static void unload_with_programs(void)
{
	int mod = load_module();
	int p = sample_prog("busy_prog", "mov %%r0, 9\nexit\n");
	int l = bpfhost_link_create(p, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	uint32_t cnt = 0, r = 0;

	ASSERT_GE(p, 0, "load");
	ASSERT_GE(l, 0, "link");
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "unload with a program loaded");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "1 program of type 'sample' (4097)",
			    "the message names the programs");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, NULL, 0, &cnt, &r), "still works");
	ASSERT_EQ(r, 9, "the program ran");

	printed[0] = 0;
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced unload");
	ASSERT_EQ(run(p, NULL, 0, NULL, NULL, &r), -ENODEV, "the program refuses to run");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "busy_prog", "message names the program");
	ASSERT_EQ(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, NULL, 0, &cnt, &r), -ENOENT,
		  "the hook left with the module");
	ASSERT_EQ(bpfhost_link_detach(l), -ENOLINK, "the link was detached");
	ASSERT_EQ(bpfhost_link_create(p, 0, SAMPLE_EXT_ATTACH_TYPE, NULL), -EINVAL, "no new link");
	close_all((int[]){ l, p }, 2);

	/* The module loads again, as new. */
	mod = load_module();
	p = sample_prog("again", "mov %%r0, 3\nexit\n");
	ASSERT_GE(p, 0, "a program of the reloaded type");
	ASSERT_EQ(run_ok(p, NULL, 0), 3, "runs");
	close_all((int[]){ p }, 1);
	unload_module(mod);
}

static void forced_unload_with_maps_and_links(void)
{
	int mod = load_module();
	int counters = test_map(SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, "held_counters", 4, 8, 8, 0);
	int p = count_prog(counters, 1);
	int l = bpfhost_link_create(p, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	uint32_t cnt = 0, r = 0, k = 1;
	uint64_t v;

	ASSERT_GE(p, 0, "load");
	ASSERT_GE(l, 0, "link");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, NULL, 0, &cnt, &r), "event");
	ASSERT_EQ(r, 1, "counted");
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "unload with a map and a program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "held_counters", "names the map");
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced");
	ASSERT_EQ(bpfhost_map_lookup_elem(counters, &k, &v), -ENODEV, "the map is orphaned");
	ASSERT_EQ(run(p, NULL, 0, NULL, NULL, &r), -ENODEV, "the program is orphaned");
	ASSERT_EQ(bpfhost_link_detach(l), -ENOLINK, "the link was detached");
	close_all((int[]){ l, p, counters }, 3);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(sections_select_the_type),
		TEST(test_run_context),
		TEST(hook_runs_linked_programs),
		TEST(pointer_writes_fault),
		TEST(hook_refuses_wrong_links),
		TEST(helper_get_object_value),
		TEST(helper_accumulator_read),
		TEST(map_helpers_on_custom_maps),
		TEST(custom_maps_refuse_other_program_types),
		TEST(unload_with_programs),
		TEST(forced_unload_with_maps_and_links),
	};

	bpfhost_set_print(capture);
	return test_run("sample_ext_prog", cases, sizeof(cases) / sizeof(cases[0]));
}
