// SPDX-License-Identifier: MIT
/*
 * The open phase's configuration beyond plain setters (object_maps.c and
 * object.c hold those): global variables by name (from the BTF DATASEC of
 * their section), resizing a global data map whose last variable is an
 * array (as libbpf's bpf_map__set_value_size on `.data.*`), and a caller's
 * inner map for a map-in-map. Everything here works before load only;
 * afterwards it fails with -EBUSY and a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object_internal.h"

static int check_opened(const struct bpfhost_object *obj, const char *what, const char *name)
{
	if (obj->state != OBJ_OPENED)
		return obj_err(-EBUSY, "object '%s': %s '%s': only before load (the object is %s)",
			       obj->name, what, name,
			       obj->state == OBJ_FAILED ? "failed to load" : "prepared or loaded");
	return 0;
}

/* The DATASEC of a global data map, or NULL when the object has no BTF for it. */
static const struct bpfhost_btf_type *map_datasec(const struct bpfhost_map *map)
{
	const struct bpfhost_btf *btf = map->obj->btf;
	uint32_t id = map->def.btf_value_type_id;

	if (map->origin != MAP_DATA || !btf || !id || id >= btf->type_cnt ||
	    btf->types[id].kind != BPFHOST_BTF_KIND_DATASEC)
		return NULL;
	return &btf->types[id];
}

struct var_ref {
	struct bpfhost_map *map;
	uint32_t offset;
	uint32_t size;
	uint32_t type_id;		/* the VAR's type */
};

/* Finds @name among the VARs of every global data map, in map order. */
static int find_var(const struct bpfhost_object *obj, const char *name, struct var_ref *out)
{
	if (!obj->btf)
		return obj_err(-EINVAL, "object '%s': variable '%s': the object has no BTF (compile with -g)",
			       obj->name, name);
	for (uint32_t i = 0; i < obj->map_cnt; i++) {
		struct bpfhost_map *map = &obj->maps[i];
		const struct bpfhost_btf_type *ds = map_datasec(map);

		for (uint32_t k = 0; ds && k < ds->vlen; k++) {
			const struct bpfhost_btf_var_secinfo *vs = &ds->secinfos[k];
			const struct bpfhost_btf_type *var = &obj->btf->types[vs->type];

			if (var->kind != BPFHOST_BTF_KIND_VAR || strcmp(var->name, name))
				continue;
			/* Checked at open for `.maps`; a data section's are checked here. */
			if ((uint64_t)vs->offset + vs->size > map->def.value_size)
				return obj_err(-EINVAL, "object '%s': variable '%s' (offset %u, %u bytes) is past the end of '%s' (%u bytes)",
					       obj->name, name, vs->offset, vs->size, map->real_name,
					       map->def.value_size);
			*out = (struct var_ref){ map, vs->offset, vs->size, var->type };
			return 0;
		}
	}
	return obj_err(-ENOENT, "object '%s': no global variable '%s' in its .data, .rodata or .bss sections",
		       obj->name, name);
}

const void *bpfhost_object__find_variable(const struct bpfhost_object *obj, const char *name,
					  size_t *size, struct bpfhost_map **map, uint32_t *btf_type_id)
{
	struct var_ref v;

	if (!obj || !name) {
		obj_err(-EINVAL, "bpfhost_object__find_variable: NULL object or name");
		return NULL;
	}
	if (find_var(obj, name, &v))
		return NULL;
	if (size)
		*size = v.size;
	if (map)
		*map = v.map;
	if (btf_type_id)
		*btf_type_id = v.type_id;
	return v.map->init_data + v.offset;
}

int bpfhost_object__set_variable(struct bpfhost_object *obj, const char *name, const void *data,
				 size_t size)
{
	struct var_ref v;
	int err;

	if (!obj || !name || !data)
		return obj_err(-EINVAL, "bpfhost_object__set_variable: NULL object, name or data");
	err = check_opened(obj, "variable", name);
	if (!err)
		err = find_var(obj, name, &v);
	if (err)
		return err;
	if (size != v.size)
		return obj_err(-EINVAL, "object '%s': variable '%s' is %u bytes, not %zu", obj->name, name,
			       v.size, size);
	memcpy(v.map->init_data + v.offset, data, size);
	return 0;
}

/*
 * Appends an ARRAY type (as libbpf's btf__add_array); returns its id or 0.
 * The type table moves: earlier bpfhost_btf__type_by_id() pointers of this
 * BTF are stale afterwards, as libbpf's are after btf__add_*().
 */
static uint32_t btf_add_array(struct bpfhost_btf *btf, uint32_t elem, uint32_t index, uint32_t nelems)
{
	struct bpfhost_btf_type *types = realloc(btf->types, (btf->type_cnt + 1) * sizeof(*types));
	struct bpfhost_btf_type *t;

	if (!types)
		return 0;
	btf->types = types;
	t = &types[btf->type_cnt];
	memset(t, 0, sizeof(*t));
	t->id = btf->type_cnt++;
	t->kind = BPFHOST_BTF_KIND_ARRAY;
	t->name = "";
	t->elem_type = elem;
	t->index_type = index;
	t->nelems = nelems;
	return t->id;
}

/*
 * libbpf's rule: a data section may change size when its last variable is an
 * array and the new size ends on one of its elements; the array's length
 * follows. Returns 0 when the BTF now describes @size bytes, or a negative
 * errno when it cannot (the caller then drops the map's BTF, as libbpf does).
 */
static int resize_datasec(struct bpfhost_map *map, uint32_t size)
{
	struct bpfhost_btf *btf = map->obj->btf;
	const struct bpfhost_btf_type *ds = map_datasec(map);
	struct bpfhost_btf_var_secinfo *last = NULL, *vs;
	const struct bpfhost_btf_type *arr;
	uint32_t var_id, arr_id, ds_id;
	int64_t elem;

	if (!ds || !ds->vlen)
		return -ENOENT;
	ds_id = ds->id;
	vs = btf_datasec_secinfos(&btf->types[ds_id]);
	for (uint32_t k = 0; k < ds->vlen; k++)
		if (!last || vs[k].offset > last->offset)
			last = &vs[k];
	var_id = last->type;
	if (btf->types[var_id].kind != BPFHOST_BTF_KIND_VAR)
		return -EINVAL;
	arr_id = btf->types[var_id].type;
	if (arr_id >= btf->type_cnt || btf->types[arr_id].kind != BPFHOST_BTF_KIND_ARRAY)
		return -EINVAL;
	arr = &btf->types[arr_id];
	elem = bpfhost_btf__resolve_size(btf, arr->elem_type);
	if (elem <= 0 || size <= last->offset || (size - last->offset) % (uint64_t)elem)
		return -EINVAL;
	/* A new array type: the old one is often another's too (`__u32[4]` in __sk_buff). */
	arr_id = btf_add_array(btf, arr->elem_type, arr->index_type,
			       (uint32_t)((size - last->offset) / (uint64_t)elem));
	if (!arr_id)
		return -ENOMEM;
	btf->types[var_id].type = arr_id;
	last->size = size - last->offset;
	btf->types[ds_id].size = size;
	return 0;
}

int obj_resize_data_map(struct bpfhost_map *map, uint32_t size)
{
	struct bpfhost_object *obj = map->obj;
	uint32_t old = map->def.value_size;
	uint8_t *data;

	if (!size || size > BPFHOST_MAP_MAX_VALUE_SIZE)
		return obj_err(size ? -E2BIG : -EINVAL, "object '%s': map '%s': a global data map's value size must be 1 to %u bytes (BPFHOST_MAP_MAX_VALUE_SIZE), not %u",
			       obj->name, map->name, BPFHOST_MAP_MAX_VALUE_SIZE, size);
	if (map->def.btf_value_type_id && map_datasec(map)) {
		const struct bpfhost_btf_type *ds = map_datasec(map);
		int err;

		/* Refuse before changing anything when the size cuts a variable that is not last. */
		for (uint32_t k = 0; k < ds->vlen; k++) {
			const struct bpfhost_btf_var_secinfo *vs = &ds->secinfos[k];
			bool is_last = true;

			for (uint32_t j = 0; j < ds->vlen; j++)
				if (ds->secinfos[j].offset > vs->offset)
					is_last = false;
			if (!is_last && (uint64_t)vs->offset + vs->size > size)
				return obj_err(-EINVAL, "object '%s': map '%s': %u bytes would cut variable '%s' (offset %u, %u bytes); only the last variable, an array, can change length",
					       obj->name, map->name, size,
					       obj->btf->types[vs->type].name, vs->offset, vs->size);
		}
		err = resize_datasec(map, size);
		if (err == -ENOMEM)
			return obj_err(err, "object '%s': map '%s': no memory", obj->name, map->name);
		/* As libbpf: a size the BTF cannot describe drops the map's BTF type. */
		if (err)
			map->def.btf_value_type_id = 0;
	}
	data = realloc(map->init_data, size);
	if (!data)
		return obj_err(-ENOMEM, "object '%s': map '%s': no memory", obj->name, map->name);
	if (size > old)
		memset(data + old, 0, size - old);
	map->init_data = data;
	map->def.value_size = size;
	return 0;
}

int bpfhost_map__set_inner_map_fd(struct bpfhost_map *map, int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	char msg[256];
	int err;

	if (!map)
		return obj_err(-EINVAL, "bpfhost_map__set_inner_map_fd: NULL map");
	err = check_opened(map->obj, "map", map->name);
	if (err)
		return err;
	if (map->def.type != BPF_MAP_TYPE_ARRAY_OF_MAPS && map->def.type != BPF_MAP_TYPE_HASH_OF_MAPS)
		return obj_err(-EINVAL, "object '%s': map '%s': an inner map is for array or hash of maps, not map type %u",
			       map->obj->name, map->name, map->def.type);
	memset(&info, 0, sizeof(info));
	err = bpfhost_map_get_info_by_fd(fd, &info, &len);
	if (err) {
		snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
		return obj_err(err, "object '%s': map '%s': inner map %d: %s", map->obj->name, map->name,
			       fd, msg);
	}
	/* The caller's map shapes the outer map now; the declared template goes, as in libbpf. */
	if (map->inner) {
		obj_map_free(map->inner);
		free(map->inner);
		map->inner = NULL;
	}
	map->inner_fd = fd;
	map->has_inner_fd = true;
	return 0;
}
