// SPDX-License-Identifier: MIT
/*
 * Maps of an object: definitions read at open from BTF `.maps` (libbpf's
 * __uint/__type/__array encoding), the legacy `maps` section (struct
 * bpf_map_def records named by symbols) and global data sections (one
 * single-entry array each), then creation at load, initial values,
 * `.rodata` freezing, pinning by name, and map-in-map / prog array slots.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object_internal.h"

#define LEGACY_MAP_DEF_SIZE 20U	/* struct bpf_map_def: type, key_size, value_size, max_entries, map_flags */
#define RINGBUF_PAGE_SIZE 4096U

struct bpfhost_map *obj_map_add(struct bpfhost_object *obj)
{
	struct bpfhost_map *maps = realloc(obj->maps, (obj->map_cnt + 1) * sizeof(*maps));

	if (!maps)
		return NULL;
	obj->maps = maps;
	maps = &obj->maps[obj->map_cnt++];
	memset(maps, 0, sizeof(*maps));
	maps->obj = obj;
	maps->fd = -1;
	return maps;
}

void obj_map_free(struct bpfhost_map *map)
{
	if (map->inner) {
		obj_map_free(map->inner);
		free(map->inner);
	}
	free(map->name);
	free(map->real_name);
	free(map->init_data);
	free(map->slots);
	free(map->pin_path);
}

int obj_map_index_by_offset(const struct bpfhost_object *obj, uint32_t sec_idx, uint64_t off)
{
	for (uint32_t i = 0; i < obj->map_cnt; i++) {
		const struct bpfhost_map *m = &obj->maps[i];

		if ((m->origin == MAP_BTF || m->origin == MAP_LEGACY) && m->sec_idx == sec_idx &&
		    m->sec_offset == off)
			return (int)i;
	}
	return -1;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* ---------------------------------------------------------------------------
 * BTF-defined maps: a struct whose members are pointers encoding values.
 *   __uint(name, v)   int (*name)[v]          -> v is the array's nelems
 *   __type(name, T)   typeof(T) *name          -> T is the pointee
 *   __array(name, T)  typeof(T) *name[]        -> inner map template / prog array
 */
struct def_ctx {
	struct bpfhost_object *obj;
	const char *map_name;
	const char *member;
};

#define def_err(c, ...) obj_err(-EINVAL, __VA_ARGS__)

static int member_uint(const struct def_ctx *c, uint32_t type_id, uint32_t *out)
{
	const struct bpfhost_btf *btf = c->obj->btf;
	const struct bpfhost_btf_type *t = btf_skip_mods_and_typedefs(btf, type_id, NULL);
	const struct bpfhost_btf_type *arr;

	if (!t || t->kind != BPFHOST_BTF_KIND_PTR)
		return def_err(c, "object '%s': map '%s': field '%s' is a %s, not a pointer to an array (__uint)",
			       c->obj->name, c->map_name, c->member,
			       t ? bpfhost_btf_kind_str(t->kind) : "broken type");
	arr = &btf->types[t->type];
	if (arr->kind != BPFHOST_BTF_KIND_ARRAY)
		return def_err(c, "object '%s': map '%s': field '%s' points to a %s, not an array (__uint)",
			       c->obj->name, c->map_name, c->member, bpfhost_btf_kind_str(arr->kind));
	*out = arr->nelems;
	return 0;
}

/* __type(key/value, T): the pointee's id and size. */
static int member_type(const struct def_ctx *c, uint32_t type_id, uint32_t *id, uint32_t *size)
{
	const struct bpfhost_btf *btf = c->obj->btf;
	const struct bpfhost_btf_type *t = btf_skip_mods_and_typedefs(btf, type_id, NULL);
	int64_t sz;

	if (!t || t->kind != BPFHOST_BTF_KIND_PTR)
		return def_err(c, "object '%s': map '%s': field '%s' is a %s, not a pointer (__type)",
			       c->obj->name, c->map_name, c->member,
			       t ? bpfhost_btf_kind_str(t->kind) : "broken type");
	sz = bpfhost_btf__resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return def_err(c, "object '%s': map '%s': field '%s': type [%u] has no size",
			       c->obj->name, c->map_name, c->member, t->type);
	*id = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int set_size(const struct def_ctx *c, bool *has, uint32_t *cur, uint32_t v)
{
	if (*has && *cur != v)
		return def_err(c, "object '%s': map '%s': conflicting %s: %u and %u", c->obj->name,
			       c->map_name, c->member, *cur, v);
	*has = true;
	*cur = v;
	return 0;
}

static int parse_btf_def(struct bpfhost_object *obj, const char *map_name, uint32_t def_id,
			 bool is_inner, struct bpfhost_map *map);

/* `__array(values, T)`: a zero-length array of pointers to a map definition or a function. */
static int member_values(struct def_ctx *c, const struct bpfhost_btf_member *m,
			 struct bpfhost_map *map, bool is_inner, uint32_t *pointee)
{
	const struct bpfhost_btf *btf = c->obj->btf;
	const struct bpfhost_btf_type *t = btf_skip_mods_and_typedefs(btf, m->type, NULL);

	if (is_inner)
		return def_err(c, "object '%s': map '%s': an inner map cannot have 'values' (one level of map-in-map only)",
			       c->obj->name, c->map_name);
	if (!t || t->kind != BPFHOST_BTF_KIND_ARRAY || t->nelems)
		return def_err(c, "object '%s': map '%s': 'values' must be a zero-length array (__array)",
			       c->obj->name, c->map_name);
	t = btf_skip_mods_and_typedefs(btf, t->elem_type, NULL);
	if (!t || t->kind != BPFHOST_BTF_KIND_PTR)
		return def_err(c, "object '%s': map '%s': 'values' must hold pointers",
			       c->obj->name, c->map_name);
	if (m->bit_offset % 64 || m->bitfield_size)
		return def_err(c, "object '%s': map '%s': 'values' is not 8-byte aligned",
			       c->obj->name, c->map_name);
	*pointee = t->type;
	map->has_values = true;
	map->values_off = m->bit_offset / 8;
	return 0;
}

/* After the members: what `values` points to must suit the map type. */
static int finish_values(struct def_ctx *c, struct bpfhost_map *map, uint32_t pointee)
{
	struct bpfhost_object *obj = c->obj;
	const struct bpfhost_btf_type *t;
	uint32_t tid = 0;
	char inner_name[256];
	int err;

	t = btf_skip_mods_and_typedefs(obj->btf, pointee, &tid);
	c->member = "value_size";
	err = set_size(c, &map->def.has_value_size, &map->def.value_size, 4);
	if (err)
		return err;
	if (map->def.type == BPF_MAP_TYPE_PROG_ARRAY) {
		if (!t || t->kind != BPFHOST_BTF_KIND_FUNC_PROTO)
			return def_err(c, "object '%s': map '%s': a prog array's 'values' must point to functions",
				       obj->name, c->map_name);
		return 0;
	}
	if (!is_map_in_map(map->def.type))
		return def_err(c, "object '%s': map '%s': 'values' needs a map-in-map or prog array type, not type %u",
			       obj->name, c->map_name, map->def.type);
	if (!t || t->kind != BPFHOST_BTF_KIND_STRUCT)
		return def_err(c, "object '%s': map '%s': a map-in-map's 'values' must point to a map definition struct",
			       obj->name, c->map_name);
	map->inner = calloc(1, sizeof(*map->inner));
	snprintf(inner_name, sizeof(inner_name), "%s.inner", c->map_name);
	if (!map->inner || !(map->inner->name = strdup(inner_name)))
		return obj_err(-ENOMEM, "object '%s': map '%s': no memory", obj->name, c->map_name);
	map->inner->obj = obj;
	map->inner->origin = MAP_INNER;
	map->inner->fd = -1;
	return parse_btf_def(obj, map->inner->name, tid, true, map->inner);
}

static int parse_btf_def(struct bpfhost_object *obj, const char *map_name, uint32_t def_id,
			 bool is_inner, struct bpfhost_map *map)
{
	struct def_ctx c = { .obj = obj, .map_name = map_name };
	const struct bpfhost_btf_type *t = btf_skip_mods_and_typedefs(obj->btf, def_id, NULL);
	struct map_def *d = &map->def;
	uint32_t values_pointee = 0;
	bool has_values = false;
	int err = 0;

	if (!t || t->kind != BPFHOST_BTF_KIND_STRUCT)
		return def_err(&c, "object '%s': map '%s': the definition is a %s, not a struct",
			       obj->name, map_name, t ? bpfhost_btf_kind_str(t->kind) : "broken type");
	for (uint32_t i = 0; !err && i < t->vlen; i++) {
		const struct bpfhost_btf_member *m = &t->members[i];
		uint32_t v = 0, id = 0;

		c.member = m->name;
		if (!m->name[0]) {
			err = def_err(&c, "object '%s': map '%s': member %u has no name", obj->name,
				      map_name, i);
		} else if (!strcmp(m->name, "type")) {
			err = member_uint(&c, m->type, &d->type);
		} else if (!strcmp(m->name, "max_entries")) {
			err = member_uint(&c, m->type, &d->max_entries);
		} else if (!strcmp(m->name, "map_flags")) {
			err = member_uint(&c, m->type, &d->map_flags);
		} else if (!strcmp(m->name, "numa_node")) {
			err = member_uint(&c, m->type, &d->numa_node);
		} else if (!strcmp(m->name, "pinning")) {
			err = member_uint(&c, m->type, &d->pinning);
			if (!err && d->pinning > BPFHOST_PIN_BY_NAME)
				err = def_err(&c, "object '%s': map '%s': pinning %u is not NONE (0) or BY_NAME (1)",
					      obj->name, map_name, d->pinning);
			if (!err && is_inner && d->pinning)
				err = def_err(&c, "object '%s': map '%s': an inner map cannot be pinned",
					      obj->name, map_name);
		} else if (!strcmp(m->name, "map_extra")) {
			err = member_uint(&c, m->type, &v);
			d->map_extra = v;
		} else if (!strcmp(m->name, "key_size")) {
			err = member_uint(&c, m->type, &v);
			if (!err)
				err = set_size(&c, &d->has_key_size, &d->key_size, v);
		} else if (!strcmp(m->name, "value_size")) {
			err = member_uint(&c, m->type, &v);
			if (!err)
				err = set_size(&c, &d->has_value_size, &d->value_size, v);
		} else if (!strcmp(m->name, "key")) {
			err = member_type(&c, m->type, &id, &v);
			c.member = "key_size";
			if (!err)
				err = set_size(&c, &d->has_key_size, &d->key_size, v);
			d->btf_key_type_id = id;
			d->has_key_type = true;
		} else if (!strcmp(m->name, "value")) {
			err = member_type(&c, m->type, &id, &v);
			c.member = "value_size";
			if (!err)
				err = set_size(&c, &d->has_value_size, &d->value_size, v);
			d->btf_value_type_id = id;
			d->has_value_type = true;
		} else if (!strcmp(m->name, "values")) {
			err = member_values(&c, m, map, is_inner, &values_pointee);
			has_values = true;
		} else {
			err = def_err(&c, "object '%s': map '%s': unknown field '%s'", obj->name, map_name,
				      m->name);
		}
	}
	if (!err && has_values)
		err = finish_values(&c, map, values_pointee);
	if (!err && d->type == 0)
		err = def_err(&c, "object '%s': map '%s': no type (__uint(type, ...))", obj->name, map_name);
	return err;
}

static int init_btf_maps(struct bpfhost_object *obj)
{
	const struct elf_section *es;
	const struct bpfhost_btf_type *ds;
	uint32_t ds_id;

	if (!obj->maps_sec)
		return 0;
	es = obj->secs[obj->maps_sec].elf;
	if (!obj->btf)
		return obj_err(-EINVAL, "object '%s': section '.maps' needs BTF to describe its maps (compile with -g)",
			       obj->name);
	ds = obj_find_datasec(obj, ".maps", &ds_id);
	if (!ds)
		return obj_err(-EINVAL, "object '%s': section '.maps' has no DATASEC in the BTF", obj->name);
	for (uint32_t i = 0; i < ds->vlen; i++) {
		const struct bpfhost_btf_var_secinfo *vs = &ds->secinfos[i];
		const struct bpfhost_btf_type *var = &obj->btf->types[vs->type];
		struct bpfhost_map *map;
		int err;

		if (var->kind != BPFHOST_BTF_KIND_VAR)
			return obj_err(-EINVAL, "object '%s': '.maps' entry %u is a %s, not a variable",
				       obj->name, i, bpfhost_btf_kind_str(var->kind));
		if (var->linkage == BPFHOST_BTF_LINKAGE_EXTERN)
			return obj_err(-EINVAL, "object '%s': map '%s' is extern; it must be defined in this object",
				       obj->name, var->name);
		if ((uint64_t)vs->offset + vs->size > es->size)
			return obj_err(-EINVAL, "object '%s': map '%s' (offset %u, %u bytes) is past the end of '.maps' (%llu bytes)",
				       obj->name, var->name, vs->offset, vs->size,
				       (unsigned long long)es->size);
		map = obj_map_add(obj);
		if (!map || !(map->name = strdup(var->name)))
			return obj_err(-ENOMEM, "object '%s': no memory for map '%s'", obj->name, var->name);
		map->origin = MAP_BTF;
		map->sec_idx = obj->maps_sec;
		map->sec_offset = vs->offset;
		map->def_size = vs->size;
		err = parse_btf_def(obj, map->name, var->type, false, map);
		if (err)
			return err;
		if (map->def.pinning == BPFHOST_PIN_BY_NAME) {
			size_t n = strlen(obj->pin_root) + strlen(map->name) + 2;

			map->pin_path = malloc(n);
			if (!map->pin_path)
				return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
			snprintf(map->pin_path, n, "%s/%s", obj->pin_root, map->name);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Legacy `maps`: records of struct bpf_map_def, one per symbol; the record
 * size is the section size over the symbol count (as libbpf computed it).
 */
/*
 * Bytes of the legacy definition at symbol @sym: its st_size, or (assembler
 * output without sizes) up to the next map symbol or the section's end. So
 * records of different sizes, as a static linker may leave them, are each
 * read where their symbol says, not by dividing the section.
 */
static uint64_t legacy_def_size(const struct bpfhost_object *obj, const struct elf_symbol *sym,
				uint64_t sec_size)
{
	uint64_t end = sec_size;

	if (sym->size)
		return sym->size;
	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *o = &obj->elf.syms[i];

		if (o->shndx == sym->shndx && o->type != ELF_STT_SECTION && o->value > sym->value &&
		    o->value < end)
			end = o->value;
	}
	return sym->value < end ? end - sym->value : 0;
}

static int init_legacy_maps(struct bpfhost_object *obj)
{
	const struct elf_section *es;
	uint32_t first = obj->map_cnt;

	if (!obj->legacy_maps_sec)
		return 0;
	es = obj->secs[obj->legacy_maps_sec].elf;
	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *sym = &obj->elf.syms[i];
		struct bpfhost_map *map;
		uint32_t rec[5];
		uint64_t def_sz;

		if (sym->shndx != obj->legacy_maps_sec || sym->type == ELF_STT_SECTION)
			continue;
		if (!sym->name[0])
			return obj_err(-EINVAL, "object '%s': section 'maps': symbol %u has no name", obj->name, i);
		if (sym->value > es->size)
			return obj_err(-EINVAL, "object '%s': section 'maps': map '%s' at offset %llu is past the section (%llu bytes)",
				       obj->name, sym->name, (unsigned long long)sym->value,
				       (unsigned long long)es->size);
		def_sz = legacy_def_size(obj, sym, es->size);
		if (def_sz < LEGACY_MAP_DEF_SIZE || def_sz % 4 || def_sz > es->size - sym->value)
			return obj_err(-EINVAL, "object '%s': section 'maps': map '%s' (offset %llu, %llu bytes) is not a struct bpf_map_def (%u bytes, or larger with zero tail) inside the section",
				       obj->name, sym->name, (unsigned long long)sym->value,
				       (unsigned long long)def_sz, LEGACY_MAP_DEF_SIZE);
		for (uint64_t b = LEGACY_MAP_DEF_SIZE; b < def_sz; b++)
			if (es->data[sym->value + b])
				return obj_err(-EINVAL, "object '%s': map '%s': byte %llu of its definition is not zero (fields past map_flags are not supported)",
					       obj->name, sym->name, (unsigned long long)b);
		/* Two symbols on overlapping bytes would be one definition read twice. */
		for (uint32_t m = first; m < obj->map_cnt; m++)
			if (sym->value < obj->maps[m].sec_offset + obj->maps[m].def_size &&
			    obj->maps[m].sec_offset < sym->value + def_sz)
				return obj_err(-EINVAL, "object '%s': section 'maps': maps '%s' and '%s' overlap",
					       obj->name, obj->maps[m].name, sym->name);
		memcpy(rec, es->data + sym->value, sizeof(rec));
		map = obj_map_add(obj);
		if (!map || !(map->name = strdup(sym->name)))
			return obj_err(-ENOMEM, "object '%s': no memory for map '%s'", obj->name, sym->name);
		map->origin = MAP_LEGACY;
		map->sec_idx = obj->legacy_maps_sec;
		map->sec_offset = sym->value;
		map->def_size = (uint32_t)def_sz;
		map->def.type = rec[0];
		map->def.key_size = rec[1];
		map->def.value_size = rec[2];
		map->def.max_entries = rec[3];
		map->def.map_flags = rec[4];
	}
	if (first == obj->map_cnt && es->size)
		return obj_err(-EINVAL, "object '%s': section 'maps' has %llu bytes but no map symbols",
			       obj->name, (unsigned long long)es->size);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Global data: `<obj>.data` etc., libbpf's naming: up to 8 characters of the
 * object name and at least 7 of the section name (whole when it has another
 * dot, e.g. `.rodata.str1.1`), in 15 characters of [A-Za-z0-9_.].
 */
char *obj_internal_map_name(const struct bpfhost_object *obj, const char *sec)
{
	char name[BPF_OBJ_NAME_LEN];
	size_t sfx = strlen(sec) > 7 ? strlen(sec) : 7, pfx;

	if (sfx >= BPF_OBJ_NAME_LEN)
		sfx = BPF_OBJ_NAME_LEN - 1;
	pfx = strchr(sec + 1, '.') ? 0 : BPF_OBJ_NAME_LEN - sfx - 1;
	if (pfx > strlen(obj->name))
		pfx = strlen(obj->name);
	snprintf(name, sizeof(name), "%.*s%.*s", (int)pfx, obj->name, (int)sfx, sec);
	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
	return strdup(name);
}

/* libbpf maps global data BPF_F_MMAPABLE when a global variable lives in it. */
static bool datasec_has_global_var(const struct bpfhost_object *obj, const struct bpfhost_btf_type *ds)
{
	for (uint32_t i = 0; ds && i < ds->vlen; i++) {
		const struct bpfhost_btf_type *v = &obj->btf->types[ds->secinfos[i].type];

		if (v->kind == BPFHOST_BTF_KIND_VAR && v->linkage == BPFHOST_BTF_LINKAGE_GLOBAL)
			return true;
	}
	return false;
}

static int init_data_maps(struct bpfhost_object *obj)
{
	for (uint32_t i = 1; i < obj->sec_cnt; i++) {
		struct obj_section *s = &obj->secs[i];
		const struct elf_section *es = s->elf;
		const struct bpfhost_btf_type *ds;
		struct bpfhost_map *map;
		uint32_t ds_id = 0;

		if (s->kind != SEC_DATA)
			continue;
		/*
		 * The section becomes one map value: refuse what the core could never
		 * create before allocating its initial value (a .bss takes no bytes
		 * in the file, so a small object could ask for gigabytes here).
		 */
		if (es->size > BPFHOST_MAP_MAX_VALUE_SIZE)
			return obj_err(-E2BIG, "object '%s': section '%s' is %llu bytes; a global data map's "
				       "value can be at most %u (BPFHOST_MAP_MAX_VALUE_SIZE)", obj->name, es->name,
				       (unsigned long long)es->size, BPFHOST_MAP_MAX_VALUE_SIZE);
		map = obj_map_add(obj);
		if (!map)
			return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
		map->origin = MAP_DATA;
		map->name = obj_internal_map_name(obj, es->name);
		map->real_name = strdup(es->name);
		map->init_data = calloc(1, es->size);
		if (!map->name || !map->real_name || !map->init_data)
			return obj_err(-ENOMEM, "object '%s': no memory for map '%s'", obj->name, es->name);
		if (es->type != ELF_SHT_NOBITS)
			memcpy(map->init_data, es->data, es->size);
		map->sec_idx = i;
		map->def_size = (uint32_t)es->size;
		map->readonly = !strncmp(es->name, ".rodata", 7);
		map->def.type = BPF_MAP_TYPE_ARRAY;
		map->def.key_size = 4;
		map->def.value_size = (uint32_t)es->size;
		map->def.max_entries = 1;
		ds = obj_find_datasec(obj, es->name, &ds_id);
		map->def.btf_value_type_id = ds ? ds_id : 0;
		map->def.map_flags = (map->readonly ? BPF_F_RDONLY_PROG : 0) |
				     (datasec_has_global_var(obj, ds) ? BPF_F_MMAPABLE : 0);
		s->map_idx = (int)(obj->map_cnt - 1);
	}
	return 0;
}

int obj_init_maps(struct bpfhost_object *obj)
{
	int err = init_legacy_maps(obj);

	if (!err)
		err = init_btf_maps(obj);
	if (!err)
		err = init_data_maps(obj);
	return err;
}

/* ---------------------------------------------------------------------------
 * Creation at load.
 */

/* libbpf rounds a ring buffer up to a power-of-two number of pages. */
static uint32_t ringbuf_size(uint32_t sz)
{
	uint64_t pages = (sz + (uint64_t)RINGBUF_PAGE_SIZE - 1) / RINGBUF_PAGE_SIZE, p = 1;

	if (!sz)
		return 0;
	while (p < pages)
		p <<= 1;
	return p * RINGBUF_PAGE_SIZE > UINT32_MAX ? sz : (uint32_t)(p * RINGBUF_PAGE_SIZE);
}

static int create_one(struct bpfhost_object *obj, const struct bpfhost_map *map, int inner_fd)
{
	const struct map_def *d = &map->def;
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = d->map_flags,
		     .numa_node = d->numa_node, .map_extra = d->map_extra,
		     .inner_map_fd = inner_fd > 0 ? (uint32_t)inner_fd : 0);
	uint32_t max = d->max_entries;
	char msg[512];
	int fd;

	if (d->type == BPF_MAP_TYPE_RINGBUF)
		max = ringbuf_size(max);
	fd = bpfhost_map_create(d->type, map->name, d->key_size, d->value_size, max, &opts);
	if (fd >= 0)
		return fd;
	snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
	return obj_err(fd, "object '%s': map '%s': create failed: %s", obj->name, map->name, msg);
}

/* A map pinned by name is reused when its definition matches, as libbpf does. */
static int reuse_pinned(struct bpfhost_object *obj, struct bpfhost_map *map)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd = bpfhost_obj_get(map->pin_path), err;

	if (fd < 0)
		return fd == -ENOENT ? 0 : obj_err(fd, "object '%s': map '%s': opening pin '%s' failed",
						   obj->name, map->name, map->pin_path);
	memset(&info, 0, sizeof(info));
	err = bpfhost_map_get_info_by_fd(fd, &info, &len);
	if (err || info.type != map->def.type || info.key_size != map->def.key_size ||
	    info.value_size != map->def.value_size || info.map_flags != map->def.map_flags ||
	    (info.max_entries != map->def.max_entries &&
	     !(map->def.type == BPF_MAP_TYPE_RINGBUF &&
	       info.max_entries == ringbuf_size(map->def.max_entries)))) {
		bpfhost_close(fd);
		return obj_err(-EINVAL, "object '%s': map '%s': the map pinned at '%s' does not match the definition (type, key/value size, max_entries or flags)",
			       obj->name, map->name, map->pin_path);
	}
	map->fd = fd;
	map->reused = true;
	return 0;
}

static int init_data_value(struct bpfhost_object *obj, struct bpfhost_map *map)
{
	uint32_t zero = 0;
	char msg[512];
	int err;

	err = bpfhost_map_update_elem(map->fd, &zero, map->init_data, BPF_ANY);
	if (!err && map->readonly)
		err = bpfhost_map_freeze(map->fd);
	if (!err)
		return 0;
	snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
	return obj_err(err, "object '%s': map '%s': setting its initial value failed: %s", obj->name,
		       map->name, msg);
}

int obj_create_maps(struct bpfhost_object *obj)
{
	for (uint32_t i = 0; i < obj->map_cnt; i++) {
		struct bpfhost_map *map = &obj->maps[i];
		int inner_fd = -1, fd, err;

		/* libbpf: a perf event array without max_entries gets a slot per possible CPU. */
		if (map->def.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !map->def.max_entries)
			map->def.max_entries = (uint32_t)bpfhost_num_possible_cpus();
		if (map->pin_path) {
			err = reuse_pinned(obj, map);
			if (err)
				return err;
			if (map->reused)
				continue;
		}
		if (map->has_inner_fd) {
			inner_fd = map->inner_fd;
		} else if (map->inner) {
			inner_fd = create_one(obj, map->inner, -1);
			if (inner_fd < 0)
				return inner_fd;
		}
		fd = create_one(obj, map, inner_fd);
		/* The inner template only shapes the outer map; it is not kept (the caller's stays). */
		if (inner_fd >= 0 && !map->has_inner_fd) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
			bpfhost_close(inner_fd);
			bpfhost_set_last_error(0, "%s", msg);
		}
		if (fd < 0)
			return fd;
		map->fd = fd;
		if (map->origin == MAP_DATA) {
			err = init_data_value(obj, map);
			if (err)
				return err;
		}
		if (map->pin_path) {
			err = bpfhost_obj_pin(fd, map->pin_path);
			if (err) {
				char msg[512];

				snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
				return obj_err(err, "object '%s': map '%s': pinning at '%s' failed: %s",
					       obj->name, map->name, map->pin_path, msg);
			}
			map->pinned = true;
		}
	}
	return 0;
}

/*
 * A failed load takes back the pins it made, as libbpf does, so nothing it
 * created outlives it; pins it only reused stay. The thread's message (why
 * the load failed) survives.
 */
void obj_unpin_maps(struct bpfhost_object *obj)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
	for (uint32_t i = 0; i < obj->map_cnt; i++) {
		struct bpfhost_map *map = &obj->maps[i];

		if (map->pinned)
			bpfhost_obj_unpin(map->pin_path);
		map->pinned = false;
	}
	bpfhost_set_last_error(0, "%s", msg);
}

/* Fills `.values = { [i] = &x }` slots: inner maps (progs false) or programs (progs true). */
int obj_fill_map_slots(struct bpfhost_object *obj, bool progs)
{
	for (uint32_t i = 0; i < obj->map_cnt; i++) {
		const struct bpfhost_map *map = &obj->maps[i];

		if (map->reused || (map->def.type == BPF_MAP_TYPE_PROG_ARRAY) != progs)
			continue;
		for (uint32_t k = 0; k < map->slot_cnt; k++) {
			const struct map_init_slot *s = &map->slots[k];
			const char *tname;
			char msg[512];
			int tfd, err;

			if (!s->used)
				continue;
			tfd = s->is_prog ? obj->progs[s->target].fd : obj->maps[s->target].fd;
			tname = s->is_prog ? obj->progs[s->target].name : obj->maps[s->target].name;
			if (tfd < 0)
				return obj_err(-EINVAL, "object '%s': map '%s': slot %u refers to '%s', which is not loaded (autoload off?)",
					       obj->name, map->name, k, tname);
			err = bpfhost_map_update_elem(map->fd, &k, &tfd, BPF_ANY);
			if (err) {
				snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
				return obj_err(err, "object '%s': map '%s': setting slot %u to '%s' failed: %s",
					       obj->name, map->name, k, tname, msg);
			}
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Getters and setters.
 */
const char *bpfhost_map__name(const struct bpfhost_map *map)
{
	return map->name;
}

uint32_t bpfhost_map__type(const struct bpfhost_map *map)
{
	return map->def.type;
}

uint32_t bpfhost_map__key_size(const struct bpfhost_map *map)
{
	return map->def.key_size;
}

uint32_t bpfhost_map__value_size(const struct bpfhost_map *map)
{
	return map->def.value_size;
}

uint32_t bpfhost_map__max_entries(const struct bpfhost_map *map)
{
	return map->def.max_entries;
}

uint32_t bpfhost_map__map_flags(const struct bpfhost_map *map)
{
	return map->def.map_flags;
}

uint32_t bpfhost_map__numa_node(const struct bpfhost_map *map)
{
	return map->def.numa_node;
}

uint64_t bpfhost_map__map_extra(const struct bpfhost_map *map)
{
	return map->def.map_extra;
}

enum bpfhost_pin_type bpfhost_map__pinning(const struct bpfhost_map *map)
{
	return (enum bpfhost_pin_type)map->def.pinning;
}

int bpfhost_map__fd(const struct bpfhost_map *map)
{
	if (!map)
		return obj_err(-EINVAL, "bpfhost_map__fd: NULL map");
	if (map->fd < 0)
		return obj_err(-ENOENT, "object '%s': map '%s' is not created (load the object first)",
			       map->obj->name, map->name);
	return map->fd;
}

uint32_t bpfhost_map__btf_key_type_id(const struct bpfhost_map *map)
{
	return map->def.btf_key_type_id;
}

uint32_t bpfhost_map__btf_value_type_id(const struct bpfhost_map *map)
{
	return map->def.btf_value_type_id;
}

bool bpfhost_map__is_internal(const struct bpfhost_map *map)
{
	return map->origin == MAP_DATA;
}

struct bpfhost_map *bpfhost_map__inner_map(struct bpfhost_map *map)
{
	return map->inner;
}

static int map_check_unloaded(const struct bpfhost_map *map, const char *what)
{
	if (map->fd >= 0 || map->obj->state != OBJ_OPENED)
		return obj_err(-EBUSY, "object '%s': map '%s': %s only before load", map->obj->name,
			       map->name, what);
	return 0;
}

int bpfhost_map__set_max_entries(struct bpfhost_map *map, uint32_t max_entries)
{
	int err = map_check_unloaded(map, "set_max_entries");

	if (!err)
		map->def.max_entries = max_entries;
	return err;
}

int bpfhost_map__set_type(struct bpfhost_map *map, uint32_t type)
{
	int err = map_check_unloaded(map, "set_type");

	if (!err)
		map->def.type = type;
	return err;
}

int bpfhost_map__set_map_flags(struct bpfhost_map *map, uint32_t flags)
{
	int err = map_check_unloaded(map, "set_map_flags");

	if (!err)
		map->def.map_flags = flags;
	return err;
}

int bpfhost_map__set_key_size(struct bpfhost_map *map, uint32_t size)
{
	int err = map_check_unloaded(map, "set_key_size");

	if (!err && map->origin == MAP_DATA)
		err = obj_err(-EINVAL, "object '%s': map '%s': a global data map's key size is fixed",
			      map->obj->name, map->name);
	if (!err)
		map->def.key_size = size;
	return err;
}

int bpfhost_map__set_value_size(struct bpfhost_map *map, uint32_t size)
{
	int err = map_check_unloaded(map, "set_value_size");

	if (!err && map->origin == MAP_DATA)
		return obj_resize_data_map(map, size);
	if (!err)
		map->def.value_size = size;
	return err;
}

int bpfhost_map__set_pin_path(struct bpfhost_map *map, const char *path)
{
	int err = map_check_unloaded(map, "set_pin_path");
	char *p = NULL;

	if (err)
		return err;
	if (path && !(p = strdup(path)))
		return obj_err(-ENOMEM, "object '%s': map '%s': no memory", map->obj->name, map->name);
	free(map->pin_path);
	map->pin_path = p;
	return 0;
}

const char *bpfhost_map__pin_path(const struct bpfhost_map *map)
{
	return map->pin_path;
}

const void *bpfhost_map__initial_value(const struct bpfhost_map *map, size_t *size)
{
	if (map->origin != MAP_DATA) {
		errno = EINVAL;
		return NULL;
	}
	if (size)
		*size = map->def.value_size;
	return map->init_data;
}

int bpfhost_map__set_initial_value(struct bpfhost_map *map, const void *data, size_t size)
{
	int err = map_check_unloaded(map, "set_initial_value");

	if (err)
		return err;
	if (map->origin != MAP_DATA || size != map->def.value_size || !data)
		return obj_err(-EINVAL, "object '%s': map '%s': an initial value needs a global data map and exactly %u bytes (got %zu)",
			       map->obj->name, map->name, map->def.value_size, size);
	memcpy(map->init_data, data, size);
	return 0;
}
