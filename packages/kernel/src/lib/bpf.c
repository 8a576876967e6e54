// SPDX-License-Identifier: MIT
/* libbpf-style wrappers over bpfhost_sys_bpf(), one per command. */
#include "lib_internal.h"

#define sys lib_sys

int bpfhost_map_create(uint32_t map_type, const char *map_name, uint32_t key_size,
		       uint32_t value_size, uint32_t max_entries,
		       const struct bpfhost_map_create_opts *opts)
{
	union bpf_attr attr;

	if (!OPTS_VALID(opts, bpfhost_map_create_opts))
		return lib_err(-EINVAL);
	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = OPTS_GET(opts, map_flags, 0);
	attr.inner_map_fd = OPTS_GET(opts, inner_map_fd, 0);
	attr.numa_node = OPTS_GET(opts, numa_node, 0);
	attr.btf_fd = OPTS_GET(opts, btf_fd, 0);
	attr.btf_key_type_id = OPTS_GET(opts, btf_key_type_id, 0);
	attr.btf_value_type_id = OPTS_GET(opts, btf_value_type_id, 0);
	attr.map_extra = OPTS_GET(opts, map_extra, 0);
	if (map_name)
		strncpy(attr.map_name, map_name, sizeof(attr.map_name) - 1);
	return sys(BPF_MAP_CREATE, &attr);
}

/*
 * Element commands. As libbpf, pass only the fields the command uses (the hot
 * path); the buffer sizes (bpfhost's checked variant) only when given.
 */
static int elem_cmd_sized(int cmd, int fd, const void *key, uint32_t key_size, void *value,
			  uint32_t value_size, uint64_t flags)
{
	const size_t attr_sz = value_size ? offsetofend(union bpf_attr, value_buf_size) :
				offsetofend(union bpf_attr, flags);
	union bpf_attr attr;

	memset(&attr, 0, attr_sz);
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	if (value_size) {
		attr.key_buf_size = key_size;
		attr.value_buf_size = value_size;
	}
	return lib_err(bpfhost_sys_bpf(cmd, &attr, attr_sz));
}

static int elem_cmd(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	return elem_cmd_sized(cmd, fd, key, 0, value, 0, flags);
}

int bpfhost_map_lookup_elem(int fd, const void *key, void *value)
{
	return elem_cmd(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int bpfhost_map_lookup_elem_flags(int fd, const void *key, void *value, uint64_t flags)
{
	return elem_cmd(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

int bpfhost_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)
{
	return elem_cmd(BPF_MAP_UPDATE_ELEM, fd, key, (void *)value, flags);
}

/* The sized calls always check: value_size 0 would turn the core's check off. */
static int refuse_unsized(int cmd)
{
	return lib_err(bpfhost_set_last_error(-EINVAL, "%s: value_size 0 (the sized call checks the "
					      "sizes given; a map's values are never 0 bytes)",
					      cmd == BPF_MAP_LOOKUP_ELEM ? "BPF_MAP_LOOKUP_ELEM" :
					      "BPF_MAP_UPDATE_ELEM"));
}

int bpfhost_map_lookup_elem_sized(int fd, const void *key, uint32_t key_size, void *value,
				  uint32_t value_size, uint64_t flags)
{
	if (!value_size)
		return refuse_unsized(BPF_MAP_LOOKUP_ELEM);
	return elem_cmd_sized(BPF_MAP_LOOKUP_ELEM, fd, key, key_size, value, value_size, flags);
}

int bpfhost_map_update_elem_sized(int fd, const void *key, uint32_t key_size, const void *value,
				  uint32_t value_size, uint64_t flags)
{
	if (!value_size)
		return refuse_unsized(BPF_MAP_UPDATE_ELEM);
	return elem_cmd_sized(BPF_MAP_UPDATE_ELEM, fd, key, key_size, (void *)value, value_size, flags);
}

int bpfhost_map_delete_elem(int fd, const void *key)
{
	return elem_cmd(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int bpfhost_map_get_next_key(int fd, const void *key, void *next_key)
{
	return elem_cmd(BPF_MAP_GET_NEXT_KEY, fd, key, next_key, 0);
}

int bpfhost_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
	return elem_cmd(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, 0);
}

int bpfhost_map_freeze(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	return sys(BPF_MAP_FREEZE, &attr);
}

static int batch_cmd(int cmd, int fd, void *in_batch, void *out_batch, const void *keys,
		     const void *values, uint32_t *count, const struct bpfhost_map_batch_opts *opts)
{
	union bpf_attr attr;
	int ret;

	if (!OPTS_VALID(opts, bpfhost_map_batch_opts) || !count)
		return lib_err(-EINVAL);
	memset(&attr, 0, sizeof(attr));
	attr.batch.map_fd = (uint32_t)fd;
	attr.batch.in_batch = (uint64_t)(uintptr_t)in_batch;
	attr.batch.out_batch = (uint64_t)(uintptr_t)out_batch;
	attr.batch.keys = (uint64_t)(uintptr_t)keys;
	attr.batch.values = (uint64_t)(uintptr_t)values;
	attr.batch.count = *count;
	attr.batch.elem_flags = OPTS_GET(opts, elem_flags, 0);
	attr.batch.flags = OPTS_GET(opts, flags, 0);
	ret = bpfhost_sys_bpf(cmd, &attr, sizeof(attr));
	*count = attr.batch.count;
	return lib_err(ret);
}

int bpfhost_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			     uint32_t *count, const struct bpfhost_map_batch_opts *opts)
{
	return batch_cmd(BPF_MAP_LOOKUP_BATCH, fd, in_batch, out_batch, keys, values, count, opts);
}

int bpfhost_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch, void *keys,
					void *values, uint32_t *count,
					const struct bpfhost_map_batch_opts *opts)
{
	return batch_cmd(BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, in_batch, out_batch, keys, values,
			 count, opts);
}

int bpfhost_map_update_batch(int fd, const void *keys, const void *values, uint32_t *count,
			     const struct bpfhost_map_batch_opts *opts)
{
	return batch_cmd(BPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, values, count, opts);
}

int bpfhost_map_delete_batch(int fd, const void *keys, uint32_t *count,
			     const struct bpfhost_map_batch_opts *opts)
{
	return batch_cmd(BPF_MAP_DELETE_BATCH, fd, NULL, NULL, keys, NULL, count, opts);
}

static int path_cmd(int cmd, int fd, const char *pathname)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uint64_t)(uintptr_t)pathname;
	attr.bpf_fd = (uint32_t)fd;
	return sys(cmd, &attr);
}

int bpfhost_obj_pin(int fd, const char *pathname)
{
	return path_cmd(BPF_OBJ_PIN, fd, pathname);
}

int bpfhost_obj_get(const char *pathname)
{
	return path_cmd(BPF_OBJ_GET, 0, pathname);
}

int bpfhost_obj_unpin(const char *pathname)
{
	return path_cmd(BPFHOST_OBJ_UNPIN, 0, pathname);
}

int bpfhost_map_get_next_id(uint32_t start_id, uint32_t *next_id)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = start_id;
	ret = bpfhost_sys_bpf(BPF_MAP_GET_NEXT_ID, &attr, sizeof(attr));
	if (ret == 0 && next_id)
		*next_id = attr.next_id;
	return lib_err(ret);
}

int bpfhost_map_get_fd_by_id(uint32_t id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_id = id;
	return sys(BPF_MAP_GET_FD_BY_ID, &attr);
}

int bpfhost_map_get_info_by_fd(int fd, struct bpf_map_info *info, uint32_t *info_len)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = info_len ? *info_len : sizeof(*info);
	attr.info.info = (uint64_t)(uintptr_t)info;
	ret = bpfhost_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	if (ret == 0 && info_len)
		*info_len = attr.info.info_len;
	return lib_err(ret);
}

int bpfhost_map_mmap(int fd, void **addr, uint64_t *size, uint64_t *data_offset)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.mmap.map_fd = (uint32_t)fd;
	ret = bpfhost_sys_bpf(BPFHOST_MAP_MMAP, &attr, sizeof(attr));
	if (ret == 0) {
		if (addr)
			*addr = (void *)(uintptr_t)attr.mmap.addr;
		if (size)
			*size = attr.mmap.size;
		if (data_offset)
			*data_offset = attr.mmap.data_offset;
	}
	return lib_err(ret);
}

int bpfhost_close(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.bpf_fd = (uint32_t)fd;
	return sys(BPFHOST_OBJ_CLOSE, &attr);
}

int bpfhost_map_shape(int fd, struct bpfhost_map_shape *shape)
{
	const size_t attr_sz = offsetofend(union bpf_attr, shape.map_flags);
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, attr_sz);
	attr.shape.map_fd = (uint32_t)fd;
	ret = lib_err(bpfhost_sys_bpf(BPFHOST_MAP_SHAPE, &attr, attr_sz));
	if (!ret) {
		shape->map_type = attr.shape.map_type;
		shape->key_size = attr.shape.key_size;
		shape->value_size = attr.shape.value_size;
		shape->max_entries = attr.shape.max_entries;
		shape->map_flags = attr.shape.map_flags;
	}
	return ret;
}

int bpfhost_kfunc_info(const char *name, struct bpfhost_kfunc_info *info, uint32_t *info_len)
{
	struct bpfhost_kfunc_info out;
	union bpf_attr attr;
	uint32_t len = info_len ? *info_len : sizeof(*info);
	int ret;

	if (!name || !info)
		return lib_err(-EFAULT);
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)name;
	ret = lib_sys(BPFHOST_KFUNC_INFO, &attr);
	if (ret)
		return ret;
	out.id = attr.kfunc.id;
	out.return_kind = attr.kfunc.return_kind;
	out.return_size = attr.kfunc.return_size;
	out.arg_count = attr.kfunc.arg_count;
	memcpy(out.arg_kinds, attr.kfunc.arg_kinds, sizeof(out.arg_kinds));
	memcpy(out.arg_sizes, attr.kfunc.arg_sizes, sizeof(out.arg_sizes));
	out.ref_type = attr.kfunc.ref_type;
	out.ref_flags = attr.kfunc.ref_flags;
	/* As the info-by-fd calls: as much as the caller has room for. */
	if (len > sizeof(out))
		len = sizeof(out);
	memcpy(info, &out, len);
	if (info_len)
		*info_len = len;
	return 0;
}
