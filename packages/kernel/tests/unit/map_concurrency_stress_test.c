// SPDX-License-Identifier: MIT
/*
 * Stress: worker threads update, look up, delete and batch on a shared HASH
 * and a shared ARRAY while another thread creates, uses and closes maps of
 * its own. Each worker owns a slice of the keys (its results are exact and
 * checked against its own model at the end) and all share another slice of
 * the hash (only whole values may ever be read back there: a value carries
 * a check word). At the end the maps hold exactly what the models say, iteration
 * sees each key once, and no handle is left. Run under ASan and TSan.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "test.h"

#define WORKERS 3
#define ITERS 200000
#define OWN 24			/* keys each worker owns */
#define SHARED 16		/* keys every worker writes */
#define HASH_MAX (WORKERS * OWN + SHARED)
#define ARRAY_MAX (WORKERS * OWN + SHARED)

/* A value that says whether it was read whole. */
struct val {
	uint32_t key, writer, seq, check;
};

static int hash_fd, array_fd;
static atomic_bool churn_stop;
static atomic_long churn_cycles;

struct worker {
	pthread_t thread;
	uint32_t id, seed;
	/* The model of the keys this worker owns: present and the last value. */
	bool present[OWN];
	struct val last[OWN];
	struct val arr[OWN];
	long errors;
	char first_error[200];
};

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static struct val make_val(uint32_t key, uint32_t writer, uint32_t seq)
{
	struct val v = { key, writer, seq, key * 2654435761u ^ writer * 40503u ^ seq };

	return v;
}

static bool val_whole(const struct val *v, uint32_t key)
{
	return v->key == key && v->check == (key * 2654435761u ^ v->writer * 40503u ^ v->seq);
}

static void fail(struct worker *w, const char *what, int ret)
{
	if (!w->errors++)
		snprintf(w->first_error, sizeof(w->first_error), "%s: %d (%s)", what, ret,
			 bpfhost_last_error());
}

/* Owned keys: exact results. */
static void owned_op(struct worker *w, uint32_t r, uint32_t seq)
{
	uint32_t i = (r >> 8) % OWN, key = w->id * OWN + i;
	struct val v = make_val(key, w->id, seq), out;
	int ret;

	switch (r % 6) {
	case 0:
		ret = bpfhost_map_update_elem(hash_fd, &key, &v, BPF_NOEXIST);
		if (ret != (w->present[i] ? -EEXIST : 0))
			fail(w, "hash NOEXIST on an owned key", ret);
		if (!ret) {
			w->present[i] = true;
			w->last[i] = v;
		}
		break;
	case 1:
		ret = bpfhost_map_update_elem(hash_fd, &key, &v, BPF_EXIST);
		if (ret != (w->present[i] ? 0 : -ENOENT))
			fail(w, "hash EXIST on an owned key", ret);
		if (!ret)
			w->last[i] = v;
		break;
	case 2:
		ret = bpfhost_map_lookup_elem(hash_fd, &key, &out);
		if (ret != (w->present[i] ? 0 : -ENOENT) || (!ret && memcmp(&out, &w->last[i], sizeof(out))))
			fail(w, "hash lookup of an owned key", ret);
		break;
	case 3:
		ret = bpfhost_map_delete_elem(hash_fd, &key);
		if (ret != (w->present[i] ? 0 : -ENOENT))
			fail(w, "hash delete of an owned key", ret);
		w->present[i] = false;
		break;
	case 4:
		ret = bpfhost_map_update_elem(array_fd, &key, &v, BPF_ANY);
		if (ret)
			fail(w, "array update of an owned index", ret);
		w->arr[i] = v;
		break;
	default:
		ret = bpfhost_map_lookup_elem(array_fd, &key, &out);
		if (ret || memcmp(&out, &w->arr[i], sizeof(out)))
			fail(w, "array lookup of an owned index", ret);
		break;
	}
}

/* Shared keys: any outcome Linux allows, and hash values read whole. */
static void shared_op(struct worker *w, uint32_t r, uint32_t seq)
{
	uint32_t key = WORKERS * OWN + (r >> 8) % SHARED, keys[4], count = 4, tok;
	struct val v = make_val(key, w->id, seq), out, vals[4];
	int ret;

	switch (r % 7) {
	case 0:
		ret = bpfhost_map_update_elem(hash_fd, &key, &v, (r >> 16) % 3);
		if (ret && ret != -EEXIST && ret != -ENOENT)
			fail(w, "hash update of a shared key", ret);
		break;
	case 1:
		ret = bpfhost_map_lookup_elem(hash_fd, &key, &out);
		if ((ret && ret != -ENOENT) || (!ret && !val_whole(&out, key)))
			fail(w, "hash lookup of a shared key (whole value)", ret);
		break;
	case 2:
		ret = bpfhost_map_delete_elem(hash_fd, &key);
		if (ret && ret != -ENOENT)
			fail(w, "hash delete of a shared key", ret);
		break;
	case 3:
		ret = bpfhost_map_lookup_and_delete_elem(hash_fd, &key, &out);
		if ((ret && ret != -ENOENT) || (!ret && !val_whole(&out, key)))
			fail(w, "hash lookup_and_delete of a shared key", ret);
		break;
	case 4:
		/*
		 * Array values are copied in place (as Linux), so two threads on
		 * one index race in C terms and TSan stops: workers write only
		 * their own indexes, and here read a shared one nobody writes.
		 */
		ret = bpfhost_map_lookup_elem(array_fd, &key, &out);
		if (ret || out.key || out.check)
			fail(w, "array lookup of an index nobody writes", ret);
		break;
	case 5: {
		uint32_t k2 = WORKERS * OWN + (r >> 20) % SHARED;

		keys[0] = key;
		keys[1] = k2;
		vals[0] = v;
		vals[1] = make_val(k2, w->id, seq);
		count = 2;
		ret = bpfhost_map_update_batch(hash_fd, keys, vals, &count, NULL);
		if (ret || count != 2)
			fail(w, "hash update_batch of shared keys", ret);
		break;
	}
	default:
		/* A lookup batch racing with writers: whatever it returns is whole. */
		ret = bpfhost_map_lookup_batch(hash_fd, NULL, &tok, keys, vals, &count, NULL);
		if (ret && ret != -ENOENT && ret != -ENOSPC)
			fail(w, "hash lookup_batch while others write", ret);
		for (uint32_t j = 0; !ret && j < count && j < 4; j++)
			if (!val_whole(&vals[j], keys[j]))
				fail(w, "hash lookup_batch value (whole value)", (int)keys[j]);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (uint32_t n = 0; n < ITERS; n++) {
		uint32_t r = next_rand(&w->seed);

		if (r & 0x10000)
			owned_op(w, r, n);
		else
			shared_op(w, r, n);
	}
	return NULL;
}

/* Creates, uses and closes maps of its own while the workers run. */
static void *churn_main(void *arg)
{
	long *errors = arg;

	while (!atomic_load(&churn_stop)) {
		BPFHOST_OPTS(bpfhost_map_create_opts, opts);
		int h = bpfhost_map_create(BPF_MAP_TYPE_HASH, "churn_h", 4, 8, 8, &opts);
		int a = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "churn_a", 4, 8, 4, &opts);
		uint32_t k = 3;
		uint64_t v = 33, out = 0;

		if (h < 1 || a < 1) {
			(*errors)++;
			break;
		}
		if (bpfhost_map_update_elem(h, &k, &v, BPF_NOEXIST) ||
		    bpfhost_map_lookup_elem(h, &k, &out) || out != 33 ||
		    bpfhost_map_update_elem(a, &k, &v, BPF_ANY))
			(*errors)++;
		if (bpfhost_close(h) || bpfhost_close(a))
			(*errors)++;
		/* Only this thread makes handles while the workers run: no reuse yet. */
		if (bpfhost_map_lookup_elem(h, &k, &out) != -EBADF)
			(*errors)++;
		atomic_fetch_add(&churn_cycles, 1);
	}
	return NULL;
}

static void run(void)
{
	static struct worker w[WORKERS];
	pthread_t churn;
	long churn_errors = 0;
	uint32_t key, next, seen[HASH_MAX] = { 0 }, n = 0;
	struct val out;
	int err;

	hash_fd = test_map(BPF_MAP_TYPE_HASH, "stress_h", 4, sizeof(struct val), HASH_MAX, 0);
	array_fd = test_map(BPF_MAP_TYPE_ARRAY, "stress_a", 4, sizeof(struct val), ARRAY_MAX, 0);
	for (uint32_t i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].seed = 0x9e3779b9u * (i + 1);
	}
	ASSERT_OK(pthread_create(&churn, NULL, churn_main, &churn_errors), "start the churn thread");
	for (uint32_t i = 0; i < WORKERS; i++)
		ASSERT_OK(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), "start a worker");
	for (uint32_t i = 0; i < WORKERS; i++)
		pthread_join(w[i].thread, NULL);
	atomic_store(&churn_stop, true);
	pthread_join(churn, NULL);

	for (uint32_t i = 0; i < WORKERS; i++) {
		if (w[i].errors)
			fprintf(stderr, "worker %u: %ld errors, first: %s\n", i, w[i].errors, w[i].first_error);
		ASSERT_EQ(w[i].errors, 0, "worker saw only what Linux allows");
	}
	ASSERT_EQ(churn_errors, 0, "maps created and closed meanwhile worked");
	ASSERT_GE(atomic_load(&churn_cycles), 1, "the churn thread ran");

	/* Owned keys: exactly the models. */
	for (uint32_t i = 0; i < WORKERS; i++) {
		for (uint32_t j = 0; j < OWN; j++) {
			key = i * OWN + j;
			err = bpfhost_map_lookup_elem(hash_fd, &key, &out);
			ASSERT_EQ(err, w[i].present[j] ? 0 : -ENOENT, "owned hash key as modelled");
			if (!err)
				ASSERT_TRUE(!memcmp(&out, &w[i].last[j], sizeof(out)), "owned hash value");
			ASSERT_OK(bpfhost_map_lookup_elem(array_fd, &key, &out), "owned array index");
			ASSERT_TRUE(!memcmp(&out, &w[i].arr[j], sizeof(out)), "owned array value");
		}
	}
	/* Iteration: each key once, shared values whole. */
	for (err = bpfhost_map_get_next_key(hash_fd, NULL, &next); !err && n <= HASH_MAX;
	     err = bpfhost_map_get_next_key(hash_fd, &key, &next), n++) {
		key = next;
		ASSERT_TRUE(key < HASH_MAX && !seen[key]++, "each key once");
		ASSERT_OK(bpfhost_map_lookup_elem(hash_fd, &key, &out), "iterated key found");
		if (key >= WORKERS * OWN)
			ASSERT_TRUE(val_whole(&out, key), "shared value whole");
	}
	ASSERT_EQ(err, -ENOENT, "iteration ends");
	ASSERT_TRUE(n <= HASH_MAX, "no more keys than max_entries");
	bpfhost_close(hash_fd);
	bpfhost_close(array_fd);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle left");
}

int main(void)
{
	static const struct test_case cases[] = { TEST(run) };

	return test_run("map_concurrency_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
