// SPDX-License-Identifier: MIT
/*
 * bpfhost_sys_bpf(): the one command entry point, the in-process twin of
 * bpf(2). It copies the caller's attr into a zeroed local (as the kernel
 * copies from user), refuses non-zero bytes past the command's last field,
 * and runs the command inside an epoch.
 */
#include "internal.h"
#include "../maps/map.h"
#include "../prog/prog_internal.h"
#include "../ext/kfunc.h"
#include "../maps/ringbuf.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* Bytes of union bpf_attr each command reads; the rest must be zero. */
static size_t attr_last_byte(int cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return offsetofend(union bpf_attr, map_extra);
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_UPDATE_ELEM: return offsetofend(union bpf_attr, value_buf_size);
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return offsetofend(union bpf_attr, flags);
	case BPF_MAP_DELETE_ELEM: return offsetofend(union bpf_attr, key);
	case BPF_MAP_GET_NEXT_KEY: return offsetofend(union bpf_attr, next_key);
	case BPF_MAP_FREEZE: return offsetofend(union bpf_attr, map_fd);
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH: return offsetofend(union bpf_attr, batch.flags);
	case BPF_OBJ_PIN:
	case BPF_OBJ_GET: return offsetofend(union bpf_attr, file_flags);
	case BPF_MAP_GET_NEXT_ID: return offsetofend(union bpf_attr, next_id);
	case BPF_MAP_GET_FD_BY_ID: return offsetofend(union bpf_attr, open_flags);
	case BPF_OBJ_GET_INFO_BY_FD: return offsetofend(union bpf_attr, info.info);
	case BPFHOST_OBJ_CLOSE: return offsetofend(union bpf_attr, bpf_fd);
	case BPFHOST_OBJ_UNPIN: return offsetofend(union bpf_attr, pathname);
	case BPFHOST_MAP_MMAP: return offsetofend(union bpf_attr, mmap.data_offset);
	case BPF_PROG_LOAD: return offsetofend(union bpf_attr, btf_strs_size);
	case BPF_PROG_TEST_RUN: return offsetofend(union bpf_attr, test.redirect_flags);
	case BPF_PROG_GET_NEXT_ID:
	case BPF_LINK_GET_NEXT_ID: return offsetofend(union bpf_attr, next_id);
	case BPF_PROG_GET_FD_BY_ID:
	case BPF_LINK_GET_FD_BY_ID: return offsetofend(union bpf_attr, open_flags);
	case BPF_LINK_CREATE: return offsetofend(union bpf_attr, link_create.insn_budget);
	case BPF_LINK_DETACH: return offsetofend(union bpf_attr, link_detach.link_fd);
	case BPF_PROG_BIND_MAP: return offsetofend(union bpf_attr, prog_bind_map.flags);
	case BPFHOST_PROG_TYPE_BY_SECTION: return offsetofend(union bpf_attr, section.expected_attach_type);
	case BPFHOST_HOOK_TRIGGER: return offsetofend(union bpf_attr, trigger.retval);
	case BPFHOST_TRACE_READ: return offsetofend(union bpf_attr, trace.len);
	case BPFHOST_RINGBUF_WAIT: return offsetofend(union bpf_attr, ringbuf_wait.flags);
	case BPFHOST_MAP_SHAPE: return offsetofend(union bpf_attr, shape.map_flags);
	case BPFHOST_PROG_TYPE_BTF: return offsetofend(union bpf_attr, type_btf.btf_size);
	case BPFHOST_KFUNC_INFO: return offsetofend(union bpf_attr, kfunc.ref_flags);
	case BPFHOST_PROG_TYPE_HELPERS: return offsetofend(union bpf_attr, type_helpers.names_size);
	default: return 0;
	}
}

static const char *cmd_name(int cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return "BPF_MAP_CREATE";
	case BPF_MAP_LOOKUP_ELEM: return "BPF_MAP_LOOKUP_ELEM";
	case BPF_MAP_UPDATE_ELEM: return "BPF_MAP_UPDATE_ELEM";
	case BPF_MAP_DELETE_ELEM: return "BPF_MAP_DELETE_ELEM";
	case BPF_MAP_GET_NEXT_KEY: return "BPF_MAP_GET_NEXT_KEY";
	case BPF_OBJ_PIN: return "BPF_OBJ_PIN";
	case BPF_OBJ_GET: return "BPF_OBJ_GET";
	case BPF_MAP_GET_NEXT_ID: return "BPF_MAP_GET_NEXT_ID";
	case BPF_MAP_GET_FD_BY_ID: return "BPF_MAP_GET_FD_BY_ID";
	case BPF_OBJ_GET_INFO_BY_FD: return "BPF_OBJ_GET_INFO_BY_FD";
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return "BPF_MAP_LOOKUP_AND_DELETE_ELEM";
	case BPF_MAP_FREEZE: return "BPF_MAP_FREEZE";
	case BPF_MAP_LOOKUP_BATCH: return "BPF_MAP_LOOKUP_BATCH";
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH: return "BPF_MAP_LOOKUP_AND_DELETE_BATCH";
	case BPF_MAP_UPDATE_BATCH: return "BPF_MAP_UPDATE_BATCH";
	case BPF_MAP_DELETE_BATCH: return "BPF_MAP_DELETE_BATCH";
	case BPFHOST_OBJ_CLOSE: return "BPFHOST_OBJ_CLOSE";
	case BPFHOST_OBJ_UNPIN: return "BPFHOST_OBJ_UNPIN";
	case BPFHOST_MAP_MMAP: return "BPFHOST_MAP_MMAP";
	case BPF_PROG_LOAD: return "BPF_PROG_LOAD";
	case BPF_PROG_TEST_RUN: return "BPF_PROG_TEST_RUN";
	case BPF_PROG_GET_NEXT_ID: return "BPF_PROG_GET_NEXT_ID";
	case BPF_PROG_GET_FD_BY_ID: return "BPF_PROG_GET_FD_BY_ID";
	case BPF_LINK_GET_NEXT_ID: return "BPF_LINK_GET_NEXT_ID";
	case BPF_LINK_GET_FD_BY_ID: return "BPF_LINK_GET_FD_BY_ID";
	case BPF_LINK_CREATE: return "BPF_LINK_CREATE";
	case BPF_LINK_DETACH: return "BPF_LINK_DETACH";
	case BPF_PROG_BIND_MAP: return "BPF_PROG_BIND_MAP";
	case BPFHOST_PROG_TYPE_BY_SECTION: return "BPFHOST_PROG_TYPE_BY_SECTION";
	case BPFHOST_HOOK_TRIGGER: return "BPFHOST_HOOK_TRIGGER";
	case BPFHOST_TRACE_READ: return "BPFHOST_TRACE_READ";
	case BPFHOST_RINGBUF_WAIT: return "BPFHOST_RINGBUF_WAIT";
	case BPFHOST_MAP_SHAPE: return "BPFHOST_MAP_SHAPE";
	case BPFHOST_PROG_TYPE_BTF: return "BPFHOST_PROG_TYPE_BTF";
	case BPFHOST_KFUNC_INFO: return "BPFHOST_KFUNC_INFO";
	case BPFHOST_PROG_TYPE_HELPERS: return "BPFHOST_PROG_TYPE_HELPERS";
	}
	return "command";
}

static int obj_pin(union bpf_attr *attr)
{
	char path[BH_PATH_MAX];
	struct bh_object *obj;
	int err;

	if (attr->file_flags)
		return bh_err(-EINVAL, "BPF_OBJ_PIN: file_flags 0x%x not supported", attr->file_flags);
	err = bh_copy_path(path, attr->pathname, "BPF_OBJ_PIN");
	if (err)
		return err;
	obj = bh_handle_lookup((int)attr->bpf_fd);
	if (!obj)
		return bh_err(-EBADF, "BPF_OBJ_PIN: handle %u is not open", attr->bpf_fd);
	return bh_pin_add(path, obj);
}

static int obj_get(union bpf_attr *attr)
{
	char path[BH_PATH_MAX];
	struct bh_object *obj;
	int err, h;

	if (attr->bpf_fd)
		return bh_err(-EINVAL, "BPF_OBJ_GET: bpf_fd must be 0");
	if (attr->file_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_OBJ_GET: unknown file_flags 0x%x", attr->file_flags);
	err = bh_copy_path(path, attr->pathname, "BPF_OBJ_GET");
	if (err)
		return err;
	obj = bh_pin_get(path);
	if (!obj)
		return bh_err(-ENOENT, "BPF_OBJ_GET: nothing pinned at '%s'", path);
	h = bh_handle_install(obj);
	if (h < 0)
		bh_object_put(obj);
	return h;
}

static int obj_unpin(union bpf_attr *attr)
{
	char path[BH_PATH_MAX];
	int err = bh_copy_path(path, attr->pathname, "BPFHOST_OBJ_UNPIN");

	return err ? err : bh_pin_remove(path);
}

static int get_next_id(union bpf_attr *attr, union bpf_attr *uattr, enum bh_obj_kind kind)
{
	uint32_t next = bh_id_next(kind, attr->start_id);

	if (!next)
		return bh_err(-ENOENT, "no %s id after %u", bh_obj_kind_name(kind), attr->start_id);
	uattr->next_id = next;
	return 0;
}

static int get_fd_by_id(union bpf_attr *attr, enum bh_obj_kind kind)
{
	struct bh_object *obj;
	int h;

	if (attr->open_flags & ~(BPF_F_RDONLY | BPF_F_WRONLY))
		return bh_err(-EINVAL, "unknown open_flags 0x%x", attr->open_flags);
	obj = bh_id_get(kind, attr->map_id);
	if (!obj)
		return bh_err(-ENOENT, "no %s with id %u", bh_obj_kind_name(kind), attr->map_id);
	h = bh_handle_install(obj);
	if (h < 0)
		bh_object_put(obj);
	return h;
}

static int obj_get_info(union bpf_attr *attr, union bpf_attr *uattr)
{
	struct bh_object *obj = bh_handle_lookup((int)attr->info.bpf_fd);

	if (!obj)
		return bh_err(-EBADF, "BPF_OBJ_GET_INFO_BY_FD: handle %u is not open", attr->info.bpf_fd);
	switch (obj->kind) {
	case BH_OBJ_MAP:
		return bh_map_get_info(bh_map_from_obj(obj), attr, uattr);
	case BH_OBJ_PROG:
		return bh_prog_get_info(bh_prog_from_obj(obj), attr, uattr);
	case BH_OBJ_LINK:
		return bh_link_get_info(obj, attr, uattr);
	default:
		return bh_err(-EINVAL, "BPF_OBJ_GET_INFO_BY_FD: no info for a %s yet",
			      bh_obj_kind_name(obj->kind));
	}
}

static int map_shape(union bpf_attr *attr, union bpf_attr *uattr)
{
	struct bh_map *map;
	int err = bh_map_get((int)attr->shape.map_fd, "BPFHOST_MAP_SHAPE", &map);

	if (err)
		return err;
	uattr->shape.map_type = map->map_type;
	uattr->shape.key_size = map->key_size;
	uattr->shape.value_size = map->value_size;
	uattr->shape.max_entries = map->max_entries;
	uattr->shape.map_flags = map->map_flags;
	return 0;
}

/* Sleeps outside any epoch (a sleeper inside one would hold back all reclamation). */
static int ringbuf_wait(union bpf_attr *attr, union bpf_attr *uattr)
{
	struct bh_map *map;
	int ready, err;

	if (attr->ringbuf_wait.flags & ~BPFHOST_RINGBUF_WAKE_ALL)
		return bh_err(-EINVAL, "BPFHOST_RINGBUF_WAIT: unknown flags 0x%x",
			      attr->ringbuf_wait.flags & ~BPFHOST_RINGBUF_WAKE_ALL);
	if (epoch_in() && !(attr->ringbuf_wait.flags & BPFHOST_RINGBUF_WAKE_ALL))
		return bh_err(-EINVAL, "BPFHOST_RINGBUF_WAIT: called inside an epoch (from a program "
			      "or a provider callback)");
	epoch_enter();
	err = bh_map_get((int)attr->ringbuf_wait.map_fd, "BPFHOST_RINGBUF_WAIT", &map);
	if (map && map->map_type != BPF_MAP_TYPE_RINGBUF) {
		epoch_exit();
		return bh_err(-EINVAL, "BPFHOST_RINGBUF_WAIT: map '%s' is type %u, not a ring buffer",
			      map->name, map->map_type);
	}
	if (map && !bh_object_get_not_zero(&map->obj))
		err = bh_err(-EBADF, "BPFHOST_RINGBUF_WAIT: handle %u is being closed",
			     attr->ringbuf_wait.map_fd);
	epoch_exit();
	if (err)
		return err;
	if (attr->ringbuf_wait.flags & BPFHOST_RINGBUF_WAKE_ALL) {
		bh_ringbuf_wake_all(map);
		bh_object_put(&map->obj);
		uattr->ringbuf_wait.ready = 0;
		return 0;
	}
	ready = bh_ringbuf_wait(map, attr->ringbuf_wait.timeout_ms);
	bh_object_put(&map->obj);
	uattr->ringbuf_wait.ready = (uint32_t)ready;
	return 0;
}

static bool mem_is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w;

	for (; n && ((uintptr_t)b & 7); n--)
		if (*b++)
			return false;
	for (; n >= 8; n -= 8, b += 8) {
		__builtin_memcpy(&w, b, 8);
		if (w)
			return false;
	}
	for (; n; n--)
		if (*b++)
			return false;
	return true;
}

static int dispatch(int cmd, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return bh_map_create(attr);
	case BPF_MAP_LOOKUP_ELEM: return bh_map_lookup_elem(attr);
	case BPF_MAP_UPDATE_ELEM: return bh_map_update_elem(attr);
	case BPF_MAP_DELETE_ELEM: return bh_map_delete_elem(attr);
	case BPF_MAP_GET_NEXT_KEY: return bh_map_get_next_key(attr);
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return bh_map_lookup_and_delete_elem(attr);
	case BPF_MAP_FREEZE: return bh_map_freeze(attr);
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH: return bh_map_batch(cmd, attr, uattr);
	case BPF_OBJ_PIN: return obj_pin(attr);
	case BPF_OBJ_GET: return obj_get(attr);
	case BPF_MAP_GET_NEXT_ID: return get_next_id(attr, uattr, BH_OBJ_MAP);
	case BPF_MAP_GET_FD_BY_ID: return get_fd_by_id(attr, BH_OBJ_MAP);
	case BPF_OBJ_GET_INFO_BY_FD: return obj_get_info(attr, uattr);
	case BPFHOST_OBJ_UNPIN: return obj_unpin(attr);
	case BPFHOST_MAP_MMAP: return bh_map_mmap(attr, uattr);
	case BPF_PROG_LOAD: return bh_prog_load(attr);
	case BPF_PROG_TEST_RUN: return bh_prog_test_run(attr, uattr);
	case BPF_PROG_GET_NEXT_ID: return get_next_id(attr, uattr, BH_OBJ_PROG);
	case BPF_PROG_GET_FD_BY_ID: return get_fd_by_id(attr, BH_OBJ_PROG);
	case BPF_LINK_GET_NEXT_ID: return get_next_id(attr, uattr, BH_OBJ_LINK);
	case BPF_LINK_GET_FD_BY_ID: return get_fd_by_id(attr, BH_OBJ_LINK);
	case BPF_LINK_CREATE: return bh_link_create(attr);
	case BPF_LINK_DETACH: return bh_link_detach(attr);
	case BPF_PROG_BIND_MAP: return bh_prog_bind_map(attr);
	case BPFHOST_PROG_TYPE_BY_SECTION: return bh_prog_type_by_section_cmd(attr, uattr);
	case BPFHOST_HOOK_TRIGGER: return bh_hook_trigger(attr, uattr);
	case BPFHOST_TRACE_READ: return bh_trace_read_cmd(attr, uattr);
	case BPFHOST_MAP_SHAPE: return map_shape(attr, uattr);
	case BPFHOST_PROG_TYPE_BTF: return bh_prog_type_btf_cmd(attr, uattr);
	case BPFHOST_KFUNC_INFO: return bh_kfunc_info_cmd(attr, uattr, size);
	case BPFHOST_PROG_TYPE_HELPERS: return bh_prog_type_helpers_cmd(attr, uattr);
	}
	return bh_err(-EINVAL, "unknown or unsupported command %d", cmd);
}

static int run_cmd(int cmd, union bpf_attr *attr, union bpf_attr *uattr, unsigned int size)
{
	int ret;

	if (cmd == BPFHOST_RINGBUF_WAIT)
		return ringbuf_wait(attr, uattr);
	if (cmd == BPFHOST_OBJ_CLOSE) {
		/* Outside epoch: destruction can then complete before we return. */
		ret = bh_handle_close((int)attr->bpf_fd);
		if (!ret && !epoch_in())
			epoch_synchronize();
		return ret;
	}

	epoch_enter();
	ret = dispatch(cmd, attr, uattr, size);
	epoch_exit();
	epoch_run_deferred();
	return ret;
}

int bpfhost_sys_bpf(int cmd, union bpf_attr *uattr, unsigned int size)
{
	union bpf_attr attr;
	size_t last;
	int ret;

	bh_err_clear();
	if (!uattr)
		return bh_err(-EFAULT, "%s: attr is NULL", cmd_name(cmd));
	if (size > 4096)
		return bh_err(-E2BIG, "%s: attr size %u is over a page", cmd_name(cmd), size);
	/* Like the kernel: bytes past what we know must be zero. */
	if (size > sizeof(attr) && !mem_is_zero((const char *)uattr + sizeof(attr), size - sizeof(attr)))
		return bh_err(-E2BIG, "%s: attr bytes past the known %zu are not zero",
			      cmd_name(cmd), sizeof(attr));
	last = attr_last_byte(cmd);
	if (!last)
		return bh_err(-EINVAL, "unknown or unsupported command %d", cmd);
	/*
	 * Copy only the command's fields (handlers read nothing past them) and
	 * zero what the caller did not pass: this is the hot path of every
	 * element operation, so no whole-union memset.
	 */
	if (size >= last) {
		size_t known = size < sizeof(attr) ? size : sizeof(attr);

		plat_memcpy(&attr, uattr, last);
		if (!mem_is_zero((const char *)uattr + last, known - last))
			return bh_err(-EINVAL, "%s: attr bytes past the command's fields (%zu) are not zero",
				      cmd_name(cmd), last);
	} else {
		plat_memcpy(&attr, uattr, size);
		plat_memset((char *)&attr + size, 0, last - size);
	}

	/*
	 * A caller's attr shorter than the command's fields gets its results
	 * written into a whole union, of which only its @size bytes go back:
	 * nothing is ever written past the caller's buffer.
	 */
	if (size < last) {
		union bpf_attr out;

		plat_memcpy(&out, &attr, last);
		ret = run_cmd(cmd, &attr, &out, size);
		plat_memcpy(uattr, &out, size);
		return ret;
	}
	return run_cmd(cmd, &attr, uattr, size);
}

int bpfhost_handle_count(void)
{
	return bh_handle_count();
}

void bpfhost_synchronize(void)
{
	epoch_synchronize();
}

int bpfhost_num_possible_cpus(void)
{
	return plat_num_possible_cpus();
}

void bpfhost_fault_inject_alloc(unsigned long nth)
{
	plat_fault_inject(nth);
}

unsigned long bpfhost_alloc_count(void)
{
	return plat_alloc_count();
}
