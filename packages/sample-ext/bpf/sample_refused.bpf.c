// SPDX-License-Identifier: MIT
/*
 * Sample programs that misuse the sample extension's maps and helpers: each
 * is refused cleanly and the program gets (and returns) the error code, or,
 * for a bad helper argument, is stopped by the core.
 *
 *   sample/object_update  bpf_map_update_elem on the object hash
 *                         (updates_original_value): -EOPNOTSUPP.
 *   sample/object_delete  bpf_map_delete_elem on it: -EOPNOTSUPP.
 *   sample/object_lookup  bpf_map_lookup_elem on it: NULL (the stored value
 *                         is the provider's pointer, never handed out);
 *                         returns 1 if it got a pointer, else 0.
 *   sample/total_update   bpf_map_update_elem on the accumulator array
 *                         (updates_original_value too): -EOPNOTSUPP.
 *   sample/get_plain      sample_get_object_value on a BPF_MAP_TYPE_HASH:
 *                         -EINVAL; its buffer (filled with 0xff first) is
 *                         zeroed and copied after the event.
 *   sample/get_counter    sample_get_object_value on the counter hash (a
 *                         custom map of another type): -EINVAL.
 *   sample/total_plain    sample_accumulator_read on the plain hash: -EINVAL.
 *   sample/get_overflow   sample_get_object_value with a size past the
 *                         stack: the core's argument check stops the
 *                         program (-EFAULT) before the helper runs.
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "sample_progs.h"

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

struct {
	__uint(type, SAMPLE_EXT_MAP_TYPE_COUNTER_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

static __always_inline struct sample_event *event_of(struct sample_ctx *ctx)
{
	struct sample_event *ev = (void *)ctx->data;

	if ((void *)(ev + 1) > (void *)ctx->data_end)
		return 0;
	return ev;
}

SEC("sample/object_update")
int object_update(struct sample_ctx *ctx)
{
	char value[SAMPLE_PROGS_OBJECT_SIZE] = "from a program";
	struct sample_event *ev = event_of(ctx);
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return bpf_map_update_elem(&objects, &key, value, BPF_ANY);
}

SEC("sample/object_delete")
int object_delete(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return bpf_map_delete_elem(&objects, &key);
}

SEC("sample/object_lookup")
int object_lookup(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return bpf_map_lookup_elem(&objects, &key) != 0;
}

SEC("sample/total_update")
int total_update(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return bpf_map_update_elem(&totals, &key, &ev->value, BPF_ANY);
}

SEC("sample/get_plain")
int get_plain(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	char buf[SAMPLE_PROGS_OBJECT_SIZE];
	__u32 key;
	long n;

	if (!ev)
		return -EINVAL;
	__builtin_memset(buf, 0xff, sizeof(buf));
	key = ev->key;
	n = sample_get_object_value(&plain, &key, buf, sizeof(buf));
	if (ctx->data + sizeof(*ev) + sizeof(buf) <= ctx->data_end)
		__builtin_memcpy(ctx->data + sizeof(*ev), buf, sizeof(buf));
	return n;
}

SEC("sample/get_counter")
int get_counter(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	char buf[SAMPLE_PROGS_OBJECT_SIZE];
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	return sample_get_object_value(&counters, &key, buf, sizeof(buf));
}

SEC("sample/total_plain")
int total_plain(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	__u64 sum = 7;
	__u32 key;
	long err;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	err = sample_accumulator_read(&plain, &key, &sum);
	ev->value = sum;	/* untouched: still 7 */
	return err;
}

SEC("sample/get_overflow")
int get_overflow(struct sample_ctx *ctx)
{
	struct sample_event *ev = event_of(ctx);
	char buf[SAMPLE_PROGS_OBJECT_SIZE];
	__u32 key;

	if (!ev)
		return -EINVAL;
	key = ev->key;
	/* 4096 bytes from a 16-byte stack buffer: past the 512-byte stack. */
	return sample_get_object_value(&objects, &key, buf, 4096);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
