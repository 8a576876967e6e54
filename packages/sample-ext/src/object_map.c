// SPDX-License-Identifier: MIT
/*
 * The object hash map: a custom map type on the core's hash base whose
 * provider keeps each value in an object of its own and stores only the
 * object's pointer (updates_original_value). It shows the life cycle of a
 * provider-owned resource: allocated when a value is about to be stored,
 * freed whenever a stored value leaves the map (delete, replace, an update
 * the core undid, teardown), read back on lookups.
 *
 * Objects come from the core's epoch allocator and go back through
 * epoch_free: a lookup on another thread may still be copying an object
 * out when a writer replaces it, and epoch_free keeps it until that lookup
 * has left its epoch. An object never changes after it is stored, so
 * readers need no lock.
 */
#include <errno.h>
#include <string.h>

#include "sample_ext_internal.h"

/* Pool tag, for a platform that tracks allocations by tag. */
#define OBJECT_TAG 0x6a626f73u		/* "sobj" */

/* The map context: what create was told. */
struct object_map {
	struct sample_map_head head;	/* first: helpers find it in the registry */
	uint32_t value_size;
};

/* What a stored pointer points to; immutable once stored. */
struct sample_object {
	uint32_t size;		/* the map's value_size */
	uint8_t bytes[];
};

static struct sample_binding *binding_of(void *binding_context)
{
	return binding_context;
}

static const struct sample_object *stored_object(const uint8_t *stored)
{
	const struct sample_object *obj;

	memcpy(&obj, stored, sizeof(obj));
	return obj;
}

/* Called from BPF_MAP_CREATE, no core lock held. */
static int object_map_create(void *binding_context, uint32_t map_type, uint32_t key_size,
			     uint32_t value_size, uint32_t max_entries, uint32_t *actual_value_size,
			     void **map_context)
{
	struct sample_binding *b = binding_of(binding_context);
	struct object_map *m;

	(void)max_entries;
	if (map_type != SAMPLE_EXT_MAP_TYPE_OBJECT_HASH) {
		sample_log(b->ext, 0, "object_hash: asked to create map type %u", map_type);
		return -EINVAL;
	}
	if (key_size != sizeof(uint32_t)) {
		sample_log(b->ext, 0, "object_hash: key_size %u is not 4 (keys are u32)", key_size);
		return -EINVAL;
	}
	if (value_size == 0 || value_size > SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE) {
		sample_log(b->ext, 0, "object_hash: value_size %u is not within 1..%u", value_size,
			   SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE);
		return -EINVAL;
	}
	m = b->client.epoch_allocate_cache_aligned(sizeof(*m), OBJECT_TAG);
	if (!m)
		return -ENOMEM;
	m->value_size = value_size;
	sample_map_register(&m->head, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH);
	*actual_value_size = sizeof(struct sample_object *);
	*map_context = m;
	return 0;
}

/* The map is gone; MAP_CLEANUP already freed every object. */
static void object_map_delete(void *binding_context, void *map_context)
{
	struct object_map *m = map_context;

	sample_map_unregister(&m->head);
	binding_of(binding_context)->client.epoch_free_cache_aligned(m);
}

static int object_map_associate(void *binding_context, void *map_context, uint32_t program_type)
{
	(void)binding_context;
	(void)map_context;
	return program_type == SAMPLE_EXT_PROGRAM_TYPE ? 0 : -EOPNOTSUPP;
}

/* After the core found the entry: copy the object out to the caller (user lookups only). */
static int object_map_find(void *binding_context, void *map_context, size_t key_size,
			   const uint8_t *key, size_t in_value_size, const uint8_t *in_value,
			   size_t out_value_size, uint8_t *out_value, uint32_t flags)
{
	struct object_map *m = map_context;
	const struct sample_object *obj;

	(void)binding_context;
	(void)key_size;
	(void)key;
	/* A program would get a pointer to the stored pointer: never hand that out. */
	if (flags & BPFHOST_MAP_OPERATION_HELPER)
		return -EOPNOTSUPP;
	if (in_value_size < sizeof(obj) || !out_value || out_value_size < m->value_size)
		return -EINVAL;
	obj = stored_object(in_value);
	if (!obj)
		return -ENOENT;
	memcpy(out_value, obj->bytes, obj->size);
	return 0;
}

/*
 * For the sample_get_object_value() helper: @stored is an entry the core's
 * find_element returned (valid for the caller's epoch, as the object it
 * points to: objects go through epoch_free). Copies at most @size bytes,
 * zeroes the rest, returns the value's size.
 */
int sample_object_copy(const uint8_t *stored, uint8_t *buf, uint32_t size)
{
	const struct sample_object *obj = stored_object(stored);
	uint32_t n;

	if (!obj) {
		memset(buf, 0, size);
		return -ENOENT;
	}
	n = obj->size < size ? obj->size : size;
	memcpy(buf, obj->bytes, n);
	memset(buf + n, 0, size - n);
	return (int)obj->size;
}

/* Before the core stores the entry: the stored value becomes a pointer to a new object. */
static int object_map_update(void *binding_context, void *map_context, size_t key_size,
			     const uint8_t *key, size_t in_value_size, const uint8_t *in_value,
			     size_t out_value_size, uint8_t *out_value, uint32_t flags)
{
	struct sample_binding *b = binding_of(binding_context);
	struct object_map *m = map_context;
	struct sample_object *obj;

	(void)key_size;
	(void)key;
	if (flags & BPFHOST_MAP_OPERATION_HELPER)
		return -EOPNOTSUPP;
	if (!in_value || in_value_size != m->value_size || !out_value || out_value_size < sizeof(obj))
		return -EINVAL;
	obj = b->client.epoch_allocate(sizeof(*obj) + m->value_size, OBJECT_TAG);
	if (!obj)
		return -ENOMEM;
	obj->size = m->value_size;
	memcpy(obj->bytes, in_value, m->value_size);
	memcpy(out_value, &obj, sizeof(obj));
	atomic_fetch_add(&sample_live_objects, 1);
	return 0;
}

/*
 * A stored value left the map: a plain delete (flags 0), a replaced or undone
 * value (UPDATE), teardown (MAP_CLEANUP). Each frees the object alike.
 */
static void object_map_delete_element(void *binding_context, void *map_context, size_t key_size,
				      const uint8_t *key, size_t value_size, const uint8_t *value,
				      uint32_t flags)
{
	struct sample_binding *b = binding_of(binding_context);
	const struct sample_object *obj;

	(void)map_context;
	(void)key_size;
	(void)key;
	(void)flags;
	if (!value || value_size < sizeof(obj))
		return;
	obj = stored_object(value);
	if (!obj)
		return;
	b->client.epoch_free((void *)obj);
	atomic_fetch_sub(&sample_live_objects, 1);
}

static const struct bpfhost_base_map_provider_dispatch_table object_map_table = {
	.header = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER,
	.preprocess_map_create = object_map_create,
	.postprocess_map_delete = object_map_delete,
	.preprocess_associate_program_type = object_map_associate,
	.postprocess_map_find_element = object_map_find,
	.preprocess_map_update_element = object_map_update,
	.postprocess_map_delete_element = object_map_delete_element,
};

static const struct bpfhost_base_map_provider_properties object_map_properties = {
	.header = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER,
	.updates_original_value = true,
};

static const struct bpfhost_map_provider_data object_map_data = {
	.header = BPFHOST_MAP_PROVIDER_DATA_HEADER,
	.map_type = SAMPLE_EXT_MAP_TYPE_OBJECT_HASH,
	.base_map_type = BPFHOST_BASE_MAP_TYPE_HASH,
	.base_properties = &object_map_properties,
	.base_provider_table = &object_map_table,
};

static const struct bpfhost_provider_characteristics object_map_characteristics = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_MAP_INFO,
	/* Module ids: "sample" + "bpfhost" + the provider number. */
	.module_id = { 0x73616d70, 0x6c65, 0x7874, { 0x62, 0x70, 0x66, 0x68, 0x6f, 0x73, 0x74, 0x01 } },
	.npi_specific_characteristics = &object_map_data,
	.attach_client = sample_attach_client,
	.detach_client = sample_detach_client,
};

const struct sample_provider sample_object_hash_provider = {
	.name = "object_hash",
	.characteristics = &object_map_characteristics,
};
