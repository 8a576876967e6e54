// SPDX-License-Identifier: MIT
/*
 * Kfuncs: functions BPF programs call by name (`extern ... __ksym`), each
 * registered with the prototype the core checks every call against. The
 * core resolves the names when a program loads and refuses a program whose
 * declaration differs, so the functions below can trust their arguments:
 * a context pointer is the program's context, memory has the registered
 * size and is the program's to read and write, and a reference to release
 * is one that this module's acquiring kfunc of the same tag returned and
 * the program still holds.
 */

/* The module's reference tags (bpfhost_kfunc.ref_type). */
#define SAMPLE_REF_COUNTER 1
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "sample_ext_internal.h"

/*
 * u32 sample_event_checksum(struct sample_ctx *ctx): the core passes the
 * program's r1-r5; r1 is the context, which the hook or a test run built.
 */
static uint64_t event_checksum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct sample_ctx *ctx = (const struct sample_ctx *)(uintptr_t)r1;
	const uint8_t *p = ctx->data, *end = ctx->data_end;
	uint32_t sum = 0;

	(void)r2, (void)r3, (void)r4, (void)r5;
	for (; p && p + 1 < end; p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (p && p < end)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* void sample_stats_add(struct sample_stats *stats, u64 value) */
static uint64_t stats_add(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct sample_stats s;

	(void)r3, (void)r4, (void)r5;
	/* 8-byte fields at any address the program may pass: copy in and out. */
	memcpy(&s, (void *)(uintptr_t)r1, sizeof(s));
	s.min = s.count && s.min < r2 ? s.min : r2;
	s.max = s.count && s.max > r2 ? s.max : r2;
	s.count++;
	s.sum += r2;
	memcpy((void *)(uintptr_t)r1, &s, sizeof(s));
	return 0;
}

/* #region kfunc-ref-impl (shown by the docs site) */
/*
 * Counters programs borrow by key. The references a program holds are
 * counted here, never in the counter: the program may write the counter's
 * bytes (BPFHOST_KFUNC_REF_WRITABLE), so nothing in them is trusted.
 */
static struct sample_counter counters[SAMPLE_COUNTERS];
static atomic_long counter_refs;

/* struct sample_counter *sample_counter_acquire(u32 key) */
static uint64_t counter_acquire(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint32_t key = (uint32_t)r1;	/* a u32: only the low half is the argument */

	(void)r2, (void)r3, (void)r4, (void)r5;
	if (key >= SAMPLE_COUNTERS)
		return 0;	/* NULL: the program must check before use */
	atomic_fetch_add(&counter_refs, 1);
	return (uint64_t)(uintptr_t)&counters[key];
}

/* void sample_counter_release(struct sample_counter *counter): the core passes only what acquire returned. */
static uint64_t counter_release(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	atomic_fetch_sub(&counter_refs, 1);
	return 0;
}
/* #endregion kfunc-ref-impl */

SAMPLE_EXPORT long sample_ext_counter_refs(void)
{
	return atomic_load(&counter_refs);
}

static const uint32_t sample_type_only[] = { SAMPLE_EXT_PROGRAM_TYPE };

static const struct bpfhost_kfunc sample_kfuncs[] = {
	{
		.header = BPFHOST_KFUNC_HEADER,
		.name = "sample_event_checksum",
		.function = event_checksum,
		.return_kind = BPFHOST_KFUNC_RET_SCALAR,
		.return_size = sizeof(uint32_t),
		.arg_count = 1,
		.arg_kinds = { BPFHOST_KFUNC_ARG_PTR_TO_CTX },
		.program_types = sample_type_only,	/* it reads a struct sample_ctx */
		.program_type_count = 1,
	},
	{
		.header = BPFHOST_KFUNC_HEADER,
		.name = "sample_stats_add",
		.function = stats_add,
		.return_kind = BPFHOST_KFUNC_RET_VOID,
		.arg_count = 2,
		.arg_kinds = { BPFHOST_KFUNC_ARG_PTR_TO_MEM_RW, BPFHOST_KFUNC_ARG_SCALAR },
		.arg_sizes = { sizeof(struct sample_stats), sizeof(uint64_t) },
		/* no program_types: programs of every type may call it */
	},
	/* #region kfunc-ref-table (shown by the docs site) */
	{
		.header = BPFHOST_KFUNC_HEADER,
		.name = "sample_counter_acquire",
		.function = counter_acquire,
		.return_kind = BPFHOST_KFUNC_RET_ACQUIRED,	/* a reference, or NULL */
		.return_size = sizeof(struct sample_counter),
		.arg_count = 1,
		.arg_kinds = { BPFHOST_KFUNC_ARG_SCALAR },
		.arg_sizes = { sizeof(uint32_t) },
		.ref_type = SAMPLE_REF_COUNTER,
		.ref_flags = BPFHOST_KFUNC_REF_WRITABLE,	/* programs may update the counter */
	},
	{
		.header = BPFHOST_KFUNC_HEADER,
		.name = "sample_counter_release",
		.function = counter_release,
		.return_kind = BPFHOST_KFUNC_RET_VOID,
		.arg_count = 1,
		.arg_kinds = { BPFHOST_KFUNC_ARG_RELEASE },	/* its only argument */
		.ref_type = SAMPLE_REF_COUNTER,
	},
	/* #endregion kfunc-ref-table */
};

static const struct bpfhost_kfunc_provider_data kfunc_data = {
	.header = BPFHOST_KFUNC_PROVIDER_DATA_HEADER,
	.kfuncs = sample_kfuncs,
	.kfunc_count = sizeof(sample_kfuncs) / sizeof(sample_kfuncs[0]),
};

/* The core binds once, with no client data. */
static int kfunc_attach_client(void *provider_context, const bpfhost_guid_t *client_module_id,
			       const void *client_data, void **binding_context)
{
	(void)client_module_id;
	(void)client_data;
	if (!binding_context)
		return -EINVAL;
	*binding_context = provider_context;
	return 0;
}

static const struct bpfhost_provider_characteristics kfunc_characteristics = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_KFUNC,
	.module_id = { 0x73616d70, 0x6c65, 0x7874, { 0x62, 0x70, 0x66, 0x68, 0x6f, 0x73, 0x74, 0x30 } },
	.npi_specific_characteristics = &kfunc_data,
	.attach_client = kfunc_attach_client,
};

const struct sample_provider sample_kfunc_provider = {
	.name = "kfuncs",
	.characteristics = &kfunc_characteristics,
};
