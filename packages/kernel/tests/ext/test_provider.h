/* SPDX-License-Identifier: MIT */
/*
 * A configurable map information provider for the core's custom-map tests.
 * The test dlopen()s the module itself to reach test_provider_control(),
 * sets the configuration, then loads it with bpfhost_extension_load() (the
 * same handle, so the same globals) and reads back every callback it got.
 */
#ifndef BPFHOST_TEST_PROVIDER_H
#define BPFHOST_TEST_PROVIDER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum tp_callback {
	TP_CREATE = 1,
	TP_MAP_DELETE,
	TP_ASSOCIATE,
	TP_FIND,
	TP_UPDATE,
	TP_PRE_DELETE,
	TP_POST_DELETE,
	TP_ATTACH,
	TP_DETACH,
	TP_NCALLBACKS,
};

/* Which callbacks the provider table carries (bits of 1 << enum tp_callback). */
#define TP_HAS(cb) (1u << (cb))

struct tp_call {
	enum tp_callback cb;
	uint32_t flags;
	uint32_t key;			/* first 4 key bytes */
	uint64_t in_value;		/* first 8 bytes of the value the callback saw */
	uint32_t in_value_size;
	uint32_t out_value_size;
	int out_value_null;
	uint32_t key_size;
	void *map_context;
	void *binding_context;
	/* Update v2: the stored value it was given (first 8 bytes; uov: the object's). */
	int stored_null;
	uint32_t stored_size;
	uint64_t stored_value;
};

/* How the v2 update callback builds a uov object from the stored one and the new value. */
enum tp_combine {
	TP_COMBINE_NONE,	/* the new value, as v1 */
	TP_COMBINE_MAX,		/* the larger u64 */
	TP_COMBINE_SUM,		/* stored + new (u64) */
};

#define TP_MAX_CALLS 4096
#define TP_MAX_TYPES 4

struct tp_type_config {
	uint32_t map_type;
	uint32_t base_map_type;
	int updates_original_value;
	uint32_t callbacks;		/* TP_HAS() bits: FIND, UPDATE, PRE_DELETE, POST_DELETE ... */
	/* Header overrides for bad-table tests (0 = correct value). */
	uint16_t table_version;
	size_t table_size;
	size_t props_size;
	size_t data_size;
	/*
	 * Contract v2. 0: a v1-sized dispatch table. 1: a v2 table whose update
	 * callback is preprocess_map_update_element_v2. 2: a v2 table that keeps
	 * the v1 update callback. 3: both update callbacks (refused).
	 */
	int v2;
	int programs_read;
	enum tp_combine combine;
};

struct tp_config {
	int ntypes;
	struct tp_type_config types[TP_MAX_TYPES];
	/* Errors to return (0 = succeed). */
	int create_error;
	uint32_t create_actual_value_size;	/* 0: value_size (or 8 with uov) */
	int create_null_context;
	int find_error;
	int update_error;
	int pre_delete_error;
	int associate_error;
	int attach_error;
	int entry_error;
	int fail_entry_after_register;	/* register, then return an error */
	/* Update v2: yield before preparing, so racing writers interleave (stress). */
	int update_yield;
	/* Unload without deregistering (the core must clean up). */
	int skip_deregister_on_unload;
};

struct tp_state {
	struct tp_config config;
	atomic_int ncalls;
	struct tp_call calls[TP_MAX_CALLS];
	atomic_long live_objects;	/* uov: objects allocated and not freed */
	atomic_long counts[TP_NCALLBACKS];
	uint64_t map_context_offset;
	const void *client_table;	/* the core's bpfhost_base_map_client_dispatch_table */
	int loaded;
	/* Bypass of the recording, for stress tests. */
	int quiet;
	/*
	 * Called from inside both delete callbacks, for tests that look at the
	 * map from there. @released 0: a plain pre-processing delete is being
	 * decided, the value is intact, and an error return vetoes the delete.
	 * @released 1: the provider has just released the value (return ignored).
	 */
	int (*delete_hook)(void *arg, int released, const uint8_t *key, const uint8_t *value,
			   uint32_t flags);
	void *delete_hook_arg;
	/* Called from the v2 update callback before it prepares (a racing writer, for tests). */
	void (*update_hook)(void *arg, const uint8_t *key, const uint8_t *stored);
	void *update_hook_arg;
};

/* Exported by the module. */
struct tp_state *test_provider_control(void);

#endif /* BPFHOST_TEST_PROVIDER_H */
