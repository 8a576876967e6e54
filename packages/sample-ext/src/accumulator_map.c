// SPDX-License-Identifier: MIT
/*
 * The accumulator array: a custom map type on the core's array base where
 * an update adds to an element instead of replacing it. The user writes a
 * u64; the core stores a struct sample_ext_accumulator_entry {sum, updates}
 * that the provider computes (updates_original_value); a lookup returns the
 * sum.
 *
 * Where the running sums live. Update pre-processing gets the caller's
 * value and a buffer to fill, not the element's current stored bytes, and
 * a provider callback is handed its map context, never the map object that
 * the client table's find_element needs. So the provider keeps each
 * element's running {sum, updates} in its map context, under its own lock,
 * and the stored entry is a snapshot of it. Two updates of one element
 * racing on different threads may be stored in either order (the core
 * stores after the callback returns), so a lookup can briefly show the
 * earlier snapshot; the next update of the element corrects it.
 *
 * The array base never undoes an update once pre-processing succeeded (it
 * checks flags and the index first), which the running sums rely on: a
 * provider cannot tell an undone value from a replaced one, both arrive as
 * a delete with UPDATE.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "sample_ext_internal.h"

#define ACCUMULATOR_TAG 0x6d756373u	/* "scum" */
#define ACCUMULATOR_LOCKS 64

struct accumulator_map {
	struct sample_map_head head;	/* first: helpers find it in the registry */
	uint32_t max_entries;
	atomic_flag locks[ACCUMULATOR_LOCKS];	/* per stripe of elements */
	struct sample_ext_accumulator_entry running[];
};

static void stripe_lock(struct accumulator_map *m, uint32_t index)
{
	while (atomic_flag_test_and_set_explicit(&m->locks[index % ACCUMULATOR_LOCKS],
						 memory_order_acquire))
		sched_yield();
}

static void stripe_unlock(struct accumulator_map *m, uint32_t index)
{
	atomic_flag_clear_explicit(&m->locks[index % ACCUMULATOR_LOCKS], memory_order_release);
}

static int accumulator_create(void *binding_context, uint32_t map_type, uint32_t key_size,
			      uint32_t value_size, uint32_t max_entries, uint32_t *actual_value_size,
			      void **map_context)
{
	struct sample_binding *b = binding_context;
	struct accumulator_map *m;
	uint64_t bytes;

	if (map_type != SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY) {
		sample_log(b->ext, 0, "accumulator_array: asked to create map type %u", map_type);
		return -EINVAL;
	}
	if (key_size != sizeof(uint32_t)) {
		sample_log(b->ext, 0, "accumulator_array: key_size %u is not 4 (keys are u32 indexes)",
			   key_size);
		return -EINVAL;
	}
	if (value_size != sizeof(uint64_t)) {
		sample_log(b->ext, 0, "accumulator_array: value_size %u is not 8 (values are u64)",
			   value_size);
		return -EINVAL;
	}
	if (max_entries == 0) {
		sample_log(b->ext, 0, "accumulator_array: max_entries is 0");
		return -EINVAL;
	}
	/* 16 bytes per element, as the core's own storage: a u32 count cannot overflow it. */
	bytes = sizeof(*m) + (uint64_t)max_entries * sizeof(struct sample_ext_accumulator_entry);
	/* Epoch memory from the core: zeroed, so every running sum starts at 0. */
	m = b->client.epoch_allocate_cache_aligned(bytes, ACCUMULATOR_TAG);
	if (!m)
		return -ENOMEM;
	m->max_entries = max_entries;
	for (int i = 0; i < ACCUMULATOR_LOCKS; i++)
		atomic_flag_clear(&m->locks[i]);
	memset(m->running, 0, (size_t)max_entries * sizeof(m->running[0]));
	sample_map_register(&m->head, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY);
	*actual_value_size = sizeof(struct sample_ext_accumulator_entry);
	*map_context = m;
	return 0;
}

static void accumulator_delete(void *binding_context, void *map_context)
{
	struct accumulator_map *m = map_context;

	sample_map_unregister(&m->head);
	((struct sample_binding *)binding_context)->client.epoch_free_cache_aligned(m);
}

/*
 * For the sample_accumulator_read() helper: the running sum of @index, the
 * provider's own record (the stored entry is a snapshot of it). The stripe
 * lock is held for a few loads only, so a helper may take it.
 */
int sample_accumulator_sum(void *map_context, uint32_t index, uint64_t *sum)
{
	struct accumulator_map *m = map_context;

	if (index >= m->max_entries)
		return -ENOENT;
	stripe_lock(m, index);
	*sum = m->running[index].sum;
	stripe_unlock(m, index);
	return 0;
}

static int accumulator_associate(void *binding_context, void *map_context, uint32_t program_type)
{
	(void)binding_context;
	(void)map_context;
	return program_type == SAMPLE_EXT_PROGRAM_TYPE ? 0 : -EOPNOTSUPP;
}

/* A lookup returns the sum of the stored entry. */
static int accumulator_find(void *binding_context, void *map_context, size_t key_size,
			    const uint8_t *key, size_t in_value_size, const uint8_t *in_value,
			    size_t out_value_size, uint8_t *out_value, uint32_t flags)
{
	struct sample_ext_accumulator_entry entry;

	(void)binding_context;
	(void)map_context;
	(void)key_size;
	(void)key;
	if (flags & BPFHOST_MAP_OPERATION_HELPER)
		return -EOPNOTSUPP;
	if (in_value_size < sizeof(entry) || !out_value || out_value_size < sizeof(entry.sum))
		return -EINVAL;
	memcpy(&entry, in_value, sizeof(entry));
	memcpy(out_value, &entry.sum, sizeof(entry.sum));
	return 0;
}

/* An update adds the caller's u64 to the element: the core stores {sum, updates}. */
static int accumulator_update(void *binding_context, void *map_context, size_t key_size,
			      const uint8_t *key, size_t in_value_size, const uint8_t *in_value,
			      size_t out_value_size, uint8_t *out_value, uint32_t flags)
{
	struct accumulator_map *m = map_context;
	struct sample_ext_accumulator_entry entry;
	uint32_t index;
	uint64_t add;

	(void)binding_context;
	if (flags & BPFHOST_MAP_OPERATION_HELPER)
		return -EOPNOTSUPP;
	if (!key || key_size != sizeof(index) || !in_value || in_value_size != sizeof(add) ||
	    !out_value || out_value_size < sizeof(entry))
		return -EINVAL;
	memcpy(&index, key, sizeof(index));
	if (index >= m->max_entries)
		return -E2BIG;	/* the core checks first; as it would say */
	memcpy(&add, in_value, sizeof(add));

	stripe_lock(m, index);
	m->running[index].sum += add;
	m->running[index].updates++;
	entry = m->running[index];
	stripe_unlock(m, index);
	memcpy(out_value, &entry, sizeof(entry));
	return 0;
}

/*
 * This provider takes the pre-processing delete callback (the object hash
 * takes the post-processing one). A plain delete never reaches it (array
 * elements cannot be deleted); a replaced entry (UPDATE) or teardown
 * (MAP_CLEANUP) owns nothing to free.
 */
static int accumulator_delete_element(void *binding_context, void *map_context, size_t key_size,
				      const uint8_t *key, size_t value_size, const uint8_t *value,
				      uint32_t flags)
{
	(void)binding_context;
	(void)map_context;
	(void)key_size;
	(void)key;
	(void)value_size;
	(void)value;
	if (flags & (BPFHOST_MAP_OPERATION_UPDATE | BPFHOST_MAP_OPERATION_MAP_CLEANUP))
		return 0;
	return -EINVAL;
}

static const struct bpfhost_base_map_provider_dispatch_table accumulator_table = {
	.header = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER,
	.preprocess_map_create = accumulator_create,
	.postprocess_map_delete = accumulator_delete,
	.preprocess_associate_program_type = accumulator_associate,
	.postprocess_map_find_element = accumulator_find,
	.preprocess_map_update_element = accumulator_update,
	.preprocess_map_delete_element = accumulator_delete_element,
};

static const struct bpfhost_base_map_provider_properties accumulator_properties = {
	.header = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER,
	.updates_original_value = true,
};

static const struct bpfhost_map_provider_data accumulator_data = {
	.header = BPFHOST_MAP_PROVIDER_DATA_HEADER,
	.map_type = SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY,
	.base_map_type = BPFHOST_BASE_MAP_TYPE_ARRAY,
	.base_properties = &accumulator_properties,
	.base_provider_table = &accumulator_table,
};

static const struct bpfhost_provider_characteristics accumulator_characteristics =
	SAMPLE_MAP_CHARACTERISTICS(0x02, &accumulator_data);

const struct sample_provider sample_accumulator_provider = {
	.name = "accumulator_array",
	.characteristics = &accumulator_characteristics,
};
