// SPDX-License-Identifier: MIT
/*
 * A kfunc module built before references: its table has the version-1
 * layout (no ref_type, ref_flags; a smaller stride), as a module compiled
 * against the old extension.h would pass it. The core must read it as before:
 *   u64 tv1_double(u64 a)   2 * a
 *   u64 tv1_inc(u64 a)      a + 1
 */
#include <stddef.h>

#include "bpfhost/extension.h"
#include "kfunc_module.h"

/* struct bpfhost_kfunc up to program_type_count: what the old header declared. */
struct kfunc_v1 {
	struct bpfhost_extension_header header;
	const char *name;
	bpfhost_helper_fn_t function;
	uint32_t return_kind;
	uint32_t return_size;
	uint32_t arg_count;
	uint32_t arg_kinds[5];
	uint32_t arg_sizes[5];
	const uint32_t *program_types;
	uint32_t program_type_count;
};
_Static_assert(sizeof(struct kfunc_v1) < sizeof(struct bpfhost_kfunc), "the old layout is shorter");
_Static_assert(offsetof(struct kfunc_v1, program_type_count) ==
		       offsetof(struct bpfhost_kfunc, program_type_count), "and a prefix of the new one");

#define V1_HEADER { 1, offsetof(struct kfunc_v1, program_type_count) + sizeof(uint32_t), sizeof(struct kfunc_v1) }

static uint64_t tv1_double(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	return 2 * a;
}

static uint64_t tv1_inc(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	return a + 1;
}

static const struct kfunc_v1 kfuncs[] = {
	{ V1_HEADER, "tv1_double", tv1_double, BPFHOST_KFUNC_RET_SCALAR, 8, 1, { BPFHOST_KFUNC_ARG_SCALAR }, { 8 },
	  NULL, 0 },
	{ V1_HEADER, "tv1_inc", tv1_inc, BPFHOST_KFUNC_RET_SCALAR, 8, 1, { BPFHOST_KFUNC_ARG_SCALAR }, { 8 },
	  NULL, 0 },
};

static const struct bpfhost_kfunc_provider_data data = {
	BPFHOST_KFUNC_PROVIDER_DATA_HEADER, (const struct bpfhost_kfunc *)(const void *)kfuncs, 2,
};

static const struct bpfhost_provider_characteristics chars =
	KFUNC_MODULE_CHARS(&data, { 0x7476, 0x3100, 0x0001, { 1 } });

int bpfhost_extension_entry(const struct bpfhost_registrar *r, struct bpfhost_module *m);
__attribute__((visibility("default"))) int bpfhost_extension_entry(const struct bpfhost_registrar *r,
								   struct bpfhost_module *m)
{
	return kfunc_module_register(r, m, &chars, "test_kfunc_v1", NULL);
}
