// SPDX-License-Identifier: MIT
/*
 * The registry of the module's map contexts. A helper is handed a map
 * pointer and finds the provider's context through MAP_CONTEXT, but that
 * context may belong to any module's custom map: before reading it as one
 * of ours, the helper looks it up here.
 *
 * Readers are helpers, which run inside the core's epoch and must not
 * block: they walk the list with acquire loads and no lock. Writers (map
 * create and delete, rare) serialise on a mutex, unlink a context before
 * its provider hands it to the client's epoch_free, and so a reader still
 * standing on an unlinked context finds it (and its next pointer) intact
 * until it leaves its epoch.
 *
 * Also the create and delete callbacks of the map types whose context is
 * that registered head and nothing else (u32 keys, u64 values).
 */
#include <errno.h>

#include "sample_ext_internal.h"

static struct sample_map_head *_Atomic maps;
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

void sample_map_register(struct sample_map_head *head, uint32_t map_type)
{
	pthread_mutex_lock(&maps_lock);
	head->map_type = map_type;
	atomic_store_explicit(&head->next, atomic_load_explicit(&maps, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&maps, head, memory_order_release);
	pthread_mutex_unlock(&maps_lock);
}

void sample_map_unregister(struct sample_map_head *head)
{
	struct sample_map_head *_Atomic *link = &maps;
	struct sample_map_head *cur;

	pthread_mutex_lock(&maps_lock);
	while ((cur = atomic_load_explicit(link, memory_order_relaxed))) {
		if (cur == head) {
			atomic_store_explicit(link, atomic_load_explicit(&head->next, memory_order_relaxed),
					      memory_order_release);
			break;
		}
		link = &cur->next;
	}
	pthread_mutex_unlock(&maps_lock);
}

uint32_t sample_map_type_of(const void *context)
{
	struct sample_map_head *h;

	if (!context)
		return 0;
	for (h = atomic_load_explicit(&maps, memory_order_acquire); h;
	     h = atomic_load_explicit(&h->next, memory_order_acquire))
		if (h == context)
			return h->map_type;
	return 0;
}

int sample_u64_map_create(struct sample_binding *b, const char *what, const char *values, uint32_t map_type,
			  uint32_t asked_type, uint32_t key_size, uint32_t value_size, size_t size, uint32_t tag,
			  uint32_t *actual_value_size, void **map_context)
{
	struct sample_map_head *m;

	if (asked_type != map_type) {
		sample_log(b->ext, 0, "%s: asked to create map type %u", what, asked_type);
		return -EINVAL;
	}
	if (key_size != sizeof(uint32_t) || value_size != sizeof(uint64_t)) {
		sample_log(b->ext, 0, "%s: key_size %u, value_size %u (want 4 and 8: u32 keys, u64 %s)", what,
			   key_size, value_size, values);
		return -EINVAL;
	}
	m = b->client.epoch_allocate_cache_aligned(size, tag);
	if (!m)
		return -ENOMEM;
	sample_map_register(m, map_type);
	*actual_value_size = sizeof(uint64_t);
	*map_context = m;
	return 0;
}

void sample_u64_map_delete(void *binding_context, void *map_context)
{
	sample_map_unregister(map_context);
	((struct sample_binding *)binding_context)->client.epoch_free_cache_aligned(map_context);
}
