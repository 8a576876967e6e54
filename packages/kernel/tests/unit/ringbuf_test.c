// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_RINGBUF: create checks and refused element commands (errnos
 * observed on Linux 6.18), the shared memory layout a consumer sees, and
 * the producer API read back by a consumer that works as libbpf's
 * ring_buffer__consume does: acquire producer_pos, walk the headers, skip
 * discarded records, publish consumer_pos with a release store.
 */
#include "test.h"
#include "map_handle.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "maps/ringbuf.h"
#include "platform/platform.h"

#define PAGE 4096u

struct consumer {
	_Atomic unsigned long *cons_pos;
	_Atomic unsigned long *prod_pos;
	char *data;
	unsigned long mask;
	size_t page;
};

struct rec {
	uint32_t len;
	char bytes[8192];
};

struct sink {
	int n;
	struct rec recs[16];
};

static void consumer_init(struct consumer *c, int fd)
{
	void *addr = NULL;
	uint64_t size = 0, off = 0;

	ASSERT_OK(bpfhost_map_mmap(fd, &addr, &size, &off), "mmap");
	c->page = (size_t)off / 2;
	c->cons_pos = addr;
	c->prod_pos = (_Atomic unsigned long *)((char *)addr + c->page);
	c->data = (char *)addr + off;
	c->mask = (unsigned long)(size - off) / 2 - 1;
}

static unsigned long rec_size(uint32_t len)
{
	len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
	return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
}

/* ring_buffer__consume's loop; returns records delivered. */
static int consume(struct consumer *c, struct sink *s)
{
	unsigned long cons = atomic_load_explicit(c->cons_pos, memory_order_acquire);
	int got = 0;
	bool progress;

	do {
		unsigned long prod = atomic_load_explicit(c->prod_pos, memory_order_acquire);

		progress = false;
		while (cons < prod) {
			struct bh_ringbuf_hdr *hdr = (void *)(c->data + (cons & c->mask));
			uint32_t len = atomic_load_explicit(&hdr->len, memory_order_acquire);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto done;
			progress = true;
			cons += rec_size(len);
			if (!(len & BPF_RINGBUF_DISCARD_BIT) && s) {
				struct rec *r = &s->recs[s->n++ % 16];

				r->len = len;
				memcpy(r->bytes, hdr + 1, len < sizeof(r->bytes) ? len : sizeof(r->bytes));
				got++;
			}
			atomic_store_explicit(c->cons_pos, cons, memory_order_release);
		}
	} while (progress);
done:
	return got;
}

/* The producer API runs under epoch, as a program would call it. */
static void *reserve(struct bh_map *map, uint64_t size, uint64_t flags)
{
	void *p;

	epoch_enter();
	p = bh_ringbuf_reserve(map, size, flags);
	epoch_exit();
	return p;
}

static void submit(struct bh_map *map, void *p, uint64_t flags)
{
	epoch_enter();
	ASSERT_OK(bh_ringbuf_submit(map, p, flags), "submit a reserved record");
	epoch_exit();
}

static void discard(struct bh_map *map, void *p, uint64_t flags)
{
	epoch_enter();
	ASSERT_OK(bh_ringbuf_discard(map, p, flags), "discard a reserved record");
	epoch_exit();
}

static long output(struct bh_map *map, const void *data, uint64_t size, uint64_t flags)
{
	long r;

	epoch_enter();
	r = bh_ringbuf_output(map, data, size, flags);
	epoch_exit();
	return r;
}

static uint64_t query(struct bh_map *map, uint64_t flags)
{
	uint64_t r;

	epoch_enter();
	r = bh_ringbuf_query(map, flags);
	epoch_exit();
	return r;
}

static int ringbuf(uint32_t size)
{
	return test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, size, 0);
}

static void create_checks(void)
{
	static const uint32_t bad_flags[] = { BPF_F_NO_PREALLOC, BPF_F_RDONLY, BPF_F_WRONLY,
		BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_INNER_MAP,
		BPF_F_PRESERVE_ELEMS };
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd;

	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 4, 0, PAGE, NULL), -EINVAL, "key_size 4");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "key_size 0", "message says why");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 4, PAGE, NULL), -EINVAL, "value_size 4");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 0, NULL), -EINVAL, "max_entries 0");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 2048, NULL), -EINVAL,
		  "power of two below a page");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 3 * PAGE, NULL), -EINVAL,
		  "pages but not a power of two");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, PAGE + 1, NULL), -EINVAL, "4097");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "power of two", "message says why");
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = bad_flags[i]);

		ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, PAGE, &opts), -EINVAL,
			  "flag refused");
	}
	fd = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, PAGE, BPF_F_NUMA_NODE);
	bpfhost_close(fd);
	fd = ringbuf(1u << 20);
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_RINGBUF, "info type");
	ASSERT_EQ(info.key_size, 0, "info key_size");
	ASSERT_EQ(info.value_size, 0, "info value_size");
	ASSERT_EQ(info.max_entries, 1u << 20, "info max_entries");
	bpfhost_close(fd);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/* Linux: a key on a key_size 0 map is -EINVAL; the command itself -ENOTSUPP. */
static void element_commands_refused(void)
{
	int fd = ringbuf(PAGE);
	uint32_t key = 0, count = 1, out;
	char buf[8];

	ASSERT_EQ(bpfhost_map_lookup_elem(fd, NULL, buf), -ENOTSUPP, "lookup");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'rb'", "message names the map");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, buf), -EINVAL, "lookup with a key");
	ASSERT_EQ(bpfhost_map_update_elem(fd, NULL, buf, 0), -ENOTSUPP, "update");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, buf, 0), -EINVAL, "update with a key");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, NULL), -ENOTSUPP, "delete");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -EINVAL, "delete with a key");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, buf), -ENOTSUPP, "next key");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &key, buf), -EINVAL, "next key with a key");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, NULL, buf), -ENOTSUPP, "lookup and delete");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &key, buf), -EINVAL, "lookup and delete, key");
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &out, buf, buf, &count, NULL), -ENOTSUPP,
		  "lookup batch");
	count = 1;
	ASSERT_EQ(bpfhost_map_update_batch(fd, buf, buf, &count, NULL), -ENOTSUPP, "update batch");
	ASSERT_OK(bpfhost_map_freeze(fd), "freeze works (Linux allows it)");
	bpfhost_close(fd);
}

static void layout_and_mirror(void)
{
	int fd = ringbuf(2 * PAGE);
	struct consumer c;
	void *addr = NULL;
	uint64_t size = 0, off = 0;

	ASSERT_OK(bpfhost_map_mmap(fd, &addr, &size, &off), "mmap");
	ASSERT_EQ(off, 2 * PAGE, "data after the consumer and producer pages");
	ASSERT_EQ(size, 2 * PAGE + 2 * 2 * PAGE, "two meta pages, then the data twice");
	ASSERT_EQ((uintptr_t)addr % PAGE, 0, "page aligned");
	consumer_init(&c, fd);
	ASSERT_EQ(*c.cons_pos, 0, "consumer_pos starts at 0");
	ASSERT_EQ(*c.prod_pos, 0, "producer_pos starts at 0");
	/*
	 * The same memory, not a copy: a write through one view shows in the
	 * other. Volatile, or the optimiser (rightly, for C) treats the two
	 * offsets as different objects.
	 */
	{
		volatile char *data = c.data;

		data[5] = 42;
		ASSERT_EQ(data[c.mask + 1 + 5], 42, "second view aliases the first");
		data[2 * PAGE + 7] = 17;
		ASSERT_EQ(data[7], 17, "first view aliases the second");
		data[5] = data[7] = 0;
	}
	bpfhost_close(fd);
}

static void submit_and_consume(void)
{
	int fd = ringbuf(PAGE);
	struct bh_map *map = test_map_of(fd);
	struct consumer c;
	struct sink s = { 0 };
	uint64_t seq0 = bh_ringbuf_wakeup_seq(map);
	char *p, *q;

	consumer_init(&c, fd);
	p = reserve(map, 5, 0);
	ASSERT_TRUE(p != NULL, "reserve");
	ASSERT_EQ((uintptr_t)p % 8, 0, "payload 8-byte aligned");
	ASSERT_EQ(consume(&c, &s), 0, "busy record not delivered");
	memcpy(p, "hello", 5);
	{
		struct bh_ringbuf_hdr *hdr = (struct bh_ringbuf_hdr *)p - 1;

		ASSERT_EQ(atomic_load(&hdr->len), 5 | BPF_RINGBUF_BUSY_BIT, "header BUSY with the length");
		/* pg_off counts pages from the private page before the consumer page. */
		ASSERT_EQ(hdr->pg_off, (uint32_t)(((char *)hdr - ((char *)c.cons_pos - c.page)) / c.page),
			  "pg_off");
	}
	ASSERT_EQ(*c.prod_pos, 16, "producer_pos advanced by header + rounded payload");
	submit(map, p, 0);
	ASSERT_EQ(bh_ringbuf_wakeup_seq(map), seq0 + 1, "consumer caught up: wakeup");
	ASSERT_EQ(consume(&c, &s), 1, "one record");
	ASSERT_EQ(s.recs[0].len, 5, "length");
	ASSERT_OK(memcmp(s.recs[0].bytes, "hello", 5), "payload");
	ASSERT_EQ(*c.cons_pos, 16, "consumer_pos published");

	/* Out-of-order commits: the consumer waits for the older record. */
	p = reserve(map, 8, 0);
	q = reserve(map, 8, 0);
	memcpy(p, "first..", 8);
	memcpy(q, "second.", 8);
	submit(map, q, BPF_RB_NO_WAKEUP);
	ASSERT_EQ(consume(&c, &s), 0, "younger record waits for the older");
	submit(map, p, BPF_RB_NO_WAKEUP);
	ASSERT_EQ(bh_ringbuf_wakeup_seq(map), seq0 + 1, "NO_WAKEUP");
	ASSERT_EQ(consume(&c, &s), 2, "both now");
	ASSERT_OK(strcmp(s.recs[1].bytes, "first.."), "reservation order");
	ASSERT_OK(strcmp(s.recs[2].bytes, "second."), "reservation order 2");

	/* FORCE_WAKEUP wakes even when the consumer is behind. */
	p = reserve(map, 8, 0);
	q = reserve(map, 8, 0);
	submit(map, q, BPF_RB_FORCE_WAKEUP);
	ASSERT_EQ(bh_ringbuf_wakeup_seq(map), seq0 + 2, "FORCE_WAKEUP");
	submit(map, p, 0);
	ASSERT_EQ(bh_ringbuf_wakeup_seq(map), seq0 + 3, "oldest record: wakeup");
	ASSERT_EQ(consume(&c, &s), 2, "drained");
	bpfhost_close(fd);
}

static void discard_and_output(void)
{
	int fd = ringbuf(PAGE);
	struct bh_map *map = test_map_of(fd);
	struct consumer c;
	struct sink s = { 0 };
	char *p;
	uint32_t v = 0xfeedface;

	consumer_init(&c, fd);
	p = reserve(map, 100, 0);
	memset(p, 'x', 100);
	discard(map, p, 0);
	{
		struct bh_ringbuf_hdr *hdr = (struct bh_ringbuf_hdr *)p - 1;

		ASSERT_EQ(atomic_load(&hdr->len), 100 | BPF_RINGBUF_DISCARD_BIT, "DISCARD bit, BUSY clear");
	}
	ASSERT_OK(output(map, &v, sizeof(v), 0), "output");
	ASSERT_EQ(output(map, &v, sizeof(v), 4), -EINVAL, "output flags");
	ASSERT_EQ(consume(&c, &s), 1, "discarded record skipped");
	ASSERT_EQ(s.recs[0].len, 4, "output length");
	ASSERT_EQ(*(uint32_t *)s.recs[0].bytes, 0xfeedface, "output payload");
	ASSERT_EQ(*c.cons_pos, 112 + 16, "consumer moved past both");
	ASSERT_TRUE(reserve(map, 8, 1) == NULL, "reserve refuses flags");
	ASSERT_TRUE(reserve(map, PAGE, 0) == NULL, "record larger than the ring");
	ASSERT_TRUE(reserve(map, (uint64_t)UINT32_MAX + 9, 0) == NULL, "size over the record limit");
	ASSERT_TRUE(reserve(map, PAGE - 16, 0) != NULL, "largest record that fits an empty ring");
	bpfhost_close(fd);
}

static void full_ring(void)
{
	int fd = ringbuf(PAGE);
	struct bh_map *map = test_map_of(fd);
	struct consumer c;
	struct sink s = { 0 };
	char buf[1016] = { 0 };
	void *p;

	consumer_init(&c, fd);
	for (int i = 0; i < 3; i++) {
		buf[0] = (char)i;
		ASSERT_OK(output(map, buf, sizeof(buf), 0), "fill");
	}
	/* A full lap would put producer_pos exactly a ring ahead: refused. */
	ASSERT_EQ(output(map, buf, sizeof(buf), 0), -EAGAIN, "full: output -EAGAIN");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "full", "message says full");
	ASSERT_TRUE(reserve(map, sizeof(buf), 0) == NULL, "full: reserve NULL");
	ASSERT_TRUE((p = reserve(map, 1016 - 8, 0)) != NULL, "a record one slot smaller fits");
	submit(map, p, 0);
	ASSERT_TRUE(reserve(map, 0, 0) == NULL, "not even an empty record now");
	ASSERT_EQ(query(map, BPF_RB_AVAIL_DATA), PAGE - 8, "available data");
	ASSERT_EQ(consume(&c, &s), 4, "consume all");
	ASSERT_EQ(query(map, BPF_RB_AVAIL_DATA), 0, "empty");
	ASSERT_OK(output(map, buf, sizeof(buf), 0), "room again");
	bpfhost_close(fd);
}

static void wrap_around(void)
{
	int fd = ringbuf(PAGE);
	struct bh_map *map = test_map_of(fd);
	struct consumer c;
	struct sink s = { 0 };
	char big[2000], small[1000] = { 0 };
	unsigned long start;
	int wrapped = 0;

	consumer_init(&c, fd);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 3; i++)
			ASSERT_OK(output(map, small, sizeof(small), 0), "advance");
		ASSERT_EQ(consume(&c, &s), 3, "drain");
		start = *c.prod_pos;
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (char)(i * 7 + round);
		ASSERT_OK(output(map, big, sizeof(big), 0), "record");
		if ((start & c.mask) + 8 + sizeof(big) > c.mask + 1) {
			/* The tail landed at the start of the data, read through the mirror. */
			size_t first = c.mask + 1 - (start & c.mask) - 8;

			wrapped++;

			ASSERT_OK(memcmp(c.data, big + first, sizeof(big) - first), "tail wrapped to the start");
		}
		s.n = 0;
		ASSERT_EQ(consume(&c, &s), 1, "wrapped record");
		ASSERT_EQ(s.recs[0].len, sizeof(big), "length");
		ASSERT_OK(memcmp(s.recs[0].bytes, big, sizeof(big)), "contiguous payload");
	}
	ASSERT_GE(wrapped, 2, "records crossed the end of the data");
	ASSERT_TRUE(*c.prod_pos > PAGE * 4, "went around several times");
	bpfhost_close(fd);
}

static void query_values(void)
{
	int fd = ringbuf(4 * PAGE);
	struct bh_map *map = test_map_of(fd);
	struct consumer c;
	uint64_t v = 1;

	consumer_init(&c, fd);
	ASSERT_EQ(query(map, BPF_RB_RING_SIZE), 4 * PAGE, "ring size");
	ASSERT_OK(output(map, &v, 8, 0), "output");
	ASSERT_OK(output(map, &v, 3, 0), "output");
	ASSERT_EQ(query(map, BPF_RB_PROD_POS), 32, "producer position");
	ASSERT_EQ(query(map, BPF_RB_CONS_POS), 0, "consumer position");
	ASSERT_EQ(query(map, BPF_RB_AVAIL_DATA), 32, "available");
	consume(&c, NULL);
	ASSERT_EQ(query(map, BPF_RB_CONS_POS), 32, "consumer position after");
	ASSERT_EQ(query(map, BPF_RB_AVAIL_DATA), 0, "nothing available");
	ASSERT_EQ(query(map, 99), 0, "unknown query");
	bpfhost_close(fd);
}

/*
 * A consumer may write anything to consumer_pos: producers must still never
 * overwrite a record that is BUSY (Linux's pending_pos rule).
 */
static void bogus_consumer_cannot_overrun_busy(void)
{
	int fd = ringbuf(PAGE);
	struct bh_map *map = test_map_of(fd);
	struct consumer c;
	struct bh_ringbuf_hdr *hdr;
	char buf[256] = { 0 };
	char *held;
	int n = 0;

	consumer_init(&c, fd);
	held = reserve(map, 8, 0);
	memcpy(held, "keepme.", 8);
	for (int i = 0; i < 10; i++)
		ASSERT_OK(output(map, buf, sizeof(buf), 0), "records behind the busy one");
	/* Skip past the busy record: consumer_pos alone would now allow 15 more. */
	atomic_store(c.cons_pos, atomic_load(c.prod_pos));
	while (output(map, buf, sizeof(buf), 0) == 0 && n < 100)
		n++;
	ASSERT_EQ(n, 5, "producers stopped a lap after the busy record");
	hdr = (struct bh_ringbuf_hdr *)held - 1;
	ASSERT_EQ(atomic_load(&hdr->len), 8 | BPF_RINGBUF_BUSY_BIT, "busy header intact");
	ASSERT_OK(memcmp(held, "keepme.", 8), "busy payload intact");
	submit(map, held, 0);
	bpfhost_close(fd);
}

static void program_side_ops(void)
{
	int fd = ringbuf(PAGE);
	struct bh_map *map = test_map_of(fd);
	uint32_t key = 0;

	epoch_enter();
	ASSERT_TRUE(map->ops->lookup_elem(map, &key) == NULL, "no lookup");
	ASSERT_EQ(map->ops->update_elem(map, &key, &key, 0), -ENOTSUPP, "no update");
	ASSERT_EQ(map->ops->delete_elem(map, &key), -ENOTSUPP, "no delete");
	epoch_exit();
	bpfhost_close(fd);
	/* The producer API refuses other maps. */
	fd = test_map(BPF_MAP_TYPE_ARRAY, "arr", 4, 8, 1, 0);
	map = test_map_of(fd);
	ASSERT_TRUE(reserve(map, 8, 0) == NULL, "reserve on an array");
	ASSERT_EQ(output(map, &key, 4, 0), -EINVAL, "output on an array");
	ASSERT_EQ(query(map, BPF_RB_RING_SIZE), 0, "query on an array");
	bpfhost_close(fd);
}

static void alloc_failures(void)
{
	for (unsigned long nth = 1; nth <= 2; nth++) {
		bpfhost_fault_inject_alloc(nth);
		ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, PAGE, NULL), -ENOMEM,
			  "allocation failure");
		bpfhost_fault_inject_alloc(0);
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

struct waiter {
	int fd, timeout_ms, ret;
	atomic_int started;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	atomic_store(&w->started, 1);
	w->ret = bpfhost_ringbuf_wait(w->fd, w->timeout_ms);
	return NULL;
}

/* BPFHOST_RINGBUF_WAIT: sleeps until a producer commits, times out, refuses other maps. */
static void wait_for_records(void)
{
	int fd = test_map(BPF_MAP_TYPE_RINGBUF, "rbw", 0, 0, 4096, 0);
	int hash = test_map(BPF_MAP_TYPE_HASH, "nrb", 4, 4, 4, 0);
	struct waiter w = { .fd = fd, .timeout_ms = 30000 };
	struct consumer c;
	struct sink s = { 0 };
	pthread_t t;
	uint64_t v = 42;

	ASSERT_EQ(bpfhost_ringbuf_wait(fd, 10), 0, "empty ring: times out");
	ASSERT_EQ(bpfhost_ringbuf_wait(hash, 10), -EINVAL, "not a ring buffer");
	ASSERT_EQ(bpfhost_ringbuf_wait(999, 10), -EBADF, "not a handle");
	ASSERT_OK(pthread_create(&t, NULL, wait_thread, &w), "waiter");
	while (!atomic_load(&w.started))
		sched_yield();
	usleep(20000);	/* let it fall asleep; a wake before that is fine too */
	ASSERT_OK(output(test_map_of(fd), &v, sizeof(v), 0), "output");
	pthread_join(t, NULL);
	ASSERT_EQ(w.ret, 1, "the producer's commit woke the waiter (before its 30 s timeout)");
	ASSERT_EQ(bpfhost_ringbuf_wait(fd, 0), 1, "records already there: returns at once");
	consumer_init(&c, fd);
	ASSERT_EQ(consume(&c, &s), 1, "one record");
	ASSERT_EQ(bpfhost_ringbuf_wait(fd, 0), 0, "consumed: nothing to wait for");
	bpfhost_close(hash);
	bpfhost_close(fd);
}

struct finished_waiter {
	struct waiter w;
	atomic_int done;
};

static void *wait_then_mark(void *arg)
{
	struct finished_waiter *f = arg;

	wait_thread(&f->w);
	atomic_store(&f->done, 1);
	return NULL;
}

/* BPFHOST_RINGBUF_WAKE_ALL: a waiter with no records returns 0 at once (a consumer closing). */
static void wake_all_waiters(void)
{
	int fd = test_map(BPF_MAP_TYPE_RINGBUF, "rbk", 0, 0, 4096, 0);
	int hash = test_map(BPF_MAP_TYPE_HASH, "nrk", 4, 4, 4, 0);
	struct finished_waiter f = { .w = { .fd = fd, .timeout_ms = 60000 } };
	uint64_t t0 = plat_ktime_ns();
	union bpf_attr attr;
	pthread_t t;
	int wakes = 0;

	ASSERT_OK(bpfhost_ringbuf_wake_all(fd), "nobody waiting: fine");
	ASSERT_EQ(bpfhost_ringbuf_wake_all(hash), -EINVAL, "not a ring buffer");
	ASSERT_EQ(bpfhost_ringbuf_wake_all(999), -EBADF, "not a handle");
	memset(&attr, 0, sizeof(attr));
	attr.ringbuf_wait.map_fd = (uint32_t)fd;
	attr.ringbuf_wait.flags = 2;
	ASSERT_EQ(bpfhost_sys_bpf(BPFHOST_RINGBUF_WAIT, &attr, sizeof(attr)), -EINVAL, "unknown flags");
	ASSERT_OK(pthread_create(&t, NULL, wait_then_mark, &f), "waiter");
	/* A wake before the waiter started waiting is not seen by it: repeat until it returns. */
	while (!atomic_load(&f.done)) {
		ASSERT_OK(bpfhost_ringbuf_wake_all(fd), "wake");
		wakes++;
		usleep(1000);
	}
	pthread_join(t, NULL);
	ASSERT_EQ(f.w.ret, 0, "woken without records: 0");
	ASSERT_GE(30000, (int)((plat_ktime_ns() - t0) / 1000000), "woken, not timed out (60 s)");
	printf("waiter returned after %d wake calls\n", wakes);
	bpfhost_close(hash);
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(create_checks),
		TEST(element_commands_refused),
		TEST(layout_and_mirror),
		TEST(submit_and_consume),
		TEST(discard_and_output),
		TEST(full_ring),
		TEST(wrap_around),
		TEST(query_values),
		TEST(bogus_consumer_cannot_overrun_busy),
		TEST(program_side_ops),
		TEST(wait_for_records),
		TEST(wake_all_waiters),
		TEST(alloc_failures),
	};

	return test_run("ringbuf", cases, sizeof(cases) / sizeof(cases[0]));
}
