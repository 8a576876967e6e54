// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: create checks, FIFO vs LIFO
 * order, full/empty errnos, BPF_EXIST overwrite, refused commands, the
 * program-side ops, producers and consumers on threads, and the same random
 * operations run against the Linux kernel's own maps (when bpf(2) works).
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "test.h"
#include "maps/map.h"

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags);

	return bpfhost_map_create(type, "qs", ks, vs, max, &opts);
}

static int push(int fd, uint32_t v, uint64_t flags)
{
	return bpfhost_map_update_elem(fd, NULL, &v, flags);
}

/* Pops (or peeks) and returns the value, or the negative errno. */
static long long pop(int fd)
{
	uint32_t v = 0;
	int err = bpfhost_map_lookup_and_delete_elem(fd, NULL, &v);

	return err ? err : (long long)v;
}

static long long peek(int fd)
{
	uint32_t v = 0;
	int err = bpfhost_map_lookup_elem(fd, NULL, &v);

	return err ? err : (long long)v;
}

static void create_checks(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	union bpf_attr attr;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		uint32_t t = types[i];
		int fd;

		ASSERT_EQ(create(t, 4, 4, 4, 0), -EINVAL, "key_size must be 0");
		ASSERT_EQ(errno, EINVAL, "errno set");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "key_size 0", "message says why");
		ASSERT_EQ(create(t, 0, 0, 4, 0), -EINVAL, "value_size 0");
		ASSERT_EQ(create(t, 0, 4, 0, 0), -EINVAL, "max_entries 0");
		ASSERT_EQ(create(t, 0, 4, 4, BPF_F_NO_PREALLOC), -EINVAL, "BPF_F_NO_PREALLOC refused");
		ASSERT_EQ(create(t, 0, 4, 4, BPF_F_MMAPABLE), -EINVAL, "BPF_F_MMAPABLE refused");
		ASSERT_EQ(create(t, 0, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY), -EINVAL, "RDONLY with WRONLY");
		ASSERT_EQ(create(t, 0, (4U << 20) + 1, 4, 0), -E2BIG, "value_size over 4 MiB: -E2BIG");
		ASSERT_EQ(create(t, 4, (4U << 20) + 1, 4, 0), -EINVAL, "-EINVAL checks come first");
		ASSERT_EQ(create(t, 0, 4, 1U << 30, 0), -E2BIG, "max_entries over bpfhost's limit");

		memset(&attr, 0, sizeof(attr));
		attr.map_type = t;
		attr.value_size = 4;
		attr.max_entries = 4;
		attr.map_extra = 1;
		ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr)), -EINVAL, "map_extra");

		fd = create(t, 0, 4U << 20, 1, 0);
		ASSERT_GE(fd, 1, "value_size 4 MiB");
		bpfhost_close(fd);
		fd = create(t, 0, 4, 4, BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE);
		ASSERT_GE(fd, 1, "access and NUMA flags");
		bpfhost_close(fd);
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void queue_is_fifo(void)
{
	int fd = test_map(BPF_MAP_TYPE_QUEUE, "queue", 0, 4, 4, 0);

	ASSERT_EQ(peek(fd), -ENOENT, "peek empty");
	ASSERT_EQ(pop(fd), -ENOENT, "pop empty");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'queue'", "message names the map");
	for (uint32_t v = 1; v <= 4; v++)
		ASSERT_OK(push(fd, v, BPF_ANY), "push");
	ASSERT_EQ(push(fd, 5, BPF_ANY), -E2BIG, "full: -E2BIG");
	ASSERT_EQ(errno, E2BIG, "errno E2BIG");
	ASSERT_EQ(peek(fd), 1, "peek the oldest");
	ASSERT_EQ(peek(fd), 1, "peek does not remove");
	ASSERT_EQ(pop(fd), 1, "pop 1");
	ASSERT_EQ(pop(fd), 2, "pop 2");
	ASSERT_OK(push(fd, 5, BPF_ANY), "push after pops");
	ASSERT_EQ(pop(fd), 3, "pop 3");
	ASSERT_EQ(pop(fd), 4, "pop 4");
	ASSERT_EQ(pop(fd), 5, "pop 5");
	ASSERT_EQ(pop(fd), -ENOENT, "empty again");
	bpfhost_close(fd);
}

static void stack_is_lifo(void)
{
	int fd = test_map(BPF_MAP_TYPE_STACK, "stack", 0, 4, 4, 0);

	ASSERT_EQ(peek(fd), -ENOENT, "peek empty");
	ASSERT_EQ(pop(fd), -ENOENT, "pop empty");
	for (uint32_t v = 1; v <= 4; v++)
		ASSERT_OK(push(fd, v, BPF_ANY), "push");
	ASSERT_EQ(push(fd, 5, BPF_ANY), -E2BIG, "full: -E2BIG");
	ASSERT_EQ(peek(fd), 4, "peek the newest");
	ASSERT_EQ(pop(fd), 4, "pop 4");
	ASSERT_EQ(pop(fd), 3, "pop 3");
	ASSERT_OK(push(fd, 6, BPF_ANY), "push after pops");
	ASSERT_EQ(pop(fd), 6, "pop 6");
	ASSERT_EQ(pop(fd), 2, "pop 2");
	ASSERT_EQ(pop(fd), 1, "pop 1");
	ASSERT_EQ(pop(fd), -ENOENT, "empty again");
	bpfhost_close(fd);
}

/* BPF_EXIST on a full map drops the oldest value, for queues and stacks alike (Linux). */
static void exist_overwrites_oldest(void)
{
	int q = test_map(BPF_MAP_TYPE_QUEUE, "q", 0, 4, 3, 0);
	int s = test_map(BPF_MAP_TYPE_STACK, "s", 0, 4, 3, 0);

	for (uint32_t v = 1; v <= 3; v++) {
		push(q, v, BPF_ANY);
		push(s, v, BPF_ANY);
	}
	ASSERT_OK(push(q, 4, BPF_EXIST), "queue: EXIST when full");
	ASSERT_OK(push(q, 5, BPF_EXIST), "queue: EXIST again");
	ASSERT_EQ(pop(q), 3, "queue: 1 and 2 dropped");
	ASSERT_EQ(pop(q), 4, "queue: then 4");
	ASSERT_EQ(pop(q), 5, "queue: then 5");
	ASSERT_EQ(pop(q), -ENOENT, "queue: empty");
	ASSERT_OK(push(q, 6, BPF_EXIST), "queue: EXIST when not full is a plain push");
	ASSERT_EQ(pop(q), 6, "queue: 6");

	ASSERT_OK(push(s, 4, BPF_EXIST), "stack: EXIST when full");
	ASSERT_OK(push(s, 5, BPF_EXIST), "stack: EXIST again");
	ASSERT_EQ(pop(s), 5, "stack: newest first");
	ASSERT_EQ(pop(s), 4, "stack: then 4");
	ASSERT_EQ(pop(s), 3, "stack: 1 and 2 (the oldest) dropped");
	ASSERT_EQ(pop(s), -ENOENT, "stack: empty");
	bpfhost_close(q);
	bpfhost_close(s);
}

static void refused_commands(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		int fd = test_map(types[i], "refuse", 0, 4, 4, 0);
		uint32_t key = 0, v = 7, out = 99, keys[4], vals[4], count, batch;

		ASSERT_EQ(push(fd, 1, BPF_NOEXIST), -EINVAL, "push with NOEXIST");
		ASSERT_EQ(push(fd, 1, 3), -EINVAL, "push with flags 3");
		ASSERT_EQ(push(fd, 1, BPF_F_LOCK), -EINVAL, "push with BPF_F_LOCK");
		ASSERT_EQ(push(fd, 1, 8), -EINVAL, "push with unknown flags");
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &v, BPF_ANY), -EINVAL, "update with a key");
		ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -EINVAL, "lookup with a key");
		ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &key, &out), -EINVAL, "pop with a key");
		ASSERT_OK(push(fd, 1, BPF_ANY), "push");
		ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, NULL, &out, BPF_F_LOCK), -EINVAL,
			  "peek with BPF_F_LOCK");
		ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, NULL, &out, 8), -EINVAL, "peek with flags");
		ASSERT_EQ(bpfhost_map_delete_elem(fd, NULL), -EINVAL, "delete: -EINVAL");
		ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -EINVAL, "delete with a key: -EINVAL");
		ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &out), -EINVAL, "get_next_key: -EINVAL");
		ASSERT_EQ(bpfhost_map_get_next_key(fd, &key, &out), -EINVAL, "get_next_key with a key");
		count = 4;
		ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &batch, keys, vals, &count, NULL), -ENOTSUPP,
			  "lookup batch: -ENOTSUPP");
		count = 4;
		ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &batch, keys, vals, &count, NULL),
			  -ENOTSUPP, "lookup_and_delete batch: -ENOTSUPP");
		count = 1;
		ASSERT_EQ(bpfhost_map_update_batch(fd, keys, vals, &count, NULL), -ENOTSUPP,
			  "update batch: -ENOTSUPP");
		count = 1;
		ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -ENOTSUPP,
			  "delete batch: -ENOTSUPP");
		ASSERT_EQ(peek(fd), 1, "nothing disturbed by the refusals");
		ASSERT_EQ(pop(fd), 1, "pop");
		out = 99;
		ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, NULL, &out), -ENOENT, "pop empty");
		ASSERT_EQ(out, 99, "user buffer untouched on -ENOENT (as Linux)");
		bpfhost_close(fd);
	}
}

/* Values wider than a word, and the ring wrapping around many times. */
static void wide_values_and_wraparound(void)
{
	struct val {
		uint64_t a, b;
		uint8_t tail[5];
	} __attribute__((packed)) in, out;
	int q = test_map(BPF_MAP_TYPE_QUEUE, "wideq", 0, sizeof(in), 5, 0);
	int s = test_map(BPF_MAP_TYPE_STACK, "wides", 0, sizeof(in), 5, 0);
	uint64_t next_push = 0, next_pop = 0;
	int bad = 0;

	for (int round = 0; round < 200; round++) {
		int n = 1 + round % 5;

		for (int i = 0; i < n; i++, next_push++) {
			in.a = next_push;
			in.b = ~next_push;
			memset(in.tail, (int)(next_push & 0xff), sizeof(in.tail));
			if (bpfhost_map_update_elem(q, NULL, &in, BPF_ANY) ||
			    bpfhost_map_update_elem(s, NULL, &in, BPF_ANY))
				bad++;
		}
		for (int i = n - 1; i >= 0; i--) {
			if (bpfhost_map_lookup_and_delete_elem(s, NULL, &out) ||
			    out.a != next_push - n + (uint64_t)i || out.b != ~out.a)
				bad++;
		}
		for (int i = 0; i < n; i++, next_pop++) {
			if (bpfhost_map_lookup_and_delete_elem(q, NULL, &out) || out.a != next_pop ||
			    out.b != ~next_pop || out.tail[4] != (uint8_t)next_pop)
				bad++;
		}
	}
	ASSERT_EQ(bad, 0, "every value comes back whole, in order, across wraparounds");
	ASSERT_EQ(pop(q), -ENOENT, "queue drained");
	ASSERT_EQ(pop(s), -ENOENT, "stack drained");
	bpfhost_close(q);
	bpfhost_close(s);
}

/* push/pop/peek from programs, and the lookup/update/delete programs would get. */
static void program_side(void)
{
	int q = test_map(BPF_MAP_TYPE_QUEUE, "progq", 0, 8, 2, 0);
	int s = test_map(BPF_MAP_TYPE_STACK, "progs", 0, 8, 2, 0);
	uint64_t v, out;
	struct bh_map *mq, *ms;

	epoch_enter();
	mq = bh_map_from_handle(q, "test");
	ms = bh_map_from_handle(s, "test");
	out = 0xdead;
	ASSERT_EQ(mq->ops->peek_elem(mq, &out), -ENOENT, "peek empty");
	ASSERT_EQ(out, 0, "value zeroed on failure, as Linux");
	out = 0xdead;
	ASSERT_EQ(mq->ops->pop_elem(mq, &out), -ENOENT, "pop empty");
	ASSERT_EQ(out, 0, "value zeroed on failed pop");
	for (v = 10; v < 12; v++) {
		ASSERT_EQ(mq->ops->push_elem(mq, &v, BPF_ANY), 0, "queue push");
		ASSERT_EQ(ms->ops->push_elem(ms, &v, BPF_ANY), 0, "stack push");
	}
	ASSERT_EQ(mq->ops->push_elem(mq, &v, BPF_ANY), -E2BIG, "queue full");
	ASSERT_EQ(mq->ops->push_elem(mq, &v, BPF_NOEXIST), -EINVAL, "NOEXIST");
	ASSERT_EQ(ms->ops->push_elem(ms, &v, BPF_EXIST), 0, "stack EXIST when full");
	ASSERT_EQ(mq->ops->peek_elem(mq, &out), 0, "queue peek");
	ASSERT_EQ(out, 10, "queue head");
	ASSERT_EQ(ms->ops->peek_elem(ms, &out), 0, "stack peek");
	ASSERT_EQ(out, 12, "stack top");
	ASSERT_EQ(ms->ops->pop_elem(ms, &out), 0, "stack pop");
	ASSERT_EQ(out, 12, "popped top");
	ASSERT_EQ(ms->ops->pop_elem(ms, &out), 0, "stack pop 2");
	ASSERT_EQ(out, 11, "10 was dropped by EXIST");
	ASSERT_EQ(ms->ops->pop_elem(ms, &out), -ENOENT, "stack empty");

	ASSERT_TRUE(mq->ops->lookup_elem(mq, NULL) == NULL, "lookup_elem: NULL");
	ASSERT_EQ(mq->ops->update_elem(mq, NULL, &v, BPF_ANY), -EINVAL, "update_elem: -EINVAL");
	ASSERT_EQ(mq->ops->delete_elem(mq, NULL), -EINVAL, "delete_elem: -EINVAL");
	ASSERT_TRUE(mq->ops->mem_usage(mq) >= 3 * 8, "mem usage counts the ring");
	epoch_exit();
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(q, NULL, &out), "user pop");
	ASSERT_EQ(out, 10, "user pop sees the program's push");
	bpfhost_close(q);
	bpfhost_close(s);
}

static void fault_injection(void)
{
	for (unsigned long nth = 1; nth <= 4; nth++) {
		int fd;

		bpfhost_fault_inject_alloc(nth);
		fd = create(BPF_MAP_TYPE_QUEUE, 0, 8, 16, 0);
		bpfhost_fault_inject_alloc(0);
		if (fd > 0)
			bpfhost_close(fd);
		else
			ASSERT_EQ(fd, -ENOMEM, "create fails with -ENOMEM");
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/* Producers and consumers on threads: every value comes out exactly once. */
#define PRODUCERS 2
#define PER_PRODUCER 20000

struct mt {
	int fd;
	uint32_t id;
	uint8_t *seen;
	int dup;
	atomic_int *done;
};

static void *producer(void *arg)
{
	struct mt *m = arg;

	for (uint32_t i = 0; i < PER_PRODUCER; i++) {
		uint32_t v = m->id * PER_PRODUCER + i;

		while (bpfhost_map_update_elem(m->fd, NULL, &v, BPF_ANY) == -E2BIG)
			plat_yield();
	}
	atomic_fetch_add(m->done, 1);
	return NULL;
}

static void *consumer(void *arg)
{
	struct mt *m = arg;
	uint32_t v;

	for (;;) {
		int err = bpfhost_map_lookup_and_delete_elem(m->fd, NULL, &v);

		if (err == -ENOENT) {
			if (atomic_load(m->done) == PRODUCERS &&
			    bpfhost_map_lookup_and_delete_elem(m->fd, NULL, &v) == -ENOENT)
				break;
			plat_yield();
			continue;
		}
		if (err || v >= PRODUCERS * PER_PRODUCER || m->seen[v]++)
			m->dup++;
	}
	return NULL;
}

static void threads(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };

	for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
		int fd = test_map(types[t], "mt", 0, 4, 64, 0);
		uint8_t *seen = calloc(PRODUCERS * PER_PRODUCER, 1);
		atomic_int done = 0;
		struct mt p[PRODUCERS], c = { fd, 0, seen, 0, &done };
		struct plat_thread th[PRODUCERS + 1];
		int missing = 0;

		for (uint32_t i = 0; i < PRODUCERS; i++) {
			p[i] = (struct mt){ fd, i, NULL, 0, &done };
			plat_thread_start(&th[i], producer, &p[i]);
		}
		plat_thread_start(&th[PRODUCERS], consumer, &c);
		for (int i = 0; i <= PRODUCERS; i++)
			plat_thread_join(&th[i]);
		for (uint32_t i = 0; i < PRODUCERS * PER_PRODUCER; i++)
			missing += !seen[i];
		ASSERT_EQ(c.dup, 0, "no value twice, none invalid");
		ASSERT_EQ(missing, 0, "every value popped");
		free(seen);
		bpfhost_close(fd);
	}
}

/*
 * The Linux kernel's queue and stack as the oracle: the same random
 * push/pop/peek sequence (flags included) on both, every result compared.
 */
static int kbpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

static int kelem(int cmd, int fd, void *value, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return kbpf(cmd, &a);
}

static void against_kernel(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	uint32_t rng = 4242;

	for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
		union bpf_attr a;
		int kfd, fd, mismatches = 0;

		memset(&a, 0, sizeof(a));
		a.map_type = types[t];
		a.value_size = 4;
		a.max_entries = 7;
		kfd = kbpf(BPF_MAP_CREATE, &a);
		if (kfd < 0) {
			printf("skip against_kernel: bpf(2) map create: %s\n", strerror(-kfd));
			return;
		}
		fd = test_map(types[t], "kdiff", 0, 4, 7, 0);
		for (int step = 0; step < 20000 && mismatches < 5; step++) {
			uint32_t r, v, kv = 0, bv = 0;
			uint64_t flags;
			int kr, br, cmd;

			rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
			r = rng % 16;
			v = rng >> 4;
			flags = r == 15 ? BPF_NOEXIST : (r & 1) ? BPF_EXIST : BPF_ANY;
			cmd = r < 9 ? BPF_MAP_UPDATE_ELEM : r < 13 ? BPF_MAP_LOOKUP_AND_DELETE_ELEM :
			      BPF_MAP_LOOKUP_ELEM;
			if (cmd == BPF_MAP_UPDATE_ELEM) {
				kr = kelem(cmd, kfd, &v, flags);
				br = bpfhost_map_update_elem(fd, NULL, &v, flags);
			} else if (cmd == BPF_MAP_LOOKUP_ELEM) {
				kr = kelem(cmd, kfd, &kv, 0);
				br = bpfhost_map_lookup_elem(fd, NULL, &bv);
			} else {
				kr = kelem(cmd, kfd, &kv, 0);
				br = bpfhost_map_lookup_and_delete_elem(fd, NULL, &bv);
			}
			if (kr != br || kv != bv) {
				mismatches++;
				ASSERT_EQ(br, kr, "result as the kernel's");
				ASSERT_EQ(bv, kv, "value as the kernel's");
			}
		}
		ASSERT_EQ(mismatches, 0, "bpfhost agrees with the kernel");
		close(kfd);
		bpfhost_close(fd);
	}
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(create_checks),
		TEST(queue_is_fifo),
		TEST(stack_is_lifo),
		TEST(exist_overwrites_oldest),
		TEST(refused_commands),
		TEST(wide_values_and_wraparound),
		TEST(program_side),
		TEST(fault_injection),
		TEST(threads),
		TEST(against_kernel),
	};
	return test_run("queue_stack", cases, ARRAY_SIZE(cases));
}
