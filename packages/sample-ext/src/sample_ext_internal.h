/* SPDX-License-Identifier: MIT */
/*
 * What the module's files share: its per-load state, the per-binding state
 * a map information provider keeps, the registry of its map contexts, the
 * hook's state and the providers. Everything the module knows of the core
 * comes through extension.h.
 */
#ifndef SAMPLE_EXT_INTERNAL_H
#define SAMPLE_EXT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/extension.h"
#include "sample_ext.h"

#define SAMPLE_EXPORT __attribute__((visibility("default")))

/* A provider the module registers: map types, the program type, the hook. */
struct sample_provider {
	const char *name;	/* for log lines: "object_hash" */
	const struct bpfhost_provider_characteristics *characteristics;
};

extern const struct sample_provider sample_object_hash_provider;
extern const struct sample_provider sample_accumulator_provider;
extern const struct sample_provider sample_counter_provider;
extern const struct sample_provider sample_max_tracker_provider;
extern const struct sample_provider sample_program_provider;
extern const struct sample_provider sample_hook_provider;
extern const struct sample_provider sample_kfunc_provider;

#define SAMPLE_NPROVIDERS 7

/* One link on the hook: the core's client data, validated and copied. */
struct sample_link {
	struct sample_link *next;
	struct sample_hook *hook;
	const void *link;				/* the core's handle for dispatch calls */
	struct bpfhost_link_dispatch_table dispatch;	/* zero-extended copy */
};

/*
 * The hook's links, in attach order. An event holds the lock for reading
 * while it runs the programs; attach and detach take it for writing, so
 * once detach_client returns no event can still invoke that link.
 */
struct sample_hook {
	pthread_rwlock_t lock;
	bool lock_ready;
	struct sample_link *links;
	atomic_uint_fast64_t events;	/* events fired so far: the next event_id - 1 */
};

/*
 * One per load (the module context). Loading the same .so twice gives both
 * loads the same globals, so nothing per-load lives in a global.
 */
struct sample_ext {
	/* Zero-extended copy of the registrar: what this module knows of it, kept for unload. */
	struct bpfhost_registrar registrar;
	void *registrations[SAMPLE_NPROVIDERS];
	struct sample_hook hook;
};

/*
 * One per map provider binding (the binding context every callback gets
 * first): the core's client data, validated and copied.
 */
struct sample_binding {
	struct sample_ext *ext;
	uint64_t map_context_offset;	/* for helpers: MAP_CONTEXT(map, offset) */
	struct bpfhost_base_map_client_dispatch_table client;
};

/* attach_client/detach_client, shared by the map providers. */
int sample_attach_client(void *provider_context, const bpfhost_guid_t *client_module_id,
			 const void *client_data, void **binding_context);
void sample_detach_client(void *binding_context);

/*
 * The module's map contexts, so that a helper handed a map can tell whether
 * it is one of ours and of which type before it reads the context (another
 * module's context could be anything). Each of our map contexts starts with
 * a head; it is registered at create and unregistered before it is freed
 * with the client's epoch_free, so helpers (inside an epoch) walk the list
 * without a lock.
 */
struct sample_map_head {
	struct sample_map_head *_Atomic next;
	uint32_t map_type;
};

void sample_map_register(struct sample_map_head *head, uint32_t map_type);
void sample_map_unregister(struct sample_map_head *head);
/* The type of our map whose context is @context, or 0 if it is not ours. */
uint32_t sample_map_type_of(const void *context);

/*
 * The create pre-processing the u32 -> u64 map types share (counter hash,
 * max tracker): refuses a map type other than @map_type or another shape,
 * naming the map @what and its values ("counts"), then allocates the
 * context, @size bytes with a struct sample_map_head first (tagged @tag),
 * and registers it. The stored value is the u64 itself.
 */
int sample_u64_map_create(struct sample_binding *b, const char *what, const char *values, uint32_t map_type,
			  uint32_t asked_type, uint32_t key_size, uint32_t value_size, size_t size, uint32_t tag,
			  uint32_t *actual_value_size, void **map_context);
/* Their postprocess_map_delete: the context unregistered, then freed after the epoch. */
void sample_u64_map_delete(void *binding_context, void *map_context);

/*
 * A map provider's characteristics: module id "sample" + "bpfhost" +
 * provider number @n, its bpfhost_map_provider_data @data, the shared
 * attach and detach.
 */
#define SAMPLE_MAP_CHARACTERISTICS(n, data)                                                            \
	{                                                                                              \
		.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER, .npi_id = BPFHOST_NPI_MAP_INFO,     \
		.module_id = { 0x73616d70, 0x6c65, 0x7874, { 0x62, 0x70, 0x66, 0x68, 0x6f, 0x73, 0x74, n } }, \
		.npi_specific_characteristics = data, .attach_client = sample_attach_client,           \
		.detach_client = sample_detach_client,                                                 \
	}

/*
 * What helpers need of the core, learnt from the map client data (helpers
 * get no binding context). The same for every binding of a process.
 */
void sample_helpers_set_core(uint64_t map_context_offset, bpfhost_map_find_element_t find_element);

/* The helpers of the program type (helpers.c). */
#define SAMPLE_HELPER_COUNT 2
extern const struct bpfhost_helper_function sample_helpers[SAMPLE_HELPER_COUNT];

/* Helpers reach the running sums of an accumulator through its context (accumulator_map.c). */
int sample_accumulator_sum(void *map_context, uint32_t index, uint64_t *sum);
/* The value of a stored object hash entry (object_map.c). */
int sample_object_copy(const uint8_t *stored, uint8_t *buf, uint32_t size);

/* The hook's lock: set up at entry, gone at unload. */
int sample_hook_init(struct sample_hook *hook);
void sample_hook_fini(struct sample_hook *hook);

/* A log line through the core's print callback (level 0 warn, 1 info, 2 debug). */
void sample_log(const struct sample_ext *ext, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A versioned struct the core handed us: right version, size within [v1, total]. */
bool sample_header_ok(const struct bpfhost_extension_header *h, uint16_t version, size_t v1_size);
/* Copies what the producer filled; fields it does not know read as 0/NULL. */
void sample_copy_versioned(void *dst, size_t local_size, const void *src);

/* Objects the object hash provider allocated and has not freed. */
extern atomic_long sample_live_objects;

#endif /* SAMPLE_EXT_INTERNAL_H */
