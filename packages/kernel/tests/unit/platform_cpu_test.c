// SPDX-License-Identifier: MIT
/*
 * plat_cpu_id() (read from the thread's rseq area when glibc registered
 * one) names the CPU the thread runs on: pinned to each CPU it may use in
 * turn, the thread reads that CPU, and a second thread pinned elsewhere
 * reads its own.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>

#include "test.h"

#include "platform/platform.h"

static bool pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static void follows_the_pinned_cpu(void)
{
	cpu_set_t allowed;
	int n = plat_num_possible_cpus(), tried = 0;

	ASSERT_OK(sched_getaffinity(0, sizeof(allowed), &allowed), "affinity");
	for (int cpu = 0; cpu < CPU_SETSIZE && cpu < n; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || !pin(cpu))
			continue;
		for (int i = 0; i < 1000; i++)
			ASSERT_EQ(plat_cpu_id(), cpu, "the pinned CPU");
		ASSERT_EQ(plat_cpu_id(), sched_getcpu(), "what the kernel says");
		tried++;
	}
	ASSERT_OK(sched_setaffinity(0, sizeof(allowed), &allowed), "affinity restored");
	ASSERT_GE(tried, 1, "pinned to at least one CPU");
}

static int other_cpu = -1;

static void *read_cpu(void *arg)
{
	(void)arg;
	if (pin(other_cpu))
		return (void *)(intptr_t)plat_cpu_id();
	return (void *)(intptr_t)-1;
}

/* Each thread has its own rseq area: another thread pinned elsewhere reads its CPU. */
static void per_thread(void)
{
	cpu_set_t allowed;
	pthread_t t;
	void *got = NULL;
	int mine = -1;

	ASSERT_OK(sched_getaffinity(0, sizeof(allowed), &allowed), "affinity");
	for (int cpu = 0; cpu < CPU_SETSIZE && cpu < plat_num_possible_cpus(); cpu++)
		if (CPU_ISSET(cpu, &allowed)) {
			if (mine < 0)
				mine = cpu;
			else if (other_cpu < 0)
				other_cpu = cpu;
		}
	if (other_cpu < 0) {
		printf("one usable CPU: the other thread shares it\n");
		other_cpu = mine;
	}
	ASSERT_TRUE(pin(mine), "pinned");
	ASSERT_OK(pthread_create(&t, NULL, read_cpu, NULL), "thread");
	ASSERT_OK(pthread_join(t, &got), "join");
	ASSERT_EQ((intptr_t)got, other_cpu, "the other thread's CPU");
	ASSERT_EQ(plat_cpu_id(), mine, "this thread's CPU");
	ASSERT_OK(sched_setaffinity(0, sizeof(allowed), &allowed), "affinity restored");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(follows_the_pinned_cpu),
		TEST(per_thread),
	};

	return test_run("platform_cpu", cases, sizeof(cases) / sizeof(cases[0]));
}
