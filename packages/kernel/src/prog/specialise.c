// SPDX-License-Identifier: MIT
/*
 * Load-time specialisation (specialise.h): the verifier recorded, per helper
 * call, the one map every path hands it (or that paths disagree: Linux's
 * "poisoned" map pointer); here each call whose map is a built-in one the
 * program holds, and each argument-less core helper, becomes an internal
 * opcode with its facts (the map, its storage, sizes) in prog->fast.
 *
 * Custom maps are never inlined: their provider has a say on every
 * operation. The program's reference on the map (prog->maps) keeps the
 * storage the fast op points to alive as long as the program.
 */
#include <stdlib.h>

#include "specialise.h"
#include "prog_type.h"
#include "../maps/map.h"
#include "../maps/map_in_map.h"
#include "../maps/prog_array.h"
#include "../verifier/verifier.h"

/* 0: not read yet; 1: on; 2: off. */
static atomic_int specialise_state;

bool bh_specialise_enabled(void)
{
	int s = atomic_load_explicit(&specialise_state, memory_order_relaxed);

	if (!s) {
		const char *e = getenv("BPFHOST_NO_SPECIALISE");
		int want = e && *e && !(e[0] == '0' && !e[1]) ? 2 : 1;

		atomic_compare_exchange_strong(&specialise_state, &s, want);
		s = atomic_load_explicit(&specialise_state, memory_order_relaxed);
	}
	return s == 1;
}

void bh_specialise_set_enabled(bool on)
{
	atomic_store(&specialise_state, on ? 1 : 2);
}

/* Maps whose lookup_elem a program may call directly: built-in, no run state needed. */
static bool direct_lookup_map(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return true;
	default:
		return false;
	}
}

/* The argument-less core helpers: plain functions of nothing the run holds. */
static bool noargs_helper(const struct bh_helper *h)
{
	switch (h->id) {
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_get_smp_processor_id:
		break;
	default:
		return false;
	}
	for (int a = 0; a < 5; a++)
		if (h->args[a] != BPFHOST_ARG_DONTCARE)
			return false;
	return h->fn && bh_core_helper_is_builtin(h);
}

/* The internal opcode for call @i with facts in *@f, or 0 to leave the call as it is. */
static uint8_t plan(const struct bh_prog *prog, const struct bpf_insn *insn, struct bh_map *map,
		    struct bh_fast_op *f)
{
	const struct bh_helper *h;

	if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg || insn->imm < 0 ||
	    (uint32_t)insn->imm >= prog->helper_cnt)
		return 0;
	h = prog->helpers[insn->imm];
	plat_memset(f, 0, sizeof(*f));
	f->helper = h;
	if (noargs_helper(h))
		return BH_OP_CALL_NOARGS;
	if (!bh_core_helper_is_builtin(h))
		return 0;
	/* No one map: the interpreter checks at each call whether it is an inner map it may use directly. */
	if (map == BH_CALL_MAP_POISON && (h->id == BPF_FUNC_map_lookup_elem || h->id == BPF_FUNC_map_update_elem ||
					  h->id == BPF_FUNC_map_delete_elem))
		return BH_OP_INNER_MAP;
	if (h->id != BPF_FUNC_map_lookup_elem && h->id != BPF_FUNC_tail_call &&
	    h->id != BPF_FUNC_map_update_elem && h->id != BPF_FUNC_map_delete_elem &&
	    h->id != BPF_FUNC_ringbuf_output)
		return 0;
	/* One map on every path, one the program holds, not an extension's. */
	if (!map || map == BH_CALL_MAP_POISON || !bh_prog_uses_map(prog, map) ||
	    map->custom_map_context || map->map_type >= BPFHOST_MAP_TYPE_EXT_BASE)
		return 0;
	/* Updates and deletes in that map: its op directly, as for an inner map. */
	if (h->id == BPF_FUNC_map_update_elem || h->id == BPF_FUNC_map_delete_elem) {
		if (map->map_type >= 32 || !(INNER_DIRECT_TYPES >> map->map_type & 1))
			return 0;
		f->map = map;
		return BH_OP_INNER_MAP;
	}
	/* Output to that ring buffer: the ring's own output, a record from the stack. */
	if (h->id == BPF_FUNC_ringbuf_output) {
		if (map->map_type != BPF_MAP_TYPE_RINGBUF)
			return 0;
		f->map = map;
		return BH_OP_INNER_MAP;
	}
	f->map = map;
	f->max_entries = map->max_entries;
	f->key_size = map->key_size;
	f->value_size = map->value_size;
	/* As the helper path marks a value (helper_call.c). */
	f->writable = !(map->map_flags & BPF_F_RDONLY_PROG);
	if (h->id == BPF_FUNC_tail_call) {
		f->base = bh_prog_array_slots(map);
		return f->base ? BH_OP_TAIL_CALL : 0;
	}
	if (map->map_type == BPF_MAP_TYPE_ARRAY || map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		char *values;

		if (!bh_array_map_layout(map, &values, &f->elem_size, &f->slot))
			return 0;
		f->base = values;
		return f->slot ? BH_OP_PCPU_LOOKUP : BH_OP_ARRAY_LOOKUP;
	}
	if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		f->base = bh_array_of_maps_slots(map);
		return f->base ? BH_OP_AOM_LOOKUP : 0;
	}
	if (direct_lookup_map(map->map_type) && map->ops->lookup_elem) {
		f->lookup = map->ops->lookup_elem;
		f->inner_maps = map->map_type == BPF_MAP_TYPE_HASH_OF_MAPS;
		return BH_OP_MAP_LOOKUP;
	}
	return 0;
}

/* Is @insn `mov r3, K` (64 or 32 bits)? Then *@r3 is the register's value after it. */
static bool mov_r3_k(const struct bpf_insn *insn, uint64_t *r3)
{
	if (insn->dst_reg != BPF_REG_3 || insn->src_reg || insn->off)
		return false;
	if (insn->code == (BPF_ALU64 | BPF_MOV | BPF_K))
		*r3 = (uint64_t)(int64_t)insn->imm;
	else if (insn->code == (BPF_ALU | BPF_MOV | BPF_K))
		*r3 = (uint32_t)insn->imm;
	else
		return false;
	return true;
}

/*
 * Is instruction @i `lddw r2, map` of a map the loader resolved (not a
 * plain constant)? Then the map. Reads prog->insns for the value, which
 * fixup_lddw wrote, and orig_insns for what the caller asked.
 */
static struct bh_map *lddw_r2_map(const struct bh_prog *prog, uint32_t i)
{
	const struct bpf_insn *insn = &prog->insns[i], *orig = &prog->orig_insns[i];
	struct bh_map *map;

	if (i + 1 >= prog->len || insn->code != (BPF_LD | BPF_IMM | BPF_DW) || insn->dst_reg != BPF_REG_2 ||
	    (orig->src_reg != BPF_PSEUDO_MAP_FD && orig->src_reg != BPF_PSEUDO_MAP_IDX))
		return NULL;
	map = u64_to_ptr((uint64_t)(uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32);
	return bh_prog_uses_map(prog, map) ? map : NULL;
}

/*
 * Instruction @i starts `lddw r2, map; mov r3, K; call bpf_tail_call`
 * (either order of the first two) with map a built-in prog array and K's
 * low half in range: BH_OP_TAIL_CALL_K with its facts in *@f, or 0. No
 * jump can land between them and the call (no instruction there jumps),
 * so running the three at once is running them one by one.
 */
static uint8_t plan_tail_call_k(const struct bh_prog *prog, uint32_t i, struct bh_fast_op *f)
{
	uint32_t call = i + BH_TAIL_CALL_K_SPAN;
	const struct bpf_insn *c;
	struct bh_map *map;
	uint64_t r3;

	if (call >= prog->len)
		return 0;
	c = &prog->insns[call];
	/* The call is still a plain one: the rewrite runs forwards and @i comes first. */
	if (c->code != (BPF_JMP | BPF_CALL) || c->src_reg || c->imm < 0 || (uint32_t)c->imm >= prog->helper_cnt ||
	    prog->helpers[c->imm]->id != BPF_FUNC_tail_call || !bh_core_helper_is_builtin(prog->helpers[c->imm]))
		return 0;
	map = lddw_r2_map(prog, i);
	if (map ? !mov_r3_k(&prog->insns[i + 2], &r3) :
		  !(mov_r3_k(&prog->insns[i], &r3) && (map = lddw_r2_map(prog, i + 1))))
		return 0;
	if (map->map_type != BPF_MAP_TYPE_PROG_ARRAY || map->custom_map_context ||
	    (uint32_t)r3 >= map->max_entries)
		return 0;
	plat_memset(f, 0, sizeof(*f));
	f->helper = prog->helpers[c->imm];
	f->map = map;
	f->base = bh_prog_array_slots(map);
	f->max_entries = map->max_entries;
	f->r2r3[0] = (uintptr_t)map;
	f->r2r3[1] = r3;
	return f->base ? BH_OP_TAIL_CALL_K : 0;
}

/* The internal opcode for instruction @i, or 0 to leave it as it is. */
static uint8_t plan_insn(const struct bh_prog *prog, uint32_t i, struct bh_map *const *call_map,
			 struct bh_fast_op *f)
{
	uint8_t op = plan_tail_call_k(prog, i, f);

	return op ? op : plan(prog, &prog->insns[i], call_map[i], f);
}

/*
 * One planning pass, forwards, rewriting as it goes (plan_tail_call_k reads
 * only instructions after the one it plans, which are not rewritten yet).
 * The facts go to a scratch array sized for the most a program can need,
 * then to one of the exact size: each call is planned at most twice, at
 * itself and as the end of a fused tail call three instructions before.
 */
int bh_prog_specialise(struct bh_prog *prog, struct bh_map *const *call_map)
{
	struct bh_fast_op f, *plans, *fast;
	uint32_t calls = 0, n = 0;

	if (!call_map || !bh_specialise_enabled())
		return 0;
	for (uint32_t i = 0; i < prog->len; i++)
		calls += prog->insns[i].code == (BPF_JMP | BPF_CALL);
	if (!calls)
		return 0;
	plans = plat_alloc(sizeof(*plans) * 2 * calls);
	if (!plans)
		return bh_err(-ENOMEM, "program '%s': out of memory for planning %u calls", prog->name, calls);
	for (uint32_t i = 0; i < prog->len; i++) {
		struct bpf_insn *insn = &prog->insns[i];
		uint8_t op = plan_insn(prog, i, call_map, &f);

		if (!op || n == 2 * calls)	/* the bound holds; never write past it */
			continue;
		plans[n] = f;
		insn->code = op;
		insn->imm = (int32_t)n++;
	}
	if (!n) {
		plat_free(plans);
		return 0;
	}
	fast = plat_alloc(sizeof(*fast) * n);
	if (fast) {
		plat_memcpy(fast, plans, sizeof(*fast) * n);
		plat_free(plans);
	} else {
		fast = plans;	/* keep the larger array rather than undo the rewrite */
	}
	prog->fast = fast;
	prog->fast_cnt = n;
	return 0;
}
