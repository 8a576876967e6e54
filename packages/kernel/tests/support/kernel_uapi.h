/* SPDX-License-Identifier: MIT */
/*
 * What uapi_layout_test compares: the names bpfhost/uapi.h declares that
 * <linux/bpf.h> (Debian's linux-libc-dev, 6.1 here) declares too. The lists
 * are X-macros so the two TUs that must not meet (kernel_uapi.c with
 * <linux/bpf.h>, the test with bpfhost/uapi.h) expand the same names in the
 * same order. Plain C types only cross this header.
 */
#ifndef BPFHOST_TEST_KERNEL_UAPI_H
#define BPFHOST_TEST_KERNEL_UAPI_H

#include <stddef.h>
#include <stdint.h>

/* Command numbers, map type numbers, flags and other constants. */
#define KUAPI_CONSTANTS(X)                                                                  \
	X(BPF_MAP_CREATE) X(BPF_MAP_LOOKUP_ELEM) X(BPF_MAP_UPDATE_ELEM) X(BPF_MAP_DELETE_ELEM) \
	X(BPF_MAP_GET_NEXT_KEY) X(BPF_PROG_LOAD) X(BPF_OBJ_PIN) X(BPF_OBJ_GET)              \
	X(BPF_PROG_ATTACH) X(BPF_PROG_DETACH) X(BPF_PROG_TEST_RUN) X(BPF_PROG_RUN)          \
	X(BPF_PROG_GET_NEXT_ID) X(BPF_MAP_GET_NEXT_ID) X(BPF_PROG_GET_FD_BY_ID)             \
	X(BPF_MAP_GET_FD_BY_ID) X(BPF_OBJ_GET_INFO_BY_FD) X(BPF_PROG_QUERY)                 \
	X(BPF_RAW_TRACEPOINT_OPEN) X(BPF_BTF_LOAD) X(BPF_BTF_GET_FD_BY_ID)                  \
	X(BPF_TASK_FD_QUERY) X(BPF_MAP_LOOKUP_AND_DELETE_ELEM) X(BPF_MAP_FREEZE)            \
	X(BPF_BTF_GET_NEXT_ID) X(BPF_MAP_LOOKUP_BATCH) X(BPF_MAP_LOOKUP_AND_DELETE_BATCH)   \
	X(BPF_MAP_UPDATE_BATCH) X(BPF_MAP_DELETE_BATCH) X(BPF_LINK_CREATE) X(BPF_LINK_UPDATE) \
	X(BPF_LINK_GET_FD_BY_ID) X(BPF_LINK_GET_NEXT_ID) X(BPF_ENABLE_STATS) X(BPF_ITER_CREATE) \
	X(BPF_LINK_DETACH) X(BPF_PROG_BIND_MAP)                                             \
	X(BPF_MAP_TYPE_UNSPEC) X(BPF_MAP_TYPE_HASH) X(BPF_MAP_TYPE_ARRAY)                   \
	X(BPF_MAP_TYPE_PROG_ARRAY) X(BPF_MAP_TYPE_PERF_EVENT_ARRAY) X(BPF_MAP_TYPE_PERCPU_HASH) \
	X(BPF_MAP_TYPE_PERCPU_ARRAY) X(BPF_MAP_TYPE_STACK_TRACE) X(BPF_MAP_TYPE_CGROUP_ARRAY) \
	X(BPF_MAP_TYPE_LRU_HASH) X(BPF_MAP_TYPE_LRU_PERCPU_HASH) X(BPF_MAP_TYPE_LPM_TRIE)   \
	X(BPF_MAP_TYPE_ARRAY_OF_MAPS) X(BPF_MAP_TYPE_HASH_OF_MAPS) X(BPF_MAP_TYPE_DEVMAP)   \
	X(BPF_MAP_TYPE_SOCKMAP) X(BPF_MAP_TYPE_CPUMAP) X(BPF_MAP_TYPE_XSKMAP)               \
	X(BPF_MAP_TYPE_SOCKHASH) X(BPF_MAP_TYPE_CGROUP_STORAGE)                             \
	X(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY) X(BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE)           \
	X(BPF_MAP_TYPE_QUEUE) X(BPF_MAP_TYPE_STACK) X(BPF_MAP_TYPE_SK_STORAGE)              \
	X(BPF_MAP_TYPE_DEVMAP_HASH) X(BPF_MAP_TYPE_STRUCT_OPS) X(BPF_MAP_TYPE_RINGBUF)      \
	X(BPF_MAP_TYPE_INODE_STORAGE) X(BPF_MAP_TYPE_TASK_STORAGE) X(BPF_MAP_TYPE_BLOOM_FILTER) \
	X(BPF_MAP_TYPE_USER_RINGBUF)                                                        \
	X(BPF_ANY) X(BPF_NOEXIST) X(BPF_EXIST) X(BPF_F_LOCK)                                \
	X(BPF_F_NO_PREALLOC) X(BPF_F_NO_COMMON_LRU) X(BPF_F_NUMA_NODE) X(BPF_F_RDONLY)      \
	X(BPF_F_WRONLY) X(BPF_F_STACK_BUILD_ID) X(BPF_F_ZERO_SEED) X(BPF_F_RDONLY_PROG)     \
	X(BPF_F_WRONLY_PROG) X(BPF_F_CLONE) X(BPF_F_MMAPABLE) X(BPF_F_PRESERVE_ELEMS)       \
	X(BPF_F_INNER_MAP)                                                                  \
	X(BPF_RINGBUF_BUSY_BIT) X(BPF_RINGBUF_DISCARD_BIT) X(BPF_RINGBUF_HDR_SZ)            \
	X(BPF_OBJ_NAME_LEN)

/* Members of union bpf_attr (designators as offsetof takes them). */
#define KUAPI_ATTR_MEMBERS(X)                                                               \
	X(map_type) X(key_size) X(value_size) X(max_entries) X(map_flags) X(inner_map_fd)   \
	X(numa_node) X(map_name) X(map_ifindex) X(btf_fd) X(btf_key_type_id)                \
	X(btf_value_type_id) X(btf_vmlinux_value_type_id) X(map_extra)                      \
	X(map_fd) X(key) X(value) X(next_key) X(flags)                                      \
	X(batch.in_batch) X(batch.out_batch) X(batch.keys) X(batch.values) X(batch.count)   \
	X(batch.map_fd) X(batch.elem_flags) X(batch.flags)                                  \
	X(prog_type) X(insn_cnt) X(insns) X(license) X(log_level) X(log_size) X(log_buf)    \
	X(kern_version) X(prog_flags) X(prog_name) X(prog_ifindex) X(expected_attach_type)  \
	X(prog_btf_fd) X(func_info_rec_size) X(func_info) X(func_info_cnt)                  \
	X(line_info_rec_size) X(line_info) X(line_info_cnt) X(attach_btf_id)                \
	X(attach_prog_fd) X(attach_btf_obj_fd) X(core_relo_cnt) X(fd_array) X(core_relos)   \
	X(core_relo_rec_size)                                                               \
	X(pathname) X(bpf_fd) X(file_flags)                                                 \
	X(test.prog_fd) X(test.retval) X(test.data_size_in) X(test.data_size_out)           \
	X(test.data_in) X(test.data_out) X(test.repeat) X(test.duration) X(test.ctx_size_in) \
	X(test.ctx_size_out) X(test.ctx_in) X(test.ctx_out) X(test.flags) X(test.cpu)       \
	X(test.batch_size)                                                                  \
	X(start_id) X(prog_id) X(map_id) X(btf_id) X(link_id) X(next_id) X(open_flags)      \
	X(info.bpf_fd) X(info.info_len) X(info.info)                                        \
	X(link_create.prog_fd) X(link_create.target_fd) X(link_create.target_ifindex)       \
	X(link_create.attach_type) X(link_create.flags) X(link_create.target_btf_id)        \
	X(link_create.iter_info) X(link_create.iter_info_len)                               \
	X(link_detach.link_fd)                                                              \
	X(prog_bind_map.prog_fd) X(prog_bind_map.map_fd) X(prog_bind_map.flags)

/* Members of struct bpf_map_info (btf_vmlinux_id is newer than 6.1: checked apart). */
#define KUAPI_MAP_INFO_MEMBERS(X)                                                           \
	X(type) X(id) X(key_size) X(value_size) X(max_entries) X(map_flags) X(name)         \
	X(ifindex) X(btf_vmlinux_value_type_id) X(netns_dev) X(netns_ino) X(btf_id)         \
	X(btf_key_type_id) X(btf_value_type_id) X(map_extra)

struct kuapi_field {
	const char *name;
	size_t offset;
	size_t size;
};

struct kuapi_const {
	const char *name;
	long long value;
};

/* <linux/bpf.h>'s values, in list order. */
extern const struct kuapi_const kuapi_linux_constants[];
extern const struct kuapi_field kuapi_linux_attr[];
extern const struct kuapi_field kuapi_linux_map_info[];
extern const size_t kuapi_linux_n_constants, kuapi_linux_n_attr, kuapi_linux_n_map_info;
/* struct bpf_lpm_trie_key: offsets of prefixlen and data (a flexible array). */
extern const size_t kuapi_linux_lpm_prefixlen_offset, kuapi_linux_lpm_data_offset;
/* sizeof of Linux's union bpf_attr, struct bpf_map_info, struct bpf_lpm_trie_key. */
extern const size_t kuapi_linux_sizeof_attr, kuapi_linux_sizeof_map_info,
	kuapi_linux_sizeof_lpm_key;
/* alignof of the first two. */
extern const size_t kuapi_linux_alignof_attr, kuapi_linux_alignof_map_info;

#endif /* BPFHOST_TEST_KERNEL_UAPI_H */
