// SPDX-License-Identifier: MIT
/*
 * The configurable test provider (see test_provider.h). It records every
 * callback with its arguments, can be told to fail any of them, and for
 * updates_original_value maps stores a pointer to an object it allocates
 * with the core's epoch allocator (as an object map does).
 */
#include "test_provider.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "bpfhost/extension.h"

static struct tp_state state;
static const struct bpfhost_base_map_client_dispatch_table *client;
static const struct bpfhost_registrar *registrar;
static void *registrations[TP_MAX_TYPES];

__attribute__((visibility("default"))) struct tp_state *test_provider_control(void)
{
	return &state;
}

static void record(enum tp_callback cb, void *bctx, void *mctx, size_t key_size, const uint8_t *key,
		   size_t in_size, const uint8_t *in, size_t out_size, const uint8_t *out, uint32_t flags)
{
	int i;

	atomic_fetch_add(&state.counts[cb], 1);
	if (state.quiet)
		return;
	i = atomic_fetch_add(&state.ncalls, 1);
	if (i >= TP_MAX_CALLS)
		return;
	state.calls[i].cb = cb;
	state.calls[i].flags = flags;
	state.calls[i].key_size = (uint32_t)key_size;
	if (key && key_size >= 4)
		memcpy(&state.calls[i].key, key, 4);
	if (in && in_size)
		memcpy(&state.calls[i].in_value, in, in_size < 8 ? in_size : 8);
	state.calls[i].in_value_size = (uint32_t)in_size;
	state.calls[i].out_value_size = (uint32_t)out_size;
	state.calls[i].out_value_null = out == NULL;
	state.calls[i].map_context = mctx;
	state.calls[i].binding_context = bctx;
	state.calls[i].stored_null = 0;
	state.calls[i].stored_size = 0;
	state.calls[i].stored_value = 0;
}

/* Per-map context: what create was told, plus a back pointer for checks. */
struct tp_map {
	uint32_t map_type;
	uint32_t value_size;
	int uov;
};

static const struct tp_type_config *type_config(uint32_t map_type)
{
	for (int i = 0; i < state.config.ntypes; i++)
		if (state.config.types[i].map_type == map_type)
			return &state.config.types[i];
	return NULL;
}

static int tp_create(void *bctx, uint32_t map_type, uint32_t key_size, uint32_t value_size,
		     uint32_t max_entries, uint32_t *actual_value_size, void **map_context)
{
	const struct tp_type_config *tc = type_config(map_type);
	struct tp_map *m;

	(void)max_entries;
	record(TP_CREATE, bctx, NULL, key_size, NULL, value_size, NULL, 0, NULL, 0);
	if (state.config.create_error)
		return state.config.create_error;
	if (!tc)
		return -EINVAL;
	m = client->epoch_allocate_cache_aligned(sizeof(*m), 0);
	if (!m)
		return -ENOMEM;
	m->map_type = map_type;
	m->value_size = value_size;
	m->uov = tc->updates_original_value;
	*actual_value_size = state.config.create_actual_value_size ? state.config.create_actual_value_size
				: m->uov ? (uint32_t)sizeof(void *) : value_size;
	if (state.config.create_null_context) {
		client->epoch_free_cache_aligned(m);
		m = NULL;
	}
	*map_context = m;
	return 0;
}

static void tp_map_delete(void *bctx, void *mctx)
{
	record(TP_MAP_DELETE, bctx, mctx, 0, NULL, 0, NULL, 0, NULL, 0);
	client->epoch_free_cache_aligned(mctx);
}

static int tp_associate(void *bctx, void *mctx, uint32_t program_type)
{
	record(TP_ASSOCIATE, bctx, mctx, 0, NULL, program_type, NULL, 0, NULL, 0);
	return state.config.associate_error;
}

static int tp_find(void *bctx, void *mctx, size_t key_size, const uint8_t *key, size_t in_size,
		   const uint8_t *in, size_t out_size, uint8_t *out, uint32_t flags)
{
	struct tp_map *m = mctx;

	record(TP_FIND, bctx, mctx, key_size, key, in_size, in, out_size, out, flags);
	if (state.config.find_error)
		return state.config.find_error;
	if (m->uov) {
		void *obj;

		if (!out)
			return -EINVAL;
		memcpy(&obj, in, sizeof(obj));
		if (!obj)
			return -ENOENT;
		memcpy(out, obj, out_size < m->value_size ? out_size : m->value_size);
	}
	return 0;
}

static int tp_update(void *bctx, void *mctx, size_t key_size, const uint8_t *key, size_t in_size,
		     const uint8_t *in, size_t out_size, uint8_t *out, uint32_t flags)
{
	struct tp_map *m = mctx;

	record(TP_UPDATE, bctx, mctx, key_size, key, in_size, in, out_size, out, flags);
	if (state.config.update_error)
		return state.config.update_error;
	if (m->uov) {
		void *obj = client->epoch_allocate(m->value_size, 0);

		if (!obj)
			return -ENOMEM;
		memcpy(obj, in, m->value_size);
		memcpy(out, &obj, sizeof(obj));
		atomic_fetch_add(&state.live_objects, 1);
	}
	return 0;
}

static uint64_t object_u64(const uint8_t *stored)
{
	uint64_t v = 0;
	void *obj;

	memcpy(&obj, stored, sizeof(obj));
	if (obj)
		memcpy(&v, obj, sizeof(v));
	return v;
}

static int tp_update_v2(void *bctx, void *mctx, size_t key_size, const uint8_t *key, size_t in_size,
			const uint8_t *in, size_t stored_size, const uint8_t *stored, size_t out_size,
			uint8_t *out, uint32_t flags)
{
	struct tp_map *m = mctx;
	const struct tp_type_config *tc = type_config(m->map_type);
	uint64_t old = 0, new = 0;
	int i;

	record(TP_UPDATE, bctx, mctx, key_size, key, in_size, in, out_size, out, flags);
	i = atomic_load(&state.ncalls) - 1;
	if (stored)
		old = m->uov ? object_u64(stored) : 0;
	if (!state.quiet && i >= 0 && i < TP_MAX_CALLS && state.calls[i].cb == TP_UPDATE) {
		state.calls[i].stored_null = stored == NULL;
		state.calls[i].stored_size = (uint32_t)stored_size;
		if (stored && m->uov)
			state.calls[i].stored_value = old;
		else if (stored)
			memcpy(&state.calls[i].stored_value, stored, stored_size < 8 ? stored_size : 8);
	}
	if (state.config.update_error)
		return state.config.update_error;
	if (state.config.update_yield)
		sched_yield();
	if (state.update_hook)
		state.update_hook(state.update_hook_arg, key, stored);
	if (m->uov) {
		void *obj = client->epoch_allocate(m->value_size, 0);

		if (!obj)
			return -ENOMEM;
		memcpy(obj, in, m->value_size);
		memcpy(&new, in, in_size < 8 ? in_size : 8);
		if (tc && tc->combine == TP_COMBINE_MAX && stored)
			new = new > old ? new : old;
		else if (tc && tc->combine == TP_COMBINE_SUM && stored)
			new += old;
		if (m->value_size >= 8)
			memcpy(obj, &new, 8);
		memcpy(out, &obj, sizeof(obj));
		atomic_fetch_add(&state.live_objects, 1);
	}
	return 0;
}

static void free_object(struct tp_map *m, const uint8_t *value)
{
	void *obj;

	if (!m->uov)
		return;
	memcpy(&obj, value, sizeof(obj));
	if (obj) {
		client->epoch_free(obj);
		atomic_fetch_sub(&state.live_objects, 1);
	}
}

static int tp_pre_delete(void *bctx, void *mctx, size_t key_size, const uint8_t *key, size_t size,
			 const uint8_t *value, uint32_t flags)
{
	int plain = !(flags & (BPFHOST_MAP_OPERATION_UPDATE | BPFHOST_MAP_OPERATION_MAP_CLEANUP));
	int err = 0;

	record(TP_PRE_DELETE, bctx, mctx, key_size, key, size, value, 0, NULL, flags);
	/* Only a plain delete may be vetoed. */
	if (plain && state.config.pre_delete_error)
		return state.config.pre_delete_error;
	if (plain && state.delete_hook)
		err = state.delete_hook(state.delete_hook_arg, 0, key, value, flags);
	if (err)
		return err;
	/* Released at once, as the peer's sample provider does. */
	free_object(mctx, value);
	if (state.delete_hook)
		state.delete_hook(state.delete_hook_arg, 1, key, value, flags);
	return 0;
}

static void tp_post_delete(void *bctx, void *mctx, size_t key_size, const uint8_t *key, size_t size,
			   const uint8_t *value, uint32_t flags)
{
	record(TP_POST_DELETE, bctx, mctx, key_size, key, size, value, 0, NULL, flags);
	free_object(mctx, value);
	if (state.delete_hook)
		state.delete_hook(state.delete_hook_arg, 1, key, value, flags);
}

static int tp_attach(void *provider_context, const bpfhost_guid_t *client_module_id,
		     const void *client_data, void **binding_context)
{
	const struct bpfhost_map_client_data *cd = client_data;

	(void)client_module_id;
	record(TP_ATTACH, provider_context, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
	if (state.config.attach_error)
		return state.config.attach_error;
	if (cd->header.version != BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION ||
	    cd->header.size < BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE)
		return -EINVAL;
	client = cd->base_client_table;
	state.map_context_offset = cd->map_context_offset;
	state.client_table = client;
	*binding_context = provider_context;
	return 0;
}

static void tp_detach(void *binding_context)
{
	record(TP_DETACH, binding_context, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
}

static struct bpfhost_base_map_provider_dispatch_table tables[TP_MAX_TYPES];
static struct bpfhost_base_map_provider_properties props[TP_MAX_TYPES];
static struct bpfhost_map_provider_data datas[TP_MAX_TYPES];
static struct bpfhost_provider_characteristics chars[TP_MAX_TYPES];

static void build_type(int i)
{
	const struct tp_type_config *tc = &state.config.types[i];
	struct bpfhost_base_map_provider_dispatch_table *t = &tables[i];
	uint32_t cb = tc->callbacks;

	memset(t, 0, sizeof(*t));
	t->header = (struct bpfhost_extension_header)BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER;
	if (tc->table_version)
		t->header.version = tc->table_version;
	if (tc->table_size)
		t->header.size = tc->table_size;
	t->preprocess_map_create = (cb & TP_HAS(TP_CREATE)) ? tp_create : NULL;
	t->postprocess_map_delete = (cb & TP_HAS(TP_MAP_DELETE)) ? tp_map_delete : NULL;
	t->preprocess_associate_program_type = (cb & TP_HAS(TP_ASSOCIATE)) ? tp_associate : NULL;
	t->postprocess_map_find_element = (cb & TP_HAS(TP_FIND)) ? tp_find : NULL;
	t->preprocess_map_update_element = (cb & TP_HAS(TP_UPDATE)) && tc->v2 != 1 ? tp_update : NULL;
	t->preprocess_map_update_element_v2 = (cb & TP_HAS(TP_UPDATE)) && (tc->v2 == 1 || tc->v2 == 3) ? tp_update_v2 : NULL;
	if (!tc->v2 && !tc->table_size)	/* as a module built before contract v2 */
		t->header.size = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_V1_SIZE;
	t->preprocess_map_delete_element = (cb & TP_HAS(TP_PRE_DELETE)) ? tp_pre_delete : NULL;
	t->postprocess_map_delete_element = (cb & TP_HAS(TP_POST_DELETE)) ? tp_post_delete : NULL;

	memset(&props[i], 0, sizeof(props[i]));
	props[i].header = (struct bpfhost_extension_header)BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER;
	if (tc->props_size)
		props[i].header.size = tc->props_size;
	props[i].updates_original_value = tc->updates_original_value;
	props[i].programs_read = tc->programs_read;
	if (!tc->v2 && !tc->props_size && !tc->programs_read)
		props[i].header.size = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_V1_SIZE;

	memset(&datas[i], 0, sizeof(datas[i]));
	datas[i].header = (struct bpfhost_extension_header)BPFHOST_MAP_PROVIDER_DATA_HEADER;
	if (tc->data_size)
		datas[i].header.size = tc->data_size;
	datas[i].map_type = tc->map_type;
	datas[i].base_map_type = tc->base_map_type;
	datas[i].base_properties = &props[i];
	datas[i].base_provider_table = t;

	memset(&chars[i], 0, sizeof(chars[i]));
	chars[i].header = (struct bpfhost_extension_header)BPFHOST_PROVIDER_CHARACTERISTICS_HEADER;
	chars[i].npi_id = BPFHOST_NPI_MAP_INFO;
	chars[i].module_id = (bpfhost_guid_t){ 0x74657374, 0x7072, 0x6f76, { 0, 0, 0, 0, 0, 0, 0, (uint8_t)i } };
	chars[i].npi_specific_characteristics = &datas[i];
	chars[i].attach_client = tp_attach;
	chars[i].detach_client = tp_detach;
}

static void tp_unload(void *module_context)
{
	(void)module_context;
	if (!state.config.skip_deregister_on_unload)
		for (int i = 0; i < TP_MAX_TYPES; i++)
			if (registrations[i]) {
				registrar->deregister_provider(registrations[i]);
				registrations[i] = NULL;
			}
	state.loaded = 0;
}

__attribute__((visibility("default"))) int bpfhost_extension_entry(const struct bpfhost_registrar *reg,
								  struct bpfhost_module *module)
{
	int err;

	if (state.config.entry_error)
		return state.config.entry_error;
	if (reg->header.version != BPFHOST_REGISTRAR_CURRENT_VERSION ||
	    reg->header.size < BPFHOST_REGISTRAR_CURRENT_VERSION_SIZE)
		return -EINVAL;
	registrar = reg;
	for (int i = 0; i < state.config.ntypes && i < TP_MAX_TYPES; i++) {
		build_type(i);
		err = reg->register_provider(reg->registrar_context, &chars[i], &state, &registrations[i]);
		if (err) {
			for (int j = 0; j < i; j++) {
				reg->deregister_provider(registrations[j]);
				registrations[j] = NULL;
			}
			return err;
		}
	}
	memset(module, 0, sizeof(*module));
	module->header = (struct bpfhost_extension_header)BPFHOST_MODULE_HEADER;
	module->name = "test_provider";
	module->unload = tp_unload;
	state.loaded = 1;
	if (state.config.fail_entry_after_register)
		return -EIO;
	return 0;
}
