// SPDX-License-Identifier: MIT
/*
 * A forced unload of a kfunc module while programs call its kfuncs on other
 * threads. The test does not dlopen the module itself, so once the core
 * unmaps it a call into it would crash: every run must either finish with
 * the right result (it started before the kfuncs were marked gone) or stop
 * with -ENODEV, and every run after the unload returned stops with -ENODEV.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "insn_build.h"
#include "prog_run.h"

#define KFUNC_CALL(id) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, (int32_t)(id))
#define CALLS 100
#define THREADS 3

static int prog_fd;
static atomic_bool unloaded;
static atomic_int bad, ok_runs, gone_runs, late_ok;

static void *runner(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		bool after = atomic_load(&unloaded);
		uint64_t r0 = 0;
		int err = test_prog_run(prog_fd, 0, 0, &r0);

		if (!err && r0 == CALLS) {
			atomic_fetch_add(&ok_runs, 1);
			if (after)
				atomic_fetch_add(&late_ok, 1);
		} else if (err == -ENODEV) {
			atomic_fetch_add(&gone_runs, 1);
			if (after && i > 0)
				break;
		} else {
			atomic_fetch_add(&bad, 1);
		}
	}
	return NULL;
}

static void t_forced_unload_under_calls(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_kfunc_provider.so");
	struct bpf_insn p[4 * CALLS + 1];
	union bpf_attr attr;
	pthread_t th[THREADS];
	size_t n = 0;

	ASSERT_GE(mod, 0, "load the kfunc module");
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)"tk_add";
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), "tk_add's id");
	/* r0 = 0; CALLS times r0 = tk_add(r0, 1): r6 carries the sum across the calls. */
	p[n++] = MOV64_IMM(6, 0);
	for (int i = 0; i < CALLS; i++) {
		p[n++] = MOV64_REG(1, 6);
		p[n++] = MOV64_IMM(2, 1);
		p[n++] = KFUNC_CALL(attr.kfunc.id);
		if (i + 1 < CALLS)
			p[n++] = MOV64_REG(6, 0);
	}
	p[n++] = EXIT();
	prog_fd = test_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kf_stress", p, n);
	ASSERT_GE(prog_fd, 0, "a program calling tk_add 100 times");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, runner, NULL);
	while (atomic_load(&ok_runs) < 200)
		sched_yield();
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced unload under calls");
	atomic_store(&unloaded, true);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(atomic_load(&bad), 0, "every run ended with the right sum or -ENODEV");
	ASSERT_EQ(atomic_load(&late_ok), 0, "no run that started after the unload reached the module");
	ASSERT_GE(atomic_load(&gone_runs), 1, "runs after the unload stop with -ENODEV");
	ASSERT_EQ(test_prog_run(prog_fd, 0, 0, NULL), -ENODEV, "and so does the next one");
	bpfhost_close(prog_fd);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_forced_unload_under_calls) };

	return test_run("kfunc_unload_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
