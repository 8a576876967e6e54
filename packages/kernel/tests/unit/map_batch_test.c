// SPDX-License-Identifier: MIT
/*
 * The batch commands with Linux's semantics. Hash maps: the token is a
 * bucket number, a bucket is returned whole or not at all, -ENOSPC when not
 * even the first bucket fits, -ENOENT with count set at the end. Arrays:
 * the token is the last key returned. Update and delete batches stop at the
 * first failing element and say in count how many went through. After every
 * error a sentinel map must still hold exactly what it held.
 */
#include "test.h"
#include "maps/map.h"	/* bh_hash: which bucket a key lands in (white-box) */

static int sentinel = -1;

static void sentinel_open(void)
{
	sentinel = test_map(BPF_MAP_TYPE_HASH, "sentinel", 4, 8, 8, 0);
	for (uint32_t k = 0; k < 3; k++) {
		uint64_t v = k * 100 + 7;

		ASSERT_OK(bpfhost_map_update_elem(sentinel, &k, &v, BPF_NOEXIST), "sentinel fill");
	}
}

static void sentinel_intact(const char *after)
{
	uint32_t keys[8], tok, count = 8;
	uint64_t values[8];
	char name[160];

	snprintf(name, sizeof(name), "sentinel intact after %s", after);
	ASSERT_EQ(bpfhost_map_lookup_batch(sentinel, NULL, &tok, keys, values, &count, NULL), -ENOENT,
		  name);
	ASSERT_EQ(count, 3, name);
	for (uint32_t i = 0; i < count && i < 8; i++)
		ASSERT_TRUE(keys[i] < 3 && values[i] == keys[i] * 100 + 7, name);
}

/* Bucket of a u32 key in a BPF_F_ZERO_SEED hash map of @n_buckets. */
static uint32_t bucket_of(uint32_t key, uint32_t n_buckets)
{
	return bh_hash(&key, 4, 0) & (n_buckets - 1);
}

/* The @n smallest keys >= @from that land in bucket @b. */
static void keys_in_bucket(uint32_t b, uint32_t n_buckets, uint32_t from, uint32_t *out, int n)
{
	for (uint32_t k = from; n > 0; k++)
		if (bucket_of(k, n_buckets) == b)
			*out++ = k, n--;
}

static void hash_to_the_end(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "b_hash", 4, 8, 16, 0);
	uint32_t keys[16], tok = 0, count, total = 0, seen = 0, k;
	uint64_t values[16], v;
	int err = 0, calls = 0, step = 3;

	for (k = 0; k < 10; k++) {
		v = k * 3;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "fill");
	}
	while (calls++ < 40) {
		count = (uint32_t)step;
		err = bpfhost_map_lookup_batch(fd, total ? &tok : NULL, &tok, keys + total,
					       values + total, &count, NULL);
		if (err == -ENOSPC) {
			ASSERT_EQ(count, 0, "-ENOSPC returns nothing");
			step *= 2;
			continue;
		}
		ASSERT_TRUE(err == 0 || err == -ENOENT, "0 or -ENOENT");
		ASSERT_TRUE(count <= (uint32_t)step, "count within the request");
		ASSERT_TRUE(tok <= 16, "token is a bucket number");
		total += count;
		if (err || total >= 16)
			break;
	}
	ASSERT_EQ(err, -ENOENT, "ends with -ENOENT");
	ASSERT_EQ(total, 10, "every element once");
	for (uint32_t i = 0; i < total && i < 16; i++) {
		ASSERT_TRUE(keys[i] < 10 && !(seen & (1u << keys[i])), "each key once");
		ASSERT_EQ(values[i], keys[i] * 3, "value of key");
		seen |= 1u << (keys[i] & 31);
	}
	/* Past the last bucket there is nothing more. */
	tok = 16;
	count = 4;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, &tok, &tok, keys, values, &count, NULL), -ENOENT,
		  "token past the end");
	bpfhost_close(fd);
}

static void hash_bucket_whole_or_enospc(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "b_bucket", 4, 8, 8, BPF_F_ZERO_SEED);
	uint32_t three[3], one[1], keys[8], tok, count, b = 2;
	uint64_t values[8], v = 1;

	/* Three keys in bucket 2, one in bucket 5: nothing elsewhere. */
	keys_in_bucket(b, 8, 0, three, 3);
	keys_in_bucket(5, 8, 0, one, 1);
	for (int i = 0; i < 3; i++)
		ASSERT_OK(bpfhost_map_update_elem(fd, &three[i], &v, BPF_NOEXIST), "fill bucket 2");
	ASSERT_OK(bpfhost_map_update_elem(fd, &one[0], &v, BPF_NOEXIST), "fill bucket 5");

	for (uint32_t c = 1; c < 3; c++) {
		count = c;
		tok = 77;
		ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, NULL), -ENOSPC,
			  "first bucket does not fit");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "b_bucket", "message names the map");
		ASSERT_EQ(count, 0, "-ENOSPC: count 0");
		sentinel_intact("-ENOSPC");
	}
	/* Exactly the bucket: returned whole, and the next bucket (1 key) does not fit. */
	count = 3;
	ASSERT_OK(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, NULL),
		  "a bucket that fits");
	ASSERT_EQ(count, 3, "the whole bucket");
	ASSERT_EQ(tok, 5, "token: the bucket that did not fit");
	count = 3;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, &tok, &tok, keys, values, &count, NULL), -ENOENT,
		  "the rest, to the end");
	ASSERT_EQ(count, 1, "count set with -ENOENT");
	ASSERT_EQ(keys[0], one[0], "the key of bucket 5");
	ASSERT_EQ(tok, 8, "token past the last bucket");
	/* A bucket that fits with room to spare: both buckets and the end in one call. */
	count = 8;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, NULL), -ENOENT,
		  "all at once");
	ASSERT_EQ(count, 4, "all four");
	bpfhost_close(fd);
}

static void hash_lookup_and_delete(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "b_lad", 4, 8, 8, 0);
	uint32_t keys[8], tok = 0, count, total = 0, k, next;
	uint64_t values[8], v;
	int err = 0;

	for (k = 0; k < 6; k++) {
		v = k + 100;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "fill");
	}
	for (int calls = 0; calls < 20 && total < 8; calls++) {
		count = 8 - total;
		err = bpfhost_map_lookup_and_delete_batch(fd, total ? &tok : NULL, &tok, keys + total,
							  values + total, &count, NULL);
		if (err && err != -ENOENT)
			break;
		total += count;
		if (err)
			break;
	}
	ASSERT_EQ(err, -ENOENT, "ends with -ENOENT");
	ASSERT_EQ(total, 6, "every element");
	for (uint32_t i = 0; i < total && i < 8; i++)
		ASSERT_EQ(values[i], keys[i] + 100, "value of key");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &next), -ENOENT, "map empty");
	sentinel_intact("lookup_and_delete_batch");
	bpfhost_close(fd);
}

static void hash_update_and_delete(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "b_upd", 4, 8, 4, 0);
	uint32_t keys[6] = { 10, 11, 12, 13, 14, 15 }, count, del[4] = { 10, 11, 99, 12 };
	uint64_t values[6] = { 1, 2, 3, 4, 5, 6 }, v;

	count = 2;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "two");
	ASSERT_EQ(count, 2, "count two");
	/* Full after four: the fifth stops the batch, the ones before stay. */
	count = 6;
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -E2BIG, "full");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "b_upd", "message names the map");
	ASSERT_EQ(count, 4, "count: the elements that went in");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &keys[3], &v), "fourth is in");
	ASSERT_EQ(v, 4, "fourth value");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &keys[4], &v), -ENOENT, "fifth is not");
	sentinel_intact("update_batch -E2BIG");

	count = 4;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, del, &count, NULL), -ENOENT, "missing key stops it");
	ASSERT_EQ(count, 2, "count: the keys deleted");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &del[0], &v), -ENOENT, "first deleted");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &del[1], &v), -ENOENT, "second deleted");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &del[3], &v), "after the missing key: kept");
	sentinel_intact("delete_batch -ENOENT");
	count = 0;
	ASSERT_OK(bpfhost_map_delete_batch(fd, del, &count, NULL), "count 0");
	bpfhost_close(fd);
}

static void hash_bad_flags(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "b_flags", 4, 8, 4, 0);
	BPFHOST_OPTS(bpfhost_map_batch_opts, lock, .elem_flags = BPF_F_LOCK);
	BPFHOST_OPTS(bpfhost_map_batch_opts, flags, .flags = 1);
	uint32_t keys[4] = { 1, 2 }, tok, count;
	uint64_t values[4] = { 0 };

	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, &lock), -EINVAL,
		  "lookup_batch BPF_F_LOCK");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "b_flags", "message names the map");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, &flags), -EINVAL,
		  "hash lookup_batch flags");
	count = 2;
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, &lock), -EINVAL,
		  "update_batch BPF_F_LOCK");
	count = 2;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, &lock), -EINVAL, "delete_batch BPF_F_LOCK");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &keys[0], &values[0]), -ENOENT, "nothing went in");
	sentinel_intact("bad batch flags");
	bpfhost_close(fd);
}

static void array_key_token(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "b_array", 4, 8, 5, 0);
	uint32_t keys[4], in, out, count;
	uint64_t values[4], v;

	for (uint32_t k = 0; k < 5; k++) {
		v = k * 10;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "fill");
	}
	count = 2;
	ASSERT_OK(bpfhost_map_lookup_batch(fd, NULL, &out, keys, values, &count, NULL), "first two");
	ASSERT_EQ(count, 2, "count");
	ASSERT_TRUE(keys[0] == 0 && keys[1] == 1 && values[1] == 10, "keys 0, 1");
	ASSERT_EQ(out, 1, "token: the last key returned");
	in = out;
	count = 2;
	ASSERT_OK(bpfhost_map_lookup_batch(fd, &in, &out, keys, values, &count, NULL), "next two");
	ASSERT_TRUE(count == 2 && keys[0] == 2 && keys[1] == 3 && values[1] == 30, "keys 2, 3");
	ASSERT_EQ(out, 3, "token");
	in = out;
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, &in, &out, keys, values, &count, NULL), -ENOENT,
		  "the last one, then the end");
	ASSERT_EQ(count, 1, "count set with -ENOENT");
	ASSERT_TRUE(keys[0] == 4 && values[0] == 40, "key 4");
	ASSERT_EQ(out, 4, "token");
	in = out;
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, &in, &out, keys, values, &count, NULL), -ENOENT,
		  "nothing after the last key");
	ASSERT_EQ(count, 0, "count 0");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &out, keys, values, &count, NULL), -524,
		  "arrays have no lookup_and_delete batch (-ENOTSUPP)");
	sentinel_intact("array batches");
	bpfhost_close(fd);
}

static void array_update_batch(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "b_arrupd", 4, 8, 3, 0);
	uint32_t keys[4] = { 0, 2, 3, 1 }, count = 4;
	uint64_t values[4] = { 5, 6, 7, 8 }, v;

	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -E2BIG,
		  "index 3 is out of range");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "b_arrupd", "message names the map");
	ASSERT_EQ(count, 2, "count: the elements written");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &keys[1], &v), "lookup");
	ASSERT_EQ(v, 6, "index 2 written");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &keys[3], &v), "lookup");
	ASSERT_EQ(v, 0, "index 1 (after the failure) not written");
	sentinel_intact("array update_batch -E2BIG");
	bpfhost_close(fd);
}

static void closed_handle(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "b_closed", 4, 8, 4, 0);
	uint32_t keys[2] = { 1, 2 }, tok, count = 2;
	uint64_t values[2] = { 0 };

	bpfhost_close(fd);
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, NULL), -EBADF,
		  "lookup_batch, closed");
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -EBADF, "update_batch, closed");
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -EBADF, "delete_batch, closed");
	sentinel_intact("closed handle");
}

static void no_leaks(void)
{
	bpfhost_close(sentinel);
	ASSERT_EQ(bpfhost_handle_count(), 0, "every handle closed");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(sentinel_open), TEST(hash_to_the_end), TEST(hash_bucket_whole_or_enospc),
		TEST(hash_lookup_and_delete), TEST(hash_update_and_delete), TEST(hash_bad_flags),
		TEST(array_key_token), TEST(array_update_batch), TEST(closed_handle), TEST(no_leaks),
	};
	return test_run("map_batch", cases, sizeof(cases) / sizeof(cases[0]));
}
