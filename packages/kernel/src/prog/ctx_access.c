// SPDX-License-Identifier: MIT
/*
 * Context access rules: validating a field table, building the per-byte
 * rules the interpreter looks up, and saying why an access was refused.
 */
#include "ctx_access.h"
#include "interp.h"
#include "prog_type.h"

#define FIELD_PACKET (BPFHOST_CONTEXT_FIELD_PACKET_DATA | BPFHOST_CONTEXT_FIELD_PACKET_END | \
		      BPFHOST_CONTEXT_FIELD_PACKET_META)
#define FIELD_ALL (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE |               \
		   BPFHOST_CONTEXT_FIELD_NARROW_READ | BPFHOST_CONTEXT_FIELD_BYTES | FIELD_PACKET)
#define CTX_MAX 4096u		/* the largest context a type may declare */

static const char *const ptr_names[3] = { "data", "end", "meta" };

static void ptr_offsets(const struct bpfhost_context_descriptor *d, int32_t off[3])
{
	off[0] = d->data;
	off[1] = d->end;
	off[2] = d->meta;
}

static bool is_pow2_le8(uint32_t n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/* One field's own rules, apart from overlaps: 0 or -EINVAL. */
static int check_field(const char *who, const struct bpfhost_context_descriptor *d,
		       const struct bh_ctx_field *f, uint32_t i)
{
	uint32_t access = f->flags & (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE);
	uint32_t pkt = f->flags & FIELD_PACKET;
	int32_t ptr[3];

	if (!f->name)
		return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.fields[%u].name is NULL", who, i);
#define FIELD_ERR(fmt, ...)                                                                \
	bh_err(-EINVAL, "%s: bpfhost_context_descriptor.fields[%u] ('%s', offset %u, %u bytes): " fmt, \
	       who, i, f->name, f->offset, f->size, __VA_ARGS__)
	if (f->flags & ~FIELD_ALL)
		return FIELD_ERR("unknown flags 0x%x", f->flags & ~FIELD_ALL);
	if (!f->size)
		return FIELD_ERR("%s", "is empty");
	if (f->offset >= d->size || f->size > d->size - f->offset)
		return FIELD_ERR("runs past the end of the context (%u bytes)", d->size);
	if ((f->flags & BPFHOST_CONTEXT_FIELD_NARROW_READ) &&
	    (!(f->flags & BPFHOST_CONTEXT_FIELD_READ) || (f->flags & BPFHOST_CONTEXT_FIELD_BYTES)))
		return FIELD_ERR("%s", "NARROW_READ needs READ and excludes BYTES");
	if (access && !(f->flags & BPFHOST_CONTEXT_FIELD_BYTES) && !is_pow2_le8(f->size))
		return FIELD_ERR("%s", "a loaded or stored field is 1, 2, 4 or 8 bytes (BYTES for a buffer)");
	ptr_offsets(d, ptr);
	for (int p = 0; p < 3; p++) {
		uint32_t flag = BPFHOST_CONTEXT_FIELD_PACKET_DATA << p;

		if (pkt & flag) {
			if (pkt != flag)
				return FIELD_ERR("%s", "more than one PACKET_ flag");
			if (ptr[p] < 0 || (uint32_t)ptr[p] != f->offset || f->size != 8)
				return FIELD_ERR("PACKET_%s needs the descriptor's %s pointer (offset %d) "
						 "at the field's offset, 8 bytes",
						 p == 0 ? "DATA" : p == 1 ? "END" : "META", ptr_names[p], ptr[p]);
			if (f->flags & ~(flag | BPFHOST_CONTEXT_FIELD_READ))
				return FIELD_ERR("%s", "a packet pointer may be READ (whole) only: the "
						 "core reads the packet range from it");
		} else if (ptr[p] >= 0 && (uint32_t)ptr[p] < f->offset + f->size &&
			   f->offset < (uint32_t)ptr[p] + 8) {
			return FIELD_ERR("overlaps the descriptor's %s pointer (offset %d) without being it "
					 "(PACKET_ flag)", ptr_names[p], ptr[p]);
		}
	}
#undef FIELD_ERR
	return 0;
}

/* The rules of one field: which accesses may start at each of its bytes. */
static void field_rules(const struct bh_ctx_field *f, uint8_t *rules)
{
	bool bytes = f->flags & BPFHOST_CONTEXT_FIELD_BYTES;
	bool narrow = f->flags & BPFHOST_CONTEXT_FIELD_NARROW_READ;
	bool rd = f->flags & BPFHOST_CONTEXT_FIELD_READ, wr = f->flags & BPFHOST_CONTEXT_FIELD_WRITE;

	for (uint32_t size = 1; size <= 8; size <<= 1)
		for (uint32_t rel = 0; size <= f->size && rel <= f->size - size; rel += size) {
			bool whole = rel == 0 && size == f->size;

			/* rel steps by size: every start here is aligned to its size. */
			if (rd && (bytes || whole || (narrow && size < f->size)))
				rules[f->offset + rel] |= BH_CTX_READ(size);
			if (wr && (bytes || whole))
				rules[f->offset + rel] |= BH_CTX_WRITE(size);
		}
}

/*
 * No field table (a module built before the table existed, or one that
 * declares none): the context is read-only bytes of its declared size, as
 * the verifier's contract says of version-1 contexts; a program that must
 * write its context needs a field table saying which fields it may write.
 */
static void default_rules(const struct bpfhost_context_descriptor *d, uint8_t *rules)
{
	for (uint32_t off = 0; off < d->size; off++)
		for (uint32_t size = 1; size <= 8 && size <= d->size - off; size <<= 1)
			rules[off] |= BH_CTX_READ(size);
}

int bh_ctx_rules_build(const char *who, const struct bpfhost_context_descriptor *d,
		       const struct bh_ctx_field *fields, uint32_t count, uint8_t *rules)
{
	uint16_t owner[CTX_MAX];	/* 1 + the field holding each byte, 0 for none */

	if (d->size > CTX_MAX)
		return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.size %u is larger than %u", who,
			      d->size, CTX_MAX);
	if (count > d->size)
		return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.field_count %u is more than the "
			      "context's %u bytes", who, count, d->size);
	plat_memset(rules, 0, d->size);
	if (!count) {
		default_rules(d, rules);
		return 0;
	}
	plat_memset(owner, 0, sizeof(owner[0]) * d->size);
	for (uint32_t i = 0; i < count; i++) {
		const struct bh_ctx_field *f = &fields[i];
		int err = check_field(who, d, f, i);

		if (err)
			return err;
		for (uint32_t b = f->offset; b < f->offset + f->size; b++) {
			if (owner[b]) {
				const struct bh_ctx_field *o = &fields[owner[b] - 1];

				return bh_err(-EINVAL, "%s: bpfhost_context_descriptor.fields[%u] ('%s', offset "
					      "%u, %u bytes) overlaps fields[%u] ('%s', offset %u, %u bytes)",
					      who, i, f->name, f->offset, f->size, owner[b] - 1, o->name,
					      o->offset, o->size);
			}
			owner[b] = (uint16_t)(i + 1);
		}
	}
	for (uint32_t i = 0; i < count; i++)
		field_rules(&fields[i], rules);
	return 0;
}

bool bh_ctx_bytes_ok(const uint8_t *rules, size_t off, size_t size, bool write)
{
	uint8_t bit = write ? BH_CTX_WRITE(1) : BH_CTX_READ(1);

	for (size_t i = 0; i < size; i++)
		if (!(rules[off + i] & bit))
			return false;
	return true;
}

/* What accesses @f allows, for a message. */
static const char *field_shapes(const struct bh_ctx_field *f, bool write)
{
	if (f->flags & BPFHOST_CONTEXT_FIELD_BYTES)
		return "loads and stores of 1, 2, 4 or 8 bytes aligned to their size";
	if (!write && (f->flags & BPFHOST_CONTEXT_FIELD_NARROW_READ))
		return "loads of the whole field or of 1, 2 or 4 bytes aligned to their size";
	return "accesses of the whole field only";
}

bool bh_ctx_explain(const struct bh_run *run, uintptr_t addr, size_t size, bool write, bool atomic,
		    char *buf, size_t len)
{
	const struct bh_prog_type *t = run->prog ? run->prog->ptype : NULL;
	const char *what = write ? "store" : "load";
	const struct bh_ctx_field *f = NULL;
	uint32_t off;
	int32_t ptr[3];

	if (!run->ctx_rules || !t || addr < run->ctx.start || addr >= run->ctx.end)
		return false;
	off = (uint32_t)(addr - run->ctx.start);
	if (atomic) {
		if (run->ctx_atomics)
			return false;	/* allowed here: the fault is the alignment */
		plat_snprintf(buf, len, "atomic operations may not touch the context (offset %u) of "
			      "program type %s", off, t->name);
		return true;
	}
	if (size > run->ctx.end - addr) {
		plat_snprintf(buf, len, "a %s of %zu bytes at context offset %u runs past the end of "
			      "the context (%u bytes) of program type %s", what, size, off, t->ctx.size, t->name);
		return true;
	}
	if (!t->ctx_field_cnt) {
		/* Default rules refuse only stores to the packet pointers. */
		ptr_offsets(&t->ctx, ptr);
		for (int p = 0; p < 3; p++)
			if (ptr[p] >= 0 && (uint32_t)ptr[p] < off + size && off < (uint32_t)ptr[p] + 8) {
				plat_snprintf(buf, len, "the packet pointer '%s' (context offset %d) is "
					      "read-only for program type %s", ptr_names[p], ptr[p], t->name);
				return true;
			}
		plat_snprintf(buf, len, "a %s of %zu bytes at context offset %u is refused for program "
			      "type %s", what, size, off, t->name);
		return true;
	}
	for (uint32_t i = 0; i < t->ctx_field_cnt && !f; i++)
		if (off >= t->ctx_fields[i].offset && off - t->ctx_fields[i].offset < t->ctx_fields[i].size)
			f = &t->ctx_fields[i];
	if (!f)
		plat_snprintf(buf, len, "context offset %u is in no field of program type %s (padding)",
			      off, t->name);
	else if (!(f->flags & (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE)))
		plat_snprintf(buf, len, "context field '%s' (offset %u) is not accessible for program "
			      "type %s", f->name, f->offset, t->name);
	else if (!(f->flags & (write ? BPFHOST_CONTEXT_FIELD_WRITE : BPFHOST_CONTEXT_FIELD_READ)))
		plat_snprintf(buf, len, "context field '%s' (offset %u) is %s for program type %s",
			      f->name, f->offset, write ? "read-only" : "write-only", t->name);
	else if (size > f->offset + f->size - off)
		plat_snprintf(buf, len, "a %s of %zu bytes at context offset %u runs past field '%s' "
			      "(offset %u, %u bytes) of program type %s", what, size, off, f->name,
			      f->offset, f->size, t->name);
	else
		plat_snprintf(buf, len, "context field '%s' (offset %u, %u bytes) allows no %s of %zu "
			      "bytes at offset %u for program type %s (%s)", f->name, f->offset, f->size, what,
			      size, off, t->name, field_shapes(f, write));
	return true;
}
