// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: create checks,
 * template compatibility, element errnos and their order, batches (all as
 * observed on Linux 6.18), inner map references taken and dropped, and the
 * program-side lookup returning the inner map.
 */
#include "test.h"

#include "maps/map_in_map.h"

#define AOM BPF_MAP_TYPE_ARRAY_OF_MAPS
#define HOM BPF_MAP_TYPE_HASH_OF_MAPS

static int outer(uint32_t type, uint32_t ks, uint32_t max, uint32_t flags, int inner_fd)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags, .inner_map_fd = (uint32_t)inner_fd);

	return bpfhost_map_create(type, "outer", ks, 4, max, &opts);
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	return info.id;
}

/* True while some reference keeps the map with @id alive. */
static bool id_alive(uint32_t id)
{
	int fd = bpfhost_map_get_fd_by_id(id);

	if (fd < 0)
		return false;
	bpfhost_close(fd);
	return true;
}

static struct bh_map *map_of(int fd)
{
	struct bh_map *map;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	epoch_exit();
	return map;
}

struct fake_prog {
	struct bh_object obj;
};

static void fake_prog_destroy(struct bh_object *obj)
{
	free(container_of(obj, struct fake_prog, obj));
}

static int fake_prog(void)
{
	struct fake_prog *p = calloc(1, sizeof(*p));

	bh_object_init(&p->obj, BH_OBJ_PROG, fake_prog_destroy);
	return bh_handle_install(&p->obj);
}

static void create_checks(void)
{
	int tmpl = test_map(BPF_MAP_TYPE_ARRAY, "tmpl", 4, 4, 4, 0), prog = fake_prog();
	static const uint32_t aom_bad[] = { BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_INNER_MAP, BPF_F_PRESERVE_ELEMS, BPF_F_NO_COMMON_LRU,
		BPF_F_RDONLY | BPF_F_WRONLY };
	static const uint32_t aom_good[] = { BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY };
	static const uint32_t hom_bad[] = { BPF_F_MMAPABLE, BPF_F_INNER_MAP, BPF_F_PRESERVE_ELEMS,
		BPF_F_NO_COMMON_LRU, BPF_F_RDONLY | BPF_F_WRONLY };
	static const uint32_t hom_good[] = { BPF_F_NO_PREALLOC, BPF_F_NUMA_NODE, BPF_F_RDONLY,
		BPF_F_WRONLY, BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG };
	int fd;

	ASSERT_EQ(outer(AOM, 4, 4, 0, 0), -EINVAL, "array of maps without inner_map_fd");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "inner_map_fd", "message says why");
	ASSERT_EQ(outer(HOM, 4, 4, 0, 0), -EINVAL, "hash of maps without inner_map_fd");
	ASSERT_EQ(outer(AOM, 4, 4, 0, 999), -EBADF, "closed inner_map_fd");
	ASSERT_EQ(outer(HOM, 4, 4, 0, 999), -EBADF, "closed inner_map_fd (hash)");
	ASSERT_EQ(outer(AOM, 4, 4, 0, prog), -EINVAL, "inner_map_fd names a program");
	ASSERT_EQ(outer(AOM, 8, 4, 0, 999), -EINVAL, "sizes are checked before the template");
	ASSERT_EQ(outer(AOM, 4, 0, 0, 999), -EINVAL, "max_entries 0 before the template");
	ASSERT_EQ(outer(HOM, 0, 4, 0, tmpl), -EINVAL, "hash of maps key_size 0");
	{
		BPFHOST_OPTS(bpfhost_map_create_opts, opts, .inner_map_fd = (uint32_t)tmpl);

		ASSERT_EQ(bpfhost_map_create(AOM, "o", 4, 8, 4, &opts), -EINVAL, "value_size 8");
		ASSERT_EQ(bpfhost_map_create(HOM, "o", 4, 8, 4, &opts), -EINVAL, "value_size 8 (hash)");
	}
	for (size_t i = 0; i < sizeof(aom_bad) / sizeof(aom_bad[0]); i++)
		ASSERT_EQ(outer(AOM, 4, 4, aom_bad[i], tmpl), -EINVAL, "array of maps flag refused");
	for (size_t i = 0; i < sizeof(hom_bad) / sizeof(hom_bad[0]); i++)
		ASSERT_EQ(outer(HOM, 4, 4, hom_bad[i], tmpl), -EINVAL, "hash of maps flag refused");
	for (size_t i = 0; i < sizeof(aom_good) / sizeof(aom_good[0]); i++) {
		fd = outer(AOM, 4, 4, aom_good[i], tmpl);
		ASSERT_GE(fd, 1, "array of maps flag accepted");
		bpfhost_close(fd);
	}
	for (size_t i = 0; i < sizeof(hom_good) / sizeof(hom_good[0]); i++) {
		fd = outer(HOM, 4, 4, hom_good[i], tmpl);
		ASSERT_GE(fd, 1, "hash of maps flag accepted");
		bpfhost_close(fd);
	}
	fd = outer(HOM, 8, 4, 0, tmpl);
	ASSERT_GE(fd, 1, "hash of maps with 8-byte keys");
	bpfhost_close(fd);
	bpfhost_close(tmpl);
	bpfhost_close(prog);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void templates(void)
{
	struct { uint32_t type, ks, vs, max; int want; const char *name; } t[] = {
		{ BPF_MAP_TYPE_HASH, 4, 4, 4, 0, "hash" },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0, "array" },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 4, 0, "percpu hash" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, 0, "percpu array" },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, "ringbuf" },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, -ENOTSUPP, "prog array" },
	};
	int tmpl = test_map(BPF_MAP_TYPE_HASH, "tmpl", 4, 4, 4, 0);
	int aom = outer(AOM, 4, 4, 0, tmpl), hom = outer(HOM, 4, 4, 0, tmpl);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int inner = test_map(t[i].type, "inner", t[i].ks, t[i].vs, t[i].max, 0);

		for (int k = 0; k < 2; k++) {
			int fd = outer(k ? HOM : AOM, 4, 4, 0, inner);

			if (t[i].want) {
				ASSERT_EQ(fd, t[i].want, t[i].name);
			} else {
				ASSERT_GE(fd, 1, t[i].name);
				bpfhost_close(fd);
			}
		}
		bpfhost_close(inner);
	}
	/* One level only, as Linux. */
	ASSERT_EQ(outer(AOM, 4, 4, 0, aom), -EINVAL, "array of maps as template");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "itself a map of maps", "message says why");
	ASSERT_EQ(outer(HOM, 4, 4, 0, aom), -EINVAL, "array of maps as template (hash)");
	ASSERT_EQ(outer(AOM, 4, 4, 0, hom), -EINVAL, "hash of maps as template");
	{
		const struct bh_inner_map_meta *m = bh_map_in_map_meta(map_of(aom));

		ASSERT_TRUE(m != NULL, "meta of an array of maps");
		ASSERT_EQ(m->map_type, BPF_MAP_TYPE_HASH, "template type");
		ASSERT_EQ(m->key_size, 4, "template key_size");
		ASSERT_EQ(m->max_entries, 4, "template max_entries");
		ASSERT_TRUE(bh_map_in_map_meta(map_of(hom)) != NULL, "meta of a hash of maps");
		ASSERT_TRUE(bh_map_in_map_meta(map_of(tmpl)) == NULL, "a hash has none");
	}
	/* The template need not outlive the outer map. */
	bpfhost_close(tmpl);
	tmpl = test_map(BPF_MAP_TYPE_HASH, "again", 4, 4, 100, 0);
	{
		uint32_t key = 0, value = (uint32_t)tmpl;

		ASSERT_OK(bpfhost_map_update_elem(aom, &key, &value, BPF_ANY), "template closed: still works");
	}
	bpfhost_close(tmpl);
	bpfhost_close(aom);
	bpfhost_close(hom);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/* map_meta_equal: type, sizes, flags; max_entries only for plain arrays without BPF_F_INNER_MAP. */
static void compatibility(void)
{
	int tmpl = test_map(BPF_MAP_TYPE_ARRAY, "tmpl", 4, 4, 4, 0);
	int aom = outer(AOM, 4, 4, 0, tmpl), hom = outer(HOM, 4, 4, 0, tmpl);
	int same = test_map(BPF_MAP_TYPE_ARRAY, "same", 4, 4, 4, 0);
	int bigger = test_map(BPF_MAP_TYPE_ARRAY, "bigger", 4, 4, 8, 0);
	int wide = test_map(BPF_MAP_TYPE_ARRAY, "wide", 4, 8, 4, 0);
	int ro = test_map(BPF_MAP_TYPE_ARRAY, "ro", 4, 4, 4, BPF_F_RDONLY_PROG);
	int hash = test_map(BPF_MAP_TYPE_HASH, "hash", 4, 4, 4, 0), prog = fake_prog();
	uint32_t key = 0, value;

	for (int k = 0; k < 2; k++) {
		int fd = k ? hom : aom;

		value = (uint32_t)same;
		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "same shape");
		value = (uint32_t)bigger;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "max_entries differs");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "max_entries", "message says what differs");
		value = (uint32_t)wide;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "value_size differs");
		value = (uint32_t)ro;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "map_flags differ");
		value = (uint32_t)hash;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "type differs");
		value = (uint32_t)aom;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "a map of maps");
		value = (uint32_t)prog;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "a program");
		value = 999;
		ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EBADF, "closed handle");
	}
	bpfhost_close(aom);
	bpfhost_close(hom);
	bpfhost_close(tmpl);

	/* BPF_F_INNER_MAP template: any max_entries (the inner maps carry the flag too). */
	tmpl = test_map(BPF_MAP_TYPE_ARRAY, "tmpl", 4, 4, 4, BPF_F_INNER_MAP);
	aom = outer(AOM, 4, 4, 0, tmpl);
	{
		int flexible = test_map(BPF_MAP_TYPE_ARRAY, "flex", 4, 4, 100, BPF_F_INNER_MAP);

		value = (uint32_t)flexible;
		ASSERT_OK(bpfhost_map_update_elem(aom, &key, &value, BPF_ANY), "BPF_F_INNER_MAP: size free");
		value = (uint32_t)bigger;
		ASSERT_EQ(bpfhost_map_update_elem(aom, &key, &value, BPF_ANY), -EINVAL, "flags still equal");
		bpfhost_close(flexible);
	}
	bpfhost_close(aom);
	bpfhost_close(tmpl);

	/* Other types never compare max_entries on Linux (percpu arrays included). */
	{
		static const struct { uint32_t type, ks, vs, small, big; } t[] = {
			{ BPF_MAP_TYPE_HASH, 4, 4, 4, 100 },
			{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, 8 },
			{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 8192 },
		};

		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			int small = test_map(t[i].type, "small", t[i].ks, t[i].vs, t[i].small, 0);
			int big = test_map(t[i].type, "big", t[i].ks, t[i].vs, t[i].big, 0);

			aom = outer(AOM, 4, 4, 0, small);
			value = (uint32_t)big;
			ASSERT_OK(bpfhost_map_update_elem(aom, &key, &value, BPF_ANY), "max_entries free");
			bpfhost_close(aom);
			bpfhost_close(small);
			bpfhost_close(big);
		}
	}
	bpfhost_close(same);
	bpfhost_close(bigger);
	bpfhost_close(wide);
	bpfhost_close(ro);
	bpfhost_close(hash);
	bpfhost_close(prog);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void array_of_maps_elements(void)
{
	int tmpl = test_map(BPF_MAP_TYPE_ARRAY, "tmpl", 4, 4, 4, 0);
	int fd = outer(AOM, 4, 4, 0, tmpl), a = test_map(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 4, 0);
	uint32_t key = 0, value = (uint32_t)a, out = 0, next, aid = map_id(a);
	uint32_t keys[4], values[4], count, token;

	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "empty slot");
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &key, &out), "lookup");
	ASSERT_EQ(out, aid, "lookup returns the inner map id");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_NOEXIST), -EINVAL, "NOEXIST");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_EXIST), -EINVAL, "EXIST");
	key = 4;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG, "index out of range");
	value = 999;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG, "index before handle");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "lookup out of range");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -E2BIG, "delete out of range");
	key = 1;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -ENOENT, "delete empty");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &key, &out), -ENOTSUPP, "lookup and delete");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	ASSERT_EQ(next, 0, "index keys");

	/* Generic batches: empty slots skipped, -ENOENT at the end. */
	key = 2;
	value = (uint32_t)a;
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "second slot");
	count = 4;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &token, keys, values, &count, NULL), -ENOENT,
		  "lookup batch to the end");
	ASSERT_EQ(count, 2, "two set slots");
	ASSERT_EQ(keys[0], 0, "first key");
	ASSERT_EQ(keys[1], 2, "second key");
	ASSERT_EQ(values[0], aid, "ids");
	ASSERT_EQ(values[1], aid, "ids 2");
	keys[0] = 3;
	values[0] = (uint32_t)a;
	count = 1;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "update batch");
	count = 1;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -ENOTSUPP, "delete batch");
	count = 4;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &token, keys, values, &count, NULL),
		  -ENOTSUPP, "lookup and delete batch");
	key = 0;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &key), "delete");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -ENOENT, "delete again");
	bpfhost_close(fd);
	bpfhost_close(a);
	bpfhost_close(tmpl);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void hash_of_maps_elements(void)
{
	int tmpl = test_map(BPF_MAP_TYPE_HASH, "tmpl", 4, 4, 4, 0);
	int fd = outer(HOM, 4, 4, 0, tmpl), a = test_map(BPF_MAP_TYPE_HASH, "a", 4, 4, 4, 0);
	int bad = test_map(BPF_MAP_TYPE_ARRAY, "bad", 4, 4, 4, 0);
	uint32_t key = 0, value = (uint32_t)a, out = 0, next, aid = map_id(a);
	uint32_t keys[8], values[8], count, token;

	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "missing");
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &key, &out), "lookup");
	ASSERT_EQ(out, aid, "lookup returns the inner map id");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_NOEXIST), -EEXIST, "NOEXIST");
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_EXIST), "EXIST replaces");
	key = 7;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_EXIST), -ENOENT, "EXIST on missing");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, 99), -EINVAL, "bad flags");
	value = 999;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, 99), -EBADF, "handle before flags");
	value = (uint32_t)bad;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, 99), -EINVAL, "template before flags");
	value = (uint32_t)a;
	for (key = 1; key < 4; key++)
		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "fill");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG, "full");
	key = 9;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -ENOENT, "delete missing");
	key = 1;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &key, &out), -ENOTSUPP, "lookup and delete");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	ASSERT_TRUE(next < 4, "a key");

	/* Bucket batches, u32 bucket tokens (4 entries, 4 buckets). */
	count = 8;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &token, keys, values, &count, NULL), -ENOENT,
		  "lookup batch to the end");
	ASSERT_EQ(count, 4, "all four");
	ASSERT_EQ(token, 4, "token is the bucket count");
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(values[i], aid, "ids");
	count = 0;
	ASSERT_OK(bpfhost_map_lookup_batch(fd, NULL, &token, keys, values, &count, NULL), "count 0");
	keys[0] = 1;
	count = 1;
	ASSERT_OK(bpfhost_map_delete_batch(fd, keys, &count, NULL), "delete batch");
	values[0] = (uint32_t)a;
	count = 1;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "update batch");
	count = 8;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &token, keys, values, &count, NULL),
		  -ENOENT, "lookup and delete batch");
	ASSERT_EQ(count, 4, "took all four");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &next), -ENOENT, "now empty");
	key = 0;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "gone");
	bpfhost_close(fd);
	bpfhost_close(a);
	bpfhost_close(bad);
	bpfhost_close(tmpl);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/* Replace, delete, batches and the outer map's free each drop their reference. */
static void references(void)
{
	for (int k = 0; k < 2; k++) {
		uint32_t type = k ? HOM : AOM;
		int tmpl = test_map(BPF_MAP_TYPE_HASH, "tmpl", 4, 4, 4, 0);
		int fd = outer(type, 4, 4, 0, tmpl);
		int a = test_map(BPF_MAP_TYPE_HASH, "a", 4, 4, 4, 0);
		int b = test_map(BPF_MAP_TYPE_HASH, "b", 4, 4, 4, 0);
		uint32_t aid = map_id(a), bid = map_id(b), key = 0, value = (uint32_t)a;

		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert a");
		bpfhost_close(a);
		bpfhost_synchronize();
		ASSERT_TRUE(id_alive(aid), "a held by the outer map");
		value = (uint32_t)b;
		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "replace a with b");
		bpfhost_synchronize();
		ASSERT_TRUE(!id_alive(aid), "replace dropped a");
		key = 1;
		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "b twice");
		ASSERT_OK(bpfhost_map_delete_elem(fd, &key), "delete one");
		bpfhost_close(b);
		bpfhost_synchronize();
		ASSERT_TRUE(id_alive(bid), "b still held once");
		/* Closing the outer map releases the inner maps. */
		bpfhost_close(fd);
		bpfhost_synchronize();
		ASSERT_EQ(bpfhost_map_get_fd_by_id(bid), -ENOENT, "outer closed: b gone");
		bpfhost_close(tmpl);
	}
	/* A lookup-and-delete batch drops what it took. */
	{
		int tmpl = test_map(BPF_MAP_TYPE_HASH, "tmpl", 4, 4, 4, 0);
		int fd = outer(HOM, 4, 4, 0, tmpl), a = test_map(BPF_MAP_TYPE_HASH, "a", 4, 4, 4, 0);
		uint32_t aid = map_id(a), key = 5, value = (uint32_t)a, keys[4], values[4], count = 4, token;

		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert");
		bpfhost_close(a);
		ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &token, keys, values, &count, NULL),
			  -ENOENT, "batch");
		ASSERT_EQ(values[0], aid, "id");
		bpfhost_synchronize();
		ASSERT_TRUE(!id_alive(aid), "batch dropped the inner map");
		bpfhost_close(fd);
		bpfhost_close(tmpl);
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/* The program side gets the inner struct bh_map *, valid until its epoch ends. */
static void program_lookup(void)
{
	for (int k = 0; k < 2; k++) {
		int tmpl = test_map(BPF_MAP_TYPE_ARRAY, "tmpl", 4, 8, 2, 0);
		int fd = outer(k ? HOM : AOM, 4, 2, 0, tmpl);
		int a = test_map(BPF_MAP_TYPE_ARRAY, "a", 4, 8, 2, 0);
		uint32_t aid = map_id(a), key = 1, empty = 0, far = 5, value = (uint32_t)a, ikey = 1;
		struct bh_map *outer_map = map_of(fd), *inner;
		uint64_t v = 77, *slot;

		ASSERT_OK(bpfhost_map_update_elem(a, &ikey, &v, BPF_ANY), "inner value");
		ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert");
		bpfhost_close(a);
		epoch_enter();
		inner = outer_map->ops->lookup_elem(outer_map, &key);
		ASSERT_TRUE(inner != NULL && inner->obj.id == aid, "the inner map itself");
		slot = inner->ops->lookup_elem(inner, &ikey);
		ASSERT_TRUE(slot != NULL && *slot == 77, "read through the inner map");
		ASSERT_TRUE(outer_map->ops->lookup_elem(outer_map, &empty) == NULL, "empty or missing");
		ASSERT_TRUE(outer_map->ops->lookup_elem(outer_map, &far) == NULL, "out of range or missing");
		ASSERT_EQ(outer_map->ops->update_elem(outer_map, &key, &inner, 0), -EOPNOTSUPP,
			  "programs cannot update");
		ASSERT_EQ(outer_map->ops->delete_elem(outer_map, &key), -EOPNOTSUPP, "programs cannot delete");
		/* Deleted under this reader: the inner map outlives its epoch. */
		ASSERT_OK(bpfhost_map_delete_elem(fd, &key), "delete");
		epoch_run_deferred();
		ASSERT_EQ(*slot, 77, "still valid inside the epoch");
		ASSERT_EQ(inner->obj.id, aid, "inner map intact");
		epoch_exit();
		bpfhost_synchronize();
		ASSERT_TRUE(!id_alive(aid), "released after the reader left");
		bpfhost_close(fd);
		bpfhost_close(tmpl);
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void alloc_failures(void)
{
	int tmpl = test_map(BPF_MAP_TYPE_HASH, "tmpl", 4, 4, 4, 0);

	for (int k = 0; k < 2; k++) {
		int fd = -ENOMEM, a;
		uint32_t aid, key = 3, value;

		for (unsigned long nth = 1; fd == -ENOMEM && nth < 10; nth++) {
			bpfhost_fault_inject_alloc(nth);
			fd = outer(k ? HOM : AOM, 4, 4, 0, tmpl);
			bpfhost_fault_inject_alloc(0);
			if (fd < 0)
				ASSERT_EQ(fd, -ENOMEM, "create fails with -ENOMEM");
		}
		ASSERT_GE(fd, 1, "create succeeds once allocations do");
		a = test_map(BPF_MAP_TYPE_HASH, "a", 4, 4, 4, 0);
		aid = map_id(a);
		value = (uint32_t)a;
		if (k) {
			/* A failed insert puts the reference it took. */
			bpfhost_fault_inject_alloc(1);
			ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -ENOMEM, "element alloc");
			bpfhost_fault_inject_alloc(0);
			ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &value), -ENOENT, "nothing inserted");
		}
		bpfhost_close(a);
		bpfhost_synchronize();
		ASSERT_TRUE(!id_alive(aid), "no reference leaked");
		bpfhost_close(fd);
	}
	bpfhost_close(tmpl);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(create_checks),
		TEST(templates),
		TEST(compatibility),
		TEST(array_of_maps_elements),
		TEST(hash_of_maps_elements),
		TEST(references),
		TEST(program_lookup),
		TEST(alloc_failures),
	};

	return test_run("map_in_map", cases, sizeof(cases) / sizeof(cases[0]));
}
