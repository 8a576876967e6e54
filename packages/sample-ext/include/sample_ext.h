/* SPDX-License-Identifier: MIT */
/*
 * The sample extension's public constants and types: what a user of its
 * map types, program type, hook and helpers needs (a test, the demo, BPF
 * programs). The module itself is sample_ext.so; load it with
 * bpfhost_extension_load(). The same header compiles for the host and for
 * BPF (clang -target bpf): BPF programs get the helper declarations below.
 *
 * Four custom map types:
 *
 *  - SAMPLE_EXT_MAP_TYPE_OBJECT_HASH: hash base, u32 keys, values of 1 to
 *    SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE bytes, updates_original_value. The
 *    provider copies each value into an object it allocates under epoch and
 *    stores the object's pointer; user lookups copy the object's bytes back
 *    out. Programs cannot touch it with the map helpers (the core refuses
 *    update/delete with -EOPNOTSUPP and lookups return NULL); they read it
 *    with the sample_get_object_value() helper.
 *  - SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY: array base, u32 index keys, u64
 *    values, updates_original_value. An update adds its value to the
 *    element's running sum; a lookup returns the sum. The stored entry is a
 *    struct sample_ext_accumulator_entry. Programs read a sum with the
 *    sample_accumulator_read() helper.
 *  - SAMPLE_EXT_MAP_TYPE_COUNTER_HASH: hash base, u32 keys, u64 values,
 *    stored as they are (no updates_original_value): programs look up a
 *    pointer into the core's storage and increment it in place, update and
 *    delete, as with a BPF_MAP_TYPE_HASH. Only programs of type sample may
 *    use it.
 *  - SAMPLE_EXT_MAP_TYPE_MAX_TRACKER: hash base, u32 keys, u64 values
 *    (custom maps contract v2). An update keeps the larger of the stored
 *    and the new value; concurrent updates of a key lose nothing. Programs
 *    of any type read it with bpf_map_lookup_elem (a read-only value);
 *    they cannot update or delete it.
 *
 * The program type "sample" (SAMPLE_EXT_PROGRAM_TYPE) runs on a struct
 * sample_ctx: an event's bytes (data .. data_end, writable) and a few fields.
 * ELF sections "sample" and "sample/<anything>" select it. Its hook
 * (SAMPLE_EXT_ATTACH_TYPE) runs every linked program on each event, fired
 * with bpfhost_hook_trigger().
 */
#ifndef SAMPLE_EXT_H
#define SAMPLE_EXT_H

#ifdef __bpf__
#include <linux/types.h>
typedef __u8 sample_u8;
typedef __u32 sample_u32;
typedef __u64 sample_u64;
#include "bpfhost/ext_ids.h"	/* the id bases, without the host's types */
#define SAMPLE_EXT_MAP_TYPE_EXT_BASE BPFHOST_MAP_TYPE_EXT_BASE
#define SAMPLE_EXT_ATTACH_TYPE_EXT_BASE BPFHOST_ATTACH_TYPE_EXT_BASE
#define SAMPLE_EXT_HELPER_EXT_BASE BPFHOST_HELPER_EXT_BASE
#else
#include <stdint.h>

#include "bpfhost/extension.h"
typedef uint8_t sample_u8;
typedef uint32_t sample_u32;
typedef uint64_t sample_u64;
#define SAMPLE_EXT_MAP_TYPE_EXT_BASE BPFHOST_MAP_TYPE_EXT_BASE
#define SAMPLE_EXT_ATTACH_TYPE_EXT_BASE BPFHOST_ATTACH_TYPE_EXT_BASE
#define SAMPLE_EXT_HELPER_EXT_BASE BPFHOST_HELPER_EXT_BASE
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The name the module gives itself (messages name it). */
#define SAMPLE_EXT_NAME "sample_ext"

/* Custom map type ids: from the extension range the core reserves. */
#define SAMPLE_EXT_MAP_TYPE_OBJECT_HASH (SAMPLE_EXT_MAP_TYPE_EXT_BASE + 1)
#define SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY (SAMPLE_EXT_MAP_TYPE_EXT_BASE + 2)
#define SAMPLE_EXT_MAP_TYPE_COUNTER_HASH (SAMPLE_EXT_MAP_TYPE_EXT_BASE + 3)
#define SAMPLE_EXT_MAP_TYPE_MAX_TRACKER (SAMPLE_EXT_MAP_TYPE_EXT_BASE + 4)

/*
 * The program type "sample". Extension program types take ids from 4096 up,
 * as custom map types do; the only program type the maps accept.
 */
#define SAMPLE_EXT_PROGRAM_TYPE_EXT_BASE 0x1000U
#define SAMPLE_EXT_PROGRAM_TYPE (SAMPLE_EXT_PROGRAM_TYPE_EXT_BASE + 1)
#define SAMPLE_EXT_PROGRAM_TYPE_NAME "sample"

/* The hook: its attach type (the ELF sections imply it) and name. */
#define SAMPLE_EXT_ATTACH_TYPE (SAMPLE_EXT_ATTACH_TYPE_EXT_BASE + 1)
#define SAMPLE_EXT_HOOK_NAME "sample_event"

/* Object hash: the largest value an object holds. */
#define SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE 64U

/* Accumulator array: what the core stores per element (actual_value_size 16). */
struct sample_ext_accumulator_entry {
	sample_u64 sum;		/* of every value written to the element */
	sample_u64 updates;	/* how many updates it took */
};

/*
 * The context of a sample program: 32 bytes, the same layout for BPF and
 * the host (pointers are 64-bit on both). The program may load the
 * pointers (whole), load the other fields (whole or in aligned parts),
 * store them (whole) and the bytes between data and data_end; any other
 * context access (writing data or data_end, a narrow store) faults:
 * -EFAULT. The hook restores the fields before each program, so only data
 * writes carry over from one program to the next on the same event.
 *
 * BPF_PROG_TEST_RUN: data_in becomes data .. data_end; ctx_in (empty or the
 * whole struct) gives event_id and prog_index, its data, data_end and
 * data_len must be 0 (the core fills them, -EINVAL otherwise). ctx_out
 * comes back with the pointers zeroed.
 */
struct sample_ctx {
	sample_u8 *data;	/* the event's bytes */
	sample_u8 *data_end;	/* one past the last */
	sample_u64 event_id;	/* the hook numbers its events from 1 */
	sample_u32 data_len;	/* data_end - data */
	sample_u32 prog_index;	/* the program's place among the hook's links, from 0 */
};

/*
 * Helpers of the sample program type (ids from the extension range).
 *
 * long sample_get_object_value(void *map, const void *key, void *buf, u32 size)
 *	Copies the value of @key in an object hash map into @buf (at most
 *	@size bytes; the rest of @buf is zeroed) and returns the value's size.
 *	-EINVAL when @map is not an object hash map (a core map, another
 *	custom map type), -ENOENT when @key is not there. @buf is zeroed on
 *	failure.
 * long sample_accumulator_read(void *map, const void *key, u64 *sum)
 *	Writes the running sum of element @key of an accumulator array map to
 *	*@sum. -EINVAL when @map is not an accumulator array (*@sum is left
 *	alone: it has that map's value_size), -ENOENT when @key is past
 *	max_entries (*@sum is 0).
 */
/*
 * Kfuncs (BTF-resolved functions): BPF programs declare them `extern ...
 * __ksym` (the declarations below) and call them by name; the loader
 * resolves the names when the object loads, so sample_ext.so must be loaded
 * first.
 *
 * u32 sample_event_checksum(struct sample_ctx *ctx)
 *	The 16-bit ones' complement sum (as IP's checksum) of the event's
 *	bytes, data .. data_end (an odd last byte counts as its high half).
 *	Programs of type sample only.
 * void sample_stats_add(struct sample_stats *stats, u64 value)
 *	Counts @value into @stats (a map value, the stack): count, sum, min,
 *	max. Programs of any type.
 * struct sample_counter *sample_counter_acquire(u32 key)
 *	Borrows the module's counter @key (below SAMPLE_COUNTERS), or NULL: a
 *	reference the program may read and write and must pass to
 *	sample_counter_release() exactly once on every path (the verifier
 *	refuses a program that may not). Programs of any type.
 * void sample_counter_release(struct sample_counter *counter)
 *	Gives the counter back.
 */
struct sample_stats {
	sample_u64 count;
	sample_u64 sum;
	sample_u64 min;		/* valid once count > 0 */
	sample_u64 max;
};

#define SAMPLE_COUNTERS 8
struct sample_counter {
	sample_u64 hits;
	sample_u64 sum;
};

#define SAMPLE_EXT_HELPER_GET_OBJECT_VALUE (SAMPLE_EXT_HELPER_EXT_BASE + 0)
#define SAMPLE_EXT_HELPER_ACCUMULATOR_READ (SAMPLE_EXT_HELPER_EXT_BASE + 1)

#ifdef __bpf__
static long (*const sample_get_object_value)(void *map, const void *key, void *buf,
					     __u32 size) = (void *)SAMPLE_EXT_HELPER_GET_OBJECT_VALUE;
static long (*const sample_accumulator_read)(void *map, const void *key,
					     __u64 *sum) = (void *)SAMPLE_EXT_HELPER_ACCUMULATOR_READ;
/* #region kfunc-decls (shown by the docs site) */
/* The kfuncs, as libbpf's __ksym declares them: resolved by name at load. */
extern __u32 sample_event_checksum(struct sample_ctx *ctx) __attribute__((section(".ksyms")));
extern void sample_stats_add(struct sample_stats *stats, __u64 value) __attribute__((section(".ksyms")));
/* #endregion kfunc-decls */
/* #region kfunc-ref-decls (shown by the docs site) */
extern struct sample_counter *sample_counter_acquire(__u32 key) __attribute__((section(".ksyms")));
extern void sample_counter_release(struct sample_counter *counter) __attribute__((section(".ksyms")));
/* #endregion kfunc-ref-decls */
#else
#ifndef __cplusplus
_Static_assert(sizeof(struct sample_ctx) == 32, "sample_ctx is 32 bytes, as for BPF");
#endif

/*
 * Test hook, exported by the module: objects the object hash provider has
 * allocated and not yet freed, over every map and every load in the
 * process. Reach it with dlopen(path, RTLD_NOLOAD | RTLD_NOW) + dlsym() on
 * the loaded module.
 */
#define SAMPLE_EXT_LIVE_OBJECTS_SYMBOL "sample_ext_live_objects"
typedef long (*sample_ext_live_objects_fn)(void);
/* Test hook, reached the same way: counter references programs hold now (acquired, not released). */
#define SAMPLE_EXT_COUNTER_REFS_SYMBOL "sample_ext_counter_refs"
typedef long (*sample_ext_counter_refs_fn)(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* SAMPLE_EXT_H */
