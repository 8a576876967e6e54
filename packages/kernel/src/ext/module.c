// SPDX-License-Identifier: MIT
/*
 * Loading and unloading extension modules. A module is a shared object
 * exporting bpfhost_extension_entry(); its entry registers providers, its
 * unload callback deregisters them. Unloading never waits on user handles:
 * it refuses (-EBUSY) while maps of its types live, or, forced, cleans
 * them up through the provider and leaves them orphaned (-ENODEV).
 */
#include "registrar.h"
#include "kfunc.h"
#include "../prog/prog_type.h"

static struct bh_module *modules;
static int next_handle = 1;

static struct bh_module *find_module(int handle)
{
	for (struct bh_module *m = modules; m; m = m->next)
		if (m->handle == handle)
			return m;
	return NULL;
}

static void module_free(struct bh_module *m)
{
	if (m->dl)
		plat_module_close(m->dl);
	plat_free(m);
}

static void basename_of(const char *path, char *out, size_t len)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			b = p + 1;
	plat_snprintf(out, len, "%s", b);
}

int bpfhost_extension_load(const char *path)
{
	struct bpfhost_module info;
	bpfhost_extension_entry_t entry;
	struct bh_module *m;
	char why[256];
	bool entry_ok = false;
	int err = 0;

	bh_err_clear();
	if (!path || !*path)
		return bh_err(-EINVAL, "bpfhost_extension_load: path is NULL or empty");
	if (epoch_in())
		return bh_err(-EINVAL, "bpfhost_extension_load: called inside an epoch");
	m = plat_alloc(sizeof(*m));
	if (!m)
		return bh_err(-ENOMEM, "bpfhost_extension_load: out of memory for module '%s'", path);
	plat_snprintf(m->path, sizeof(m->path), "%s", path);
	basename_of(path, m->name, sizeof(m->name));
	m->dl = plat_module_open(path, why, sizeof(why), &err);
	if (!m->dl) {
		plat_free(m);
		return bh_err(err ? err : -ENOEXEC, "bpfhost_extension_load: cannot load '%s': %s", path, why);
	}
	entry = (bpfhost_extension_entry_t)plat_module_symbol(m->dl, BPFHOST_EXTENSION_ENTRY);
	if (!entry) {
		module_free(m);
		return bh_err(-ENOEXEC, "bpfhost_extension_load: '%s' does not export %s()", path,
			      BPFHOST_EXTENSION_ENTRY);
	}

	bh_registrar_lock();
	m->handle = next_handle++;
	m->next = modules;
	modules = m;
	bh_registrar_unlock();

	bh_registrar_for_module(m, &m->registrar);
	/* The header tells the module how much of the struct this core has. */
	plat_memset(&info, 0, sizeof(info));
	info.header.version = BPFHOST_MODULE_CURRENT_VERSION;
	info.header.size = BPFHOST_MODULE_CURRENT_VERSION_SIZE;
	info.header.total_size = sizeof(info);
	err = entry(&m->registrar, &info);
	entry_ok = !err;
	if (!err)
		err = bh_ext_copy_versioned(m, "bpfhost_module", &info, BPFHOST_MODULE_CURRENT_VERSION,
					    BPFHOST_MODULE_CURRENT_VERSION_SIZE, &m->info, sizeof(m->info));
	if (!err && info.name)
		plat_snprintf(m->name, sizeof(m->name), "%s", info.name);
	if (err) {
		char msg[512];

		plat_snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
		if (entry_ok && info.unload)
			info.unload(info.module_context);
		bh_registrar_remove_module_providers(m);
		bh_registrar_lock();
		for (struct bh_module **l = &modules; *l; l = &(*l)->next)
			if (*l == m) {
				*l = m->next;
				break;
			}
		bh_registrar_unlock();
		epoch_synchronize();
		module_free(m);
		if (!msg[0])
			plat_snprintf(msg, sizeof(msg), "entry point returned %d", err);
		return bh_err(err < 0 ? err : -EINVAL, "bpfhost_extension_load: '%s': %s", path, msg);
	}
	return m->handle;
}

/* Waits for map creations and teardowns that are calling into @m. */
static void wait_idle(struct bh_module *m)
{
	while (atomic_load(&m->busy))
		plat_yield();
}

int bpfhost_extension_unload(int handle, unsigned int flags)
{
	struct bh_module *m;
	char names[512], knames[256];
	int n, progs, kprogs;

	bh_err_clear();
	if (flags & ~BPFHOST_UNLOAD_FORCE)
		return bh_err(-EINVAL, "bpfhost_extension_unload: unknown flags 0x%x", flags);
	if (epoch_in())
		return bh_err(-EINVAL, "bpfhost_extension_unload: called inside an epoch");
	/* Maps already closed may still wait for a grace period: let them go. */
	epoch_synchronize();

	bh_registrar_lock();
	m = find_module(handle);
	if (!m || m->unloading) {
		bh_registrar_unlock();
		return bh_err(-EBADF, "bpfhost_extension_unload: module handle %d is not loaded", handle);
	}
	/* From here no new map of its types is created. */
	m->unloading = true;
	bh_registrar_unlock();
	wait_idle(m);

	bh_registrar_lock();
	n = bh_custom_maps_of_module(m, names, sizeof(names));
	if (n > 0 && !(flags & BPFHOST_UNLOAD_FORCE)) {
		m->unloading = false;
		bh_registrar_unlock();
		return bh_err(-EBUSY, "bpfhost_extension_unload: module '%s' still provides %d map%s: %s",
			      m->name, n, n == 1 ? "" : "s", names);
	}
	progs = bh_prog_types_busy(m, names, sizeof(names));
	kprogs = bh_kfuncs_busy(m, knames, sizeof(knames));
	if ((progs > 0 || kprogs > 0) && !(flags & BPFHOST_UNLOAD_FORCE)) {
		m->unloading = false;
		bh_registrar_unlock();
		return bh_err(-EBUSY, "bpfhost_extension_unload: module '%s' still runs %s%s%s", m->name,
			      names, progs > 0 && kprogs > 0 ? ", " : "", knames);
	}
	bh_registrar_unlock();

	/* Programs of its types, and those calling its kfuncs, stop running before its code goes. */
	if (progs > 0)
		bh_prog_types_orphan(m);
	if (kprogs > 0)
		bh_kfuncs_orphan(m);
	/* Clean the maps up through the provider while its code is still mapped. */
	if (n > 0)
		bh_custom_maps_orphan(m);
	wait_idle(m);

	if (m->info.unload)
		m->info.unload(m->info.module_context);
	bh_registrar_remove_module_providers(m);

	bh_registrar_lock();
	for (struct bh_module **l = &modules; *l; l = &(*l)->next)
		if (*l == m) {
			*l = m->next;
			break;
		}
	bh_registrar_unlock();
	/* No thread can still be inside the module's code past this. */
	epoch_synchronize();
	module_free(m);
	return 0;
}
