// SPDX-License-Identifier: MIT
/*
 * The sample extension module: its entry point, unload, and the binding
 * the core makes to each of its map information providers.
 *
 * The core hands the entry point a registrar and a module struct to fill.
 * The module registers one provider per custom map type, then the program
 * type "sample", its hook and its kfuncs. The core's custom map client
 * attaches to each map provider at once (attach_client below), handing over its client data:
 * the offset of the map context in a map object and the dispatch table
 * (find_element, epoch functions) providers and helpers call back into.
 * Unload deregisters the providers, the hook first (the core detaches its
 * links); the core has already cleaned up (or refused to unload while
 * there were) maps and programs of the module's types.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample_ext_internal.h"

atomic_long sample_live_objects;

/* In registration order; unload deregisters in reverse. */
static const struct sample_provider *const providers[SAMPLE_NPROVIDERS] = {
	&sample_object_hash_provider,
	&sample_accumulator_provider,
	&sample_counter_provider,
	&sample_max_tracker_provider,
	&sample_program_provider,
	&sample_hook_provider,
	&sample_kfunc_provider,
};

SAMPLE_EXPORT long sample_ext_live_objects(void)
{
	return atomic_load(&sample_live_objects);
}

bool sample_header_ok(const struct bpfhost_extension_header *h, uint16_t version, size_t v1_size)
{
	return h->version == version && h->size >= v1_size && h->size <= h->total_size;
}

void sample_copy_versioned(void *dst, size_t local_size, const void *src)
{
	const struct bpfhost_extension_header *h = src;

	memset(dst, 0, local_size);
	memcpy(dst, src, h->size < local_size ? h->size : local_size);
}

void sample_log(const struct sample_ext *ext, int level, const char *fmt, ...)
{
	char line[256];
	int n;
	va_list ap;

	if (!ext || !ext->registrar.log)
		return;
	n = snprintf(line, sizeof(line), SAMPLE_EXT_NAME ": ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	ext->registrar.log(level, line);
}

/* Runs under the core's registrar lock: no calls back into the registrar here. */
int sample_attach_client(void *provider_context, const bpfhost_guid_t *client_module_id,
			 const void *client_data, void **binding_context)
{
	const struct bpfhost_map_client_data *cd = client_data;
	struct sample_ext *ext = provider_context;
	struct sample_binding *b;

	(void)client_module_id;
	if (!cd || !binding_context)
		return -EINVAL;
	if (!sample_header_ok(&cd->header, BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION,
			      BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE)) {
		sample_log(ext, 0, "refusing the core's map client data: version %u, size %zu "
			   "(want version %u, size >= %zu)", cd->header.version, cd->header.size,
			   BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION,
			   (size_t)BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE);
		return -EINVAL;
	}
	if (!cd->base_client_table ||
	    !sample_header_ok(&cd->base_client_table->header,
			      BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION,
			      BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION_SIZE)) {
		sample_log(ext, 0, "refusing the core's map client dispatch table (missing or bad header)");
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ext = ext;
	b->map_context_offset = cd->map_context_offset;
	sample_copy_versioned(&b->client, sizeof(b->client), cd->base_client_table);
	if (!b->client.find_element || !b->client.epoch_enter || !b->client.epoch_exit ||
	    !b->client.epoch_allocate || !b->client.epoch_allocate_cache_aligned ||
	    !b->client.epoch_free || !b->client.epoch_free_cache_aligned) {
		sample_log(ext, 0, "refusing the core's map client dispatch table (a function is NULL)");
		free(b);
		return -EINVAL;
	}
	sample_helpers_set_core(b->map_context_offset, b->client.find_element);
	*binding_context = b;
	return 0;
}

void sample_detach_client(void *binding_context)
{
	free(binding_context);
}

static void deregister_all(struct sample_ext *ext)
{
	for (int i = SAMPLE_NPROVIDERS - 1; i >= 0; i--) {
		if (ext->registrations[i])
			ext->registrar.deregister_provider(ext->registrations[i]);
		ext->registrations[i] = NULL;
	}
}

/* The core calls this once no map or program of ours is live and no callback is running. */
static void sample_unload(void *module_context)
{
	struct sample_ext *ext = module_context;

	if (!ext)
		return;
	deregister_all(ext);
	sample_hook_fini(&ext->hook);
	free(ext);
}

SAMPLE_EXPORT int bpfhost_extension_entry(const struct bpfhost_registrar *registrar,
					  struct bpfhost_module *module)
{
	struct sample_ext *ext;
	int err;

	if (!registrar || !module ||
	    !sample_header_ok(&registrar->header, BPFHOST_REGISTRAR_CURRENT_VERSION,
			      BPFHOST_REGISTRAR_CURRENT_VERSION_SIZE))
		return -EINVAL;
	ext = calloc(1, sizeof(*ext));
	if (!ext)
		return -ENOMEM;
	sample_copy_versioned(&ext->registrar, sizeof(ext->registrar), registrar);
	if (!ext->registrar.register_provider || !ext->registrar.deregister_provider) {
		free(ext);
		return -EINVAL;
	}
	err = sample_hook_init(&ext->hook);
	if (err) {
		free(ext);
		return err;
	}

	for (int i = 0; i < SAMPLE_NPROVIDERS; i++) {
		err = ext->registrar.register_provider(ext->registrar.registrar_context,
						       providers[i]->characteristics, ext,
						       &ext->registrations[i]);
		if (err) {
			/* The core's message says why (e.g. -EEXIST: a type is taken). */
			ext->registrations[i] = NULL;
			deregister_all(ext);
			sample_hook_fini(&ext->hook);
			free(ext);
			return err;
		}
	}

	memset(module, 0, sizeof(*module));
	module->header.version = BPFHOST_MODULE_CURRENT_VERSION;
	module->header.size = BPFHOST_MODULE_CURRENT_VERSION_SIZE;
	module->header.total_size = sizeof(*module);
	module->name = SAMPLE_EXT_NAME;
	module->module_context = ext;
	module->unload = sample_unload;
	sample_log(ext, 2, "registered map types %u (object_hash), %u (accumulator_array), %u "
		   "(counter_hash), program type %u (%s), hook %u (%s), kfuncs",
		   SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY,
		   SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, SAMPLE_EXT_PROGRAM_TYPE,
		   SAMPLE_EXT_PROGRAM_TYPE_NAME, SAMPLE_EXT_ATTACH_TYPE, SAMPLE_EXT_HOOK_NAME);
	return 0;
}
