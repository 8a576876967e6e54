/* SPDX-License-Identifier: MIT */
/*
 * What the module's files share: its per-load state, the per-binding state
 * a map information provider keeps, and the two providers. Everything the
 * module knows of the core comes through extension.h.
 */
#ifndef SAMPLE_EXT_INTERNAL_H
#define SAMPLE_EXT_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/extension.h"
#include "sample_ext.h"

#define SAMPLE_EXPORT __attribute__((visibility("default")))

/* A map information provider: one custom map type. */
struct sample_map_provider {
	const char *name;	/* for log lines: "object_hash" */
	const struct bpfhost_provider_characteristics *characteristics;
};

extern const struct sample_map_provider sample_object_hash_provider;
extern const struct sample_map_provider sample_accumulator_provider;

#define SAMPLE_NPROVIDERS 2

/*
 * One per load (the module context). Loading the same .so twice gives both
 * loads the same globals, so nothing per-load lives in a global.
 */
struct sample_ext {
	/* Zero-extended copy of the registrar: what this module knows of it, kept for unload. */
	struct bpfhost_registrar registrar;
	void *registrations[SAMPLE_NPROVIDERS];
};

/*
 * One per provider binding (the binding context every callback gets first):
 * the core's client data, validated and copied.
 */
struct sample_binding {
	struct sample_ext *ext;
	uint64_t map_context_offset;	/* for helpers: MAP_CONTEXT(map, offset) */
	struct bpfhost_base_map_client_dispatch_table client;
};

/* attach_client/detach_client, shared by both providers. */
int sample_attach_client(void *provider_context, const bpfhost_guid_t *client_module_id,
			 const void *client_data, void **binding_context);
void sample_detach_client(void *binding_context);

/* A log line through the core's print callback (level 0 warn, 1 info, 2 debug). */
void sample_log(const struct sample_ext *ext, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Objects the object hash provider allocated and has not freed. */
extern atomic_long sample_live_objects;

#endif /* SAMPLE_EXT_INTERNAL_H */
