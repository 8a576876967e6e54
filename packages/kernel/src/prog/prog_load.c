// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_LOAD: copy, check the structure, resolve maps and helpers into
 * the form the interpreter runs (see prog.h), publish. Any refusal names
 * the program and the instruction, in the error message and in the
 * caller's log buffer.
 */
#include "prog_internal.h"
#include "prog_check.h"
#include "specialise.h"
#include "../verifier/verifier.h"
#include "../ext/kfunc.h"

#define LOG_MIN_SIZE 128u

static bool license_is_gpl(const char *l)
{
	static const char *const gpl[] = { "GPL", "GPL v2", "GPL and additional rights",
					   "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" };

	for (size_t i = 0; i < ARRAY_SIZE(gpl); i++) {
		size_t n = 0;

		while (gpl[i][n] && gpl[i][n] == l[n])
			n++;
		if (!gpl[i][n] && !l[n])
			return true;
	}
	return false;
}

static int map_of_handle(struct bh_prog *prog, uint32_t i, int handle, struct bh_map **out)
{
	struct bh_map *map;
	int err = bh_map_get(handle, "BPF_PROG_LOAD", &map);

	if (err)
		return bh_err(err, "program '%s': insn %u: lddw refers to handle %d, which is %s",
			      prog->name, i, handle, err == -EBADF ? "not open" : "not a map");
	*out = map;
	return bh_prog_add_map(prog, map);
}

/* What the verifier learns of each lddw of a map, and of each call's map (verifier.h). */
struct lddw_info {
	struct bh_map **map;
	int32_t *value_off;
	struct bh_map **call_map;
};

/* lddw with a pseudo source: map pointer, or address of a global data value. */
static int fixup_lddw(struct bh_prog *prog, uint32_t i, const int *fd_array, struct lddw_info *info)
{
	struct bpf_insn *insn = &prog->insns[i];
	uint32_t src = insn->src_reg;
	struct bh_map *map = NULL;
	uint64_t addr;
	int handle = insn->imm, err;

	if (!src || src == BPF_PSEUDO_FUNC)	/* functions: after the verifier (fixup_funcs) */
		return 0;
	if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE) {
		if (!fd_array)
			return bh_err(-EINVAL, "program '%s': insn %u: lddw uses an fd_array index but "
				      "fd_array is NULL", prog->name, i);
		if (insn->imm < 0)
			return bh_err(-EINVAL, "program '%s': insn %u: fd_array index %d is negative",
				      prog->name, i, insn->imm);
		handle = fd_array[insn->imm];
	}
	err = map_of_handle(prog, i, handle, &map);
	if (err)
		return err;
	info->map[i] = map;
	info->value_off[i] = -1;	/* read only where map is set: a map, unless a value below */
	if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX) {
		addr = (uint64_t)(uintptr_t)map;
	} else {
		uint32_t off = (uint32_t)insn[1].imm, zero = 0;
		struct bh_region *regions;
		void *value;

		info->value_off[i] = (int32_t)off;
		if (map->map_type != BPF_MAP_TYPE_ARRAY || map->max_entries != 1)
			return bh_err(-EINVAL, "program '%s': insn %u: direct value access needs an array "
				      "map with one entry; map '%s' is type %u with %u entries", prog->name,
				      i, map->name, map->map_type, map->max_entries);
		if (off >= map->value_size)
			return bh_err(-EINVAL, "program '%s': insn %u: value offset %u is past map '%s' "
				      "value_size %u", prog->name, i, off, map->name, map->value_size);
		value = map->ops->lookup_elem(map, &zero);
		addr = (uint64_t)(uintptr_t)value + off;
		regions = plat_alloc(sizeof(*regions) * (prog->region_cnt + 1));
		if (!regions)
			return bh_err(-ENOMEM, "program '%s': out of memory", prog->name);
		if (prog->region_cnt)
			plat_memcpy(regions, prog->regions, sizeof(*regions) * prog->region_cnt);
		regions[prog->region_cnt].start = (uintptr_t)value;
		regions[prog->region_cnt].end = (uintptr_t)value + map->value_size;
		regions[prog->region_cnt].writable = !(map->map_flags & BPF_F_RDONLY_PROG);
		regions[prog->region_cnt].map = false;
		plat_free(prog->regions);
		prog->regions = regions;
		prog->region_cnt++;
	}
	insn[0].src_reg = 0;
	insn[0].imm = (int32_t)(uint32_t)addr;
	insn[1].imm = (int32_t)(uint32_t)(addr >> 32);
	return 0;
}

/*
 * `lddw rX, func` (relative, as the verifier reads it) becomes the
 * callback's instruction index, which bpf_loop checks against the list
 * kept here (@n: how many such lddw there are, counted by load()).
 */
static int fixup_funcs(struct bh_prog *prog, uint32_t n)
{
	if (!n)
		return 0;
	prog->callbacks = plat_alloc(sizeof(*prog->callbacks) * n);
	if (!prog->callbacks)
		return bh_err(-ENOMEM, "program '%s': out of memory", prog->name);
	for (uint32_t i = 0; i + 1 < prog->len; i++) {
		struct bpf_insn *in = &prog->insns[i];
		uint32_t t;

		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_FUNC) {
			t = (uint32_t)((int64_t)i + 1 + in->imm);	/* in range: prog_check */
			if (!bh_prog_is_callback(prog, t))
				prog->callbacks[prog->callback_cnt++] = t;
			in->src_reg = 0;
			in->imm = (int32_t)t;
			in[1].imm = 0;
		}
		i++;
	}
	return 0;
}

/* Helper @id as programs of @prog's type see it, or NULL (also the check's prototypes). */
static const struct bh_helper *prog_helper(const void *prog_, uint32_t id)
{
	const struct bh_prog *prog = prog_;

	return id >= BPFHOST_HELPER_EXT_BASE ? bh_prog_type_helper(prog->ptype, id) :
					       bh_core_helper(id, prog->type);
}

/*
 * A kfunc call (imm: the id BPFHOST_KFUNC_INFO gave for its name): its helper
 * view, the program holding a reference on its module's set.
 */
static int resolve_kfunc(struct bh_prog *prog, uint32_t i, const struct bh_helper **h)
{
	struct bh_kfunc_set *set, **sets;
	char who[BPF_OBJ_NAME_LEN + 40];
	int err;

	plat_snprintf(who, sizeof(who), "program '%s': insn %u", prog->name, i);
	err = bh_kfunc_get((uint32_t)prog->insns[i].imm, prog->type, prog->ptype->name, who, h, &set);
	if (err)
		return err;
	for (uint32_t k = 0; k < prog->kfunc_set_cnt; k++)
		if (prog->kfunc_sets[k] == set) {
			bh_kfunc_set_put(set);	/* held once */
			return 0;
		}
	sets = plat_alloc(sizeof(*sets) * (prog->kfunc_set_cnt + 1));
	if (!sets) {
		bh_kfunc_set_put(set);
		return bh_err(-ENOMEM, "program '%s': out of memory", prog->name);
	}
	if (prog->kfunc_set_cnt)
		plat_memcpy(sets, prog->kfunc_sets, sizeof(*sets) * prog->kfunc_set_cnt);
	sets[prog->kfunc_set_cnt++] = set;
	plat_free(prog->kfunc_sets);
	prog->kfunc_sets = sets;
	return 0;
}

/* call imm (helper id or kfunc id) -> index into prog->helpers. */
static int fixup_call(struct bh_prog *prog, uint32_t i)
{
	struct bpf_insn *insn = &prog->insns[i];
	uint32_t id = (uint32_t)insn->imm;
	const struct bh_helper *h, **helpers;
	uint32_t idx;

	if (insn->src_reg == BPF_PSEUDO_CALL || BPF_SRC(insn->code) == BPF_X)
		return 0;
	if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		int err = resolve_kfunc(prog, i, &h);

		if (err)
			return err;
		insn->src_reg = 0;	/* from here on a call of its helper view */
	} else {
		h = prog_helper(prog, id);
	}
	if (!h && bh_linux_helper_name(id))
		return bh_err(-EINVAL, "program '%s': insn %u: helper bpf_%s (%u) is not available to "
			      "programs of type '%s' (%u) in bpfhost", prog->name, i, bh_linux_helper_name(id),
			      id, prog->ptype->name, prog->type);
	if (!h)
		return bh_err(-EINVAL, "program '%s': insn %u: unknown helper %u for program type '%s' "
			      "(%u)", prog->name, i, id, prog->ptype->name, prog->type);
	for (idx = 0; idx < prog->helper_cnt; idx++)
		if (prog->helpers[idx] == h)
			break;
	if (idx == prog->helper_cnt) {
		helpers = plat_alloc(sizeof(*helpers) * (prog->helper_cnt + 1));
		if (!helpers)
			return bh_err(-ENOMEM, "program '%s': out of memory", prog->name);
		if (prog->helper_cnt)
			plat_memcpy(helpers, prog->helpers, sizeof(*helpers) * prog->helper_cnt);
		helpers[prog->helper_cnt++] = h;
		plat_free(prog->helpers);
		prog->helpers = helpers;
	}
	if (id == BPF_FUNC_tail_call && !h->kfunc)
		prog->uses_tail_calls = true;
	insn->imm = (int32_t)idx;
	return 0;
}

/* The static verifier, with the log the caller asked for (*@logged: it wrote the log). */
static int verify(union bpf_attr *attr, struct bh_prog *prog, struct lddw_info *info, bool *logged)
{
	struct bh_verify_opts opts = {
		.lddw_map = info->map,
		.lddw_value_off = info->value_off,
		.call_map = info->call_map,
		.unprivileged = attr->prog_flags & BPFHOST_F_UNPRIVILEGED,
		.log_level = attr->log_level,
		.log_buf = u64_to_ptr(attr->log_buf),
		.log_size = attr->log_size,
	};

	struct bh_verify_stats stats = { 0 };
	int err;

	*logged = opts.log_buf != NULL;
	err = bh_verify(prog, &opts, &stats);
	/*
	 * The run clears and allows the stack the program reaches: the
	 * verifier's exact depth covers accesses through spilled or variably
	 * moved stack pointers, which the load-time estimate cannot follow.
	 */
	if (!err && stats.stack_reach > prog->stack_reach)
		prog->stack_reach = round_up(stats.stack_reach, 8);
	return err;
}

/*
 * A refused program: when the structural check's later passes (prog_check.c
 * passes 2-4: targets, functions, registers read before written) refuse it
 * too, their error replaces the refusal (*@err and the last error), so such
 * programs are refused in the same words as when the passes ran before the
 * fixups and the verifier, whatever refused first. Accepted programs skip
 * them: the verifier's control-flow graph checks targets and functions,
 * and it refuses every read of a register no instruction on its path
 * wrote. The passes read the instructions as given (the fixups rewrote them).
 */
static bool read_refusal(struct bh_prog *prog, int *err)
{
	char saved[512];
	int read_err;

	plat_snprintf(saved, sizeof(saved), "%s", bpfhost_last_error());
	read_err = bh_prog_check_calls(prog->name, prog->orig_insns, prog->len, BH_CHECK_ENTRY_REGS, prog_helper,
				       prog);
	if (read_err) {
		*err = read_err;
		return true;
	}
	bpfhost_set_last_error(*err, "%s", saved);
	return false;
}

static int load(union bpf_attr *attr, struct bh_prog *prog, bool *logged)
{
	const int *fd_array = u64_to_ptr(attr->fd_array);
	struct lddw_info info = { NULL, NULL, NULL };
	char license[128];
	uint32_t funcs = 0;	/* lddw of a function's address (fixup_funcs) */
	size_t n;
	int err;

	if (attr->prog_flags & ~(BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_RND_HI32 |
				 BPF_F_TEST_STATE_FREQ | BPF_F_XDP_HAS_FRAGS | BPFHOST_F_UNPRIVILEGED |
				 BPFHOST_F_TEST_UNVERIFIED))
		return bh_err(-EINVAL, "BPF_PROG_LOAD: prog_flags 0x%x has flags bpfhost does not "
			      "support", attr->prog_flags);
	if ((attr->prog_flags & BPF_F_XDP_HAS_FRAGS) && attr->prog_type != BPF_PROG_TYPE_XDP)
		return bh_err(-EINVAL, "BPF_PROG_LOAD: prog_flags BPF_F_XDP_HAS_FRAGS is for XDP programs "
			      "only (program type %u)", attr->prog_type);
	err = bh_check_obj_name(attr->prog_name, "BPF_PROG_LOAD", "program");
	if (err)
		return err;
	plat_memcpy(prog->name, attr->prog_name, sizeof(prog->name));
	if (!attr->insn_cnt)
		return bh_err(-EINVAL, "program '%s': insn_cnt is 0", prog->name);
	if (attr->insn_cnt > BPFHOST_MAX_INSNS)
		return bh_err(-E2BIG, "program '%s': %u instructions is over the limit of %u", prog->name,
			      attr->insn_cnt, BPFHOST_MAX_INSNS);
	if (!attr->insns)
		return bh_err(-EFAULT, "program '%s': insns is NULL", prog->name);
	license[0] = 0;
	if (attr->license) {
		n = plat_strnlen(u64_to_ptr(attr->license), sizeof(license));
		if (n == sizeof(license))
			return bh_err(-EINVAL, "program '%s': license is not NUL-terminated within %zu "
				      "bytes", prog->name, sizeof(license));
		plat_memcpy(license, u64_to_ptr(attr->license), n + 1);
	}
	prog->gpl_compatible = license_is_gpl(license);
	prog->type = attr->prog_type;
	prog->expected_attach_type = attr->expected_attach_type;
	prog->ptype = bh_prog_type_get(attr->prog_type);
	if (!prog->ptype)
		return bh_err(-EINVAL, "program '%s': program type %u is not provided (built-in: "
			      "socket filter (1), sched_cls (3), sched_act (4), xdp (6); load the extension that "
			      "provides it)", prog->name,
			      attr->prog_type);
	prog->len = attr->insn_cnt;
	/* One allocation: orig_insns is its second half (prog.h). */
	prog->insns = plat_alloc(sizeof(struct bpf_insn) * 2 * (size_t)prog->len);
	if (!prog->insns)
		return bh_err(-ENOMEM, "program '%s': out of memory for %u instructions", prog->name,
			      prog->len);
	prog->orig_insns = prog->insns + prog->len;
	plat_memcpy(prog->orig_insns, u64_to_ptr(attr->insns), sizeof(struct bpf_insn) * prog->len);
	plat_memcpy(prog->insns, prog->orig_insns, sizeof(struct bpf_insn) * prog->len);
	/* Func and line info first: the checks and the verifier name C lines in their refusals. */
	{
		struct bh_src_info *src;

		err = bh_prog_src_info_parse(attr, &src);
		if (err)
			return err;
		if (src)
			bh_prog_set_src_info(prog, src);
	}

	/* Unverified (tests only): the structural check is all there is. Verified: see read_refusal(). */
	if (attr->prog_flags & BPFHOST_F_TEST_UNVERIFIED)
		err = bh_prog_check_calls(prog->name, prog->insns, prog->len, BH_CHECK_ENTRY_REGS, prog_helper,
					  prog);
	else
		err = bh_prog_check_encodings(prog->name, prog->insns, prog->len);
	if (err)
		return err;
	if ((attr->prog_flags & BPFHOST_F_TEST_UNVERIFIED) &&
	    (attr->prog_flags & BPFHOST_F_UNPRIVILEGED))
		return bh_err(-EINVAL, "program '%s': BPFHOST_F_TEST_UNVERIFIED and BPFHOST_F_UNPRIVILEGED "
			      "contradict each other", prog->name);
	/*
	 * Unverified (tests only): the load-time estimate. Verified: the
	 * verifier's exact depth alone (verify()), which covers every access
	 * on every path it walked; an access it did not foresee would fault.
	 */
	if (attr->prog_flags & BPFHOST_F_TEST_UNVERIFIED)
		prog->stack_reach = bh_prog_stack_reach(prog->insns, prog->len);
	/* One allocation for the three tables (pointers first keeps them all aligned). */
	info.map = plat_alloc((sizeof(*info.map) + sizeof(*info.call_map) + sizeof(*info.value_off)) * prog->len);
	info.call_map = info.map ? (struct bh_map **)(info.map + prog->len) : NULL;
	info.value_off = info.map ? (int32_t *)(info.call_map + prog->len) : NULL;
	if (!info.map) {
		err = bh_err(-ENOMEM, "program '%s': out of memory for %u instructions", prog->name,
			     prog->len);
		goto out;
	}
	/* plat_alloc zeroes: no map and no call map yet; fixup_lddw sets value_off where it sets a map. */
	for (uint32_t i = 0; i < prog->len; i++) {
		uint8_t code = prog->insns[i].code;

		if (code == (BPF_LD | BPF_IMM | BPF_DW)) {
			funcs += prog->insns[i].src_reg == BPF_PSEUDO_FUNC;
			err = fixup_lddw(prog, i, fd_array, &info);
			i++;
		} else if (BPF_CLASS(code) == BPF_LD && prog->ptype->no_ld_abs) {
			err = bh_err(-EINVAL, "program '%s': insn %u: LD_ABS and LD_IND are not allowed for "
				     "program type '%s' (%u): read the packet through ctx->data", prog->name,
				     i, prog->ptype->name, prog->type);
		} else if (code == (BPF_JMP | BPF_CALL) || code == (BPF_JMP | BPF_CALL | BPF_X)) {
			err = fixup_call(prog, i);
		}
		if (err)
			goto out;
	}
	if (!(attr->prog_flags & BPFHOST_F_TEST_UNVERIFIED))
		err = verify(attr, prog, &info, logged);
	if (!err)
		err = fixup_funcs(prog, funcs);
	/* Only what the verifier proved is specialised (specialise.h). */
	if (!err && !(attr->prog_flags & BPFHOST_F_TEST_UNVERIFIED))
		err = bh_prog_specialise(prog, info.call_map);
	if (!err)
		prog->load_time = plat_boot_ns();	/* the tag: on demand (bh_prog_tag) */
out:
	plat_free(info.map);	/* call_map and value_off share it */
	if (err && !(attr->prog_flags & BPFHOST_F_TEST_UNVERIFIED) && read_refusal(prog, &err))
		*logged = false;	/* the check's message replaces the verifier's log */
	return err;
}

/* Copies the refusal into the caller's log buffer, as the verifier log would carry it. */
static void write_log(union bpf_attr *attr, const char *msg)
{
	char *buf = u64_to_ptr(attr->log_buf);
	size_t n;

	if (!buf || attr->log_size < LOG_MIN_SIZE)
		return;
	n = plat_strnlen(msg, attr->log_size - 2);
	plat_memcpy(buf, msg, n);
	buf[n] = '\n';
	buf[n + 1] = 0;
}

int bh_prog_load(union bpf_attr *attr)
{
	struct bh_prog *prog;
	bool logged = false;
	int err, h;

	/* Linux's log rules: all three set and a useful size, or none. */
	if ((attr->log_buf || attr->log_size || attr->log_level) &&
	    (!attr->log_buf || attr->log_size < LOG_MIN_SIZE || !attr->log_level ||
	     attr->log_size > UINT32_MAX >> 2))
		return bh_err(-EINVAL, "BPF_PROG_LOAD: log_buf, log_size (>= %u) and log_level must "
			      "be set together", LOG_MIN_SIZE);
	if (attr->log_buf)
		((char *)u64_to_ptr(attr->log_buf))[0] = 0;
	prog = plat_alloc(sizeof(*prog));
	if (!prog)
		return bh_err(-ENOMEM, "BPF_PROG_LOAD: out of memory");
	bh_object_init(&prog->obj, BH_OBJ_PROG, bh_prog_destroy);
	err = load(attr, prog, &logged);
	if (!err)
		err = bh_id_publish(&prog->obj);
	if (err) {
		if (!logged)
			write_log(attr, bpfhost_last_error());
		bh_prog_free(prog);
		return err;
	}
	h = bh_handle_install(&prog->obj);
	if (h < 0)
		bh_object_put(&prog->obj);
	return h;
}

int bh_prog_type_by_section_cmd(union bpf_attr *attr, union bpf_attr *uattr)
{
	char name[256];
	size_t n;
	int err;

	if (!attr->section.name)
		return bh_err(-EFAULT, "BPFHOST_PROG_TYPE_BY_SECTION: name is NULL");
	n = plat_strnlen(u64_to_ptr(attr->section.name), sizeof(name));
	if (n == sizeof(name))
		return bh_err(-EINVAL, "BPFHOST_PROG_TYPE_BY_SECTION: section name is longer than %zu",
			      sizeof(name) - 1);
	plat_memcpy(name, u64_to_ptr(attr->section.name), n + 1);
	err = bh_prog_type_by_section(name, &uattr->section.prog_type,
				      &uattr->section.expected_attach_type);
	return err;
}
