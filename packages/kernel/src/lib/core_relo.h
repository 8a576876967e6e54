/* SPDX-License-Identifier: MIT */
/*
 * CO-RE (compile once, run everywhere): one relocation record of
 * `.BTF.ext`, resolved against target BTFs with libbpf's rules, then
 * written into its instruction. Private to the library.
 *
 * A record names a local type (the program's BTF), an access string
 * ("0:1:2": array index on the root, then member or element indexes) and
 * a kind. Candidates are the target types whose name equals the local
 * one up to a "___flavor" suffix; each must give the same result (else
 * the relocation is ambiguous and refused). When none matches, the
 * *_EXISTS kinds and the type-based kinds give 0 and the rest poison the
 * instruction (a call to BPFHOST_POISON_HELPER_ID).
 */
#ifndef BPFHOST_LIB_CORE_RELO_H
#define BPFHOST_LIB_CORE_RELO_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfhost/bpf_insn.h"
#include "btf_internal.h"

enum core_relo_kind {
	CORE_FIELD_BYTE_OFFSET = 0,
	CORE_FIELD_BYTE_SIZE = 1,
	CORE_FIELD_EXISTS = 2,
	CORE_FIELD_SIGNED = 3,
	CORE_FIELD_LSHIFT_U64 = 4,
	CORE_FIELD_RSHIFT_U64 = 5,
	CORE_TYPE_ID_LOCAL = 6,
	CORE_TYPE_ID_TARGET = 7,
	CORE_TYPE_EXISTS = 8,
	CORE_TYPE_SIZE = 9,
	CORE_ENUMVAL_EXISTS = 10,
	CORE_ENUMVAL_VALUE = 11,
	CORE_TYPE_MATCHES = 12,
	CORE_KIND_CNT,
};

/* `.BTF.ext` record (Linux's struct bpf_core_relo). */
struct core_relo_rec {
	uint32_t insn_off;		/* bytes in the section */
	uint32_t type_id;		/* local root type */
	uint32_t access_str_off;	/* into the local BTF's strings */
	uint32_t kind;
};

/* Where to look: the target BTFs in order (a custom file, or the built-in one plus extensions'). */
struct core_targets {
	const struct bpfhost_btf *const *btfs;
	uint32_t cnt;
};

struct core_result {
	uint64_t orig_val;		/* what the compiler wrote (for the local BTF) */
	uint64_t new_val;		/* what it is for the target */
	uint32_t orig_sz, new_sz;	/* field byte sizes (load/store size adjustment) */
	bool poison;			/* no target: poison the instruction */
	bool validate;			/* check the instruction holds orig_val */
	bool fail_memsz_adjust;		/* sizes differ and a load/store could not follow */
	uint32_t cand_cnt;		/* candidates that matched */
};

/* The kind's name as libbpf prints it ("byte_off", "enumval_exists", ...). */
const char *core_relo_kind_str(uint32_t kind);

/*
 * Resolves @rec. 0 with @res; -EINVAL/-EOPNOTSUPP/-E2BIG with @why set
 * (a malformed record, an anonymous root type, an ambiguity).
 */
int core_relo_resolve(const struct bpfhost_btf *local, const struct core_relo_rec *rec,
		      const struct core_targets *targets, struct core_result *res, char *why,
		      size_t why_len);

/*
 * Writes @res into @insn (@insn_left instructions from it). 0, or
 * -EINVAL/-ERANGE with @why (the instruction does not hold what the
 * compiler should have written, or cannot take the new value).
 */
int core_relo_patch(struct bpf_insn *insn, uint32_t insn_left, const struct core_result *res,
		    char *why, size_t why_len);

/* Writes the poison call over @insn (and the second half of an lddw). */
void core_relo_poison(struct bpf_insn *insn, uint32_t insn_left);

/* "struct foo.bar[2].baz" of a record, for messages. */
void core_relo_describe(const struct bpfhost_btf *local, const struct core_relo_rec *rec, char *out,
			size_t len);

#endif /* BPFHOST_LIB_CORE_RELO_H */
