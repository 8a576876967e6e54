// SPDX-License-Identifier: MIT
/*
 * The program type "sample": a program information provider. It tells the
 * core the context's layout (where the data pointers sit, so the core lets
 * programs touch the event's bytes, and what programs may load and store in
 * each field), the ELF section prefixes that select
 * the type, the helpers, and how BPF_PROG_TEST_RUN builds a context.
 *
 * Why its own context_create rather than the core's default (which copies
 * ctx_in and points data/end at a copy of data_in): data_len is derived
 * from the data here, as the hook derives it, so a program sees the same
 * context under a test run as under the hook; and ctx_in is checked the
 * way Linux checks __sk_buff: fields the provider fills must be 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sample_ext_internal.h"

_Static_assert(offsetof(struct sample_ctx, data) == 0, "data first");
_Static_assert(offsetof(struct sample_ctx, data_end) == 8, "data_end second");
_Static_assert(offsetof(struct sample_ctx, event_id) == 16, "layout as for BPF");
_Static_assert(offsetof(struct sample_ctx, prog_index) == 28, "layout as for BPF");

/* A test run's context: the struct the program sees, then its own copy of the data. */
struct test_ctx {
	struct sample_ctx ctx;		/* first: the program's context pointer */
	size_t data_size;
	uint8_t data[];
};

static int test_ctx_create(void *binding_context, const uint8_t *data_in, size_t data_size_in,
			   const uint8_t *ctx_in, size_t ctx_size_in, void **context)
{
	struct sample_ext *ext = binding_context;
	struct sample_ctx in = { 0 };
	struct test_ctx *t;

	if (ctx_size_in > sizeof(in)) {
		sample_log(ext, 0, "test run: ctx_size_in %zu is larger than struct sample_ctx (%zu)",
			   ctx_size_in, sizeof(in));
		return -EINVAL;
	}
	if (data_size_in > UINT32_MAX) {
		sample_log(ext, 0, "test run: data_size_in %zu does not fit data_len", data_size_in);
		return -EINVAL;
	}
	if (ctx_size_in)
		memcpy(&in, ctx_in, ctx_size_in);
	if (in.data || in.data_end || in.data_len) {
		sample_log(ext, 0, "test run: ctx_in sets data, data_end or data_len; the provider "
			   "fills them from data_in (pass 0)");
		return -EINVAL;
	}
	/* +1: a zero-length event still has a distinct, valid data pointer. */
	t = calloc(1, sizeof(*t) + data_size_in + 1);
	if (!t)
		return -ENOMEM;
	if (data_size_in)
		memcpy(t->data, data_in, data_size_in);
	t->data_size = data_size_in;
	t->ctx = in;
	t->ctx.data = t->data;
	t->ctx.data_end = t->data + data_size_in;
	t->ctx.data_len = (uint32_t)data_size_in;
	*context = &t->ctx;
	return 0;
}

/* Copies out from our own record of the data, never through pointers the program could write. */
static void test_ctx_destroy(void *binding_context, void *context, uint8_t *data_out,
			     size_t *data_size_out, uint8_t *ctx_out, size_t *ctx_size_out)
{
	struct test_ctx *t = context;
	struct sample_ctx out = t->ctx;
	size_t n;

	(void)binding_context;
	n = t->data_size < *data_size_out ? t->data_size : *data_size_out;
	if (data_out && n)
		memcpy(data_out, t->data, n);
	*data_size_out = t->data_size;

	/* Pointers mean nothing to the caller. */
	out.data = NULL;
	out.data_end = NULL;
	n = sizeof(out) < *ctx_size_out ? sizeof(out) : *ctx_size_out;
	if (ctx_out && n)
		memcpy(ctx_out, &out, n);
	*ctx_size_out = ctx_out ? sizeof(out) : 0;
	free(t);
}

#define SAMPLE_FIELD(field, access)                                                      \
	{ .header = BPFHOST_CONTEXT_FIELD_HEADER, .name = #field,                         \
	  .offset = offsetof(struct sample_ctx, field),                                   \
	  .size = sizeof(((struct sample_ctx *)0)->field), .flags = (access) }
#define SAMPLE_FIELD_RW \
	(BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE | BPFHOST_CONTEXT_FIELD_NARROW_READ)

/*
 * What a program may do with each field: load the pointers whole (the core
 * reads the event's range back from them, so they are never written); load
 * the other fields whole or in aligned parts, and store them whole.
 */
static const struct bpfhost_context_field sample_ctx_fields[] = {
	SAMPLE_FIELD(data, BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_PACKET_DATA),
	SAMPLE_FIELD(data_end, BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_PACKET_END),
	SAMPLE_FIELD(event_id, SAMPLE_FIELD_RW),
	SAMPLE_FIELD(data_len, SAMPLE_FIELD_RW),
	SAMPLE_FIELD(prog_index, SAMPLE_FIELD_RW),
};

static const struct bpfhost_context_descriptor sample_ctx_descriptor = {
	.header = BPFHOST_CONTEXT_DESCRIPTOR_HEADER,
	.size = sizeof(struct sample_ctx),
	.data = offsetof(struct sample_ctx, data),
	.end = offsetof(struct sample_ctx, data_end),
	.meta = -1,
	.fields = sample_ctx_fields,
	.field_count = sizeof(sample_ctx_fields) / sizeof(sample_ctx_fields[0]),
};

/* "sample" alone and "sample/<name>": both imply the hook's attach type. */
static const struct bpfhost_section_definition sample_sections[] = {
	{ .header = BPFHOST_SECTION_DEFINITION_HEADER, .prefix = "sample/",
	  .attach_type = SAMPLE_EXT_ATTACH_TYPE },
	{ .header = BPFHOST_SECTION_DEFINITION_HEADER, .prefix = "sample",
	  .attach_type = SAMPLE_EXT_ATTACH_TYPE },
};

/* The core binds once, with no client data: the binding context is the module's. */
static int program_attach_client(void *provider_context, const bpfhost_guid_t *client_module_id,
				 const void *client_data, void **binding_context)
{
	(void)client_module_id;
	(void)client_data;
	if (!binding_context)
		return -EINVAL;
	*binding_context = provider_context;
	return 0;
}

static void program_detach_client(void *binding_context)
{
	(void)binding_context;	/* the module's own state: freed at unload */
}

static const struct bpfhost_program_type_data program_data = {
	.header = BPFHOST_PROGRAM_TYPE_DATA_HEADER,
	.name = SAMPLE_EXT_PROGRAM_TYPE_NAME,
	.program_type = SAMPLE_EXT_PROGRAM_TYPE,
	.context_descriptor = &sample_ctx_descriptor,
	.sections = sample_sections,
	.section_count = sizeof(sample_sections) / sizeof(sample_sections[0]),
	.helpers = sample_helpers,
	.helper_count = SAMPLE_HELPER_COUNT,
	.context_create = test_ctx_create,
	.context_destroy = test_ctx_destroy,
};

static const struct bpfhost_provider_characteristics program_characteristics = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_PROGRAM_INFO,
	.module_id = { 0x73616d70, 0x6c65, 0x7874, { 0x62, 0x70, 0x66, 0x68, 0x6f, 0x73, 0x74, 0x10 } },
	.npi_specific_characteristics = &program_data,
	.attach_client = program_attach_client,
	.detach_client = program_detach_client,
};

const struct sample_provider sample_program_provider = {
	.name = "program_type",
	.characteristics = &program_characteristics,
};
