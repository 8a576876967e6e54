// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_PROG_ARRAY: create checks, update/lookup/delete errnos and
 * their order (observed on Linux 6.18), program references taken and
 * dropped, the owner program type, the release on the last user reference,
 * and bh_prog_array_get for the tail-call helper. The tests install
 * stand-in programs (a struct bh_prog with only its object and type set),
 * so destruction can be counted.
 */
#include "test.h"

#include "maps/prog_array.h"
#include "prog/prog.h"

struct fake_prog {
	struct bh_prog prog;
	int *destroyed;
};

static void fake_prog_destroy(struct bh_object *obj)
{
	struct fake_prog *p = container_of(obj, struct fake_prog, prog.obj);

	(*p->destroyed)++;
	free(p);
}

/* A program object of @type with an id and a handle, as BPF_PROG_LOAD makes. */
static int fake_prog_typed(int *destroyed, uint32_t *id, uint32_t type)
{
	struct fake_prog *p = calloc(1, sizeof(*p));
	int h;

	p->destroyed = destroyed;
	p->prog.type = type;
	bh_object_init(&p->prog.obj, BH_OBJ_PROG, fake_prog_destroy);
	ASSERT_OK(bh_id_publish(&p->prog.obj), "prog id");
	*id = p->prog.obj.id;
	h = bh_handle_install(&p->prog.obj);
	ASSERT_GE(h, 1, "prog handle");
	return h;
}

static int fake_prog(int *destroyed, uint32_t *id)
{
	return fake_prog_typed(destroyed, id, BPF_PROG_TYPE_SOCKET_FILTER);
}

/* Linux: the first program sets the array's owner type; others must match. */
static void owner_type(void)
{
	int destroyed = 0, fd = test_map(BPF_MAP_TYPE_PROG_ARRAY, "own", 4, 4, 4, 0);
	uint32_t id, k0 = 0, k1 = 1;
	int p1 = fake_prog_typed(&destroyed, &id, BPF_PROG_TYPE_SOCKET_FILTER);
	int p2 = fake_prog_typed(&destroyed, &id, BPF_PROG_TYPE_XDP);

	ASSERT_OK(bpfhost_map_update_elem(fd, &k0, &p1, BPF_ANY), "first program sets the owner type");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k1, &p2, BPF_ANY), -EINVAL, "another type is refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "holds programs of type 1, not 6", "message");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k0), "emptied");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k1, &p2, BPF_ANY), -EINVAL, "the owner type stays");
	bpfhost_close(p1);
	bpfhost_close(p2);
	bpfhost_close(fd);
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 2, "both freed");
}

/*
 * The last user reference (handle or pin) empties the array, as Linux's
 * usercnt does: a program in the array that references the array would
 * otherwise keep both alive forever.
 */
static void release_on_last_user(void)
{
	int destroyed = 0, fd = test_map(BPF_MAP_TYPE_PROG_ARRAY, "rel", 4, 4, 4, 0);
	uint32_t id, k0 = 0;
	int p = fake_prog(&destroyed, &id), again;

	ASSERT_OK(bpfhost_map_update_elem(fd, &k0, &p, BPF_ANY), "store");
	bpfhost_close(p);
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 0, "the array holds the program");
	ASSERT_OK(bpfhost_obj_pin(fd, "/rel"), "pin");
	bpfhost_close(fd);
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 0, "a pin is a user: still held");
	again = bpfhost_obj_get("/rel");
	ASSERT_GE(again, 0, "get");
	ASSERT_OK(bpfhost_obj_unpin("/rel"), "unpin (a handle is still open)");
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 0, "the handle is a user: still held");
	bpfhost_close(again);
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 1, "last user gone: the array let the program go");
}

static int prog_array(uint32_t max)
{
	return test_map(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, max, 0);
}

static void create_checks(void)
{
	static const uint32_t bad_flags[] = { BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_INNER_MAP, BPF_F_PRESERVE_ELEMS,
		BPF_F_RDONLY | BPF_F_WRONLY };
	static const uint32_t good_flags[] = { BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY };

	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 8, 4, NULL), -EINVAL, "value 8");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "value_size 4", "message says why");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 8, 4, 4, NULL), -EINVAL, "key 8");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 0, NULL), -EINVAL, "max 0");
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = bad_flags[i]);

		ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 4, &opts), -EINVAL,
			  "flag refused");
	}
	for (size_t i = 0; i < sizeof(good_flags) / sizeof(good_flags[0]); i++)
		bpfhost_close(test_map(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 4, good_flags[i]));
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void update_lookup_delete(void)
{
	int fd = prog_array(4), destroyed = 0, other = test_map(BPF_MAP_TYPE_HASH, "h", 4, 4, 1, 0);
	uint32_t id, key = 0, value, out = 0, next;
	int prog = fake_prog(&destroyed, &id);

	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "empty slot");
	value = (uint32_t)other;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EINVAL, "a map is not a program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a program", "message says why");
	value = 999;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EBADF, "closed handle");
	value = (uint32_t)prog;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_NOEXIST), -EINVAL, "NOEXIST");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_EXIST), -EINVAL, "EXIST");
	key = 4;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG, "index out of range");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_NOEXIST), -EINVAL, "flags before index");
	value = 999;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG, "index before handle");

	key = 0;
	value = (uint32_t)prog;
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &key, &out), "lookup");
	ASSERT_EQ(out, id, "lookup returns the program id");
	key = 2;
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "same program twice");
	key = 9;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "lookup out of range");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -E2BIG, "delete out of range");
	key = 1;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -ENOENT, "delete empty");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	ASSERT_EQ(next, 0, "keys are indexes");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &key, &out), -ENOTSUPP, "lookup and delete");

	/* The array holds its own references: closing the handle keeps the program. */
	ASSERT_OK(bpfhost_close(prog), "close program handle");
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 0, "referenced by the array");
	key = 0;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &key), "delete clears");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &key, &out), -ENOENT, "cleared");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &key), -ENOENT, "delete again");
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 0, "slot 2 still holds it");
	key = 2;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &key), "delete the last reference");
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 1, "program released");
	bpfhost_close(fd);
	bpfhost_close(other);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void batches_refused(void)
{
	int fd = prog_array(4);
	uint32_t keys[4] = { 0 }, values[4] = { 0 }, count = 4, out;

	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &out, keys, values, &count, NULL), -ENOTSUPP,
		  "lookup batch");
	count = 1;
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -ENOTSUPP, "update batch");
	count = 1;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -ENOTSUPP, "delete batch");
	count = 4;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &out, keys, values, &count, NULL),
		  -ENOTSUPP, "lookup and delete batch");
	bpfhost_close(fd);
}

static void replace_and_get(void)
{
	int fd = prog_array(2), d1 = 0, d2 = 0;
	uint32_t id1, id2, key = 1, value;
	int p1 = fake_prog(&d1, &id1), p2 = fake_prog(&d2, &id2);
	struct bh_map *map;
	struct bh_object *seen;

	value = (uint32_t)p1;
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "insert p1");
	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	ASSERT_TRUE(bh_prog_array_get(map, 0) == NULL, "empty slot");
	ASSERT_TRUE(bh_prog_array_get(map, 2) == NULL, "out of range");
	seen = bh_prog_array_get(map, 1);
	ASSERT_TRUE(seen != NULL && seen->id == id1, "p1 in slot 1");
	ASSERT_EQ(seen->kind, BH_OBJ_PROG, "a program");
	epoch_exit();

	/* Replace while a reader holds p1 under epoch: p1 lives until it leaves. */
	bpfhost_close(p1);
	epoch_enter();
	seen = bh_prog_array_get(map, 1);
	value = (uint32_t)p2;
	ASSERT_OK(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), "replace with p2");
	epoch_run_deferred();
	ASSERT_EQ(d1, 0, "not destroyed under the reader");
	ASSERT_EQ(seen->id, id1, "still readable");
	ASSERT_TRUE(bh_prog_array_get(map, 1)->id == id2, "new readers see p2");
	epoch_exit();
	bpfhost_synchronize();
	ASSERT_EQ(d1, 1, "p1 released after the reader left");

	/* Not a prog array: nothing. */
	{
		int arr = test_map(BPF_MAP_TYPE_ARRAY, "arr", 4, 8, 2, 0);

		epoch_enter();
		ASSERT_TRUE(bh_prog_array_get(bh_map_from_handle(arr, "test"), 0) == NULL, "not a prog array");
		epoch_exit();
		bpfhost_close(arr);
	}
	/* Programs cannot read or write a prog array as data. */
	epoch_enter();
	ASSERT_TRUE(map->ops->lookup_elem(map, &key) == NULL, "program lookup");
	ASSERT_EQ(map->ops->update_elem(map, &key, &value, 0), -EOPNOTSUPP, "program update");
	ASSERT_EQ(map->ops->delete_elem(map, &key), -EOPNOTSUPP, "program delete");
	epoch_exit();

	/* Freeing the array releases what it holds. */
	bpfhost_close(p2);
	bpfhost_synchronize();
	ASSERT_EQ(d2, 0, "held by the array");
	bpfhost_close(fd);
	bpfhost_synchronize();
	ASSERT_EQ(d2, 1, "released with the array");
	ASSERT_EQ(bpfhost_map_get_fd_by_id(id2), -ENOENT, "id gone");
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void readonly_and_frozen(void)
{
	int fd = test_map(BPF_MAP_TYPE_PROG_ARRAY, "ro", 4, 4, 2, BPF_F_RDONLY), destroyed = 0;
	uint32_t id, key = 0, value;
	int prog = fake_prog(&destroyed, &id);

	value = (uint32_t)prog;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EPERM, "BPF_F_RDONLY");
	bpfhost_close(fd);
	fd = prog_array(2);
	ASSERT_OK(bpfhost_map_freeze(fd), "freeze");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -EPERM, "frozen");
	bpfhost_close(fd);
	bpfhost_close(prog);
	bpfhost_synchronize();
	ASSERT_EQ(destroyed, 1, "program freed");
}

static void alloc_failures(void)
{
	for (unsigned long nth = 1; nth <= 2; nth++) {
		bpfhost_fault_inject_alloc(nth);
		ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 8, NULL), -ENOMEM,
			  "allocation failure");
		bpfhost_fault_inject_alloc(0);
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(create_checks),
		TEST(owner_type),
		TEST(release_on_last_user),
		TEST(update_lookup_delete),
		TEST(batches_refused),
		TEST(replace_and_get),
		TEST(readonly_and_frozen),
		TEST(alloc_failures),
	};

	return test_run("prog_array", cases, sizeof(cases) / sizeof(cases[0]));
}
