// SPDX-License-Identifier: MIT
/*
 * Ring buffer under contention: two producer threads (reserve/submit,
 * output and discards, records of varying sizes that wrap) and a consumer
 * thread reading the shared memory as libbpf does. Every submitted record
 * arrives exactly once, intact and in per-producer order; no discarded
 * record arrives. Run under TSan too (ctest label "stress").
 */
#include "test.h"

#include <sched.h>
#include <stdatomic.h>

#include "maps/ringbuf.h"

#define RING_SIZE (16u * 4096)
#define PER_PRODUCER 100000u
#define DISCARDED UINT32_MAX

struct payload {
	uint32_t producer;
	uint32_t seq;
	uint8_t bytes[];	/* (seq * 31 + producer + i) & 0xff */
};

static struct bh_map *ring;
static atomic_int producers_done;
static atomic_long full_retries;

static uint32_t size_of(uint32_t producer, uint32_t seq)
{
	/* 0..300 payload bytes past the ids: many sizes, many wraps. */
	return (uint32_t)sizeof(struct payload) + (seq * 7919u + producer * 13u) % 301u;
}

static void fill(struct payload *p, uint32_t producer, uint32_t seq, uint32_t size)
{
	p->producer = producer;
	p->seq = seq;
	for (uint32_t i = 0; i < size - sizeof(*p); i++)
		p->bytes[i] = (uint8_t)(seq * 31u + producer + i);
}

static void *producer(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;
	uint8_t buf[sizeof(struct payload) + 300];

	bool discarded = false;

	for (uint32_t seq = 0; seq < PER_PRODUCER;) {
		uint32_t size = size_of(id, seq);
		int how = (int)(seq % 5);
		bool done = false;

		/* One program invocation per attempt: enter, produce, leave. */
		epoch_enter();
		if (how == 0) {
			fill((struct payload *)buf, id, seq, size);
			done = bh_ringbuf_output(ring, buf, size, seq & 1 ? BPF_RB_NO_WAKEUP : 0) == 0;
		} else {
			struct payload *p = bh_ringbuf_reserve(ring, size, 0);

			if (p) {
				if (how == 4 && (seq & 8) && !discarded) {
					/* A discarded record: must never be delivered. */
					fill(p, id, DISCARDED, size);
					bh_ringbuf_discard(ring, p, 0);
					discarded = true;
				} else {
					fill(p, id, seq, size);
					bh_ringbuf_submit(ring, p, 0);
					done = true;
				}
			}
			if (p && !done) {
				epoch_exit();
				continue;	/* discarded: try the same seq again for real */
			}
		}
		epoch_exit();
		if (done) {
			seq++;
			discarded = false;
		} else {
			atomic_fetch_add_explicit(&full_retries, 1, memory_order_relaxed);
			sched_yield();
		}
	}
	atomic_fetch_add(&producers_done, 1);
	return NULL;
}

struct stats {
	uint32_t next[2];
	long records, bad;
};

static void check_record(struct stats *st, const uint8_t *data, uint32_t len)
{
	const struct payload *p = (const void *)data;

	st->records++;
	if (len < sizeof(*p) || p->producer > 1 || p->seq == DISCARDED) {
		st->bad++;
		return;
	}
	if (p->seq != st->next[p->producer] || len != size_of(p->producer, p->seq)) {
		st->bad++;
		return;
	}
	for (uint32_t i = 0; i < len - sizeof(*p); i++) {
		if (p->bytes[i] != (uint8_t)(p->seq * 31u + p->producer + i)) {
			st->bad++;
			return;
		}
	}
	st->next[p->producer]++;
}

static int consumer_fd;

static void *consumer(void *arg)
{
	struct stats *st = arg;
	void *addr = NULL;
	uint64_t size = 0, off = 0;
	_Atomic unsigned long *cons_pos, *prod_pos;
	unsigned long cons, mask;
	char *data;

	if (bpfhost_map_mmap(consumer_fd, &addr, &size, &off) != 0) {
		st->bad++;
		return NULL;
	}
	cons_pos = addr;
	prod_pos = (_Atomic unsigned long *)((char *)addr + off / 2);
	data = (char *)addr + off;
	mask = (unsigned long)(size - off) / 2 - 1;
	cons = atomic_load_explicit(cons_pos, memory_order_acquire);
	for (;;) {
		int finished = atomic_load(&producers_done) == 2;
		unsigned long prod = atomic_load_explicit(prod_pos, memory_order_acquire);
		bool progress = false;

		while (cons < prod) {
			struct bh_ringbuf_hdr *hdr = (void *)(data + (cons & mask));
			uint32_t len = atomic_load_explicit(&hdr->len, memory_order_acquire);

			if (len & BPF_RINGBUF_BUSY_BIT)
				break;
			progress = true;
			if (!(len & BPF_RINGBUF_DISCARD_BIT))
				check_record(st, (const uint8_t *)(hdr + 1), len);
			len &= ~BPF_RINGBUF_DISCARD_BIT;
			cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
			atomic_store_explicit(cons_pos, cons, memory_order_release);
		}
		/* Producers were done before we read prod: nothing more can come. */
		if (finished && cons == prod)
			break;
		if (!progress)
			sched_yield();
	}
	return NULL;
}

static void two_producers_one_consumer(void)
{
	struct plat_thread prod[2], cons;
	struct stats st = { { 0, 0 }, 0, 0 };

	consumer_fd = test_map(BPF_MAP_TYPE_RINGBUF, "stress", 0, 0, RING_SIZE, 0);
	epoch_enter();
	ring = bh_map_from_handle(consumer_fd, "test");
	epoch_exit();
	ASSERT_TRUE(ring != NULL, "map");
	atomic_store(&producers_done, 0);
	ASSERT_OK(plat_thread_start(&cons, consumer, &st), "consumer thread");
	ASSERT_OK(plat_thread_start(&prod[0], producer, (void *)(uintptr_t)0), "producer 0");
	ASSERT_OK(plat_thread_start(&prod[1], producer, (void *)(uintptr_t)1), "producer 1");
	plat_thread_join(&prod[0]);
	plat_thread_join(&prod[1]);
	plat_thread_join(&cons);

	ASSERT_EQ(st.bad, 0, "every record intact, in per-producer order, none discarded");
	ASSERT_EQ(st.next[0], PER_PRODUCER, "all of producer 0");
	ASSERT_EQ(st.next[1], PER_PRODUCER, "all of producer 1");
	ASSERT_EQ(st.records, 2 * PER_PRODUCER, "exactly once");
	epoch_enter();
	ASSERT_EQ(bh_ringbuf_query(ring, BPF_RB_AVAIL_DATA), 0, "ring drained");
	epoch_exit();
	printf("  %ld reservations found the ring full\n", atomic_load(&full_retries));
	bpfhost_close(consumer_fd);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(two_producers_one_consumer),
	};

	return test_run("ringbuf_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
