// SPDX-License-Identifier: MIT
/*
 * Externs: undefined symbols the BTF declares in `.kconfig` or `.ksyms`.
 *  - `__kconfig` variables (LINUX_KERNEL_VERSION, CONFIG_*) get values from
 *    the kconfig open option, as libbpf's ("CONFIG_X=y", numbers, quoted
 *    strings); LINUX_KERNEL_VERSION defaults to the running kernel's. They
 *    live in a read-only `.kconfig` array map laid out as libbpf lays it out
 *    (by alignment, size, name); an absent __weak one is 0, an absent strong
 *    one refuses the open.
 *  - `__ksym` variables name kernel symbols, which bpfhost does not have: a
 *    __weak one reads 0 (as libbpf's absent weak ksym), a strong one is
 *    refused where it is used, saying so. `__ksym` functions are kfuncs that
 *    extension modules register, resolved at load (object_kfunc.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "object_internal.h"

#define KCFG_LINE_MAX 256

static const struct bpfhost_btf_type *btf_at(const struct bpfhost_object *obj, uint32_t id)
{
	return id < obj->btf->type_cnt ? &obj->btf->types[id] : NULL;
}

/* The VAR or FUNC @name in DATASEC @sec: its id, or 0. */
static uint32_t find_in_datasec(const struct bpfhost_object *obj, const char *sec, const char *name)
{
	const struct bpfhost_btf_type *ds = obj_find_datasec(obj, sec, NULL);

	for (uint32_t i = 0; ds && i < ds->vlen; i++) {
		const struct bpfhost_btf_type *v = btf_at(obj, ds->secinfos[i].type);

		if (v && !strcmp(v->name, name))
			return v->id;
	}
	return 0;
}

/* What a kconfig extern's C type is, as libbpf sorts them. */
static int kcfg_type(struct bpfhost_object *obj, struct obj_extern *e, uint32_t var_type)
{
	const struct bpfhost_btf_type *t = btf_skip_mods_and_typedefs(obj->btf, var_type, NULL);
	int64_t sz = bpfhost_btf__resolve_size(obj->btf, var_type);

	if (!t || sz <= 0 || sz > 4096)
		return obj_err(-EINVAL, "object '%s': __kconfig extern '%s' has no usable type", obj->name,
			       e->name);
	e->kcfg_size = (uint32_t)sz;
	e->kcfg_align = t->kind == BPFHOST_BTF_KIND_ARRAY ? 1 : (uint32_t)sz;
	switch (t->kind) {
	case BPFHOST_BTF_KIND_INT:
		if (t->int_encoding & BPFHOST_BTF_INT_BOOL)
			e->kcfg_kind = KCFG_BOOL;
		else if (sz == 1)	/* any one-byte int, as libbpf: 'y'/'n'/'m' or a number */
			e->kcfg_kind = KCFG_CHAR;
		else
			e->kcfg_kind = KCFG_INT;
		e->kcfg_signed = t->int_encoding & BPFHOST_BTF_INT_SIGNED;
		if (sz != 1 && sz != 2 && sz != 4 && sz != 8)
			return obj_err(-EOPNOTSUPP, "object '%s': __kconfig extern '%s': a %lld-byte integer",
				       obj->name, e->name, (long long)sz);
		return 0;
	case BPFHOST_BTF_KIND_ENUM:
		/* enum libbpf_tristate: no = 0, yes = 1, module = 2 */
		e->kcfg_kind = !strcmp(t->name, "libbpf_tristate") ? KCFG_TRISTATE : KCFG_INT;
		e->kcfg_signed = t->kind_flag;
		return 0;
	case BPFHOST_BTF_KIND_ARRAY: {
		const struct bpfhost_btf_type *el = btf_skip_mods_and_typedefs(obj->btf, t->elem_type, NULL);

		if (el && el->kind == BPFHOST_BTF_KIND_INT && el->size == 1) {
			e->kcfg_kind = KCFG_CHAR_ARR;
			return 0;
		}
		break;
	}
	default:
		break;
	}
	return obj_err(-EOPNOTSUPP, "object '%s': __kconfig extern '%s' is a %s: only bool, char, "
		       "integers, enum libbpf_tristate and char arrays are supported", obj->name, e->name,
		       bpfhost_btf_kind_str(t->kind));
}

static int cmp_kcfg(const void *a, const void *b)
{
	const struct obj_extern *x = a, *y = b;

	if (x->is_kcfg != y->is_kcfg)
		return x->is_kcfg ? -1 : 1;
	if (x->is_kcfg && x->kcfg_align != y->kcfg_align)
		return x->kcfg_align > y->kcfg_align ? -1 : 1;
	if (x->is_kcfg && x->kcfg_size != y->kcfg_size)
		return x->kcfg_size < y->kcfg_size ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Writes integer @v into @e's bytes, refusing what does not fit its type. */
static int put_int(struct bpfhost_object *obj, struct obj_extern *e, uint8_t *data, uint64_t v,
		   bool negative)
{
	uint64_t max = e->kcfg_size == 8 ? UINT64_MAX : (1ULL << (e->kcfg_size * 8)) - 1;

	if (e->kcfg_signed)
		max >>= 1;
	negative = negative && v;	/* "-0" is 0 */
	if ((!negative && v > max) || (negative && (!e->kcfg_signed || v - 1 > max)))
		return obj_err(-ERANGE, "object '%s': kconfig value of '%s' does not fit its %u-byte %s type",
			       obj->name, e->name, e->kcfg_size, e->kcfg_signed ? "signed" : "unsigned");
	if (negative)
		v = (uint64_t)-(int64_t)v;
	memcpy(data + e->kcfg_off, &v, e->kcfg_size);	/* little endian */
	return 0;
}

/* One "NAME=VALUE" assignment into @e. */
static int set_value(struct bpfhost_object *obj, struct obj_extern *e, uint8_t *data, const char *val)
{
	bool tri = val[0] && !val[1] && strchr("ynm", val[0]);
	char *end;

	if (tri) {
		uint64_t v = val[0] == 'y' ? 1 : val[0] == 'm' ? 2 : 0;

		switch (e->kcfg_kind) {
		case KCFG_CHAR:
			data[e->kcfg_off] = (uint8_t)val[0];
			return 0;
		case KCFG_BOOL:
			if (val[0] == 'm')
				break;
			data[e->kcfg_off] = (uint8_t)v;
			return 0;
		case KCFG_TRISTATE:
			return put_int(obj, e, data, v, false);
		default:
			break;
		}
		return obj_err(-EINVAL, "object '%s': kconfig value '%s' does not suit extern '%s'", obj->name,
			       val, e->name);
	}
	if (val[0] == '"') {
		size_t n = strlen(val);

		if (e->kcfg_kind != KCFG_CHAR_ARR || n < 2 || val[n - 1] != '"')
			return obj_err(-EINVAL, "object '%s': kconfig string %s does not suit extern '%s'",
				       obj->name, val, e->name);
		n -= 2;
		if (n >= e->kcfg_size)
			n = e->kcfg_size - 1;	/* truncated and NUL-terminated, as libbpf */
		memcpy(data + e->kcfg_off, val + 1, n);
		return 0;
	}
	if (e->kcfg_kind != KCFG_INT && e->kcfg_kind != KCFG_TRISTATE && e->kcfg_kind != KCFG_CHAR)
		return obj_err(-EINVAL, "object '%s': kconfig value '%s' does not suit extern '%s'", obj->name,
			       val, e->name);
	{
		bool negative = val[0] == '-';
		uint64_t v;

		errno = 0;
		v = strtoull(val + negative, &end, 0);
		if (errno || *end || end == val + negative)
			return obj_err(-EINVAL, "object '%s': kconfig value '%s' of '%s' is not a number",
				       obj->name, val, e->name);
		return put_int(obj, e, data, v, negative);
	}
}

static struct obj_extern *find_kcfg(struct bpfhost_object *obj, const char *name, size_t len)
{
	for (uint32_t i = 0; i < obj->extern_cnt; i++)
		if (obj->externs[i].is_kcfg && strlen(obj->externs[i].name) == len &&
		    !strncmp(obj->externs[i].name, name, len))
			return &obj->externs[i];
	return NULL;
}

/* The kconfig option, line by line; names no extern asks for are ignored (a whole .config may come). */
static int apply_kconfig(struct bpfhost_object *obj, uint8_t *data)
{
	const char *p = obj->kconfig;

	while (p && *p) {
		const char *nl = strchr(p, '\n'), *eq;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[KCFG_LINE_MAX];
		struct obj_extern *e;
		int err;

		if (len >= sizeof(line))
			return obj_err(-EINVAL, "object '%s': kconfig line '%.40s...' is longer than %u",
				       obj->name, p, KCFG_LINE_MAX - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		while (len && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return obj_err(-EINVAL, "object '%s': kconfig line '%s' is not NAME=VALUE", obj->name,
				       line);
		e = find_kcfg(obj, line, (size_t)(eq - line));
		if (!e)
			continue;
		err = set_value(obj, e, data, eq + 1);
		if (err)
			return err;
		e->is_set = true;
	}
	return 0;
}

/* LINUX_KERNEL_VERSION when the option does not give it: the running kernel's, as libbpf. */
static void default_kernel_version(struct bpfhost_object *obj, uint8_t *data)
{
	struct obj_extern *e = find_kcfg(obj, "LINUX_KERNEL_VERSION", strlen("LINUX_KERNEL_VERSION"));
	unsigned int major = 0, minor = 0, patch = 0;
	struct utsname u;

	if (!e || e->is_set || e->kcfg_kind != KCFG_INT || e->kcfg_size != 4 || uname(&u) ||
	    sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) < 2)
		return;
	put_int(obj, e, data, (uint64_t)major << 16 | minor << 8 | (patch > 255 ? 255 : patch), false);
	e->is_set = true;
}

static int make_kconfig_map(struct bpfhost_object *obj)
{
	uint32_t off = 0, ds_id = 0;
	struct bpfhost_btf_type *ds;
	struct bpfhost_map *map;
	uint8_t *data;
	int err;

	for (uint32_t i = 0; i < obj->extern_cnt; i++) {
		struct obj_extern *e = &obj->externs[i];

		if (!e->is_kcfg)
			continue;
		off = (off + e->kcfg_align - 1) / e->kcfg_align * e->kcfg_align;
		e->kcfg_off = off;
		off += e->kcfg_size;
	}
	if (!off)
		return 0;
	data = calloc(1, off);
	if (!data)
		return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	err = apply_kconfig(obj, data);
	if (!err)
		default_kernel_version(obj, data);
	for (uint32_t i = 0; !err && i < obj->extern_cnt; i++) {
		const struct obj_extern *e = &obj->externs[i];

		if (e->is_kcfg && !e->is_set && !e->is_weak)
			err = obj_err(-ESRCH, "object '%s': __kconfig extern '%s' has no value: pass it in the kconfig open option (\"%s=...\") or declare it __weak (then 0)",
				      obj->name, e->name, e->name);
	}
	map = err ? NULL : obj_map_add(obj);
	if (!err && !map)
		err = obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	if (err) {
		free(data);
		return err;
	}
	map->origin = MAP_DATA;
	map->init_data = data;
	map->name = obj_internal_map_name(obj, ".kconfig");
	map->real_name = strdup(".kconfig");
	if (!map->name || !map->real_name)
		return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	map->def_size = off;
	map->readonly = true;
	map->def.type = BPF_MAP_TYPE_ARRAY;
	map->def.key_size = 4;
	map->def.value_size = off;
	map->def.max_entries = 1;
	map->def.map_flags = BPF_F_RDONLY_PROG | BPF_F_MMAPABLE;
	obj->kconfig_map = (int)(obj->map_cnt - 1);
	/* The DATASEC has no ELF section to take sizes from: describe the map as laid out. */
	ds = (struct bpfhost_btf_type *)obj_find_datasec(obj, ".kconfig", &ds_id);
	if (ds) {
		struct bpfhost_btf_var_secinfo *vs = btf_datasec_secinfos(ds);

		map->def.btf_value_type_id = ds_id;
		ds->size = off;
		for (uint32_t i = 0; i < ds->vlen; i++) {
			const struct obj_extern *e = obj_find_extern(obj, btf_at(obj, vs[i].type)->name);

			if (e && e->is_kcfg) {
				vs[i].offset = e->kcfg_off;
				vs[i].size = e->kcfg_size;
			}
		}
	}
	return 0;
}

int obj_init_externs(struct bpfhost_object *obj)
{
	uint32_t n = 0;

	obj->kconfig_map = -1;
	if (!obj->btf)
		return 0;
	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *sym = &obj->elf.syms[i];

		if (sym->shndx == ELF_SHN_UNDEF && sym->name[0] &&
		    (sym->bind == ELF_STB_GLOBAL || sym->bind == ELF_STB_WEAK))
			n++;
	}
	obj->externs = calloc(n ? n : 1, sizeof(*obj->externs));
	if (!obj->externs)
		return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *sym = &obj->elf.syms[i];
		struct obj_extern *e = &obj->externs[obj->extern_cnt];
		uint32_t kid, sid;
		int err;

		if (sym->shndx != ELF_SHN_UNDEF || !sym->name[0] ||
		    (sym->bind != ELF_STB_GLOBAL && sym->bind != ELF_STB_WEAK))
			continue;
		kid = find_in_datasec(obj, ".kconfig", sym->name);
		sid = kid ? 0 : find_in_datasec(obj, ".ksyms", sym->name);
		if (!kid && !sid)
			continue;	/* not an extern the BTF describes: refused where it is used */
		e->name = sym->name;
		e->is_weak = sym->bind == ELF_STB_WEAK;
		e->is_kcfg = kid != 0;
		e->is_func = sid && btf_at(obj, sid)->kind == BPFHOST_BTF_KIND_FUNC;
		e->btf_id = sid;
		if (e->is_kcfg) {
			if (btf_at(obj, kid)->kind != BPFHOST_BTF_KIND_VAR)
				return obj_err(-EINVAL, "object '%s': __kconfig extern '%s' is not a variable",
					       obj->name, e->name);
			err = kcfg_type(obj, e, btf_at(obj, kid)->type);
			if (err)
				return err;
		}
		obj->extern_cnt++;
	}
	qsort(obj->externs, obj->extern_cnt, sizeof(*obj->externs), cmp_kcfg);
	return make_kconfig_map(obj);
}

const struct obj_extern *obj_find_extern(const struct bpfhost_object *obj, const char *name)
{
	for (uint32_t i = 0; i < obj->extern_cnt; i++)
		if (!strcmp(obj->externs[i].name, name))
			return &obj->externs[i];
	return NULL;
}
