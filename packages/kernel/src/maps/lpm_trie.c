// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_LPM_TRIE: longest-prefix-match on keys of struct
 * bpf_lpm_trie_key (u32 prefixlen, then 1..256 bytes of big-endian data).
 *
 * The store is a path-compressed binary trie. Each node holds one prefix;
 * a node's children extend it by at least one bit, child[b] where b is the
 * first bit past the node's prefix. Two prefixes that diverge below every
 * stored prefix meet at an "intermediate" node that holds no value. The
 * shape is canonical (it depends only on the set of stored prefixes): an
 * intermediate node exists exactly where two branches split, which keeps
 * get_next_key's post-order identical to Linux's.
 *
 * Concurrency: readers (lookups, get_next_key) walk the trie under epoch
 * with acquire loads and take no lock. Writers serialise on one spin lock
 * and never change a published node's prefix, data or value: they publish
 * new nodes with release stores and retire replaced ones with epoch_free,
 * so a value pointer a program got stays valid (with its old contents)
 * until the program's epoch ends. The one in-place change is marking a
 * deleted node that still has two children intermediate (an atomic flag).
 *
 * Memory is never preallocated (BPF_F_NO_PREALLOC is mandatory, as Linux):
 * nodes are allocated on update and max_entries bounds the stored prefixes
 * (-ENOSPC when full).
 *
 * Layout: nodes come from the trie's node store (lpm_nodes.h), in two
 * sizes: intermediate nodes carry no value. Children are 32-bit indices
 * into the store's one region, and the prefix length and the flags share
 * one word, so an intermediate IPv4 node is 16 bytes and a real one with a
 * u64 value 24 (a 32-byte slot): no node straddles a cache line, nothing
 * sits in front of a node, and a big trie's region is on huge pages.
 */
#include "map.h"
#include "lpm_nodes.h"

#define LPM_DATA_MIN 1U
#define LPM_DATA_MAX 256U
#define LPM_KEY_MIN (sizeof(struct bpf_lpm_trie_key) + LPM_DATA_MIN)
#define LPM_KEY_MAX (sizeof(struct bpf_lpm_trie_key) + LPM_DATA_MAX)
/* Linux's bound: KMALLOC_MAX_SIZE (4 MiB) less the largest data and its node header. */
#define LPM_VALUE_MAX ((4U << 20) - LPM_DATA_MAX - 24U)

#define LPM_FLAGS (BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | \
		   BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

/* Bits of lpm_node.word above the prefix length (at most 2048). */
#define LPM_PLEN_MASK 0xffffU
/* A branch point only, holds no value and is never returned (may be set in place). */
#define LPM_NODE_IM (1U << 31)
/* Allocated from the small class (no value): fixed for the node's life. */
#define LPM_NODE_SMALL (1U << 30)

/* The store classes. */
#define CLS_REAL 0U
#define CLS_IM 1U

struct lpm_node {
	_Atomic uint32_t child[2];	/* store indices, 0 for none */
	atomic_uint word;	/* prefixlen | LPM_NODE_IM | LPM_NODE_SMALL */
	/* data_size bytes of key data (at offset 12), then the value at value_off. */
	uint8_t data[];
};

#define LPM_DATA_OFF offsetof(struct lpm_node, data)

struct lpm_trie {
	struct bh_map map;
	char *base;			/* the node store's region: node i at base + 8 * i */
	_Atomic uint32_t root;		/* index of the root node, 0 when empty */
	struct plat_spinlock lock;	/* writers; also the store's owner lock */
	uint32_t data_size;		/* key_size - 4 */
	uint32_t value_off;		/* the value's offset in a node (8-aligned) */
	uint32_t max_prefixlen;		/* data_size * 8 */
	uint32_t cls_im;		/* the store class of intermediate nodes */
	atomic_uint n_entries;		/* stored prefixes (intermediate nodes excluded) */
	struct lpm_nodes *nodes;
};

static inline struct lpm_trie *trie_of(struct bh_map *map)
{
	return container_of(map, struct lpm_trie, map);
}

/* Node @idx (not 0): the base is fixed for the trie's life, so this is one add. */
static inline struct lpm_node *node_at(const struct lpm_trie *t, uint32_t idx)
{
	return (struct lpm_node *)(t->base + (size_t)idx * LPM_NODES_UNIT);
}

static inline void *node_value(const struct lpm_trie *t, struct lpm_node *n)
{
	return (char *)n + t->value_off;
}

/* The prefix length never changes once a node is published. */
static inline uint32_t node_plen(struct lpm_node *n)
{
	return atomic_load_explicit(&n->word, memory_order_relaxed) & LPM_PLEN_MASK;
}

static inline uint32_t load_child(struct lpm_node *n, unsigned int b)
{
	return atomic_load_explicit(&n->child[b], memory_order_acquire);
}

static inline bool node_is_im(struct lpm_node *n)
{
	return atomic_load_explicit(&n->word, memory_order_acquire) & LPM_NODE_IM;
}

/* Bit @i of big-endian @data (bit 0 is the top bit of data[0]). */
static inline unsigned int data_bit(const uint8_t *data, uint32_t i)
{
	return (data[i >> 3] >> (7 - (i & 7))) & 1;
}

/* How many leading bits @a and @b share, at most @limit (reads ceil(limit/8) bytes). */
static uint32_t common_bits(const uint8_t *a, const uint8_t *b, uint32_t limit)
{
	uint32_t n = 0;

	while (n + 64 <= limit) {
		uint64_t x, y;

		__builtin_memcpy(&x, a + n / 8, 8);
		__builtin_memcpy(&y, b + n / 8, 8);
		x ^= y;
		if (x) {
			n += (uint32_t)__builtin_clzll(__builtin_bswap64(x));
			return n < limit ? n : limit;
		}
		n += 64;
	}
	while (n < limit) {
		unsigned int x = a[n / 8] ^ b[n / 8];

		if (x) {
			n += (uint32_t)__builtin_clz(x) - 24;
			return n < limit ? n : limit;
		}
		n += 8;
	}
	return limit;
}

/*
 * A key (struct bpf_lpm_trie_key: u32 prefixlen, then the data) comes from
 * a program or user space at any address: never through a struct pointer.
 */
static inline uint32_t key_prefixlen(const void *key)
{
	return bh_load_u32(key);
}

static inline const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + sizeof(uint32_t);
}

/* Bits of the key (@plen, @data) that @n's prefix covers and matches (0..n->prefixlen). */
static inline uint32_t node_match(struct lpm_node *n, uint32_t plen, const uint8_t *data)
{
	uint32_t np = node_plen(n);

	return common_bits(n->data, data, np < plen ? np : plen);
}

/*
 * Do the first @np bits of @a and @b agree? A word compare when they fit
 * one (IPv4 keys: every node on a walk), else common_bits.
 */
static inline bool prefix_eq(const uint8_t *a, const uint8_t *b, uint32_t np, uint32_t data_size)
{
	if (np <= 32 && data_size >= 4) {
		uint32_t x, y;

		__builtin_memcpy(&x, a, 4);
		__builtin_memcpy(&y, b, 4);
		x = __builtin_bswap32(x ^ y);
		return np == 0 || (x >> (32 - np)) == 0;
	}
	if (np <= 64 && data_size >= 8) {
		uint64_t x, y;

		__builtin_memcpy(&x, a, 8);
		__builtin_memcpy(&y, b, 8);
		x = __builtin_bswap64(x ^ y);
		return np == 0 || (x >> (64 - np)) == 0;
	}
	return common_bits(a, b, np) >= np;
}

/*
 * The longest stored prefix that covers @key's first prefixlen bits.
 * Called under epoch, lock-free; may run from a program.
 */
static struct lpm_node *longest_match(struct lpm_trie *t, const void *key)
{
	uint32_t i = atomic_load_explicit(&t->root, memory_order_acquire);
	uint32_t plen = key_prefixlen(key), ds = t->data_size;
	const uint8_t *data = key_data(key);
	struct lpm_node *best = NULL;

	if (unlikely(plen > t->max_prefixlen))
		return NULL;
	while (i) {
		struct lpm_node *n = node_at(t, i);
		uint32_t w = atomic_load_explicit(&n->word, memory_order_acquire);
		uint32_t np = w & LPM_PLEN_MASK;

		if (np > plen || !prefix_eq(n->data, data, np, ds))
			break;
		if (!(w & LPM_NODE_IM))
			best = n;
		if (np == plen)
			break;
		i = load_child(n, data_bit(data, np));
	}
	return best;
}

/* A node from the store, children 0 (lock held); 0 when out of memory. */
static uint32_t node_new(struct lpm_trie *t, unsigned int cls, uint32_t word, const void *data)
{
	uint32_t i = lpm_nodes_alloc(t->nodes, cls);
	struct lpm_node *n;

	if (!i)
		return 0;
	n = node_at(t, i);
	atomic_init(&n->child[0], 0);
	atomic_init(&n->child[1], 0);
	atomic_init(&n->word, word | (cls == CLS_REAL ? 0 : LPM_NODE_SMALL));
	plat_memcpy(n->data, data, t->data_size);
	return i;
}

static unsigned int node_cls(struct lpm_trie *t, uint32_t i)
{
	bool small = atomic_load_explicit(&node_at(t, i)->word, memory_order_relaxed) & LPM_NODE_SMALL;

	return small ? t->cls_im : CLS_REAL;
}

/* Back to the store once no reader can see it (lock held). */
static void node_retire(struct lpm_trie *t, uint32_t i)
{
	lpm_nodes_retire(t->nodes, i, node_cls(t, i));
}

/* A real node holding @value (lock held). */
static uint32_t real_new(struct lpm_trie *t, uint32_t prefixlen, const void *data, const void *value)
{
	uint32_t i = node_new(t, CLS_REAL, prefixlen, data);

	if (i)
		plat_memcpy(node_value(t, node_at(t, i)), value, t->map.value_size);
	return i;
}

/* Counts a new prefix in (lock held): -ENOENT for BPF_EXIST, -ENOSPC when full. */
static int add_prefix_locked(struct lpm_trie *t, uint64_t flags)
{
	if (flags == BPF_EXIST)
		return bh_map_err(-ENOENT, &t->map, "no such prefix (BPF_EXIST)");
	if (atomic_load_explicit(&t->n_entries, memory_order_relaxed) >= t->map.max_entries)
		return bh_map_err(-ENOSPC, &t->map, "trie is full (max_entries prefixes stored)");
	atomic_fetch_add_explicit(&t->n_entries, 1, memory_order_relaxed);
	return 0;
}

static int check_prefixlen(struct lpm_trie *t, uint32_t plen)
{
	if (unlikely(plen > t->max_prefixlen))
		return bh_err(-EINVAL, "map '%s': prefixlen %u is over the %u bits of the key's data",
			      t->map.name, plen, t->max_prefixlen);
	return 0;
}

/*
 * Exact-prefix insert or replace: a replaced node goes back to the store
 * after a grace period. Called under epoch; may run from a program (the
 * lock is a spin lock held for a short walk and a node copy).
 */
static int trie_update(struct lpm_trie *t, const void *key, const void *value, uint64_t flags)
{
	_Atomic uint32_t *slot = &t->root;
	struct lpm_node *n = NULL;
	uint32_t plen = key_prefixlen(key), m = 0, i, ni, im, old = 0;
	const uint8_t *data = key_data(key);
	int err;

	if (unlikely(flags > BPF_EXIST))
		return bh_map_err(-EINVAL, &t->map, "update flags other than BPF_ANY/NOEXIST/EXIST");
	err = check_prefixlen(t, plen);
	if (err)
		return err;

	plat_spin_lock(&t->lock);
	/* Descend while the node is a proper prefix of the key. */
	while ((i = atomic_load_explicit(slot, memory_order_relaxed)) != 0) {
		n = node_at(t, i);
		m = node_match(n, plen, data);
		if (m != node_plen(n) || node_plen(n) == plen)
			break;
		slot = &n->child[data_bit(data, node_plen(n))];
	}

	if (!i) {
		/* An empty slot: the new prefix becomes a leaf there. */
		err = add_prefix_locked(t, flags);
		if (err)
			goto fail;
		ni = real_new(t, plen, data, value);
		if (unlikely(!ni))
			goto nomem;
		atomic_store_explicit(slot, ni, memory_order_release);
	} else if (m == node_plen(n)) {
		/* The same prefix: replace the node (an intermediate one becomes real). */
		if (!node_is_im(n)) {
			if (flags == BPF_NOEXIST) {
				err = bh_map_err(-EEXIST, &t->map, "prefix exists (BPF_NOEXIST)");
				goto fail;
			}
		} else {
			err = add_prefix_locked(t, flags);
			if (err)
				goto fail;
		}
		ni = real_new(t, plen, data, value);
		if (unlikely(!ni)) {
			if (node_is_im(n))
				atomic_fetch_sub_explicit(&t->n_entries, 1, memory_order_relaxed);
			err = bh_map_err(-ENOMEM, &t->map, "out of memory for a trie node");
			goto fail;
		}
		atomic_store_explicit(&node_at(t, ni)->child[0], load_child(n, 0), memory_order_relaxed);
		atomic_store_explicit(&node_at(t, ni)->child[1], load_child(n, 1), memory_order_relaxed);
		atomic_store_explicit(slot, ni, memory_order_release);
		old = i;
	} else {
		err = add_prefix_locked(t, flags);
		if (err)
			goto fail;
		ni = real_new(t, plen, data, value);
		if (unlikely(!ni))
			goto nomem;
		if (m == plen) {
			/* The new prefix covers n: it goes above n. */
			unsigned int b = data_bit(n->data, plen);

			atomic_store_explicit(&node_at(t, ni)->child[b], i, memory_order_relaxed);
			atomic_store_explicit(slot, ni, memory_order_release);
		} else {
			/* They diverge at bit m: a branch point holds both. */
			unsigned int b = data_bit(data, m);

			im = node_new(t, t->cls_im, m | LPM_NODE_IM, data);
			if (unlikely(!im)) {
				lpm_nodes_free_unused(t->nodes, ni, CLS_REAL);
				goto nomem;
			}
			atomic_store_explicit(&node_at(t, im)->child[b], ni, memory_order_relaxed);
			atomic_store_explicit(&node_at(t, im)->child[!b], i, memory_order_relaxed);
			atomic_store_explicit(slot, im, memory_order_release);
		}
	}
	if (old)
		node_retire(t, old);
	plat_spin_unlock(&t->lock);
	return 0;
nomem:
	atomic_fetch_sub_explicit(&t->n_entries, 1, memory_order_relaxed);
	err = bh_map_err(-ENOMEM, &t->map, "out of memory for a trie node");
fail:
	plat_spin_unlock(&t->lock);
	return err;
}

/* Exact-prefix delete. Called under epoch; may run from a program. */
static int trie_delete(struct lpm_trie *t, const void *key)
{
	_Atomic uint32_t *slot = &t->root, *parent_slot = NULL;
	struct lpm_node *n = NULL, *parent = NULL;
	uint32_t plen = key_prefixlen(key), m = 0, i, pi = 0, c0, c1, free1 = 0, free2 = 0;
	const uint8_t *data = key_data(key);
	int err = check_prefixlen(t, plen);

	if (err)
		return err;
	plat_spin_lock(&t->lock);
	while ((i = atomic_load_explicit(slot, memory_order_relaxed)) != 0) {
		n = node_at(t, i);
		m = node_match(n, plen, data);
		if (m != node_plen(n) || node_plen(n) == plen)
			break;
		parent = n;
		pi = i;
		parent_slot = slot;
		slot = &n->child[data_bit(data, node_plen(n))];
	}
	if (!i || m != node_plen(n) || node_plen(n) != plen || node_is_im(n)) {
		plat_spin_unlock(&t->lock);
		return bh_map_err(-ENOENT, &t->map, "no such prefix");
	}
	atomic_fetch_sub_explicit(&t->n_entries, 1, memory_order_relaxed);
	c0 = atomic_load_explicit(&n->child[0], memory_order_relaxed);
	c1 = atomic_load_explicit(&n->child[1], memory_order_relaxed);
	if (c0 && c1) {
		/* Still a branch point: keep the node, drop its value. */
		atomic_fetch_or_explicit(&n->word, LPM_NODE_IM, memory_order_release);
	} else if (!c0 && !c1 && parent && node_is_im(parent)) {
		/* A leaf under a branch point: the sibling takes the branch point's place. */
		uint32_t sib = atomic_load_explicit(&parent->child[0], memory_order_relaxed);

		if (sib == i)
			sib = atomic_load_explicit(&parent->child[1], memory_order_relaxed);
		atomic_store_explicit(parent_slot, sib, memory_order_release);
		free1 = i;
		free2 = pi;
	} else {
		/* Zero or one child: the child (or nothing) takes the node's place. */
		atomic_store_explicit(slot, c0 ? c0 : c1, memory_order_release);
		free1 = i;
	}
	if (free1)
		node_retire(t, free1);
	if (free2)
		node_retire(t, free2);
	plat_spin_unlock(&t->lock);
	return 0;
}

/* The first real node of subtree @i's in post-order (leftmost leaf). */
static struct lpm_node *first_in_subtree(struct lpm_trie *t, uint32_t i)
{
	struct lpm_node *last = NULL;

	while (i) {
		struct lpm_node *n = node_at(t, i);
		uint32_t c = load_child(n, 0);

		if (!node_is_im(n))
			last = n;
		i = c ? c : load_child(n, 1);
	}
	return last;
}

/*
 * Post-order, as Linux: more specific prefixes before the ones that cover
 * them, the 0 branch before the 1 branch. A NULL, over-long or missing key
 * restarts from the first prefix. The successor of a node is found on the
 * way down to it: the deepest ancestor where the walk went to child[0] and
 * child[1] exists (its subtree comes next) or, failing that, the deepest
 * real ancestor. Called under epoch, lock-free.
 */
static int trie_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	struct lpm_trie *t = trie_of(map);
	uint32_t root = atomic_load_explicit(&t->root, memory_order_acquire);
	uint32_t i = root, succ = 0;
	struct lpm_node *n = NULL, *next;
	bool succ_subtree = false;
	uint32_t m = 0, plen = key ? key_prefixlen(key) : 0;
	const uint8_t *data = key ? key_data(key) : NULL;

	if (!root)
		return bh_map_err(-ENOENT, map, "trie is empty");
	if (!key || plen > t->max_prefixlen)
		goto first;
	while (i) {
		uint32_t np, right;
		unsigned int b;

		n = node_at(t, i);
		np = node_plen(n);
		m = node_match(n, plen, data);
		if (m != np || np == plen)
			break;
		b = data_bit(data, np);
		right = load_child(n, 1);
		if (b == 0 && right) {
			succ = right;
			succ_subtree = true;
		} else if (!node_is_im(n)) {
			succ = i;
			succ_subtree = false;
		}
		i = load_child(n, b);
	}
	if (!i || m != node_plen(n) || node_is_im(n))
		goto first;	/* the key is not stored: start over, as Linux */
	if (!succ)
		return bh_map_err(-ENOENT, map, "no more keys");
	next = succ_subtree ? first_in_subtree(t, succ) : node_at(t, succ);
	goto copy;
first:
	next = first_in_subtree(t, root);
copy:
	if (unlikely(!next))
		return bh_map_err(-ENOENT, map, "no more keys");
	bh_store_u32(next_key, node_plen(next));
	plat_memcpy((uint8_t *)next_key + sizeof(uint32_t), next->data, t->data_size);
	return 0;
}

/* Program side: the value of the longest match, valid until the epoch ends. */
static void *trie_lookup_elem(struct bh_map *map, const void *key)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_node *n = longest_match(t, key);

	return n ? node_value(t, n) : NULL;
}

static long trie_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return trie_update(trie_of(map), key, value, flags);
}

static long trie_delete_elem(struct bh_map *map, const void *key)
{
	return trie_delete(trie_of(map), key);
}

/* User side (bpfhost_sys_bpf): called under epoch; lookups take no lock. */
static int trie_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_node *n = longest_match(t, key);

	(void)flags;
	if (!n)
		return bh_map_err(-ENOENT, map, "no stored prefix matches the key");
	plat_memcpy(value, node_value(t, n), map->value_size);
	return 0;
}

static int trie_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return trie_update(trie_of(map), key, value, flags);
}

static int trie_sys_delete(struct bh_map *map, const void *key)
{
	return trie_delete(trie_of(map), key);
}

static int trie_check(const union bpf_attr *attr)
{
	uint32_t f = attr->map_flags;

	if (!(f & BPF_F_NO_PREALLOC))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: LPM trie map needs BPF_F_NO_PREALLOC");
	if (f & ~LPM_FLAGS)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: LPM trie map does not take map_flags 0x%x",
			      f & ~LPM_FLAGS);
	if ((f & BPF_F_RDONLY) && (f & BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY and BPF_F_WRONLY together");
	if ((f & BPF_F_RDONLY_PROG) && (f & BPF_F_WRONLY_PROG))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG "
			      "together");
	if (attr->max_entries == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: LPM trie map needs max_entries > 0");
	if (attr->key_size < LPM_KEY_MIN || attr->key_size > LPM_KEY_MAX)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: LPM trie key_size %u is not 4 (prefixlen) + "
			      "%u..%u data bytes", attr->key_size, LPM_DATA_MIN, LPM_DATA_MAX);
	if (attr->value_size < 1 || attr->value_size > LPM_VALUE_MAX)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: LPM trie value_size %u is not in 1..%u",
			      attr->value_size, LPM_VALUE_MAX);
	if (attr->map_extra)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: LPM trie map does not take map_extra");
	return 0;
}

static struct bh_map *trie_alloc(const union bpf_attr *attr)
{
	struct lpm_trie *t = plat_alloc_aligned(sizeof(*t));
	uint32_t sizes[LPM_NODES_CLASSES];

	if (!t)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for an LPM trie map"));
	t->data_size = attr->key_size - (uint32_t)sizeof(struct bpf_lpm_trie_key);
	t->value_off = round_up((uint32_t)LPM_DATA_OFF + t->data_size, 8);
	t->max_prefixlen = t->data_size * 8;
	sizes[CLS_REAL] = t->value_off + attr->value_size;
	sizes[CLS_IM] = (uint32_t)LPM_DATA_OFF + t->data_size;
	t->nodes = lpm_nodes_create(sizes, attr->max_entries);
	if (!t->nodes) {
		plat_free_aligned(t);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory or address space for an "
				      "LPM trie map's nodes"));
	}
	t->base = lpm_nodes_base(t->nodes);
	/* Both kinds in one slot size: one class, less run slack. */
	t->cls_im = lpm_nodes_slot_size(t->nodes, CLS_IM) == lpm_nodes_slot_size(t->nodes, CLS_REAL) ?
		    CLS_REAL : CLS_IM;
	plat_spin_init(&t->lock);
	/* map.c fills these too, but the element paths read them. */
	t->map.key_size = attr->key_size;
	t->map.value_size = attr->value_size;
	t->map.max_entries = attr->max_entries;
	return &t->map;
}

/* Nothing can reach the map any more: every node goes with the store. */
static void trie_free(struct bh_map *map)
{
	struct lpm_trie *t = trie_of(map);

	lpm_nodes_destroy(t->nodes);
	plat_free_aligned(t);
}

/* The nodes' memory as committed (the store's region), not a per-prefix estimate. */
static uint64_t trie_mem_usage(const struct bh_map *map)
{
	const struct lpm_trie *t = container_of(map, struct lpm_trie, map);

	return sizeof(*t) + lpm_nodes_bytes(t->nodes);
}

/* Linux supports the generic lookup/update/delete batches here, not lookup-and-delete. */
const struct bh_map_ops lpm_trie_map_ops = {
	.name = "lpm_trie",
	.check = trie_check,
	.alloc = trie_alloc,
	.free = trie_free,
	.lookup_elem = trie_lookup_elem,
	.update_elem = trie_update_elem,
	.delete_elem = trie_delete_elem,
	.sys_lookup = trie_sys_lookup,
	.sys_update = trie_sys_update,
	.sys_delete = trie_sys_delete,
	.get_next_key = trie_get_next_key,
	.lookup_batch = bh_map_generic_lookup_batch,
	.update_batch = bh_map_generic_update_batch,
	.delete_batch = bh_map_generic_delete_batch,
	.mem_usage = trie_mem_usage,
};
