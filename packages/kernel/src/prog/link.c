// SPDX-License-Identifier: MIT
/*
 * Hooks and links. A hook provider registers an attach type; each link is
 * a client binding to it: BPF_LINK_CREATE calls the provider's
 * attach_client with the link's dispatch table, the provider runs the
 * link's program through it, and detach (BPF_LINK_DETACH, the last handle
 * closed, or the provider's module leaving) calls detach_client once.
 */
#include "prog_internal.h"
#include "../ext/registrar.h"

struct bh_hook {
	struct bh_hook *next;
	uint32_t attach_type;
	uint32_t program_type;
	char name[32];
	bpfhost_hook_trigger_t trigger;
	struct bh_provider *provider;
	struct bh_link *links;
};

struct bh_link {
	struct bh_object obj;		/* first: links are objects */
	struct bh_prog *prog;		/* a reference */
	uint32_t attach_type;
	uint32_t insn_budget;		/* per run; BPFHOST_INSN_BUDGET_DEFAULT unless set */
	struct bh_hook *hook;		/* NULL once detached; under the registrar lock */
	struct bh_link *next;		/* in hook->links */
	void *binding_context;
	atomic_bool detached;
};

static struct bh_hook *hooks;

static struct bh_hook *find_hook(uint32_t attach_type)
{
	for (struct bh_hook *h = hooks; h; h = h->next)
		if (h->attach_type == attach_type)
			return h;
	return NULL;
}

/* ---- the dispatch table providers call ---------------------------------- */

static int link_invoke(const void *l, void *ctx, uint32_t *result)
{
	const struct bh_link *link = l;
	int err;

	epoch_enter();
	if (unlikely(atomic_load_explicit(&link->detached, memory_order_acquire)))
		err = bh_err(-ENOLINK, "link of program '%s' is detached", link->prog->name);
	else
		err = bh_prog_run(link->prog, ctx, link->insn_budget, result);
	epoch_exit();
	return err;
}

static int link_batch_begin(const void *l, void *state)
{
	(void)l, (void)state;
	epoch_enter();
	return 0;
}

static int link_batch_invoke(const void *l, void *ctx, uint32_t *result, void *state)
{
	const struct bh_link *link = l;

	(void)state;
	if (unlikely(atomic_load_explicit(&link->detached, memory_order_acquire)))
		return bh_err(-ENOLINK, "link of program '%s' is detached", link->prog->name);
	return bh_prog_run(link->prog, ctx, link->insn_budget, result);
}

static void link_batch_end(const void *l, void *state)
{
	(void)l, (void)state;
	epoch_exit();
}

static const struct bpfhost_link_dispatch_table link_dispatch = {
	.header = { BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION,
		    BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_link_dispatch_table) },
	.invoke = link_invoke,
	.batch_begin = link_batch_begin,
	.batch_invoke = link_batch_invoke,
	.batch_end = link_batch_end,
};

/* ---- links --------------------------------------------------------------- */

/* Takes the link off its hook and tells the provider. Registrar lock held. */
static void link_unhook(struct bh_link *link)
{
	struct bh_hook *hook = link->hook;

	if (!hook)
		return;
	atomic_store_explicit(&link->detached, true, memory_order_release);
	for (struct bh_link **l = &hook->links; *l; l = &(*l)->next)
		if (*l == link) {
			*l = link->next;
			break;
		}
	link->hook = NULL;
	if (hook->provider->chars.detach_client)
		hook->provider->chars.detach_client(link->binding_context);
}

/*
 * The last handle or pin went: detach now, as Linux does when a link's last
 * fd closes. Waiting for the destroy after the grace period would leave the
 * program running on the hook for as long as any reader stays in an epoch.
 */
static void link_release_users(struct bh_object *obj)
{
	struct bh_link *link = container_of(obj, struct bh_link, obj);

	bh_registrar_lock();
	link_unhook(link);
	bh_registrar_unlock();
}

static void link_destroy(struct bh_object *obj)
{
	struct bh_link *link = container_of(obj, struct bh_link, obj);

	link_release_users(obj);	/* a link that never had a handle is still on its hook */
	bh_object_put(&link->prog->obj);
	plat_free(link);
}

int bh_link_create(union bpf_attr *attr)
{
	struct bpfhost_link_client_data data = {
		.header = { BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION,
			    BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION_SIZE,
			    sizeof(struct bpfhost_link_client_data) },
	};
	uint32_t attach_type = attr->link_create.attach_type;
	struct bh_link *link;
	struct bh_hook *hook;
	struct bh_prog *prog;
	int err, h;

	err = bh_prog_from_handle((int)attr->link_create.prog_fd, "BPF_LINK_CREATE", &prog);
	if (err)
		return err;
	if (attr->link_create.flags || attr->link_create.target_fd)
		return bh_err(-EINVAL, "BPF_LINK_CREATE: program '%s': target_fd and flags must be 0 "
			      "for hook attach types", prog->name);
	link = plat_alloc(sizeof(*link));
	if (!link)
		return bh_err(-ENOMEM, "BPF_LINK_CREATE: out of memory");
	bh_object_init(&link->obj, BH_OBJ_LINK, link_destroy);
	link->obj.release_users = link_release_users;
	bh_object_get(&prog->obj);
	link->prog = prog;
	link->attach_type = attach_type;
	link->insn_budget = attr->link_create.insn_budget ? attr->link_create.insn_budget :
			    BPFHOST_INSN_BUDGET_DEFAULT;

	bh_registrar_lock();
	hook = find_hook(attach_type);
	if (!hook) {
		err = bh_err(-EINVAL, "BPF_LINK_CREATE: program '%s': no hook provides attach type %u "
			     "(is its extension loaded?)", prog->name, attach_type);
	} else if (hook->program_type != prog->type) {
		err = bh_err(-EINVAL, "BPF_LINK_CREATE: program '%s' has type %u; hook '%s' (attach "
			     "type %u) runs programs of type %u", prog->name, prog->type, hook->name,
			     attach_type, hook->program_type);
	} else if (prog->ptype->packet) {
		/* Its context is the core's own layout (pointers after xdp_md ...): only the core builds it. */
		err = bh_err(-EINVAL, "BPF_LINK_CREATE: program '%s': hook '%s' (attach type %u) cannot run "
			     "programs of the built-in type '%s', whose context only the core builds (test "
			     "runs)", prog->name, hook->name, attach_type, prog->ptype->name);
	} else if (prog->expected_attach_type && prog->expected_attach_type != attach_type) {
		err = bh_err(-EINVAL, "BPF_LINK_CREATE: program '%s' was loaded for attach type %u, "
			     "not %u", prog->name, prog->expected_attach_type, attach_type);
	} else {
		data.link = link;
		data.program_type = prog->type;
		data.attach_type = attach_type;
		data.dispatch = &link_dispatch;
		err = hook->provider->chars.attach_client(hook->provider->provider_context,
							  &bh_core_module_id, &data,
							  &link->binding_context);
		if (err)
			err = bh_err(err < 0 ? err : -EINVAL, "BPF_LINK_CREATE: program '%s': hook '%s' "
				     "of module '%s' refused the link (%d)", prog->name, hook->name,
				     hook->provider->module->name, err);
	}
	if (!err) {
		link->hook = hook;
		link->next = hook->links;
		hook->links = link;
	}
	bh_registrar_unlock();
	if (!err)
		err = bh_id_publish(&link->obj);
	if (err) {
		bh_object_put(&link->obj);
		return err;
	}
	h = bh_handle_install(&link->obj);
	if (h < 0)
		bh_object_put(&link->obj);
	return h;
}

int bh_link_detach(union bpf_attr *attr)
{
	struct bh_object *obj = bh_handle_lookup((int)attr->link_detach.link_fd);
	struct bh_link *link;

	if (!obj)
		return bh_err(-EBADF, "BPF_LINK_DETACH: handle %u is not open", attr->link_detach.link_fd);
	if (obj->kind != BH_OBJ_LINK)
		return bh_err(-EINVAL, "BPF_LINK_DETACH: handle %u is a %s, not a link",
			      attr->link_detach.link_fd, bh_obj_kind_name(obj->kind));
	link = container_of(obj, struct bh_link, obj);
	bh_registrar_lock();
	if (!link->hook) {
		bh_registrar_unlock();
		return bh_err(-ENOLINK, "BPF_LINK_DETACH: link %u is already detached", link->obj.id);
	}
	link_unhook(link);
	bh_registrar_unlock();
	return 0;
}

int bh_link_get_info(struct bh_object *obj, union bpf_attr *attr, union bpf_attr *uattr)
{
	struct bh_link *link = container_of(obj, struct bh_link, obj);
	struct bpf_link_info info;
	uint32_t len;
	int err = bh_info_begin(attr, sizeof(info), &len);

	if (err)
		return err;
	plat_memset(&info, 0, sizeof(info));
	info.type = 0;
	info.id = link->obj.id;
	info.prog_id = link->prog->obj.id;
	info.attach_type = link->attach_type;
	return bh_info_end(attr, uattr, &info, len);
}

/* ---- hooks: the core's client of BPFHOST_NPI_HOOK ------------------------- */

static int hook_attach(struct bh_provider *p)
{
	struct bpfhost_hook_provider_data d;
	const char *mod = p->module->name;
	struct bh_hook *hook, *other;
	int err;

	err = bh_ext_copy_versioned(p->module, "bpfhost_hook_provider_data",
				    p->chars.npi_specific_characteristics,
				    BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION,
				    BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION_SIZE, &d, sizeof(d));
	if (err)
		return err;
	if (d.attach_type < BPFHOST_ATTACH_TYPE_EXT_BASE || d.attach_type >= BPFHOST_ATTACH_TYPE_EXT_LIMIT)
		return bh_err(-EINVAL, "module '%s': hook attach_type %u is outside the extension range "
			      "[%u, %u)", mod, d.attach_type, BPFHOST_ATTACH_TYPE_EXT_BASE,
			      BPFHOST_ATTACH_TYPE_EXT_LIMIT);
	other = find_hook(d.attach_type);
	if (other)
		return bh_err(-EEXIST, "module '%s': attach type %u is already provided by module '%s'",
			      mod, d.attach_type, other->provider->module->name);
	hook = plat_alloc(sizeof(*hook));
	if (!hook)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	hook->attach_type = d.attach_type;
	hook->program_type = d.program_type;
	plat_snprintf(hook->name, sizeof(hook->name), "%s", d.name ? d.name : "?");
	hook->trigger = d.trigger;
	hook->provider = p;
	hook->next = hooks;
	hooks = hook;
	p->client_state = hook;
	return 0;
}

/* The provider's module leaves: every link on the hook is detached. */
static void hook_detach(struct bh_provider *p)
{
	struct bh_hook *hook = p->client_state;

	if (!hook)
		return;
	while (hook->links)
		link_unhook(hook->links);
	for (struct bh_hook **l = &hooks; *l; l = &(*l)->next)
		if (*l == hook) {
			*l = hook->next;
			break;
		}
	p->client_state = NULL;
	plat_free(hook);
}

const struct bh_client bh_hook_client = {
	.name = "hook",
	.npi_id = BPFHOST_NPI_HOOK,
	.attach_provider = hook_attach,
	.detach_provider = hook_detach,
};

int bh_hook_trigger(union bpf_attr *attr, union bpf_attr *uattr)
{
	uint32_t attach_type = attr->trigger.attach_type, cnt = 0, result = 0;
	const uint8_t *data = u64_to_ptr(attr->trigger.data);
	struct bh_module *module;
	bpfhost_hook_trigger_t trigger;
	void *provider_context;
	struct bh_hook *hook;
	int err;

	if (attr->trigger.data_size && !data)
		return bh_err(-EFAULT, "BPFHOST_HOOK_TRIGGER: data_size %u with a NULL data",
			      attr->trigger.data_size);
	bh_registrar_lock();
	hook = find_hook(attach_type);
	if (!hook || hook->provider->module->unloading) {
		bh_registrar_unlock();
		return bh_err(-ENOENT, "BPFHOST_HOOK_TRIGGER: no hook provides attach type %u",
			      attach_type);
	}
	if (!hook->trigger) {
		err = bh_err(-EOPNOTSUPP, "BPFHOST_HOOK_TRIGGER: hook '%s' (attach type %u) cannot be "
			     "triggered from user space", hook->name, attach_type);
		bh_registrar_unlock();
		return err;
	}
	/* Keeps the module's code mapped while its trigger runs (unload waits). */
	module = hook->provider->module;
	atomic_fetch_add(&module->busy, 1);
	trigger = hook->trigger;
	provider_context = hook->provider->provider_context;
	bh_registrar_unlock();

	err = trigger(provider_context, data, attr->trigger.data_size, &cnt, &result);
	atomic_fetch_sub(&module->busy, 1);
	if (err)
		return bh_err(err < 0 ? err : -EINVAL, "BPFHOST_HOOK_TRIGGER: attach type %u: %s",
			      attach_type, bpfhost_last_error());
	uattr->trigger.prog_cnt = cnt;
	uattr->trigger.retval = result;
	return 0;
}
