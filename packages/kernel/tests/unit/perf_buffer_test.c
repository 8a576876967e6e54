// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY, bpf_perf_event_output and the
 * bpfhost_perf_buffer consumer (perf_output.bpf.c):
 *  - without a consumer the helper returns -ENOENT, as for a slot with no
 *    perf event; with one, every sample arrives once, in order, whole, with
 *    the slot it was written to (this CPU's, or the one the flags name);
 *  - when the ring is full the helper returns -ENOSPC and the dropped
 *    samples are reported to lost_cb, before the next sample, as many as
 *    were dropped;
 *  - an index past max_entries is -E2BIG, ctx-length flag bits -EINVAL;
 *  - slots take ring buffer handles only, indexes below max_entries only;
 *    a lookup gives the ring's id; the consumer empties its slots on free.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct seen {
	uint32_t n, big_n;
	uint32_t seq[64];
	uint32_t len[64];
	int cpu[64];
	uint64_t lost;
	int lost_calls;
	bool bad;
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct seen *s = ctx;
	uint8_t *d = data;

	if (s->n >= 64) {
		s->bad = true;
		return;
	}
	s->cpu[s->n] = cpu;
	if (size == 8) {
		memcpy(&s->seq[s->n], d, 4);
		memcpy(&s->len[s->n], d + 4, 4);
	} else if (size == 1024 && d[1023] == 0xee) {
		s->seq[s->n] = d[0];
		s->big_n++;
	} else {
		s->bad = true;
	}
	s->n++;
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	struct seen *s = ctx;

	(void)cpu;
	s->lost += cnt;
	s->lost_calls++;
}

static int run(struct bpfhost_object *obj, const char *prog, uint32_t *ret)
{
	uint8_t frame[100] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	int err = bpfhost_prog_test_run_opts(
		bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, prog)), &t);

	*ret = t.retval;
	return err;
}

/* Sets the `flags` global (.bss) the `big` program passes to the helper. */
static void set_flags(struct bpfhost_object *obj, uint64_t flags)
{
	const struct bpfhost_map *bss = bpfhost_object__find_map_by_name(obj, ".bss");
	const struct bpfhost_btf *btf = bpfhost_object__btf(obj);
	const struct bpfhost_btf_type *ds = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_value_type_id(bss));
	uint8_t value[2048];
	uint32_t zero = 0;

	ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(bss), &zero, value), "read .bss");
	for (uint32_t i = 0; ds && i < ds->vlen; i++)
		if (!strcmp(bpfhost_btf__type_by_id(btf, ds->secinfos[i].type)->name, "flags"))
			memcpy(value + ds->secinfos[i].offset, &flags, sizeof(flags));
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(bss), &zero, value, 0), "write .bss");
}

static struct bpfhost_object *load_obj(void)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("perf_output"), NULL);

	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (obj && bpfhost_object__load(obj)) {
		ASSERT_TRUE(false, bpfhost_last_error());
		bpfhost_object__close(obj);
		return NULL;
	}
	return obj;
}

static void t_samples(void)
{
	struct bpfhost_object *obj = load_obj();
	struct bpfhost_perf_buffer *pb;
	struct seen s = { 0 };
	uint32_t ret = 0, id = 0, zero = 0;
	int events;

	if (!obj)
		return;
	events = bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "events"));
	ASSERT_OK(run(obj, "small", &ret), bpfhost_last_error());
	ASSERT_EQ((int32_t)ret, -ENOENT, "no consumer: the slot is empty");
	pb = bpfhost_perf_buffer__new(events, 1, on_sample, on_lost, &s, NULL);
	ASSERT_TRUE(pb != NULL, bpfhost_last_error());
	if (!pb) {
		bpfhost_object__close(obj);
		return;
	}
	ASSERT_OK(bpfhost_map_lookup_elem(events, &zero, &id), "slot 0 holds a ring");
	ASSERT_GE(id, 1, "its id");
	for (int i = 0; i < 10; i++) {
		ASSERT_OK(run(obj, "small", &ret), bpfhost_last_error());
		ASSERT_EQ(ret, 0, "sent");
	}
	set_flags(obj, 0);
	ASSERT_OK(run(obj, "big", &ret), bpfhost_last_error());
	ASSERT_EQ(ret, 0, "a 1 KiB sample to slot 0");
	ASSERT_EQ(bpfhost_perf_buffer__poll(pb, 1000), 11, "eleven samples");
	ASSERT_EQ(s.n, 11, "each once");
	ASSERT_TRUE(!s.bad, "whole");
	for (uint32_t i = 0; i < 10 && i < s.n; i++) {
		ASSERT_EQ(s.seq[i], i + 2, "in order (seq 1 went to the empty slot)");
		ASSERT_EQ(s.len[i], 100 - 14, "the packet length");
		ASSERT_TRUE(s.cpu[i] >= 0 && s.cpu[i] < 4, "a slot of the array");
	}
	ASSERT_EQ(s.big_n, 1, "the big one");
	ASSERT_EQ(s.cpu[10], 0, "in slot 0, as the flags said");
	ASSERT_EQ(bpfhost_perf_buffer__consume(pb), 0, "nothing more");
	set_flags(obj, 7);
	ASSERT_OK(run(obj, "big", &ret), bpfhost_last_error());
	ASSERT_EQ((int32_t)ret, -E2BIG, "an index past max_entries");
	set_flags(obj, 1ULL << 32);
	ASSERT_OK(run(obj, "big", &ret), bpfhost_last_error());
	ASSERT_EQ((int32_t)ret, -EINVAL, "ctx length bits are refused");
	bpfhost_perf_buffer__free(pb);
	ASSERT_EQ(bpfhost_map_lookup_elem(events, &zero, &id), -ENOENT, "free empties the slots");
	ASSERT_OK(run(obj, "small", &ret), bpfhost_last_error());
	ASSERT_EQ((int32_t)ret, -ENOENT, "and the helper says so again");
	bpfhost_object__close(obj);
}

static void t_lost(void)
{
	struct bpfhost_object *obj = load_obj();
	struct bpfhost_perf_buffer *pb;
	struct seen s = { 0 };
	uint32_t ret = 0, sent = 0, dropped = 0;

	if (!obj)
		return;
	pb = bpfhost_perf_buffer__new(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "events")),
				      1, on_sample, on_lost, &s, NULL);
	ASSERT_TRUE(pb != NULL, bpfhost_last_error());
	if (!pb) {
		bpfhost_object__close(obj);
		return;
	}
	set_flags(obj, 0);
	for (int i = 0; i < 40; i++) {
		ASSERT_OK(run(obj, "big", &ret), bpfhost_last_error());
		if (ret == 0)
			sent++;
		else
			dropped += (int32_t)ret == -ENOSPC;
	}
	ASSERT_GE(dropped, 1, "the ring filled: -ENOSPC");
	ASSERT_EQ(sent + dropped, 40, "every other call sent");
	ASSERT_EQ(bpfhost_perf_buffer__consume(pb), (int)sent, "what was sent arrives");
	ASSERT_EQ(s.lost_calls, 0, "no loss reported yet: no sample since");
	ASSERT_OK(run(obj, "big", &ret), bpfhost_last_error());
	ASSERT_EQ(ret, 0, "room again");
	ASSERT_EQ(bpfhost_perf_buffer__consume(pb), 1, "the sample, with the loss report");
	ASSERT_EQ(s.lost_calls, 1, "one report");
	ASSERT_EQ(s.lost, dropped, "of every dropped sample");
	ASSERT_EQ(s.n, sent + 1, "and every sample");
	bpfhost_perf_buffer__free(pb);
	bpfhost_object__close(obj);
}

static void t_slots(void)
{
	int perf = bpfhost_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "perf", 4, 4, 2, NULL);
	int ring = bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "ring", 0, 0, 4096, NULL);
	int arr = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, 4, 1, NULL);
	uint32_t k = 0, id = 0;
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	ASSERT_GE(perf, 1, bpfhost_last_error());
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "bad", 4, 8, 2, NULL), -EINVAL,
		  "value_size 4 only");
	ASSERT_EQ(bpfhost_map_update_elem(perf, &k, &arr, 0), -EINVAL, "not a ring buffer");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a ring buffer", "says why");
	k = 2;
	ASSERT_EQ(bpfhost_map_update_elem(perf, &k, &ring, 0), -E2BIG, "index past max_entries");
	k = 1;
	ASSERT_OK(bpfhost_map_update_elem(perf, &k, &ring, 0), "a ring in slot 1");
	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_map_get_info_by_fd(ring, &info, &len), "ring info");
	ASSERT_OK(bpfhost_map_lookup_elem(perf, &k, &id), "lookup");
	ASSERT_EQ(id, info.id, "gives the ring's id");
	ASSERT_OK(bpfhost_close(ring), "the slot keeps the ring alive");
	ASSERT_OK(bpfhost_map_lookup_elem(perf, &k, &id), "still there");
	ASSERT_OK(bpfhost_map_delete_elem(perf, &k), "delete");
	ASSERT_EQ(bpfhost_map_delete_elem(perf, &k), -ENOENT, "empty now");
	ASSERT_EQ(bpfhost_perf_buffer__new(arr, 1, on_sample, NULL, NULL, NULL) == NULL, 1,
		  "a consumer wants a perf event array");
	ASSERT_EQ(bpfhost_perf_buffer__new(perf, 3, on_sample, NULL, NULL, NULL) == NULL, 1,
		  "and a power-of-two page count");
	bpfhost_close(arr);
	bpfhost_close(perf);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_samples),
		TEST(t_lost),
		TEST(t_slots),
	};

	if (!bpf_objects_available())
		printf(BPF_OBJECTS_SKIP_MESSAGE);
	return test_run("perf_buffer", bpf_objects_available() ? cases : cases + 2,
			bpf_objects_available() ? ARRAY_SIZE(cases) : 1);
}
