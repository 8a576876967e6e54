// SPDX-License-Identifier: MIT
/*
 * The map chosen at run time through a map of maps: config[0] is an index
 * into counter_sets, an ARRAY_OF_MAPS whose inner maps are counter hashes
 * (custom maps as inner maps). The program increments the event's key in
 * the chosen inner map and returns the new count, or -ENOENT when the
 * slot is empty.
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "sample_progs.h"

struct counter_set {
	__uint(type, SAMPLE_EXT_MAP_TYPE_COUNTER_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} set_a SEC(".maps"), set_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct counter_set);
} counter_sets SEC(".maps") = {
	.values = { &set_a, &set_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} config SEC(".maps");

SEC("sample/select_inner")
int count_in_selected(struct sample_ctx *ctx)
{
	struct sample_event *ev = (void *)ctx->data;
	__u32 zero = 0, index = 0, key, *choice;
	__u64 one = 1, *count;
	void *set;
	long err;

	if ((void *)(ev + 1) > (void *)ctx->data_end)
		return -EINVAL;
	key = ev->key;
	choice = bpf_map_lookup_elem(&config, &zero);
	if (choice)
		index = *choice;
	set = bpf_map_lookup_elem(&counter_sets, &index);
	if (!set)
		return -ENOENT;
	count = bpf_map_lookup_elem(set, &key);
	if (count)
		return __sync_fetch_and_add(count, 1) + 1;
	err = bpf_map_update_elem(set, &key, &one, BPF_NOEXIST);
	return err ? err : 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
