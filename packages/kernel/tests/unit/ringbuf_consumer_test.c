// SPDX-License-Identifier: MIT
/*
 * The ring buffer consumer (src/lib/ringbuf_consumer.c): records written by
 * a socket filter's bpf_ringbuf_output and by the core's producer API come
 * out in order with their sizes, discarded ones are skipped, records that
 * wrap around the end of the ring arrive whole, a BUSY record holds back
 * the ones behind it, the callback can stop the walk, poll times out with 0
 * and is woken by a producer thread, and bad handles are refused.
 */
#include "test.h"
#include "map_handle.h"
#include "insn.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "bpfhost/libbpf.h"
#include "epoch/epoch.h"
#include "maps/ringbuf.h"

#define PAGE 4096u

struct rec {
	uint32_t size;
	uint8_t bytes[256];
};

struct sink {
	int n;
	int stop_at;		/* return -EINTR from the callback at this record (0: never) */
	struct rec recs[64];
};

static int sample(void *ctx, void *data, size_t size)
{
	struct sink *s = ctx;
	struct rec *r = &s->recs[s->n % 64];

	r->size = (uint32_t)size;
	memcpy(r->bytes, data, size < sizeof(r->bytes) ? size : sizeof(r->bytes));
	s->n++;
	return s->stop_at && s->n == s->stop_at ? -EINTR : 0;
}

/* The producer API runs under epoch, as a program calls it. */
static void *reserve(struct bh_map *map, uint64_t size)
{
	void *p;

	epoch_enter();
	p = bh_ringbuf_reserve(map, size, 0);
	epoch_exit();
	return p;
}

static void commit(struct bh_map *map, void *p, bool discard)
{
	epoch_enter();
	if (discard)
		bh_ringbuf_discard(map, p, 0);
	else
		bh_ringbuf_submit(map, p, 0);
	epoch_exit();
}

/* A record of @size bytes, each byte @tag + its index. */
static void put(struct bh_map *map, uint32_t size, uint8_t tag, bool discard)
{
	uint8_t *p = reserve(map, size);

	ASSERT_TRUE(p != NULL, "reserve");
	if (!p)
		return;
	for (uint32_t i = 0; i < size; i++)
		p[i] = (uint8_t)(tag + i);
	commit(map, p, discard);
}

static bool rec_is(const struct rec *r, uint32_t size, uint8_t tag)
{
	if (r->size != size)
		return false;
	for (uint32_t i = 0; i < size && i < sizeof(r->bytes); i++)
		if (r->bytes[i] != (uint8_t)(tag + i))
			return false;
	return true;
}

static int ringbuf(uint32_t size)
{
	return test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, size, 0);
}

/* A socket filter that emits the frame's bytes 14..21 (LD_ABS 0..7: from the network header) as one record. */
static int load_emitter(int rb)
{
	struct bpf_insn insns[32];
	size_t n = 0;

	insns[n++] = MOV64_REG(6, 1);	/* LD_ABS reads the frame through r6 */
	for (int i = 0; i < 8; i++) {
		insns[n++] = LD_ABS(BPF_B, i);
		insns[n++] = STX_MEM(BPF_B, 10, 0, -8 + i);
	}
	const struct bpf_insn tail[] = {
		LD_MAP_FD(1, rb), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), MOV64_IMM(3, 8),
		MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output), EXIT(),
	};
	memcpy(&insns[n], tail, sizeof(tail));
	n += sizeof(tail) / sizeof(tail[0]);
	return bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "emit", "GPL", insns, n, NULL);
}

static void run_frame(int prog, uint8_t tag)
{
	uint8_t pkt[64] = { 0 };

	pkt[12] = 0x08;	/* ETH_P_IP */
	for (size_t i = 14; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(tag + i - 14);
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	ASSERT_OK(bpfhost_prog_test_run_opts(prog, &o), "test run");
	ASSERT_EQ(o.retval, 0, "ringbuf_output returned 0");
}

static void from_program(void)
{
	int rb = ringbuf(PAGE), prog = load_emitter(rb);
	struct sink s = { 0 };
	struct bpfhost_ring_buffer *c = bpfhost_ring_buffer__new(rb, sample, &s, NULL);

	ASSERT_GE(prog, 0, "load");
	ASSERT_TRUE(c != NULL, "consumer");
	if (!c || prog < 0)
		return;
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 0, "empty ring");
	for (uint8_t t = 0; t < 5; t++)
		run_frame(prog, (uint8_t)(t * 16));
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 5, "five records");
	ASSERT_EQ(s.n, 5, "five callbacks");
	for (int i = 0; i < 5 && i < s.n; i++)
		ASSERT_TRUE(rec_is(&s.recs[i], 8, (uint8_t)(i * 16)), "records in order, bytes 14..21");
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 0, "drained");
	/* Closing the caller's handles leaves the consumer's own. */
	bpfhost_close(prog);
	bpfhost_close(rb);
	ASSERT_EQ(bpfhost_handle_count(), 1, "the consumer's own handle");
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, 0), 0, "still usable after the caller closed the map");
	bpfhost_ring_buffer__free(c);
	ASSERT_EQ(bpfhost_handle_count(), 0, "free closes it");
}

static void order_sizes_discard(void)
{
	int rb = ringbuf(PAGE);
	struct bh_map *map = test_map_of(rb);
	struct sink s = { 0 };
	struct bpfhost_ring_buffer *c = bpfhost_ring_buffer__new(rb, sample, &s, NULL);
	void *busy;

	ASSERT_TRUE(c != NULL, "consumer");
	if (!c)
		return;
	put(map, 1, 10, false);
	put(map, 13, 20, true);		/* discarded: skipped */
	put(map, 16, 30, false);
	put(map, 0, 0, false);		/* empty payloads are records too */
	put(map, 7, 40, true);
	put(map, 100, 50, false);
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 4, "discarded records are not counted");
	ASSERT_EQ(s.n, 4, "callbacks");
	ASSERT_TRUE(rec_is(&s.recs[0], 1, 10), "first");
	ASSERT_TRUE(rec_is(&s.recs[1], 16, 30), "second (after a discard)");
	ASSERT_TRUE(rec_is(&s.recs[2], 0, 0), "empty");
	ASSERT_TRUE(rec_is(&s.recs[3], 100, 50), "last");

	/* A BUSY record holds back the committed one behind it. */
	s.n = 0;
	busy = reserve(map, 8);
	put(map, 4, 60, false);
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 0, "stops at the BUSY record");
	commit(map, busy, false);
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 2, "both once committed");
	ASSERT_TRUE(rec_is(&s.recs[1], 4, 60), "in reservation order");

	/* consume_n and a callback that stops the walk. */
	s.n = 0;
	for (uint8_t t = 0; t < 4; t++)
		put(map, 8, t, false);
	ASSERT_EQ(bpfhost_ring_buffer__consume_n(c, 1), 1, "consume_n 1");
	s.stop_at = 2;
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), -EINTR, "callback error returned");
	ASSERT_EQ(errno, EINTR, "and in errno");
	s.stop_at = 0;
	ASSERT_EQ(bpfhost_ring_buffer__consume(c), 2, "the stopping record counted as consumed");
	ASSERT_TRUE(rec_is(&s.recs[3], 8, 3), "last of the four");
	bpfhost_ring_buffer__free(c);
	bpfhost_close(rb);
}

/* Many laps round a one-page ring: records that wrap arrive whole. */
static void wraps(void)
{
	int rb = ringbuf(PAGE);
	struct bh_map *map = test_map_of(rb);
	struct sink s = { 0 };
	struct bpfhost_ring_buffer *c = bpfhost_ring_buffer__new(rb, sample, &s, NULL);
	int bad = 0;

	ASSERT_TRUE(c != NULL, "consumer");
	if (!c)
		return;
	for (int i = 0; i < 500; i++) {
		uint32_t size = 1 + (uint32_t)(i * 37) % 250;

		s.n = 0;
		put(map, size, (uint8_t)i, false);
		put(map, 3, (uint8_t)i, true);
		if (bpfhost_ring_buffer__consume(c) != 1 || !rec_is(&s.recs[0], size, (uint8_t)i))
			bad++;
	}
	ASSERT_EQ(bad, 0, "every record whole across 500 wrap-arounds");
	bpfhost_ring_buffer__free(c);
	bpfhost_close(rb);
}

struct producer_arg {
	struct bh_map *map;
	int delay_ms;
};

static void *producer(void *p)
{
	struct producer_arg *a = p;

	usleep((useconds_t)a->delay_ms * 1000);
	put(a->map, 8, 77, false);
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void poll_wait(void)
{
	int rb = ringbuf(PAGE);
	struct sink s = { 0 };
	struct bpfhost_ring_buffer *c = bpfhost_ring_buffer__new(rb, sample, &s, NULL);
	struct producer_arg a = { test_map_of(rb), 50 };
	pthread_t th;
	uint64_t t0;

	ASSERT_TRUE(c != NULL, "consumer");
	if (!c)
		return;
	t0 = now_ms();
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, 30), 0, "timeout gives 0");
	ASSERT_GE(now_ms() - t0, 29, "waited the timeout");
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, 0), 0, "zero timeout on an empty ring");

	/* A producer thread wakes a poll without a time limit. */
	ASSERT_OK(pthread_create(&th, NULL, producer, &a), "producer thread");
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, -1), 1, "woken by the producer");
	ASSERT_TRUE(rec_is(&s.recs[0], 8, 77), "its record");
	pthread_join(th, NULL);

	/* Records already there: poll returns at once. */
	put(a.map, 2, 5, false);
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, 10000), 1, "data already there");
	/* Only discarded records: woken, nothing delivered. */
	put(a.map, 2, 5, true);
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, 10000), 0, "a discarded record wakes but delivers nothing");
	ASSERT_EQ(bpfhost_ring_buffer__poll(c, 0), 0, "and is gone");
	bpfhost_ring_buffer__free(c);
	bpfhost_close(rb);
}

static void refusals(void)
{
	struct sink s = { 0 };
	int hash = test_map(BPF_MAP_TYPE_HASH, "h", 4, 4, 8, 0);
	int rb = ringbuf(PAGE);

	errno = 0;
	ASSERT_TRUE(bpfhost_ring_buffer__new(999, sample, &s, NULL) == NULL, "unknown handle");
	ASSERT_EQ(errno, EBADF, "EBADF");
	ASSERT_TRUE(bpfhost_ring_buffer__new(-1, sample, &s, NULL) == NULL, "negative handle");
	ASSERT_EQ(errno, EBADF, "EBADF for -1");
	ASSERT_TRUE(bpfhost_ring_buffer__new(hash, sample, &s, NULL) == NULL, "a hash map");
	ASSERT_EQ(errno, EINVAL, "EINVAL");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a ring buffer", "message");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'h'", "message names the map");
	ASSERT_TRUE(bpfhost_ring_buffer__new(rb, NULL, &s, NULL) == NULL, "NULL callback");
	ASSERT_EQ(errno, EINVAL, "EINVAL for NULL callback");
	{
		struct {
			struct bpfhost_ring_buffer_opts o;
			uint64_t extra;
		} big = { { .sz = sizeof(big) }, 1 };

		ASSERT_TRUE(bpfhost_ring_buffer__new(rb, sample, &s, &big.o) == NULL, "opts tail");
		ASSERT_EQ(errno, EINVAL, "EINVAL for a non-zero tail");
		big.extra = 0;
		struct bpfhost_ring_buffer *c = bpfhost_ring_buffer__new(rb, sample, &s, &big.o);

		ASSERT_TRUE(c != NULL, "a zero tail is fine");
		bpfhost_ring_buffer__free(c);
	}
	bpfhost_ring_buffer__free(NULL);
	bpfhost_close(hash);
	bpfhost_close(rb);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(from_program), TEST(order_sizes_discard), TEST(wraps), TEST(poll_wait),
		TEST(refusals),
	};

	return test_run("ringbuf_consumer", cases, sizeof(cases) / sizeof(cases[0]));
}
