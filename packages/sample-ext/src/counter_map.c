// SPDX-License-Identifier: MIT
/*
 * The counter hash: a custom map type on the core's hash base whose values
 * the core stores as they are (updates_original_value is false). It is the
 * custom map programs work on directly: a lookup from a program returns a
 * pointer into the core's storage (after find post-processing with HELPER,
 * which this provider does not need), and the program increments the count
 * in place, updates and deletes, as on a BPF_MAP_TYPE_HASH.
 *
 * What the provider adds: the shape (u32 keys, u64 counts) checked at
 * create, and only programs of type sample may use it.
 */
#include <errno.h>

#include "sample_ext_internal.h"

#define COUNTER_TAG 0x746e6373u		/* "scnt" */

struct counter_map {
	struct sample_map_head head;	/* first: helpers find it in the registry */
};

static int counter_create(void *binding_context, uint32_t map_type, uint32_t key_size,
			  uint32_t value_size, uint32_t max_entries, uint32_t *actual_value_size,
			  void **map_context)
{
	struct sample_binding *b = binding_context;
	struct counter_map *m;

	(void)max_entries;
	if (map_type != SAMPLE_EXT_MAP_TYPE_COUNTER_HASH) {
		sample_log(b->ext, 0, "counter_hash: asked to create map type %u", map_type);
		return -EINVAL;
	}
	if (key_size != sizeof(uint32_t) || value_size != sizeof(uint64_t)) {
		sample_log(b->ext, 0, "counter_hash: key_size %u, value_size %u (want 4 and 8: "
			   "u32 keys, u64 counts)", key_size, value_size);
		return -EINVAL;
	}
	m = b->client.epoch_allocate_cache_aligned(sizeof(*m), COUNTER_TAG);
	if (!m)
		return -ENOMEM;
	sample_map_register(&m->head, SAMPLE_EXT_MAP_TYPE_COUNTER_HASH);
	*actual_value_size = value_size;
	*map_context = m;
	return 0;
}

static void counter_delete(void *binding_context, void *map_context)
{
	struct counter_map *m = map_context;

	sample_map_unregister(&m->head);
	((struct sample_binding *)binding_context)->client.epoch_free_cache_aligned(m);
}

static int counter_associate(void *binding_context, void *map_context, uint32_t program_type)
{
	(void)map_context;
	if (program_type == SAMPLE_EXT_PROGRAM_TYPE)
		return 0;
	sample_log(((struct sample_binding *)binding_context)->ext, 0,
		   "counter_hash: programs of type %u may not use it (only sample, %u)", program_type,
		   SAMPLE_EXT_PROGRAM_TYPE);
	return -EOPNOTSUPP;
}

/* A count that leaves the map owns nothing: the contract asks for one delete callback. */
static void counter_delete_element(void *binding_context, void *map_context, size_t key_size,
				   const uint8_t *key, size_t value_size, const uint8_t *value,
				   uint32_t flags)
{
	(void)binding_context;
	(void)map_context;
	(void)key_size;
	(void)key;
	(void)value_size;
	(void)value;
	(void)flags;
}

static const struct bpfhost_base_map_provider_dispatch_table counter_table = {
	.header = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER,
	.preprocess_map_create = counter_create,
	.postprocess_map_delete = counter_delete,
	.preprocess_associate_program_type = counter_associate,
	.postprocess_map_delete_element = counter_delete_element,
};

static const struct bpfhost_base_map_provider_properties counter_properties = {
	.header = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER,
	.updates_original_value = false,
};

static const struct bpfhost_map_provider_data counter_data = {
	.header = BPFHOST_MAP_PROVIDER_DATA_HEADER,
	.map_type = SAMPLE_EXT_MAP_TYPE_COUNTER_HASH,
	.base_map_type = BPFHOST_BASE_MAP_TYPE_HASH,
	.base_properties = &counter_properties,
	.base_provider_table = &counter_table,
};

static const struct bpfhost_provider_characteristics counter_characteristics = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_MAP_INFO,
	.module_id = { 0x73616d70, 0x6c65, 0x7874, { 0x62, 0x70, 0x66, 0x68, 0x6f, 0x73, 0x74, 0x03 } },
	.npi_specific_characteristics = &counter_data,
	.attach_client = sample_attach_client,
	.detach_client = sample_detach_client,
};

const struct sample_provider sample_counter_provider = {
	.name = "counter_hash",
	.characteristics = &counter_characteristics,
};
