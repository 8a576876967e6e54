// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): keyless maps of
 * max_entries values, with Linux's semantics. From user space update is
 * push, lookup is peek and lookup-and-delete is pop (key must be NULL);
 * delete, get_next_key and batches are refused. Programs use the
 * push/pop/peek helpers; their lookup/update/delete answer as Linux's do.
 *
 * Storage is a ring of max_entries + 1 slots (one stays free so that full
 * and empty differ): head is where the next push goes, tail the oldest
 * value. A queue pops at tail, a stack at head - 1. Push with BPF_EXIST on
 * a full map drops the oldest value (tail) for both. Every operation copies
 * under one spin lock, so nothing is handed out that a writer could change.
 */
#include "map.h"

#define QS_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
		  BPF_F_WRONLY_PROG)
/* Linux refuses values over KMALLOC_MAX_SIZE with -E2BIG. */
#define QS_VALUE_MAX (4U << 20)

struct queue_stack {
	struct bh_map map;
	struct plat_spinlock lock;
	uint32_t head;		/* next push (lock held) */
	uint32_t tail;		/* oldest value (lock held) */
	uint32_t size;		/* max_entries + 1 slots */
	bool lifo;		/* stack: pop and peek at head - 1 */
	char *slots;		/* size * value_size bytes */
};

static inline struct queue_stack *qs_of(struct bh_map *map)
{
	return container_of(map, struct queue_stack, map);
}

static inline uint32_t ring_next(const struct queue_stack *qs, uint32_t i)
{
	return i + 1 == qs->size ? 0 : i + 1;
}

static inline char *slot_at(const struct queue_stack *qs, uint32_t i)
{
	return qs->slots + (size_t)i * qs->map.value_size;
}

/* Called under epoch; may run from a program (spin lock, no allocation). */
static long qs_push(struct bh_map *map, const void *value, uint64_t flags)
{
	struct queue_stack *qs = qs_of(map);

	if (unlikely((flags & BPF_NOEXIST) || flags > BPF_EXIST))
		return bh_map_err(-EINVAL, map, "push takes BPF_ANY or BPF_EXIST only");
	plat_spin_lock(&qs->lock);
	if (ring_next(qs, qs->head) == qs->tail) {
		if (!(flags & BPF_EXIST)) {
			plat_spin_unlock(&qs->lock);
			return bh_map_err(-E2BIG, map, "map is full (BPF_EXIST would drop the oldest)");
		}
		qs->tail = ring_next(qs, qs->tail);
	}
	plat_memcpy(slot_at(qs, qs->head), value, map->value_size);
	qs->head = ring_next(qs, qs->head);
	plat_spin_unlock(&qs->lock);
	return 0;
}

/* Copies the next value out (and removes it if @pop); @value is untouched when empty. */
static int qs_get(struct bh_map *map, void *value, bool pop)
{
	struct queue_stack *qs = qs_of(map);
	uint32_t i;

	plat_spin_lock(&qs->lock);
	if (qs->head == qs->tail) {
		plat_spin_unlock(&qs->lock);
		return bh_map_err(-ENOENT, map, "map is empty");
	}
	if (qs->lifo) {
		i = qs->head ? qs->head - 1 : qs->size - 1;
		if (pop)
			qs->head = i;
	} else {
		i = qs->tail;
		if (pop)
			qs->tail = ring_next(qs, i);
	}
	plat_memcpy(value, slot_at(qs, i), map->value_size);
	plat_spin_unlock(&qs->lock);
	return 0;
}

/* Program side: on failure the value is zeroed, as Linux leaves it. */
static long qs_pop_elem(struct bh_map *map, void *value)
{
	int err = qs_get(map, value, true);

	if (err)
		plat_memset(value, 0, map->value_size);
	return err;
}

static long qs_peek_elem(struct bh_map *map, void *value)
{
	int err = qs_get(map, value, false);

	if (err)
		plat_memset(value, 0, map->value_size);
	return err;
}

/* Program side lookup/update/delete: Linux answers NULL / -EINVAL for these maps. */
static void *qs_lookup_elem(struct bh_map *map, const void *key)
{
	(void)map;
	(void)key;
	return NULL;
}

static long qs_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	(void)value;
	(void)flags;
	return bh_map_err(-EINVAL, map, "queue/stack maps have no keys: use push");
}

static long qs_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EINVAL, map, "queue/stack maps have no keys: use pop");
}

/*
 * User side (bpfhost_sys_bpf), called under epoch: the key pointer must be
 * NULL (key_size is 0), as Linux checks.
 */
static int check_no_key(struct bh_map *map, const void *key)
{
	if (unlikely(key))
		return bh_map_err(-EINVAL, map, "queue/stack maps take no key (key must be NULL)");
	return 0;
}

static int qs_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	int err = check_no_key(map, key);

	(void)flags;
	return err ? err : qs_get(map, value, false);
}

static int qs_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	int err = check_no_key(map, key);

	return err ? err : (int)qs_push(map, value, flags);
}

static int qs_sys_delete(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EINVAL, map,
			  "queue/stack maps cannot delete by key: use lookup_and_delete (pop)");
}

static int qs_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	int err = check_no_key(map, key);

	if (!err && flags)
		err = bh_map_err(-EINVAL, map, "pop takes no flags");
	return err ? err : qs_get(map, value, true);
}

static int qs_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	(void)key;
	(void)next_key;
	return bh_map_err(-EINVAL, map, "queue/stack maps have no keys to iterate");
}

static int qs_check(const union bpf_attr *attr, const char *family)
{
	uint32_t f = attr->map_flags;

	/* Linux's -EINVAL checks first, then its -E2BIG, then our size limits. */
	if (attr->max_entries == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs max_entries > 0", family);
	if (attr->key_size != 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs key_size 0 (got %u)", family,
			      attr->key_size);
	if (attr->value_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs value_size > 0", family);
	if (f & ~QS_FLAGS)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map does not take map_flags 0x%x", family,
			      f & ~QS_FLAGS);
	if ((f & BPF_F_RDONLY) && (f & BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY and BPF_F_WRONLY together");
	if ((f & BPF_F_RDONLY_PROG) && (f & BPF_F_WRONLY_PROG))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG "
			      "together");
	if (attr->map_extra)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map does not take map_extra", family);
	if (attr->value_size > QS_VALUE_MAX)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: %s map value_size %u is over %u", family,
			      attr->value_size, QS_VALUE_MAX);
	return bh_map_check_sizes(attr, family, QS_FLAGS);
}

static int queue_check(const union bpf_attr *attr)
{
	return qs_check(attr, "queue");
}

static int stack_check(const union bpf_attr *attr)
{
	return qs_check(attr, "stack");
}

static struct bh_map *qs_alloc(const union bpf_attr *attr, bool lifo)
{
	struct queue_stack *qs = plat_alloc_aligned(sizeof(*qs));
	/* max_entries <= BH_MAP_MAX_ENTRIES (check): no overflow. */
	uint32_t size = attr->max_entries + 1;

	if (!qs)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a %s map",
				      lifo ? "stack" : "queue"));
	qs->slots = plat_alloc_aligned((size_t)size * attr->value_size);
	if (!qs->slots) {
		plat_free_aligned(qs);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u %s values",
				      attr->max_entries, lifo ? "stack" : "queue"));
	}
	qs->size = size;
	qs->lifo = lifo;
	plat_spin_init(&qs->lock);
	/* map.c fills these too, but the element paths read them. */
	qs->map.key_size = 0;
	qs->map.value_size = attr->value_size;
	qs->map.max_entries = attr->max_entries;
	return &qs->map;
}

static struct bh_map *queue_alloc(const union bpf_attr *attr)
{
	return qs_alloc(attr, false);
}

static struct bh_map *stack_alloc(const union bpf_attr *attr)
{
	return qs_alloc(attr, true);
}

static void qs_free(struct bh_map *map)
{
	struct queue_stack *qs = qs_of(map);

	plat_free_aligned(qs->slots);
	plat_free_aligned(qs);
}

static uint64_t qs_mem_usage(const struct bh_map *map)
{
	const struct queue_stack *qs = container_of(map, struct queue_stack, map);

	return sizeof(*qs) + (uint64_t)qs->size * map->value_size;
}

/* No batch ops: Linux answers -ENOTSUPP for every batch command on these maps. */
#define QS_COMMON_OPS                                           \
	.free = qs_free,                                        \
	.lookup_elem = qs_lookup_elem,                          \
	.update_elem = qs_update_elem,                          \
	.delete_elem = qs_delete_elem,                          \
	.push_elem = qs_push,                                   \
	.pop_elem = qs_pop_elem,                                \
	.peek_elem = qs_peek_elem,                              \
	.sys_lookup = qs_sys_lookup,                            \
	.sys_update = qs_sys_update,                            \
	.sys_delete = qs_sys_delete,                            \
	.sys_lookup_and_delete = qs_sys_lookup_and_delete,      \
	.get_next_key = qs_get_next_key,                        \
	.mem_usage = qs_mem_usage

const struct bh_map_ops queue_map_ops = {
	.name = "queue",
	.check = queue_check,
	.alloc = queue_alloc,
	QS_COMMON_OPS,
};

const struct bh_map_ops stack_map_ops = {
	.name = "stack",
	.check = stack_check,
	.alloc = stack_alloc,
	QS_COMMON_OPS,
};
