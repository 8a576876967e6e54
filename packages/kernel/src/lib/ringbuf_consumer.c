// SPDX-License-Identifier: MIT
/*
 * The ring buffer consumer (libbpf's ring_buffer__* over one ring). It reads
 * the map's shared memory as a Linux consumer reads its mmap (layout in
 * src/maps/ringbuf.h):
 *
 *   addr                consumer_pos (this side writes it, release)
 *   addr + page         producer_pos (producers write it; read with acquire)
 *   addr + data_offset  the data area, mapped twice back to back, so a record
 *                       that wraps is contiguous and is handed out in place
 *
 * A record is an 8-byte header (u32 len with the BUSY and DISCARD bits, u32
 * page offset) then the payload, the whole rounded up to 8 bytes. The walk
 * stops at the first BUSY record, so records arrive in reservation order.
 *
 * The consumer takes its own handle to the map (by id): the memory stays
 * mapped for as long as the consumer lives, whatever the caller closes.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bpfhost/libbpf.h"
#include "lib_internal.h"

struct bpfhost_ring_buffer {
	bpfhost_ring_buffer_sample_fn sample_cb;
	void *ctx;
	int map_fd;				/* our own handle */
	_Atomic unsigned long *consumer_pos;
	_Atomic unsigned long *producer_pos;
	char *data;
	unsigned long mask;			/* data size - 1 */
};

static inline unsigned long record_len(uint32_t len)
{
	len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
	return ((unsigned long)len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
}

/* Opens our own handle on the ring @map_fd names; returns it or a negative errno. */
static int own_handle(int map_fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = bpfhost_map_get_info_by_fd(map_fd, &info, &len);
	if (err)
		return err;
	if (info.type != BPF_MAP_TYPE_RINGBUF)
		return bpfhost_set_last_error(-EINVAL, "ring buffer consumer: map '%s' (handle %d) "
					      "is type %u, not a ring buffer (%u)", info.name,
					      map_fd, info.type, BPF_MAP_TYPE_RINGBUF);
	/* By id, not by handle: a handle number can be reused once closed, an id cannot. */
	return bpfhost_map_get_fd_by_id(info.id);
}

struct bpfhost_ring_buffer *bpfhost_ring_buffer__new(int map_fd, bpfhost_ring_buffer_sample_fn sample_cb,
						     void *ctx, const struct bpfhost_ring_buffer_opts *opts)
{
	struct bpfhost_ring_buffer *rb;
	void *addr = NULL;
	uint64_t size = 0, off = 0;
	int fd, err;

	if (!OPTS_VALID(opts, bpfhost_ring_buffer_opts)) {
		errno = EINVAL;
		bpfhost_set_last_error(-EINVAL, "ring buffer consumer: unknown non-zero bytes in opts");
		return NULL;
	}
	if (!sample_cb) {
		errno = EINVAL;
		bpfhost_set_last_error(-EINVAL, "ring buffer consumer: sample_cb is NULL");
		return NULL;
	}
	fd = own_handle(map_fd);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	err = bpfhost_map_mmap(fd, &addr, &size, &off);
	if (err) {
		bpfhost_close(fd);
		errno = -err;
		return NULL;
	}
	rb = calloc(1, sizeof(*rb));
	if (!rb) {
		bpfhost_close(fd);
		errno = ENOMEM;
		bpfhost_set_last_error(-ENOMEM, "ring buffer consumer: out of memory");
		return NULL;
	}
	/* Consumer page, producer page (data_offset is two pages), then the data twice. */
	rb->sample_cb = sample_cb;
	rb->ctx = ctx;
	rb->map_fd = fd;
	rb->consumer_pos = addr;
	rb->producer_pos = (_Atomic unsigned long *)((char *)addr + off / 2);
	rb->data = (char *)addr + off;
	rb->mask = (unsigned long)((size - off) / 2) - 1;
	return rb;
}

void bpfhost_ring_buffer__free(struct bpfhost_ring_buffer *rb)
{
	if (!rb)
		return;
	bpfhost_close(rb->map_fd);
	free(rb);
}

int bpfhost_ring_buffer__map_fd(const struct bpfhost_ring_buffer *rb)
{
	return rb->map_fd;
}

/* Walks committed records (at most @n); returns the count or the callback's error. */
static int64_t consume_ring(struct bpfhost_ring_buffer *rb, size_t n)
{
	unsigned long cons = atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
	int64_t cnt = 0;
	bool progress;

	do {
		/* Pairs with the producers' release of producer_pos: their headers are visible. */
		unsigned long prod = atomic_load_explicit(rb->producer_pos, memory_order_acquire);

		progress = false;
		while (cons < prod) {
			char *rec = rb->data + (cons & rb->mask);
			/* Pairs with the commit's release of len: the payload is visible. */
			uint32_t len = atomic_load_explicit((_Atomic uint32_t *)rec, memory_order_acquire);

			if (len & BPF_RINGBUF_BUSY_BIT)
				return cnt;	/* not committed yet: later records wait behind it */
			progress = true;
			cons += record_len(len);
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				int err = rb->sample_cb(rb->ctx, rec + BPF_RINGBUF_HDR_SZ,
							len & ~BPF_RINGBUF_DISCARD_BIT);

				if (err < 0) {
					/* The record counts as consumed, as libbpf. */
					atomic_store_explicit(rb->consumer_pos, cons, memory_order_release);
					return err;
				}
				cnt++;
			}
			/* Hands the space back to producers (they acquire consumer_pos). */
			atomic_store_explicit(rb->consumer_pos, cons, memory_order_release);
			if ((uint64_t)cnt >= n)
				return cnt;
		}
	} while (progress);
	return cnt;
}

static int clamp_count(int64_t cnt)
{
	return cnt > INT_MAX ? INT_MAX : (int)cnt;
}

int bpfhost_ring_buffer__consume_n(struct bpfhost_ring_buffer *rb, size_t n)
{
	int64_t cnt = consume_ring(rb, n);

	return cnt < 0 ? lib_err((int)cnt) : clamp_count(cnt);
}

int bpfhost_ring_buffer__consume(struct bpfhost_ring_buffer *rb)
{
	return bpfhost_ring_buffer__consume_n(rb, SIZE_MAX);
}

int bpfhost_ring_buffer__poll(struct bpfhost_ring_buffer *rb, int timeout_ms)
{
	int ready = bpfhost_ringbuf_wait(rb->map_fd, timeout_ms);

	if (ready <= 0)
		return ready;
	return bpfhost_ring_buffer__consume(rb);
}
