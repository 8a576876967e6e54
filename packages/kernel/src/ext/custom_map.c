// SPDX-License-Identifier: MIT
/*
 * Custom maps: map types implemented by an extension's map information
 * provider over core-owned storage (custom_hash.c, custom_array.c). This
 * file registers the types (the core's client of the map information NPI),
 * creates and tears maps down through the provider, and orphans the maps of
 * a module unloaded by force. The core calls the element callbacks with the
 * flags of the peer's matrix: HELPER from programs, UPDATE for displaced or
 * undone values, MAP_CLEANUP on teardown.
 */
#include "custom_map_internal.h"

static struct custom_type *types;

int custom_orphan_check(struct custom_common *c)
{
	if (unlikely(atomic_load_explicit(&c->orphaned, memory_order_acquire)))
		return bh_map_err(-ENODEV, c->map, "the module providing this custom map was unloaded");
	return 0;
}

int custom_cb_err(struct custom_common *c, const char *callback, int err)
{
	const char *mod = c->type->module ? c->type->module->name : "?";

	if (err > 0)
		return bh_err(-EINVAL, "map '%s' (id %u): provider '%s' %s returned %d, not a negative errno",
			      c->map->name, c->map->obj.id, mod, callback, err);
	return bh_err(err, "map '%s' (id %u): provider '%s' %s failed with %s", c->map->name,
		      c->map->obj.id, mod, callback, bh_errno_name(err));
}

void custom_notify_gone(struct custom_common *c, const void *key, const void *stored, uint32_t flags)
{
	void *mctx = c->map->custom_map_context;

	if (c->table->postprocess_map_delete_element)
		c->table->postprocess_map_delete_element(c->binding_context, mctx, c->map->key_size, key,
							 c->actual_value_size, stored, flags);
	else
		(void)c->table->preprocess_map_delete_element(c->binding_context, mctx, c->map->key_size,
							      key, c->actual_value_size, stored, flags);
}

int custom_call_find(struct custom_common *c, const void *key, const void *stored, void *out,
		     bool helper)
{
	int err;

	if (!c->table->postprocess_map_find_element)
		return 0;
	err = c->table->postprocess_map_find_element(c->binding_context, c->map->custom_map_context,
						     c->map->key_size, key, c->actual_value_size, stored,
						     c->uov ? c->map->value_size : 0, c->uov ? out : NULL,
						     custom_helper_flag(helper));
	return err ? custom_cb_err(c, "postprocess_map_find_element", err) : 0;
}

int custom_call_update(struct custom_common *c, const void *key, const void *value, const void *stored,
		       void *out, bool helper)
{
	struct bh_map *map = c->map;
	uint32_t out_size = c->uov ? c->actual_value_size : 0;
	int err;

	if (!c->uov)
		out = NULL;
	if (c->table->preprocess_map_update_element_v2)
		err = c->table->preprocess_map_update_element_v2(c->binding_context, map->custom_map_context,
								 map->key_size, key, map->value_size, value,
								 stored ? c->actual_value_size : 0, stored,
								 out_size, out, custom_helper_flag(helper));
	else if (c->table->preprocess_map_update_element)
		err = c->table->preprocess_map_update_element(c->binding_context, map->custom_map_context,
							      map->key_size, key, map->value_size, value,
							      out_size, out, custom_helper_flag(helper));
	else
		return 0;
	return err ? custom_cb_err(c, c->stored_arg ? "preprocess_map_update_element_v2" :
				   "preprocess_map_update_element", err) : 0;
}

void *custom_program_read(struct custom_common *c, const void *key, const void *stored)
{
	/* Retired at once: epoch memory outlives every reader inside the epoch, so the whole run. */
	void *buf = epoch_alloc(c->map->value_size);

	if (!buf) {
		bh_map_err(-ENOMEM, c->map, "out of memory for the value a program reads");
		return NULL;
	}
	plat_memset(buf, 0, c->map->value_size);
	if (custom_call_find(c, key, stored, buf, true)) {
		epoch_free(buf);
		return NULL;
	}
	epoch_free(buf);
	return buf;
}

int custom_check_update_flags(struct bh_map *map, uint64_t flags)
{
	if (unlikely(flags > BPF_EXIST))
		return bh_map_err(-EINVAL, map, "update flags other than BPF_ANY/NOEXIST/EXIST");
	return 0;
}

/* Storage checks the core makes whatever the provider says (the peer skips them). */
static int check_base(const union bpf_attr *attr, const struct custom_base *base)
{
	int err = bh_map_check_sizes(attr, "custom", BPF_F_NO_PREALLOC | BPF_F_RDONLY | BPF_F_WRONLY |
				     BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED);

	if (err)
		return err;
	if (attr->value_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: custom map needs value_size > 0");
	return base->check(attr);
}

/* Registrar lock held. */
static void type_put(struct custom_type *t)
{
	if (--t->refs == 0 && !t->provider)
		plat_free(t);
}

static void list_remove(struct custom_common *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->type->maps = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

struct bh_map *bh_custom_map_alloc(const union bpf_attr *attr)
{
	struct custom_type *t;
	struct custom_common *c;
	void *binding_context, *map_context = NULL;
	uint32_t actual = attr->value_size;
	int err;

	bh_registrar_lock();
	for (t = types; t; t = t->next)
		if (t->map_type == attr->map_type && t->provider)
			break;
	if (!t) {
		bh_registrar_unlock();
		return ERR_PTR(bh_err(-EOPNOTSUPP, "BPF_MAP_CREATE: no extension provides map type %u",
				      attr->map_type));
	}
	if (t->module->unloading) {
		bh_registrar_unlock();
		return ERR_PTR(bh_err(-ENODEV, "BPF_MAP_CREATE: module '%s' providing map type %u is "
				      "unloading", t->module->name, attr->map_type));
	}
	/* Pin the module: an unload now waits for us (busy) or sees the map. */
	atomic_fetch_add(&t->module->busy, 1);
	t->refs++;
	binding_context = t->provider->binding_context;
	bh_registrar_unlock();

	err = check_base(attr, t->base);
	if (err)
		goto fail_ref;
	err = t->table.preprocess_map_create(binding_context, attr->map_type, attr->key_size,
					     attr->value_size, attr->max_entries, &actual, &map_context);
	if (err) {
		err = bh_err(err > 0 ? -EINVAL : err, "BPF_MAP_CREATE: map '%s': provider '%s' "
			     "preprocess_map_create failed with %s", attr->map_name, t->module->name,
			     bh_errno_name(err));
		goto fail_ref;
	}
	if (!map_context)
		err = bh_err(-EINVAL, "BPF_MAP_CREATE: map '%s': provider '%s' preprocess_map_create "
			     "returned a NULL map context", attr->map_name, t->module->name);
	else if (actual == 0)
		err = bh_err(-EINVAL, "BPF_MAP_CREATE: map '%s': provider '%s' asked for "
			     "actual_value_size 0", attr->map_name, t->module->name);
	else if (!t->props.updates_original_value && actual != attr->value_size)
		err = bh_err(-EINVAL, "BPF_MAP_CREATE: map '%s': provider '%s' asked for "
			     "actual_value_size %u != value_size %u without updates_original_value",
			     attr->map_name, t->module->name, actual, attr->value_size);
	else if (actual > BH_MAP_MAX_VALUE_SIZE)
		err = bh_err(-E2BIG, "BPF_MAP_CREATE: map '%s': provider '%s' asked for "
			     "actual_value_size %u", attr->map_name, t->module->name, actual);
	if (err)
		goto fail_provider;
	c = t->base->alloc(attr, actual);
	if (!c) {
		err = bh_err(-ENOMEM, "BPF_MAP_CREATE: map '%s': out of memory for custom map storage",
			     attr->map_name);
		goto fail_provider;
	}
	c->type = t;
	c->base = t->base;
	c->table = &t->table;
	c->binding_context = binding_context;
	c->uov = t->props.updates_original_value;
	c->v2 = t->table.header.size >= BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE;
	c->stored_arg = t->table.preprocess_map_update_element_v2 != NULL;
	c->programs_read = t->props.programs_read;
	c->actual_value_size = actual;
	c->map->custom_map_context = map_context;
	plat_memcpy(c->map->name, attr->map_name, sizeof(c->map->name));
	/* Unload cannot see it until bh_map_create() is done with it (custom_map_created). */
	c->state = CUSTOM_CREATING;
	return c->map;

fail_provider:
	if (map_context)
		t->table.postprocess_map_delete(binding_context, map_context);
fail_ref:
	bh_registrar_lock();
	atomic_fetch_sub(&t->module->busy, 1);
	type_put(t);
	bh_registrar_unlock();
	return ERR_PTR(err);
}

static void run_cleanup(struct custom_common *c)
{
	c->base->cleanup(c);
	c->table->postprocess_map_delete(c->binding_context, c->map->custom_map_context);
	c->map->custom_map_context = NULL;
}

/* The map is fully built and published: from now on an unload sees it. */
void custom_map_created(struct bh_map *map)
{
	struct custom_common *c = custom_of(map);
	struct custom_type *t = c->type;

	bh_registrar_lock();
	c->state = CUSTOM_LIVE;
	c->next = t->maps;
	if (t->maps)
		t->maps->prev = c;
	t->maps = c;
	atomic_fetch_sub(&t->module->busy, 1);
	bh_registrar_unlock();
}

/* The last reference is gone and no reader remains (outside epoch). */
void custom_map_free(struct bh_map *map)
{
	struct custom_common *c = custom_of(map);
	struct bh_module *module = NULL;
	bool live;

	bh_registrar_lock();
	while (c->cleaning) {
		bh_registrar_unlock();
		plat_yield();
		bh_registrar_lock();
	}
	live = c->state != CUSTOM_ORPHANED;
	if (c->state == CUSTOM_CREATING) {
		/* Never published: it still holds its module busy from creation. */
		module = c->type->module;
	} else if (live) {
		/* Only a live map's module is sure to be loaded. */
		list_remove(c);
		module = c->type->module;
		atomic_fetch_add(&module->busy, 1);
	} else {
		list_remove(c);
	}
	bh_registrar_unlock();

	if (live) {
		/* Epoch: providers may use find_element and epoch memory here. */
		epoch_enter();
		run_cleanup(c);
		epoch_exit();
	}

	bh_registrar_lock();
	if (live)
		atomic_fetch_sub(&module->busy, 1);
	type_put(c->type);
	bh_registrar_unlock();
	c->base->free(c);
}

/* Called with the registrar lock held: the module's live maps, named. */
int bh_custom_maps_of_module(struct bh_module *module, char *names, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		names[0] = 0;
	for (struct custom_type *t = types; t; t = t->next) {
		if (t->module != module)
			continue;
		for (struct custom_common *c = t->maps; c; c = c->next) {
			if (c->state != CUSTOM_LIVE)
				continue;
			n++;
			if (used < len)
				used += (size_t)plat_snprintf(names + used, len - used, "%s'%s' (id %u, type %u)",
							      n > 1 ? ", " : "", c->map->name,
							      c->map->obj.id, t->map_type);
		}
	}
	return n;
}

/*
 * Forced unload: clean every live map of the module up and orphan it. A
 * victim is held by a reference while it is cleaned: otherwise its last
 * reference could drop meanwhile and the epoch_synchronize below would run
 * its custom_map_free, which waits for the cleaning this thread is doing.
 * A map already dying (no reference left) is not taken: its pending free
 * cleans it up itself, and the epoch_synchronize runs that free.
 */
void bh_custom_maps_orphan(struct bh_module *module)
{
	for (;;) {
		struct custom_common *victim = NULL;
		bool dying = false;

		bh_registrar_lock();
		for (struct custom_type *t = types; t && !victim; t = t->next) {
			if (t->module != module)
				continue;
			for (struct custom_common *c = t->maps; c; c = c->next) {
				if (c->state != CUSTOM_LIVE)
					continue;
				if (bh_object_get_not_zero(&c->map->obj)) {
					victim = c;
					break;
				}
				dying = true;
			}
		}
		if (victim) {
			victim->state = CUSTOM_ORPHANED;
			victim->cleaning = true;
			atomic_store_explicit(&victim->orphaned, true, memory_order_release);
		}
		bh_registrar_unlock();
		if (!victim && !dying)
			return;
		/* Every operation that could still call the provider has finished. */
		epoch_synchronize();
		if (!victim) {
			plat_yield();	/* the dying maps' frees ran here or run on another thread */
			continue;
		}
		bh_log(BPFHOST_WARN, "module '%s' unloaded: map '%s' (id %u) is cleaned up and orphaned\n",
		       module->name, victim->map->name, victim->map->obj.id);
		epoch_enter();
		run_cleanup(victim);
		epoch_exit();
		bh_registrar_lock();
		victim->cleaning = false;
		bh_registrar_unlock();
		bh_object_put(&victim->map->obj);
	}
}

bool bh_custom_map_updates_original_value(struct bh_map *map)
{
	return custom_is_custom(map) && custom_of(map)->uov;
}

bool bh_custom_map_programs_read(struct bh_map *map)
{
	return bh_custom_map_updates_original_value(map) && custom_of(map)->programs_read;
}

int bh_custom_map_associate_program_type(struct bh_map *map, uint32_t program_type)
{
	struct custom_common *c;
	int err;

	if (!custom_is_custom(map))
		return 0;
	c = custom_of(map);
	err = custom_orphan_check(c);
	if (err)
		return err;
	err = c->table->preprocess_associate_program_type(c->binding_context, map->custom_map_context,
							  program_type);
	if (err)
		return bh_err(err > 0 ? -EINVAL : err, "map '%s' (id %u): provider '%s' refuses program "
			      "type %u (%s)", map->name, map->obj.id, c->type->module->name,
			      program_type, bh_errno_name(err));
	return 0;
}

/* ------------------------------------------------- the client side of the NPI */

static int client_find_element(const void *mapp, const uint8_t *key, uint8_t **value)
{
	struct bh_map *map = (struct bh_map *)mapp;
	struct custom_common *c;

	if (!map || !key || !value || !custom_is_custom(map))
		return -EINVAL;
	c = custom_of(map);
	if (atomic_load_explicit(&c->orphaned, memory_order_acquire))
		return -ENODEV;
	return c->base->find(map, key, value);
}

static void *client_epoch_allocate(size_t size, uint32_t tag)
{
	(void)tag;
	return epoch_alloc(size);
}

static void *client_epoch_allocate_aligned(size_t size, uint32_t tag)
{
	(void)tag;
	return epoch_alloc_aligned(size);
}

static const struct bpfhost_base_map_client_dispatch_table client_table = {
	.header = { BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION,
		    BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_base_map_client_dispatch_table) },
	.find_element = client_find_element,
	.epoch_enter = epoch_enter_state,
	.epoch_exit = epoch_exit_state,
	.epoch_allocate = client_epoch_allocate,
	.epoch_allocate_cache_aligned = client_epoch_allocate_aligned,
	.epoch_free = epoch_free,
	.epoch_free_cache_aligned = epoch_free_aligned,
};

static const struct bpfhost_map_client_data client_data = {
	.header = { BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION, BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_map_client_data) },
	.map_context_offset = offsetof(struct bh_map, custom_map_context),
	.base_client_table = &client_table,
};

_Static_assert(sizeof(bpfhost_epoch_state_t) >= EPOCH_STATE_SIZE, "epoch state fits");

#define REQUIRE(field)                                                                         \
	do {                                                                                   \
		if (!t->table.field) {                                                         \
			err = bh_err(-EINVAL, "module '%s': map type %u: "                     \
				     "bpfhost_base_map_provider_dispatch_table." #field " is NULL", \
				     p->module->name, data.map_type);                          \
			goto fail;                                                             \
		}                                                                              \
	} while (0)

/* Registrar lock held. */
static int map_client_attach(struct bh_provider *p)
{
	struct bpfhost_map_provider_data data;
	struct custom_type *t, *other;
	int err;

	err = bh_ext_copy_versioned(p->module, "bpfhost_map_provider_data", p->chars.npi_specific_characteristics,
				    BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION,
				    BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION_SIZE, &data, sizeof(data));
	if (err)
		return err;
	if (data.map_type < BPFHOST_MAP_TYPE_EXT_BASE || data.map_type >= BPFHOST_MAP_TYPE_EXT_LIMIT)
		return bh_err(-EINVAL, "module '%s': bpfhost_map_provider_data.map_type %u is outside "
			      "the custom range [%u, %u)", p->module->name, data.map_type,
			      BPFHOST_MAP_TYPE_EXT_BASE, BPFHOST_MAP_TYPE_EXT_LIMIT);
	if (data.base_map_type != BPFHOST_BASE_MAP_TYPE_HASH &&
	    data.base_map_type != BPFHOST_BASE_MAP_TYPE_ARRAY)
		return bh_err(-EINVAL, "module '%s': map type %u: bpfhost_map_provider_data.base_map_type "
			      "%u is neither hash (1) nor array (2)", p->module->name, data.map_type,
			      data.base_map_type);
	for (other = types; other; other = other->next)
		if (other->map_type == data.map_type && other->provider)
			return bh_err(-EEXIST, "module '%s': map type %u is already provided by module '%s'",
				      p->module->name, data.map_type, other->module->name);

	t = plat_alloc(sizeof(*t));
	if (!t)
		return bh_err(-ENOMEM, "module '%s': out of memory registering map type %u",
			      p->module->name, data.map_type);
	err = bh_ext_copy_versioned(p->module, "bpfhost_base_map_provider_properties", data.base_properties,
				    BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION,
				    BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_V1_SIZE,
				    &t->props, sizeof(t->props));
	if (!err)
		err = bh_ext_copy_versioned(p->module, "bpfhost_base_map_provider_dispatch_table",
					    data.base_provider_table,
					    BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION,
					    BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_V1_SIZE,
					    &t->table, sizeof(t->table));
	if (err)
		goto fail;
	REQUIRE(preprocess_map_create);
	REQUIRE(postprocess_map_delete);
	REQUIRE(preprocess_associate_program_type);
	if (t->table.preprocess_map_delete_element && t->table.postprocess_map_delete_element) {
		err = bh_err(-EINVAL, "module '%s': map type %u: set exactly one of "
			     "preprocess_map_delete_element and postprocess_map_delete_element, not both",
			     p->module->name, data.map_type);
		goto fail;
	}
	if (!t->table.preprocess_map_delete_element && !t->table.postprocess_map_delete_element) {
		err = bh_err(-EINVAL, "module '%s': map type %u: set exactly one of "
			     "preprocess_map_delete_element and postprocess_map_delete_element, neither is set",
			     p->module->name, data.map_type);
		goto fail;
	}
	if (t->table.preprocess_map_update_element && t->table.preprocess_map_update_element_v2) {
		err = bh_err(-EINVAL, "module '%s': map type %u: set at most one of "
			     "preprocess_map_update_element and preprocess_map_update_element_v2, not both",
			     p->module->name, data.map_type);
		goto fail;
	}
	if (t->props.updates_original_value) {
		REQUIRE(postprocess_map_find_element);
		if (!t->table.preprocess_map_update_element && !t->table.preprocess_map_update_element_v2) {
			err = bh_err(-EINVAL, "module '%s': map type %u: "
				     "bpfhost_base_map_provider_dispatch_table.preprocess_map_update_element "
				     "is NULL (updates_original_value needs it, or _v2 in a v2 table)",
				     p->module->name, data.map_type);
			goto fail;
		}
	}
	if (t->props.programs_read && !t->props.updates_original_value) {
		err = bh_err(-EINVAL, "module '%s': map type %u: programs_read is for providers that "
			     "set updates_original_value (programs read other maps already)",
			     p->module->name, data.map_type);
		goto fail;
	}
	if (t->props.programs_read &&
	    t->table.header.size < BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE) {
		err = bh_err(-EINVAL, "module '%s': map type %u: programs_read needs a contract v2 "
			     "dispatch table (header.size %zu, v2 is %zu): build against the current "
			     "extension.h", p->module->name, data.map_type, t->table.header.size,
			     (size_t)BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE);
		goto fail;
	}
	err = bh_provider_bind(p, &bh_core_module_id, &client_data);
	if (err)
		goto fail;
	t->map_type = data.map_type;
	t->base = data.base_map_type == BPFHOST_BASE_MAP_TYPE_HASH ? &custom_hash_base : &custom_array_base;
	t->provider = p;
	t->module = p->module;
	t->next = types;
	types = t;
	p->client_state = t;
	return 0;
fail:
	plat_free(t);
	return err;
}

/* Registrar lock held. The module's maps were orphaned before this. */
static void map_client_detach(struct bh_provider *p)
{
	struct custom_type *t = p->client_state, **link;

	if (!t)
		return;
	p->client_state = NULL;
	for (link = &types; *link; link = &(*link)->next) {
		if (*link == t) {
			*link = t->next;
			break;
		}
	}
	for (struct custom_common *c = t->maps; c; c = c->next) {
		if (c->state == CUSTOM_LIVE) {
			/* Deregistered outside an unload: the provider can no longer be called. */
			bh_log(BPFHOST_WARN, "module '%s' deregistered map type %u while map '%s' "
			       "(id %u) lives: it is orphaned without cleanup\n", p->module->name,
			       t->map_type, c->map->name, c->map->obj.id);
			c->state = CUSTOM_ORPHANED;
			atomic_store(&c->orphaned, true);
		}
	}
	t->provider = NULL;
	if (t->refs == 0)
		plat_free(t);
}

const struct bh_client bh_custom_map_client = {
	.name = "custom maps",
	.npi_id = BPFHOST_NPI_MAP_INFO,
	.attach_provider = map_client_attach,
	.detach_provider = map_client_detach,
};
