// SPDX-License-Identifier: MIT
/*
 * A forced unload of a kfunc module while programs call its kfuncs on other
 * threads. The test does not dlopen the module itself, so once the core
 * unmaps it a call into it would crash: every run must either finish with
 * the right result (it started before the kfuncs were marked gone) or stop
 * with -ENODEV, and every run after the unload returned stops with -ENODEV.
 *
 * The same with references (tests/ext/test_kfunc_refs.c): runs that hold
 * one when the module goes either release it themselves or stop with
 * -ENODEV, and the module, which counts what it lends out and any call into
 * it after its unload callback, is never called late, never gets back what
 * it did not lend, and gets back every reference: those of the runs stopped
 * while holding one too (the core releases them as those runs end, before
 * the unload callback).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "insn_build.h"
#include "prog_run.h"
#include "test_kfunc_refs.h"

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

#define REFS_MODULE BPFHOST_TEST_MODULE_DIR "/test_kfunc_refs.so"
#define PEEKS 50

struct ref_runner {
	pthread_t th;
	int fd;				/* its own program: its own object (the module counts per object) */
	uint32_t key;
	int ok, gone_unheld, gone_held, bad;
};

static atomic_bool refs_unloaded;
static atomic_int refs_ok_runs;

static void *ref_runner(void *arg)
{
	struct ref_runner *r = arg;

	for (int i = 0; i < 20000; i++) {
		bool after = atomic_load(&refs_unloaded);
		uint64_t r0 = 0;
		int err = test_prog_run(r->fd, 0, 0, &r0);

		if (!err && r0 == (uint64_t)PEEKS * TR_VALUE(r->key) && !after) {
			r->ok++;
			atomic_fetch_add(&refs_ok_runs, 1);
		} else if (err == -ENODEV) {
			/* Stopped at the acquire: it held nothing; at a later call: it held one. */
			if (strstr(bpfhost_last_error(), "kfunc 'tr_acquire' was unloaded"))
				r->gone_unheld++;
			else if (strstr(bpfhost_last_error(), "was unloaded with its module"))
				r->gone_held++;
			else
				r->bad++;
			if (after)
				break;
		} else {
			r->bad++;
		}
	}
	return NULL;
}

/* r6 = tr_acquire(key); if (!r6) return 0; r7 = PEEKS * tr_peek(r6); tr_release(r6); return r7 */
static int ref_prog(uint32_t key, uint32_t acq, uint32_t peek, uint32_t rel)
{
	struct bpf_insn p[8 + 4 * PEEKS + 4];
	size_t n = 0;

	p[n++] = (struct bpf_insn)MOV64_IMM(1, (int32_t)key);
	p[n++] = (struct bpf_insn)KFUNC_CALL(acq);
	p[n++] = (struct bpf_insn)JMP_IMM(BPF_JNE, 0, 0, 2);
	p[n++] = (struct bpf_insn)MOV64_IMM(0, 0);
	p[n++] = (struct bpf_insn)EXIT();
	p[n++] = (struct bpf_insn)MOV64_REG(6, 0);
	p[n++] = (struct bpf_insn)MOV64_IMM(7, 0);
	for (int i = 0; i < PEEKS; i++) {
		p[n++] = (struct bpf_insn)MOV64_REG(1, 6);
		p[n++] = (struct bpf_insn)KFUNC_CALL(peek);
		p[n++] = (struct bpf_insn)ALU64_REG(BPF_ADD, 7, 0);
	}
	p[n++] = (struct bpf_insn)MOV64_REG(1, 6);
	p[n++] = (struct bpf_insn)KFUNC_CALL(rel);
	p[n++] = (struct bpf_insn)MOV64_REG(0, 7);
	p[n++] = (struct bpf_insn)EXIT();
	return test_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kf_ref_stress", p, n);
}

static uint32_t id_of(const char *name)
{
	struct bpfhost_kfunc_info info;

	ASSERT_OK(bpfhost_kfunc_info(name, &info, NULL), name);
	return info.id;
}

static void t_forced_unload_holding_refs(void)
{
	void *dl = dlopen(REFS_MODULE, RTLD_NOW);
	struct tr_state *(*get_state)(void);
	struct ref_runner runners[THREADS];
	struct tr_state *state;
	int mod, gone_held = 0, gone = 0, ok = 0, wrong = 0;
	uint32_t acq, peek, rel;

	ASSERT_TRUE(dl != NULL, "dlopen the references module (to read its counts)");
	if (!dl)
		return;
	*(void **)&get_state = dlsym(dl, "test_kfunc_refs_state");
	ASSERT_TRUE(get_state != NULL, "its state");
	if (!get_state)
		return;
	state = get_state();
	mod = bpfhost_extension_load(REFS_MODULE);
	ASSERT_GE(mod, 0, "load the references module");
	acq = id_of("tr_acquire");
	peek = id_of("tr_peek");
	rel = id_of("tr_release");
	_Static_assert(THREADS <= TR_OBJS, "one object per runner");
	for (int i = 0; i < THREADS; i++) {
		runners[i] = (struct ref_runner){ .key = (uint32_t)i };
		runners[i].fd = ref_prog((uint32_t)i, acq, peek, rel);
		ASSERT_GE(runners[i].fd, 0, "acquire, 50 peeks through the reference, release");
	}
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "a plain unload: programs hold it");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&runners[i].th, NULL, ref_runner, &runners[i]);
	while (atomic_load(&refs_ok_runs) < 200)
		sched_yield();
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced unload while runs hold references");
	atomic_store(&refs_unloaded, true);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(runners[i].th, NULL);
		ok += runners[i].ok;
		gone += runners[i].gone_unheld + runners[i].gone_held;
		gone_held += runners[i].gone_held;
		wrong += runners[i].bad;
	}
	printf("runs: %d completed, %d stopped holding a reference, %d stopped at the acquire\n", ok,
	       gone_held, gone - gone_held);
	ASSERT_EQ(wrong, 0, "every run ended with the right sum, or -ENODEV naming the kfunc");
	ASSERT_GE(ok, 200, "runs before the unload completed");
	ASSERT_GE(gone, THREADS, "each runner's runs stop with -ENODEV after it");
	ASSERT_EQ(atomic_load(&state->late_calls), 0, "no kfunc call reached the module after its unload");
	ASSERT_EQ(atomic_load(&state->bad_releases), 0, "it never got back what it did not lend");
	ASSERT_EQ(atomic_load(&state->held), 0, "it got back every reference, those of the runs stopped "
		  "holding one too");
	ASSERT_EQ(state->acquired - state->released, 0u, "and its counts agree");
	/* After: the programs still run, and stop at the acquire, holding nothing. */
	for (int i = 0; i < THREADS; i++) {
		ASSERT_EQ(test_prog_run(runners[i].fd, 0, 0, NULL), -ENODEV, "a run after the unload");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "kfunc 'tr_acquire' was unloaded with its module",
				    "stops at its first kfunc call");
		bpfhost_close(runners[i].fd);
	}
	ASSERT_EQ(atomic_load(&state->late_calls), 0, "still no late call");
	ASSERT_EQ(atomic_load(&state->held), 0, "nor a late release");
	/* The module again: it lends and gets back as before. */
	atomic_store(&state->held, 0);
	mod = bpfhost_extension_load(REFS_MODULE);
	ASSERT_GE(mod, 0, "load it again");
	{
		int fd = ref_prog(0, id_of("tr_acquire"), id_of("tr_peek"), id_of("tr_release"));
		uint64_t r0 = 0;

		ASSERT_GE(fd, 0, "a program of the new ids");
		ASSERT_OK(test_prog_run(fd, 0, 0, &r0), "runs");
		ASSERT_EQ(r0, (uint64_t)PEEKS * TR_VALUE(0), "through the reloaded module");
		ASSERT_EQ(atomic_load(&state->held), 0, "and gives back what it took");
		bpfhost_close(fd);
	}
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload once the program is closed");
	dlclose(dl);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_forced_unload_under_calls),
						  TEST(t_forced_unload_holding_refs) };

	return test_run("kfunc_unload_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
