// SPDX-License-Identifier: MIT
/*
 * The module against the contract alone, with no core: a mock registrar
 * and a mock client table drive its entry point, attach_client and every
 * provider callback directly. This checks what a core only sees indirectly:
 * the headers the module fills, how it validates what it is handed, the
 * stored representations ({object pointer}, {sum, updates}), the flags it
 * refuses, and that a failed entry rolls back.
 */
#include <dlfcn.h>
#include <stdint.h>

#include "test.h"
#include "sample_ext.h"

/* -------------------------------------------------------------- mock registrar */

#define MAX_REG 4

static struct {
	int registered, deregistered;
	int fail_at, fail_err;		/* register call number that fails (1-based) */
	struct bpfhost_provider_characteristics chars[MAX_REG];
	void *provider_context[MAX_REG];
	char log[4096];
} reg;

static int mock_register(void *ctx, const struct bpfhost_provider_characteristics *c, void *pctx,
			 void **registration)
{
	int n = ++reg.registered;

	(void)ctx;
	if (n == reg.fail_at || n > MAX_REG)
		return reg.fail_err ? reg.fail_err : -EINVAL;
	reg.chars[n - 1] = *c;
	reg.provider_context[n - 1] = pctx;
	*registration = &reg.chars[n - 1];
	return 0;
}

static void mock_deregister(void *registration)
{
	ASSERT_TRUE(registration != NULL, "deregister gets a registration");
	reg.deregistered++;
}

static void mock_log(int level, const char *message)
{
	size_t used = strlen(reg.log);

	(void)level;
	snprintf(reg.log + used, sizeof(reg.log) - used, "%s\n", message);
}

static struct bpfhost_registrar good_registrar(void)
{
	struct bpfhost_registrar r = {
		.header = { BPFHOST_REGISTRAR_CURRENT_VERSION, BPFHOST_REGISTRAR_CURRENT_VERSION_SIZE,
			    sizeof(struct bpfhost_registrar) },
		.registrar_context = &reg,
		.register_provider = mock_register,
		.deregister_provider = mock_deregister,
		.log = mock_log,
	};

	return r;
}

/* ------------------------------------------------------------ mock client side */

static int allocations;

static int mock_find(const void *map, const uint8_t *key, uint8_t **value)
{
	(void)map;
	(void)key;
	(void)value;
	return -ENOENT;
}

static void mock_epoch(void *state)
{
	(void)state;
}

static void *mock_alloc(size_t size, uint32_t tag)
{
	void *p = calloc(1, size);

	(void)tag;
	if (p)
		allocations++;
	return p;
}

static void mock_free(void *p)
{
	if (p)
		allocations--;
	free(p);
}

static const struct bpfhost_base_map_client_dispatch_table mock_client_table = {
	.header = { BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION,
		    BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_base_map_client_dispatch_table) },
	.find_element = mock_find,
	.epoch_enter = mock_epoch,
	.epoch_exit = mock_epoch,
	.epoch_allocate = mock_alloc,
	.epoch_allocate_cache_aligned = mock_alloc,
	.epoch_free = mock_free,
	.epoch_free_cache_aligned = mock_free,
};

static const struct bpfhost_map_client_data mock_client_data = {
	.header = { BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION, BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_map_client_data) },
	.map_context_offset = 128,
	.base_client_table = &mock_client_table,
};

/* ------------------------------------------------------------------ the module */

static bpfhost_extension_entry_t entry;
static sample_ext_live_objects_fn live;

static void open_module(void)
{
	void *dl = dlopen(SAMPLE_EXT_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);

	ASSERT_TRUE(dl != NULL, "dlopen sample_ext.so");
	if (!dl) {
		fprintf(stderr, "%s\n", dlerror());
		exit(1);
	}
	entry = (bpfhost_extension_entry_t)dlsym(dl, BPFHOST_EXTENSION_ENTRY);
	live = (sample_ext_live_objects_fn)dlsym(dl, SAMPLE_EXT_LIVE_OBJECTS_SYMBOL);
	ASSERT_TRUE(entry && live, "module exports its entry point and test hook");
	if (!entry || !live)
		exit(1);
}

static const struct bpfhost_map_provider_data *provider_data(int i)
{
	return reg.chars[i].npi_specific_characteristics;
}

static const struct bpfhost_base_map_provider_dispatch_table *table(int i)
{
	return provider_data(i)->base_provider_table;
}

/* Loads the module against the mock registrar; the caller unloads. */
static int load(struct bpfhost_module *module)
{
	struct bpfhost_registrar r = good_registrar();
	int err;

	memset(&reg, 0, sizeof(reg));
	memset(module, 0, sizeof(*module));
	err = entry(&r, module);
	/* The module must not keep the registrar: scribble over our copy. */
	memset(&r, 0xa5, sizeof(r));
	return err;
}

/* ----------------------------------------------------------------------- tests */

static void registrar_validation(void)
{
	struct bpfhost_registrar r = good_registrar();
	struct bpfhost_module m;

	memset(&reg, 0, sizeof(reg));
	ASSERT_EQ(entry(NULL, &m), -EINVAL, "NULL registrar");
	ASSERT_EQ(entry(&r, NULL), -EINVAL, "NULL module");
	r.header.version = 2;
	ASSERT_EQ(entry(&r, &m), -EINVAL, "registrar version 2");
	r = good_registrar();
	r.header.size = BPFHOST_REGISTRAR_CURRENT_VERSION_SIZE - 1;
	ASSERT_EQ(entry(&r, &m), -EINVAL, "registrar smaller than version 1");
	r = good_registrar();
	r.header.total_size = r.header.size - 1;
	ASSERT_EQ(entry(&r, &m), -EINVAL, "registrar size past total_size");
	r = good_registrar();
	r.register_provider = NULL;
	ASSERT_EQ(entry(&r, &m), -EINVAL, "registrar without register_provider");
	ASSERT_EQ(reg.registered, 0, "nothing registered on a bad registrar");
}

static void entry_fills_module_and_providers(void)
{
	struct bpfhost_module m;
	const uint32_t types[2] = { SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY };
	const uint32_t bases[2] = { BPFHOST_BASE_MAP_TYPE_HASH, BPFHOST_BASE_MAP_TYPE_ARRAY };
	const bpfhost_guid_t npi = BPFHOST_NPI_MAP_INFO;

	ASSERT_OK(load(&m), "entry");
	ASSERT_EQ(reg.registered, 2, "one provider per map type");
	ASSERT_EQ(m.header.version, BPFHOST_MODULE_CURRENT_VERSION, "module version");
	ASSERT_EQ(m.header.size, BPFHOST_MODULE_CURRENT_VERSION_SIZE, "module size macro, not sizeof");
	ASSERT_EQ(m.header.total_size, sizeof(struct bpfhost_module), "module total_size");
	ASSERT_TRUE(m.name && !strcmp(m.name, SAMPLE_EXT_NAME), "module name");
	ASSERT_TRUE(m.unload != NULL, "unload callback");

	for (int i = 0; i < 2 && i < reg.registered; i++) {
		const struct bpfhost_provider_characteristics *c = &reg.chars[i];
		const struct bpfhost_map_provider_data *d = provider_data(i);
		const struct bpfhost_base_map_provider_dispatch_table *t = table(i);

		ASSERT_EQ(c->header.size, BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION_SIZE,
			  "characteristics size");
		ASSERT_OK(memcmp(&c->npi_id, &npi, sizeof(npi)), "NPI is map information");
		ASSERT_TRUE(c->attach_client && c->detach_client, "attach and detach");
		ASSERT_EQ(d->header.version, BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION, "data version");
		ASSERT_EQ(d->header.size, BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION_SIZE, "data size");
		ASSERT_EQ(d->map_type, types[i], "map type");
		ASSERT_EQ(d->base_map_type, bases[i], "base type");
		ASSERT_EQ(d->base_properties->header.size,
			  BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION_SIZE, "properties size");
		ASSERT_TRUE(d->base_properties->updates_original_value, "updates_original_value");
		ASSERT_EQ(t->header.size, BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
			  "table size");
		ASSERT_TRUE(t->preprocess_map_create && t->postprocess_map_delete &&
			    t->preprocess_associate_program_type, "required callbacks");
		ASSERT_TRUE(t->postprocess_map_find_element && t->preprocess_map_update_element,
			    "element callbacks updates_original_value needs");
		ASSERT_TRUE(!t->preprocess_map_delete_element != !t->postprocess_map_delete_element,
			    "exactly one delete callback");
	}
	ASSERT_TRUE(memcmp(&reg.chars[0].module_id, &reg.chars[1].module_id, sizeof(bpfhost_guid_t)),
		    "distinct module ids");
	ASSERT_TRUE(table(0)->postprocess_map_delete_element != NULL, "object hash: post-delete");
	ASSERT_TRUE(table(1)->preprocess_map_delete_element != NULL, "accumulator: pre-delete");

	m.unload(m.module_context);
	ASSERT_EQ(reg.deregistered, 2, "unload deregisters both providers");
}

static void entry_failure_rolls_back(void)
{
	struct bpfhost_registrar r = good_registrar();
	struct bpfhost_module m;

	memset(&reg, 0, sizeof(reg));
	reg.fail_at = 2;
	reg.fail_err = -EEXIST;
	ASSERT_EQ(entry(&r, &m), -EEXIST, "second registration fails: the core's error comes back");
	ASSERT_EQ(reg.deregistered, 1, "the first provider was deregistered");
	memset(&reg, 0, sizeof(reg));
	reg.fail_at = 1;
	reg.fail_err = -ENOMEM;
	ASSERT_EQ(entry(&r, &m), -ENOMEM, "first registration fails");
	ASSERT_EQ(reg.deregistered, 0, "nothing to deregister");
}

static void attach_client_validation(void)
{
	struct bpfhost_module m;
	struct bpfhost_map_client_data cd;
	struct bpfhost_base_map_client_dispatch_table ct;
	void *binding = NULL;
	int (*attach)(void *, const bpfhost_guid_t *, const void *, void **);
	void *pctx;

	ASSERT_OK(load(&m), "entry");
	attach = reg.chars[0].attach_client;
	pctx = reg.provider_context[0];

	ASSERT_EQ(attach(pctx, NULL, NULL, &binding), -EINVAL, "NULL client data");
	cd = mock_client_data;
	cd.header.version = 2;
	ASSERT_EQ(attach(pctx, NULL, &cd, &binding), -EINVAL, "client data version 2");
	cd = mock_client_data;
	cd.header.size = BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE - 8;
	ASSERT_EQ(attach(pctx, NULL, &cd, &binding), -EINVAL, "client data too small");
	cd = mock_client_data;
	cd.base_client_table = NULL;
	ASSERT_EQ(attach(pctx, NULL, &cd, &binding), -EINVAL, "no client table");
	ct = mock_client_table;
	ct.header.version = 9;
	cd.base_client_table = &ct;
	ASSERT_EQ(attach(pctx, NULL, &cd, &binding), -EINVAL, "client table version 9");
	ct = mock_client_table;
	ct.epoch_free = NULL;
	ASSERT_EQ(attach(pctx, NULL, &cd, &binding), -EINVAL, "client table without epoch_free");
	ASSERT_STR_CONTAINS(reg.log, "sample_ext: refusing the core's map client data: version 2",
			    "refusals are logged");
	ASSERT_TRUE(binding == NULL, "no binding on refusal");

	/* A newer core's bigger table is fine: the module reads what it knows. */
	ct = mock_client_table;
	ct.header.total_size += 16;
	ASSERT_OK(attach(pctx, NULL, &cd, &binding), "good client data");
	ASSERT_TRUE(binding != NULL, "binding context");
	reg.chars[0].detach_client(binding);
	m.unload(m.module_context);
}

/* Attaches provider @i to the mock client; returns its binding context. */
static void *bind(int i)
{
	void *binding = NULL;

	ASSERT_OK(reg.chars[i].attach_client(reg.provider_context[i], NULL, &mock_client_data, &binding),
		  "attach");
	return binding;
}

static void object_hash_callbacks(void)
{
	struct bpfhost_module m;
	const struct bpfhost_base_map_provider_dispatch_table *t;
	void *b, *ctx = NULL, *obj = NULL, *none = NULL;
	uint32_t actual = 0, key = 5;
	char value[24] = "twenty-four byte value!", out[24];
	long before;
	int base_allocs;

	ASSERT_OK(load(&m), "entry");
	t = table(0);
	b = bind(0);
	base_allocs = allocations;
	reg.log[0] = 0;
	ASSERT_EQ(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, 8, 24, 4, &actual, &ctx),
		  -EINVAL, "key_size 8");
	ASSERT_STR_CONTAINS(reg.log, "object_hash: key_size 8 is not 4", "logged");
	ASSERT_EQ(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, 4, 0, 4, &actual, &ctx),
		  -EINVAL, "value_size 0");
	ASSERT_EQ(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, 4, 24, 4, &actual,
					   &ctx), -EINVAL, "another provider's map type");
	ASSERT_OK(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, 4, 24, 4, &actual, &ctx),
		  "create");
	ASSERT_EQ(actual, sizeof(void *), "stores a pointer");
	ASSERT_TRUE(ctx != NULL, "map context");

	ASSERT_OK(t->preprocess_associate_program_type(b, ctx, SAMPLE_EXT_PROGRAM_TYPE), "program type sample");
	ASSERT_EQ(t->preprocess_associate_program_type(b, ctx, 6 /* xdp */), -EOPNOTSUPP, "xdp refused");
	ASSERT_EQ(t->preprocess_associate_program_type(b, ctx, 0), -EOPNOTSUPP, "unspec refused");

	before = live();
	ASSERT_EQ(t->preprocess_map_update_element(b, ctx, 4, (uint8_t *)&key, 24, (uint8_t *)value,
						   sizeof(obj), (uint8_t *)&obj, BPFHOST_MAP_OPERATION_HELPER),
		  -EOPNOTSUPP, "programs may not update");
	ASSERT_EQ(t->preprocess_map_update_element(b, ctx, 4, (uint8_t *)&key, 16, (uint8_t *)value,
						   sizeof(obj), (uint8_t *)&obj, 0),
		  -EINVAL, "value of the wrong size");
	ASSERT_OK(t->preprocess_map_update_element(b, ctx, 4, (uint8_t *)&key, 24, (uint8_t *)value,
						   sizeof(obj), (uint8_t *)&obj, 0), "update");
	ASSERT_TRUE(obj != NULL && obj != value, "stored value is a pointer to a new object");
	ASSERT_EQ(live() - before, 1, "one live object");

	memset(out, 0, sizeof(out));
	ASSERT_EQ(t->postprocess_map_find_element(b, ctx, 4, (uint8_t *)&key, sizeof(obj), (uint8_t *)&obj,
						  sizeof(out), (uint8_t *)out, BPFHOST_MAP_OPERATION_HELPER),
		  -EOPNOTSUPP, "programs may not look up");
	ASSERT_EQ(t->postprocess_map_find_element(b, ctx, 4, (uint8_t *)&key, sizeof(obj), (uint8_t *)&obj,
						  8, (uint8_t *)out, 0), -EINVAL, "short out buffer");
	ASSERT_EQ(t->postprocess_map_find_element(b, ctx, 4, (uint8_t *)&key, sizeof(none),
						  (uint8_t *)&none, sizeof(out), (uint8_t *)out, 0),
		  -ENOENT, "a NULL stored pointer");
	ASSERT_OK(t->postprocess_map_find_element(b, ctx, 4, (uint8_t *)&key, sizeof(obj), (uint8_t *)&obj,
						  sizeof(out), (uint8_t *)out, 0), "find");
	ASSERT_OK(memcmp(out, value, sizeof(out)), "find copies the object out");

	t->postprocess_map_delete_element(b, ctx, 4, (uint8_t *)&key, sizeof(none), (uint8_t *)&none,
					  BPFHOST_MAP_OPERATION_MAP_CLEANUP);
	ASSERT_EQ(live() - before, 1, "a NULL stored pointer frees nothing");
	t->postprocess_map_delete_element(b, ctx, 4, (uint8_t *)&key, sizeof(obj), (uint8_t *)&obj,
					  BPFHOST_MAP_OPERATION_UPDATE);
	ASSERT_EQ(live() - before, 0, "delete with UPDATE freed the object");

	t->postprocess_map_delete(b, ctx);
	ASSERT_EQ(allocations, base_allocs, "map context and objects freed");
	reg.chars[0].detach_client(b);
	m.unload(m.module_context);
}

static void accumulator_callbacks(void)
{
	struct bpfhost_module m;
	const struct bpfhost_base_map_provider_dispatch_table *t;
	struct sample_ext_accumulator_entry stored = { 0 }, zero = { 0 };
	void *b, *ctx = NULL;
	uint32_t actual = 0, key;
	uint64_t add, out;
	int base_allocs;

	ASSERT_OK(load(&m), "entry");
	t = table(1);
	b = bind(1);
	base_allocs = allocations;
	reg.log[0] = 0;
	ASSERT_EQ(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, 4, 4, 3, &actual, &ctx),
		  -EINVAL, "value_size 4");
	ASSERT_STR_CONTAINS(reg.log, "accumulator_array: value_size 4 is not 8", "logged");
	ASSERT_OK(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, 4, 8, 3, &actual, &ctx),
		  "create");
	ASSERT_EQ(actual, sizeof(struct sample_ext_accumulator_entry), "stores {sum, updates}");
	ASSERT_OK(t->preprocess_associate_program_type(b, ctx, SAMPLE_EXT_PROGRAM_TYPE), "sample");
	ASSERT_EQ(t->preprocess_associate_program_type(b, ctx, 1), -EOPNOTSUPP, "socket filter refused");

#define UPDATE(k, v, fl)                                                                         \
	(key = (k), add = (v),                                                                   \
	 t->preprocess_map_update_element(b, ctx, 4, (uint8_t *)&key, 8, (uint8_t *)&add,        \
					  sizeof(stored), (uint8_t *)&stored, (fl)))
	ASSERT_OK(UPDATE(2, 5, 0), "add 5");
	ASSERT_EQ(stored.sum, 5, "sum 5");
	ASSERT_EQ(stored.updates, 1, "one update");
	ASSERT_OK(UPDATE(2, 7, 0), "add 7");
	ASSERT_EQ(stored.sum, 12, "sum 12");
	ASSERT_EQ(stored.updates, 2, "two updates");
	ASSERT_OK(UPDATE(0, 1, 0), "add 1 to another element");
	ASSERT_EQ(stored.sum, 1, "elements accumulate apart");
	ASSERT_EQ(stored.updates, 1, "its own count");
	ASSERT_EQ(UPDATE(3, 1, 0), -E2BIG, "index past max_entries");
	ASSERT_EQ(UPDATE(1, 1, BPFHOST_MAP_OPERATION_HELPER), -EOPNOTSUPP, "programs may not update");
#undef UPDATE

	stored = (struct sample_ext_accumulator_entry){ .sum = 42, .updates = 3 };
	key = 2;
	ASSERT_OK(t->postprocess_map_find_element(b, ctx, 4, (uint8_t *)&key, sizeof(stored),
						  (uint8_t *)&stored, sizeof(out), (uint8_t *)&out, 0), "find");
	ASSERT_EQ(out, 42, "a lookup returns the sum");
	ASSERT_EQ(t->postprocess_map_find_element(b, ctx, 4, (uint8_t *)&key, sizeof(stored),
						  (uint8_t *)&stored, sizeof(out), (uint8_t *)&out,
						  BPFHOST_MAP_OPERATION_HELPER), -EOPNOTSUPP, "not for programs");

	ASSERT_EQ(t->preprocess_map_delete_element(b, ctx, 4, (uint8_t *)&key, sizeof(zero),
						   (uint8_t *)&zero, 0), -EINVAL, "plain delete refused");
	ASSERT_OK(t->preprocess_map_delete_element(b, ctx, 4, (uint8_t *)&key, sizeof(zero),
						   (uint8_t *)&zero, BPFHOST_MAP_OPERATION_UPDATE),
		  "replaced entry");
	ASSERT_OK(t->preprocess_map_delete_element(b, ctx, 4, (uint8_t *)&key, sizeof(zero),
						   (uint8_t *)&zero, BPFHOST_MAP_OPERATION_MAP_CLEANUP),
		  "cleanup");

	t->postprocess_map_delete(b, ctx);
	ASSERT_EQ(allocations, base_allocs, "map context freed");
	reg.chars[1].detach_client(b);
	m.unload(m.module_context);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(registrar_validation),
		TEST(entry_fills_module_and_providers),
		TEST(entry_failure_rolls_back),
		TEST(attach_client_validation),
		TEST(object_hash_callbacks),
		TEST(accumulator_callbacks),
	};

	open_module();
	return test_run("sample_ext_contract", cases, sizeof(cases) / sizeof(cases[0]));
}
