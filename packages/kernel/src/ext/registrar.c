// SPDX-License-Identifier: MIT
/*
 * Provider registration and binding. A provider registers under an NPI id;
 * each core client of that NPI validates it and binds to it at once, so a
 * bad table or a taken map type fails the module's registration call with
 * a message instead of surfacing later at map creation.
 */
#include "registrar.h"

const bpfhost_guid_t bh_core_module_id = {
	0x62706668, 0x6f73, 0x7463, { 0x6f, 0x72, 0x65, 0x00, 0x00, 0x00, 0x00, 0x01 }
};

static const struct bh_client *const clients[] = {
	&bh_custom_map_client,
	&bh_prog_info_client,
	&bh_hook_client,
	&bh_kfunc_client,
};

static struct plat_mutex registrar_mutex = { PTHREAD_MUTEX_INITIALIZER };

void bh_registrar_lock(void)
{
	plat_mutex_lock(&registrar_mutex);
}

void bh_registrar_unlock(void)
{
	plat_mutex_unlock(&registrar_mutex);
}

static bool guid_eq(const bpfhost_guid_t *a, const bpfhost_guid_t *b)
{
	return plat_memcmp(a, b, sizeof(*a)) == 0;
}

int bh_ext_copy_versioned(const struct bh_module *module, const char *what, const void *src,
			  uint16_t version, size_t v1_size, void *dst, size_t local_size)
{
	const struct bpfhost_extension_header *h = src;
	const char *mod = module ? module->name : "?";

	if (!src)
		return bh_err(-EINVAL, "module '%s': %s is NULL", mod, what);
	if (h->version != version)
		return bh_err(-EINVAL, "module '%s': %s header.version is %u, the core supports %u",
			      mod, what, h->version, version);
	if (h->size < v1_size)
		return bh_err(-EINVAL, "module '%s': %s header.size %zu is smaller than its "
			      "version-%u size %zu", mod, what, h->size, version, v1_size);
	if (h->size > h->total_size)
		return bh_err(-EINVAL, "module '%s': %s header.size %zu is larger than "
			      "header.total_size %zu", mod, what, h->size, h->total_size);
	plat_memset(dst, 0, local_size);
	plat_memcpy(dst, src, h->size < local_size ? h->size : local_size);
	return 0;
}

int bh_provider_bind(struct bh_provider *provider, const bpfhost_guid_t *client_module_id,
		     const void *client_data)
{
	int err = provider->chars.attach_client(provider->provider_context, client_module_id,
						client_data, &provider->binding_context);

	if (err)
		return bh_err(err < 0 ? err : -EINVAL, "module '%s': attach_client refused the core "
			      "(returned %d)", provider->module->name, err);
	provider->bound = true;
	return 0;
}

static void unbind(struct bh_provider *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(clients); i++)
		if (guid_eq(&clients[i]->npi_id, &p->chars.npi_id))
			clients[i]->detach_provider(p);
	if (p->bound && p->chars.detach_client)
		p->chars.detach_client(p->binding_context);
	p->bound = false;
}

static int register_provider(void *registrar_context,
			     const struct bpfhost_provider_characteristics *characteristics,
			     void *provider_context, void **registration)
{
	struct bh_module *module = registrar_context;
	struct bh_provider *p;
	size_t matched = 0;
	int err;

	if (!registration)
		return bh_err(-EINVAL, "module '%s': register_provider: registration is NULL", module->name);
	*registration = NULL;
	p = plat_alloc(sizeof(*p));
	if (!p)
		return bh_err(-ENOMEM, "module '%s': out of memory registering a provider", module->name);
	err = bh_ext_copy_versioned(module, "bpfhost_provider_characteristics", characteristics,
				    BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION,
				    BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION_SIZE,
				    &p->chars, sizeof(p->chars));
	if (!err && !p->chars.attach_client)
		err = bh_err(-EINVAL, "module '%s': bpfhost_provider_characteristics.attach_client is NULL",
			     module->name);
	if (err) {
		plat_free(p);
		return err;
	}
	p->module = module;
	p->provider_context = provider_context;

	bh_registrar_lock();
	for (size_t i = 0; i < ARRAY_SIZE(clients); i++) {
		if (!guid_eq(&clients[i]->npi_id, &p->chars.npi_id))
			continue;
		matched++;
		err = clients[i]->attach_provider(p);
		if (err)
			break;
	}
	if (!err && !matched)
		err = bh_err(-EINVAL, "module '%s': no core client for the provider's NPI id "
			     "{%08x-...}", module->name, p->chars.npi_id.data1);
	if (err) {
		unbind(p);
		bh_registrar_unlock();
		plat_free(p);
		return err;
	}
	p->next = module->providers;
	module->providers = p;
	bh_registrar_unlock();
	*registration = p;
	return 0;
}

/* Registrar lock held. */
static void provider_remove(struct bh_provider *p)
{
	struct bh_provider **link;

	for (link = &p->module->providers; *link; link = &(*link)->next) {
		if (*link == p) {
			*link = p->next;
			break;
		}
	}
	unbind(p);
	plat_free(p);
}

static void deregister_provider(void *registration)
{
	struct bh_provider *p = registration;

	if (!p)
		return;
	bh_registrar_lock();
	provider_remove(p);
	bh_registrar_unlock();
}

/* Detaches what a module left registered (it unloads without deregistering). */
void bh_registrar_remove_module_providers(struct bh_module *module)
{
	bh_registrar_lock();
	while (module->providers)
		provider_remove(module->providers);
	bh_registrar_unlock();
}

static void module_log(int level, const char *message)
{
	enum bpfhost_print_level l = level <= 0 ? BPFHOST_WARN : level == 1 ? BPFHOST_INFO : BPFHOST_DEBUG;

	bh_log(l, "%s\n", message ? message : "");
}

/* The registrar as a module sees it; registrar_context is the module. */
void bh_registrar_for_module(struct bh_module *module, struct bpfhost_registrar *reg)
{
	plat_memset(reg, 0, sizeof(*reg));
	reg->header.version = BPFHOST_REGISTRAR_CURRENT_VERSION;
	reg->header.size = BPFHOST_REGISTRAR_CURRENT_VERSION_SIZE;
	reg->header.total_size = sizeof(*reg);
	reg->registrar_context = module;
	reg->register_provider = register_provider;
	reg->deregister_provider = deregister_provider;
	reg->log = module_log;
}
