/* SPDX-License-Identifier: MIT */
/*
 * The module registrar: extension modules, their provider registrations and
 * the bindings the core's clients make to them (the analogue of Windows'
 * NMR). One mutex guards it all: registration and binding are rare.
 */
#ifndef BPFHOST_REGISTRAR_H
#define BPFHOST_REGISTRAR_H

#include "bpfhost/extension.h"
#include "../core/internal.h"

struct bh_module;
struct bh_provider;

/* A core client of one NPI: attaches to every provider of it. */
struct bh_client {
	const char *name;
	bpfhost_guid_t npi_id;
	/* Validates the provider and binds to it; a negative errno refuses it. */
	int (*attach_provider)(struct bh_provider *provider);
	/* The provider leaves (its module unloads): forget it. */
	void (*detach_provider)(struct bh_provider *provider);
};

struct bh_provider {
	struct bh_provider *next;		/* in its module */
	struct bh_module *module;
	struct bpfhost_provider_characteristics chars;	/* zero-extended copy */
	void *provider_context;
	void *binding_context;			/* from the provider's attach_client */
	bool bound;
	void *client_state;			/* the client's per-provider state */
};

struct bh_module {
	struct bh_module *next;
	int handle;
	char name[64];
	char path[256];
	void *dl;				/* platform module handle */
	struct bpfhost_module info;		/* zero-extended copy of what entry filled */
	struct bpfhost_registrar registrar;	/* handed to the module; lives as long as it */
	struct bh_provider *providers;
	bool unloading;
	atomic_int busy;			/* provider calls outside any map op (cleanup) */
};

/* The registrar mutex: held while walking modules, providers, type tables. */
void bh_registrar_lock(void);
void bh_registrar_unlock(void);

/*
 * Validates a versioned header: @what names the struct for messages.
 * Copies min(size, @local_size) bytes of @src into zeroed @dst.
 */
int bh_ext_copy_versioned(const struct bh_module *module, const char *what, const void *src,
			  uint16_t version, size_t v1_size, void *dst, size_t local_size);

/* Calls the provider's attach_client with @client_data. */
int bh_provider_bind(struct bh_provider *provider, const bpfhost_guid_t *client_module_id,
		     const void *client_data);

/* Fills the registrar table a module's entry point gets. */
void bh_registrar_for_module(struct bh_module *module, struct bpfhost_registrar *reg);
/* Detaches whatever @module left registered. */
void bh_registrar_remove_module_providers(struct bh_module *module);

/* The core's module id (the client side of every binding). */
extern const bpfhost_guid_t bh_core_module_id;

/* Clients the core runs (custom_map.c, later programs and hooks). */
extern const struct bh_client bh_custom_map_client;
extern const struct bh_client bh_prog_info_client;	/* prog/prog_type.c */
extern const struct bh_client bh_hook_client;		/* prog/link.c */
extern const struct bh_client bh_kfunc_client;		/* kfunc.c */

/* Forced unload support (custom_map.c): orphans the module's maps. */
int bh_custom_maps_of_module(struct bh_module *module, char *names, size_t len);
void bh_custom_maps_orphan(struct bh_module *module);

#endif /* BPFHOST_REGISTRAR_H */
