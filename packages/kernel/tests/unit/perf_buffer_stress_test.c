// SPDX-License-Identifier: MIT
/*
 * Stress: producer threads run a program that calls bpf_perf_event_output
 * (this CPU's slot) many times while a consumer thread polls the perf
 * buffer and another thread keeps swapping slot 1's ring reference (the
 * same ring, so no sample is lost to it). Every sample arrives whole, and
 * at the end samples + reported losses == calls: nothing is counted twice
 * or forgotten. Run under ASan and TSan.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "test.h"
#include "insn_build.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"

#define PRODUCERS 2
#define RUNS 200000
#define MAGIC 0x5eed5eedu

static int perf_fd;
static atomic_bool stop;
static atomic_ulong samples, lost, torn;

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	uint32_t v[2];

	(void)ctx, (void)cpu;
	memcpy(v, data, sizeof(v));
	if (size != 8 || v[0] != MAGIC || v[1] != ~MAGIC)
		atomic_fetch_add(&torn, 1);
	atomic_fetch_add(&samples, 1);
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	(void)ctx, (void)cpu;
	atomic_fetch_add(&lost, cnt);
}

/* Sends {MAGIC, ~MAGIC} to slot @index (BPF_F_CURRENT_CPU: this CPU's); returns the helper's result. */
static int load_sender(int map_fd, uint64_t index)
{
	const struct bpf_insn insns[] = {
		MOV64_REG(6, 1),
		ST(BPF_W, 10, -8, (int32_t)MAGIC),
		ST(BPF_W, 10, -4, (int32_t)~MAGIC),
		MOV64_REG(1, 6),
		LD_MAP(2, map_fd),
		LD_IMM64(3, index),
		MOV64_REG(4, 10),
		ALU64_IMM(BPF_ADD, 4, -8),
		MOV64_IMM(5, 8),
		CALL(BPF_FUNC_perf_event_output),
		EXIT(),
	};

	return bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sender", "GPL", insns,
				 sizeof(insns) / sizeof(insns[0]), NULL);
}

static int run(int prog, int repeat)
{
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame),
		     .repeat = repeat);

	return bpfhost_prog_test_run_opts(prog, &t);
}

static void *producer(void *arg)
{
	int prog = *(int *)arg;

	for (int i = 0; i < RUNS / 100; i++)
		if (run(prog, 100))
			atomic_fetch_add(&torn, 1000000);
	return NULL;
}

static void *consumer(void *arg)
{
	struct bpfhost_perf_buffer *pb = arg;

	while (!atomic_load(&stop))
		bpfhost_perf_buffer__poll(pb, 10);
	return NULL;
}

static void *swapper(void *arg)
{
	int ring = *(int *)arg;
	uint32_t one = 1;

	while (!atomic_load(&stop))
		bpfhost_map_update_elem(perf_fd, &one, &ring, BPF_ANY);
	return NULL;
}

static void t_concurrent_output(void)
{
	pthread_t prod[PRODUCERS], cons, swap;
	struct bpfhost_perf_buffer *pb;
	int prog, flush[2], ring = -1;
	uint32_t one = 1, id = 0;

	perf_fd = bpfhost_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "events", 4, 4, 2, NULL);
	ASSERT_GE(perf_fd, 1, bpfhost_last_error());
	pb = bpfhost_perf_buffer__new(perf_fd, 1, on_sample, on_lost, NULL, NULL);
	ASSERT_TRUE(pb != NULL, bpfhost_last_error());
	prog = load_sender(perf_fd, BPF_F_CURRENT_CPU);
	flush[0] = load_sender(perf_fd, 0);
	flush[1] = load_sender(perf_fd, 1);
	ASSERT_GE(prog, 1, bpfhost_last_error());
	if (!pb || prog < 1 || flush[0] < 1 || flush[1] < 1)
		return;
	/* The swapper puts the consumer's own ring back in slot 1 (found by its id). */
	ASSERT_OK(bpfhost_map_lookup_elem(perf_fd, &one, &id), "slot 1's ring");
	ring = bpfhost_map_get_fd_by_id(id);
	ASSERT_GE(ring, 1, "its handle");
	pthread_create(&cons, NULL, consumer, pb);
	pthread_create(&swap, NULL, swapper, &ring);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_create(&prod[i], NULL, producer, &prog);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(prod[i], NULL);
	atomic_store(&stop, true);
	pthread_join(cons, NULL);
	pthread_join(swap, NULL);
	/* Drain, then one sample per slot carries whatever loss is still unreported. */
	while (bpfhost_perf_buffer__consume(pb) > 0)
		;
	for (int i = 0; i < 2; i++) {
		ASSERT_OK(run(flush[i], 1), bpfhost_last_error());
		while (bpfhost_perf_buffer__consume(pb) > 0)
			;
	}
	ASSERT_EQ(atomic_load(&torn), 0, "every sample whole, every run fine");
	ASSERT_EQ(atomic_load(&samples) + atomic_load(&lost), (unsigned long)(PRODUCERS * RUNS + 2),
		  "samples + losses == calls");
	ASSERT_GE(atomic_load(&samples), 1, "samples arrived");
	bpfhost_perf_buffer__free(pb);
	bpfhost_close(ring);
	bpfhost_close(prog);
	bpfhost_close(flush[0]);
	bpfhost_close(flush[1]);
	bpfhost_close(perf_fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_concurrent_output),
	};

	return test_run("perf_buffer_stress", cases, 1);
}
