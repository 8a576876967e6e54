/* SPDX-License-Identifier: MIT */
/*
 * Program types: the core's built-in ones (socket filter, XDP, TC) and those program
 * information providers register. Each holds its context descriptor, the
 * section prefixes that select it and its type-specific helpers.
 */
#ifndef BPFHOST_PROG_TYPE_H
#define BPFHOST_PROG_TYPE_H

#include "prog.h"
#include "ctx_access.h"

struct bh_provider;
struct bh_module;

struct bh_section_prefix {
	char *prefix;
	uint32_t attach_type;
};

struct bh_prog_type {
	struct bh_prog_type *next;
	atomic_long refcnt;		/* the registry's, plus one per program */
	uint32_t type;
	char name[32];
	struct bpfhost_context_descriptor ctx;	/* ctx.fields is not kept: see ctx_fields */
	const struct bh_ctx_field *ctx_fields;	/* the field table; none: default rules */
	uint32_t ctx_field_cnt;
	uint8_t *ctx_rules;		/* ctx.size bytes (ctx_access.h), built once */
	bool ctx_rules_ready;		/* built-in types build theirs on first use */
	struct bh_helper *helpers;	/* type-specific helpers */
	uint32_t helper_cnt;
	struct bh_section_prefix *sections;
	uint32_t section_cnt;
	bpfhost_context_create_t ctx_create;	/* NULL: the core's default */
	bpfhost_context_destroy_t ctx_destroy;
	void *binding_context;
	/* Built-in types whose packet is not behind ctx data/end pointers. */
	void (*packet)(void *context, struct bh_region *pkt);
	/*
	 * Built-in types whose UAPI context has 32-bit packet pointer fields
	 * (struct xdp_md): see struct bh_run.ctx_ptr32_span. 0 for others.
	 */
	uint32_t ctx_ptr32_span;
	uint32_t ctx_ptr32_base;	/* where the span starts (struct __sk_buff: data, 76) */
	uint32_t ctx_ptr32_mask;	/* its pointer fields: bit i for base + 4 * i */
	bool no_ld_abs;			/* LD_ABS/LD_IND refused at load (Linux's may_access_skb) */
	/* Built-in types: may @prog be test-run at all? 0 or the refusal (NULL: yes). */
	int (*test_run_check)(const struct bh_prog *prog);
	/* Built-in types: where a run that returned @retval redirects (attr->test.redirect_*); NULL: never. */
	void (*redirect)(const void *context, uint32_t retval, struct bh_redirect *out);
	uint8_t *ctx_btf;		/* the module's CO-RE target BTF (copied), or NULL */
	uint32_t ctx_btf_size;
	struct bh_provider *provider;	/* NULL for built-in types */
	atomic_bool gone;		/* its module was unloaded: programs refuse to run */
};

#define BH_CTX_BTF_MAX (4u << 20)

/*
 * BPFHOST_PROG_TYPE_BTF: the @index-th registered type that has a CO-RE
 * BTF: its type, size, and the bytes when buf_size holds them (0 with
 * buf_size 0 asks only the size). -ENOENT past the last, -ENOSPC.
 */
int bh_prog_type_btf_cmd(union bpf_attr *attr, union bpf_attr *uattr);

/*
 * BPFHOST_PROG_TYPE_HELPERS: the helper ids programs of a type may call, the
 * first id_cnt of them copied to ids, id_cnt set to how many there are;
 * their names NUL-terminated at names (whole ones, while names_size holds
 * them), names_size set to the bytes all take. -EOPNOTSUPP (no such type),
 * -EFAULT (ids or names NULL with room).
 */
int bh_prog_type_helpers_cmd(union bpf_attr *attr, union bpf_attr *uattr);

/* The type with a reference, or NULL (message set: -EOPNOTSUPP). */
struct bh_prog_type *bh_prog_type_get(uint32_t type);
void bh_prog_type_put(struct bh_prog_type *t);
/* Longest registered prefix matching @section: 0 or -ENOENT. */
int bh_prog_type_by_section(const char *section, uint32_t *type, uint32_t *attach_type);
/* The type's own helper @id, or NULL. */
const struct bh_helper *bh_prog_type_helper(const struct bh_prog_type *t, uint32_t id);

/* Module unload: names of the types with loaded programs (count), then orphaning. */
int bh_prog_types_busy(struct bh_module *module, char *names, size_t len);
void bh_prog_types_orphan(struct bh_module *module);

/* The core's helpers (helpers.c): the one with @id usable by @prog_type, or NULL. */
const struct bh_helper *bh_core_helper(uint32_t id, uint32_t prog_type);
/* XDP's own helpers (xdp_helpers.c): the one with @id, or NULL. */
const struct bh_helper *bh_xdp_helper(uint32_t id);
/* TC's own helpers (tc_helpers.c, SCHED_CLS and SCHED_ACT): the one with @id, or NULL. */
const struct bh_helper *bh_tc_helper(uint32_t id);
/* Linux's name of helper @id without the bpf_ prefix ("fib_lookup"), or NULL (helper_names.c). */
const char *bh_linux_helper_name(uint32_t id);

#endif /* BPFHOST_PROG_TYPE_H */
