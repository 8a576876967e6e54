// SPDX-License-Identifier: MIT
/*
 * A ring buffer's pages are resident from creation (both views of the data
 * too), so producers never page-fault in the hot path, and
 * bpf_ringbuf_output copies a record once: its payload is the caller's
 * bytes and only the tail padding is zeroed (the bytes an earlier record
 * left there never reach a consumer).
 */
#include "test.h"
#include "map_handle.h"

#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "maps/ringbuf.h"

#define RING (1u << 20)

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static long output(struct bh_map *map, const void *data, uint64_t size)
{
	long r;

	epoch_enter();
	r = bh_ringbuf_output(map, data, size, BPF_RB_NO_WAKEUP);
	epoch_exit();
	return r;
}

/* mincore() over the consumer's whole view: every page resident before any record. */
static void pages_resident_after_create(void)
{
	int fd = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, RING, 0);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages;
	void *addr = NULL;
	uint64_t size = 0, off = 0;
	unsigned char *vec;
	size_t resident = 0;

	ASSERT_OK(bpfhost_map_mmap(fd, &addr, &size, &off), "mmap");
	ASSERT_EQ(size, 2 * page + 2 * (uint64_t)RING, "view: two pages and the data twice");
	pages = (size_t)size / page;
	vec = calloc(pages, 1);
	ASSERT_TRUE(vec != NULL, "mincore vector");
	ASSERT_OK(mincore(addr, (size_t)size, vec), "mincore");
	for (size_t i = 0; i < pages; i++)
		resident += vec[i] & 1;
	ASSERT_EQ(resident, pages, "every page of both data views resident");
	free(vec);
	bpfhost_close(fd);
}

/* Outputs over three laps of the ring (the mirror included): no page fault. */
static void output_takes_no_fault(void)
{
	int fd = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, RING, 0);
	struct bh_map *map = test_map_of(fd);
	void *addr = NULL;
	uint64_t size = 0, off = 0;
	_Atomic unsigned long *cons, *prod;
	static char rec[1420];
	long before, faults;
	unsigned int n = 0;

	ASSERT_OK(bpfhost_map_mmap(fd, &addr, &size, &off), "mmap");
	cons = addr;
	prod = (_Atomic unsigned long *)((char *)addr + off / 2);
	memset(rec, 0x5a, sizeof(rec));
	ASSERT_OK(output(map, rec, sizeof(rec)), "warm the code path");
	before = minor_faults();
	while (atomic_load(prod) < 3ul * RING) {
		long r = output(map, rec, sizeof(rec));

		if (r == -EAGAIN) {
			/* The consumer takes everything: the next lap starts. */
			atomic_store(cons, atomic_load(prod));
			continue;
		}
		ASSERT_OK(r, "output");
		n++;
	}
	faults = minor_faults() - before;
	printf("%u records of %zu bytes, %ld minor faults\n", n, sizeof(rec), faults);
	ASSERT_GE(n, 3u * RING / 1432 - 1, "three laps of records");
	ASSERT_EQ(faults, 0, "no page fault while producing");
	bpfhost_close(fd);
}

/* A record over a dirty area: the payload is the caller's, the padding zero. */
static void output_zeroes_padding_only(void)
{
	int fd = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0);
	struct bh_map *map = test_map_of(fd);
	void *addr = NULL;
	uint64_t size = 0, off = 0;
	_Atomic unsigned long *cons, *prod;
	char *data, dirty[4000], small[13];
	struct bh_ringbuf_hdr *hdr;

	ASSERT_OK(bpfhost_map_mmap(fd, &addr, &size, &off), "mmap");
	cons = addr;
	prod = (_Atomic unsigned long *)((char *)addr + off / 2);
	data = (char *)addr + off;
	memset(dirty, 0xee, sizeof(dirty));
	ASSERT_OK(output(map, dirty, sizeof(dirty)), "dirty the ring");
	atomic_store(cons, atomic_load(prod));
	/* Wrap to the start again: the next records land on the dirty bytes. */
	ASSERT_OK(output(map, dirty, 4096 - 4008 - 8), "up to the end of the ring");
	atomic_store(cons, atomic_load(prod));
	ASSERT_EQ(atomic_load(prod) & 4095, 0, "back at offset 0");
	for (unsigned int i = 0; i < sizeof(small); i++)
		small[i] = (char)(i + 1);
	ASSERT_OK(output(map, small, sizeof(small)), "small record");
	hdr = (struct bh_ringbuf_hdr *)data;
	ASSERT_EQ(atomic_load(&hdr->len), sizeof(small), "committed, length 13");
	ASSERT_TRUE(memcmp(hdr + 1, small, sizeof(small)) == 0, "payload copied");
	for (unsigned int i = sizeof(small); i < 16; i++)
		ASSERT_EQ(((unsigned char *)(hdr + 1))[i], 0, "tail padding zeroed");
	ASSERT_EQ(((unsigned char *)(hdr + 1))[16], 0xee, "the next record's bytes untouched");
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(pages_resident_after_create),
		TEST(output_takes_no_fault),
		TEST(output_zeroes_padding_only),
	};

	return test_run("ringbuf_resident", cases, sizeof(cases) / sizeof(cases[0]));
}
