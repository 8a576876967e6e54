// SPDX-License-Identifier: MIT
/*
 * Kfunc externs (`extern ... __ksym` functions, a FUNC in the `.ksyms`
 * DATASEC). At load each is looked up by name among the kfuncs the loaded
 * extension modules register (BPFHOST_KFUNC_INFO), and the prototype the
 * object's BTF gives it is compared with the registered one, as libbpf
 * compares an extern's with the kernel's BTF: the same number of arguments,
 * each a number of the same size or a pointer (to as many bytes as the
 * registered memory, for memory; any pointer for a reference to release),
 * and the same return (a pointer to the registered bytes for a reference).
 * A __weak one no module provides resolves to 0: its address reads 0 and
 * its calls are poisoned (the verifier refuses a path that reaches one).
 */
#include <stdio.h>
#include <string.h>

#include "object_internal.h"
#include "btf_internal.h"
#include "bpfhost/extension.h"

enum { KFUNC_UNRESOLVED, KFUNC_RESOLVED, KFUNC_ABSENT };

static const char *const arg_kind_name[] = { "nothing", "number", "pointer to const memory",
					     "pointer to memory", "context pointer", "reference to release" };

/* What local type @id is: 'n' a number of *size bytes, 'p' a pointer (*size: bytes it points to, 0 unknown), 0 neither. */
static char local_kind(const struct bpfhost_btf *btf, uint32_t id, int64_t *size)
{
	const struct bpfhost_btf_type *t = btf_skip_mods_and_typedefs(btf, id, NULL);

	*size = 0;
	if (!t)
		return 0;
	switch (t->kind) {
	case BPFHOST_BTF_KIND_INT:
	case BPFHOST_BTF_KIND_ENUM:
	case BPFHOST_BTF_KIND_ENUM64:
		*size = t->size;
		return 'n';
	case BPFHOST_BTF_KIND_PTR: {
		const struct bpfhost_btf_type *to = btf_skip_mods_and_typedefs(btf, t->type, NULL);

		if (to && to->kind != BPFHOST_BTF_KIND_UNKN && to->kind != BPFHOST_BTF_KIND_FWD &&
		    to->kind != BPFHOST_BTF_KIND_FUNC_PROTO)
			*size = bpfhost_btf__resolve_size(btf, t->type);
		if (*size < 0)
			*size = 0;
		return 'p';
	}
	default:
		return 0;
	}
}

/* The object's prototype of @name (FUNC @func_id) against the registered one in @k. */
static int compare_proto(const struct bpfhost_object *obj, const char *name, uint32_t func_id,
			 const union bpf_attr *k, char *why, size_t len)
{
	const struct bpfhost_btf_type *fn = bpfhost_btf__type_by_id(obj->btf, func_id);
	const struct bpfhost_btf_type *proto = fn ? bpfhost_btf__type_by_id(obj->btf, fn->type) : NULL;
	int64_t size;
	char kind;

	if (!proto || proto->kind != BPFHOST_BTF_KIND_FUNC_PROTO) {
		snprintf(why, len, "kfunc '%s' has no prototype in the object's BTF", name);
		return -EINVAL;
	}
	if (proto->vlen && !proto->params[proto->vlen - 1].type) {
		snprintf(why, len, "kfunc '%s' is declared with variable arguments; kfuncs take fixed ones", name);
		return -EINVAL;
	}
	if (proto->vlen != k->kfunc.arg_count) {
		snprintf(why, len, "kfunc '%s' is declared with %u argument%s, its module registers %u", name,
			 proto->vlen, proto->vlen == 1 ? "" : "s", k->kfunc.arg_count);
		return -EINVAL;
	}
	for (uint32_t a = 0; a < proto->vlen; a++) {
		uint32_t rk = k->kfunc.arg_kinds[a], rs = k->kfunc.arg_sizes[a];
		bool ok;

		kind = local_kind(obj->btf, proto->params[a].type, &size);
		if (rk == BPFHOST_KFUNC_ARG_SCALAR)
			ok = kind == 'n' && size == rs;
		else if (rk == BPFHOST_KFUNC_ARG_PTR_TO_CTX || rk == BPFHOST_KFUNC_ARG_RELEASE)
			ok = kind == 'p';
		else	/* memory: the pointee's size when the declaration gives one (not void *) */
			ok = kind == 'p' && (!size || size == rs);
		if (!ok) {
			snprintf(why, len, "kfunc '%s': argument %u is declared as %s%s (%lld bytes), its module "
				 "registers a %s (%u bytes)", name, a + 1, kind == 'n' ? "a number" :
				 kind == 'p' ? "a pointer" : "neither a number nor a pointer",
				 kind == 'p' ? " to memory" : "", (long long)size,
				 rk < sizeof(arg_kind_name) / sizeof(arg_kind_name[0]) ? arg_kind_name[rk] : "?", rs);
			return -EINVAL;
		}
	}
	kind = proto->type ? local_kind(obj->btf, proto->type, &size) : 'v';
	if (k->kfunc.return_kind == BPFHOST_KFUNC_RET_ACQUIRED) {
		/* `T *` to the registered bytes (or `void *`: the registration says how many). */
		if (kind == 'p' && (!size || size == k->kfunc.return_size))
			return 0;
		snprintf(why, len, "kfunc '%s' is declared to return %s (%lld bytes), its module registers a "
			 "reference to %u bytes", name, kind == 'p' ? "a pointer" : "no pointer", (long long)size,
			 k->kfunc.return_size);
		return -EINVAL;
	}
	if (k->kfunc.return_kind == BPFHOST_KFUNC_RET_VOID ? kind != 'v' :
	    kind != 'n' || size != k->kfunc.return_size) {
		snprintf(why, len, "kfunc '%s' is declared to return %s, its module registers %s", name,
			 kind == 'v' ? "void" : kind == 'n' ? "a number" : "a pointer or aggregate",
			 k->kfunc.return_kind == BPFHOST_KFUNC_RET_VOID ? "void" : "a number");
		if (kind == 'n' && k->kfunc.return_kind != BPFHOST_KFUNC_RET_VOID)
			snprintf(why, len, "kfunc '%s' is declared to return %lld bytes, its module registers %u",
				 name, (long long)size, k->kfunc.return_size);
		return -EINVAL;
	}
	return 0;
}

int obj_resolve_kfunc(struct bpfhost_object *obj, const char *name, uint32_t *id, char *why, size_t len)
{
	struct obj_extern *e = (struct obj_extern *)obj_find_extern(obj, name);
	union bpf_attr attr;
	int err;

	if (!e || !e->is_func) {
		snprintf(why, len, "'%s' is not a kfunc extern of this object", name);
		return -EINVAL;
	}
	if (e->kfunc_state != KFUNC_UNRESOLVED) {
		*id = e->kfunc_state == KFUNC_RESOLVED ? e->kfunc_id : 0;
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)name;
	err = bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr));
	if (err == -ENOENT && e->is_weak) {
		e->kfunc_state = KFUNC_ABSENT;
		*id = 0;
		return 0;
	}
	if (err == -ENOENT) {
		snprintf(why, len, "no loaded extension module registers kfunc '%s' (load the extension that "
			 "provides it before loading the object, or declare it __weak and test "
			 "bpf_ksym_exists())", name);
		return -ENOENT;
	}
	if (err) {
		snprintf(why, len, "kfunc '%s': %s", name, bpfhost_last_error());
		return err;
	}
	err = compare_proto(obj, name, e->btf_id, &attr, why, len);
	if (err)
		return err;
	e->kfunc_state = KFUNC_RESOLVED;
	e->kfunc_id = attr.kfunc.id;
	*id = e->kfunc_id;
	return 0;
}
