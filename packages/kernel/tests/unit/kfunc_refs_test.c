// SPDX-License-Identifier: MIT
/*
 * Kfunc references (tests/ext/test_kfunc_refs.c), as Linux's KF_ACQUIRE |
 * KF_RET_NULL and KF_RELEASE: tables whose tags do not pair refused at
 * registration; a program that acquires, checks for NULL, uses and releases
 * loads and runs; the verifier refuses a leak on one path, a double release,
 * a use after release, a use or release without the NULL check, a release of
 * what no kfunc acquired, a release under the wrong tag, a write to a
 * read-only reference and a read past its size, naming the kfunc and where it
 * acquired. Each refused program is then run unverified: the run-time account
 * stops it, and a run that ends holding references has them released by the
 * module's kfunc, so the module never leaks. A version-1 table still works.
 */
#include <dlfcn.h>

#include "bpfhost/extension.h"

#include "insn_build.h"
#include "prog_run.h"
#include "test_kfunc_refs.h"

#define KFUNC_CALL(id) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, (int32_t)(id))
#define MODULE BPFHOST_TEST_MODULE_DIR "/test_kfunc_refs.so"

static void *dl;
static struct tr_state *state;
static uint32_t acq, rel, other_acq, other_rel, peek;

static uint32_t kfunc_id(const char *name)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)name;
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), name);
	return attr.kfunc.id;
}

static int load_module(void)
{
	int mod;

	state->mode = TR_GOOD;
	mod = bpfhost_extension_load(MODULE);
	ASSERT_GE(mod, 0, "load the references module");
	acq = kfunc_id("tr_acquire");
	rel = kfunc_id("tr_release");
	other_acq = kfunc_id("tr_other_acquire");
	other_rel = kfunc_id("tr_other_release");
	peek = kfunc_id("tr_peek");
	return mod;
}

static void t_bad_tables(void)
{
	static const struct {
		enum tr_mode mode;
		const char *needle;
	} cases[] = {
		{ TR_NO_RELEASER, "kfunc 'tr_other_acquire' acquires references of ref_type 2, but no kfunc of its "
				  "table releases them" },
		{ TR_RELEASE_TWO_ARGS, "kfunc 'tr_release': a releasing kfunc takes the reference as its only "
				       "argument" },
		{ TR_NO_TAG, "kfunc 'tr_acquire': an acquired reference needs return_size 1 to 65536 (it is 16), "
			     "a non-zero ref_type (it is 0)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		state->mode = cases[i].mode;
		ASSERT_EQ(bpfhost_extension_load(MODULE), -EINVAL, cases[i].needle);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].needle, "the message names the kfunc and rule");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "module 'test_kfunc_refs", "and the module");
	}
	state->mode = TR_GOOD;
}

/* acquire(key); if NULL return 0; r7 = ref->value; release(ref); return r7 */
#define ACQUIRE_USE_RELEASE(key, a, r)                                                          \
	MOV64_IMM(1, key), KFUNC_CALL(a), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(),    \
		MOV64_REG(6, 0), LDX(BPF_DW, 7, 6, 0), MOV64_REG(1, 6), KFUNC_CALL(r), MOV64_REG(0, 7), \
		EXIT()

static void t_accepted(void)
{
	int mod = load_module(), fd;
	unsigned acquired = state->acquired, released = state->released;
	uint64_t r0 = 0;

	fd = LOAD("ref_ok", ACQUIRE_USE_RELEASE(2, acq, rel));
	ASSERT_GE(fd, 0, "acquire, NULL check, read, release loads");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "and runs");
	ASSERT_EQ(r0, TR_VALUE(2), "the program read the object through its reference");
	ASSERT_EQ(state->acquired - acquired, 1, "the module handed out one reference");
	ASSERT_EQ(state->released - released, 1, "and got it back");
	ASSERT_EQ(atomic_load(&state->held), 0, "none is held after the run");
	bpfhost_close(fd);

	fd = LOAD("ref_null", ACQUIRE_USE_RELEASE(TR_OBJS, acq, rel));
	ASSERT_GE(fd, 0, "the same for a key the module has no object for");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
	ASSERT_EQ(r0, 0, "the NULL path");

	/* A reference is memory of return_size bytes: a kfunc taking `const struct tr_obj *` reads it. */
	bpfhost_close(fd);
	fd = LOAD("ref_peek", MOV64_IMM(1, 1), KFUNC_CALL(acq), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(),
		  MOV64_REG(6, 0), MOV64_REG(1, 6), KFUNC_CALL(peek), MOV64_REG(7, 0), MOV64_REG(1, 6),
		  KFUNC_CALL(rel), MOV64_REG(0, 7), EXIT());
	ASSERT_GE(fd, 0, "a reference passed as memory, then released");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
	ASSERT_EQ(r0, TR_VALUE(1), "tr_peek read it");
	bpfhost_close(fd);

	/* Declared writable (BPFHOST_KFUNC_REF_WRITABLE): the program may store into it. */
	fd = LOAD("ref_rw", MOV64_IMM(1, 3), KFUNC_CALL(other_acq), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0),
		  EXIT(), MOV64_REG(6, 0), ST(BPF_DW, 6, 0, 77), LDX(BPF_DW, 7, 6, 0), MOV64_REG(1, 6),
		  KFUNC_CALL(other_rel), MOV64_REG(0, 7), EXIT());
	ASSERT_GE(fd, 0, "a store into a writable reference");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
	ASSERT_EQ(r0, 77, "the store reached the module's object");
	ASSERT_EQ(atomic_load(&state->held), 0, "released");
	bpfhost_close(fd);
	ASSERT_EQ(state->bad_releases, 0, "the module never saw a bad release");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload once the programs are closed");
}

struct refused {
	const char *name;
	const struct bpf_insn *insns;
	size_t cnt;
	int err;		/* at load */
	const char *needle;	/* in the load's message */
	int run_err;		/* of the unverified run */
	const char *run_needle;	/* in its message (run_err), or its trace (a run that completes) */
};

/* Refused at load; unverified, the run stops (or ends) without the module losing a reference. */
static void refuse_then_run(const struct refused *c)
{
	unsigned bad = state->bad_releases;
	char log[4096];
	int fd;

	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, c->name, c->insns, c->cnt, 0);
	ASSERT_EQ(fd, c->err, c->name);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), c->needle, c->name);
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, c->name, c->insns, c->cnt,
				  BPFHOST_F_TEST_UNVERIFIED);
	ASSERT_GE(fd, 0, "loads without the verifier");
	bpfhost_trace_read(log, sizeof(log));	/* drain */
	ASSERT_EQ(test_prog_run(fd, 0, 0, NULL), c->run_err, c->name);
	if (c->run_err) {
		ASSERT_STR_CONTAINS(bpfhost_last_error(), c->run_needle, "the run's message says why");
	} else {
		ASSERT_GE(bpfhost_trace_read(log, sizeof(log)), 0, "trace");
		ASSERT_STR_CONTAINS(log, c->run_needle, "a trace line reports the release at the end");
	}
	ASSERT_STR_CONTAINS(c->run_err ? bpfhost_last_error() : log, c->name, "naming the program");
	ASSERT_EQ(atomic_load(&state->held), 0, "every reference went back to the module");
	ASSERT_EQ(state->bad_releases, bad, "and it never got one it did not hand out");
	bpfhost_close(fd);
}

#define REFUSED(n, e, needle, run_err, run_needle, ...)                                               \
	do {                                                                                          \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                                         \
		refuse_then_run(&(struct refused){ n, p_, sizeof(p_) / sizeof(p_[0]), e, needle, run_err, \
						   run_needle });                                     \
	} while (0)

#define LEFT "was not released: the core passed it to"
#define NOT_HELD "not a reference of its type that an acquiring kfunc of its module returned and this run still holds"

#define ACQUIRED(key, a) MOV64_IMM(1, key), KFUNC_CALL(a), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT()

static void t_refused(void)
{
	int mod = load_module();

	REFUSED("ref_leak", -EINVAL, "program 'ref_leak': insn 11: the reference kfunc tr_acquire returned at "
		"insn 1 is not released on this path", 0, "insn 1: the reference kfunc tr_acquire returned here " LEFT,
		ACQUIRED(2, acq), MOV64_REG(6, 0), LDX(BPF_DW, 7, 6, 0), JMP_IMM(BPF_JGT, 7, 500, 2),
		MOV64_REG(1, 6), KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	REFUSED("ref_double", -EACCES, "insn 9: R1: kfunc tr_release releases a reference an acquiring kfunc of "
		"its module returned (ref_type 1), not a scalar (a reference is unusable once released)", -EFAULT,
		"insn 9: helper tr_release",
		ACQUIRED(2, acq), MOV64_REG(6, 0), MOV64_REG(1, 6), KFUNC_CALL(rel), MOV64_REG(1, 6),
		KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	REFUSED("ref_uar", -EACCES, "insn 8: R6 is a scalar, not a pointer", -EFAULT, "insn 8: invalid read of 8 bytes",
		ACQUIRED(2, acq), MOV64_REG(6, 0), MOV64_REG(1, 6), KFUNC_CALL(rel), LDX(BPF_DW, 0, 6, 0), EXIT());
	REFUSED("ref_no_null", -EACCES, "insn 2: R0 may be NULL (kfunc tr_acquire at insn 1) when read "
		"with size 8; check it against 0 first", -EFAULT,
		"insn 2: invalid read of 8 bytes at 0x0",
		MOV64_IMM(1, TR_OBJS), KFUNC_CALL(acq), LDX(BPF_DW, 0, 0, 0), EXIT());
	REFUSED("ref_rel_nonull", -EACCES, "insn 3: R1 may be NULL (kfunc tr_acquire at insn 1) when "
		"passed to kfunc tr_release", -EFAULT, NOT_HELD,
		MOV64_IMM(1, TR_OBJS), KFUNC_CALL(acq), MOV64_REG(1, 0), KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	REFUSED("ref_rel_stack", -EACCES, "insn 4: R1: kfunc tr_release releases a reference an acquiring "
		"kfunc of its module returned (ref_type 1), not a fp", -EFAULT, NOT_HELD,
		ST(BPF_DW, 10, -16, 0), ST(BPF_DW, 10, -8, 0), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -16),
		KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	REFUSED("ref_wrong_tag", -EACCES, "insn 6: R1: kfunc tr_release releases references of type 1, but R1 "
		"is the reference kfunc tr_other_acquire returned at insn 1, of type 2; release it with its own "
		"releasing kfunc (tr_other_release)", -EFAULT, NOT_HELD,
		ACQUIRED(2, other_acq), MOV64_REG(1, 0), KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	REFUSED("ref_moved", -EACCES, "kfunc tr_release takes the reference kfunc tr_acquire returned, not a "
		"pointer 8 bytes into it", -EFAULT, NOT_HELD,
		ACQUIRED(2, acq), MOV64_REG(1, 0), ALU64_IMM(BPF_ADD, 1, 8), KFUNC_CALL(rel), MOV64_IMM(0, 0),
		EXIT());
	REFUSED("ref_ro_write", -EACCES, "insn 5: R0 points to read-only memory (the reference kfunc tr_acquire "
		"returned at insn 1; its module does not declare it writable)", -EFAULT,
		"insn 5: invalid write of 8 bytes",
		ACQUIRED(2, acq), ST(BPF_DW, 0, 0, 5), MOV64_REG(1, 0), KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	REFUSED("ref_past_end", -EACCES, "kfunc reference", -EFAULT, "insn 6: invalid read of 8 bytes",
		ACQUIRED(2, acq), MOV64_REG(6, 0), LDX(BPF_DW, 7, 6, 16), MOV64_REG(1, 6), KFUNC_CALL(rel),
		MOV64_REG(0, 7), EXIT());
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "nothing holds the module");
}

/* A reference spilled to the stack and filled back, or released by a subprogram, is the same reference. */
static void t_copies(void)
{
	int mod = load_module(), fd;
	uint64_t r0 = 0;

	fd = LOAD("ref_spill", ACQUIRED(2, acq), STX(BPF_DW, 10, 0, -8), MOV64_IMM(0, 0), LDX(BPF_DW, 1, 10, -8),
		  KFUNC_CALL(rel), MOV64_IMM(0, 1), EXIT());
	ASSERT_GE(fd, 0, "released through the copy filled from the stack");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
	ASSERT_EQ(r0, 1, "to the end");
	ASSERT_EQ(atomic_load(&state->held), 0, "released");
	bpfhost_close(fd);

	/* r1 = ref; call sub (releases it); exit -- sub: tr_release(r1); return 0 */
	fd = LOAD("ref_subprog", ACQUIRED(2, acq), MOV64_REG(1, 0), CALL_LOCAL(2), MOV64_IMM(0, 2), EXIT(),
		  KFUNC_CALL(rel), MOV64_IMM(0, 0), EXIT());
	ASSERT_GE(fd, 0, "released by a subprogram it was passed to");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
	ASSERT_EQ(r0, 2, "back in the caller");
	ASSERT_EQ(atomic_load(&state->held), 0, "released");
	bpfhost_close(fd);

	/* The stack copy dies with the release too. */
	REFUSED("ref_spill_uar", -EACCES, "insn 9: R2 is a scalar, not a pointer", -EFAULT,
		"insn 9: invalid read of 8 bytes",
		ACQUIRED(2, acq), STX(BPF_DW, 10, 0, -8), MOV64_REG(1, 0), KFUNC_CALL(rel), LDX(BPF_DW, 2, 10, -8),
		LDX(BPF_DW, 0, 2, 0), EXIT());
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

/* A run that ends holding references: the core releases each through the module's kfunc of its tag. */
static void t_released_at_run_end(void)
{
	int mod = load_module(), fd;
	unsigned released = state->released;
	char log[4096];
	uint64_t r0 = 0;

	REFUSED("ref_kept", -EINVAL, "the reference kfunc tr_acquire returned at insn 1 is not released on this "
		"path to", 0, "insn 4: the reference kfunc tr_other_acquire returned here " LEFT " tr_other_release",
		MOV64_IMM(1, 0), KFUNC_CALL(acq), MOV64_REG(6, 0), MOV64_IMM(1, 1), KFUNC_CALL(other_acq),
		MOV64_IMM(0, 5), EXIT());
	ASSERT_EQ(state->released - released, 2, "both references went back to the module, each by its tag");
	fd = LOAD_UNVERIFIED("ref_kept", MOV64_IMM(1, 0), KFUNC_CALL(acq), MOV64_IMM(1, 1), KFUNC_CALL(other_acq),
			     MOV64_IMM(0, 5), EXIT());
	ASSERT_GE(fd, 0, "loads without the verifier");
	bpfhost_trace_read(log, sizeof(log));	/* drain */
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "the run itself completes");
	ASSERT_EQ(r0, 5, "with its result");
	ASSERT_GE(bpfhost_trace_read(log, sizeof(log)), 0, "trace");
	ASSERT_STR_CONTAINS(log, "ref_kept: insn 1: the reference kfunc tr_acquire returned here was not released: "
			    "the core passed it to tr_release", "a trace line reports the first");
	ASSERT_STR_CONTAINS(log, "insn 3: the reference kfunc tr_other_acquire returned here was not released: "
			    "the core passed it to tr_other_release", "and the second");
	ASSERT_EQ(atomic_load(&state->held), 0, "the module holds nothing out");
	bpfhost_close(fd);

	/* The run's account is bounded: past BH_RUN_MAX_REFS (16), acquiring fails as NULL. */
	{
		struct bpf_insn p[64];
		size_t n = 0;

		for (int i = 0; i < 20; i++) {
			p[n++] = (struct bpf_insn)MOV64_IMM(1, 0);
			p[n++] = (struct bpf_insn)KFUNC_CALL(acq);
		}
		p[n++] = (struct bpf_insn)EXIT();
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "ref_many", p, n, BPFHOST_F_TEST_UNVERIFIED);
		ASSERT_GE(fd, 0, "loads without the verifier");
		released = state->released;
		ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
		ASSERT_EQ(r0, 0, "the 20th acquire got NULL");
		ASSERT_EQ(state->released - released, 16, "the 16 it held went back");
		ASSERT_EQ(atomic_load(&state->held), 0, "nothing leaks");
		bpfhost_close(fd);
	}
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

/* A table built against the version-1 struct (smaller stride, no reference fields) still registers and runs. */
static void t_v1_table(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_kfunc_v1.so"), fd;
	uint64_t r0 = 0;

	ASSERT_GE(mod, 0, "a version-1 kfunc table registers");
	fd = LOAD("v1_calls", MOV64_IMM(1, 20), KFUNC_CALL(kfunc_id("tv1_double")), MOV64_REG(1, 0),
		  KFUNC_CALL(kfunc_id("tv1_inc")), EXIT());
	ASSERT_GE(fd, 0, "calls of both entries load (the second read at the old stride)");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "and run");
	ASSERT_EQ(r0, 41, "2 * 20 + 1");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

int main(void)
{
	struct tr_state *(*get_state)(void);
	static const struct test_case cases[] = {
		TEST(t_bad_tables), TEST(t_accepted), TEST(t_refused), TEST(t_released_at_run_end),
		TEST(t_copies), TEST(t_v1_table),
	};

	dl = dlopen(MODULE, RTLD_NOW);
	if (!dl) {
		fprintf(stderr, "dlopen %s: %s\n", MODULE, dlerror());
		return 1;
	}
	*(void **)&get_state = dlsym(dl, "test_kfunc_refs_state");
	if (!get_state)
		return 1;
	state = get_state();
	{
		int r = test_run("kfunc_refs", cases, sizeof(cases) / sizeof(cases[0]));

		dlclose(dl);
		return r;
	}
}
