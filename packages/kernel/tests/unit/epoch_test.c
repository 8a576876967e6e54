// SPDX-License-Identifier: MIT
/*
 * Epoch-based reclamation: memory retired while a reader is inside an epoch
 * stays valid until that reader leaves; deferred calls run after every
 * thread left; extension-style enter/exit with an opaque state pair up.
 * Also the handle table: many handles, reuse of the lowest free number, and
 * the count returning to where it started.
 */
#include "test.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "epoch/epoch.h"

static atomic_int phase;
static atomic_int called;

static void count_call(struct epoch_head *h)
{
	(void)h;
	atomic_fetch_add(&called, 1);
}

static void *reader(void *arg)
{
	volatile uint64_t *p = arg;

	epoch_enter();
	atomic_store(&phase, 1);
	while (atomic_load(&phase) != 2)
		sched_yield();
	/* The writer retired @p and tried to reclaim: it must still be ours. */
	ASSERT_EQ(*p, 0xabcdef, "retired memory still readable inside the epoch");
	epoch_exit();
	atomic_store(&phase, 3);
	return NULL;
}

static void retire_waits_for_readers(void)
{
	struct epoch_head head;
	uint64_t *p = epoch_alloc(sizeof(*p));
	pthread_t t;

	*p = 0xabcdef;
	atomic_store(&phase, 0);
	atomic_store(&called, 0);
	pthread_create(&t, NULL, reader, p);
	while (atomic_load(&phase) != 1)
		sched_yield();
	epoch_free(p);
	epoch_call(&head, count_call);
	/* Reclaiming now must neither free @p nor run the call. */
	epoch_run_deferred();
	for (int i = 0; i < 200; i++) {
		void *junk = epoch_alloc(16);

		epoch_free(junk);	/* pushes this thread past its reclaim batch */
	}
	ASSERT_EQ(atomic_load(&called), 0, "deferred call waits for the reader");
	atomic_store(&phase, 2);
	pthread_join(t, NULL);
	epoch_synchronize();
	ASSERT_EQ(atomic_load(&called), 1, "deferred call ran once the reader left");
}

static void nesting_and_state(void)
{
	uint64_t state[4] = { 0 }, inner[4] = { 0 };	/* as bpfhost_epoch_state_t */

	ASSERT_TRUE(!epoch_in(), "outside at start");
	epoch_enter_state(state);
	epoch_enter_state(inner);
	ASSERT_TRUE(epoch_in(), "inside");
	epoch_exit_state(inner);
	ASSERT_TRUE(epoch_in(), "still inside after the inner exit");
	epoch_exit_state(state);
	ASSERT_TRUE(!epoch_in(), "outside after the outer exit");
}

static void synchronize_inside_epoch_does_not_hang(void)
{
	struct epoch_head head;

	atomic_store(&called, 0);
	epoch_enter();
	epoch_call(&head, count_call);
	epoch_synchronize();	/* cannot wait for itself: reclaims what it can */
	ASSERT_EQ(atomic_load(&called), 0, "callbacks never run inside an epoch");
	epoch_exit();
	epoch_synchronize();
	ASSERT_EQ(atomic_load(&called), 1, "ran after exit");
}

static void many_handles(void)
{
	enum { N = 10000 };
	static int fds[N];
	int start = bpfhost_handle_count(), again;

	for (int i = 0; i < N; i++) {
		fds[i] = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "h", 4, 4, 1, NULL);
		if (fds[i] < 1) {
			ASSERT_GE(fds[i], 1, "create many");
			return;
		}
	}
	ASSERT_EQ(bpfhost_handle_count(), start + N, "count grew");
	ASSERT_OK(bpfhost_close(fds[17]), "close one");
	again = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "h", 4, 4, 1, NULL);
	ASSERT_EQ(again, fds[17], "lowest free handle is reused");
	for (int i = 0; i < N; i++)
		ASSERT_OK(bpfhost_close(fds[i]), "close");
	ASSERT_EQ(bpfhost_handle_count(), start, "count back to start");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(retire_waits_for_readers), TEST(nesting_and_state),
		TEST(synchronize_inside_epoch_does_not_hang), TEST(many_handles),
	};

	return test_run("epoch", cases, sizeof(cases) / sizeof(cases[0]));
}
