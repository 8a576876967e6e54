// SPDX-License-Identifier: MIT
/*
 * The core's helpers, Linux ids and semantics: maps, tail call (the
 * interpreter's own), ring buffer, time, random, CPU id, trace_printk.
 * Arguments were checked against the prototypes before any of these runs.
 *
 * A map helper on a map whose type lacks the operation (push on a hash,
 * ring buffer output to an array, ...) is the program's error, not a
 * fault: the helper returns -EOPNOTSUPP (lookups and reservations NULL,
 * bpf_ringbuf_query 0), says so in the trace log, and the program goes
 * on, as after every failing map operation. Linux's verifier refuses such calls at load; until
 * bpfhost's does, this is what a program that makes them sees.
 */
#include "interp.h"
#include "prog_type.h"
#include "specialise.h"
#include "trace.h"
#include "../maps/map.h"
#include "../maps/perf_event_array.h"
#include "../maps/ringbuf.h"

#define MAP(v) ((struct bh_map *)u64_to_ptr(v))
#define PTR(v) u64_to_ptr(v)

/*
 * The helper's result is @ret; why goes to the trace log (not a fault, so
 * no error a host would read, but said where a person looks).
 */
static uint64_t unsupported(struct bh_map *map, const char *op, uint64_t ret)
{
	struct bh_run *run = bh_run_current();

	bh_trace_note(run ? run->prog->name : "?", "insn %u: %s on map '%s' (type %u): the map type "
		      "does not support it (returns %s)", run ? run->pc : 0, op, map->name, map->map_type,
		      ret ? "-EOPNOTSUPP" : "0");
	return ret;
}

#define EOPNOTSUPP_RET ((uint64_t)(int64_t)-EOPNOTSUPP)

static uint64_t h_map_lookup_elem(uint64_t map, uint64_t key, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (!MAP(map)->ops->lookup_elem)
		return unsupported(MAP(map), "bpf_map_lookup_elem", 0);
	return (uint64_t)(uintptr_t)MAP(map)->ops->lookup_elem(MAP(map), PTR(key));
}

static uint64_t h_map_update_elem(uint64_t map, uint64_t key, uint64_t value, uint64_t flags,
				  uint64_t a5)
{
	(void)a5;
	if (!MAP(map)->ops->update_elem)
		return unsupported(MAP(map), "bpf_map_update_elem", EOPNOTSUPP_RET);
	return (uint64_t)MAP(map)->ops->update_elem(MAP(map), PTR(key), PTR(value), flags);
}

static uint64_t h_map_delete_elem(uint64_t map, uint64_t key, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (!MAP(map)->ops->delete_elem)
		return unsupported(MAP(map), "bpf_map_delete_elem", EOPNOTSUPP_RET);
	return (uint64_t)MAP(map)->ops->delete_elem(MAP(map), PTR(key));
}

static uint64_t h_map_push_elem(uint64_t map, uint64_t value, uint64_t flags, uint64_t a4, uint64_t a5)
{
	(void)a4, (void)a5;
	if (!MAP(map)->ops->push_elem)
		return unsupported(MAP(map), "bpf_map_push_elem", EOPNOTSUPP_RET);
	return (uint64_t)MAP(map)->ops->push_elem(MAP(map), PTR(value), flags);
}

static uint64_t h_map_pop_elem(uint64_t map, uint64_t value, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (!MAP(map)->ops->pop_elem)
		return unsupported(MAP(map), "bpf_map_pop_elem", EOPNOTSUPP_RET);
	return (uint64_t)MAP(map)->ops->pop_elem(MAP(map), PTR(value));
}

static uint64_t h_map_peek_elem(uint64_t map, uint64_t value, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (!MAP(map)->ops->peek_elem)
		return unsupported(MAP(map), "bpf_map_peek_elem", EOPNOTSUPP_RET);
	return (uint64_t)MAP(map)->ops->peek_elem(MAP(map), PTR(value));
}

static uint64_t h_ktime_get_ns(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return plat_ktime_ns();
}

static uint64_t h_ktime_get_boot_ns(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return plat_boot_ns();
}

static uint64_t h_get_prandom_u32(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return plat_random_u32();
}

static uint64_t h_get_smp_processor_id(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				       uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return (uint64_t)plat_cpu_id();
}

static bool is_ringbuf(const struct bh_map *map)
{
	return map->map_type == BPF_MAP_TYPE_RINGBUF;
}

static uint64_t h_ringbuf_output(uint64_t map, uint64_t data, uint64_t size, uint64_t flags,
				 uint64_t a5)
{
	(void)a5;
	if (!is_ringbuf(MAP(map)))
		return unsupported(MAP(map), "bpf_ringbuf_output", EOPNOTSUPP_RET);
	return (uint64_t)bh_ringbuf_output(MAP(map), PTR(data), size, flags);
}

static uint64_t h_ringbuf_reserve(uint64_t map, uint64_t size, uint64_t flags, uint64_t a4,
				  uint64_t a5)
{
	(void)a4, (void)a5;
	if (!is_ringbuf(MAP(map)))
		return unsupported(MAP(map), "bpf_ringbuf_reserve", 0);
	return (uint64_t)(uintptr_t)bh_ringbuf_reserve(MAP(map), size, flags);
}

/*
 * The record argument was matched against the run's own reservations
 * before the call (helper_call.c): commit it on the ring it came from.
 */
static uint64_t ringbuf_commit_arg(uint64_t data, uint64_t flags, bool discard)
{
	struct bh_run *run = bh_run_current();
	struct bh_run_record *r = run ? run->arg_record : NULL;

	if (!r || r->start != data)
		return bh_run_fail(-EFAULT, "ring buffer commit of a record the run does not hold");
	if (discard)
		bh_ringbuf_discard(r->ring, PTR(data), flags);
	else
		bh_ringbuf_submit(r->ring, PTR(data), flags);
	r->committed = true;
	return 0;
}

static uint64_t h_ringbuf_submit(uint64_t data, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	return ringbuf_commit_arg(data, flags, false);
}

static uint64_t h_ringbuf_discard(uint64_t data, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	return ringbuf_commit_arg(data, flags, true);
}

static uint64_t h_ringbuf_query(uint64_t map, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (!is_ringbuf(MAP(map)))
		return unsupported(MAP(map), "bpf_ringbuf_query", 0);
	return bh_ringbuf_query(MAP(map), flags);
}

/* long bpf_perf_event_output(void *ctx, struct bpf_map *map, u64 flags, void *data, u64 size) */
static uint64_t h_perf_event_output(uint64_t ctx, uint64_t map, uint64_t flags, uint64_t data,
				    uint64_t size)
{
	(void)ctx;
	if (MAP(map)->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return unsupported(MAP(map), "bpf_perf_event_output", (uint64_t)(int64_t)-EINVAL);
	return (uint64_t)bh_perf_event_output(MAP(map), flags, PTR(data), size);
}

static uint64_t h_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct bh_run *run = bh_run_current();

	return (uint64_t)bh_trace_printk(run ? run->prog->name : "?", PTR(fmt), (uint32_t)fmt_size,
					 a1, a2, a3);
}

#define A(x) BPFHOST_ARG_##x
#define R(x) BPFHOST_RET_##x
/* Sorted by id. */
static const struct bh_helper core_helpers[] = {
	{ h_map_lookup_elem, BPF_FUNC_map_lookup_elem, R(PTR_TO_MAP_VALUE_OR_NULL),
	  { A(CONST_MAP_PTR), A(PTR_TO_MAP_KEY) }, "bpf_map_lookup_elem" },
	{ h_map_update_elem, BPF_FUNC_map_update_elem, R(INTEGER),
	  { A(CONST_MAP_PTR), A(PTR_TO_MAP_KEY), A(PTR_TO_MAP_VALUE), A(ANYTHING) },
	  "bpf_map_update_elem" },
	{ h_map_delete_elem, BPF_FUNC_map_delete_elem, R(INTEGER),
	  { A(CONST_MAP_PTR), A(PTR_TO_MAP_KEY) }, "bpf_map_delete_elem" },
	{ h_ktime_get_ns, BPF_FUNC_ktime_get_ns, R(INTEGER), { 0 }, "bpf_ktime_get_ns" },
	/* Linux's prototype has two arguments: r3-r5 are read only as the format asks. */
	{ h_trace_printk, BPF_FUNC_trace_printk, R(INTEGER), { A(PTR_TO_MEM), A(CONST_SIZE) },
	  "bpf_trace_printk" },
	{ h_get_prandom_u32, BPF_FUNC_get_prandom_u32, R(INTEGER), { 0 }, "bpf_get_prandom_u32" },
	{ h_get_smp_processor_id, BPF_FUNC_get_smp_processor_id, R(INTEGER), { 0 },
	  "bpf_get_smp_processor_id" },
	/* Void as Linux's: r0 is not readable after it (the interpreter sets it on failure). */
	{ NULL, BPF_FUNC_tail_call, R(VOID), { A(PTR_TO_CTX), A(CONST_MAP_PTR), A(ANYTHING) },
	  "bpf_tail_call" },
	{ h_perf_event_output, BPF_FUNC_perf_event_output, R(INTEGER),
	  { A(PTR_TO_CTX), A(CONST_MAP_PTR), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE_OR_ZERO) },
	  "bpf_perf_event_output" },
	{ h_map_push_elem, BPF_FUNC_map_push_elem, R(INTEGER),
	  { A(CONST_MAP_PTR), A(PTR_TO_MAP_VALUE), A(ANYTHING) }, "bpf_map_push_elem" },
	{ h_map_pop_elem, BPF_FUNC_map_pop_elem, R(INTEGER),
	  { A(CONST_MAP_PTR), A(PTR_TO_UNINIT_MAP_VALUE) }, "bpf_map_pop_elem" },
	{ h_map_peek_elem, BPF_FUNC_map_peek_elem, R(INTEGER),
	  { A(CONST_MAP_PTR), A(PTR_TO_UNINIT_MAP_VALUE) }, "bpf_map_peek_elem" },
	{ h_ktime_get_boot_ns, BPF_FUNC_ktime_get_boot_ns, R(INTEGER), { 0 }, "bpf_ktime_get_boot_ns" },
	{ h_ringbuf_output, BPF_FUNC_ringbuf_output, R(INTEGER),
	  { A(CONST_MAP_PTR), A(PTR_TO_MEM), A(CONST_SIZE_OR_ZERO), A(ANYTHING) }, "bpf_ringbuf_output" },
	{ h_ringbuf_reserve, BPF_FUNC_ringbuf_reserve, R(PTR_TO_ALLOC_MEM_OR_NULL),
	  { A(CONST_MAP_PTR), A(ANYTHING), A(ANYTHING) }, "bpf_ringbuf_reserve" },
	{ h_ringbuf_submit, BPF_FUNC_ringbuf_submit, R(VOID), { A(PTR_TO_ALLOC_MEM), A(ANYTHING) },
	  "bpf_ringbuf_submit" },
	{ h_ringbuf_discard, BPF_FUNC_ringbuf_discard, R(VOID), { A(PTR_TO_ALLOC_MEM), A(ANYTHING) },
	  "bpf_ringbuf_discard" },
	{ h_ringbuf_query, BPF_FUNC_ringbuf_query, R(INTEGER), { A(CONST_MAP_PTR), A(ANYTHING) },
	  "bpf_ringbuf_query" },
	/*
	 * bpf_loop(nr_loops, callback, ctx, flags): the interpreter's own (it
	 * calls back into the program); the verifier checks the callback.
	 */
	{ NULL, BPF_FUNC_loop, R(INTEGER), { A(ANYTHING), A(ANYTHING), A(ANYTHING), A(ANYTHING) },
	  "bpf_loop" },
};

extern const struct bh_helper bh_skb_load_bytes_helper;

const struct bh_helper *bh_core_helper(uint32_t id, uint32_t prog_type)
{
	if ((prog_type == BPF_PROG_TYPE_SCHED_CLS || prog_type == BPF_PROG_TYPE_SCHED_ACT) && bh_tc_helper(id))
		return bh_tc_helper(id);
	if (id == BPF_FUNC_skb_load_bytes)
		return prog_type == BPF_PROG_TYPE_SOCKET_FILTER ? &bh_skb_load_bytes_helper : NULL;
	if (prog_type == BPF_PROG_TYPE_XDP && bh_xdp_helper(id))
		return bh_xdp_helper(id);
	for (size_t i = 0; i < ARRAY_SIZE(core_helpers); i++)
		if (core_helpers[i].id == id)
			return &core_helpers[i];
	return NULL;
}

bool bh_core_helper_is_builtin(const struct bh_helper *h)
{
	uintptr_t p = (uintptr_t)h, lo = (uintptr_t)core_helpers;	/* not a pointer into the table: compare addresses */

	return p >= lo && p < lo + sizeof(core_helpers);
}
