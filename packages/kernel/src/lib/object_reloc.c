// SPDX-License-Identifier: MIT
/*
 * Relocations. At open, each entry of a `.rel<section>` for an executable
 * section is checked (offset on an instruction, the right instruction kind,
 * a symbol that names a map, global data or a `.text` function) and kept; the
 * `.rel.maps` entries become the initial slots of prog arrays and
 * map-in-maps. At prepare, each entry program gets its own instruction copy:
 * map loads carry handles (BPF_PSEUDO_MAP_FD, or BPF_PSEUDO_MAP_VALUE with
 * the offset in the second half), and every `.text` function it calls,
 * directly or through another one, is appended once with calls fixed to it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object_internal.h"

#define LDDW_CODE (BPF_LD | BPF_IMM | BPF_DW)
#define CALL_CODE (BPF_JMP | BPF_CALL)

static bool is_lddw(const struct bpf_insn *insn)
{
	return insn->code == LDDW_CODE;
}

static bool is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == CALL_CODE && insn->src_reg == BPF_PSEUDO_CALL;
}

static bool is_pseudo_func(const struct bpf_insn *insn)
{
	return is_lddw(insn) && insn->src_reg == BPF_PSEUDO_FUNC;
}

#define rel_err(obj, sec, idx, ...) rel_errf(obj, sec, idx, __VA_ARGS__)
static int rel_errf(const struct bpfhost_object *obj, const struct obj_section *s, uint32_t insn,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "object 'o': section 's': insn N (program 'p'): why" */
static int rel_errf(const struct bpfhost_object *obj, const struct obj_section *s, uint32_t insn,
		    const char *fmt, ...)
{
	const char *pname = NULL;
	char why[320];
	va_list ap;

	for (uint32_t i = 0; i < obj->prog_cnt + obj->subprog_cnt; i++) {
		const struct bpfhost_program *p = &obj->progs[i];

		if (&obj->secs[p->sec_idx] == s && insn >= p->sec_insn_off &&
		    insn < p->sec_insn_off + p->sec_insn_cnt)
			pname = p->name;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return obj_err(-EINVAL, "object '%s': section '%s': insn %u%s%s%s: %s", obj->name,
		       s->elf->name, insn, pname ? " (program '" : "", pname ? pname : "",
		       pname ? "')" : "", why);
}

static int cmp_relocs(const void *a, const void *b)
{
	const struct obj_reloc *x = a, *y = b;

	return x->insn_idx < y->insn_idx ? -1 : x->insn_idx > y->insn_idx;
}

static const struct obj_reloc *find_reloc(const struct obj_section *s, uint32_t insn_idx)
{
	uint32_t lo = 0, hi = s->reloc_cnt;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->relocs[mid].insn_idx < insn_idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->reloc_cnt && s->relocs[lo].insn_idx == insn_idx ? &s->relocs[lo] : NULL;
}

/* A relocation of a call: the symbol must be a `.text` function (or `.text` itself). */
static int record_call(const struct bpfhost_object *obj, const struct obj_section *s,
		       uint32_t idx, const struct elf_symbol *sym, struct obj_reloc *r)
{
	const struct obj_extern *ext = sym->shndx == ELF_SHN_UNDEF ? obj_find_extern(obj, sym->name) : NULL;

	if (ext && ext->is_func) {	/* resolved by name at load (link_kfunc) */
		r->kind = RELO_KFUNC_CALL;
		r->sym_name = sym->name;
		return 0;
	}
	if (sym->shndx == ELF_SHN_UNDEF)
		return rel_err(obj, s, idx, "call to '%s', which this object does not define (an extern function: only .text functions can be called)",
			       sym->name);
	if (!is_pseudo_call(&s->insns[idx]))
		return rel_err(obj, s, idx, "call relocation against '%s' on a call that is not bpf-to-bpf (src_reg %u)",
			       sym->name, s->insns[idx].src_reg);
	if (!obj->text_sec || sym->shndx != obj->text_sec)
		return rel_err(obj, s, idx, "call to '%s', which is not a function in '.text' (sub-programs must be in .text)",
			       sym->name);
	if (sym->value % BPF_INSN_SZ)
		return rel_err(obj, s, idx, "call to '%s' at byte %llu of .text, not on an instruction",
			       sym->name, (unsigned long long)sym->value);
	r->kind = RELO_CALL;
	r->sym_off = sym->value;
	return 0;
}

/* An lddw of an undefined symbol: a __kconfig value, a __ksym (refused unless weak), or neither. */
static int record_extern(const struct bpfhost_object *obj, const struct obj_section *s, uint32_t idx,
			 const struct elf_symbol *sym, struct obj_reloc *r)
{
	const struct obj_extern *ext = obj_find_extern(obj, sym->name);

	if (!ext)
		return rel_err(obj, s, idx, "'%s' is not defined in this object (a missing map, or an extern that is neither __kconfig nor __ksym)",
			       sym->name);
	if (ext->is_func) {
		r->kind = RELO_KFUNC_ADDR;
		r->sym_name = sym->name;
		return 0;
	}
	if (!ext->is_kcfg) {
		if (!ext->is_weak)
			return rel_err(obj, s, idx, "'%s' is a __ksym variable (a kernel symbol): bpfhost has no kernel, so it cannot be resolved (declare it __weak to read it as absent, 0)",
				       sym->name);
		r->kind = RELO_ZERO;
		return 0;
	}
	if (obj->kconfig_map < 0 || s->insns[idx].src_reg)
		return rel_err(obj, s, idx, "lddw of __kconfig extern '%s' in an unexpected form", sym->name);
	r->kind = RELO_DATA;
	r->map_idx = (uint32_t)obj->kconfig_map;
	r->sym_off = ext->kcfg_off;
	return 0;
}

/* A relocation of an lddw: a map, global data, or a `.text` function's address. */
static int record_lddw(const struct bpfhost_object *obj, struct obj_section *s,
		       uint32_t idx, const struct elf_symbol *sym, struct obj_reloc *r)
{
	struct bpf_insn *insn = &s->insns[idx];
	const struct obj_section *ts;
	int64_t off;

	if (sym->shndx == ELF_SHN_UNDEF)
		return record_extern(obj, s, idx, sym, r);
	if (sym->shndx >= obj->sec_cnt)
		return rel_err(obj, s, idx, "'%s' is in special section 0x%x (an uninitialised global? use SEC or an initialiser)",
			       sym->name, sym->shndx);
	ts = &obj->secs[sym->shndx];
	if (sym->shndx == obj->text_sec && obj->text_sec) {
		/* A callback's address (bpf_loop, ...): clang emits a plain lddw; mark it, as libbpf does. */
		if (insn->src_reg && insn->src_reg != BPF_PSEUDO_FUNC)
			return rel_err(obj, s, idx, "lddw of function '%s' with src_reg %u", sym->name,
				       insn->src_reg);
		if (sym->type != ELF_STT_FUNC && sym->type != ELF_STT_SECTION)
			return rel_err(obj, s, idx, "lddw of '%s' in .text, which is not a function",
				       sym->name);
		if (sym->value % BPF_INSN_SZ || insn->imm % (int32_t)BPF_INSN_SZ)
			return rel_err(obj, s, idx, "address of '%s' is not on an instruction", sym->name);
		insn->src_reg = BPF_PSEUDO_FUNC;
		r->kind = RELO_SUBPROG_ADDR;
		r->sym_off = sym->value;
		return 0;
	}
	switch (ts->kind) {
	case SEC_MAPS:
	case SEC_LEGACY_MAPS: {
		int m = obj_map_index_by_offset(obj, sym->shndx, sym->value);

		if (m < 0)
			return rel_err(obj, s, idx, "'%s' (offset %llu of '%s') is not a map definition",
				       sym->name, (unsigned long long)sym->value, ts->elf->name);
		r->kind = RELO_MAP;
		r->map_idx = (uint32_t)m;
		return 0;
	}
	case SEC_DATA:
		off = (int64_t)sym->value + insn->imm;
		if (sym->value > UINT32_MAX || off < 0 || off >= (int64_t)ts->elf->size)
			return rel_err(obj, s, idx, "'%s' + %d is outside '%s' (%llu bytes)", sym->name,
				       insn->imm, ts->elf->name, (unsigned long long)ts->elf->size);
		r->kind = RELO_DATA;
		r->map_idx = (uint32_t)ts->map_idx;
		r->sym_off = sym->value;
		return 0;
	default:
		return rel_err(obj, s, idx, "lddw refers to '%s' in section '%s', which is neither a map, global data nor .text",
			       sym->name, ts->elf->name);
	}
}

static int collect_section(struct bpfhost_object *obj, const struct elf_section *rel,
			   struct obj_section *s)
{
	uint32_t n = elf_rel_count(rel);

	if (s->relocs)
		return obj_err(-EINVAL, "object '%s': section '%s' has two relocation sections",
			       obj->name, s->elf->name);
	s->relocs = calloc(n ? n : 1, sizeof(*s->relocs));
	if (!s->relocs)
		return obj_err(-ENOMEM, "object '%s': no memory for relocations", obj->name);
	for (uint32_t i = 0; i < n; i++) {
		struct obj_reloc *r = &s->relocs[s->reloc_cnt];
		const struct elf_symbol *sym;
		struct elf_rel er;
		uint32_t idx;
		int err;

		err = elf_rel_get(&obj->elf, rel, i, &er);
		if (err)
			return lib_err(err);
		sym = &obj->elf.syms[er.sym];
		if (er.offset % BPF_INSN_SZ || er.offset / BPF_INSN_SZ >= s->insn_cnt)
			return obj_err(-EINVAL, "object '%s': section '%s': relocation %u (against '%s') at byte offset %llu is outside its %u instructions or not on one",
				       obj->name, s->elf->name, i, sym->name,
				       (unsigned long long)er.offset, s->insn_cnt);
		idx = (uint32_t)(er.offset / BPF_INSN_SZ);
		r->insn_idx = idx;
		r->sym_name = sym->name;
		if (s->insns[idx].code == CALL_CODE) {
			if (er.type != R_BPF_64_32)
				return rel_err(obj, s, idx, "relocation type %u on a call (expected R_BPF_64_32)",
					       er.type);
			err = record_call(obj, s, idx, sym, r);
		} else if (is_lddw(&s->insns[idx])) {
			if (er.type != R_BPF_64_64)
				return rel_err(obj, s, idx, "relocation type %u on lddw (expected R_BPF_64_64)",
					       er.type);
			if (idx + 1 >= s->insn_cnt)
				return rel_err(obj, s, idx, "lddw is cut off by the end of the section");
			err = record_lddw(obj, s, idx, sym, r);
		} else {
			return rel_err(obj, s, idx, "relocation against '%s' on opcode 0x%02x, which is neither lddw nor call",
				       sym->name, s->insns[idx].code);
		}
		if (err)
			return err;
		s->reloc_cnt++;
	}
	qsort(s->relocs, s->reloc_cnt, sizeof(*s->relocs), cmp_relocs);
	for (uint32_t i = 1; i < s->reloc_cnt; i++)
		if (s->relocs[i].insn_idx == s->relocs[i - 1].insn_idx)
			return rel_err(obj, s, s->relocs[i].insn_idx, "two relocations on one instruction");
	return 0;
}

int obj_collect_relocs(struct bpfhost_object *obj)
{
	for (uint32_t i = 1; i < obj->elf.sec_cnt; i++) {
		const struct elf_section *rel = &obj->elf.secs[i];
		struct obj_section *target;
		int err;

		if (rel->type == ELF_SHT_RELA && rel->info < obj->sec_cnt &&
		    (obj->secs[rel->info].kind == SEC_PROG || obj->secs[rel->info].kind == SEC_TEXT))
			return obj_err(-EINVAL, "object '%s': section '%s': RELA relocations are not used by BPF objects",
				       obj->name, rel->name);
		if (rel->type != ELF_SHT_REL)
			continue;
		target = &obj->secs[rel->info];
		/* Only code is relocated here; `.rel.maps` fills slots; the rest (debug, BTF) is not loaded. */
		if (target->kind != SEC_PROG && target->kind != SEC_TEXT)
			continue;
		err = collect_section(obj, rel, target);
		if (err)
			return err;
	}
	return 0;
}

/* The entry program defined by a FUNC symbol, or -1. */
int obj_prog_index_by_symbol(const struct bpfhost_object *obj, const struct elf_symbol *sym)
{
	for (uint32_t i = 0; i < obj->prog_cnt; i++) {
		const struct bpfhost_program *p = &obj->progs[i];

		if (p->sec_idx == sym->shndx && (uint64_t)p->sec_insn_off * BPF_INSN_SZ == sym->value)
			return (int)i;
	}
	return -1;
}

static int add_slot(struct bpfhost_object *obj, struct bpfhost_map *map, uint32_t slot, bool is_prog,
		    uint32_t target)
{
	if (slot >= map->def.max_entries)
		return obj_err(-EINVAL, "object '%s': map '%s': initial value for slot %u is past max_entries %u",
			       obj->name, map->name, slot, map->def.max_entries);
	if (slot >= map->slot_cnt) {
		struct map_init_slot *s = realloc(map->slots, (slot + 1) * sizeof(*s));

		if (!s)
			return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
		memset(s + map->slot_cnt, 0, (slot + 1 - map->slot_cnt) * sizeof(*s));
		map->slots = s;
		map->slot_cnt = slot + 1;
	}
	map->slots[slot] = (struct map_init_slot){ .used = true, .is_prog = is_prog, .target = target };
	return 0;
}

/* `.rel.maps`: `.values = { [i] = &prog_or_map }` of prog arrays and map-in-maps. */
int obj_collect_map_slots(struct bpfhost_object *obj)
{
	const struct elf_section *rel = NULL;

	for (uint32_t i = 1; i < obj->elf.sec_cnt; i++)
		if (obj->elf.secs[i].type == ELF_SHT_REL && obj->maps_sec &&
		    obj->elf.secs[i].info == obj->maps_sec)
			rel = &obj->elf.secs[i];
	for (uint32_t i = 0; rel && i < elf_rel_count(rel); i++) {
		struct bpfhost_map *map = NULL;
		const struct elf_symbol *sym;
		struct elf_rel er;
		uint64_t moff;
		int target, err;

		err = elf_rel_get(&obj->elf, rel, i, &er);
		if (err)
			return lib_err(err);
		sym = &obj->elf.syms[er.sym];
		for (uint32_t m = 0; m < obj->map_cnt; m++) {
			struct bpfhost_map *cand = &obj->maps[m];

			if (cand->origin == MAP_BTF && er.offset >= cand->sec_offset &&
			    er.offset < cand->sec_offset + cand->def_size)
				map = cand;
		}
		if (!map)
			return obj_err(-EINVAL, "object '%s': section '.maps': relocation %u at offset %llu is not inside a map definition",
				       obj->name, i, (unsigned long long)er.offset);
		moff = er.offset - map->sec_offset;
		if (!map->has_values || moff < map->values_off || (moff - map->values_off) % 8)
			return obj_err(-EINVAL, "object '%s': map '%s': relocation against '%s' at offset %llu is not a slot of 'values'",
				       obj->name, map->name, sym->name, (unsigned long long)moff);
		if (map->def.type == BPF_MAP_TYPE_PROG_ARRAY) {
			target = sym->type == ELF_STT_FUNC ? obj_prog_index_by_symbol(obj, sym) : -1;
			if (target < 0)
				return obj_err(-EINVAL, "object '%s': map '%s': slot value '%s' is not an entry program of this object",
					       obj->name, map->name, sym->name);
		} else {
			target = sym->shndx == obj->maps_sec ?
				 obj_map_index_by_offset(obj, sym->shndx, sym->value) : -1;
			if (target < 0)
				return obj_err(-EINVAL, "object '%s': map '%s': slot value '%s' is not a map of this object",
					       obj->name, map->name, sym->name);
		}
		err = add_slot(obj, map, (uint32_t)((moff - map->values_off) / 8),
			       map->def.type == BPF_MAP_TYPE_PROG_ARRAY, (uint32_t)target);
		if (err)
			return err;
	}
	return 0;
}

/* The `.text` function starting at instruction @insn_idx, or NULL. */
struct bpfhost_program *obj_subprog_at(const struct bpfhost_object *obj, uint32_t insn_idx)
{
	for (uint32_t i = obj->prog_cnt; i < obj->prog_cnt + obj->subprog_cnt; i++)
		if (obj->progs[i].sec_insn_off == insn_idx)
			return &obj->progs[i];
	return NULL;
}

struct link_state {
	struct bpfhost_object *obj;
	struct bpfhost_program *main;
	struct bpf_insn *insns;
	uint32_t cnt, cap;
	uint32_t *sub_off;		/* per sub-program: final offset, or UINT32_MAX */
	struct code_unit *units;
	uint32_t unit_cnt;
};

static int append_subprog(struct link_state *ls, const struct bpfhost_program *sub, uint32_t *off)
{
	uint32_t si = (uint32_t)(sub - ls->obj->progs) - ls->obj->prog_cnt;

	if (ls->sub_off[si] != UINT32_MAX) {
		*off = ls->sub_off[si];
		return 0;
	}
	if (ls->cnt + (uint64_t)sub->sec_insn_cnt > UINT32_MAX / 2)
		return obj_err(-E2BIG, "object '%s': program '%s': too many instructions with sub-programs",
			       ls->obj->name, ls->main->name);
	if (ls->cnt + sub->sec_insn_cnt > ls->cap) {
		uint32_t cap = (ls->cnt + sub->sec_insn_cnt) * 2;
		struct bpf_insn *n = realloc(ls->insns, cap * sizeof(*n));

		if (!n)
			return obj_err(-ENOMEM, "object '%s': no memory", ls->obj->name);
		ls->insns = n;
		ls->cap = cap;
	}
	memcpy(ls->insns + ls->cnt, ls->obj->secs[sub->sec_idx].insns + sub->sec_insn_off,
	       sub->sec_insn_cnt * sizeof(struct bpf_insn));
	ls->units[ls->unit_cnt++] = (struct code_unit){ .fn = sub, .final_off = ls->cnt };
	ls->sub_off[si] = ls->cnt;
	*off = ls->cnt;
	ls->cnt += sub->sec_insn_cnt;
	return 0;
}

/* Points a call or function-address lddw at @j of @u to its `.text` target. */
static int link_call(struct link_state *ls, const struct code_unit *u, uint32_t j,
		     const struct obj_reloc *r)
{
	const struct bpfhost_object *obj = ls->obj;
	const struct obj_section *s = &obj->secs[u->fn->sec_idx];
	uint32_t sec_idx = u->fn->sec_insn_off + j, final = u->final_off + j, off = 0;
	struct bpf_insn *insn = &ls->insns[final];
	const struct bpfhost_program *sub;
	int64_t target;
	int err;

	if (r && r->kind == RELO_CALL)
		target = (int64_t)(r->sym_off / BPF_INSN_SZ) + insn->imm + 1;
	else if (r && r->kind == RELO_SUBPROG_ADDR)
		target = ((int64_t)r->sym_off + insn->imm) / BPF_INSN_SZ;
	else if (is_pseudo_func(insn))
		return rel_err(obj, s, sec_idx, "function address without a relocation");
	else if (s->kind != SEC_TEXT)
		return rel_err(obj, s, sec_idx, "call to instruction %lld of '%s' without a relocation (sub-programs must be in .text)",
			       (long long)sec_idx + insn->imm + 1, s->elf->name);
	else
		target = (int64_t)sec_idx + insn->imm + 1;	/* within .text, pc-relative */
	sub = target >= 0 && target <= UINT32_MAX ? obj_subprog_at(obj, (uint32_t)target) : NULL;
	if (!sub)
		return rel_err(obj, s, sec_idx, "call target %lld of .text is not the start of a function",
			       (long long)target);
	err = append_subprog(ls, sub, &off);
	if (err)
		return err;
	insn = &ls->insns[final];	/* append may move the buffer */
	insn->imm = (int32_t)((int64_t)off - final - 1);
	return 0;
}

static int link_data(struct link_state *ls, const struct code_unit *u, uint32_t j,
		     const struct obj_reloc *r)
{
	const struct bpfhost_map *map = r->kind == RELO_ZERO ? NULL : &ls->obj->maps[r->map_idx];
	struct bpf_insn *insn = &ls->insns[u->final_off + j];

	/* The section holds both halves, but its second half may be the next function's. */
	if (j + 1 >= u->fn->sec_insn_cnt)
		return obj_err(-EINVAL, "object '%s': function '%s': its last instruction is an lddw cut "
			       "off by the end of the function (insn %u)", ls->obj->name, u->fn->name, j);
	if (r->kind == RELO_ZERO) {
		insn[0].src_reg = 0;
		insn[0].imm = 0;
		insn[1].imm = 0;
	} else if (r->kind == RELO_MAP) {
		insn[0].src_reg = BPF_PSEUDO_MAP_FD;
		insn[0].imm = map->fd;
	} else {
		insn[1].imm = insn[0].imm + (int32_t)r->sym_off;
		insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
		insn[0].imm = map->fd;
	}
	return 0;
}

/*
 * A kfunc call or address at @j of @u: the id the core gave its name. An
 * absent __weak one: address 0, and the call becomes the poison marker the
 * verifier refuses only on a path that reaches it (as libbpf poisons it).
 */
static int link_kfunc(struct link_state *ls, const struct code_unit *u, uint32_t j,
		      const struct obj_reloc *r)
{
	const struct obj_section *s = &ls->obj->secs[u->fn->sec_idx];
	uint32_t sec_idx = u->fn->sec_insn_off + j, id = 0;
	struct bpf_insn *insn = &ls->insns[u->final_off + j];
	char why[320];
	int err = obj_resolve_kfunc(ls->obj, r->sym_name, &id, why, sizeof(why));

	if (err)
		return rel_err(ls->obj, s, sec_idx, "%s", why);
	if (r->kind == RELO_KFUNC_ADDR) {
		if (j + 1 >= u->fn->sec_insn_cnt)
			return rel_err(ls->obj, s, sec_idx, "lddw of kfunc '%s' cut off by the end of the function",
				       r->sym_name);
		/* Programs only test it against 0 (bpf_ksym_exists): the id is a non-zero stand-in. */
		insn[0].src_reg = 0;
		insn[0].imm = (int32_t)id;
		insn[1].imm = 0;
		return 0;
	}
	insn->src_reg = id ? BPF_PSEUDO_KFUNC_CALL : 0;
	insn->imm = id ? (int32_t)id : (int32_t)BPFHOST_POISON_HELPER_ID;
	insn->off = 0;
	return 0;
}

static int link_program(struct bpfhost_object *obj, struct bpfhost_program *p, uint32_t *sub_off,
			struct code_unit *units)
{
	struct link_state ls = { .obj = obj, .main = p, .sub_off = sub_off, .units = units };
	int err = 0;

	ls.cap = p->sec_insn_cnt;
	ls.insns = malloc(ls.cap * sizeof(*ls.insns));
	if (!ls.insns)
		return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	memcpy(ls.insns, obj->secs[p->sec_idx].insns + p->sec_insn_off, ls.cap * sizeof(*ls.insns));
	ls.cnt = ls.cap;
	for (uint32_t i = 0; i < obj->subprog_cnt; i++)
		sub_off[i] = UINT32_MAX;
	units[ls.unit_cnt++] = (struct code_unit){ .fn = p, .final_off = 0 };

	/* Units appended while walking are walked too (calls between sub-programs). */
	for (uint32_t ui = 0; !err && ui < ls.unit_cnt; ui++) {
		const struct code_unit u = units[ui];
		const struct obj_section *s = &obj->secs[u.fn->sec_idx];

		for (uint32_t j = 0; !err && j < u.fn->sec_insn_cnt; j++) {
			const struct obj_reloc *r = find_reloc(s, u.fn->sec_insn_off + j);
			const struct bpf_insn *insn = &ls.insns[u.final_off + j];
			bool lddw = is_lddw(insn);

			if (r && (r->kind == RELO_KFUNC_CALL || r->kind == RELO_KFUNC_ADDR))
				err = link_kfunc(&ls, &u, j, r);
			else if (r && (r->kind == RELO_MAP || r->kind == RELO_DATA || r->kind == RELO_ZERO))
				err = link_data(&ls, &u, j, r);
			else if (is_pseudo_call(insn) || is_pseudo_func(insn))
				err = link_call(&ls, &u, j, r);
			if (!err && lddw)
				j++;	/* the second half is never an instruction of its own */
		}
	}
	if (!err)
		err = obj_prog_collect_ext_info(obj, p, units, ls.unit_cnt, ls.insns);
	if (err) {
		free(ls.insns);
		return err;
	}
	if (p->insns != obj->secs[p->sec_idx].insns + p->sec_insn_off)
		free(p->insns);
	p->insns = ls.insns;
	p->insn_cnt = ls.cnt;
	return 0;
}

int obj_relocate(struct bpfhost_object *obj)
{
	uint32_t *sub_off = calloc(obj->subprog_cnt + 1, sizeof(*sub_off));
	struct code_unit *units = calloc(obj->subprog_cnt + 1, sizeof(*units));
	int err = 0;

	if (!sub_off || !units)
		err = obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	/* CO-RE first, in the sections' code, so every copy a program links is relocated. */
	if (!err)
		err = obj_core_relocate(obj);
	for (uint32_t i = 0; !err && i < obj->prog_cnt; i++)
		if (obj->progs[i].autoload)
			err = link_program(obj, &obj->progs[i], sub_off, units);
	free(sub_off);
	free(units);
	return err;
}
