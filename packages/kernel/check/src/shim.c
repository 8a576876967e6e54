// SPDX-License-Identifier: MIT
/*
 * The shim: the kit library is itself an extension module. The core loads
 * it (bpfhost_extension_load of the library's own path), and its entry
 * loads the module under test with a registrar of its own. Map providers
 * the module registers are registered with the core under copies of their
 * tables whose callbacks are the kit's: each counts the call, checks its
 * flags and result, keeps the ledger and forwards to the provider. The
 * client table the provider gets is wrapped too: its epoch allocations are
 * the allocations the contract lets the core see, so the kit counts them,
 * can fail any of them, and catches frees of memory it never handed out.
 * Other providers (program types, hooks) are registered unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfhost/bpfhost.h>

#include "check_internal.h"

const char *const kit_cb_name[KIT_CB_COUNT] = {
	"preprocess_map_create", "postprocess_map_delete", "preprocess_associate_program_type",
	"postprocess_map_find_element", "preprocess_map_update_element",
	"preprocess_map_delete_element", "postprocess_map_delete_element", "attach_client",
	"detach_client", "epoch_allocate", "epoch_free",
};

struct kit_shared *kit_shared;
atomic_bool kit_unloaded;
atomic_ulong kit_after_unload;
atomic_ulong kit_provider_allocs;
atomic_ulong kit_fail_alloc_at;
_Thread_local bool kit_in_program;
atomic_bool kit_concurrent;
/* A copy: the module's own string goes with it at dlclose. */
static char module_name[64] = "module";
const char *kit_module_name = module_name;

static const struct bpfhost_registrar *core_reg;
static struct bpfhost_registrar kit_reg;
static const char *target_path;
static void *target_dl;
static struct bpfhost_module target_info;
static struct kit_provider *providers;
static const struct bpfhost_base_map_client_dispatch_table *core_client;

#define ALL_FLAGS                                                                  \
	(BPFHOST_MAP_OPERATION_HELPER | BPFHOST_MAP_OPERATION_UPDATE |            \
	 BPFHOST_MAP_OPERATION_MAP_CLEANUP | BPFHOST_MAP_OPERATION_UNDO)
#define LEAVING (BPFHOST_MAP_OPERATION_UPDATE | BPFHOST_MAP_OPERATION_MAP_CLEANUP)

/* Counts the call; true when it came after the module's unload (then it is not forwarded). */
static bool enter(enum kit_cb cb, uint32_t flags)
{
	atomic_fetch_add_explicit(&kit_shared->calls[cb][flags & (KIT_FLAG_WORDS - 1)], 1, memory_order_relaxed);
	/* For a phase that crashes; a callback on another thread that holds the slot skips it. */
	if (!atomic_flag_test_and_set(&kit_shared->last_call_busy)) {
		snprintf(kit_shared->last_call, sizeof(kit_shared->last_call), "%s (flags 0x%x)",
			 kit_cb_name[cb], flags);
		atomic_flag_clear(&kit_shared->last_call_busy);
	}
	if (atomic_load(&kit_unloaded)) {
		atomic_fetch_add(&kit_after_unload, 1);
		return true;
	}
	return false;
}

static int result(enum kit_cb cb, int err)
{
	if (err > 0)
		kit_fail("%s returned %d, not 0 or a negative errno (the caller gets -EINVAL): "
			 "return -ENOMEM, -EINVAL, ... instead", kit_cb_name[cb], err);
	return err;
}

static void check_flags(enum kit_cb cb, uint32_t flags, uint32_t allowed)
{
	if (flags & ~allowed)
		kit_fail("the core called %s with flags 0x%x (allowed: 0x%x)", kit_cb_name[cb], flags,
			 allowed);
	if ((flags & LEAVING) == LEAVING)
		kit_fail("%s got UPDATE and MAP_CLEANUP together", kit_cb_name[cb]);
	if ((flags & BPFHOST_MAP_OPERATION_UNDO) && !(flags & BPFHOST_MAP_OPERATION_UPDATE))
		kit_fail("%s got UNDO without UPDATE (flags 0x%x)", kit_cb_name[cb], flags);
	if (flags & BPFHOST_MAP_OPERATION_MAP_CLEANUP)
		return;
	if (!!(flags & BPFHOST_MAP_OPERATION_HELPER) != kit_in_program)
		kit_fail("%s had HELPER %s on a %s operation", kit_cb_name[cb],
			 flags & BPFHOST_MAP_OPERATION_HELPER ? "set" : "clear",
			 kit_in_program ? "program" : "user-space");
}

static void hex(const uint8_t *b, size_t n, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", b[i]);
}

static void release(const struct kit_provider *p, enum kit_cb cb, void *mctx, size_t ksz, const uint8_t *key, size_t vsz,
		    const uint8_t *val, uint32_t flags)
{
	char k[40], v[40];

	/* Without update pre-processing the kit never sees what was stored. */
	if (!p->has_update)
		return;
	if (ledger_release(mctx, key, ksz, val, vsz))
		return;
	hex(key, ksz < 16 ? ksz : 16, k, sizeof(k));
	hex(val, vsz < 16 ? vsz : 16, v, sizeof(v));
	kit_fail("%s (flags 0x%x) got a value that was never stored for key %s, or was already "
		 "released (value %s%s): every prepared value must leave exactly once",
		 kit_cb_name[cb], flags, k, v, vsz > 16 ? "..." : "");
}

static int w_create(void *b, uint32_t map_type, uint32_t key_size, uint32_t value_size,
		    uint32_t max_entries, uint32_t *actual, void **mctx)
{
	struct kit_provider *p = b;
	int err;

	if (enter(KIT_CREATE, 0))
		return -ENODEV;
	err = result(KIT_CREATE, p->orig.preprocess_map_create(p->binding, map_type, key_size,
							       value_size, max_entries, actual, mctx));
	if (!err && *mctx)
		ledger_map_created(*mctx, p->base, key_size, max_entries, *actual);
	return err;
}

static void w_map_delete(void *b, void *mctx)
{
	struct kit_provider *p = b;
	unsigned long left, zeros;

	if (enter(KIT_MAP_DELETE, 0))
		return;
	if (!ledger_map_deleted(mctx))
		kit_fail("postprocess_map_delete for a map context %p that no successful create "
			 "returned, or that was already deleted", mctx);
	/* Last map with this context: nothing of it may be left prepared. */
	if (!ledger_maps_with(mctx)) {
		left = ledger_purge(mctx, &zeros);
		/* An array whose storage failed after create never had elements to clean. */
		if (p->base != BPFHOST_BASE_MAP_TYPE_ARRAY)
			left += zeros;
		if (left)
			kit_fail("postprocess_map_delete came with %lu stored value%s that never reached "
				 "a MAP_CLEANUP delete callback", left, left == 1 ? "" : "s");
	}
	p->orig.postprocess_map_delete(p->binding, mctx);
}

static int w_associate(void *b, void *mctx, uint32_t program_type)
{
	struct kit_provider *p = b;

	if (enter(KIT_ASSOCIATE, 0))
		return -ENODEV;
	return result(KIT_ASSOCIATE,
		      p->orig.preprocess_associate_program_type(p->binding, mctx, program_type));
}

static int w_find(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t in_size,
		  const uint8_t *in, size_t out_size, uint8_t *out, uint32_t flags)
{
	struct kit_provider *p = b;

	if (enter(KIT_FIND, flags))
		return -ENODEV;
	check_flags(KIT_FIND, flags, BPFHOST_MAP_OPERATION_HELPER);
	if (p->uov && !p->programs_read && kit_in_program)
		kit_fail("postprocess_map_find_element called from a program on a map whose "
			 "provider updates_original_value");
	return result(KIT_FIND, p->orig.postprocess_map_find_element(p->binding, mctx, ksz, key,
								     in_size, in, out_size, out,
								     flags));
}

static int w_update(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t in_size,
		    const uint8_t *in, size_t out_size, uint8_t *out, uint32_t flags)
{
	struct kit_provider *p = b;
	int err;

	if (enter(KIT_UPDATE, flags))
		return -ENODEV;
	check_flags(KIT_UPDATE, flags, BPFHOST_MAP_OPERATION_HELPER);
	if (p->uov && kit_in_program)
		kit_fail("preprocess_map_update_element called from a program on a map whose "
			 "provider updates_original_value");
	err = result(KIT_UPDATE, p->orig.preprocess_map_update_element(p->binding, mctx, ksz, key,
								       in_size, in, out_size, out,
								       flags));
	if (!err)
		ledger_prepare(mctx, key, ksz, p->uov ? out : in, p->uov ? out_size : in_size);
	return err;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int w_update_v2(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t in_size,
		       const uint8_t *in, size_t stored_size, const uint8_t *stored, size_t out_size,
		       uint8_t *out, uint32_t flags)
{
	struct kit_provider *p = b;
	uint32_t actual;
	int err;

	if (enter(KIT_UPDATE, flags))
		return -ENODEV;
	check_flags(KIT_UPDATE, flags, BPFHOST_MAP_OPERATION_HELPER);
	if (p->uov && kit_in_program)
		kit_fail("preprocess_map_update_element_v2 called from a program on a map whose "
			 "provider updates_original_value");
	atomic_fetch_add(stored ? &kit_shared->stored_given : &kit_shared->stored_null, 1);
	actual = ledger_actual_value_size(mctx);
	if (stored && stored_size != actual)
		kit_fail("preprocess_map_update_element_v2 got a stored value of %zu bytes, not "
			 "actual_value_size %u", stored_size, actual);
	else if (!stored && p->base == BPFHOST_BASE_MAP_TYPE_ARRAY)
		kit_fail("preprocess_map_update_element_v2 got no stored value on an array base (its "
			 "elements always exist)");
	/* Without other writers (all phases but the stress one) it is what the key holds. */
	else if (stored && !atomic_load(&kit_concurrent) && !ledger_holds(mctx, key, ksz, stored, stored_size) &&
		 !(p->base == BPFHOST_BASE_MAP_TYPE_ARRAY && all_zero(stored, stored_size)))
		kit_fail("preprocess_map_update_element_v2 got a stored value the key does not hold "
			 "(never prepared for it, or already released)");
	err = result(KIT_UPDATE, p->orig.preprocess_map_update_element_v2(p->binding, mctx, ksz, key,
									  in_size, in, stored_size,
									  stored, out_size, out, flags));
	if (!err)
		ledger_prepare(mctx, key, ksz, p->uov ? out : in, p->uov ? out_size : in_size);
	return err;
}

static void check_undo(const struct kit_provider *p, enum kit_cb cb, uint32_t flags)
{
	if ((flags & BPFHOST_MAP_OPERATION_UNDO) && !p->v2)
		kit_fail("%s got UNDO, but the provider's table is contract v1", kit_cb_name[cb]);
}

static int w_pre_delete(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t vsz,
			const uint8_t *val, uint32_t flags)
{
	struct kit_provider *p = b;
	int err;

	if (enter(KIT_PRE_DELETE, flags))
		return -ENODEV;
	check_flags(KIT_PRE_DELETE, flags, ALL_FLAGS);
	check_undo(p, KIT_PRE_DELETE, flags);
	/* Checked first: the provider may release what the value refers to. */
	if (flags & LEAVING)
		release(p, KIT_PRE_DELETE, mctx, ksz, key, vsz, val, flags);
	err = result(KIT_PRE_DELETE,
		     p->orig.preprocess_map_delete_element(p->binding, mctx, ksz, key, vsz, val, flags));
	if (!(flags & LEAVING) && !err)
		release(p, KIT_PRE_DELETE, mctx, ksz, key, vsz, val, flags);
	return err;
}

static void w_post_delete(void *b, void *mctx, size_t ksz, const uint8_t *key, size_t vsz,
			  const uint8_t *val, uint32_t flags)
{
	struct kit_provider *p = b;

	if (enter(KIT_POST_DELETE, flags))
		return;
	check_flags(KIT_POST_DELETE, flags, ALL_FLAGS);
	check_undo(p, KIT_POST_DELETE, flags);
	release(p, KIT_POST_DELETE, mctx, ksz, key, vsz, val, flags);
	p->orig.postprocess_map_delete_element(p->binding, mctx, ksz, key, vsz, val, flags);
}

/* ------------------------------------------------ the client table, wrapped */

static void *allocate(size_t size, uint32_t tag, bool aligned)
{
	unsigned long n;
	void *m;

	if (enter(KIT_EPOCH_ALLOC, 0))
		return NULL;
	n = atomic_fetch_add(&kit_provider_allocs, 1) + 1;
	if (n == atomic_load(&kit_fail_alloc_at))
		return NULL;
	m = aligned ? core_client->epoch_allocate_cache_aligned(size, tag)
		    : core_client->epoch_allocate(size, tag);
	if (m)
		ledger_alloc(m, size, aligned);
	return m;
}

static void *w_alloc(size_t size, uint32_t tag)
{
	return allocate(size, tag, false);
}

static void *w_alloc_aligned(size_t size, uint32_t tag)
{
	return allocate(size, tag, true);
}

static void release_memory(void *m, bool aligned)
{
	int r;

	if (enter(KIT_EPOCH_FREE, 0) || !m)
		return;
	r = ledger_free(m, aligned);
	if (r == -1) {
		kit_fail("epoch_free%s(%p): not memory epoch_allocate handed out, or freed twice "
			 "(the core would abort the process)", aligned ? "_cache_aligned" : "", m);
		return;
	}
	if (r == -2) {
		kit_fail("epoch_free%s(%p) of memory from epoch_allocate%s: pair the variants",
			 aligned ? "_cache_aligned" : "", m, aligned ? "" : "_cache_aligned");
		return;
	}
	if (aligned)
		core_client->epoch_free_cache_aligned(m);
	else
		core_client->epoch_free(m);
}

static void w_free(void *m)
{
	release_memory(m, false);
}

static void w_free_aligned(void *m)
{
	release_memory(m, true);
}

static int w_attach(void *provider_context, const bpfhost_guid_t *client_module_id,
		    const void *client_data, void **binding_context)
{
	struct kit_provider *p = provider_context;
	const struct bpfhost_map_client_data *cd = client_data;
	int err;

	if (enter(KIT_ATTACH, 0))
		return -ENODEV;
	core_client = cd->base_client_table;
	p->core_client = core_client;
	memcpy(&p->client_data, cd, sizeof(p->client_data));
	memcpy(&p->client, core_client, sizeof(p->client));
	p->client.epoch_allocate = w_alloc;
	p->client.epoch_allocate_cache_aligned = w_alloc_aligned;
	p->client.epoch_free = w_free;
	p->client.epoch_free_cache_aligned = w_free_aligned;
	p->client_data.base_client_table = &p->client;
	err = result(KIT_ATTACH, p->orig_attach(p->orig_provider_context, client_module_id,
						&p->client_data, &p->binding));
	if (!err)
		*binding_context = p;
	return err;
}

static void w_detach(void *binding_context)
{
	struct kit_provider *p = binding_context;

	if (enter(KIT_DETACH, 0))
		return;
	if (p->orig_detach)
		p->orig_detach(p->binding);
}

/* ---------------------------------------------------------- the registrar */

static bool same_guid(const bpfhost_guid_t *a, const bpfhost_guid_t *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Copies a versioned struct the module made into the kit's (zeroed) copy. */
static void copy_versioned(void *dst, const void *src, size_t ours_current)
{
	const struct bpfhost_extension_header *h = src;
	struct bpfhost_extension_header *d = dst;
	size_t n = h->size < ours_current ? h->size : ours_current;

	memcpy(dst, src, n);
	d->size = n;
	d->total_size = ours_current;
}

static int kit_register(void *ctx, const struct bpfhost_provider_characteristics *c,
			void *provider_context, void **registration)
{
	const bpfhost_guid_t map_npi = BPFHOST_NPI_MAP_INFO;
	const struct bpfhost_map_provider_data *d;
	struct kit_provider *p;
	int err;

	(void)ctx;
	d = c ? c->npi_specific_characteristics : NULL;
	/* Not a map provider, or one the core will refuse anyway: as it is. */
	if (!c || !same_guid(&c->npi_id, &map_npi) || !d || !d->base_properties ||
	    !d->base_provider_table || c->header.size < BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION_SIZE ||
	    !c->attach_client)
		return core_reg->register_provider(core_reg->registrar_context, c, provider_context,
						   registration);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	copy_versioned(&p->chars, c, BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION_SIZE);
	copy_versioned(&p->data, d, BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION_SIZE);
	copy_versioned(&p->props, d->base_properties,
		       BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION_SIZE);
	copy_versioned(&p->orig, d->base_provider_table,
		       BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE);
	p->map_type = p->data.map_type;
	p->base = p->data.base_map_type;
	p->uov = p->props.updates_original_value;
	p->programs_read = p->uov && p->props.programs_read;
	p->has_pre_delete = p->orig.preprocess_map_delete_element != NULL;
	p->has_find = p->orig.postprocess_map_find_element != NULL;
	p->stored_arg = p->orig.preprocess_map_update_element_v2 != NULL;
	p->has_update = p->orig.preprocess_map_update_element != NULL || p->stored_arg;
	p->v2 = p->orig.header.size >= BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE;
	/* The same callbacks set and unset: the core's checks see the module's table. */
	p->wrap = p->orig;
#define WRAP(field, fn) p->wrap.field = p->orig.field ? fn : NULL
	WRAP(preprocess_map_create, w_create);
	WRAP(postprocess_map_delete, w_map_delete);
	WRAP(preprocess_associate_program_type, w_associate);
	WRAP(postprocess_map_find_element, w_find);
	WRAP(preprocess_map_update_element, w_update);
	WRAP(preprocess_map_update_element_v2, w_update_v2);
	WRAP(preprocess_map_delete_element, w_pre_delete);
	WRAP(postprocess_map_delete_element, w_post_delete);
#undef WRAP
	p->data.base_properties = &p->props;
	p->data.base_provider_table = &p->wrap;
	p->orig_attach = p->chars.attach_client;
	p->orig_detach = p->chars.detach_client;
	p->orig_provider_context = provider_context;
	p->chars.npi_specific_characteristics = &p->data;
	p->chars.attach_client = w_attach;
	p->chars.detach_client = w_detach;
	err = core_reg->register_provider(core_reg->registrar_context, &p->chars, p,
					  &p->core_registration);
	if (err) {
		free(p);
		return err;
	}
	p->next = providers;
	providers = p;
	*registration = p;
	return 0;
}

static void kit_deregister(void *registration)
{
	for (struct kit_provider *p = providers; p; p = p->next)
		if (p == registration) {
			if (p->core_registration)
				core_reg->deregister_provider(p->core_registration);
			p->core_registration = NULL;
			return;
		}
	core_reg->deregister_provider(registration);
}

static void kit_unload(void *module_context)
{
	(void)module_context;
	if (target_info.unload)
		target_info.unload(target_info.module_context);
	for (struct kit_provider *p = providers; p; p = p->next)
		if (p->core_registration)
			kit_fail("the module's unload did not deregister map type %u: the core detached "
				 "it after the module's code had run its unload", p->map_type);
	atomic_store(&kit_unloaded, true);
}

BPFHOST_EXTENSION_EXPORT int bpfhost_extension_entry(const struct bpfhost_registrar *registrar,
						     struct bpfhost_module *module)
{
	bpfhost_extension_entry_t entry;
	char msg[512];
	int err;

	core_reg = registrar;
	memcpy(&kit_reg, registrar, sizeof(kit_reg));
	kit_reg.register_provider = kit_register;
	kit_reg.deregister_provider = kit_deregister;
	target_dl = dlopen(target_path, RTLD_NOW | RTLD_LOCAL);
	if (!target_dl) {
		snprintf(msg, sizeof(msg), "bpfhost-check: cannot load '%s': %s", target_path, dlerror());
		registrar->log(0, msg);
		return -ENOEXEC;
	}
	entry = (bpfhost_extension_entry_t)dlsym(target_dl, BPFHOST_EXTENSION_ENTRY);
	if (!entry) {
		snprintf(msg, sizeof(msg), "bpfhost-check: '%s' does not export %s()", target_path,
			 BPFHOST_EXTENSION_ENTRY);
		registrar->log(0, msg);
		return -ENOEXEC;
	}
	memset(&target_info, 0, sizeof(target_info));
	target_info.header.version = BPFHOST_MODULE_CURRENT_VERSION;
	target_info.header.size = BPFHOST_MODULE_CURRENT_VERSION_SIZE;
	target_info.header.total_size = sizeof(target_info);
	err = entry(&kit_reg, &target_info);
	if (err)
		return err;
	if (target_info.name)
		snprintf(module_name, sizeof(module_name), "%s", target_info.name);
	module->header = (struct bpfhost_extension_header)BPFHOST_MODULE_HEADER;
	module->name = kit_module_name;
	module->module_context = NULL;
	module->unload = kit_unload;
	return 0;
}

int kit_load(const char *module_path, char *why, size_t why_len)
{
	Dl_info self;
	int handle;

	why[0] = 0;
	if (!dladdr((void *)kit_load, &self) || !self.dli_fname) {
		snprintf(why, why_len, "the kit cannot find its own library (dladdr)");
		return -ENOEXEC;
	}
	target_path = module_path;
	handle = bpfhost_extension_load(self.dli_fname);
	if (handle < 0)
		snprintf(why, why_len, "%s", bpfhost_last_error());
	return handle;
}

struct kit_provider *kit_find_provider(uint32_t map_type)
{
	for (struct kit_provider *p = providers; p; p = p->next)
		if (p->map_type == map_type)
			return p;
	return NULL;
}

void kit_list_map_types(char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (struct kit_provider *p = providers; p && o + 12 < len; p = p->next)
		o += (size_t)snprintf(out + o, len - o, "%s%u", o ? ", " : "", p->map_type);
	if (!o)
		snprintf(out, len, "none");
}

void kit_close_target(void)
{
	if (target_dl)
		dlclose(target_dl);
	target_dl = NULL;
}
