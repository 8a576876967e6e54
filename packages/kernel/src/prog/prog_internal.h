/* SPDX-License-Identifier: MIT */
/* What the program files share beyond prog.h: commands and object plumbing. */
#ifndef BPFHOST_PROG_INTERNAL_H
#define BPFHOST_PROG_INTERNAL_H

#include "interp.h"
#include "prog_type.h"
#include "../maps/map.h"

static inline struct bh_prog *bh_prog_from_obj(struct bh_object *obj)
{
	return container_of(obj, struct bh_prog, obj);
}

/* The program a handle names: 0, -EBADF (not open), -EINVAL (not a program). */
int bh_prog_from_handle(int handle, const char *cmd, struct bh_prog **prog);
/* Adds @map to the program's maps (a reference; asks a custom map's provider first). */
int bh_prog_add_map(struct bh_prog *prog, struct bh_map *map);
void bh_prog_free(struct bh_prog *prog);
void bh_prog_destroy(struct bh_object *obj);

/*
 * Runs @prog on @ctx inside the caller's epoch: sets up the run (packet
 * from the context descriptor), refuses a program whose type's module is
 * gone (-ENODEV), stops it past @insn_budget instructions (-ELOOP), counts
 * run time when stats are on. 0 or the fault.
 */
int bh_prog_run(const struct bh_prog *prog, void *ctx, uint32_t insn_budget, uint32_t *retval);

/* Command handlers (under epoch, from the dispatcher). */
int bh_prog_load(union bpf_attr *attr);
int bh_prog_test_run(union bpf_attr *attr, union bpf_attr *uattr);
int bh_prog_bind_map(union bpf_attr *attr);
/* The program's tag (GET_INFO), from the instructions as loaded. */
void bh_prog_tag(const struct bh_prog *prog, uint8_t tag[8]);
int bh_prog_get_info(struct bh_prog *prog, union bpf_attr *attr, union bpf_attr *uattr);
int bh_prog_type_by_section_cmd(union bpf_attr *attr, union bpf_attr *uattr);
int bh_trace_read_cmd(union bpf_attr *attr, union bpf_attr *uattr);
int bh_link_create(union bpf_attr *attr);
int bh_link_detach(union bpf_attr *attr);
int bh_link_get_info(struct bh_object *obj, union bpf_attr *attr, union bpf_attr *uattr);
int bh_hook_trigger(union bpf_attr *attr, union bpf_attr *uattr);

#endif /* BPFHOST_PROG_INTERNAL_H */
