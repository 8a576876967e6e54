/* SPDX-License-Identifier: MIT */
/*
 * The provider boilerplate the kfunc test modules share: one
 * BPFHOST_NPI_KFUNC provider with the module's table, bound once by the
 * core with no client data, deregistered by the module's unload callback.
 * Header-only: each C file of tests/ext is a module of its own.
 */
#ifndef BPFHOST_TEST_KFUNC_MODULE_H
#define BPFHOST_TEST_KFUNC_MODULE_H

#include <stddef.h>

#include "bpfhost/extension.h"

static int kfunc_module_attach(void *pc, const bpfhost_guid_t *client, const void *client_data,
			       void **binding)
{
	(void)pc, (void)client, (void)client_data;
	*binding = NULL;
	return 0;
}

/* The provider's characteristics: its bpfhost_kfunc_provider_data @data, then its GUID's initialiser. */
#define KFUNC_MODULE_CHARS(data, ...)                                                                    \
	{ BPFHOST_PROVIDER_CHARACTERISTICS_HEADER, BPFHOST_NPI_KFUNC, __VA_ARGS__, data, kfunc_module_attach, \
	  NULL }

static const struct bpfhost_registrar *kfunc_module_registrar;
static void *kfunc_module_handle;
static void (*kfunc_module_before_unload)(void);

static void kfunc_module_unload(void *ctx)
{
	(void)ctx;
	if (kfunc_module_before_unload)
		kfunc_module_before_unload();
	kfunc_module_registrar->deregister_provider(kfunc_module_handle);
}

/*
 * What a module's entry does: registers the provider of @chars and names
 * the module @name; its unload calls @before_unload (NULL: nothing) first.
 */
static int kfunc_module_register(const struct bpfhost_registrar *r, struct bpfhost_module *m,
				 const struct bpfhost_provider_characteristics *chars, const char *name,
				 void (*before_unload)(void))
{
	void *handle = NULL;
	int err = r->register_provider(r->registrar_context, chars, NULL, &handle);

	if (err)
		return err;
	kfunc_module_registrar = r;
	kfunc_module_handle = handle;
	kfunc_module_before_unload = before_unload;
	m->header = (struct bpfhost_extension_header)BPFHOST_MODULE_HEADER;
	m->name = name;
	m->unload = kfunc_module_unload;
	return 0;
}

#endif /* BPFHOST_TEST_KFUNC_MODULE_H */
