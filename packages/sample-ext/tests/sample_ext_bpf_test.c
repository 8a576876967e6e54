// SPDX-License-Identifier: MIT
/*
 * The clang-compiled sample programs (the .bpf.c files under bpf/) loaded with the
 * libbpf-like object loader and run on the sample extension: every program
 * through BPF_PROG_TEST_RUN (ctx and data in, data out) and through the
 * hook (a link, then bpfhost_hook_trigger()), with the maps read back
 * through the user-space map API after each; the refused uses; several
 * programs on the hook at once; unload with the object loaded (refused,
 * then forced). Skips, saying why, when the objects were not built
 * (clang-19 or libbpf-dev missing).
 */
#include <stdarg.h>

#include "test.h"
#include "sample_ext.h"
#include "sample_progs.h"
#include "bpfhost/libbpf.h"

static char printed[8192];

static int capture(enum bpfhost_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(printed);

	(void)level;
	if (used < sizeof(printed) - 1)
		vsnprintf(printed + used, sizeof(printed) - used, fmt, ap);
	return 0;
}

/* One object file loaded on a freshly loaded module. */
struct loaded {
	int module;
	struct bpfhost_object *obj;
};

static struct loaded open_load(const char *file)
{
	struct loaded l = { .module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH) };
	char path[512];
	int err;

	ASSERT_GE(l.module, 1, "load sample_ext.so");
	snprintf(path, sizeof(path), "%s/%s", SAMPLE_EXT_BPF_DIR, file);
	l.obj = bpfhost_object__open_file(path, NULL);
	ASSERT_TRUE(l.obj != NULL, "open the object");
	if (!l.obj) {
		fprintf(stderr, "%s: %s\n", path, bpfhost_last_error());
		return l;
	}
	err = bpfhost_object__load(l.obj);
	ASSERT_OK(err, "load the object");
	if (err)
		fprintf(stderr, "%s: %s\n", path, bpfhost_last_error());
	return l;
}

static void close_unload(struct loaded *l)
{
	bpfhost_object__close(l->obj);
	ASSERT_OK(bpfhost_extension_unload(l->module, 0), "unload once the object is closed");
}

static int prog_fd(const struct loaded *l, const char *name)
{
	struct bpfhost_program *p = l->obj ? bpfhost_object__find_program_by_name(l->obj, name) : NULL;
	int fd = p ? bpfhost_program__fd(p) : -ENOENT;

	ASSERT_GE(fd, 0, name);
	return fd;
}

static int map_fd(const struct loaded *l, const char *name)
{
	struct bpfhost_map *m = l->obj ? bpfhost_object__find_map_by_name(l->obj, name) : NULL;
	int fd = m ? bpfhost_map__fd(m) : -ENOENT;

	ASSERT_GE(fd, 0, name);
	return fd;
}

/* An event: the header programs read, then room for an object. */
struct event_buf {
	struct sample_event ev;
	char object[SAMPLE_PROGS_OBJECT_SIZE];
};

static struct event_buf event(uint32_t key, uint32_t flags, uint64_t value)
{
	struct event_buf e;

	memset(&e, 0, sizeof(e));
	e.ev.key = key;
	e.ev.flags = flags;
	e.ev.value = value;
	return e;
}

/* BPF_PROG_TEST_RUN with @e as data (written back) and a ctx; returns r0 as a signed int. */
static int32_t run_prog(int fd, struct event_buf *e, uint64_t event_id)
{
	struct sample_ctx ctx_in = { .event_id = event_id }, ctx_out;
	struct event_buf out;
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = e, .data_size_in = sizeof(*e), .data_out = &out,
		     .data_size_out = sizeof(out), .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		     .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out));
	int err = bpfhost_prog_test_run_opts(fd, &o);

	ASSERT_OK(err, "test run");
	if (err)
		return INT32_MIN;
	ASSERT_EQ(o.data_size_out, sizeof(out), "data_size_out");
	ASSERT_EQ(ctx_out.event_id, event_id, "ctx_out event_id");
	*e = out;
	return (int32_t)o.retval;
}

/* The program alone on the hook for one event; returns its result as a signed int. */
static int32_t hook_run(int fd, const struct event_buf *e)
{
	int link = bpfhost_link_create(fd, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	uint32_t cnt = 0, r = 0;
	int err;

	ASSERT_GE(link, 0, "link to the hook");
	if (link < 0)
		return INT32_MIN;
	err = bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, e, sizeof(*e), &cnt, &r);
	ASSERT_OK(err, "trigger");
	ASSERT_EQ(cnt, err ? 0 : 1, "one program ran");
	ASSERT_OK(bpfhost_close(link), "close the link");
	return err ? INT32_MIN : (int32_t)r;
}

static uint64_t counter(int fd, uint32_t key)
{
	uint64_t v = 0;

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &key, &v), "user lookup of a count");
	return v;
}

static void put_object(int fd, uint32_t key, const char *s)
{
	char v[SAMPLE_PROGS_OBJECT_SIZE] = { 0 };

	snprintf(v, sizeof(v), "%s", s);
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, v, BPF_ANY), "user update of an object");
}

/* ------------------------------------------------------------ sample_maps.bpf.o */

static void object_sections_and_types(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	struct bpfhost_program *p;
	int n = 0;

	bpfhost_object__for_each_program(p, l.obj) {
		ASSERT_EQ(bpfhost_program__type(p), SAMPLE_EXT_PROGRAM_TYPE,
			  "sample/... resolved through the provider's prefixes");
		ASSERT_EQ(bpfhost_program__expected_attach_type(p), SAMPLE_EXT_ATTACH_TYPE,
			  "the prefix implies the hook");
		n++;
	}
	ASSERT_EQ(n, 7, "seven programs");
	ASSERT_EQ(bpfhost_map__type(bpfhost_object__find_map_by_name(l.obj, "counters")),
		  SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, "a BTF map of a custom type");
	close_unload(&l);
}

static void lookup_and_increment(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int fd = prog_fd(&l, "count_event"), counters = map_fd(&l, "counters");
	struct event_buf e = event(7, 0, 0);
	struct sample_event short_ev = { .key = 7 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = &short_ev, .data_size_in = 8);

	ASSERT_EQ(run_prog(fd, &e, 1), 1, "test run: the first count inserts 1");
	ASSERT_EQ(run_prog(fd, &e, 2), 2, "test run: then increments in place");
	ASSERT_EQ(counter(counters, 7), 2, "the map holds 2");
	ASSERT_EQ(hook_run(fd, &e), 3, "through the hook");
	ASSERT_EQ(counter(counters, 7), 3, "the map holds 3");
	e = event(8, 0, 0);
	ASSERT_EQ(hook_run(fd, &e), 1, "another key");
	ASSERT_EQ(counter(counters, 8), 1, "its own count");
	ASSERT_EQ(counter(counters, 7), 3, "the first unchanged");
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "an event shorter than sample_event");
	ASSERT_EQ((int32_t)o.retval, -EINVAL, "the program's bounds check refuses it");
	close_unload(&l);
}

static void helper_lookup(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int fd = prog_fd(&l, "peek_counter"), counters = map_fd(&l, "counters");
	struct event_buf e = event(5, 0, 0);
	uint32_t k = 5;
	uint64_t v = 41;

	ASSERT_EQ(run_prog(fd, &e, 1), -ENOENT, "bpf_map_lookup_elem: NULL for a missing key");
	ASSERT_OK(bpfhost_map_update_elem(counters, &k, &v, BPF_ANY), "user sets 41");
	ASSERT_EQ(run_prog(fd, &e, 1), 41, "test run: the count through the lookup's pointer");
	ASSERT_EQ(e.ev.value, 41, "written back into the data");
	ASSERT_EQ(hook_run(fd, &e), 41, "through the hook");
	close_unload(&l);
}

static void helper_get_value(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int fd = prog_fd(&l, "get_object"), objects = map_fd(&l, "objects");
	struct event_buf e = event(2, 0, 0);

	ASSERT_EQ(run_prog(fd, &e, 1), -ENOENT, "no object 2 yet");
	put_object(objects, 2, "object two");
	e = event(2, 0, 0);
	ASSERT_EQ(run_prog(fd, &e, 1), SAMPLE_PROGS_OBJECT_SIZE, "test run: the object's size");
	ASSERT_OK(memcmp(e.object, "object two\0\0\0\0\0", SAMPLE_PROGS_OBJECT_SIZE),
		  "the object's bytes, copied after the event");
	ASSERT_EQ(hook_run(fd, &e), SAMPLE_PROGS_OBJECT_SIZE, "through the hook");
	put_object(objects, 2, "replaced");
	e = event(2, 0, 0);
	ASSERT_EQ(run_prog(fd, &e, 1), SAMPLE_PROGS_OBJECT_SIZE, "after a user update");
	ASSERT_OK(strcmp(e.object, "replaced"), "the new object");
	close_unload(&l);
}

static void helper_accumulator(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int fd = prog_fd(&l, "read_total"), totals = map_fd(&l, "totals");
	struct event_buf e = event(1, 0, 0);
	uint32_t k = 1;
	uint64_t add = 5, sum = 0;

	ASSERT_EQ(run_prog(fd, &e, 1), 0, "nothing added yet");
	ASSERT_OK(bpfhost_map_update_elem(totals, &k, &add, BPF_ANY), "user adds 5");
	add = 6;
	ASSERT_OK(bpfhost_map_update_elem(totals, &k, &add, BPF_ANY), "user adds 6");
	ASSERT_EQ(run_prog(fd, &e, 1), 11, "test run: the running sum");
	ASSERT_EQ(e.ev.value, 11, "the full sum in the data");
	ASSERT_EQ(hook_run(fd, &e), 11, "through the hook");
	ASSERT_OK(bpfhost_map_lookup_elem(totals, &k, &sum), "user lookup");
	ASSERT_EQ(sum, 11, "the same sum");
	e = event(4, 0, 0);
	ASSERT_EQ(run_prog(fd, &e, 1), -ENOENT, "index past max_entries");
	close_unload(&l);
}

static void update_and_delete(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int upd = prog_fd(&l, "update_counter"), del = prog_fd(&l, "delete_counter");
	int counters = map_fd(&l, "counters");
	struct event_buf e = event(9, BPF_NOEXIST, 100);
	uint64_t v;
	uint32_t k = 9;

	ASSERT_EQ(run_prog(upd, &e, 1), 0, "test run: insert 9 = 100");
	ASSERT_EQ(counter(counters, 9), 100, "the user sees it");
	e = event(9, BPF_NOEXIST, 101);
	ASSERT_EQ(run_prog(upd, &e, 1), -EEXIST, "BPF_NOEXIST on a present key");
	e = event(9, BPF_ANY, 200);
	ASSERT_EQ(hook_run(upd, &e), 0, "through the hook: 9 = 200");
	ASSERT_EQ(counter(counters, 9), 200, "replaced");
	e = event(10, BPF_EXIST, 1);
	ASSERT_EQ(hook_run(upd, &e), -ENOENT, "BPF_EXIST on a missing key");
	ASSERT_EQ(bpfhost_map_lookup_elem(counters, &(uint32_t){ 10 }, &v), -ENOENT, "not inserted");

	e = event(9, 0, 0);
	ASSERT_EQ(run_prog(del, &e, 1), 0, "test run: delete 9");
	ASSERT_EQ(bpfhost_map_lookup_elem(counters, &k, &v), -ENOENT, "gone for the user");
	ASSERT_EQ(run_prog(del, &e, 1), -ENOENT, "delete again");
	v = 3;
	ASSERT_OK(bpfhost_map_update_elem(counters, &k, &v, BPF_ANY), "user re-inserts 9");
	ASSERT_EQ(hook_run(del, &e), 0, "through the hook");
	ASSERT_EQ(bpfhost_map_lookup_elem(counters, &k, &v), -ENOENT, "gone again");
	close_unload(&l);
}

static void map_chosen_by_config(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int fd = prog_fd(&l, "count_selected"), config = map_fd(&l, "config");
	int counters = map_fd(&l, "counters"), alt = map_fd(&l, "counters_alt");
	struct event_buf e = event(3, 0, 0);
	uint32_t zero = 0, choice = 1;
	uint64_t v;

	ASSERT_EQ(run_prog(fd, &e, 1), 1, "config 0: counters");
	ASSERT_EQ(hook_run(fd, &e), 2, "config 0 through the hook");
	ASSERT_EQ(bpfhost_map_lookup_elem(alt, &(uint32_t){ 3 }, &v), -ENOENT, "counters_alt untouched");
	ASSERT_OK(bpfhost_map_update_elem(config, &zero, &choice, BPF_ANY), "config[0] = 1");
	ASSERT_EQ(run_prog(fd, &e, 1), 1, "config 1: counters_alt");
	ASSERT_EQ(hook_run(fd, &e), 2, "through the hook");
	ASSERT_EQ(counter(counters, 3), 2, "counters kept its 2");
	ASSERT_EQ(counter(alt, 3), 2, "counters_alt counted 2");
	close_unload(&l);
}

/* ---------------------------------------------------------- sample_select.bpf.o */

static void map_chosen_through_map_of_maps(void)
{
	struct loaded l = open_load("sample_select.bpf.o");
	int fd = prog_fd(&l, "count_in_selected"), config = map_fd(&l, "config");
	int sets = map_fd(&l, "counter_sets"), a = map_fd(&l, "set_a"), b = map_fd(&l, "set_b");
	int fresh = test_map(SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, "fresh", 4, 8, 64, 0);
	struct event_buf e = event(6, 0, 0);
	uint32_t zero = 0, choice, one = 1;
	uint64_t v;

	ASSERT_EQ(run_prog(fd, &e, 1), 1, "config 0: set_a (the slots the object declared)");
	ASSERT_EQ(hook_run(fd, &e), 2, "through the hook");
	choice = 1;
	ASSERT_OK(bpfhost_map_update_elem(config, &zero, &choice, BPF_ANY), "config[0] = 1");
	ASSERT_EQ(run_prog(fd, &e, 1), 1, "config 1: set_b");
	ASSERT_EQ(counter(a, 6), 2, "set_a: 2");
	ASSERT_EQ(counter(b, 6), 1, "set_b: 1");

	/* User space swaps the inner map: the program follows. */
	ASSERT_OK(bpfhost_map_update_elem(sets, &one, &fresh, BPF_ANY), "slot 1 = a new counter hash");
	ASSERT_EQ(hook_run(fd, &e), 1, "counts in the new map");
	ASSERT_EQ(counter(fresh, 6), 1, "the new map holds it");
	ASSERT_EQ(counter(b, 6), 1, "set_b no longer chosen");
	choice = 2;
	ASSERT_OK(bpfhost_map_update_elem(config, &zero, &choice, BPF_ANY), "config[0] = 2");
	ASSERT_EQ(run_prog(fd, &e, 1), -ENOENT, "past the outer map: no inner map");
	ASSERT_EQ(bpfhost_map_delete_elem(sets, &one), 0, "user empties slot 1");
	choice = 1;
	ASSERT_OK(bpfhost_map_update_elem(config, &zero, &choice, BPF_ANY), "config[0] = 1");
	ASSERT_EQ(run_prog(fd, &e, 1), -ENOENT, "an empty slot");
	ASSERT_EQ(bpfhost_map_lookup_elem(b, &(uint32_t){ 7 }, &v), -ENOENT, "nothing stray in set_b");
	ASSERT_OK(bpfhost_close(fresh), "close the fresh map");
	close_unload(&l);
}

/* --------------------------------------------------------- sample_refused.bpf.o */

/* Like open_load(), with prog_flags @flags on every program (BPFHOST_F_TEST_UNVERIFIED). */
static struct loaded open_load_flags(const char *file, uint32_t flags)
{
	struct loaded l = { .module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH) };
	struct bpfhost_program *p = NULL;
	char path[512];

	ASSERT_GE(l.module, 1, "load sample_ext.so");
	snprintf(path, sizeof(path), "%s/%s", SAMPLE_EXT_BPF_DIR, file);
	l.obj = bpfhost_object__open_file(path, NULL);
	ASSERT_TRUE(l.obj != NULL, "open the object");
	if (!l.obj)
		return l;
	while ((p = bpfhost_object__next_program(l.obj, p)))
		ASSERT_OK(bpfhost_program__set_flags(p, flags), "set_flags");
	ASSERT_OK(bpfhost_object__load(l.obj), "load the object");
	return l;
}

static void refused_uses(void)
{
	struct loaded l = { .module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH) };
	int objects, plain, totals, obj_upd, obj_del, obj_look, tot_upd, get_plain, get_counter;
	int total_plain, overflow;
	struct event_buf e = event(1, 0, 0);
	char value[SAMPLE_PROGS_OBJECT_SIZE], path[512];
	uint32_t k = 1;
	uint64_t v = 5, sum;

	/* The verifier refuses the core's map helpers on an updates_original_value map at load... */
	snprintf(path, sizeof(path), "%s/%s", SAMPLE_EXT_BPF_DIR, "sample_refused.bpf.o");
	l.obj = bpfhost_object__open_file(path, NULL);
	ASSERT_TRUE(l.obj != NULL, "open the object");
	ASSERT_EQ(bpfhost_object__load(l.obj), -EACCES, "the verifier refuses the object");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "updates_original_value", "and says why");
	close_unload(&l);
	/* ...and without it, the run-time answers stand (defence in depth). */
	l = open_load_flags("sample_refused.bpf.o", BPFHOST_F_TEST_UNVERIFIED);
	objects = map_fd(&l, "objects");
	plain = map_fd(&l, "plain");
	totals = map_fd(&l, "totals");
	obj_upd = prog_fd(&l, "object_update");
	obj_del = prog_fd(&l, "object_delete");
	obj_look = prog_fd(&l, "object_lookup");
	tot_upd = prog_fd(&l, "total_update");
	get_plain = prog_fd(&l, "get_plain");
	get_counter = prog_fd(&l, "get_counter");
	total_plain = prog_fd(&l, "total_plain");
	overflow = prog_fd(&l, "get_overflow");

	put_object(objects, 1, "untouchable");
	ASSERT_OK(bpfhost_map_update_elem(plain, &k, &v, BPF_ANY), "plain[1] = 5");
	ASSERT_OK(bpfhost_map_update_elem(totals, &k, &v, BPF_ANY), "totals[1] += 5");

	ASSERT_EQ(run_prog(obj_upd, &e, 1), -EOPNOTSUPP, "program update of the object map");
	ASSERT_EQ(hook_run(obj_upd, &e), -EOPNOTSUPP, "through the hook");
	ASSERT_EQ(run_prog(obj_del, &e, 1), -EOPNOTSUPP, "program delete of the object map");
	ASSERT_EQ(hook_run(obj_del, &e), -EOPNOTSUPP, "through the hook");
	ASSERT_EQ(run_prog(obj_look, &e, 1), 0, "program lookup: NULL, never the provider's pointer");
	ASSERT_EQ(hook_run(obj_look, &e), 0, "through the hook");
	ASSERT_OK(bpfhost_map_lookup_elem(objects, &k, value), "the object is still there");
	ASSERT_OK(strcmp(value, "untouchable"), "unchanged");

	e = event(1, 0, 9);
	ASSERT_EQ(run_prog(tot_upd, &e, 1), -EOPNOTSUPP, "program update of the accumulator");
	ASSERT_EQ(hook_run(tot_upd, &e), -EOPNOTSUPP, "through the hook");
	ASSERT_OK(bpfhost_map_lookup_elem(totals, &k, &sum), "user lookup");
	ASSERT_EQ(sum, 5, "the sum did not move");

	e = event(1, 0, 0);
	ASSERT_EQ(run_prog(get_plain, &e, 1), -EINVAL, "sample_get_object_value on a core hash");
	ASSERT_OK(memcmp(e.object, (char[SAMPLE_PROGS_OBJECT_SIZE]){ 0 }, SAMPLE_PROGS_OBJECT_SIZE),
		  "its buffer (0xff before the call) came back zeroed");
	ASSERT_EQ(hook_run(get_plain, &e), -EINVAL, "through the hook");
	ASSERT_EQ(run_prog(get_counter, &e, 1), -EINVAL, "on a custom map of another type");
	ASSERT_EQ(hook_run(get_counter, &e), -EINVAL, "through the hook");
	e = event(1, 0, 0);
	ASSERT_EQ(run_prog(total_plain, &e, 1), -EINVAL, "sample_accumulator_read on a core hash");
	ASSERT_EQ(e.ev.value, 7, "the program's sum left alone");
	ASSERT_EQ(hook_run(total_plain, &e), -EINVAL, "through the hook");
	ASSERT_EQ(counter(plain, 1), 5, "the core map unchanged");

	{
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = &e, .data_size_in = sizeof(e));
		uint32_t cnt = 0, r = 0;
		int link;

		printed[0] = 0;
		ASSERT_EQ(bpfhost_prog_test_run_opts(overflow, &o), -EFAULT,
			  "a helper size past the stack: the core stops the program");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "sample_get_object_value",
				    "the message names the helper");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "get_overflow", "and the program");
		link = bpfhost_link_create(overflow, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
		ASSERT_GE(link, 0, "link it");
		ASSERT_EQ(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, &e, sizeof(e), &cnt, &r), -EFAULT,
			  "the event stops with the fault");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'get_overflow'",
				    "the fault names the program");
		bpfhost_close(link);
	}
	close_unload(&l);
}

/* ---------------------------------------------------- several programs, unload */

static void several_programs_on_the_hook(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int count = prog_fd(&l, "count_event"), peek = prog_fd(&l, "peek_counter");
	int get = prog_fd(&l, "get_object"), objects = map_fd(&l, "objects");
	int counters = map_fd(&l, "counters");
	int links[3];
	struct event_buf e = event(4, 0, 0);
	uint32_t cnt = 0, r = 0;

	put_object(objects, 4, "four");
	links[0] = bpfhost_link_create(get, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	links[1] = bpfhost_link_create(count, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	links[2] = bpfhost_link_create(peek, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	for (int i = 0; i < 3; i++)
		ASSERT_GE(links[i], 0, "link");
	for (uint32_t i = 1; i <= 5; i++) {
		ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, &e, sizeof(e), &cnt, &r), "event");
		ASSERT_EQ(cnt, 3, "three programs ran");
		ASSERT_EQ(r, SAMPLE_PROGS_OBJECT_SIZE, "the first non-zero result: get_object's");
	}
	ASSERT_EQ(counter(counters, 4), 5, "count_event ran on every event");
	ASSERT_OK(bpfhost_link_detach(links[0]), "detach get_object");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, &e, sizeof(e), &cnt, &r), "event");
	ASSERT_EQ(cnt, 2, "two programs ran");
	ASSERT_EQ(r, 6, "count_event's result comes first now");
	for (int i = 0; i < 3; i++)
		bpfhost_close(links[i]);
	close_unload(&l);
}

static void unload_with_the_object_loaded(void)
{
	struct loaded l = open_load("sample_maps.bpf.o");
	int fd = prog_fd(&l, "count_event"), counters = map_fd(&l, "counters");
	int link = bpfhost_link_create(fd, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	struct event_buf e = event(1, 0, 0);
	uint32_t cnt = 0, r = 0;
	uint64_t v;

	ASSERT_GE(link, 0, "link");
	ASSERT_EQ(bpfhost_extension_unload(l.module, 0), -EBUSY, "unload with the object loaded");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'counters'", "the message names a map it holds");
	ASSERT_OK(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, &e, sizeof(e), &cnt, &r),
		  "the refused unload disturbed nothing");
	ASSERT_EQ(r, 1, "counted");

	ASSERT_OK(bpfhost_extension_unload(l.module, BPFHOST_UNLOAD_FORCE), "forced unload");
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = &e, .data_size_in = sizeof(e));

		ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -ENODEV, "programs refuse to run");
	}
	ASSERT_EQ(bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, &e, sizeof(e), &cnt, &r), -ENOENT,
		  "the hook is gone");
	ASSERT_EQ(bpfhost_link_detach(link), -ENOLINK, "the link was detached");
	ASSERT_EQ(bpfhost_map_lookup_elem(counters, &(uint32_t){ 1 }, &v), -ENODEV, "maps orphaned");
	bpfhost_close(link);
	bpfhost_object__close(l.obj);
}

static void object_without_the_module(void)
{
	char path[512];
	struct bpfhost_object *obj;
	int err;

	snprintf(path, sizeof(path), "%s/sample_maps.bpf.o", SAMPLE_EXT_BPF_DIR);
	obj = bpfhost_object__open_file(path, NULL);
	ASSERT_TRUE(obj != NULL, "opens: nothing is created before load");
	if (!obj)
		return;
	err = bpfhost_object__load(obj);
	ASSERT_EQ(err, -EINVAL, "load refused without the extension");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "section 'sample/", "the message names the section");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "no program type", "and what is missing");
	bpfhost_object__close(obj);
	ASSERT_EQ(bpfhost_handle_count(), 0, "nothing left open");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(object_sections_and_types),
		TEST(lookup_and_increment),
		TEST(helper_lookup),
		TEST(helper_get_value),
		TEST(helper_accumulator),
		TEST(update_and_delete),
		TEST(map_chosen_by_config),
		TEST(map_chosen_through_map_of_maps),
		TEST(refused_uses),
		TEST(several_programs_on_the_hook),
		TEST(unload_with_the_object_loaded),
		TEST(object_without_the_module),
	};

	if (!SAMPLE_EXT_HAVE_BPF) {
		printf("sample_ext_bpf: SKIP: the BPF objects were not built (clang-19 or libbpf-dev "
		       "missing at configure time)\n");
		return 0;
	}
	bpfhost_set_print(capture);
	return test_run("sample_ext_bpf", cases, sizeof(cases) / sizeof(cases[0]));
}
