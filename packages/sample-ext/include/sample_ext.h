/* SPDX-License-Identifier: MIT */
/*
 * The sample extension's public constants: what a user of its map types
 * (a test, the demo, later BPF programs) needs to know. The module itself
 * is sample_ext.so; load it with bpfhost_extension_load().
 *
 * Two custom map types, both with updates_original_value set (the provider
 * stores its own representation of each value, so programs may not operate
 * on them directly):
 *
 *  - SAMPLE_EXT_MAP_TYPE_OBJECT_HASH: hash base, u32 keys, values of 1 to
 *    SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE bytes. The provider copies each value
 *    into an object it allocates under epoch and stores the object's
 *    pointer; lookups copy the object's bytes back out.
 *  - SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY: array base, u32 index keys, u64
 *    values. An update adds its value to the element's running sum; a
 *    lookup returns the sum. The stored entry is a
 *    struct sample_ext_accumulator_entry.
 */
#ifndef SAMPLE_EXT_H
#define SAMPLE_EXT_H

#include <stdint.h>

#include "bpfhost/extension.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The name the module gives itself (messages name it). */
#define SAMPLE_EXT_NAME "sample_ext"

/* Custom map type ids: from the extension range the core reserves. */
#define SAMPLE_EXT_MAP_TYPE_OBJECT_HASH (BPFHOST_MAP_TYPE_EXT_BASE + 1)
#define SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY (BPFHOST_MAP_TYPE_EXT_BASE + 2)

/*
 * The program type "sample". Extension program types take ids from 4096 up,
 * as custom map types do; the only program type the maps accept.
 */
#define SAMPLE_EXT_PROGRAM_TYPE_EXT_BASE 0x1000U
#define SAMPLE_EXT_PROGRAM_TYPE (SAMPLE_EXT_PROGRAM_TYPE_EXT_BASE + 1)

/* Object hash: the largest value an object holds. */
#define SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE 64U

/* Accumulator array: what the core stores per element (actual_value_size 16). */
struct sample_ext_accumulator_entry {
	uint64_t sum;		/* of every value written to the element */
	uint64_t updates;	/* how many updates it took */
};

/*
 * Test hook, exported by the module: objects the object hash provider has
 * allocated and not yet freed, over every map and every load in the
 * process. Reach it with dlopen(path, RTLD_NOLOAD | RTLD_NOW) + dlsym() on
 * the loaded module.
 */
#define SAMPLE_EXT_LIVE_OBJECTS_SYMBOL "sample_ext_live_objects"
typedef long (*sample_ext_live_objects_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SAMPLE_EXT_H */
