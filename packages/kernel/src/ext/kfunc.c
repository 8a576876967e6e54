// SPDX-License-Identifier: MIT
/*
 * Kfunc providers (BPFHOST_NPI_KFUNC): a module's table of functions with
 * prototypes, copied and checked at registration into a kfunc set. Loads
 * resolve calls by id against the sets (bh_kfunc_get), each program holding
 * a reference on the sets it calls, so a module whose kfuncs programs use
 * refuses a plain unload; a forced one marks its sets gone, and calls into
 * them stop the program (-ENODEV) before the module's code is unmapped.
 * References: an acquiring kfunc's tag must have a releasing kfunc in the
 * same table (the one the core calls for a run that ends holding one).
 */
#include "kfunc.h"
#include "registrar.h"

#define NAME_MAX_LEN 128u
#define MAX_KFUNCS 1024u
#define MAX_MEM_SIZE 65536u

struct bh_kfunc {
	struct bh_helper helper;	/* first: the view calls go through; helper.id is the kfunc id */
	struct bpfhost_kfunc proto;	/* zero-extended copy; name and program_types are ours */
	const struct bh_kfunc *releaser;	/* an acquiring kfunc's: the first release of its tag */
};

struct bh_kfunc_set {
	struct bh_kfunc_set *next;
	atomic_long refcnt;		/* the registry's, plus one per program */
	atomic_bool gone;		/* its module went away: calls stop the program */
	struct bh_provider *provider;
	struct bh_kfunc *kfuncs;
	uint32_t cnt;
};

/* Under the registrar lock. */
static struct bh_kfunc_set *sets;
static uint32_t next_id = BH_KFUNC_ID_BASE;

static void set_free(struct bh_kfunc_set *s)
{
	for (uint32_t i = 0; i < s->cnt; i++) {
		plat_free((char *)s->kfuncs[i].proto.name);
		plat_free((uint32_t *)s->kfuncs[i].proto.program_types);
	}
	plat_free(s->kfuncs);
	plat_free(s);
}

void bh_kfunc_set_put(struct bh_kfunc_set *s)
{
	if (s && atomic_fetch_sub(&s->refcnt, 1) == 1)
		set_free(s);
}

/* The live kfunc named @name (@len bytes), or NULL; under the lock. */
static struct bh_kfunc *by_name(const char *name, size_t len)
{
	for (struct bh_kfunc_set *s = sets; s; s = s->next)
		for (uint32_t i = 0; i < s->cnt; i++) {
			const char *n = s->kfuncs[i].proto.name;

			if (!atomic_load(&s->gone) && plat_strnlen(n, len + 1) == len && !plat_memcmp(n, name, len))
				return &s->kfuncs[i];
		}
	return NULL;
}

static bool in_list(const uint32_t *list, uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

int bh_kfunc_get(uint32_t id, uint32_t prog_type, const char *type_name, const char *who,
		 const struct bh_helper **helper, struct bh_kfunc_set **set)
{
	struct bh_kfunc *k = NULL;
	struct bh_kfunc_set *s;
	int err = 0;

	bh_registrar_lock();
	for (s = sets; s && !k; s = s->next)
		if (!atomic_load(&s->gone) && id - s->kfuncs[0].helper.id < s->cnt)
			k = &s->kfuncs[id - s->kfuncs[0].helper.id];
	s = k ? container_of(k->helper.gone, struct bh_kfunc_set, gone) : NULL;
	if (!k) {
		err = bh_err(-EINVAL, "%s: kfunc id %u is not registered by any loaded module (load the "
			     "extension that provides the function; bpfhost's loader turns `extern ... "
			     "__ksym` names into ids)", who, id);
	} else if (s->provider->module->unloading) {
		/* Its unload already counted the programs holding it: no new one. */
		err = bh_err(-ENODEV, "%s: kfunc '%s': module '%s' is being unloaded", who, k->proto.name,
			     s->provider->module->name);
	} else if (k->proto.program_type_count &&
		   !in_list(k->proto.program_types, k->proto.program_type_count, prog_type)) {
		err = bh_err(-EINVAL, "%s: kfunc '%s' (module '%s') may not be called by programs of type "
			     "'%s' (%u): its module allows %u program type%s, the first %u", who,
			     k->proto.name, s->provider->module->name,
			     type_name, prog_type, k->proto.program_type_count,
			     k->proto.program_type_count == 1 ? "" : "s", k->proto.program_types[0]);
	} else {
		atomic_fetch_add(&s->refcnt, 1);
		*helper = &k->helper;
		*set = s;
	}
	bh_registrar_unlock();
	return err;
}

static const struct bh_kfunc *of(const struct bh_helper *h)
{
	return container_of(h, const struct bh_kfunc, helper);
}

const struct bpfhost_kfunc *bh_kfunc_proto(const struct bh_helper *h)
{
	return &of(h)->proto;
}

const void *bh_kfunc_owner(const struct bh_helper *h)
{
	return h->gone;	/* its set's flag: one per module's table */
}

const struct bh_helper *bh_kfunc_releaser(const struct bh_helper *h)
{
	return of(h)->releaser ? &of(h)->releaser->helper : NULL;
}

/* attr->kfunc.ref_flags of @k (uapi.h's BPFHOST_KFUNC_INFO_*). */
static uint32_t info_ref_flags(const struct bh_kfunc *k)
{
	uint32_t flags = 0;

	if (k->proto.return_kind == BPFHOST_KFUNC_RET_ACQUIRED)
		flags |= BPFHOST_KFUNC_INFO_ACQUIRE;
	if (k->helper.args[0] == BH_ARG_KFUNC_RELEASE)
		flags |= BPFHOST_KFUNC_INFO_RELEASE;
	if (k->proto.ref_flags & BPFHOST_KFUNC_REF_WRITABLE)
		flags |= BPFHOST_KFUNC_INFO_WRITABLE;
	return flags;
}

int bh_kfunc_info_cmd(union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	const char *name = u64_to_ptr(attr->kfunc.name);
	struct bh_kfunc *k;
	size_t len;

	if (!name)
		return bh_err(-EFAULT, "BPFHOST_KFUNC_INFO: name is NULL");
	len = plat_strnlen(name, NAME_MAX_LEN);
	if (len == NAME_MAX_LEN)
		return bh_err(-EINVAL, "BPFHOST_KFUNC_INFO: name is not NUL-terminated within %u bytes",
			      NAME_MAX_LEN);
	bh_registrar_lock();
	k = by_name(name, len);
	if (k) {
		uattr->kfunc.id = k->helper.id;
		uattr->kfunc.return_kind = k->proto.return_kind;
		uattr->kfunc.return_size = k->proto.return_size;
		uattr->kfunc.arg_count = k->proto.arg_count;
		for (int a = 0; a < 5; a++) {
			uattr->kfunc.arg_kinds[a] = k->proto.arg_kinds[a];
			uattr->kfunc.arg_sizes[a] = k->proto.arg_sizes[a];
		}
		/* Appended fields: only into an attr that has room for them. */
		if (size >= offsetof(union bpf_attr, kfunc.ref_flags) + sizeof(uint32_t)) {
			uattr->kfunc.ref_type = k->proto.ref_type;
			uattr->kfunc.ref_flags = info_ref_flags(k);
		}
	}
	bh_registrar_unlock();
	if (!k)
		return bh_err(-ENOENT, "BPFHOST_KFUNC_INFO: no loaded module registers a kfunc named '%s' "
			      "(load the extension that provides it)", name);
	return 0;
}

static bool is_ident(const char *s, size_t len)
{
	if (!len || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool scalar_size(uint32_t n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/* Checks the copy @f (entry @i of @mod's table) and fills @k's helper view from it. */
static int check_kfunc(const char *mod, uint32_t i, const struct bpfhost_kfunc *f, struct bh_kfunc *k,
		       struct bh_kfunc_set *s)
{
	const char *n = f->name;
	size_t len = n ? plat_strnlen(n, NAME_MAX_LEN) : 0;
	struct bh_helper *h = &k->helper;

	if (!n || len == NAME_MAX_LEN || !is_ident(n, len))
		return bh_err(-EINVAL, "module '%s': kfuncs[%u].name must be a C identifier under %u bytes",
			      mod, i, NAME_MAX_LEN);
	if (!f->function)
		return bh_err(-EINVAL, "module '%s': kfunc '%s' has no function", mod, n);
	if (f->return_kind > BPFHOST_KFUNC_RET_ACQUIRED ||
	    (f->return_kind == BPFHOST_KFUNC_RET_SCALAR && !scalar_size(f->return_size)))
		return bh_err(-EINVAL, "module '%s': kfunc '%s': return_kind %u with return_size %u (a scalar "
			      "is 1, 2, 4 or 8 bytes)", mod, n, f->return_kind, f->return_size);
	if (f->return_kind == BPFHOST_KFUNC_RET_ACQUIRED &&
	    (!f->return_size || f->return_size > MAX_MEM_SIZE || !f->ref_type ||
	     (f->ref_flags & ~BPFHOST_KFUNC_REF_WRITABLE)))
		return bh_err(-EINVAL, "module '%s': kfunc '%s': an acquired reference needs return_size 1 to "
			      "%u (it is %u), a non-zero ref_type (it is %u) and known ref_flags (0x%x)", mod,
			      n, MAX_MEM_SIZE, f->return_size, f->ref_type, f->ref_flags);
	if (f->return_kind != BPFHOST_KFUNC_RET_ACQUIRED && f->ref_flags)
		return bh_err(-EINVAL, "module '%s': kfunc '%s': ref_flags 0x%x on a kfunc that acquires "
			      "nothing", mod, n, f->ref_flags);
	if (f->arg_count > 5)
		return bh_err(-EINVAL, "module '%s': kfunc '%s': arg_count %u is more than 5", mod, n,
			      f->arg_count);
	for (uint32_t a = 0; a < 5; a++) {
		uint32_t kind = f->arg_kinds[a], size = f->arg_sizes[a];

		if (a >= f->arg_count) {
			if (kind != BPFHOST_KFUNC_ARG_NONE)
				return bh_err(-EINVAL, "module '%s': kfunc '%s': arg_kinds[%u] is set past "
					      "arg_count %u", mod, n, a, f->arg_count);
			continue;
		}
		switch (kind) {
		case BPFHOST_KFUNC_ARG_SCALAR:
			if (!scalar_size(size))
				return bh_err(-EINVAL, "module '%s': kfunc '%s': scalar argument %u of %u bytes "
					      "(1, 2, 4 or 8)", mod, n, a + 1, size);
			h->args[a] = BPFHOST_ARG_ANYTHING;
			h->mem_size[a] = size;	/* for messages */
			break;
		case BPFHOST_KFUNC_ARG_PTR_TO_MEM:
		case BPFHOST_KFUNC_ARG_PTR_TO_MEM_RW:
			if (!size || size > MAX_MEM_SIZE)
				return bh_err(-EINVAL, "module '%s': kfunc '%s': memory argument %u of %u bytes "
					      "(1 to %u)", mod, n, a + 1, size, MAX_MEM_SIZE);
			h->args[a] = kind == BPFHOST_KFUNC_ARG_PTR_TO_MEM ? BH_ARG_KFUNC_MEM : BH_ARG_KFUNC_MEM_RW;
			h->mem_size[a] = size;
			break;
		case BPFHOST_KFUNC_ARG_PTR_TO_CTX:
			h->args[a] = BPFHOST_ARG_PTR_TO_CTX;
			break;
		case BPFHOST_KFUNC_ARG_RELEASE:
			/* One argument only: the core calls it alone for a run that ends holding one. */
			if (f->arg_count != 1 || !f->ref_type || f->return_kind == BPFHOST_KFUNC_RET_ACQUIRED)
				return bh_err(-EINVAL, "module '%s': kfunc '%s': a releasing kfunc takes the "
					      "reference as its only argument, has a non-zero ref_type (it is "
					      "%u) and acquires nothing itself", mod, n, f->ref_type);
			h->args[a] = BH_ARG_KFUNC_RELEASE;
			break;
		default:
			return bh_err(-EINVAL, "module '%s': kfunc '%s': arg_kinds[%u] %u is unknown", mod, n,
				      a, kind);
		}
	}
	if (f->program_type_count && !f->program_types)
		return bh_err(-EINVAL, "module '%s': kfunc '%s': program_type_count %u but program_types is "
			      "NULL", mod, n, f->program_type_count);
	if (f->program_type_count > 64)
		return bh_err(-EINVAL, "module '%s': kfunc '%s': program_type_count %u is more than 64", mod,
			      n, f->program_type_count);
	for (uint32_t j = 0; j < i; j++)
		if (plat_strnlen(s->kfuncs[j].proto.name, NAME_MAX_LEN) == len &&
		    !plat_memcmp(s->kfuncs[j].proto.name, n, len))
			return bh_err(-EEXIST, "module '%s': kfunc '%s' is in its table twice", mod, n);
	{
		const struct bh_kfunc *o = by_name(n, len);

		if (o)
			return bh_err(-EEXIST, "module '%s': kfunc '%s' is already registered by module '%s'",
				      mod, n, container_of(o->helper.gone, struct bh_kfunc_set, gone)
					      ->provider->module->name);
	}
	k->proto = *f;
	k->proto.name = NULL;
	k->proto.program_types = NULL;
	k->proto.program_type_count = 0;
	k->proto.name = plat_alloc(len + 1);
	if (!k->proto.name)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	plat_memcpy((char *)k->proto.name, n, len + 1);
	if (f->program_type_count) {
		uint32_t *types = plat_alloc(sizeof(*types) * f->program_type_count);

		if (!types)
			return bh_err(-ENOMEM, "module '%s': out of memory", mod);
		plat_memcpy(types, f->program_types, sizeof(*types) * f->program_type_count);
		k->proto.program_types = types;
		k->proto.program_type_count = f->program_type_count;
	}
	h->fn = f->function;
	h->name = k->proto.name;
	h->ret = f->return_kind == BPFHOST_KFUNC_RET_VOID ? BPFHOST_RET_VOID :
		 f->return_kind == BPFHOST_KFUNC_RET_ACQUIRED ? BH_RET_KFUNC_ACQUIRED : BPFHOST_RET_INTEGER;
	h->kfunc = true;
	h->gone = &s->gone;
	return 0;
}

/* Each acquiring kfunc gets its tag's releaser; a tag nothing releases (or acquires) is refused. */
static int link_refs(const char *mod, struct bh_kfunc_set *s)
{
	for (uint32_t i = 0; i < s->cnt; i++) {
		struct bh_kfunc *k = &s->kfuncs[i];
		bool acquires = k->proto.return_kind == BPFHOST_KFUNC_RET_ACQUIRED;
		bool releases = k->helper.args[0] == BH_ARG_KFUNC_RELEASE;
		const struct bh_kfunc *match = NULL;

		if (!acquires && !releases)
			continue;
		for (uint32_t j = 0; j < s->cnt && !match; j++) {
			const struct bh_kfunc *o = &s->kfuncs[j];

			if (o->proto.ref_type == k->proto.ref_type &&
			    (acquires ? o->helper.args[0] == BH_ARG_KFUNC_RELEASE :
					o->proto.return_kind == BPFHOST_KFUNC_RET_ACQUIRED))
				match = o;
		}
		if (!match)
			return bh_err(-EINVAL, "module '%s': kfunc '%s' %s references of ref_type %u, but no kfunc "
				      "of its table %s them; add the %s kfunc with that ref_type", mod,
				      k->proto.name, acquires ? "acquires" : "releases", k->proto.ref_type,
				      acquires ? "releases" : "acquires", acquires ? "releasing" : "acquiring");
		if (acquires)
			k->releaser = match;
	}
	return 0;
}

static int copy_table(struct bh_provider *p, struct bh_kfunc_set *s, const struct bpfhost_kfunc_provider_data *d)
{
	const char *mod = p->module->name;

	if (!d->kfunc_count || d->kfunc_count > MAX_KFUNCS)
		return bh_err(-EINVAL, "module '%s': bpfhost_kfunc_provider_data.kfunc_count %u (1 to %u)",
			      mod, d->kfunc_count, MAX_KFUNCS);
	if (!d->kfuncs)
		return bh_err(-EINVAL, "module '%s': bpfhost_kfunc_provider_data.kfuncs is NULL", mod);
	if (d->kfunc_count > 1 && ((const struct bpfhost_extension_header *)d->kfuncs)->total_size <
					  BPFHOST_KFUNC_V1_SIZE)
		return bh_err(-EINVAL, "module '%s': kfuncs[] stride (header.total_size) is too small", mod);
	s->kfuncs = plat_alloc(sizeof(*s->kfuncs) * d->kfunc_count);
	if (!s->kfuncs)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	plat_memset(s->kfuncs, 0, sizeof(*s->kfuncs) * d->kfunc_count);
	for (uint32_t i = 0; i < d->kfunc_count; i++) {
		const void *src = (const uint8_t *)d->kfuncs +
				  i * ((const struct bpfhost_extension_header *)d->kfuncs)->total_size;
		struct bpfhost_kfunc f;
		int err = bh_ext_copy_versioned(p->module, "bpfhost_kfunc", src, BPFHOST_KFUNC_CURRENT_VERSION,
						BPFHOST_KFUNC_V1_SIZE, &f, sizeof(f));

		if (!err)
			err = check_kfunc(mod, i, &f, &s->kfuncs[i], s);
		/* Counted even when the copy failed halfway, so set_free frees what it holds. */
		s->cnt = i + 1;
		if (err)
			return err;
	}
	return link_refs(mod, s);
}

static int kfunc_attach(struct bh_provider *p)
{
	struct bpfhost_kfunc_provider_data d;
	struct bh_kfunc_set *s;
	int err;

	err = bh_ext_copy_versioned(p->module, "bpfhost_kfunc_provider_data",
				    p->chars.npi_specific_characteristics,
				    BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION,
				    BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION_SIZE, &d, sizeof(d));
	if (err)
		return err;
	if (next_id - BH_KFUNC_ID_BASE > INT32_MAX - BH_KFUNC_ID_BASE - MAX_KFUNCS)
		return bh_err(-ENOSPC, "module '%s': kfunc ids are exhausted", p->module->name);
	s = plat_alloc(sizeof(*s));
	if (!s)
		return bh_err(-ENOMEM, "module '%s': out of memory", p->module->name);
	plat_memset(s, 0, sizeof(*s));
	atomic_init(&s->refcnt, 1);
	atomic_init(&s->gone, false);
	s->provider = p;
	err = copy_table(p, s, &d);
	if (!err)
		err = bh_provider_bind(p, &bh_core_module_id, NULL);
	if (err) {
		set_free(s);
		return err;
	}
	/* Ids are never reused: a stale id from an unloaded module finds nothing. */
	for (uint32_t i = 0; i < s->cnt; i++)
		s->kfuncs[i].helper.id = next_id + i;
	next_id += s->cnt;
	s->next = sets;
	sets = s;
	p->client_state = s;
	return 0;
}

static void kfunc_detach(struct bh_provider *p)
{
	struct bh_kfunc_set *s = p->client_state;

	if (!s)
		return;
	atomic_store(&s->gone, true);
	for (struct bh_kfunc_set **l = &sets; *l; l = &(*l)->next)
		if (*l == s) {
			*l = s->next;
			break;
		}
	p->client_state = NULL;
	bh_kfunc_set_put(s);
}

const struct bh_client bh_kfunc_client = {
	.name = "kfunc",
	.npi_id = BPFHOST_NPI_KFUNC,
	.attach_provider = kfunc_attach,
	.detach_provider = kfunc_detach,
};

int bh_kfuncs_busy(struct bh_module *module, char *names, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		names[0] = 0;
	for (struct bh_kfunc_set *s = sets; s; s = s->next) {
		long progs;

		if (s->provider->module != module)
			continue;
		progs = atomic_load(&s->refcnt) - 1;
		if (progs <= 0)
			continue;
		n += (int)progs;
		if (used < len)
			used += (size_t)plat_snprintf(names + used, len - used, "%s%ld program%s calling its "
						      "kfuncs (the first: '%s')", used ? ", " : "", progs,
						      progs == 1 ? "" : "s", s->kfuncs[0].proto.name);
	}
	return n;
}

void bh_kfuncs_orphan(struct bh_module *module)
{
	bh_registrar_lock();
	for (struct bh_kfunc_set *s = sets; s; s = s->next)
		if (s->provider->module == module)
			atomic_store_explicit(&s->gone, true, memory_order_release);
	bh_registrar_unlock();
	/* Runs that saw the set alive finish before the module's code goes. */
	epoch_synchronize();
}
