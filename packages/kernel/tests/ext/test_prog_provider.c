// SPDX-License-Identifier: MIT
/*
 * A test module providing a program type ("testprog", 4200) whose context
 * has data/end pointers and a field table, one helper, and a hook (attach
 * type 4300) whose trigger runs every link on the data and returns the sum
 * of the results. test_prog_provider.h lets a test pick another context
 * descriptor (no table, a v1 descriptor, a table of its own).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/extension.h"
#include "test_prog_provider.h"

#define TEST_PROG_TYPE 4200u
#define TEST_ATTACH_TYPE 4300u
#define TEST_HELPER_ADD 65600u

struct test_ctx {
	uint8_t *data;
	uint8_t *data_end;
	uint32_t value;
	uint32_t pad;
};
_Static_assert(offsetof(struct test_ctx, value) == TPP_CTX_VALUE, "layout as the header says");
_Static_assert(sizeof(struct test_ctx) == TPP_CTX_SIZE, "layout as the header says");

struct binding {
	struct binding *next;
	const void *link;
	const struct bpfhost_link_dispatch_table *dispatch;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct binding *bindings;
static void *reg_prog, *reg_hook;

/* u64 test_add(u64 a, u64 b): a + b, to check extension helper calls. */
static uint64_t helper_add(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)c, (void)d, (void)e;
	return a + b;
}

static struct tpp_control control;

__attribute__((visibility("default"))) struct tpp_control *test_prog_provider_control(void);
__attribute__((visibility("default"))) struct tpp_control *test_prog_provider_control(void)
{
	return &control;
}

/* Programs read the pointers whole, read and write value; pad is in no field. */
static const struct bpfhost_context_field ctx_fields[] = {
	{ BPFHOST_CONTEXT_FIELD_HEADER, "data", offsetof(struct test_ctx, data), 8,
	  BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_PACKET_DATA },
	{ BPFHOST_CONTEXT_FIELD_HEADER, "data_end", offsetof(struct test_ctx, data_end), 8,
	  BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_PACKET_END },
	{ BPFHOST_CONTEXT_FIELD_HEADER, "value", offsetof(struct test_ctx, value), 4,
	  BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE | BPFHOST_CONTEXT_FIELD_NARROW_READ },
};
/* Filled at entry from the control (TPP_CTX_FIELDS when no test set it). */
static struct bpfhost_context_descriptor ctx_desc = {
	BPFHOST_CONTEXT_DESCRIPTOR_HEADER, sizeof(struct test_ctx),
	offsetof(struct test_ctx, data), offsetof(struct test_ctx, data_end), -1,
	ctx_fields, sizeof(ctx_fields) / sizeof(ctx_fields[0]),
};

static void set_ctx_desc(void)
{
	ctx_desc.header.size = BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION_SIZE;
	ctx_desc.fields = ctx_fields;
	ctx_desc.field_count = sizeof(ctx_fields) / sizeof(ctx_fields[0]);
	switch (control.ctx_mode) {
	case TPP_CTX_V1:
		/* What a module compiled before the table sends: the rest is not read. */
		ctx_desc.header.size = BPFHOST_CONTEXT_DESCRIPTOR_V1_SIZE;
		break;
	case TPP_CTX_NO_FIELDS:
		ctx_desc.fields = NULL;
		ctx_desc.field_count = 0;
		break;
	case TPP_CTX_CUSTOM:
		ctx_desc.fields = control.fields;
		ctx_desc.field_count = control.field_count;
		break;
	default:
		break;
	}
}
static const struct bpfhost_helper_function helpers[] = {
	{ BPFHOST_HELPER_FUNCTION_HEADER, TEST_HELPER_ADD, "test_add", BPFHOST_RET_INTEGER,
	  { BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING }, helper_add },
};
static const struct bpfhost_section_definition sections[] = {
	{ BPFHOST_SECTION_DEFINITION_HEADER, "testprog/", TEST_ATTACH_TYPE },
	{ BPFHOST_SECTION_DEFINITION_HEADER, "testprog", 0 },
};
/*
 * The CO-RE target BTF of struct test_ctx, written out by hand (raw BTF):
 * [1] INT 'unsigned int' 4 bytes, [2] PTR to void, [3] STRUCT 'test_ctx'
 * of 24 bytes: data (PTR) at 0, data_end (PTR) at 8, value (INT) at 16.
 */
#define BTF_INFO(kind, vlen) ((uint32_t)(kind) << 24 | (vlen))
static const struct {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint32_t types[19];
	char strs[43];
} ctx_btf = {
	0xeb9f, 1, 0, 24, 0, 19 * 4, 19 * 4, 43,
	{
		1, BTF_INFO(1, 0), 4, 32,
		0, BTF_INFO(2, 0), 0,
		14, BTF_INFO(4, 3), TPP_CTX_SIZE,
		23, 2, TPP_CTX_DATA * 8,
		28, 2, TPP_CTX_DATA_END * 8,
		37, 1, TPP_CTX_VALUE * 8,
	},
	"\0unsigned int\0test_ctx\0data\0data_end\0value",
};

static const struct bpfhost_program_type_data prog_data = {
	BPFHOST_PROGRAM_TYPE_DATA_HEADER, "testprog", TEST_PROG_TYPE, &ctx_desc,
	sections, 2, helpers, 1, NULL, NULL, &ctx_btf, offsetof(__typeof__(ctx_btf), strs) + sizeof(ctx_btf.strs),
};

static int prog_attach(void *pc, const bpfhost_guid_t *client, const void *data, void **binding)
{
	(void)pc, (void)client, (void)data;
	*binding = NULL;
	return 0;
}

static int hook_attach(void *pc, const bpfhost_guid_t *client, const void *data, void **binding)
{
	const struct bpfhost_link_client_data *d = data;
	struct binding *b = calloc(1, sizeof(*b));

	(void)pc, (void)client;
	if (!b)
		return -12;
	b->link = d->link;
	b->dispatch = d->dispatch;
	pthread_mutex_lock(&lock);
	b->next = bindings;
	bindings = b;
	pthread_mutex_unlock(&lock);
	*binding = b;
	return 0;
}

static void hook_detach(void *binding)
{
	pthread_mutex_lock(&lock);
	for (struct binding **l = &bindings; *l; l = &(*l)->next)
		if (*l == binding) {
			*l = ((struct binding *)binding)->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	free(binding);
}

static int trigger(void *pc, const uint8_t *data, size_t size, uint32_t *cnt, uint32_t *result)
{
	uint8_t *copy = malloc(size + 1);
	struct test_ctx ctx;
	int err = 0;

	(void)pc;
	if (!copy)
		return -12;
	memcpy(copy, data, size);
	ctx.data = copy;
	ctx.data_end = copy + size;
	ctx.value = 7;
	*cnt = 0;
	*result = 0;
	pthread_mutex_lock(&lock);
	for (struct binding *b = bindings; b && !err; b = b->next) {
		uint32_t r;

		err = b->dispatch->invoke(b->link, &ctx, &r);
		if (!err) {
			(*cnt)++;
			*result += r;
		}
	}
	pthread_mutex_unlock(&lock);
	free(copy);
	return err;
}

static struct bpfhost_hook_provider_data hook_data = {
	BPFHOST_HOOK_PROVIDER_DATA_HEADER, "testhook", TEST_ATTACH_TYPE, TEST_PROG_TYPE, trigger,
};

static const struct bpfhost_provider_characteristics prog_chars = {
	BPFHOST_PROVIDER_CHARACTERISTICS_HEADER, BPFHOST_NPI_PROGRAM_INFO,
	{ 0x7465, 0x7374, 0x7072, { 1 } }, &prog_data, prog_attach, NULL,
};
static const struct bpfhost_provider_characteristics hook_chars = {
	BPFHOST_PROVIDER_CHARACTERISTICS_HEADER, BPFHOST_NPI_HOOK,
	{ 0x7465, 0x7374, 0x686b, { 1 } }, &hook_data, hook_attach, hook_detach,
};

static const struct bpfhost_registrar *registrar;

static void unload(void *ctx)
{
	(void)ctx;
	registrar->deregister_provider(reg_hook);
	registrar->deregister_provider(reg_prog);
}

int bpfhost_extension_entry(const struct bpfhost_registrar *r, struct bpfhost_module *m);
__attribute__((visibility("default"))) int bpfhost_extension_entry(const struct bpfhost_registrar *r,
								   struct bpfhost_module *m)
{
	int err;

	registrar = r;
	set_ctx_desc();
	hook_data.program_type = control.hook_program_type ? control.hook_program_type : TEST_PROG_TYPE;
	err = r->register_provider(r->registrar_context, &prog_chars, NULL, &reg_prog);
	if (err)
		return err;
	err = r->register_provider(r->registrar_context, &hook_chars, NULL, &reg_hook);
	if (err) {
		r->deregister_provider(reg_prog);
		return err;
	}
	m->header = (struct bpfhost_extension_header)BPFHOST_MODULE_HEADER;
	m->name = "test_prog_provider";
	m->unload = unload;
	return 0;
}
