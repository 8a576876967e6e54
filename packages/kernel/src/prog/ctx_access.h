/* SPDX-License-Identifier: MIT */
/*
 * Context access rules: a program type's field table (Linux's
 * is_valid_access as data) turned, once at registration, into one byte per
 * context offset saying which loads and stores may start there. The
 * interpreter's check is then one table lookup per context access.
 */
#ifndef BPFHOST_CTX_ACCESS_H
#define BPFHOST_CTX_ACCESS_H

#include "prog.h"

/*
 * The bits of a rules byte: an access of @size (1, 2, 4 or 8) bytes
 * starting at that offset is allowed. Reads are bits 0-3 (the size itself),
 * writes bits 4-7.
 */
#define BH_CTX_READ(size) ((uint8_t)(size))
#define BH_CTX_WRITE(size) ((uint8_t)((size) << 4))

/* One row of a field table (the core's copy of struct bpfhost_context_field). */
struct bh_ctx_field {
	const char *name;
	uint32_t offset;
	uint32_t size;
	uint32_t flags;			/* BPFHOST_CONTEXT_FIELD_* */
};

/*
 * Checks @fields (may be empty) against the descriptor @d and fills
 * @rules (d->size bytes). Without fields: everything inside the context
 * except stores touching a packet pointer. 0, or -EINVAL with a message
 * starting with @who ("module 'm': program type 4200") and naming the
 * struct and field.
 */
int bh_ctx_rules_build(const char *who, const struct bpfhost_context_descriptor *d,
		       const struct bh_ctx_field *fields, uint32_t count, uint8_t *rules);

/* Accesses of other sizes (helper arguments): every byte as a 1-byte access. */
bool bh_ctx_bytes_ok(const uint8_t *rules, size_t off, size_t size, bool write);

struct bh_run;

/*
 * Why the context rules of @run refuse this access (@atomic: an atomic
 * operation), in @buf: "context field 'len' (offset 0) is read-only for
 * program type socket_filter". False when [addr, addr + size) does not
 * start in a context with rules (the fault is about other memory).
 */
bool bh_ctx_explain(const struct bh_run *run, uintptr_t addr, size_t size, bool write, bool atomic,
		    char *buf, size_t len);

#endif /* BPFHOST_CTX_ACCESS_H */
