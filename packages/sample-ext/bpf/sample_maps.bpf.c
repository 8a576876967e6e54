// SPDX-License-Identifier: MIT
/*
 * Sample programs that use the sample extension's maps as intended. Each
 * reads a struct sample_event from the context's data.
 *
 *   sample/count       lookup-and-increment on the counter hash (a custom
 *                      map programs work on in place); inserts 1 when the
 *                      key is new. Returns the new count.
 *   sample/peek        the map helper's lookup on the counter hash: the
 *                      count, or -ENOENT. Writes it to event.value too.
 *   sample/get_object  sample_get_object_value() on the object hash: copies
 *                      the object after the event, returns its size.
 *   sample/total       sample_accumulator_read() on the accumulator array:
 *                      writes the sum to event.value, returns its low 32 bits.
 *   sample/update      bpf_map_update_elem(counters, key, value, flags).
 *   sample/delete      bpf_map_delete_elem(counters, key).
 *   sample/select      the map chosen at run time: config[0] says which of
 *                      two counter hashes (counters, counters_alt) to
 *                      increment. Returns the new count.
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "sample_progs.h"

struct {
	__uint(type, SAMPLE_EXT_MAP_TYPE_COUNTER_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps"), counters_alt SEC(".maps");

struct {
	__uint(type, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, char[SAMPLE_PROGS_OBJECT_SIZE]);
} objects SEC(".maps");

struct {
	__uint(type, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

/* config[0]: 0 selects counters, anything else counters_alt. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} config SEC(".maps");

static __always_inline struct sample_event *event_of(struct sample_ctx *ctx)
{
	struct sample_event *ev = (void *)ctx->data;

	if ((void *)(ev + 1) > (void *)ctx->data_end)
		return 0;
	return ev;
}

static __always_inline long increment(void *map, __u32 key)
{
	__u64 one = 1, *count;
	long err;

	count = bpf_map_lookup_elem(map, &key);
	if (count)
		return __sync_fetch_and_add(count, 1) + 1;
	err = bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
	return err ? err : 1;
}

SEC("sample/count")
int count_event(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);

	if (!ev)
		return -EINVAL;
	return increment(&counters, ev->key);
}

SEC("sample/peek")
int peek_counter(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u64 *count;
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	count = bpf_map_lookup_elem(&counters, &key);
	if (!count)
		return -ENOENT;
	ev->value = *count;
	return *count;
}

SEC("sample/get_object")
int get_object(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	char buf[SAMPLE_PROGS_OBJECT_SIZE];
	__u32 key;
	long n;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	n = sample_get_object_value(&objects, &key, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (ctx->data + sizeof(*ev) + sizeof(buf) <= ctx->data_end)
		__builtin_memcpy(ctx->data + sizeof(*ev), buf, sizeof(buf));
	return n;
}

SEC("sample/total")
int read_total(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u64 sum = 0;
	__u32 key;
	long err;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	err = sample_accumulator_read(&totals, &key, &sum);
	if (err)
		return err;
	ev->value = sum;
	return (__u32)sum;
}

SEC("sample/update")
int update_counter(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return bpf_map_update_elem(&counters, &key, &ev->value, ev->flags);
}

SEC("sample/delete")
int delete_counter(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return bpf_map_delete_elem(&counters, &key);
}

SEC("sample/select")
int count_selected(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u32 zero = 0, *choice;

	if (!ev)
		return -EINVAL;
	choice = bpf_map_lookup_elem(&config, &zero);
	if (choice && *choice)
		return increment(&counters_alt, ev->key);
	return increment(&counters, ev->key);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
