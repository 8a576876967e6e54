// SPDX-License-Identifier: MIT
/*
 * The max tracker: a custom map type on the core's hash base, written for
 * the custom maps contract v2. An update keeps the larger of the value
 * stored for the key and the new one, so concurrent writers only ever raise
 * a key's value. Update pre-processing (the v2 callback) gets the stored
 * value from the core, so the provider keeps no shadow table; the core
 * makes each update an atomic read-modify-write of its key (a writer that
 * lost a race gets its prepared value back as an undo, flags UPDATE|UNDO,
 * and is asked again with the new stored value).
 *
 * updates_original_value: the provider decides what is stored (the
 * maximum, not the caller's value), and with programs_read programs read it
 * with bpf_map_lookup_elem: a read-only copy that find post-processing
 * writes. Programs cannot update or delete it; user space can.
 */
#include <errno.h>
#include <string.h>

#include "sample_ext_internal.h"

#define MAX_TAG 0x78616d73u		/* "smax" */

struct max_map {
	struct sample_map_head head;	/* first: the registry knows every context of ours */
};

static int max_create(void *binding_context, uint32_t map_type, uint32_t key_size, uint32_t value_size,
		      uint32_t max_entries, uint32_t *actual_value_size, void **map_context)
{
	(void)max_entries;
	/* The stored value is the maximum itself. */
	return sample_u64_map_create(binding_context, "max_tracker", "values", SAMPLE_EXT_MAP_TYPE_MAX_TRACKER,
				     map_type, key_size, value_size, sizeof(struct max_map), MAX_TAG,
				     actual_value_size, map_context);
}

/* Reading is all a program can do with it: any program type may. */
static int max_associate(void *binding_context, void *map_context, uint32_t program_type)
{
	(void)binding_context;
	(void)map_context;
	(void)program_type;
	return 0;
}

/* The user-visible value is the stored maximum (for user lookups and program reads alike). */
static int max_find(void *binding_context, void *map_context, size_t key_size, const uint8_t *key,
		    size_t in_value_size, const uint8_t *in_value, size_t out_value_size,
		    uint8_t *out_value, uint32_t flags)
{
	(void)binding_context;
	(void)map_context;
	(void)key_size;
	(void)key;
	(void)flags;
	if (in_value_size != sizeof(uint64_t) || out_value_size != sizeof(uint64_t) || !out_value)
		return -EINVAL;
	memcpy(out_value, in_value, sizeof(uint64_t));
	return 0;
}

/* Contract v2: @stored is what the key holds now (NULL: nothing yet). */
static int max_update(void *binding_context, void *map_context, size_t key_size, const uint8_t *key,
		      size_t in_value_size, const uint8_t *in_value, size_t stored_size,
		      const uint8_t *stored, size_t out_value_size, uint8_t *out_value, uint32_t flags)
{
	uint64_t next, old;

	(void)binding_context;
	(void)map_context;
	(void)key_size;
	(void)key;
	(void)flags;
	if (in_value_size != sizeof(uint64_t) || out_value_size != sizeof(uint64_t))
		return -EINVAL;
	memcpy(&next, in_value, sizeof(next));
	if (stored && stored_size == sizeof(old)) {
		memcpy(&old, stored, sizeof(old));
		if (old > next)
			next = old;
	}
	memcpy(out_value, &next, sizeof(next));
	return 0;
}

/* A maximum that leaves (deleted, displaced, undone, cleaned up) owns nothing. */
static void max_delete_element(void *binding_context, void *map_context, size_t key_size,
			       const uint8_t *key, size_t value_size, const uint8_t *value, uint32_t flags)
{
	(void)binding_context;
	(void)map_context;
	(void)key_size;
	(void)key;
	(void)value_size;
	(void)value;
	(void)flags;
}

static const struct bpfhost_base_map_provider_dispatch_table max_table = {
	.header = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER,	/* v2: includes the _v2 callback */
	.preprocess_map_create = max_create,
	.postprocess_map_delete = sample_u64_map_delete,
	.preprocess_associate_program_type = max_associate,
	.postprocess_map_find_element = max_find,
	.postprocess_map_delete_element = max_delete_element,
	.preprocess_map_update_element_v2 = max_update,
};

static const struct bpfhost_base_map_provider_properties max_properties = {
	.header = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER,
	.updates_original_value = true,
	.programs_read = true,
};

static const struct bpfhost_map_provider_data max_data = {
	.header = BPFHOST_MAP_PROVIDER_DATA_HEADER,
	.map_type = SAMPLE_EXT_MAP_TYPE_MAX_TRACKER,
	.base_map_type = BPFHOST_BASE_MAP_TYPE_HASH,
	.base_properties = &max_properties,
	.base_provider_table = &max_table,
};

static const struct bpfhost_provider_characteristics max_characteristics =
	SAMPLE_MAP_CHARACTERISTICS(0x04, &max_data);

const struct sample_provider sample_max_tracker_provider = {
	.name = "max_tracker",
	.characteristics = &max_characteristics,
};
