// SPDX-License-Identifier: MIT
/*
 * The benchmark's map information provider: a hash-based custom map type
 * whose callbacks do the least real work a provider does, counting calls in
 * their map context. It stores values as given (updates_original_value is
 * false), so the core's own storage and copies are what the benchmark
 * compares with a plain HASH map. Built against extension.h only.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bpfhost/extension.h"

#ifndef BPFHOST_BENCH_MAP_TYPE
#error "BPFHOST_BENCH_MAP_TYPE must be defined (bench/CMakeLists.txt)"
#endif

/* Counters of one map: relaxed atomics, since callbacks run on many threads. */
struct bench_map_ctx {
	atomic_ullong finds;
	atomic_ullong updates;
	atomic_ullong deletes;
};

/* Totals of maps that are gone, for bench_provider_calls(). */
static atomic_ullong total_finds, total_updates, total_deletes;
static atomic_int live_maps;

static int bench_create(void *binding_context, uint32_t map_type, uint32_t key_size,
			uint32_t value_size, uint32_t max_entries, uint32_t *actual_value_size,
			void **map_context)
{
	struct bench_map_ctx *ctx;

	(void)binding_context;
	(void)map_type;
	(void)key_size;
	(void)max_entries;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	*actual_value_size = value_size;
	*map_context = ctx;
	atomic_fetch_add(&live_maps, 1);
	return 0;
}

static void bench_map_delete(void *binding_context, void *map_context)
{
	struct bench_map_ctx *ctx = map_context;

	(void)binding_context;
	atomic_fetch_add(&total_finds, atomic_load(&ctx->finds));
	atomic_fetch_add(&total_updates, atomic_load(&ctx->updates));
	atomic_fetch_add(&total_deletes, atomic_load(&ctx->deletes));
	atomic_fetch_sub(&live_maps, 1);
	free(ctx);
}

static int bench_associate(void *binding_context, void *map_context, uint32_t program_type)
{
	(void)binding_context;
	(void)map_context;
	(void)program_type;
	return 0;
}

static int bench_find(void *binding_context, void *map_context, size_t key_size, const uint8_t *key,
		      size_t in_value_size, const uint8_t *in_value, size_t out_value_size,
		      uint8_t *out_value, uint32_t flags)
{
	struct bench_map_ctx *ctx = map_context;

	(void)binding_context;
	(void)key_size;
	(void)key;
	(void)in_value_size;
	(void)in_value;
	(void)out_value_size;
	(void)out_value;
	(void)flags;
	atomic_fetch_add_explicit(&ctx->finds, 1, memory_order_relaxed);
	return 0;
}

static int bench_update(void *binding_context, void *map_context, size_t key_size, const uint8_t *key,
			size_t in_value_size, const uint8_t *in_value, size_t out_value_size,
			uint8_t *out_value, uint32_t flags)
{
	struct bench_map_ctx *ctx = map_context;

	(void)binding_context;
	(void)key_size;
	(void)key;
	(void)in_value_size;
	(void)in_value;
	(void)out_value_size;
	(void)out_value;
	(void)flags;
	atomic_fetch_add_explicit(&ctx->updates, 1, memory_order_relaxed);
	return 0;
}

static void bench_delete(void *binding_context, void *map_context, size_t key_size, const uint8_t *key,
			 size_t value_size, const uint8_t *value, uint32_t flags)
{
	struct bench_map_ctx *ctx = map_context;

	(void)binding_context;
	(void)key_size;
	(void)key;
	(void)value_size;
	(void)value;
	(void)flags;
	atomic_fetch_add_explicit(&ctx->deletes, 1, memory_order_relaxed);
}

static const struct bpfhost_base_map_provider_dispatch_table dispatch = {
	.header = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER,
	.preprocess_map_create = bench_create,
	.postprocess_map_delete = bench_map_delete,
	.preprocess_associate_program_type = bench_associate,
	.postprocess_map_find_element = bench_find,
	.preprocess_map_update_element = bench_update,
	.postprocess_map_delete_element = bench_delete,
};

static const struct bpfhost_base_map_provider_properties properties = {
	.header = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER,
	.updates_original_value = false,
};

static const struct bpfhost_map_provider_data provider_data = {
	.header = BPFHOST_MAP_PROVIDER_DATA_HEADER,
	.map_type = BPFHOST_BENCH_MAP_TYPE,
	.base_map_type = BPFHOST_BASE_MAP_TYPE_HASH,
	.base_properties = &properties,
	.base_provider_table = &dispatch,
};

/* The binding context: the core's client table (unused by these callbacks). */
static int bench_attach(void *provider_context, const bpfhost_guid_t *client_module_id,
			const void *client_data, void **binding_context)
{
	(void)provider_context;
	(void)client_module_id;
	*binding_context = (void *)client_data;
	return 0;
}

static const struct bpfhost_provider_characteristics characteristics = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_MAP_INFO,
	.module_id = { 0x62656e63, 0x6870, 0x726f,
		       { 0x76, 0x69, 0x64, 0x65, 0x72, 0x00, 0x00, 0x01 } },
	.npi_specific_characteristics = &provider_data,
	.attach_client = bench_attach,
};

struct bench_module {
	const struct bpfhost_registrar *registrar;
	void *registration;
};

static struct bench_module module_state;

static void bench_unload(void *module_context)
{
	struct bench_module *m = module_context;

	if (m->registration)
		m->registrar->deregister_provider(m->registration);
	m->registration = NULL;
}

/* Calls counted by maps already deleted: out[0] finds, out[1] updates, out[2] deletes. */
__attribute__((visibility("default"))) void bench_provider_calls(unsigned long long out[3])
{
	out[0] = atomic_load(&total_finds);
	out[1] = atomic_load(&total_updates);
	out[2] = atomic_load(&total_deletes);
}

__attribute__((visibility("default"))) int bpfhost_extension_entry(const struct bpfhost_registrar *registrar,
								    struct bpfhost_module *module)
{
	int err;

	module_state.registrar = registrar;
	err = registrar->register_provider(registrar->registrar_context, &characteristics, NULL,
					   &module_state.registration);
	if (err)
		return err;
	*module = (struct bpfhost_module){
		.header = BPFHOST_MODULE_HEADER,
		.name = "bench_provider",
		.module_context = &module_state,
		.unload = bench_unload,
	};
	return 0;
}
