// SPDX-License-Identifier: MIT
/*
 * The helpers of the sample program type. The core checks every call
 * against the prototypes below before a helper runs (the map is one the
 * program references, the key and buffers lie in memory the program may
 * touch), and runs it inside an epoch: a helper trusts its arguments'
 * memory, never what the map is.
 *
 * Both helpers take a map: MAP_CONTEXT(map, offset) gives the provider's
 * context of a custom map or NULL for a core map, and the registry tells
 * whether that context is one of this module's and of which type. Anything
 * else is -EINVAL, never a crash.
 */
#include <errno.h>
#include <string.h>

#include "sample_ext_internal.h"

static _Atomic uint64_t map_context_offset;
static _Atomic(bpfhost_map_find_element_t) find_element;

void sample_helpers_set_core(uint64_t offset, bpfhost_map_find_element_t find)
{
	atomic_store_explicit(&map_context_offset, offset, memory_order_relaxed);
	atomic_store_explicit(&find_element, find, memory_order_release);
}

/* The context of @map if it is one of our maps of @type, else NULL. */
static void *our_map(uint64_t map, uint32_t type)
{
	uint64_t offset = atomic_load_explicit(&map_context_offset, memory_order_relaxed);
	void *context = *MAP_CONTEXT((void *)(uintptr_t)map, offset);

	return sample_map_type_of(context) == type ? context : NULL;
}

static uint64_t ret_err(int err)
{
	return (uint64_t)(int64_t)err;
}

/*
 * long sample_get_object_value(map, key, buf, size): the object map's value
 * of @key. Programs cannot look up an object map themselves (the stored
 * value is the provider's pointer); this reads the stored pointer through
 * the core's find_element and copies the object's bytes out.
 */
static uint64_t get_object_value(uint64_t map, uint64_t key, uint64_t buf, uint64_t size,
				 uint64_t r5)
{
	bpfhost_map_find_element_t find = atomic_load_explicit(&find_element, memory_order_acquire);
	uint8_t *out = (uint8_t *)(uintptr_t)buf, *stored = NULL;
	int err;

	(void)r5;
	if (!our_map(map, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH) || !find) {
		memset(out, 0, (size_t)size);
		return ret_err(-EINVAL);
	}
	err = find((const void *)(uintptr_t)map, (const uint8_t *)(uintptr_t)key, &stored);
	if (err) {
		memset(out, 0, (size_t)size);
		return ret_err(err);
	}
	return ret_err(sample_object_copy(stored, out, (uint32_t)size));
}

/* long sample_accumulator_read(map, key, sum): an accumulator element's running sum. */
static uint64_t accumulator_read(uint64_t map, uint64_t key, uint64_t sum_out, uint64_t r4,
				 uint64_t r5)
{
	void *context = our_map(map, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY);
	uint64_t sum = 0;
	uint32_t index;
	int err;

	(void)r4;
	(void)r5;
	/*
	 * The core checked value_size bytes of *this* map at @sum_out: write
	 * nothing unless it is an accumulator (value_size 8).
	 */
	if (!context)
		return ret_err(-EINVAL);
	memcpy(&index, (const void *)(uintptr_t)key, sizeof(index));
	err = sample_accumulator_sum(context, index, &sum);
	memcpy((void *)(uintptr_t)sum_out, &sum, sizeof(sum));
	return ret_err(err);
}

/* The maps each helper serves: the verifier refuses a call with another (extension.h map_types). */
static const uint32_t object_maps[] = { SAMPLE_EXT_MAP_TYPE_OBJECT_HASH };
static const uint32_t accumulator_maps[] = { SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY };

const struct bpfhost_helper_function sample_helpers[SAMPLE_HELPER_COUNT] = {
	{
		.header = BPFHOST_HELPER_FUNCTION_HEADER,
		.helper_id = SAMPLE_EXT_HELPER_GET_OBJECT_VALUE,
		.name = "sample_get_object_value",
		.return_type = BPFHOST_RET_INTEGER,
		.arg_types = { BPFHOST_ARG_CONST_MAP_PTR, BPFHOST_ARG_PTR_TO_MAP_KEY,
			       BPFHOST_ARG_PTR_TO_UNINIT_MEM, BPFHOST_ARG_CONST_SIZE },
		.function = get_object_value,
		.map_types = object_maps,
		.map_type_count = 1,
	},
	{
		.header = BPFHOST_HELPER_FUNCTION_HEADER,
		.helper_id = SAMPLE_EXT_HELPER_ACCUMULATOR_READ,
		.name = "sample_accumulator_read",
		.return_type = BPFHOST_RET_INTEGER,
		/* The sum is the map's value_size (8) bytes: the core checks they are writable. */
		.arg_types = { BPFHOST_ARG_CONST_MAP_PTR, BPFHOST_ARG_PTR_TO_MAP_KEY,
			       BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE },
		.function = accumulator_read,
		.map_types = accumulator_maps,
		.map_type_count = 1,
	},
};
