// SPDX-License-Identifier: MIT
/*
 * The program type registry. Built-in types are linked in at start; program
 * information providers add theirs when their module registers (the core's
 * client of BPFHOST_NPI_PROGRAM_INFO validates and copies the tables, so a
 * bad table fails the module's registration with a message).
 */
#include "prog_type.h"
#include "../ext/registrar.h"

extern struct bh_prog_type bh_sched_cls_type;

/* The built-in types, linked: SCHED_CLS, SCHED_ACT (tc.c), XDP, socket filter (xdp.c). */
static struct bh_prog_type *types = &bh_sched_cls_type;

/* A built-in type's context rules, from its field table on first use (under the lock). */
static int builtin_rules(struct bh_prog_type *t)
{
	char who[64];
	int err;

	if (t->ctx_rules_ready)
		return 0;
	plat_snprintf(who, sizeof(who), "built-in program type %s (%u)", t->name, t->type);
	err = bh_ctx_rules_build(who, &t->ctx, t->ctx_fields, t->ctx_field_cnt, t->ctx_rules);
	t->ctx_rules_ready = !err;
	return err;
}

struct bh_prog_type *bh_prog_type_get(uint32_t type)
{
	struct bh_prog_type *t;
	int err = 0;

	bh_registrar_lock();
	for (t = types; t; t = t->next)
		if (t->type == type && !atomic_load(&t->gone)) {
			err = builtin_rules(t);
			if (!err)
				atomic_fetch_add(&t->refcnt, 1);
			break;
		}
	bh_registrar_unlock();
	if (err)
		return NULL;
	if (!t)
		bh_err(-EOPNOTSUPP, "program type %u is not provided (built-in: socket filter (1), "
		       "sched_cls (3), sched_act (4), xdp (6); others come from extension modules)", type);
	return t;
}

static void type_free(struct bh_prog_type *t)
{
	for (uint32_t i = 0; i < t->section_cnt; i++)
		plat_free(t->sections[i].prefix);
	plat_free(t->sections);
	for (uint32_t i = 0; i < t->helper_cnt; i++) {
		plat_free((char *)t->helpers[i].name);
		plat_free((uint32_t *)t->helpers[i].map_types);
	}
	plat_free(t->helpers);
	for (uint32_t i = 0; i < t->ctx_field_cnt; i++)
		plat_free((char *)t->ctx_fields[i].name);
	plat_free((struct bh_ctx_field *)t->ctx_fields);
	plat_free(t->ctx_rules);
	plat_free(t->ctx_btf);
	plat_free(t);
}

void bh_prog_type_put(struct bh_prog_type *t)
{
	/* Built-in types and registered ones keep one reference of the registry. */
	if (t && atomic_fetch_sub(&t->refcnt, 1) == 1)
		type_free(t);
}

int bh_prog_type_by_section(const char *section, uint32_t *type, uint32_t *attach_type)
{
	size_t best_len = 0;
	bool found = false;

	bh_registrar_lock();
	for (struct bh_prog_type *t = types; t; t = t->next) {
		if (atomic_load(&t->gone))
			continue;
		for (uint32_t i = 0; i < t->section_cnt; i++) {
			const char *p = t->sections[i].prefix;
			size_t n = 0;

			while (p[n] && p[n] == section[n])
				n++;
			if (p[n] || n <= best_len)
				continue;
			/* A prefix matches the whole name or up to a '/' (as libbpf). */
			if (section[n] && section[n] != '/' && p[n - 1] != '/')
				continue;
			best_len = n;
			*type = t->type;
			*attach_type = t->sections[i].attach_type;
			found = true;
		}
	}
	bh_registrar_unlock();
	if (!found)
		return bh_err(-ENOENT, "no program type registers a section prefix matching '%s'",
			      section);
	return 0;
}

extern const struct bh_helper bh_poison_helper;

const struct bh_helper *bh_prog_type_helper(const struct bh_prog_type *t, uint32_t id)
{
	/* In the extension range by its value, but every type's (poison.c); no module may take it. */
	if (id == BPFHOST_POISON_HELPER_ID)
		return &bh_poison_helper;
	for (uint32_t i = 0; t && i < t->helper_cnt; i++)
		if (t->helpers[i].id == id)
			return &t->helpers[i];
	return NULL;
}

static char *dup_str(const char *s)
{
	size_t n = 0;
	char *d;

	while (s[n])
		n++;
	d = plat_alloc(n + 1);
	if (d)
		plat_memcpy(d, s, n + 1);
	return d;
}

/* The element @i of a versioned array: the stride is the element's total_size. */
static const void *array_elem(const void *base, size_t i)
{
	const struct bpfhost_extension_header *h = base;

	return (const uint8_t *)base + i * h->total_size;
}

static int copy_helpers(struct bh_provider *p, struct bh_prog_type *t,
			const struct bpfhost_program_type_data *d)
{
	const char *mod = p->module->name;

	if (d->helper_count && !d->helpers)
		return bh_err(-EINVAL, "module '%s': program type %u: helper_count %u but helpers is NULL",
			      mod, d->program_type, d->helper_count);
	t->helpers = plat_alloc(sizeof(*t->helpers) * (d->helper_count ? d->helper_count : 1));
	if (!t->helpers)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	for (uint32_t i = 0; i < d->helper_count; i++) {
		struct bpfhost_helper_function f;
		struct bh_helper *h = &t->helpers[i];
		int err;

		if (i && ((const struct bpfhost_extension_header *)d->helpers)->total_size <
				 BPFHOST_HELPER_FUNCTION_V1_SIZE)
			return bh_err(-EINVAL, "module '%s': program type %u: helpers[] stride "
				      "(header.total_size) is too small", mod, d->program_type);
		err = bh_ext_copy_versioned(p->module, "bpfhost_helper_function", array_elem(d->helpers, i),
					    BPFHOST_HELPER_FUNCTION_CURRENT_VERSION,
					    BPFHOST_HELPER_FUNCTION_V1_SIZE, &f, sizeof(f));
		if (err)
			return err;
		if (f.helper_id < BPFHOST_HELPER_EXT_BASE)
			return bh_err(-EINVAL, "module '%s': program type %u: helper %u ('%s') is below "
				      "the extension helper range (%u): core helpers cannot be replaced",
				      mod, d->program_type, f.helper_id, f.name ? f.name : "?",
				      BPFHOST_HELPER_EXT_BASE);
		if (!f.function || !f.name)
			return bh_err(-EINVAL, "module '%s': program type %u: helper %u has no %s",
				      mod, d->program_type, f.helper_id, f.function ? "name" : "function");
		if (f.return_type > BPFHOST_RET_PTR_TO_ALLOC_MEM_OR_NULL)
			return bh_err(-EINVAL, "module '%s': helper '%s': unknown return_type %u", mod,
				      f.name, f.return_type);
		for (int a = 0; a < 5; a++)
			if (f.arg_types[a] > BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE)
				return bh_err(-EINVAL, "module '%s': helper '%s': arg_types[%d] %u is unknown",
					      mod, f.name, a, f.arg_types[a]);
		if (f.helper_id == BPFHOST_POISON_HELPER_ID)
			return bh_err(-EINVAL, "module '%s': program type %u: helper id 0x%x is the loaders' "
				      "poison marker (BPFHOST_POISON_HELPER_ID)", mod, d->program_type,
				      f.helper_id);
		if (bh_prog_type_helper(t, f.helper_id))
			return bh_err(-EINVAL, "module '%s': program type %u: helper id %u ('%s') twice",
				      mod, d->program_type, f.helper_id, f.name);
		h->fn = f.function;
		h->id = f.helper_id;
		h->ret = (uint8_t)f.return_type;
		for (int a = 0; a < 5; a++)
			h->args[a] = (uint8_t)f.arg_types[a];
		h->name = dup_str(f.name);
		h->map_types = NULL;
		h->map_type_count = 0;
		t->helper_cnt++;
		if (!h->name)
			return bh_err(-ENOMEM, "module '%s': out of memory", mod);
		if (f.map_type_count && !f.map_types)
			return bh_err(-EINVAL, "module '%s': helper '%s': map_type_count %u but map_types is "
				      "NULL", mod, f.name, f.map_type_count);
		if (f.map_type_count > 64)
			return bh_err(-EINVAL, "module '%s': helper '%s': map_type_count %u is more than 64",
				      mod, f.name, f.map_type_count);
		if (f.map_type_count) {
			uint32_t *accepted = plat_alloc(sizeof(*accepted) * f.map_type_count);

			if (!accepted)
				return bh_err(-ENOMEM, "module '%s': out of memory", mod);
			plat_memcpy(accepted, f.map_types, sizeof(*accepted) * f.map_type_count);
			h->map_types = accepted;
			h->map_type_count = f.map_type_count;
		}
	}
	return 0;
}

static int copy_sections(struct bh_provider *p, struct bh_prog_type *t,
			 const struct bpfhost_program_type_data *d)
{
	const char *mod = p->module->name;

	if (d->section_count && !d->sections)
		return bh_err(-EINVAL, "module '%s': program type %u: section_count %u but sections is NULL",
			      mod, d->program_type, d->section_count);
	t->sections = plat_alloc(sizeof(*t->sections) * (d->section_count ? d->section_count : 1));
	if (!t->sections)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	for (uint32_t i = 0; i < d->section_count; i++) {
		struct bpfhost_section_definition s;
		int err = bh_ext_copy_versioned(p->module, "bpfhost_section_definition",
						array_elem(d->sections, i),
						BPFHOST_SECTION_DEFINITION_CURRENT_VERSION,
						BPFHOST_SECTION_DEFINITION_CURRENT_VERSION_SIZE, &s, sizeof(s));

		if (err)
			return err;
		if (!s.prefix || !s.prefix[0])
			return bh_err(-EINVAL, "module '%s': program type %u: sections[%u].prefix is empty",
				      mod, d->program_type, i);
		t->sections[i].prefix = dup_str(s.prefix);
		t->sections[i].attach_type = s.attach_type;
		t->section_cnt++;
		if (!t->sections[i].prefix)
			return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	}
	return 0;
}

/*
 * The context's field table (the module's memory is not kept) and the
 * rules built from it; a descriptor without one gets the default rules.
 */
static int copy_ctx_fields(struct bh_provider *p, struct bh_prog_type *t)
{
	const struct bpfhost_context_field *src = t->ctx.fields;
	uint32_t n = t->ctx.field_count;
	const char *mod = p->module->name;
	struct bh_ctx_field *fields;
	char who[112];

	t->ctx.fields = NULL;
	t->ctx.field_count = 0;
	plat_snprintf(who, sizeof(who), "module '%s': program type %u", mod, t->type);
	if (n && !src)
		return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.field_count %u but fields is NULL",
			      who, n);
	if (n > t->ctx.size)
		return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.field_count %u is more than the "
			      "context's %u bytes", who, n, t->ctx.size);
	if (n > 1 && ((const struct bpfhost_extension_header *)src)->total_size <
			     BPFHOST_CONTEXT_FIELD_CURRENT_VERSION_SIZE)
		return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.fields[] stride "
			      "(header.total_size) is too small", who);
	fields = plat_alloc(sizeof(*fields) * (n ? n : 1));
	t->ctx_rules = plat_alloc(t->ctx.size);
	t->ctx_fields = fields;
	if (!fields || !t->ctx_rules)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	for (uint32_t i = 0; i < n; i++) {
		struct bpfhost_context_field f;
		int err = bh_ext_copy_versioned(p->module, "bpfhost_context_field", array_elem(src, i),
						BPFHOST_CONTEXT_FIELD_CURRENT_VERSION,
						BPFHOST_CONTEXT_FIELD_CURRENT_VERSION_SIZE, &f, sizeof(f));

		if (err)
			return err;
		fields[i].name = f.name ? dup_str(f.name) : NULL;
		fields[i].offset = f.offset;
		fields[i].size = f.size;
		fields[i].flags = f.flags;
		t->ctx_field_cnt++;
		if (f.name && !fields[i].name)
			return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	}
	t->ctx_rules_ready = true;
	return bh_ctx_rules_build(who, &t->ctx, fields, n, t->ctx_rules);
}

/* The module's CO-RE target BTF, copied (its memory is not kept); parsed by the library. */
static int copy_ctx_btf(struct bh_provider *p, struct bh_prog_type *t,
			const struct bpfhost_program_type_data *d)
{
	const char *mod = p->module->name;

	if (!d->ctx_btf_size)
		return 0;
	if (!d->ctx_btf)
		return bh_err(-EINVAL, "module '%s': program type %u: ctx_btf_size %u but ctx_btf is NULL",
			      mod, d->program_type, d->ctx_btf_size);
	if (d->ctx_btf_size > BH_CTX_BTF_MAX)
		return bh_err(-E2BIG, "module '%s': program type %u: ctx_btf of %u bytes is over %u", mod,
			      d->program_type, d->ctx_btf_size, BH_CTX_BTF_MAX);
	t->ctx_btf = plat_alloc(d->ctx_btf_size);
	if (!t->ctx_btf)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	plat_memcpy(t->ctx_btf, d->ctx_btf, d->ctx_btf_size);
	t->ctx_btf_size = d->ctx_btf_size;
	return 0;
}

int bh_prog_type_btf_cmd(union bpf_attr *attr, union bpf_attr *uattr)
{
	uint32_t i = 0;
	int err = -ENOENT;

	if (attr->type_btf.buf_size && !attr->type_btf.buf)
		return bh_err(-EFAULT, "BPFHOST_PROG_TYPE_BTF: buf is NULL with buf_size %u",
			      attr->type_btf.buf_size);
	bh_registrar_lock();
	for (struct bh_prog_type *t = types; t; t = t->next) {
		if (atomic_load(&t->gone) || !t->ctx_btf_size || i++ != attr->type_btf.index)
			continue;
		uattr->type_btf.prog_type = t->type;
		uattr->type_btf.btf_size = t->ctx_btf_size;
		err = 0;
		if (attr->type_btf.buf_size >= t->ctx_btf_size)
			plat_memcpy(u64_to_ptr(attr->type_btf.buf), t->ctx_btf, t->ctx_btf_size);
		else if (attr->type_btf.buf_size)
			err = bh_err(-ENOSPC, "BPFHOST_PROG_TYPE_BTF: program type %u's BTF is %u bytes, "
				     "buf_size %u", t->type, t->ctx_btf_size, attr->type_btf.buf_size);
		break;
	}
	bh_registrar_unlock();
	if (err == -ENOENT)
		return bh_err(-ENOENT, "BPFHOST_PROG_TYPE_BTF: no program type with BTF at index %u",
			      attr->type_btf.index);
	return err;
}

/* Appends helper @h to the lists of bh_prog_type_helpers_cmd. */
struct helper_list {
	uint32_t *ids, room, n;
	char *names;
	uint32_t names_room, names_len;
};

static void list_helper(struct helper_list *l, const struct bh_helper *h)
{
	/* Every table entry is named; "" keeps the names in step with the ids if one is not. */
	const char *name = h->name ? h->name : "";
	/* Names are short and a type has a few hundred helpers at most: no overflow. */
	uint32_t len = 1;

	while (name[len - 1])
		len++;
	if (l->n < l->room)
		l->ids[l->n] = h->id;
	l->n++;
	/* Whole names only, so a short buffer never ends inside one. */
	if (l->names_len + len <= l->names_room)
		plat_memcpy(l->names + l->names_len, name, len);
	l->names_len += len;
}

int bh_prog_type_helpers_cmd(union bpf_attr *attr, union bpf_attr *uattr)
{
	struct helper_list l = {
		.ids = u64_to_ptr(attr->type_helpers.ids), .room = attr->type_helpers.id_cnt,
		.names = u64_to_ptr(attr->type_helpers.names), .names_room = attr->type_helpers.names_size,
	};
	struct bh_prog_type *t;

	if (l.room && !l.ids)
		return bh_err(-EFAULT, "BPFHOST_PROG_TYPE_HELPERS: ids is NULL with id_cnt %u", l.room);
	if (l.names_room && !l.names)
		return bh_err(-EFAULT, "BPFHOST_PROG_TYPE_HELPERS: names is NULL with names_size %u",
			      l.names_room);
	t = bh_prog_type_get(attr->type_helpers.prog_type);
	if (!t)
		return -EOPNOTSUPP;
	/*
	 * The same lookups BPF_PROG_LOAD makes (bh_prog_helper_by_id): Linux's ids
	 * through the core's table for this type (ids past the name table are none
	 * of Linux's), then the type's own; the poison id is no helper to call.
	 */
	for (uint32_t id = 1; bh_linux_helper_name(id); id++) {
		const struct bh_helper *h = bh_core_helper(id, t->type);

		if (h)
			list_helper(&l, h);
	}
	for (uint32_t i = 0; i < t->helper_cnt; i++)
		if (t->helpers[i].id != BPFHOST_POISON_HELPER_ID)
			list_helper(&l, &t->helpers[i]);
	bh_prog_type_put(t);
	uattr->type_helpers.id_cnt = l.n;
	uattr->type_helpers.names_size = l.names_len;
	return 0;
}

static int prog_info_attach(struct bh_provider *p)
{
	struct bpfhost_program_type_data d;
	const char *mod = p->module->name;
	struct bh_prog_type *t;
	int err;

	err = bh_ext_copy_versioned(p->module, "bpfhost_program_type_data",
				    p->chars.npi_specific_characteristics,
				    BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION,
				    BPFHOST_PROGRAM_TYPE_DATA_V1_SIZE, &d, sizeof(d));
	if (err)
		return err;
	if (d.program_type < BPFHOST_PROG_TYPE_EXT_BASE || d.program_type >= BPFHOST_PROG_TYPE_EXT_LIMIT)
		return bh_err(-EINVAL, "module '%s': program_type %u is outside the extension range "
			      "[%u, %u)", mod, d.program_type, BPFHOST_PROG_TYPE_EXT_BASE,
			      BPFHOST_PROG_TYPE_EXT_LIMIT);
	if (!d.name)
		return bh_err(-EINVAL, "module '%s': program type %u: name is NULL", mod, d.program_type);
	if (!d.context_create != !d.context_destroy)
		return bh_err(-EINVAL, "module '%s': program type %u: set both context_create and "
			      "context_destroy or neither", mod, d.program_type);
	for (struct bh_prog_type *o = types; o; o = o->next)
		if (o->type == d.program_type && !atomic_load(&o->gone))
			return bh_err(-EEXIST, "module '%s': program type %u is already provided by %s",
				      mod, d.program_type,
				      o->provider ? o->provider->module->name : "the core");

	t = plat_alloc(sizeof(*t));
	if (!t)
		return bh_err(-ENOMEM, "module '%s': out of memory", mod);
	atomic_init(&t->refcnt, 1);
	t->type = d.program_type;
	plat_snprintf(t->name, sizeof(t->name), "%s", d.name);
	err = bh_ext_copy_versioned(p->module, "bpfhost_context_descriptor", d.context_descriptor,
				    BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION,
				    BPFHOST_CONTEXT_DESCRIPTOR_V1_SIZE, &t->ctx, sizeof(t->ctx));
	if (!err) {
		int32_t size = (int32_t)t->ctx.size;

		if (!t->ctx.size || t->ctx.size > 4096 ||
		    (t->ctx.data >= 0 && t->ctx.data + 8 > size) || (t->ctx.end >= 0 && t->ctx.end + 8 > size) ||
		    (t->ctx.meta >= 0 && t->ctx.meta + 8 > size) || (t->ctx.data >= 0) != (t->ctx.end >= 0) ||
		    t->ctx.data < -1 || t->ctx.end < -1 || t->ctx.meta < -1)
			err = bh_err(-EINVAL, "module '%s': program type %u: context descriptor (size %u, "
				     "data %d, end %d, meta %d) is inconsistent", mod, d.program_type,
				     t->ctx.size, t->ctx.data, t->ctx.end, t->ctx.meta);
	}
	if (!err)
		err = copy_ctx_fields(p, t);
	if (!err)
		err = copy_helpers(p, t, &d);
	if (!err)
		err = copy_sections(p, t, &d);
	if (!err)
		err = copy_ctx_btf(p, t, &d);
	if (!err)
		err = bh_provider_bind(p, &bh_core_module_id, NULL);
	if (err) {
		type_free(t);
		return err;
	}
	t->ctx_create = d.context_create;
	t->ctx_destroy = d.context_destroy;
	t->binding_context = p->binding_context;
	t->provider = p;
	t->next = types;
	types = t;
	p->client_state = t;
	return 0;
}

static void prog_info_detach(struct bh_provider *p)
{
	struct bh_prog_type *t = p->client_state;

	if (!t)
		return;
	atomic_store(&t->gone, true);
	for (struct bh_prog_type **l = &types; *l; l = &(*l)->next)
		if (*l == t) {
			*l = t->next;
			break;
		}
	p->client_state = NULL;
	bh_prog_type_put(t);
}

const struct bh_client bh_prog_info_client = {
	.name = "program information",
	.npi_id = BPFHOST_NPI_PROGRAM_INFO,
	.attach_provider = prog_info_attach,
	.detach_provider = prog_info_detach,
};

int bh_prog_types_busy(struct bh_module *module, char *names, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		names[0] = 0;
	for (struct bh_prog_type *t = types; t; t = t->next) {
		long progs;

		if (!t->provider || t->provider->module != module)
			continue;
		progs = atomic_load(&t->refcnt) - 1;
		if (progs <= 0)
			continue;
		n += (int)progs;
		if (used < len)
			used += (size_t)plat_snprintf(names + used, len - used, "%s%ld program%s of type '%s' (%u)",
						      used ? ", " : "", progs, progs == 1 ? "" : "s",
						      t->name, t->type);
	}
	return n;
}

void bh_prog_types_orphan(struct bh_module *module)
{
	bh_registrar_lock();
	for (struct bh_prog_type *t = types; t; t = t->next)
		if (t->provider && t->provider->module == module)
			atomic_store(&t->gone, true);
	bh_registrar_unlock();
	/* Runs that saw the type alive finish before the module's code goes. */
	epoch_synchronize();
}
