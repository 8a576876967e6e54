// SPDX-License-Identifier: MIT
/*
 * Kfuncs (BTF-resolved functions) from a module (tests/ext/test_kfunc_provider.c):
 * bad tables refused at registration; BPFHOST_KFUNC_INFO by name; calls
 * resolved at load and run; an unknown id, a program type the kfunc does not
 * allow, an unprivileged program and arguments of the wrong kind refused at
 * load with the program and instruction named; the run-time check behind the verifier; and
 * unloading: -EBUSY while programs call the module's kfuncs, forced: those
 * calls stop with -ENODEV and a reload gives new ids.
 */
#include <dlfcn.h>

#include "bpfhost/extension.h"

#include "insn_build.h"
#include "prog_run.h"
#include "test_kfunc_provider.h"

#define KFUNC_CALL(id) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, (int32_t)(id))
#define MODULE BPFHOST_TEST_MODULE_DIR "/test_kfunc_provider.so"

static void *dl;
static struct tk_control *control;
static unsigned (*calls)(void);

static int kfunc_info(const char *name, union bpf_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->kfunc.name = (uint64_t)(uintptr_t)name;
	return bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, attr, sizeof(*attr));
}

static uint32_t kfunc_id(const char *name)
{
	union bpf_attr attr;

	ASSERT_OK(kfunc_info(name, &attr), name);
	return attr.kfunc.id;
}

static int load_module(enum tk_mode mode)
{
	control->mode = mode;
	return bpfhost_extension_load(MODULE);
}

static void t_bad_tables(void)
{
	static const struct {
		enum tk_mode mode;
		int err;
		const char *needle;
	} cases[] = {
		{ TK_BAD_NAME, -EINVAL, "kfuncs[0].name must be a C identifier" },
		{ TK_NO_FUNCTION, -EINVAL, "kfunc 'tk_add' has no function" },
		{ TK_BAD_SCALAR_SIZE, -EINVAL, "kfunc 'tk_add': scalar argument 2 of 3 bytes" },
		{ TK_TOO_MANY_ARGS, -EINVAL, "kfunc 'tk_add': arg_count 6 is more than 5" },
		{ TK_KIND_PAST_COUNT, -EINVAL, "kfunc 'tk_add': arg_kinds[2] is set past arg_count 2" },
		{ TK_DUPLICATE, -EEXIST, "kfunc 'tk_add' is in its table twice" },
		{ TK_BAD_RETURN, -EINVAL, "kfunc 'tk_add': return_kind 1 with return_size 16" },
		{ TK_NO_KFUNCS, -EINVAL, "kfunc_count 0" },
	};
	union bpf_attr attr;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(load_module(cases[i].mode), cases[i].err, cases[i].needle);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].needle, "the message names the entry");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "test_kfunc_provider", "and the module");
		ASSERT_EQ(kfunc_info("tk_sum4", &attr), -ENOENT, "nothing of a refused table stays");
	}
}

static void t_info(void)
{
	int mod = load_module(TK_GOOD), again;
	union bpf_attr attr;

	ASSERT_GE(mod, 0, "load the kfunc module");
	ASSERT_OK(kfunc_info("tk_fill", &attr), "tk_fill by name");
	ASSERT_GE(attr.kfunc.id, 0x40000000, "kfunc ids sit far from helper ids");
	ASSERT_EQ(attr.kfunc.return_kind, BPFHOST_KFUNC_RET_VOID, "returns void");
	ASSERT_EQ(attr.kfunc.arg_count, 2, "two arguments");
	ASSERT_EQ(attr.kfunc.arg_kinds[0], BPFHOST_KFUNC_ARG_PTR_TO_MEM_RW, "a T *");
	ASSERT_EQ(attr.kfunc.arg_sizes[0], 8, "of 8 bytes");
	ASSERT_EQ(attr.kfunc.arg_kinds[1], BPFHOST_KFUNC_ARG_SCALAR, "and a number");
	ASSERT_EQ(kfunc_info("tk_nope", &attr), -ENOENT, "an unknown name");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'tk_nope'", "the message names it");
	ASSERT_EQ(kfunc_info(NULL, &attr), -EFAULT, "a NULL name");
	/* The same module again: every name is taken. */
	again = load_module(TK_GOOD);
	ASSERT_EQ(again, -EEXIST, "a second registration of the names");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "already registered by module 'test_kfunc_provider'",
			    "names the holder");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload with no program holding it");
	ASSERT_EQ(kfunc_info("tk_fill", &attr), -ENOENT, "gone with its module");
}

static void t_calls(void)
{
	int mod = load_module(TK_GOOD), fd;
	uint32_t add, sum4, fill;
	unsigned before;
	uint64_t r0 = 0;

	ASSERT_GE(mod, 0, "load the kfunc module");
	add = kfunc_id("tk_add");
	sum4 = kfunc_id("tk_sum4");
	fill = kfunc_id("tk_fill");
	before = calls();

	/* r0 = tk_add(40, 0x100000002): the u32 argument's low half only. */
	fd = LOAD("kf_add", MOV64_IMM(1, 40), LD_IMM64(2, 0x100000002ull), KFUNC_CALL(add), EXIT());
	ASSERT_GE(fd, 0, "a scalar kfunc call loads");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "and runs");
	ASSERT_EQ(r0, 42, "through the module's function");
	bpfhost_close(fd);

	/* r0 = tk_sum4(&u32[4] on the stack). */
	fd = LOAD("kf_sum4", ST(BPF_W, 10, -16, 1), ST(BPF_W, 10, -12, 2), ST(BPF_W, 10, -8, 3),
		  ST(BPF_W, 10, -4, 4), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -16), KFUNC_CALL(sum4), EXIT());
	ASSERT_GE(fd, 0, "a const memory argument loads");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "and runs");
	ASSERT_EQ(r0, 10, "the kfunc read the 16 bytes");
	bpfhost_close(fd);

	/* tk_fill(&u64 on the stack, 0x1234); r0 = that u64: the verifier knows it was written. */
	fd = LOAD("kf_fill", ST(BPF_DW, 10, -8, 0), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
		  MOV64_IMM(2, 0x1234), KFUNC_CALL(fill), LDX(BPF_DW, 0, 10, -8), EXIT());
	ASSERT_GE(fd, 0, "a read-write memory argument loads");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "and runs");
	ASSERT_EQ(r0, 0x1234, "the kfunc wrote the stack");
	bpfhost_close(fd);

	/* A void kfunc leaves r0 unreadable, as Linux does. */
	fd = LOAD("kf_void_r0", ST(BPF_DW, 10, -8, 0), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
		  MOV64_IMM(2, 1), KFUNC_CALL(fill), EXIT());
	ASSERT_EQ(fd, -EACCES, "r0 after a void kfunc");
	ASSERT_EQ(calls() - before, 3, "each run called the module once");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload once the programs are closed");
}

static void t_refusals(void)
{
	int mod = load_module(TK_GOOD), fd;
	uint32_t add, sum4, fill, ctxv;

	ASSERT_GE(mod, 0, "load the kfunc module");
	add = kfunc_id("tk_add");
	sum4 = kfunc_id("tk_sum4");
	fill = kfunc_id("tk_fill");
	ctxv = kfunc_id("tk_ctx_value");

	fd = LOAD("kf_unknown", MOV64_IMM(1, 1), KFUNC_CALL(add + 1000), EXIT());
	ASSERT_EQ(fd, -EINVAL, "an id no module registers");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'kf_unknown': insn 1: kfunc id", "names program and insn");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "load the extension", "and says what to do");

	fd = LOAD("kf_type", KFUNC_CALL(ctxv), EXIT());
	ASSERT_EQ(fd, -EINVAL, "tk_ctx_value from a socket filter");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "kfunc 'tk_ctx_value' (module 'test_kfunc_provider') may not "
			    "be called by programs of type", "names kfunc, module and type");

	fd = LOAD("kf_ptr_as_num", MOV64_REG(1, 10), MOV64_IMM(2, 1), KFUNC_CALL(add), EXIT());
	ASSERT_EQ(fd, -EACCES, "a pointer where tk_add takes a number");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "kfunc tk_add takes a 8-byte number as argument 1", "says which");

	fd = LOAD("kf_num_as_ptr", MOV64_IMM(1, 64), KFUNC_CALL(sum4), EXIT());
	ASSERT_EQ(fd, -EACCES, "a number where tk_sum4 takes memory");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "takes a pointer to 16 bytes", "says how much");

	fd = LOAD("kf_short", ST(BPF_DW, 10, -8, 0), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
		  KFUNC_CALL(sum4), EXIT());
	ASSERT_EQ(fd, -EACCES, "8 bytes of stack where tk_sum4 reads 16");

	/* Unprivileged programs call no kfunc at all, as Linux requires CAP_BPF. */
	{
		const struct bpf_insn p[] = { MOV64_IMM(1, 1), MOV64_IMM(2, 2), KFUNC_CALL(add), EXIT() };

		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "kf_unpriv", p, sizeof(p) / sizeof(p[0]),
					  BPFHOST_F_UNPRIVILEGED);
		ASSERT_EQ(fd, -EPERM, "a kfunc call from an unprivileged program");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "unprivileged programs (BPFHOST_F_UNPRIVILEGED) cannot call "
				    "kfuncs", "says why");
	}
	/* Uninitialised stack: privileged programs may pass it, as Linux lets CAP_PERFMON (each run zeroes it). */
	{
		const struct bpf_insn p[] = { MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -16), KFUNC_CALL(sum4),
					      EXIT() };
		uint64_t r0 = 1;

		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "kf_uninit", p, sizeof(p) / sizeof(p[0]), 0);
		ASSERT_GE(fd, 0, "uninitialised stack where tk_sum4 reads, privileged");
		ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
		ASSERT_EQ(r0, 0, "reads the zeroed stack");
		bpfhost_close(fd);
	}

	fd = LOAD("kf_ctx_as_mem", MOV64_IMM(2, 1), KFUNC_CALL(fill), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "the context where tk_fill writes memory");

	/* A map value as tk_fill's `u64 *`: writable loads, read-only (BPF_F_RDONLY_PROG) does not. */
	for (int ro = 0; ro < 2; ro++) {
		int map = test_map(BPF_MAP_TYPE_ARRAY, ro ? "kf_ro" : "kf_rw", 4, 8, 1, ro ? BPF_F_RDONLY_PROG : 0);

		fd = LOAD("kf_map_value", ST(BPF_W, 10, -4, 0), LD_MAP(1, map), MOV64_REG(2, 10),
			  ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 2),
			  MOV64_IMM(0, 0), EXIT(), MOV64_REG(1, 0), MOV64_IMM(2, 9), KFUNC_CALL(fill),
			  MOV64_IMM(0, 0), EXIT());
		if (ro) {
			ASSERT_EQ(fd, -EACCES, "a read-only map value where tk_fill writes");
		} else {
			uint32_t k = 0;
			uint64_t v = 0;

			ASSERT_GE(fd, 0, "a writable map value where tk_fill writes");
			ASSERT_OK(test_prog_run(fd, 0, 0, NULL), "runs");
			ASSERT_OK(bpfhost_map_lookup_elem(map, &k, &v), "read the value");
			ASSERT_EQ(v, 9, "tk_fill wrote the map value");
			bpfhost_close(fd);
		}
		bpfhost_close(map);
	}

	fd = LOAD("kf_no_arg", MOV64_IMM(1, 1), KFUNC_CALL(add), EXIT());
	ASSERT_EQ(fd, -EACCES, "an argument register never written");

	/* Behind the verifier, the call checks its memory itself. */
	fd = LOAD_UNVERIFIED("kf_unverified", MOV64_IMM(1, 64), KFUNC_CALL(sum4), EXIT());
	ASSERT_GE(fd, 0, "loads without the verifier");
	ASSERT_EQ(test_prog_run(fd, 0, 0, NULL), -EFAULT, "the run stops at the call");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "tk_sum4", "naming the kfunc");
	bpfhost_close(fd);

	/* callx never reaches a kfunc by its id. */
	fd = LOAD_UNVERIFIED("kf_callx", ST(BPF_W, 10, -16, 0), ST(BPF_W, 10, -12, 0), ST(BPF_DW, 10, -8, 0),
			     MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -16), KFUNC_CALL(sum4),
			     MOV64_IMM(3, (int32_t)sum4), CALLX(3), EXIT());
	ASSERT_GE(fd, 0, "loads without the verifier");
	ASSERT_EQ(test_prog_run(fd, 0, 0, NULL), -EINVAL, "callx of a kfunc id");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "nothing holds the module");
}

static void t_program_type(void)
{
	int tmod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");
	int mod = load_module(TK_GOOD), fd;
	uint8_t ctx[24] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .ctx_in = ctx, .ctx_size_in = sizeof(ctx));

	ASSERT_GE(tmod, 0, "load the testprog module");
	ASSERT_GE(mod, 0, "load the kfunc module");
	fd = LOAD_TYPE(TK_TESTPROG_TYPE, "kf_ctx", KFUNC_CALL(kfunc_id("tk_ctx_value")), EXIT());
	ASSERT_GE(fd, 0, "tk_ctx_value from the type it allows");
	ctx[TK_TESTPROG_CTX_VALUE] = 99;
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "runs");
	ASSERT_EQ(o.retval, 99, "the kfunc got the context");
	fd = (bpfhost_close(fd), LOAD_TYPE(TK_TESTPROG_TYPE, "kf_ctx_moved", ALU64_IMM(BPF_ADD, 1, 8),
					   KFUNC_CALL(kfunc_id("tk_ctx_value")), EXIT()));
	ASSERT_EQ(fd, -EACCES, "the context moved");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload the kfunc module");
	ASSERT_OK(bpfhost_extension_unload(tmod, 0), "unload the testprog module");
}

static void t_unload(void)
{
	int mod = load_module(TK_GOOD), fd, fd2;
	uint32_t add = kfunc_id("tk_add");
	uint64_t r0 = 0;
	union bpf_attr attr;

	fd = LOAD("kf_held", MOV64_IMM(1, 1), MOV64_IMM(2, 2), KFUNC_CALL(add), EXIT());
	fd2 = LOAD("kf_held_twice", MOV64_IMM(1, 1), MOV64_IMM(2, 2), KFUNC_CALL(add), MOV64_IMM(1, 3),
		   MOV64_IMM(2, 4), KFUNC_CALL(add), EXIT());
	ASSERT_GE(fd, 0, "a program calling the module");
	ASSERT_GE(fd2, 0, "and another, calling it twice");
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "plain unload while programs call it");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "2 programs calling its kfuncs", "counts each program once");
	ASSERT_OK(test_prog_run(fd2, 0, 0, &r0), "still runs after the refusal");
	ASSERT_EQ(r0, 7, "1 + 2, then 3 + 4");
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced unload");
	ASSERT_EQ(test_prog_run(fd, 0, 0, NULL), -ENODEV, "its kfunc is gone");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "kfunc 'tk_add' was unloaded with its module", "says so");
	bpfhost_close(fd);
	bpfhost_close(fd2);

	mod = load_module(TK_GOOD);
	ASSERT_GE(mod, 0, "the module loads again");
	ASSERT_OK(kfunc_info("tk_add", &attr), "tk_add again");
	ASSERT_TRUE(attr.kfunc.id != add, "under a new id");
	fd = LOAD("kf_stale", MOV64_IMM(1, 1), MOV64_IMM(2, 2), KFUNC_CALL(add), EXIT());
	ASSERT_EQ(fd, -EINVAL, "the old id resolves to nothing");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

int main(void)
{
	struct tk_control *(*get_control)(void);
	static const struct test_case cases[] = {
		TEST(t_bad_tables), TEST(t_info), TEST(t_calls), TEST(t_refusals), TEST(t_program_type),
		TEST(t_unload),
	};

	dl = dlopen(MODULE, RTLD_NOW);
	if (!dl) {
		fprintf(stderr, "dlopen %s: %s\n", MODULE, dlerror());
		return 1;
	}
	*(void **)&get_control = dlsym(dl, "test_kfunc_control");
	*(void **)&calls = dlsym(dl, "test_kfunc_calls");
	if (!get_control || !calls)
		return 1;
	control = get_control();
	{
		int r = test_run("kfunc", cases, sizeof(cases) / sizeof(cases[0]));

		dlclose(dl);
		return r;
	}
}
