// SPDX-License-Identifier: MIT
/*
 * Unload under load: worker threads update and read the sample extension's
 * custom maps (and a core hash map next to them) while the main thread
 * force-unloads and reloads the extension over and over, creating fresh
 * maps after each reload. Nothing may crash, corrupt a value or leak an
 * object, and every error must be one the race explains:
 *   -ENODEV      the map's module was unloaded (orphaned map);
 *   -ENOENT      the map is gone (get_fd_by_id) or the key is;
 *   -EOPNOTSUPP  creating a map while no module provides its type;
 *   -EBADF       a handle the main thread closed.
 *
 * Then the hook under load: threads fire events while another links,
 * detaches and frees programs and the main thread force-unloads and
 * reloads the extension. A program run after its link's detach returned
 * would touch freed memory (ASan/TSan see it); every event's count must
 * match what the programs counted.
 * Run under ASan and TSan too (ctest -L stress).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "test.h"
#include "sample_ext.h"
#include "bpfhost/asm.h"

#define CUSTOM_WORKERS 2
#define OBJ_MAX 32
#define ACC_MAX 8
#define CORE_MAX 64

/* What the main thread publishes for the workers. */
static atomic_uint obj_id, acc_id;		/* 0: none right now */
static atomic_int obj_fd = -1, acc_fd = -1;	/* the main thread's handles */
static atomic_bool stop;
static int core_fd;

struct worker {
	pthread_t thread;
	int index;
	long ops, enodev, ebadf, eopnotsupp, enoent;
	long unexpected;
	char first[320];	/* the first unexpected result */
};

/* An object map value: checkable on its own, whoever wrote it. */
struct obj_value {
	uint32_t key;
	uint32_t seq;
	uint64_t check;
};

static uint64_t check_of(uint32_t key, uint32_t seq)
{
	return ((uint64_t)key << 32 | seq) * 0x9e3779b97f4a7c15ull;
}

static void unexpected(struct worker *w, const char *what, int err)
{
	if (!w->unexpected++)
		snprintf(w->first, sizeof(w->first), "%s: %d (%s)", what, err, bpfhost_last_error());
}

/* Counts @err; anything outside 0 and @allowed (a 0-terminated list) is unexpected. */
static void expect(struct worker *w, const char *what, int err, const int *allowed)
{
	w->ops++;
	if (err == -ENODEV)
		w->enodev++;
	if (err == -EBADF)
		w->ebadf++;
	if (err == -EOPNOTSUPP)
		w->eopnotsupp++;
	if (err == -ENOENT)
		w->enoent++;
	if (err >= 0)
		return;
	for (; *allowed; allowed++)
		if (err == *allowed)
			return;
	unexpected(w, what, err);
}

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void object_burst(struct worker *w, int fd, uint32_t *rnd)
{
	static const int update_ok[] = { -E2BIG, -EEXIST, -ENODEV, 0 };
	static const int read_ok[] = { -ENOENT, -ENODEV, 0 };

	for (int i = 0; i < 32; i++) {
		uint32_t key = next_rand(rnd) % (OBJ_MAX + 8), seq = next_rand(rnd), next;
		struct obj_value v = { key, seq, check_of(key, seq) }, out;
		int err;

		switch (next_rand(rnd) % 6) {
		case 0:
		case 1:
			err = bpfhost_map_update_elem(fd, &key, &v, i & 1 ? BPF_NOEXIST : BPF_ANY);
			expect(w, "object update", err, update_ok);
			break;
		case 2:
			err = bpfhost_map_lookup_elem(fd, &key, &out);
			expect(w, "object lookup", err, read_ok);
			if (!err && (out.key != key || out.check != check_of(out.key, out.seq)))
				unexpected(w, "object lookup returned a corrupt value", 0);
			break;
		case 3:
			err = bpfhost_map_delete_elem(fd, &key);
			expect(w, "object delete", err, read_ok);
			break;
		case 4:
			err = bpfhost_map_lookup_and_delete_elem(fd, &key, &out);
			expect(w, "object lookup-and-delete", err, read_ok);
			if (!err && (out.key != key || out.check != check_of(out.key, out.seq)))
				unexpected(w, "object lookup-and-delete returned a corrupt value", 0);
			break;
		default:
			err = bpfhost_map_get_next_key(fd, &key, &next);
			expect(w, "object get_next_key", err, read_ok);
			break;
		}
	}
}

static void accumulator_burst(struct worker *w, int fd, uint32_t *rnd)
{
	static const int ok[] = { -ENODEV, 0 };

	for (int i = 0; i < 16; i++) {
		uint32_t key = next_rand(rnd) % ACC_MAX;
		uint64_t one = 1, sum;
		int err;

		if (i & 1) {
			err = bpfhost_map_update_elem(fd, &key, &one, BPF_ANY);
			expect(w, "accumulator update", err, ok);
		} else {
			err = bpfhost_map_lookup_elem(fd, &key, &sum);
			expect(w, "accumulator lookup", err, ok);
			/* Only this test's workers add, one at a time per update. */
			if (!err && sum > 1000000)
				unexpected(w, "accumulator sum out of range", 0);
		}
	}
}

/* Works on a map by id through a handle of its own: the map cannot change under it. */
static void by_id(struct worker *w, atomic_uint *id, uint32_t *rnd, bool object)
{
	static const int gone[] = { -ENOENT, 0 };
	uint32_t map_id = atomic_load(id);
	int fd;

	if (!map_id)
		return;
	fd = bpfhost_map_get_fd_by_id(map_id);
	expect(w, "get_fd_by_id", fd, gone);
	if (fd < 0)
		return;
	if (object)
		object_burst(w, fd, rnd);
	else
		accumulator_burst(w, fd, rnd);
	if (bpfhost_close(fd))
		unexpected(w, "close of an own handle", -1);
}

/*
 * Reads through the main thread's handles, which it may close at any time
 * (and a later map may reuse the number): reads only, into a buffer big
 * enough for any of the maps.
 */
static void through_published(struct worker *w, uint32_t *rnd)
{
	static const int ok[] = { -ENOENT, -ENODEV, -EBADF, 0 };
	uint8_t buf[64];
	uint32_t key = next_rand(rnd) % ACC_MAX, next;
	int fd = atomic_load(next_rand(rnd) & 1 ? &obj_fd : &acc_fd);

	if (fd < 0)
		return;
	expect(w, "lookup through a published handle", bpfhost_map_lookup_elem(fd, &key, buf), ok);
	expect(w, "next key through a published handle", bpfhost_map_get_next_key(fd, &key, &next), ok);
}

/*
 * A short-lived map of its own: meets "no provider" between an unload and
 * the reload, and races its creation against the unload itself.
 */
static void own_map(struct worker *w, uint32_t *rnd)
{
	static const int create_ok[] = { -EOPNOTSUPP, -ENODEV, 0 };
	int fd;

	fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "worker", 4, sizeof(struct obj_value),
				OBJ_MAX, NULL);
	expect(w, "create", fd, create_ok);
	if (fd < 0)
		return;
	object_burst(w, fd, rnd);
	if (bpfhost_close(fd))
		unexpected(w, "close of an own map", -1);
}

static void *custom_worker(void *arg)
{
	struct worker *w = arg;
	uint32_t rnd = 0x12345u + (uint32_t)w->index * 7919u;

	while (!atomic_load(&stop)) {
		by_id(w, &obj_id, &rnd, true);
		by_id(w, &acc_id, &rnd, false);
		through_published(w, &rnd);
		if (w->index == 0 && next_rand(&rnd) % 4 == 0)
			own_map(w, &rnd);
	}
	return NULL;
}

/* The core's own hash map next door: its results are exact, whatever the extension does. */
static void *core_worker(void *arg)
{
	static const int update_ok[] = { -E2BIG, 0 }, read_ok[] = { -ENOENT, 0 };
	struct worker *w = arg;
	uint32_t rnd = 0xabcdefu;

	while (!atomic_load(&stop)) {
		for (int i = 0; i < 64; i++) {
			uint32_t key = next_rand(&rnd) % (CORE_MAX + 16);
			uint64_t v = (uint64_t)key * 3, out;
			int err;

			switch (next_rand(&rnd) % 3) {
			case 0:
				expect(w, "core update", bpfhost_map_update_elem(core_fd, &key, &v, BPF_ANY),
				       update_ok);
				break;
			case 1:
				err = bpfhost_map_lookup_elem(core_fd, &key, &out);
				expect(w, "core lookup", err, read_ok);
				if (!err && out != v)
					unexpected(w, "core lookup returned a wrong value", 0);
				break;
			default:
				expect(w, "core delete", bpfhost_map_delete_elem(core_fd, &key), read_ok);
				break;
			}
		}
	}
	return NULL;
}

static uint32_t id_of(int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "map info");
	return info.id;
}

static int rounds(void)
{
	const char *env = getenv("SAMPLE_EXT_STRESS_ROUNDS");

	return env && atoi(env) > 0 ? atoi(env) : 150;
}

static void unload_reload_under_load(void)
{
	struct worker workers[CUSTOM_WORKERS + 1];
	struct timespec pause = { 0, 1000000 };	/* 1 ms of work per round */
	int module, n = rounds();
	long ops = 0, enodev = 0, ebadf = 0, eopnotsupp = 0;
	sample_ext_live_objects_fn live = NULL;
	void *dl;

	core_fd = test_map(BPF_MAP_TYPE_HASH, "core_next_door", 4, 8, CORE_MAX, 0);
	module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
	ASSERT_GE(module, 1, "load");
	/* Our own reference keeps the counter readable after the last unload. */
	dl = dlopen(SAMPLE_EXT_MODULE_PATH, RTLD_NOLOAD | RTLD_NOW);
	if (dl)
		live = (sample_ext_live_objects_fn)dlsym(dl, SAMPLE_EXT_LIVE_OBJECTS_SYMBOL);
	ASSERT_TRUE(live != NULL, "live object counter");

	memset(workers, 0, sizeof(workers));
	for (int i = 0; i <= CUSTOM_WORKERS; i++) {
		workers[i].index = i;
		ASSERT_OK(pthread_create(&workers[i].thread, NULL,
					 i < CUSTOM_WORKERS ? custom_worker : core_worker, &workers[i]),
			  "start worker");
	}

	for (int round = 0; round < n && module >= 1; round++) {
		int fo = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "objects", 4,
					    sizeof(struct obj_value), OBJ_MAX, NULL);
		int fa = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, "totals", 4, 8, ACC_MAX,
					    NULL);

		ASSERT_GE(fo, 1, "create the object map after a reload");
		ASSERT_GE(fa, 1, "create the accumulator after a reload");
		if (fo < 1 || fa < 1)
			break;
		atomic_store(&obj_fd, fo);
		atomic_store(&acc_fd, fa);
		atomic_store(&obj_id, id_of(fo));
		atomic_store(&acc_id, id_of(fa));
		nanosleep(&pause, NULL);

		ASSERT_OK(bpfhost_extension_unload(module, BPFHOST_UNLOAD_FORCE), "forced unload");
		/* Fresh maps first (the reload), then the old handles go. */
		module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
		ASSERT_GE(module, 1, "reload");
		atomic_store(&obj_id, 0);
		atomic_store(&acc_id, 0);
		atomic_store(&obj_fd, -1);
		atomic_store(&acc_fd, -1);
		ASSERT_OK(bpfhost_close(fo), "close the orphaned object map");
		ASSERT_OK(bpfhost_close(fa), "close the orphaned accumulator");
	}

	atomic_store(&stop, true);
	for (int i = 0; i <= CUSTOM_WORKERS; i++) {
		pthread_join(workers[i].thread, NULL);
		ops += workers[i].ops;
		enodev += workers[i].enodev;
		ebadf += workers[i].ebadf;
		eopnotsupp += workers[i].eopnotsupp;
		ASSERT_EQ(workers[i].unexpected, 0, "no unexpected result in a worker");
		if (workers[i].unexpected)
			fprintf(stderr, "worker %d: first unexpected result: %s\n", i, workers[i].first);
	}
	printf("%d unload/reload rounds, %ld operations: %ld ENODEV, %ld EBADF, %ld EOPNOTSUPP\n", n, ops,
	       enodev, ebadf, eopnotsupp);
	ASSERT_GE(ops, 1, "the workers did work");

	if (module >= 1)
		ASSERT_OK(bpfhost_extension_unload(module, 0), "final unload (no map left)");
	ASSERT_OK(bpfhost_close(core_fd), "close the core map");
	bpfhost_synchronize();
	ASSERT_EQ(live ? live() : -1, 0, "no provider object leaked");
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
	if (dl)
		dlclose(dl);
}

/* ---------------------------------------------------------- the hook under load */

#define TRIGGER_WORKERS 2
#define MAX_LINKS 3	/* the main thread's link and at most two of the link worker's */

static atomic_bool hook_stop;
static int hits_fd;			/* a core array: it outlives every unload */
static atomic_long events_ok, progs_ok, events_failed;

/* hits[0] += 1 (a core map: counts survive the module); returns 1. */
static int counting_prog(void)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, opts);
	struct bpf_insn *insns = NULL;
	char src[512];
	size_t n = 0;
	int fd;

	snprintf(src, sizeof(src),
		 "stw [%%r10-4], 0\n"
		 "lddw %%r1, map_fd %d\n"
		 "mov %%r2, %%r10\n"
		 "add %%r2, -4\n"
		 "call 1\n"
		 "jeq %%r0, 0, out\n"
		 "mov %%r1, 1\n"
		 "lock add [%%r0+0], %%r1\n"
		 "out:\n"
		 "mov %%r0, 1\n"
		 "exit\n", hits_fd);
	if (bpfhost_asm(src, &insns, &n))
		return -EINVAL;
	fd = bpfhost_prog_load(SAMPLE_EXT_PROGRAM_TYPE, "counting", "MIT", insns, n, &opts);
	free(insns);
	return fd;
}

static void *trigger_worker(void *arg)
{
	/* -ENOENT: no hook (its module is unloading or gone); -ENODEV: a program's type went. */
	static const int ok[] = { -ENOENT, -ENODEV, 0 };
	struct worker *w = arg;
	uint8_t data[16] = { 1, 2, 3 };

	while (!atomic_load(&hook_stop)) {
		uint32_t cnt = 0, r = 0;
		int err = bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, data, sizeof(data), &cnt, &r);

		expect(w, "trigger", err, ok);
		if (err) {
			atomic_fetch_add(&events_failed, 1);
			continue;
		}
		if (cnt > MAX_LINKS || r != (cnt ? 1u : 0u))
			unexpected(w, "an event's count or result", (int)cnt);
		atomic_fetch_add(&events_ok, 1);
		atomic_fetch_add(&progs_ok, cnt);
	}
	return NULL;
}

/* Loads, links, detaches and frees programs: meets every unload and reload. */
static void *link_worker(void *arg)
{
	static const int load_ok[] = { -EINVAL, 0 };	/* no program type between unload and reload */
	static const int link_ok[] = { -EINVAL, 0 };	/* no hook */
	static const int detach_ok[] = { -ENOLINK, 0 };	/* the unload detached it first */
	struct worker *w = arg;
	uint32_t rnd = 0x5eed;

	while (!atomic_load(&hook_stop)) {
		int p = counting_prog(), l[2] = { -1, -1 };

		expect(w, "program load", p, load_ok);
		if (p < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			l[i] = bpfhost_link_create(p, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
			expect(w, "link", l[i], link_ok);
		}
		/* Detach one explicitly, let closing the last handle detach the other. */
		if (l[0] >= 0)
			expect(w, "detach", bpfhost_link_detach(l[0]), detach_ok);
		if (next_rand(&rnd) & 1)
			sched_yield();
		for (int i = 0; i < 2; i++)
			if (l[i] >= 0 && bpfhost_close(l[i]))
				unexpected(w, "close a link", -1);
		/* The program goes now, unless a running event still holds it (then after it). */
		if (bpfhost_close(p))
			unexpected(w, "close a program", -1);
	}
	return NULL;
}

static void hook_under_load(void)
{
	struct worker workers[TRIGGER_WORKERS + 1];
	struct timespec pause = { 0, 1000000 };
	int module, n = rounds() / 2 + 1;
	uint64_t hits = 0;
	uint32_t zero = 0;
	long ok, failed, progs;

	hits_fd = test_map(BPF_MAP_TYPE_ARRAY, "hits", 4, 8, 1, 0);
	module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
	ASSERT_GE(module, 1, "load");
	memset(workers, 0, sizeof(workers));
	for (int i = 0; i <= TRIGGER_WORKERS; i++) {
		workers[i].index = i;
		ASSERT_OK(pthread_create(&workers[i].thread, NULL,
					 i < TRIGGER_WORKERS ? trigger_worker : link_worker, &workers[i]),
			  "start worker");
	}

	for (int round = 0; round < n && module >= 1; round++) {
		int p = counting_prog(), l;

		ASSERT_GE(p, 0, "load a program after a reload");
		l = bpfhost_link_create(p, 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
		ASSERT_GE(l, 0, "link it");
		nanosleep(&pause, NULL);
		ASSERT_OK(bpfhost_extension_unload(module, BPFHOST_UNLOAD_FORCE),
			  "forced unload with programs linked and events firing");
		ASSERT_EQ(bpfhost_link_detach(l), -ENOLINK, "the unload detached the link");
		module = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
		ASSERT_GE(module, 1, "reload");
		ASSERT_OK(bpfhost_close(l), "close the link");
		ASSERT_OK(bpfhost_close(p), "close the orphaned program");
	}

	atomic_store(&hook_stop, true);
	for (int i = 0; i <= TRIGGER_WORKERS; i++) {
		pthread_join(workers[i].thread, NULL);
		ASSERT_EQ(workers[i].unexpected, 0, "no unexpected result in a worker");
		if (workers[i].unexpected)
			fprintf(stderr, "worker %d: first unexpected result: %s\n", i, workers[i].first);
	}
	for (int i = 0; i < TRIGGER_WORKERS; i++)
		printf("trigger worker %d: %ld ENOENT, %ld ENODEV\n", i, workers[i].enoent,
		       workers[i].enodev);
	ok = atomic_load(&events_ok);
	failed = atomic_load(&events_failed);
	progs = atomic_load(&progs_ok);
	ASSERT_OK(bpfhost_map_lookup_elem(hits_fd, &zero, &hits), "read the hits");
	printf("%d unload/reload rounds: %ld events (%ld programs ran), %ld refused by the race; "
	       "%llu hits\n", n, ok, progs, failed, (unsigned long long)hits);
	ASSERT_GE(ok, 1, "events ran");
	/* Every program an event reports ran counted once; a failed event ran at most MAX_LINKS. */
	ASSERT_GE((long long)hits, progs, "no counted run was lost");
	ASSERT_GE(progs + failed * MAX_LINKS, (long long)hits, "no run counted that no event made");

	if (module >= 1)
		ASSERT_OK(bpfhost_extension_unload(module, 0), "final unload (no program left)");
	ASSERT_OK(bpfhost_close(hits_fd), "close the hits map");
	bpfhost_synchronize();
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(unload_reload_under_load),
		TEST(hook_under_load),
	};

	return test_run("sample_ext_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
