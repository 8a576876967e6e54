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
	(void)max_entries;
	return sample_u64_map_create(binding_context, "counter_hash", "counts", SAMPLE_EXT_MAP_TYPE_COUNTER_HASH,
				     map_type, key_size, value_size, sizeof(struct counter_map), COUNTER_TAG,
				     actual_value_size, map_context);
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
	.postprocess_map_delete = sample_u64_map_delete,
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

static const struct bpfhost_provider_characteristics counter_characteristics =
	SAMPLE_MAP_CHARACTERISTICS(0x03, &counter_data);

const struct sample_provider sample_counter_provider = {
	.name = "counter_hash",
	.characteristics = &counter_characteristics,
};
