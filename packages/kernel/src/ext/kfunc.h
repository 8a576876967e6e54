/* SPDX-License-Identifier: MIT */
/*
 * BTF-resolved functions (kfuncs): the core's client of BPFHOST_NPI_KFUNC.
 * Each provider's table becomes a kfunc set; each kfunc gets an id (what a
 * call's imm carries) and a helper view (struct bh_helper) through which
 * the verifier and the interpreter treat the call as a helper call.
 */
#ifndef BPFHOST_EXT_KFUNC_H
#define BPFHOST_EXT_KFUNC_H

#include "../prog/prog.h"

struct bh_module;

/*
 * Kfunc ids start here: far from Linux's helper ids and the core's special
 * ids, so no check that compares a helper id can mistake a kfunc for one.
 */
#define BH_KFUNC_ID_BASE 0x40000000u

/*
 * The kfunc @id for a program of type @prog_type (named @type_name) at
 * @who ("program 'p': insn 4"): its helper view and a reference on its set
 * (drop with bh_kfunc_set_put). -EINVAL with a message when no loaded
 * module registers @id or the kfunc refuses programs of that type.
 */
int bh_kfunc_get(uint32_t id, uint32_t prog_type, const char *type_name, const char *who,
		 const struct bh_helper **helper, struct bh_kfunc_set **set);
void bh_kfunc_set_put(struct bh_kfunc_set *set);

/*
 * Of a kfunc's helper view (h->kfunc): its registered prototype; its
 * module's table (references are released only by the table that acquired
 * them); an acquiring kfunc's releasing kfunc (the core calls it for a run
 * that ends holding a reference), NULL for others.
 */
const struct bpfhost_kfunc *bh_kfunc_proto(const struct bh_helper *h);
const void *bh_kfunc_owner(const struct bh_helper *h);
const struct bh_helper *bh_kfunc_releaser(const struct bh_helper *h);

/* BPFHOST_KFUNC_INFO (uapi.h); @size: the caller's attr bytes (what it has room for). */
int bh_kfunc_info_cmd(union bpf_attr *attr, union bpf_attr *uattr, unsigned int size);

/* Module unload (under the registrar lock): programs holding its kfuncs; then orphaning. */
int bh_kfuncs_busy(struct bh_module *module, char *names, size_t len);
void bh_kfuncs_orphan(struct bh_module *module);

#endif /* BPFHOST_EXT_KFUNC_H */
