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

#define MAX_REG 8

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

/* find_element: the stored bytes of mock_map under mock_key, else -ENOENT. */
static const void *mock_map;
static uint32_t mock_key;
static uint8_t *mock_stored;

static int mock_find(const void *map, const uint8_t *key, uint8_t **value)
{
	uint32_t k;

	memcpy(&k, key, sizeof(k));
	if (!mock_stored || map != mock_map || k != mock_key)
		return -ENOENT;
	*value = mock_stored;
	return 0;
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

/* Registration order: the map types, the program type, the hook. */
#define NMAPS 4
#define PROG 4
#define HOOK 5
#define KFUNCS 6
#define NPROVIDERS 7

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
	const uint32_t types[NMAPS] = { SAMPLE_EXT_MAP_TYPE_OBJECT_HASH,
					SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY,
					SAMPLE_EXT_MAP_TYPE_COUNTER_HASH,
					SAMPLE_EXT_MAP_TYPE_MAX_TRACKER };
	const uint32_t bases[NMAPS] = { BPFHOST_BASE_MAP_TYPE_HASH, BPFHOST_BASE_MAP_TYPE_ARRAY,
					BPFHOST_BASE_MAP_TYPE_HASH, BPFHOST_BASE_MAP_TYPE_HASH };
	const bool uov[NMAPS] = { true, true, false, true };
	const bpfhost_guid_t npi = BPFHOST_NPI_MAP_INFO;
	const bpfhost_guid_t prog_npi = BPFHOST_NPI_PROGRAM_INFO, hook_npi = BPFHOST_NPI_HOOK;
	const bpfhost_guid_t kfunc_npi = BPFHOST_NPI_KFUNC;

	ASSERT_OK(load(&m), "entry");
	ASSERT_EQ(reg.registered, NPROVIDERS, "one provider per map type, the program type, the hook, "
		  "the kfuncs");
	ASSERT_EQ(m.header.version, BPFHOST_MODULE_CURRENT_VERSION, "module version");
	ASSERT_EQ(m.header.size, BPFHOST_MODULE_CURRENT_VERSION_SIZE, "module size macro, not sizeof");
	ASSERT_EQ(m.header.total_size, sizeof(struct bpfhost_module), "module total_size");
	ASSERT_TRUE(m.name && !strcmp(m.name, SAMPLE_EXT_NAME), "module name");
	ASSERT_TRUE(m.unload != NULL, "unload callback");

	for (int i = 0; i < NMAPS && i < reg.registered; i++) {
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
		ASSERT_EQ(d->base_properties->updates_original_value, uov[i], "updates_original_value");
		ASSERT_EQ(t->header.size, BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
			  "table size");
		ASSERT_TRUE(t->preprocess_map_create && t->postprocess_map_delete &&
			    t->preprocess_associate_program_type, "required callbacks");
		if (uov[i])
			ASSERT_TRUE(t->postprocess_map_find_element &&
				    (t->preprocess_map_update_element || t->preprocess_map_update_element_v2),
				    "element callbacks updates_original_value needs");
		ASSERT_TRUE(!t->preprocess_map_delete_element != !t->postprocess_map_delete_element,
			    "exactly one delete callback");
	}
	for (int i = 0; i < reg.registered && i < NPROVIDERS; i++)
		for (int j = i + 1; j < reg.registered && j < NPROVIDERS; j++)
			ASSERT_TRUE(memcmp(&reg.chars[i].module_id, &reg.chars[j].module_id,
					   sizeof(bpfhost_guid_t)), "distinct module ids");
	ASSERT_OK(memcmp(&reg.chars[PROG].npi_id, &prog_npi, sizeof(prog_npi)),
		  "then a program information provider");
	ASSERT_OK(memcmp(&reg.chars[HOOK].npi_id, &hook_npi, sizeof(hook_npi)), "then a hook provider");
	ASSERT_OK(memcmp(&reg.chars[KFUNCS].npi_id, &kfunc_npi, sizeof(kfunc_npi)), "then a kfunc provider");
	{
		const struct bpfhost_kfunc_provider_data *kd = reg.chars[KFUNCS].npi_specific_characteristics;

		ASSERT_EQ(kd->header.size, BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION_SIZE, "kfunc data size");
		ASSERT_EQ(kd->kfunc_count, 4, "four kfuncs");
		ASSERT_EQ(kd->kfuncs[0].header.size, BPFHOST_KFUNC_CURRENT_VERSION_SIZE, "kfunc size macro");
		ASSERT_TRUE(!strcmp(kd->kfuncs[0].name, "sample_event_checksum") &&
			    !strcmp(kd->kfuncs[1].name, "sample_stats_add") &&
			    !strcmp(kd->kfuncs[2].name, "sample_counter_acquire") &&
			    !strcmp(kd->kfuncs[3].name, "sample_counter_release"), "the names sample_ext.h declares");
		ASSERT_EQ(kd->kfuncs[2].ref_type, kd->kfuncs[3].ref_type, "acquire and release share a tag");
		ASSERT_TRUE(kd->kfuncs[2].ref_type != 0, "a non-zero one");
	}
	ASSERT_TRUE(table(0)->postprocess_map_delete_element != NULL, "object hash: post-delete");
	ASSERT_TRUE(table(1)->preprocess_map_delete_element != NULL, "accumulator: pre-delete");
	ASSERT_TRUE(table(3)->preprocess_map_update_element_v2 && !table(3)->preprocess_map_update_element &&
		    provider_data(3)->base_properties->programs_read, "max tracker: contract v2, programs read it");

	m.unload(m.module_context);
	ASSERT_EQ(reg.deregistered, NPROVIDERS, "unload deregisters every provider");
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

static void counter_hash_callbacks(void)
{
	struct bpfhost_module m;
	const struct bpfhost_base_map_provider_dispatch_table *t;
	void *b, *ctx = NULL;
	uint32_t actual = 0;
	int base_allocs;

	ASSERT_OK(load(&m), "entry");
	t = table(2);
	b = bind(2);
	base_allocs = allocations;
	reg.log[0] = 0;
	ASSERT_EQ(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, 4, 4, 8, &actual, &ctx),
		  -EINVAL, "value_size 4");
	ASSERT_STR_CONTAINS(reg.log, "counter_hash: key_size 4, value_size 4", "logged");
	ASSERT_EQ(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, 4, 8, 8, &actual, &ctx),
		  -EINVAL, "another provider's map type");
	ASSERT_OK(t->preprocess_map_create(b, SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, 4, 8, 8, &actual, &ctx),
		  "create");
	ASSERT_EQ(actual, 8, "stores the value as it is");
	ASSERT_TRUE(t->postprocess_map_find_element == NULL && t->preprocess_map_update_element == NULL,
		    "no element callbacks: the core stores the caller's bytes");
	ASSERT_OK(t->preprocess_associate_program_type(b, ctx, SAMPLE_EXT_PROGRAM_TYPE), "sample");
	ASSERT_EQ(t->preprocess_associate_program_type(b, ctx, 1), -EOPNOTSUPP, "socket filter refused");
	ASSERT_STR_CONTAINS(reg.log, "programs of type 1 may not use it", "the refusal is logged");
	t->postprocess_map_delete(b, ctx);
	ASSERT_EQ(allocations, base_allocs, "map context freed");
	reg.chars[2].detach_client(b);
	m.unload(m.module_context);
}

static const struct bpfhost_program_type_data *program_data(void)
{
	return reg.chars[PROG].npi_specific_characteristics;
}

/* The element @i of a versioned array: the stride is its header's total_size. */
static const void *elem(const void *base, uint32_t i)
{
	return (const uint8_t *)base + i * ((const struct bpfhost_extension_header *)base)->total_size;
}

static void program_type_data(void)
{
	struct bpfhost_module m;
	const struct bpfhost_program_type_data *d;
	const struct bpfhost_section_definition *sec;
	const struct bpfhost_helper_function *h;
	void *binding = NULL, *ctx = NULL;

	ASSERT_OK(load(&m), "entry");
	d = program_data();
	ASSERT_EQ(d->header.version, BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION, "version");
	ASSERT_EQ(d->header.size, BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION_SIZE, "size macro");
	ASSERT_OK(strcmp(d->name, "sample"), "name");
	ASSERT_EQ(d->program_type, SAMPLE_EXT_PROGRAM_TYPE, "program type");
	ASSERT_EQ(d->context_descriptor->header.size, BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION_SIZE,
		  "descriptor size macro");
	ASSERT_EQ(d->context_descriptor->size, sizeof(struct sample_ctx), "context size");
	ASSERT_EQ(d->context_descriptor->data, offsetof(struct sample_ctx, data), "data offset");
	ASSERT_EQ(d->context_descriptor->end, offsetof(struct sample_ctx, data_end), "end offset");
	ASSERT_EQ(d->context_descriptor->meta, -1, "no meta pointer");
	ASSERT_EQ(d->context_descriptor->field_count, 5, "a field table: every field of sample_ctx");
	for (uint32_t i = 0; i < d->context_descriptor->field_count; i++) {
		const struct bpfhost_context_field *f = elem(d->context_descriptor->fields, i);
		bool ptr = f->offset < offsetof(struct sample_ctx, event_id);

		ASSERT_EQ(f->header.size, BPFHOST_CONTEXT_FIELD_CURRENT_VERSION_SIZE, "field size macro");
		ASSERT_EQ(f->flags & BPFHOST_CONTEXT_FIELD_WRITE, ptr ? 0 : BPFHOST_CONTEXT_FIELD_WRITE,
			  "the pointers are read-only, the rest writable");
		ASSERT_EQ(f->flags & (BPFHOST_CONTEXT_FIELD_PACKET_DATA | BPFHOST_CONTEXT_FIELD_PACKET_END),
			  f->offset == 0 ? BPFHOST_CONTEXT_FIELD_PACKET_DATA :
			  f->offset == 8 ? BPFHOST_CONTEXT_FIELD_PACKET_END : 0, "packet pointer flags");
	}

	ASSERT_EQ(d->section_count, 2, "two section prefixes");
	for (uint32_t i = 0; i < d->section_count; i++) {
		sec = elem(d->sections, i);
		ASSERT_EQ(sec->header.size, BPFHOST_SECTION_DEFINITION_CURRENT_VERSION_SIZE, "size macro");
		ASSERT_TRUE(!strcmp(sec->prefix, "sample/") || !strcmp(sec->prefix, "sample"), "prefix");
		ASSERT_EQ(sec->attach_type, SAMPLE_EXT_ATTACH_TYPE, "implies the hook");
	}

	ASSERT_EQ(d->helper_count, 2, "two helpers");
	h = elem(d->helpers, 0);
	ASSERT_EQ(h->helper_id, SAMPLE_EXT_HELPER_GET_OBJECT_VALUE, "first helper id");
	ASSERT_OK(strcmp(h->name, "sample_get_object_value"), "its name");
	ASSERT_EQ(h->arg_types[0], BPFHOST_ARG_CONST_MAP_PTR, "a map");
	ASSERT_EQ(h->arg_types[1], BPFHOST_ARG_PTR_TO_MAP_KEY, "its key");
	ASSERT_EQ(h->arg_types[2], BPFHOST_ARG_PTR_TO_UNINIT_MEM, "a buffer to fill");
	ASSERT_EQ(h->arg_types[3], BPFHOST_ARG_CONST_SIZE, "its size");
	ASSERT_EQ(h->arg_types[4], BPFHOST_ARG_DONTCARE, "no fifth argument");
	h = elem(d->helpers, 1);
	ASSERT_EQ(h->helper_id, SAMPLE_EXT_HELPER_ACCUMULATOR_READ, "second helper id");
	ASSERT_EQ(h->arg_types[2], BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE, "the sum is a map value");
	ASSERT_TRUE(h->function != NULL, "an address");

	/* The core binds with no client data; the binding context is the module's. */
	ASSERT_OK(reg.chars[PROG].attach_client(reg.provider_context[PROG], NULL, NULL, &binding),
		  "attach");
	ASSERT_TRUE(binding != NULL, "binding context");
	ASSERT_TRUE(d->context_create && d->context_destroy, "its own test-run context");
	{
		uint8_t data[5] = { 1, 2, 3, 4, 5 }, out[8];
		struct sample_ctx in = { .event_id = 11, .prog_index = 2 }, cout, *c;
		size_t data_size = sizeof(out), ctx_size = sizeof(cout);

		ASSERT_OK(d->context_create(binding, data, sizeof(data), (uint8_t *)&in, 16, &ctx),
			  "a ctx_in shorter than the context");
		c = ctx;
		ASSERT_EQ(c->data_end - c->data, 5, "data .. data_end over a copy");
		ASSERT_TRUE(c->data != data, "a copy");
		ASSERT_EQ(c->data_len, 5, "data_len derived");
		ASSERT_EQ(c->event_id, 0, "event_id past the 16 bytes given is 0");
		d->context_destroy(binding, ctx, NULL, &data_size, NULL, &ctx_size);

		ASSERT_OK(d->context_create(binding, data, sizeof(data), (uint8_t *)&in, sizeof(in), &ctx),
			  "the whole ctx_in");
		c = ctx;
		ASSERT_EQ(c->event_id, 11, "event_id from ctx_in");
		ASSERT_EQ(c->prog_index, 2, "prog_index from ctx_in");
		c->data[0] = 42;
		/* A program may overwrite the pointers; destroy must not follow them. */
		c->data = NULL;
		c->data_end = (uint8_t *)&in;
		data_size = sizeof(out);
		ctx_size = sizeof(cout);
		memset(&cout, 0xa5, sizeof(cout));
		d->context_destroy(binding, ctx, out, &data_size, (uint8_t *)&cout, &ctx_size);
		ASSERT_EQ(data_size, 5, "data_size_out: the data's size");
		ASSERT_EQ(out[0], 42, "the program's write comes back");
		ASSERT_EQ(out[4], 5, "the rest of the data");
		ASSERT_EQ(ctx_size, sizeof(cout), "ctx_size_out: the context's size");
		ASSERT_TRUE(cout.data == NULL && cout.data_end == NULL, "pointers zeroed");
		ASSERT_EQ(cout.event_id, 11, "fields copied out");

		ASSERT_OK(d->context_create(binding, data, sizeof(data), NULL, 0, &ctx), "no ctx_in");
		data_size = 2;
		ctx_size = 0;
		d->context_destroy(binding, ctx, out, &data_size, NULL, &ctx_size);
		ASSERT_EQ(data_size, 5, "the full size even when the room is smaller (-ENOSPC upstream)");
		ASSERT_EQ(ctx_size, 0, "no ctx_out, no size");

		in.data_len = 1;
		reg.log[0] = 0;
		ASSERT_EQ(d->context_create(binding, data, sizeof(data), (uint8_t *)&in, sizeof(in), &ctx),
			  -EINVAL, "ctx_in with data_len");
		ASSERT_STR_CONTAINS(reg.log, "ctx_in sets data, data_end or data_len", "logged");
		ASSERT_EQ(d->context_create(binding, data, sizeof(data), (uint8_t *)&in, sizeof(in) + 1,
					    &ctx), -EINVAL, "ctx_in larger than the context");
	}
	reg.chars[PROG].detach_client(binding);
	m.unload(m.module_context);
	ASSERT_EQ(allocations, 0, "nothing left allocated");
}

/* ------------------------------------------------------------- mock links */

#define MAX_CALLS 8

static struct {
	int calls;
	const void *link[MAX_CALLS];
	struct sample_ctx ctx[MAX_CALLS];
	uint8_t first_byte[MAX_CALLS];
	uint32_t result[MAX_CALLS];	/* what each link's program returns, by link number */
	int err[MAX_CALLS];		/* or its error */
} runs;

/* The "program" of link n: records what it saw, bumps data[0], scribbles on the context. */
static int mock_invoke(const void *link, void *context, uint32_t *result)
{
	struct sample_ctx *c = context;
	int n = (int)(uintptr_t)link, i = runs.calls++;

	if (i < MAX_CALLS) {
		runs.link[i] = link;
		runs.ctx[i] = *c;
		runs.first_byte[i] = c->data < c->data_end ? c->data[0] : 0;
	}
	if (runs.err[n])
		return runs.err[n];
	if (c->data < c->data_end)
		c->data[0]++;
	c->data = NULL;
	c->data_end = NULL;
	c->event_id = 0;
	c->prog_index = 77;
	*result = runs.result[n];
	return 0;
}

static const struct bpfhost_link_dispatch_table mock_link_dispatch = {
	.header = { BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION,
		    BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_link_dispatch_table) },
	.invoke = mock_invoke,
};

static void *mock_link(int n)
{
	struct bpfhost_link_client_data cd = {
		.header = { BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION,
			    BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION_SIZE,
			    sizeof(struct bpfhost_link_client_data) },
		.link = (const void *)(uintptr_t)n,
		.program_type = SAMPLE_EXT_PROGRAM_TYPE,
		.attach_type = SAMPLE_EXT_ATTACH_TYPE,
		.dispatch = &mock_link_dispatch,
	};
	void *binding = NULL;

	ASSERT_OK(reg.chars[HOOK].attach_client(reg.provider_context[HOOK], NULL, &cd, &binding),
		  "link attaches");
	return binding;
}

static void hook_provider(void)
{
	struct bpfhost_module m;
	const struct bpfhost_hook_provider_data *d;
	struct bpfhost_link_client_data cd = {
		.header = { BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION,
			    BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION_SIZE,
			    sizeof(struct bpfhost_link_client_data) },
		.program_type = 1,
		.attach_type = SAMPLE_EXT_ATTACH_TYPE,
		.dispatch = &mock_link_dispatch,
	};
	struct bpfhost_link_dispatch_table no_invoke = mock_link_dispatch;
	uint8_t data[3] = { 10, 20, 30 };
	uint32_t cnt = 99, result = 99;
	void *pctx, *b1, *b2, *b3, *binding = NULL;

	ASSERT_OK(load(&m), "entry");
	d = reg.chars[HOOK].npi_specific_characteristics;
	pctx = reg.provider_context[HOOK];
	ASSERT_EQ(d->header.size, BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION_SIZE, "size macro");
	ASSERT_EQ(d->attach_type, SAMPLE_EXT_ATTACH_TYPE, "attach type");
	ASSERT_EQ(d->program_type, SAMPLE_EXT_PROGRAM_TYPE, "runs sample programs");
	ASSERT_OK(strcmp(d->name, SAMPLE_EXT_HOOK_NAME), "name");
	ASSERT_TRUE(d->trigger != NULL, "can be triggered");

	ASSERT_EQ(reg.chars[HOOK].attach_client(pctx, NULL, NULL, &binding), -EINVAL, "no client data");
	reg.log[0] = 0;
	ASSERT_EQ(reg.chars[HOOK].attach_client(pctx, NULL, &cd, &binding), -EINVAL,
		  "a socket filter link");
	ASSERT_STR_CONTAINS(reg.log, "refusing a link of program type 1", "logged");
	cd.program_type = SAMPLE_EXT_PROGRAM_TYPE;
	cd.header.version = 2;
	ASSERT_EQ(reg.chars[HOOK].attach_client(pctx, NULL, &cd, &binding), -EINVAL, "version 2");
	cd.header.version = BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION;
	no_invoke.invoke = NULL;
	cd.dispatch = &no_invoke;
	ASSERT_EQ(reg.chars[HOOK].attach_client(pctx, NULL, &cd, &binding), -EINVAL, "no invoke");
	ASSERT_TRUE(binding == NULL, "no binding on refusal");

	ASSERT_OK(d->trigger(pctx, data, sizeof(data), &cnt, &result), "an event, no links");
	ASSERT_EQ(cnt, 0, "nothing ran");
	ASSERT_EQ(result, 0, "result 0");

	memset(&runs, 0, sizeof(runs));
	b1 = mock_link(1);
	b2 = mock_link(2);
	b3 = mock_link(3);
	runs.result[1] = 0;
	runs.result[2] = 5;
	runs.result[3] = 6;
	ASSERT_OK(d->trigger(pctx, data, sizeof(data), &cnt, &result), "event 2");
	ASSERT_EQ(runs.calls, 3, "three invocations");
	ASSERT_EQ(cnt, 3, "three programs ran");
	ASSERT_EQ(result, 5, "the first non-zero result");
	for (int i = 0; i < 3 && i < runs.calls; i++) {
		ASSERT_EQ((uintptr_t)runs.link[i], (uintptr_t)(i + 1), "attach order");
		ASSERT_TRUE(runs.ctx[i].data != NULL && runs.ctx[i].data != data, "a copy of the data");
		ASSERT_EQ(runs.ctx[i].data_end - runs.ctx[i].data, 3, "data .. data_end restored");
		ASSERT_EQ(runs.ctx[i].data_len, 3, "data_len");
		ASSERT_EQ(runs.ctx[i].event_id, 2, "event 2 (ids count every event)");
		ASSERT_EQ(runs.ctx[i].prog_index, (uint32_t)i, "prog_index restored");
		ASSERT_EQ(runs.first_byte[i], 10 + i, "data writes carry over");
	}
	ASSERT_EQ(data[0], 10, "the caller's data untouched");

	/* A link the core marked detached answers -ENOLINK: skipped. */
	runs.calls = 0;
	runs.err[1] = -ENOLINK;
	runs.err[3] = -EFAULT;
	cnt = result = 99;
	ASSERT_EQ(d->trigger(pctx, NULL, 0, &cnt, &result), -EFAULT, "a fault stops the event");
	ASSERT_EQ(runs.calls, 3, "after the skipped link and the one that ran");
	ASSERT_EQ(cnt, 99, "no counts on failure");
	runs.err[3] = 0;
	runs.calls = 0;
	ASSERT_OK(d->trigger(pctx, NULL, 0, &cnt, &result), "an empty event");
	ASSERT_EQ(cnt, 2, "the detached link not counted");
	ASSERT_EQ(result, 5, "first non-zero");
	ASSERT_EQ(runs.ctx[0].data_end, runs.ctx[0].data, "an empty range");
	ASSERT_TRUE(runs.ctx[0].data != NULL, "still a valid pointer");

	reg.chars[HOOK].detach_client(b2);
	runs.calls = 0;
	runs.err[1] = 0;
	ASSERT_OK(d->trigger(pctx, data, sizeof(data), &cnt, &result), "after a detach");
	ASSERT_EQ(runs.calls, 2, "the detached link is not invoked");
	ASSERT_EQ(result, 6, "link 3's result now");
	ASSERT_EQ(runs.ctx[1].prog_index, 1, "indexes follow the list");
	reg.chars[HOOK].detach_client(b1);
	reg.chars[HOOK].detach_client(b3);
	runs.calls = 0;
	ASSERT_OK(d->trigger(pctx, data, sizeof(data), &cnt, &result), "no links left");
	ASSERT_EQ(runs.calls, 0, "nothing invoked");
	m.unload(m.module_context);
	ASSERT_EQ(allocations, 0, "nothing left allocated");
}

/* ---------------------------------------------------------- helpers, mock core */

/* A map object as helpers get it: the provider's context at the client's offset. */
struct mock_map_object {
	uint8_t core[128];
	void *context;
};

static uint64_t call_helper(uint32_t i, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	const struct bpfhost_helper_function *h = elem(program_data()->helpers, i);

	return h->function(a1, a2, a3, a4, 0);
}

#define U64(p) ((uint64_t)(uintptr_t)(p))

static void helpers_through_the_contract(void)
{
	struct bpfhost_module m;
	const struct bpfhost_base_map_provider_dispatch_table *to, *ta;
	struct mock_map_object objects = { { 0 } }, totals = { { 0 } }, plain = { { 0 } }, foreign = { { 0 } };
	void *bo, *ba, *obj = NULL, *stale;
	uint32_t actual, key = 4, index = 1;
	uint64_t add = 40, sum = 0;
	struct sample_ext_accumulator_entry stored;
	char value[16] = "an object value", buf[16];
	long foreign_context[4] = { 0 };

	ASSERT_OK(load(&m), "entry");
	to = table(0);
	ta = table(1);
	bo = bind(0);
	ba = bind(1);
	ASSERT_OK(to->preprocess_map_create(bo, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, 4, 16, 4, &actual,
					    &objects.context), "create an object map");
	ASSERT_OK(ta->preprocess_map_create(ba, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, 4, 8, 2, &actual,
					    &totals.context), "create an accumulator");
	foreign.context = foreign_context;	/* another module's context: never read as ours */
	ASSERT_OK(to->preprocess_map_update_element(bo, objects.context, 4, (uint8_t *)&key, 16,
						    (uint8_t *)value, sizeof(obj), (uint8_t *)&obj, 0),
		  "store an object");
	mock_map = &objects;
	mock_key = key;
	mock_stored = (uint8_t *)&obj;

	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ((int64_t)call_helper(0, U64(&objects), U64(&key), U64(buf), sizeof(buf)), 16,
		  "get_object_value: the value's size");
	ASSERT_OK(memcmp(buf, value, sizeof(buf)), "through find_element to the object");
	key = 5;
	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ((int64_t)call_helper(0, U64(&objects), U64(&key), U64(buf), sizeof(buf)), -ENOENT,
		  "find_element's -ENOENT comes back");
	ASSERT_EQ(buf[0] | buf[15], 0, "buffer zeroed");
	key = 4;
	ASSERT_EQ((int64_t)call_helper(0, U64(&plain), U64(&key), U64(buf), sizeof(buf)), -EINVAL,
		  "a core map (MAP_CONTEXT NULL)");
	ASSERT_EQ((int64_t)call_helper(0, U64(&foreign), U64(&key), U64(buf), sizeof(buf)), -EINVAL,
		  "another module's custom map");
	ASSERT_EQ((int64_t)call_helper(0, U64(&totals), U64(&key), U64(buf), sizeof(buf)), -EINVAL,
		  "our accumulator is not an object map");

	ASSERT_OK(ta->preprocess_map_update_element(ba, totals.context, 4, (uint8_t *)&index, 8,
						    (uint8_t *)&add, sizeof(stored), (uint8_t *)&stored, 0),
		  "add 40 to element 1");
	ASSERT_EQ((int64_t)call_helper(1, U64(&totals), U64(&index), U64(&sum), 0), 0, "accumulator_read");
	ASSERT_EQ(sum, 40, "the running sum");
	index = 2;
	sum = 9;
	ASSERT_EQ((int64_t)call_helper(1, U64(&totals), U64(&index), U64(&sum), 0), -ENOENT,
		  "past max_entries");
	ASSERT_EQ(sum, 0, "sum zeroed");
	sum = 9;
	ASSERT_EQ((int64_t)call_helper(1, U64(&objects), U64(&index), U64(&sum), 0), -EINVAL,
		  "an object map is not an accumulator");
	ASSERT_EQ(sum, 9, "left alone: another map's value_size");
	ASSERT_EQ((int64_t)call_helper(1, U64(&plain), U64(&index), U64(&sum), 0), -EINVAL, "a core map");

	to->postprocess_map_delete_element(bo, objects.context, 4, (uint8_t *)&key, sizeof(obj),
					   (uint8_t *)&obj, BPFHOST_MAP_OPERATION_MAP_CLEANUP);
	mock_stored = NULL;
	stale = objects.context;
	to->postprocess_map_delete(bo, objects.context);
	ta->postprocess_map_delete(ba, totals.context);
	/* A deleted map's context is no longer ours (the mock frees at once; the core under epoch). */
	objects.context = stale;
	ASSERT_EQ((int64_t)call_helper(0, U64(&objects), U64(&key), U64(buf), sizeof(buf)), -EINVAL,
		  "a deleted map's context is forgotten");
	reg.chars[0].detach_client(bo);
	reg.chars[1].detach_client(ba);
	m.unload(m.module_context);
	ASSERT_EQ(allocations, 0, "nothing left allocated");
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
		TEST(counter_hash_callbacks),
		TEST(program_type_data),
		TEST(hook_provider),
		TEST(helpers_through_the_contract),
	};

	open_module();
	return test_run("sample_ext_contract", cases, sizeof(cases) / sizeof(cases[0]));
}
