// SPDX-License-Identifier: MIT
/*
 * Objects and the handle table. A handle is a small integer naming one
 * reference to an object (as a file descriptor names a file). Lookups read
 * the table under epoch without taking a reference, so concurrent
 * operations on one map never write a shared cache line; an object whose
 * last reference drops is destroyed only after a grace period.
 */
#include "internal.h"

#define HANDLE_MAX (1 << 20)
#define HANDLE_INITIAL 64

struct handle_table {
	uint32_t cap;
	_Atomic(struct bh_object *) slots[];
};

static _Atomic(struct handle_table *) table;
static struct plat_mutex table_lock = { PTHREAD_MUTEX_INITIALIZER };
static uint32_t next_free_hint = 1;
static atomic_int open_handles;

const char *bh_obj_kind_name(enum bh_obj_kind kind)
{
	switch (kind) {
	case BH_OBJ_MAP: return "map";
	case BH_OBJ_PROG: return "program";
	case BH_OBJ_LINK: return "link";
	case BH_OBJ_BTF: return "btf";
	}
	return "object";
}

void bh_object_init(struct bh_object *obj, enum bh_obj_kind kind,
		    void (*destroy)(struct bh_object *obj))
{
	obj->kind = kind;
	atomic_init(&obj->refcnt, 1);
	obj->id = 0;
	obj->destroy = destroy;
	atomic_init(&obj->users, 0);
	obj->release_users = NULL;
}

static void users_get(struct bh_object *obj)
{
	atomic_fetch_add_explicit(&obj->users, 1, memory_order_relaxed);
}

static void users_put(struct bh_object *obj)
{
	if (atomic_fetch_sub_explicit(&obj->users, 1, memory_order_acq_rel) == 1 && obj->release_users)
		obj->release_users(obj);
}

void bh_object_get(struct bh_object *obj)
{
	atomic_fetch_add_explicit(&obj->refcnt, 1, memory_order_relaxed);
}

bool bh_object_get_not_zero(struct bh_object *obj)
{
	long c = atomic_load(&obj->refcnt);

	while (c > 0) {
		if (atomic_compare_exchange_weak(&obj->refcnt, &c, c + 1))
			return true;
	}
	return false;
}

static void object_destroy_deferred(struct epoch_head *head)
{
	struct bh_object *obj = container_of(head, struct bh_object, rcu);

	obj->destroy(obj);
}

void bh_object_put(struct bh_object *obj)
{
	if (atomic_fetch_sub_explicit(&obj->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	/* Unpublish now so no id lookup revives it; free after readers leave. */
	bh_id_remove(obj);
	epoch_call(&obj->rcu, object_destroy_deferred);
}

int bh_handle_install(struct bh_object *obj)
{
	struct handle_table *t, *bigger;
	uint32_t h;

	plat_mutex_lock(&table_lock);
	t = atomic_load(&table);
	for (h = next_free_hint; t && h < t->cap; h++) {
		if (!atomic_load_explicit(&t->slots[h], memory_order_relaxed))
			goto found;
	}
	for (h = 1; t && h < next_free_hint && h < t->cap; h++) {
		if (!atomic_load_explicit(&t->slots[h], memory_order_relaxed))
			goto found;
	}
	/* Full: grow (readers may still use the old table until they exit). */
	{
		uint32_t cap = t ? t->cap * 2 : HANDLE_INITIAL;

		if (cap > HANDLE_MAX) {
			plat_mutex_unlock(&table_lock);
			return bh_err(-EMFILE, "handle table full (%d handles)", HANDLE_MAX);
		}
		bigger = epoch_alloc(sizeof(*bigger) + cap * sizeof(bigger->slots[0]));
		if (!bigger) {
			plat_mutex_unlock(&table_lock);
			return bh_err(-ENOMEM, "out of memory growing the handle table");
		}
		bigger->cap = cap;
		h = t ? t->cap : 1;
		if (t)
			for (uint32_t i = 0; i < t->cap; i++)
				atomic_init(&bigger->slots[i], atomic_load(&t->slots[i]));
		atomic_store(&table, bigger);
		if (t)
			epoch_free(t);
		t = bigger;
	}
found:
	users_get(obj);
	atomic_store_explicit(&t->slots[h], obj, memory_order_release);
	next_free_hint = h + 1;
	atomic_fetch_add(&open_handles, 1);
	plat_mutex_unlock(&table_lock);
	return (int)h;
}

struct bh_object *bh_handle_lookup(int handle)
{
	struct handle_table *t = atomic_load_explicit(&table, memory_order_acquire);

	if (unlikely(!t || handle <= 0 || (uint32_t)handle >= t->cap))
		return NULL;
	return atomic_load_explicit(&t->slots[handle], memory_order_acquire);
}

int bh_handle_close(int handle)
{
	struct handle_table *t;
	struct bh_object *obj = NULL;

	plat_mutex_lock(&table_lock);
	t = atomic_load(&table);
	if (t && handle > 0 && (uint32_t)handle < t->cap)
		obj = atomic_exchange(&t->slots[handle], NULL);
	if (obj) {
		atomic_fetch_sub(&open_handles, 1);
		if ((uint32_t)handle < next_free_hint)
			next_free_hint = (uint32_t)handle;
	}
	plat_mutex_unlock(&table_lock);
	if (!obj)
		return bh_err(-EBADF, "handle %d is not open", handle);
	users_put(obj);
	bh_object_put(obj);
	return 0;
}

int bh_handle_count(void)
{
	return atomic_load(&open_handles);
}

/*
 * Ids: a sorted array of live objects (ids only grow, so publishing
 * appends). Id commands are rare; a lock is fine here.
 */
static struct plat_mutex id_lock = { PTHREAD_MUTEX_INITIALIZER };
static struct bh_object **ids;
static uint32_t nids, ids_cap;
static uint32_t last_id;

int bh_id_publish(struct bh_object *obj)
{
	plat_mutex_lock(&id_lock);
	if (nids == ids_cap) {
		uint32_t cap = ids_cap ? ids_cap * 2 : 64;
		struct bh_object **bigger = plat_alloc(cap * sizeof(*bigger));

		if (!bigger) {
			plat_mutex_unlock(&id_lock);
			return bh_err(-ENOMEM, "out of memory publishing an id");
		}
		if (ids)
			plat_memcpy(bigger, ids, nids * sizeof(*ids));
		plat_free(ids);
		ids = bigger;
		ids_cap = cap;
	}
	obj->id = ++last_id;
	ids[nids++] = obj;
	plat_mutex_unlock(&id_lock);
	return 0;
}

uint32_t bh_id_count(void)
{
	uint32_t n;

	plat_mutex_lock(&id_lock);
	n = nids;
	plat_mutex_unlock(&id_lock);
	return n;
}

/* First index whose id is >= @id. */
static uint32_t id_search(uint32_t id)
{
	uint32_t lo = 0, hi = nids;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (ids[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void bh_id_remove(struct bh_object *obj)
{
	uint32_t i;

	if (!obj->id)
		return;
	plat_mutex_lock(&id_lock);
	i = id_search(obj->id);
	if (i < nids && ids[i] == obj) {
		for (; i + 1 < nids; i++)
			ids[i] = ids[i + 1];
		nids--;
	}
	plat_mutex_unlock(&id_lock);
}

uint32_t bh_id_next(enum bh_obj_kind kind, uint32_t start)
{
	uint32_t found = 0;

	if (start == UINT32_MAX)	/* no id above it (start + 1 would wrap to the first) */
		return 0;
	plat_mutex_lock(&id_lock);
	for (uint32_t i = id_search(start + 1); i < nids; i++) {
		if (ids[i]->kind == kind) {
			found = ids[i]->id;
			break;
		}
	}
	plat_mutex_unlock(&id_lock);
	return found;
}

struct bh_object *bh_id_get(enum bh_obj_kind kind, uint32_t id)
{
	struct bh_object *obj = NULL;
	uint32_t i;

	plat_mutex_lock(&id_lock);
	i = id_search(id);
	if (i < nids && ids[i]->id == id && ids[i]->kind == kind && bh_object_get_not_zero(ids[i]))
		obj = ids[i];
	plat_mutex_unlock(&id_lock);
	return obj;
}

/* Pins: path -> reference. A handful of entries; a locked list suffices. */
struct pin {
	struct pin *next;
	struct bh_object *obj;
	char path[];
};

static struct plat_mutex pin_lock = { PTHREAD_MUTEX_INITIALIZER };
static struct pin *pins;

static struct pin **pin_find(const char *path)
{
	struct pin **p;

	for (p = &pins; *p; p = &(*p)->next)
		if (!__builtin_strcmp((*p)->path, path))
			return p;
	return p;
}

int bh_pin_add(const char *path, struct bh_object *obj)
{
	size_t len = plat_strnlen(path, BH_PATH_MAX);
	struct pin **slot, *pin;

	plat_mutex_lock(&pin_lock);
	slot = pin_find(path);
	if (*slot) {
		plat_mutex_unlock(&pin_lock);
		return bh_err(-EEXIST, "pin path '%s' already exists", path);
	}
	pin = plat_alloc(sizeof(*pin) + len + 1);
	if (!pin) {
		plat_mutex_unlock(&pin_lock);
		return bh_err(-ENOMEM, "out of memory pinning at '%s'", path);
	}
	plat_memcpy(pin->path, path, len + 1);
	bh_object_get(obj);
	users_get(obj);
	pin->obj = obj;
	*slot = pin;
	plat_mutex_unlock(&pin_lock);
	return 0;
}

struct bh_object *bh_pin_get(const char *path)
{
	struct pin **slot;
	struct bh_object *obj = NULL;

	plat_mutex_lock(&pin_lock);
	slot = pin_find(path);
	if (*slot) {
		obj = (*slot)->obj;
		bh_object_get(obj);
	}
	plat_mutex_unlock(&pin_lock);
	return obj;
}

int bh_pin_remove(const char *path)
{
	struct pin **slot, *pin;

	plat_mutex_lock(&pin_lock);
	slot = pin_find(path);
	pin = *slot;
	if (pin)
		*slot = pin->next;
	plat_mutex_unlock(&pin_lock);
	if (!pin)
		return bh_err(-ENOENT, "no object pinned at '%s'", path);
	users_put(pin->obj);
	bh_object_put(pin->obj);
	plat_free(pin);
	return 0;
}

int bh_copy_path(char *dst, uint64_t user_ptr, const char *what)
{
	const char *src = u64_to_ptr(user_ptr);
	size_t len;

	if (!src)
		return bh_err(-EFAULT, "%s: pathname is NULL", what);
	len = plat_strnlen(src, BH_PATH_MAX);
	if (len == 0)
		return bh_err(-EINVAL, "%s: pathname is empty", what);
	if (len >= BH_PATH_MAX)
		return bh_err(-ENAMETOOLONG, "%s: pathname longer than %d bytes", what, BH_PATH_MAX - 1);
	plat_memcpy(dst, src, len + 1);
	return 0;
}

int bh_check_obj_name(const char *name, const char *cmd, const char *what)
{
	size_t i;

	for (i = 0; i < BPF_OBJ_NAME_LEN && name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return bh_err(-EINVAL, "%s: %s name has character 0x%02x; only letters, digits, "
				      "'_' and '.' are allowed", cmd, what, (unsigned char)c);
	}
	if (i == BPF_OBJ_NAME_LEN)
		return bh_err(-EINVAL, "%s: %s name is not NUL-terminated within %u bytes", cmd, what,
			      BPF_OBJ_NAME_LEN);
	return 0;
}

int bh_info_begin(const union bpf_attr *attr, size_t info_size, uint32_t *len)
{
	const char *user = u64_to_ptr(attr->info.info);

	*len = attr->info.info_len;
	if (!user && *len)
		return bh_err(-EFAULT, "BPF_OBJ_GET_INFO_BY_FD: info pointer is NULL");
	for (uint32_t i = (uint32_t)info_size; i < *len; i++)
		if (user[i])
			return bh_err(-E2BIG, "BPF_OBJ_GET_INFO_BY_FD: info bytes past %zu are not zero",
				      info_size);
	if (*len > info_size)
		*len = (uint32_t)info_size;
	return 0;
}

int bh_info_end(const union bpf_attr *attr, union bpf_attr *uattr, const void *info, uint32_t len)
{
	if (len)
		plat_memcpy(u64_to_ptr(attr->info.info), info, len);
	uattr->info.info_len = len;
	return 0;
}
