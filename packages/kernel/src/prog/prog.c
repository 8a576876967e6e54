// SPDX-License-Identifier: MIT
/* Program objects: lifetime, lookups the interpreter needs, info, bind-map. */
#include "prog_internal.h"
#include "../ext/custom_map.h"
#include "../ext/kfunc.h"
#include "../ext/registrar.h"
#include "../maps/prog_array.h"

const struct bh_helper *bh_prog_helper_by_id(const struct bh_prog *prog, uint32_t id)
{
	const struct bh_helper *h;

	/* Kfuncs are called by name (resolved at load), never through callx. */
	for (uint32_t i = 0; i < prog->helper_cnt; i++)
		if (prog->helpers[i]->id == id && !prog->helpers[i]->kfunc)
			return prog->helpers[i];
	if (!prog->ptype)
		return NULL;
	if (id >= BPFHOST_HELPER_EXT_BASE)
		return bh_prog_type_helper(prog->ptype, id);
	h = bh_core_helper(id, prog->type);
	return h;
}

bool bh_prog_uses_map(const struct bh_prog *prog, const void *map)
{
	/* Count first: bind-map publishes a longer array before the count. */
	uint32_t n = __atomic_load_n(&prog->map_cnt, __ATOMIC_ACQUIRE);
	struct bh_map *const *maps = __atomic_load_n(&prog->maps, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; i < n; i++)
		if (maps[i] == map)
			return true;
	return false;
}

void bh_prog_free(struct bh_prog *prog)
{
	for (uint32_t i = 0; i < prog->map_cnt; i++)
		bh_object_put(&prog->maps[i]->obj);
	epoch_free(prog->maps);
	plat_free(prog->helpers);
	for (uint32_t i = 0; i < prog->kfunc_set_cnt; i++)
		bh_kfunc_set_put(prog->kfunc_sets[i]);
	plat_free(prog->kfunc_sets);
	plat_free(prog->regions);
	plat_free(prog->callbacks);
	plat_free(prog->fast);
	plat_free(prog->insns);	/* orig_insns with it */
	bh_prog_src_info_free(prog->src);
	bh_prog_type_put(prog->ptype);
	plat_free(prog);
}

void bh_prog_destroy(struct bh_object *obj)
{
	bh_prog_free(bh_prog_from_obj(obj));
}

int bh_prog_from_handle(int handle, const char *cmd, struct bh_prog **prog)
{
	struct bh_object *obj = bh_handle_lookup(handle);

	if (!obj)
		return bh_err(-EBADF, "%s: handle %d is not open", cmd, handle);
	if (obj->kind != BH_OBJ_PROG)
		return bh_err(-EINVAL, "%s: handle %d is a %s, not a program", cmd, handle,
			      bh_obj_kind_name(obj->kind));
	*prog = bh_prog_from_obj(obj);
	return 0;
}

/* Adds @map to the program's referenced maps (taking a reference), once. */
int bh_prog_add_map(struct bh_prog *prog, struct bh_map *map)
{
	struct bh_map **maps, **old;
	char why[256];
	int err;

	if (bh_prog_uses_map(prog, map))
		return 0;
	err = map->map_type == BPF_MAP_TYPE_PROG_ARRAY ? bh_prog_array_compatible(map, prog->type) :
							  bh_custom_map_associate_program_type(map, prog->type);
	if (err) {
		/* The reason is in the buffer bh_err writes: copy it first. */
		plat_snprintf(why, sizeof(why), "%s", bpfhost_last_error());
		return bh_err(err, "program '%s': map '%s' refuses programs of type %u: %s", prog->name,
			      map->name, prog->type, why);
	}
	maps = epoch_alloc(sizeof(*maps) * (prog->map_cnt + 1));
	if (!maps)
		return bh_err(-ENOMEM, "program '%s': out of memory", prog->name);
	if (prog->map_cnt)
		plat_memcpy(maps, prog->maps, sizeof(*maps) * prog->map_cnt);
	bh_object_get(&map->obj);
	maps[prog->map_cnt] = map;
	/* Helper argument checks may be scanning the old array: retire it under epoch. */
	old = prog->maps;
	__atomic_store_n(&prog->maps, maps, __ATOMIC_RELEASE);
	__atomic_store_n(&prog->map_cnt, prog->map_cnt + 1, __ATOMIC_RELEASE);
	if (old)
		epoch_free(old);
	return 0;
}

int bh_prog_bind_map(union bpf_attr *attr)
{
	struct bh_prog *prog;
	struct bh_map *map;
	int err;

	err = bh_prog_from_handle((int)attr->prog_bind_map.prog_fd, "BPF_PROG_BIND_MAP", &prog);
	if (err)
		return err;
	if (attr->prog_bind_map.flags)
		return bh_err(-EINVAL, "BPF_PROG_BIND_MAP: flags must be 0");
	err = bh_map_get((int)attr->prog_bind_map.map_fd, "BPF_PROG_BIND_MAP", &map);
	if (err)
		return err;
	/* Serialised with other binds of the same program by the registrar lock. */
	bh_registrar_lock();
	err = bh_prog_add_map(prog, map);
	bh_registrar_unlock();
	return err;
}

/* func_info and line_info as Linux reports them: our counts and record sizes, the records that fit. */
static void src_info(const struct bh_prog *prog, struct bpf_prog_info *info, uint32_t len)
{
	const struct bpf_func_info *func;
	const struct bpf_line_info *line;
	uint32_t nfunc, nline;

	bh_prog_src_info_counts(prog, &nfunc, &nline, &func, &line);
	if (len >= offsetof(struct bpf_prog_info, nr_func_info) + sizeof(uint32_t)) {
		if (info->func_info && info->nr_func_info && nfunc)
			plat_memcpy(u64_to_ptr(info->func_info), func, sizeof(*func) *
				    (info->nr_func_info < nfunc ? info->nr_func_info : nfunc));
		info->nr_func_info = nfunc;
		info->func_info_rec_size = sizeof(*func);
	}
	if (len >= offsetof(struct bpf_prog_info, line_info_rec_size) + sizeof(uint32_t)) {
		if (info->line_info && info->nr_line_info && nline)
			plat_memcpy(u64_to_ptr(info->line_info), line, sizeof(*line) *
				    (info->nr_line_info < nline ? info->nr_line_info : nline));
		info->nr_line_info = nline;
		info->line_info_rec_size = sizeof(*line);
	}
}

/*
 * A stable 8-byte tag of the instructions as loaded (FNV-1a over their bytes,
 * map handles zeroed). Computed when asked (GET_INFO), not at every load:
 * orig_insns does not change after the load.
 */
void bh_prog_tag(const struct bh_prog *prog, uint8_t tag[8])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint32_t i = 0; i < prog->len; i++) {
		struct bpf_insn insn = prog->orig_insns[i];
		uint8_t b[sizeof(insn)];

		if (insn.code == (BPF_LD | BPF_IMM | BPF_DW) && insn.src_reg)
			insn.imm = 0;
		plat_memcpy(b, &insn, sizeof(b));
		for (size_t k = 0; k < sizeof(b); k++)
			h = (h ^ b[k]) * 0x100000001b3ull;
	}
	for (int k = 0; k < 8; k++)
		tag[k] = (uint8_t)(h >> (56 - 8 * k));
}

int bh_prog_get_info(struct bh_prog *prog, union bpf_attr *attr, union bpf_attr *uattr)
{
	struct bpf_prog_info info;
	char *user = u64_to_ptr(attr->info.info);
	uint32_t len;
	int err = bh_info_begin(attr, sizeof(info), &len);

	if (err)
		return err;
	plat_memset(&info, 0, sizeof(info));
	if (len)
		plat_memcpy(&info, user, len);
	/* Arrays the caller asked for: copy as many as fit, report the totals. */
	if (info.xlated_prog_insns && len >= offsetof(struct bpf_prog_info, load_time)) {
		uint32_t n = info.xlated_prog_len < prog->len * 8 ? info.xlated_prog_len : prog->len * 8;

		plat_memcpy(u64_to_ptr(info.xlated_prog_insns), prog->orig_insns, n);
	}
	if (info.map_ids && len >= offsetof(struct bpf_prog_info, name)) {
		uint32_t *ids = u64_to_ptr(info.map_ids);

		for (uint32_t i = 0; i < info.nr_map_ids && i < prog->map_cnt; i++)
			ids[i] = prog->maps[i]->obj.id;
	}
	info.type = prog->type;
	info.id = prog->obj.id;
	bh_prog_tag(prog, info.tag);
	info.xlated_prog_len = prog->len * 8;
	info.jited_prog_len = 0;
	info.load_time = prog->load_time;
	info.nr_map_ids = prog->map_cnt;
	plat_memcpy(info.name, prog->name, sizeof(info.name));
	info.gpl_compatible = prog->gpl_compatible;
	info.run_cnt = atomic_load(&prog->run_cnt);
	info.run_time_ns = atomic_load(&prog->run_time_ns);
	info.verified_insns = prog->len;
	src_info(prog, &info, len);
	return bh_info_end(attr, uattr, &info, len);
}
