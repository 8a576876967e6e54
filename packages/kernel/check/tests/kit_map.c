/* SPDX-License-Identifier: MIT */
/*
 * The kit's own test provider: a hash (map type 4600) whose stored value is
 * a pointer to a copy of the caller's value in epoch memory, as the sample's
 * object map. Built three ways: correct (kit_map.so), and with one bug each
 * that the kit must catch:
 *   KIT_MAP_LEAK_ON_UPDATE: the delete callback frees nothing when the flag
 *     is UPDATE (displaced and undone values leak);
 *   KIT_MAP_IGNORE_NULL: update does not check epoch_allocate for NULL.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <bpfhost/extension.h>

#define KIT_MAP_TYPE 4600u

static const struct bpfhost_registrar *registrar;
static void *registration;
static const struct bpfhost_base_map_client_dispatch_table *client;
static int state;

static int km_create(void *b, uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max,
		     uint32_t *actual, void **mctx)
{
	(void)type;
	(void)max;
	if (!key_size || value_size > 256)
		return -EINVAL;
	*actual = sizeof(void *);
	*mctx = b;
	return 0;
}

static void km_map_delete(void *b, void *mctx)
{
	(void)b;
	(void)mctx;
}

static int km_associate(void *b, void *mctx, uint32_t type)
{
	(void)b;
	(void)mctx;
	(void)type;
	return 0;
}

static int km_find(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t in_size,
		   const uint8_t *in, size_t out_size, uint8_t *out, uint32_t flags)
{
	const uint8_t *obj;

	(void)b;
	(void)mctx;
	(void)ksz;
	(void)key;
	(void)flags;
	if (in_size != sizeof(obj) || !out)
		return -EINVAL;
	memcpy(&obj, in, sizeof(obj));
	memcpy(out, obj, out_size);
	return 0;
}

static int km_update(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t in_size,
		     const uint8_t *in, size_t out_size, uint8_t *out, uint32_t flags)
{
	uint8_t *obj;

	(void)b;
	(void)mctx;
	(void)ksz;
	(void)key;
	(void)flags;
	if (out_size != sizeof(obj))
		return -EINVAL;
	obj = client->epoch_allocate(in_size, 0);
#ifndef KIT_MAP_IGNORE_NULL
	if (!obj)
		return -ENOMEM;
#endif
	memcpy(obj, in, in_size);
	memcpy(out, &obj, sizeof(obj));
	return 0;
}

static void km_delete(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t vsz,
		      const uint8_t *val, uint32_t flags)
{
	uint8_t *obj;

	(void)b;
	(void)mctx;
	(void)ksz;
	(void)key;
#ifdef KIT_MAP_LEAK_ON_UPDATE
	if (flags & BPFHOST_MAP_OPERATION_UPDATE)
		return;
#else
	(void)flags;
#endif
	if (vsz != sizeof(obj))
		return;
	memcpy(&obj, val, sizeof(obj));
	client->epoch_free(obj);
}

static int km_attach(void *pctx, const bpfhost_guid_t *id, const void *data, void **bctx)
{
	const struct bpfhost_map_client_data *cd = data;

	(void)id;
	if (cd->header.size < BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE)
		return -EINVAL;
	client = cd->base_client_table;
	*bctx = pctx;
	return 0;
}

static const struct bpfhost_base_map_provider_dispatch_table table = {
	.header = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER,
	.preprocess_map_create = km_create,
	.postprocess_map_delete = km_map_delete,
	.preprocess_associate_program_type = km_associate,
	.postprocess_map_find_element = km_find,
	.preprocess_map_update_element = km_update,
	.postprocess_map_delete_element = km_delete,
};
static const struct bpfhost_base_map_provider_properties props = {
	.header = BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER,
	.updates_original_value = true,
};
static const struct bpfhost_map_provider_data data = {
	.header = BPFHOST_MAP_PROVIDER_DATA_HEADER,
	.map_type = KIT_MAP_TYPE,
	.base_map_type = BPFHOST_BASE_MAP_TYPE_HASH,
	.base_properties = &props,
	.base_provider_table = &table,
};
static const struct bpfhost_provider_characteristics chars = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_MAP_INFO,
	.module_id = { 0x6b69746d, 0x6170, 0x0001, { 0x63, 0x68, 0x65, 0x63, 0x6b, 0x6b, 0x69, 0x74 } },
	.npi_specific_characteristics = &data,
	.attach_client = km_attach,
};

static void km_unload(void *ctx)
{
	(void)ctx;
	registrar->deregister_provider(registration);
}

BPFHOST_EXTENSION_EXPORT int bpfhost_extension_entry(const struct bpfhost_registrar *reg,
						     struct bpfhost_module *module)
{
	int err;

	registrar = reg;
	err = reg->register_provider(reg->registrar_context, &chars, &state, &registration);
	if (err)
		return err;
	module->header = (struct bpfhost_extension_header)BPFHOST_MODULE_HEADER;
	module->name = "kit_map";
	module->unload = km_unload;
	return 0;
}
