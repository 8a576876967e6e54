// SPDX-License-Identifier: MIT
/*
 * A test module providing kfuncs (BPFHOST_NPI_KFUNC) and nothing else, so a
 * test can unload it while the program types stay:
 *   u64 tk_add(u64 a, u32 b)                  a + b (b's low 32 bits)
 *   u64 tk_sum4(const struct tk_vec *v)       the sum of its u32 v[4] (16 bytes)
 *   void tk_fill(u64 *out, u64 v)             *out = v (8 bytes, read and written)
 *   u32 tk_ctx_value(void *ctx)               testprog's ctx->value; testprog (4200) only
 * tk_calls counts the calls, so a test sees whether one ran. test_kfunc_mode
 * picks a bad table instead (registration refusals).
 */
#include <stdatomic.h>
#include <string.h>

#include "bpfhost/extension.h"
#include "kfunc_module.h"
#include "test_kfunc_provider.h"

static atomic_uint calls;
static struct tk_control control;

__attribute__((visibility("default"))) struct tk_control *test_kfunc_control(void);
__attribute__((visibility("default"))) struct tk_control *test_kfunc_control(void)
{
	return &control;
}

static uint64_t tk_add(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)c, (void)d, (void)e;
	atomic_fetch_add(&calls, 1);
	return a + (uint32_t)b;
}

static uint64_t tk_sum4(uint64_t p, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	uint32_t v[4];

	(void)b, (void)c, (void)d, (void)e;
	atomic_fetch_add(&calls, 1);
	memcpy(v, (const void *)(uintptr_t)p, sizeof(v));
	return (uint64_t)v[0] + v[1] + v[2] + v[3];
}

static uint64_t tk_fill(uint64_t p, uint64_t v, uint64_t c, uint64_t d, uint64_t e)
{
	(void)c, (void)d, (void)e;
	atomic_fetch_add(&calls, 1);
	memcpy((void *)(uintptr_t)p, &v, sizeof(v));
	return 0;
}

static uint64_t tk_ctx_value(uint64_t ctx, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	uint32_t v;

	(void)b, (void)c, (void)d, (void)e;
	atomic_fetch_add(&calls, 1);
	memcpy(&v, (const uint8_t *)(uintptr_t)ctx + TK_TESTPROG_CTX_VALUE, sizeof(v));
	return v;
}

static const uint32_t testprog_only[] = { TK_TESTPROG_TYPE };

static const struct bpfhost_kfunc pristine[] = {
	{ BPFHOST_KFUNC_HEADER, "tk_add", tk_add, BPFHOST_KFUNC_RET_SCALAR, 8, 2,
	  { BPFHOST_KFUNC_ARG_SCALAR, BPFHOST_KFUNC_ARG_SCALAR }, { 8, 4 }, NULL, 0 },
	{ BPFHOST_KFUNC_HEADER, "tk_sum4", tk_sum4, BPFHOST_KFUNC_RET_SCALAR, 8, 1,
	  { BPFHOST_KFUNC_ARG_PTR_TO_MEM }, { 16 }, NULL, 0 },
	{ BPFHOST_KFUNC_HEADER, "tk_fill", tk_fill, BPFHOST_KFUNC_RET_VOID, 0, 2,
	  { BPFHOST_KFUNC_ARG_PTR_TO_MEM_RW, BPFHOST_KFUNC_ARG_SCALAR }, { 8, 8 }, NULL, 0 },
	{ BPFHOST_KFUNC_HEADER, "tk_ctx_value", tk_ctx_value, BPFHOST_KFUNC_RET_SCALAR, 4, 1,
	  { BPFHOST_KFUNC_ARG_PTR_TO_CTX }, { 0 }, testprog_only, 1 },
};
#define KFUNC_COUNT (sizeof(pristine) / sizeof(pristine[0]))
/* What registers: the pristine table, then the control's change (the module may load again). */
static struct bpfhost_kfunc kfuncs[KFUNC_COUNT];

static struct bpfhost_kfunc_provider_data data = {
	BPFHOST_KFUNC_PROVIDER_DATA_HEADER, kfuncs, KFUNC_COUNT,
};

static const struct bpfhost_provider_characteristics chars =
	KFUNC_MODULE_CHARS(&data, { 0x746b, 0x6675, 0x6e63, { 1 } });

__attribute__((visibility("default"))) unsigned test_kfunc_calls(void);
__attribute__((visibility("default"))) unsigned test_kfunc_calls(void)
{
	return atomic_load(&calls);
}

/* The table as the control asks: each mode breaks one rule the core checks. */
static void apply_mode(struct bpfhost_kfunc *k)
{
	memcpy(kfuncs, pristine, sizeof(kfuncs));
	data.kfunc_count = KFUNC_COUNT;
	switch (control.mode) {
	case TK_BAD_NAME:
		k->name = "tk add";
		break;
	case TK_NO_FUNCTION:
		k->function = NULL;
		break;
	case TK_BAD_SCALAR_SIZE:
		k->arg_sizes[1] = 3;
		break;
	case TK_TOO_MANY_ARGS:
		k->arg_count = 6;
		break;
	case TK_KIND_PAST_COUNT:
		k->arg_kinds[2] = BPFHOST_KFUNC_ARG_SCALAR;
		k->arg_sizes[2] = 8;
		break;
	case TK_DUPLICATE:
		k[1].name = "tk_add";
		break;
	case TK_BAD_RETURN:
		k->return_size = 16;
		break;
	case TK_NO_KFUNCS:
		data.kfunc_count = 0;
		break;
	default:
		break;
	}
}

int bpfhost_extension_entry(const struct bpfhost_registrar *r, struct bpfhost_module *m);
__attribute__((visibility("default"))) int bpfhost_extension_entry(const struct bpfhost_registrar *r,
								   struct bpfhost_module *m)
{
	apply_mode(kfuncs);
	return kfunc_module_register(r, m, &chars, "test_kfunc_provider", NULL);
}
