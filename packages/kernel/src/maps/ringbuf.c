// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_RINGBUF: a multi-producer, single-consumer byte ring whose
 * memory a consumer reads directly. The data area is mapped twice back to
 * back (plat_mirror_alloc), so a record that wraps around the end is still
 * contiguous for both sides and nothing is ever copied twice.
 *
 * Producers take a spin lock only to carve out space and publish the new
 * producer_pos; they fill and commit their records outside it, in any
 * order. The consumer stops at the first record still BUSY, so records
 * reach it in reservation order.
 */
#include "ringbuf.h"

#define RINGBUF_FLAGS BPF_F_NUMA_NODE
/*
 * Private page, consumer page, producer page, then the data. The private
 * page keeps pg_off in headers as Linux's (pages from it to the header);
 * nothing in it is read back.
 */
#define RINGBUF_META_PAGES 3

struct bh_ringbuf {
	struct bh_map map;
	char *base;			/* the private page (holds a pointer back here) */
	char *data;
	_Atomic unsigned long *consumer_pos;
	_Atomic unsigned long *producer_pos;
	unsigned long mask;		/* data size - 1 */
	size_t page;
	struct plat_spinlock lock;	/* orders reservations; producer_pos changes under it */
	unsigned long pending_pos;	/* no record below it is BUSY (under the lock) */
	_Atomic uint32_t wake_word;	/* futex word consumers sleep on */
	atomic_int sleepers;		/* consumers in bh_ringbuf_wait */
	_Atomic uint32_t wake_alls;	/* bh_ringbuf_wake_all calls: waiters return */
	_Atomic uint32_t abandoned;	/* records the core discarded for programs that ended */
};

static inline struct bh_ringbuf *ringbuf_of(struct bh_map *map)
{
	return container_of(map, struct bh_ringbuf, map);
}

static inline bool is_ringbuf(const struct bh_map *map)
{
	return map->ops == &ringbuf_map_ops;
}

static int ringbuf_check(const union bpf_attr *attr)
{
	size_t page = plat_page_size();
	uint32_t n = attr->max_entries;

	if (attr->map_flags & ~RINGBUF_FLAGS)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: ring buffer map does not take map_flags 0x%x",
			      attr->map_flags & ~RINGBUF_FLAGS);
	if (attr->key_size || attr->value_size)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: ring buffer map needs key_size 0 and value_size 0 "
			      "(got %u, %u)", attr->key_size, attr->value_size);
	if (n == 0 || (n & (n - 1)) || n % page)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: ring buffer max_entries %u must be a power of two "
			      "and a multiple of the page size %zu", n, page);
	return 0;
}

/*
 * Faults every page of the consumer's view in now, both views of the data
 * included (each has its own page table entries), so producers never take
 * a page fault: Linux allocates a ring's pages when it creates the map.
 * The pages are fresh and zero; writing a zero changes nothing.
 */
static void populate(char *p, size_t len, size_t page)
{
	for (size_t off = 0; off < len; off += page)
		*(volatile char *)(p + off) = 0;
}

static struct bh_map *ringbuf_alloc(const union bpf_attr *attr)
{
	struct bh_ringbuf *rb = plat_alloc_aligned(sizeof(*rb));
	size_t page = plat_page_size();

	if (!rb)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a ring buffer map"));
	rb->base = plat_mirror_alloc(RINGBUF_META_PAGES * page, attr->max_entries);
	if (!rb->base) {
		plat_free_aligned(rb);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: cannot map a ring buffer of %u bytes",
				      attr->max_entries));
	}
	rb->page = page;
	rb->consumer_pos = (_Atomic unsigned long *)(rb->base + page);
	rb->producer_pos = (_Atomic unsigned long *)(rb->base + 2 * page);
	rb->data = rb->base + RINGBUF_META_PAGES * page;
	rb->mask = attr->max_entries - 1UL;
	plat_spin_init(&rb->lock);
	populate(rb->base + page, 2 * page + 2 * (size_t)attr->max_entries, page);
	return &rb->map;
}

static void ringbuf_free(struct bh_map *map)
{
	struct bh_ringbuf *rb = ringbuf_of(map);

	plat_mirror_free(rb->base, RINGBUF_META_PAGES * rb->page, rb->mask + 1);
	plat_free_aligned(rb);
}

static inline unsigned long record_len(uint32_t len)
{
	return round_up((unsigned long)(len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT)) +
			BPF_RINGBUF_HDR_SZ, 8);
}

/*
 * Carves out a BUSY record of @size payload bytes (@len with header and
 * padding) and returns its header, or NULL when the ring is full. The
 * payload is not touched: the caller fills or zeroes all of it.
 */
static struct bh_ringbuf_hdr *reserve_space(struct bh_ringbuf *rb, uint64_t size, unsigned long len)
{
	struct bh_ringbuf_hdr *hdr;
	unsigned long cons, prod, pend, new_prod;

	/* Read before the lock: a stale value only makes the check stricter. */
	cons = atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
	/*
	 * A full ring fails without the lock: producer_pos only grows, so a
	 * stale one that already overruns the consumer means the ring is full.
	 */
	if (unlikely(atomic_load_explicit(rb->producer_pos, memory_order_relaxed) + len - cons > rb->mask)) {
		bh_map_err(-EAGAIN, &rb->map, "ring buffer is full");
		return NULL;
	}

	plat_spin_lock(&rb->lock);
	prod = atomic_load_explicit(rb->producer_pos, memory_order_relaxed);
	new_prod = prod + len;
	/* Skip records committed since: the oldest BUSY one bounds the ring too. */
	for (pend = rb->pending_pos; pend < prod;) {
		uint32_t l = atomic_load_explicit(&((struct bh_ringbuf_hdr *)(rb->data + (pend & rb->mask)))->len,
						  memory_order_acquire);

		if (l & BPF_RINGBUF_BUSY_BIT)
			break;
		pend += record_len(l);
	}
	rb->pending_pos = pend;
	/*
	 * Stay at least one byte short of a full lap past the consumer (it may
	 * have written anything to consumer_pos) and past the oldest BUSY record.
	 */
	if (new_prod - cons > rb->mask || new_prod - pend > rb->mask) {
		plat_spin_unlock(&rb->lock);
		bh_map_err(-EAGAIN, &rb->map, "ring buffer is full");
		return NULL;
	}
	hdr = (struct bh_ringbuf_hdr *)(rb->data + (prod & rb->mask));
	hdr->pg_off = (uint32_t)(((char *)hdr - rb->base) / rb->page);
	atomic_store_explicit(&hdr->len, (uint32_t)size | BPF_RINGBUF_BUSY_BIT, memory_order_relaxed);
	/* Pairs with the consumer's acquire of producer_pos: it sees the BUSY header. */
	atomic_store_explicit(rb->producer_pos, new_prod, memory_order_release);
	plat_spin_unlock(&rb->lock);
	return hdr;
}

/* The record's length with header and padding, or 0 (error set) when @size cannot fit. */
static unsigned long checked_len(struct bh_ringbuf *rb, uint64_t size)
{
	unsigned long len;

	if (unlikely(size > BH_RINGBUF_MAX_RECORD_SZ ||
		     (len = record_len((uint32_t)size)) > rb->mask + 1)) {
		bh_map_err(-E2BIG, &rb->map, "ring buffer record larger than the ring");
		return 0;
	}
	return len;
}

void *bh_ringbuf_reserve(struct bh_map *map, uint64_t size, uint64_t flags)
{
	struct bh_ringbuf *rb = ringbuf_of(map);
	struct bh_ringbuf_hdr *hdr;
	unsigned long len;

	if (unlikely(!is_ringbuf(map))) {
		bh_map_err(-EINVAL, map, "ring buffer reserve on a map that is not a ring buffer");
		return NULL;
	}
	if (unlikely(flags)) {
		bh_map_err(-EINVAL, map, "ring buffer reserve takes no flags");
		return NULL;
	}
	len = checked_len(rb, size);
	if (unlikely(!len))
		return NULL;
	hdr = reserve_space(rb, size, len);
	if (unlikely(!hdr))
		return NULL;
	/*
	 * The ring's bytes hold earlier records: a record starts zeroed, so a
	 * program (an unprivileged one too) never reads what another wrote
	 * there, and the consumer never sees stale padding (found by
	 * fuzz_verifier: an old record's host address). BUSY keeps it ours.
	 */
	plat_memset(hdr + 1, 0, len - BPF_RINGBUF_HDR_SZ);
	return hdr + 1;
}

/*
 * Is @hdr the header of a record this ring handed out and nobody committed?
 * The caller names the ring (the core keeps which ring each reserved record
 * came from): nothing in the record's bytes, which a program can reach, is
 * trusted to find it.
 */
static bool record_is_pending(struct bh_ringbuf *rb, const struct bh_ringbuf_hdr *hdr)
{
	uintptr_t a = (uintptr_t)hdr, lo = (uintptr_t)rb->data;

	if (a < lo || a - lo > rb->mask || (a - lo) & 7)
		return false;
	return atomic_load_explicit(&hdr->len, memory_order_relaxed) & BPF_RINGBUF_BUSY_BIT;
}

static void ringbuf_commit(struct bh_ringbuf *rb, void *sample, uint64_t flags, bool discard)
{
	struct bh_ringbuf_hdr *hdr = (struct bh_ringbuf_hdr *)sample - 1;
	uint32_t len = atomic_load_explicit(&hdr->len, memory_order_relaxed) & ~BPF_RINGBUF_BUSY_BIT;
	unsigned long rec_pos, cons_pos;

	if (discard)
		len |= BPF_RINGBUF_DISCARD_BIT;
	/* Pairs with the consumer's acquire of len: the payload is visible first. */
	atomic_store_explicit(&hdr->len, len, memory_order_release);
	/* Wake the consumer if it is waiting on exactly this record (as Linux decides). */
	rec_pos = (unsigned long)((char *)hdr - rb->data);
	cons_pos = atomic_load_explicit(rb->consumer_pos, memory_order_acquire) & rb->mask;
	if ((flags & BPF_RB_FORCE_WAKEUP) || (cons_pos == rec_pos && !(flags & BPF_RB_NO_WAKEUP))) {
		atomic_fetch_add_explicit(&rb->wake_word, 1, memory_order_seq_cst);
		/* A syscall only when someone sleeps (seq_cst pairs with the sleeper's). */
		if (atomic_load_explicit(&rb->sleepers, memory_order_seq_cst))
			plat_wake_all(&rb->wake_word);
	}
}

static int commit_checked(struct bh_map *map, void *sample, uint64_t flags, bool discard)
{
	struct bh_ringbuf *rb = ringbuf_of(map);

	if (unlikely(!is_ringbuf(map) || !sample ||
		     !record_is_pending(rb, (struct bh_ringbuf_hdr *)sample - 1)))
		return bh_map_err(-EINVAL, map, discard ? "ring buffer discard of a pointer that is not "
				  "a record this ring reserved and nobody committed" : "ring buffer submit of a "
				  "pointer that is not a record this ring reserved and nobody committed");
	ringbuf_commit(rb, sample, flags, discard);
	return 0;
}

int bh_ringbuf_submit(struct bh_map *map, void *sample, uint64_t flags)
{
	return commit_checked(map, sample, flags, false);
}

int bh_ringbuf_discard(struct bh_map *map, void *sample, uint64_t flags)
{
	return commit_checked(map, sample, flags, true);
}

int bh_ringbuf_abandon(struct bh_map *map, void *sample)
{
	int err = commit_checked(map, sample, 0, true);

	if (!err)
		atomic_fetch_add_explicit(&ringbuf_of(map)->abandoned, 1, memory_order_relaxed);
	return err;
}

/*
 * One copy: the record is filled from @data straight away, and only its
 * tail padding (0-7 bytes) is zeroed; reserve's zeroing of the whole
 * payload would be overwritten here.
 */
long bh_ringbuf_output(struct bh_map *map, const void *data, uint64_t size, uint64_t flags)
{
	struct bh_ringbuf *rb = ringbuf_of(map);
	struct bh_ringbuf_hdr *hdr;
	unsigned long len;
	char *rec;

	if (unlikely(flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)))
		return bh_map_err(-EINVAL, map, "ring buffer output flags other than NO_WAKEUP/FORCE_WAKEUP");
	if (unlikely(!is_ringbuf(map)))
		return bh_map_err(-EINVAL, map, "ring buffer output on a map that is not a ring buffer");
	len = checked_len(rb, size);
	if (unlikely(!len))
		return -EAGAIN;
	hdr = reserve_space(rb, size, len);
	if (unlikely(!hdr))
		return -EAGAIN;
	rec = (char *)(hdr + 1);
	/*
	 * Ask for every line of the record for writing first: a big ring's
	 * lines are cold, and the copy's stores alone fetch them one after
	 * another (1420 B into a 32 MiB ring: 70-80 ns, 45 ns with this).
	 */
	for (unsigned long off = 0; off < len; off += PLAT_CACHELINE)
		__builtin_prefetch((char *)hdr + off, 1, 3);
	plat_memcpy(rec, data, size);
	plat_memset(rec + size, 0, len - BPF_RINGBUF_HDR_SZ - size);
	ringbuf_commit(rb, rec, flags, false);
	return 0;
}

uint64_t bh_ringbuf_query(struct bh_map *map, uint64_t flags)
{
	struct bh_ringbuf *rb = ringbuf_of(map);
	unsigned long cons, prod;

	if (unlikely(!is_ringbuf(map)))
		return 0;
	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		cons = atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
		prod = atomic_load_explicit(rb->producer_pos, memory_order_acquire);
		return prod - cons;
	case BPF_RB_RING_SIZE:
		return rb->mask + 1;
	case BPF_RB_CONS_POS:
		return atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
	case BPF_RB_PROD_POS:
		return atomic_load_explicit(rb->producer_pos, memory_order_acquire);
	}
	return 0;
}


/*
 * Element commands: Linux refuses a key on a map with key_size 0 (-EINVAL)
 * before the ring buffer refuses the command itself (-ENOTSUPP).
 */
static int refuse(struct bh_map *map, const void *key, const char *cmd)
{
	if (key)
		return bh_err(-EINVAL, "%s: ring buffer map '%s' has no keys (key must be NULL)",
			      cmd, map->name);
	return bh_err(-ENOTSUPP, "%s: not supported on ring buffer map '%s' (records are read "
		      "through its shared memory, BPFHOST_MAP_MMAP)", cmd, map->name);
}

static int ringbuf_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)value;
	(void)flags;
	return refuse(map, key, "BPF_MAP_LOOKUP_ELEM");
}

static int ringbuf_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)value;
	(void)flags;
	return refuse(map, key, "BPF_MAP_UPDATE_ELEM");
}

static int ringbuf_sys_delete(struct bh_map *map, const void *key)
{
	return refuse(map, key, "BPF_MAP_DELETE_ELEM");
}

static int ringbuf_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value,
					 uint64_t flags)
{
	(void)value;
	(void)flags;
	return refuse(map, key, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
}

static int ringbuf_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	(void)next_key;
	return refuse(map, key, "BPF_MAP_GET_NEXT_KEY");
}

/* Program side: the verifier only lets the ring buffer helpers at this map. */
static void *ringbuf_lookup_elem(struct bh_map *map, const void *key)
{
	(void)key;
	bh_map_err(-ENOTSUPP, map, "ring buffer maps have no elements to look up");
	return NULL;
}

static long ringbuf_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	(void)value;
	(void)flags;
	return bh_map_err(-ENOTSUPP, map, "ring buffer maps have no elements to update");
}

static long ringbuf_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-ENOTSUPP, map, "ring buffer maps have no elements to delete");
}

static int ringbuf_mmap(struct bh_map *map, void **addr, uint64_t *size, uint64_t *data_offset)
{
	struct bh_ringbuf *rb = ringbuf_of(map);

	/* The consumer's view starts at its page; the private page stays hidden. */
	*addr = rb->base + rb->page;
	*size = 2 * (uint64_t)rb->page + 2 * ((uint64_t)rb->mask + 1);
	*data_offset = 2 * (uint64_t)rb->page;
	return 0;
}

static uint64_t ringbuf_mem_usage(const struct bh_map *map)
{
	const struct bh_ringbuf *rb = container_of(map, struct bh_ringbuf, map);

	return sizeof(*rb) + RINGBUF_META_PAGES * (uint64_t)rb->page + rb->mask + 1;
}

static void ringbuf_fill_info(const struct bh_map *map, struct bpf_map_info *info)
{
	const struct bh_ringbuf *rb = container_of(map, struct bh_ringbuf, map);

	info->ringbuf_abandoned = atomic_load_explicit(&rb->abandoned, memory_order_relaxed);
}

const struct bh_map_ops ringbuf_map_ops = {
	.name = "ringbuf",
	.check = ringbuf_check,
	.alloc = ringbuf_alloc,
	.free = ringbuf_free,
	.lookup_elem = ringbuf_lookup_elem,
	.update_elem = ringbuf_update_elem,
	.delete_elem = ringbuf_delete_elem,
	.sys_lookup = ringbuf_sys_lookup,
	.sys_update = ringbuf_sys_update,
	.sys_delete = ringbuf_sys_delete,
	.sys_lookup_and_delete = ringbuf_sys_lookup_and_delete,
	.get_next_key = ringbuf_get_next_key,
	.mmap = ringbuf_mmap,
	.mem_usage = ringbuf_mem_usage,
	.fill_info = ringbuf_fill_info,
};

static bool has_data(struct bh_ringbuf *rb)
{
	return atomic_load_explicit(rb->producer_pos, memory_order_acquire) !=
	       atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
}

int bh_ringbuf_wait(struct bh_map *map, int timeout_ms)
{
	struct bh_ringbuf *rb = ringbuf_of(map);
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : plat_ktime_ns() + (uint64_t)timeout_ms * 1000000;
	uint32_t woken = atomic_load_explicit(&rb->wake_alls, memory_order_seq_cst);
	int ready;

	atomic_fetch_add_explicit(&rb->sleepers, 1, memory_order_seq_cst);
	for (;;) {
		uint32_t word = atomic_load_explicit(&rb->wake_word, memory_order_seq_cst);
		uint64_t now;

		ready = has_data(rb);
		now = plat_ktime_ns();
		if (ready || now >= deadline ||
		    atomic_load_explicit(&rb->wake_alls, memory_order_seq_cst) != woken)
			break;
		plat_wait_u32(&rb->wake_word, word,
			      deadline == UINT64_MAX ? -1 : (int)((deadline - now + 999999) / 1000000));
	}
	atomic_fetch_sub_explicit(&rb->sleepers, 1, memory_order_relaxed);
	return ready;
}

void bh_ringbuf_wake_all(struct bh_map *map)
{
	struct bh_ringbuf *rb = ringbuf_of(map);

	/* Waiters re-check wake_alls after each wake; bumping wake_word ends their futex wait. */
	atomic_fetch_add_explicit(&rb->wake_alls, 1, memory_order_seq_cst);
	atomic_fetch_add_explicit(&rb->wake_word, 1, memory_order_seq_cst);
	plat_wake_all(&rb->wake_word);
}

uint64_t bh_ringbuf_wakeup_seq(struct bh_map *map)
{
	if (unlikely(!is_ringbuf(map)))
		return 0;
	return atomic_load_explicit(&ringbuf_of(map)->wake_word, memory_order_acquire);
}
