// SPDX-License-Identifier: MIT
/*
 * The perf buffer consumer (libbpf's perf_buffer__* over a
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY). bpfhost has no perf events: the consumer
 * creates one ring buffer map, stores its handle in every slot of the array
 * up to the number of CPUs (as libbpf opens one perf event per CPU), and
 * reads it with a ring buffer consumer. Each record is tagged with its slot
 * (src/maps/perf_event_array.h), so callbacks still get the CPU; a count of
 * dropped samples before a sample becomes a lost_cb call first, as
 * PERF_RECORD_LOST does.
 */
#include <stdlib.h>
#include <unistd.h>

#include "bpfhost/libbpf.h"
#include "lib_internal.h"

#define PERF_LOST_BIT 0x80000000u	/* BH_PERF_LOST_BIT of the core */
#define PERF_RING_MAX (1u << 30)

struct bpfhost_perf_buffer {
	bpfhost_perf_buffer_sample_fn sample_cb;
	bpfhost_perf_buffer_lost_fn lost_cb;
	void *ctx;
	int map_fd;			/* our own handle on the array */
	int ring_fd;
	uint32_t slots;			/* slots we filled: 0 .. slots-1 */
	struct bpfhost_ring_buffer *rb;
};

static int dispatch(void *ctx, void *data, size_t size)
{
	struct bpfhost_perf_buffer *pb = ctx;
	uint32_t tag;
	uint64_t lost;

	if (size < sizeof(tag))
		return 0;	/* only the core writes this ring: never shorter */
	memcpy(&tag, data, sizeof(tag));
	data = (char *)data + sizeof(tag);
	size -= sizeof(tag);
	if (tag & PERF_LOST_BIT) {
		if (size < sizeof(lost))
			return 0;
		memcpy(&lost, data, sizeof(lost));
		if (pb->lost_cb)
			pb->lost_cb(pb->ctx, (int)(tag & ~PERF_LOST_BIT), lost);
		data = (char *)data + sizeof(lost);
		size -= sizeof(lost);
	}
	pb->sample_cb(pb->ctx, (int)(tag & ~PERF_LOST_BIT), data, (uint32_t)size);
	return 0;
}

static void *fail(struct bpfhost_perf_buffer *pb, int err)
{
	bpfhost_perf_buffer__free(pb);
	errno = -err;
	return NULL;
}

struct bpfhost_perf_buffer *bpfhost_perf_buffer__new(int map_fd, size_t page_cnt,
						     bpfhost_perf_buffer_sample_fn sample_cb,
						     bpfhost_perf_buffer_lost_fn lost_cb, void *ctx,
						     const struct bpfhost_perf_buffer_opts *opts)
{
	struct bpfhost_perf_buffer *pb;
	struct bpf_map_info info;
	uint32_t len = sizeof(info), ring = 1;
	long cpus = sysconf(_SC_NPROCESSORS_CONF), page = sysconf(_SC_PAGESIZE);
	int err;

	if (!OPTS_VALID(opts, bpfhost_perf_buffer_opts) || !sample_cb)
		return fail(NULL, bpfhost_set_last_error(-EINVAL, "perf buffer: %s", sample_cb ?
							 "opts has unknown non-zero fields" :
							 "sample_cb is NULL"));
	if (!page_cnt || (page_cnt & (page_cnt - 1)))
		return fail(NULL, bpfhost_set_last_error(-EINVAL, "perf buffer: page_cnt %zu is not a "
							 "power of two (as libbpf)", page_cnt));
	memset(&info, 0, sizeof(info));
	err = bpfhost_map_get_info_by_fd(map_fd, &info, &len);
	if (err)
		return fail(NULL, err);
	if (info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return fail(NULL, bpfhost_set_last_error(-EINVAL, "perf buffer: map '%s' is type %u, not "
							 "a perf event array (%u)", info.name, info.type,
							 BPF_MAP_TYPE_PERF_EVENT_ARRAY));
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return fail(NULL, bpfhost_set_last_error(-ENOMEM, "perf buffer: no memory"));
	pb->sample_cb = sample_cb;
	pb->lost_cb = lost_cb;
	pb->ctx = ctx;
	pb->ring_fd = -1;
	pb->map_fd = bpfhost_map_get_fd_by_id(info.id);
	if (pb->map_fd < 0)
		return fail(pb, pb->map_fd);
	pb->slots = info.max_entries < (uint32_t)(cpus > 0 ? cpus : 1) ? info.max_entries :
										  (uint32_t)(cpus > 0 ? cpus : 1);
	/* One ring for all slots, page_cnt pages each, a power of two in all. */
	while (ring < PERF_RING_MAX && (uint64_t)ring < (uint64_t)page_cnt * (uint64_t)page * pb->slots)
		ring <<= 1;
	pb->ring_fd = bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "perf_buffer", 0, 0, ring, NULL);
	if (pb->ring_fd < 0)
		return fail(pb, pb->ring_fd);
	for (uint32_t i = 0; i < pb->slots; i++) {
		err = bpfhost_map_update_elem(pb->map_fd, &i, &pb->ring_fd, BPF_ANY);
		if (err)
			return fail(pb, err);
	}
	pb->rb = bpfhost_ring_buffer__new(pb->ring_fd, dispatch, pb, NULL);
	if (!pb->rb)
		return fail(pb, -errno);
	return pb;
}

void bpfhost_perf_buffer__free(struct bpfhost_perf_buffer *pb)
{
	if (!pb)
		return;
	/* Empty the slots we filled that still hold our ring: programs then get -ENOENT. */
	for (uint32_t i = 0; pb->map_fd >= 0 && pb->ring_fd >= 0 && i < pb->slots; i++)
		bpfhost_map_delete_elem(pb->map_fd, &i);
	bpfhost_ring_buffer__free(pb->rb);
	if (pb->ring_fd >= 0)
		bpfhost_close(pb->ring_fd);
	if (pb->map_fd >= 0)
		bpfhost_close(pb->map_fd);
	free(pb);
}

int bpfhost_perf_buffer__poll(struct bpfhost_perf_buffer *pb, int timeout_ms)
{
	return bpfhost_ring_buffer__poll(pb->rb, timeout_ms);
}

int bpfhost_perf_buffer__consume(struct bpfhost_perf_buffer *pb)
{
	return bpfhost_ring_buffer__consume(pb->rb);
}
