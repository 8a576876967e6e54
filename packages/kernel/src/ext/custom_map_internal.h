/* SPDX-License-Identifier: MIT */
/*
 * What the custom map files share: the registered type, the per-map state
 * both bases carry, and the few helpers every operation uses. custom_map.c
 * owns types, creation, teardown and unload; custom_hash.c and
 * custom_array.c the two base types' operations.
 */
#ifndef BPFHOST_CUSTOM_MAP_INTERNAL_H
#define BPFHOST_CUSTOM_MAP_INTERNAL_H

#include "custom_map.h"
#include "registrar.h"
#include "../maps/htab.h"

struct custom_common;

/* What differs between the base types (hash, array). */
struct custom_base {
	/* The base's own create checks (key size), after the common ones. */
	int (*check)(const union bpf_attr *attr);
	/* Storage for @actual bytes per value; NULL when out of memory. */
	struct custom_common *(*alloc)(const union bpf_attr *attr, uint32_t actual);
	void (*free)(struct custom_common *c);
	/* MAP_CLEANUP for every entry, leaving the storage empty. */
	void (*cleanup)(struct custom_common *c);
	/* The raw stored bytes of @key (the client's find_element). */
	int (*find)(struct bh_map *map, const void *key, uint8_t **value);
};

/* A registered custom type: the provider's tables, copied and validated. */
struct custom_type {
	struct custom_type *next;
	uint32_t map_type;
	const struct custom_base *base;
	struct bh_provider *provider;	/* NULL once the provider left */
	struct bh_module *module;
	struct bpfhost_base_map_provider_properties props;
	struct bpfhost_base_map_provider_dispatch_table table;
	struct custom_common *maps;	/* live maps of this type (registrar lock) */
	long refs;			/* maps pointing here */
};

enum custom_state {
	CUSTOM_CREATING,	/* not yet published: holds its module busy, not listed */
	CUSTOM_LIVE,
	CUSTOM_ORPHANED,	/* provider gone: operations return -ENODEV */
};

/* What both bases share, reached from a map through custom_of(). */
struct custom_common {
	struct bh_map *map;
	struct custom_type *type;
	struct custom_common *next, *prev;	/* in type->maps */
	const struct bpfhost_base_map_provider_dispatch_table *table;
	const struct custom_base *base;
	void *binding_context;
	bool uov;				/* updates_original_value */
	bool v2;				/* contract v2 table: UNDO for undone updates */
	bool stored_arg;			/* preprocess_map_update_element_v2: per-key RMW */
	bool programs_read;			/* v2: programs may look values up (read-only) */
	uint32_t actual_value_size;
	atomic_bool orphaned;
	enum custom_state state;		/* registrar lock */
	bool cleaning;				/* an unload is cleaning it up */
};

struct custom_hash {
	struct htab h;
	struct custom_common c;
};

#define CA_LOCKS 64

struct custom_array {
	struct bh_map map;
	struct custom_common c;
	uint32_t slot;			/* round_up(actual_value_size, 8) */
	char *values;
	struct plat_spinlock locks[CA_LOCKS];	/* writers (and uov readers) per stripe */
	uint32_t *seq;			/* per slot: stores so far (under the stripe lock) */
};


extern const struct bh_map_ops custom_hash_ops;
extern const struct bh_map_ops custom_array_ops;
extern const struct custom_base custom_hash_base;
extern const struct custom_base custom_array_base;

static inline struct custom_common *custom_of(struct bh_map *map)
{
	if (map->ops == &custom_hash_ops)
		return &container_of(htab_of(map), struct custom_hash, h)->c;
	return &container_of(map, struct custom_array, map)->c;
}

static inline bool custom_is_custom(const struct bh_map *map)
{
	return map->ops == &custom_hash_ops || map->ops == &custom_array_ops;
}

static inline uint32_t custom_helper_flag(bool helper)
{
	return helper ? BPFHOST_MAP_OPERATION_HELPER : 0;
}

/* -ENODEV once the providing module was unloaded (forced). */
int custom_orphan_check(struct custom_common *c);
/* A provider's error, unchanged, with the map and callback named. */
int custom_cb_err(struct custom_common *c, const char *callback, int err);
/* The entry left the map: tell the provider (its answer cannot matter here). */
void custom_notify_gone(struct custom_common *c, const void *key, const void *stored, uint32_t flags);
/* Find post-processing: writes the user value for updates_original_value maps. */
int custom_call_find(struct custom_common *c, const void *key, const void *stored, void *out, bool helper);
int custom_check_update_flags(struct bh_map *map, uint64_t flags);
/* Does the provider pre-process updates (either version of the callback)? */
static inline bool custom_has_update(const struct custom_common *c)
{
	return c->table->preprocess_map_update_element || c->table->preprocess_map_update_element_v2;
}
/*
 * Update pre-processing, either version: @stored (actual_value_size bytes or
 * NULL) reaches only the v2 callback. @out: the uov buffer (else ignored).
 */
int custom_call_update(struct custom_common *c, const void *key, const void *value, const void *stored,
		       void *out, bool helper);
/* The delete flags of an undone update: UPDATE, and UNDO for v2 tables. */
static inline uint32_t custom_undo_flags(const struct custom_common *c, bool helper)
{
	return BPFHOST_MAP_OPERATION_UPDATE | (c->v2 ? BPFHOST_MAP_OPERATION_UNDO : 0) |
	       custom_helper_flag(helper);
}
/*
 * A helper lookup on a uov map that programs may read: find post-processing
 * into a buffer that lives until the caller leaves its epoch (the run).
 */
void *custom_program_read(struct custom_common *c, const void *key, const void *stored);

/* ops shared by both bases (custom_map.c). */
void custom_map_created(struct bh_map *map);
void custom_map_free(struct bh_map *map);

#endif /* BPFHOST_CUSTOM_MAP_INTERNAL_H */
