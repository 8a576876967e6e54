// SPDX-License-Identifier: MIT
/*
 * Calling a helper from a program: every argument is checked against the
 * helper's prototype first (until the static verifier proves them at load,
 * nothing reaches a helper unchecked), and what a helper returns extends
 * the memory the program may touch (map values, ring buffer records, the
 * references acquiring kfuncs return, until released).
 */
#include "interp.h"
#include "specialise.h"
#include "trace.h"
#include "../maps/map.h"
#include "../maps/ringbuf.h"
#include "../ext/custom_map.h"
#include "../ext/kfunc.h"

static _Thread_local struct bh_run *current_run;

struct bh_run *bh_run_current(void)
{
	return current_run;
}

/*
 * Memory a helper may read or write for a program: the stack, the packet,
 * global data, map values and records this run holds. Never the context:
 * as on Linux, memory arguments are not context pointers (a helper that
 * wants the context says PTR_TO_CTX).
 */
static bool run_mem_has(const struct bh_run *run, uintptr_t addr, size_t size, bool write)
{
	const struct bh_prog *prog = run->prog;
	uint32_t n = bh_run_dyn_cnt(run);

	if (bh_region_has(&run->stack, addr, size, write) || bh_region_has(&run->pkt, addr, size, write))
		return true;
	for (uint32_t i = 0; i < prog->region_cnt; i++)
		if (bh_region_has(&prog->regions[i], addr, size, write))
			return true;
	for (uint32_t i = 0; i < n; i++)
		if (!run->dyn[i].map && bh_region_has(&run->dyn[i], addr, size, write))
			return true;
	for (uint32_t i = 0; i < run->record_cnt; i++)
		if (bh_run_record_has(&run->records[i], addr, size))
			return true;
	for (uint32_t i = 0; i < run->ref_cnt; i++) {
		const struct bh_run_ref *r = &run->refs[i];

		if (addr >= r->start && size <= r->size && addr - r->start <= r->size - size &&
		    (!write || r->writable))
			return true;
	}
	return false;
}

bool bh_run_access_ok(const struct bh_run *run, uintptr_t addr, size_t size, bool write)
{
	return bh_run_ctx_has(run, addr, size, write) || run_mem_has(run, addr, size, write);
}

static bool is_map_arg(const struct bh_run *run, uint64_t v)
{
	uint32_t n = bh_run_dyn_cnt(run);

	if (bh_prog_uses_map(run->prog, u64_to_ptr(v)))
		return true;
	/* An inner map a map-in-map lookup handed out during this run. */
	for (uint32_t i = 0; i < n; i++)
		if (run->dyn[i].map && run->dyn[i].start == v && v)
			return true;
	return false;
}

/* The record this run holds that starts exactly at @v, or NULL. */
static struct bh_run_record *held_record(struct bh_run *run, uint64_t v)
{
	for (uint32_t i = 0; i < run->record_cnt; i++)
		if (run->records[i].start == v && v)
			return &run->records[i];
	return NULL;
}

static void drop_record(struct bh_run *run, struct bh_run_record *r)
{
	*r = run->records[--run->record_cnt];
}

/* The reference this run holds at @v that the releasing kfunc @h may take, or NULL. */
static struct bh_run_ref *held_ref(struct bh_run *run, const struct bh_helper *h, uint64_t v)
{
	for (uint32_t i = 0; i < run->ref_cnt; i++) {
		struct bh_run_ref *r = &run->refs[i];

		if (r->start == v && v && bh_kfunc_owner(r->kfunc) == bh_kfunc_owner(h) &&
		    bh_kfunc_proto(r->kfunc)->ref_type == bh_kfunc_proto(h)->ref_type)
			return r;
	}
	return NULL;
}

static void release_refs(struct bh_run *run)
{
	struct bh_run *outer = current_run;

	current_run = run;
	while (run->ref_cnt) {
		struct bh_run_ref r = run->refs[--run->ref_cnt];
		const struct bh_helper *rel = bh_kfunc_releaser(r.kfunc);

		/*
		 * Even when a forced unload has marked the module gone: the run is
		 * still inside the epoch that unload waits out before the module's
		 * unload callback runs, so its code is there and it gets back all
		 * it lent.
		 */
		rel->fn(r.start, 0, 0, 0, 0);
		bh_trace_note(run->prog->name, "insn %u: the reference kfunc %s returned here was not "
			      "released: the core passed it to %s as the run ended", r.pc, r.kfunc->name,
			      rel->name);
	}
	current_run = outer;
}

void bh_run_release_records(struct bh_run *run)
{
	if (run->ref_cnt)
		release_refs(run);
	while (run->record_cnt) {
		struct bh_run_record *r = &run->records[run->record_cnt - 1];

		bh_ringbuf_abandon(r->ring, u64_to_ptr(r->start));
		bh_trace_note(run->prog->name, "insn %u: ring buffer record of %u bytes reserved here was "
			      "neither submitted nor discarded: the core discarded it as the run ended",
			      r->pc, r->size);
		run->record_cnt--;
	}
}

static uint64_t fault(struct bh_run *run, const struct bh_helper *h, int a, const char *why,
		      uint64_t v)
{
	run->err = bh_err(-EFAULT, "program '%s': insn %u: helper %s (%u) argument %d (r%d = 0x%llx): %s",
			  run->prog->name, run->pc, h->name, h->id, a + 1, a + 1,
			  (unsigned long long)v, why);
	return 0;
}

uint64_t bh_run_map_lookup_result(struct bh_run *run, const struct bh_map *map, uint64_t ret)
{
	if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		struct bh_map *inner = u64_to_ptr(ret);

		/*
		 * A custom inner map's provider has a say, as at load for maps
		 * the program names (inner maps are only met at run time). A
		 * refusal stops the program.
		 */
		if (inner->custom_map_context && bh_custom_map_associate_program_type(inner, run->prog->type)) {
			char why[200];

			plat_snprintf(why, sizeof(why), "%s", bpfhost_last_error());
			run->err = bh_err(-EACCES, "program '%s': insn %u: inner map '%s' of map '%s' refuses "
					  "programs of type %u: %s", run->prog->name, run->pc, inner->name,
					  map->name, run->prog->type, why);
			return 0;
		}
		bh_run_add_region(run, (uintptr_t)ret, 0, false, true);
	} else {
		/* A uov map's value is the provider's copy: programs only read it. */
		bh_run_add_region(run, (uintptr_t)ret, map->value_size,
				  !(map->map_flags & BPF_F_RDONLY_PROG) &&
				  !bh_custom_map_updates_original_value((struct bh_map *)map), false);
	}
	return ret;
}

uint64_t bh_helper_call(struct bh_run *run, const struct bh_helper *h, const uint64_t args[5])
{
	struct bh_run_record *record = NULL;
	struct bh_run_ref *ref = NULL;
	const struct bh_map *map = NULL;
	struct bh_run *outer;
	uint64_t ret;

	/* A kfunc of a module unloaded by force: its code may be gone. */
	if (unlikely(h->gone) && atomic_load_explicit(h->gone, memory_order_acquire)) {
		run->err = bh_err(-ENODEV, "program '%s': insn %u: kfunc '%s' was unloaded with its module",
				  run->prog->name, run->pc, h->name);
		return 0;
	}
	for (int a = 0; a < 5; a++) {
		uint64_t v = args[a];
		uint64_t size = a < 4 ? args[a + 1] : 0;

		switch (h->args[a]) {
		case BH_ARG_KFUNC_MEM:
		case BH_ARG_KFUNC_MEM_RW:
			if (!run_mem_has(run, (uintptr_t)v, h->mem_size[a], h->args[a] == BH_ARG_KFUNC_MEM_RW))
				return fault(run, h, a, "the argument's bytes are not stack, packet, map value or "
					     "record memory the program may pass", v);
			break;
		case BPFHOST_ARG_DONTCARE:
		case BPFHOST_ARG_ANYTHING:
		case BPFHOST_ARG_CONST_SIZE_OR_ZERO:
			break;
		case BPFHOST_ARG_CONST_MAP_PTR:
			if (!is_map_arg(run, v))
				return fault(run, h, a, "not a map the program references", v);
			map = u64_to_ptr(v);
			break;
		case BPFHOST_ARG_PTR_TO_MAP_KEY:
		case BPFHOST_ARG_PTR_TO_MAP_VALUE:
		case BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE: {
			bool write = h->args[a] == BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE;

			if (!map)
				return fault(run, h, a, "no map argument before it (bad prototype)", v);
			size = h->args[a] == BPFHOST_ARG_PTR_TO_MAP_KEY ? map->key_size : map->value_size;
			if (!run_mem_has(run, (uintptr_t)v, size, write))
				return fault(run, h, a, h->args[a] == BPFHOST_ARG_PTR_TO_MAP_KEY ?
					     "the map's key_size bytes are not readable stack, packet, map value or record memory" : write ?
					     "the map's value_size bytes are not writable stack, packet, map value or record memory" :
					     "the map's value_size bytes are not readable stack, packet, map value or record memory", v);
			break;
		}
		case BPFHOST_ARG_PTR_TO_MEM_OR_NULL:
			if (!v && !size)
				break;
			/* fall through */
		case BPFHOST_ARG_PTR_TO_MEM:
		case BPFHOST_ARG_PTR_TO_UNINIT_MEM:
			if (a == 4)
				return fault(run, h, a, "memory argument without a size (bad prototype)", v);
			if (size > (1u << 29) ||
			    !run_mem_has(run, (uintptr_t)v, size, h->args[a] == BPFHOST_ARG_PTR_TO_UNINIT_MEM))
				return fault(run, h, a, h->args[a] == BPFHOST_ARG_PTR_TO_UNINIT_MEM ?
					     "the next argument's size in bytes is not writable stack, packet, map value or record memory" :
					     "the next argument's size in bytes is not readable stack, packet, map value or record memory", v);
			break;
		case BPFHOST_ARG_CONST_SIZE:
			if (!v)
				return fault(run, h, a, "size must not be 0", v);
			break;
		case BPFHOST_ARG_PTR_TO_CTX:
			if (v != run->ctx.start)
				return fault(run, h, a, "not the program's context", v);
			break;
		case BH_ARG_KFUNC_RELEASE:
			/* By the core's account of acquisitions only, as for records. */
			ref = held_ref(run, h, v);
			if (!ref)
				return fault(run, h, a, "not a reference of its type that an acquiring kfunc of "
					     "its module returned and this run still holds (released already, "
					     "or never acquired)", v);
			break;
		case BPFHOST_ARG_PTR_TO_ALLOC_MEM:
			/* By the core's account of reservations only: never by the record's bytes. */
			record = held_record(run, v);
			if (!record || run->arg_record)
				return fault(run, h, a, "not the start of a record from bpf_ringbuf_reserve "
					     "that this run still holds (submitted or discarded "
					     "already, or never reserved)", v);
			break;
		default:
			return fault(run, h, a, "unknown argument type (bad prototype)", v);
		}
	}

	if (h->ret == BPFHOST_RET_PTR_TO_ALLOC_MEM_OR_NULL) {
		/* No room to account for one more: the reservation fails, as a full ring's would. */
		if (run->record_cnt == BH_RUN_MAX_RECORDS) {
			bh_trace_note(run->prog->name, "insn %u: %s: the run already holds %u records; "
				      "submit or discard one first", run->pc, h->name, BH_RUN_MAX_RECORDS);
			return 0;
		}
	}

	/* No room to account for one more: fail the call as if the module had nothing to give. */
	if (h->ret == BH_RET_KFUNC_ACQUIRED && run->ref_cnt == BH_RUN_MAX_REFS) {
		bh_trace_note(run->prog->name, "insn %u: kfunc %s: the run already holds %u references; "
			      "release one first", run->pc, h->name, BH_RUN_MAX_REFS);
		return 0;
	}

	outer = current_run;
	current_run = run;
	run->arg_record = record;
	ret = h->fn(args[0], args[1], args[2], args[3], args[4]);
	run->arg_record = NULL;
	current_run = outer;
	if (record) {
		/* A helper that took a record and did not commit it (an extension's): discard it. */
		if (!record->committed)
			bh_ringbuf_discard(record->ring, u64_to_ptr(record->start), 0);
		drop_record(run, record);
	}
	if (ref)	/* the module has it back, whatever the call did */
		*ref = run->refs[--run->ref_cnt];
	if (h->ret == BH_RET_KFUNC_ACQUIRED && ret) {
		const struct bpfhost_kfunc *k = bh_kfunc_proto(h);
		struct bh_run_ref *r = &run->refs[run->ref_cnt++];

		/* Recorded even when the run failed in the call: the run's end releases it. */
		r->start = (uintptr_t)ret;
		r->kfunc = h;
		r->size = k->return_size;
		r->pc = run->pc;
		r->writable = k->ref_flags & BPFHOST_KFUNC_REF_WRITABLE;
	}
	if (run->err)
		return 0;

	switch (h->ret) {
	case BPFHOST_RET_VOID:
		ret = 0;
		break;
	case BPFHOST_RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (ret && map)
			ret = bh_run_map_lookup_result(run, map, ret);
		break;
	case BPFHOST_RET_PTR_TO_ALLOC_MEM_OR_NULL:
		if (ret && (!map || map->map_type != BPF_MAP_TYPE_RINGBUF)) {
			run->err = bh_err(-EFAULT, "program '%s': insn %u: helper %s (%u) returned memory "
					  "without a ring buffer map argument (bad prototype)",
					  run->prog->name, run->pc, h->name, h->id);
			return 0;
		}
		if (ret) {
			struct bh_run_record *r = &run->records[run->record_cnt++];

			r->start = (uintptr_t)ret;
			r->ring = (struct bh_map *)map;
			r->size = (uint32_t)args[1];
			r->pc = run->pc;
			r->committed = false;
		}
		break;
	default:
		break;
	}
	return ret;
}

/* Lets a helper stop the program with an error (a refused operation). */
uint64_t bh_run_fail(int err, const char *fmt, ...)
{
	struct bh_run *run = current_run;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	plat_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (run)
		run->err = bh_err(err, "program '%s': insn %u: %s", run->prog->name, run->pc, msg);
	else
		bh_err(err, "%s", msg);
	return 0;
}
