/* SPDX-License-Identifier: MIT */
/*
 * What uapi_layout_test compares: the names bpfhost/uapi.h and
 * bpfhost/bpf_insn.h declare that <linux/bpf.h> and <linux/bpf_common.h>
 * (Debian's linux-libc-dev, 6.1 here) declare too. The lists
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
	X(BPF_OBJ_NAME_LEN)                                                                 \
	X(BPF_PROG_TYPE_UNSPEC) X(BPF_PROG_TYPE_SOCKET_FILTER) X(BPF_PROG_TYPE_KPROBE)      \
	X(BPF_PROG_TYPE_SCHED_CLS) X(BPF_PROG_TYPE_SCHED_ACT) X(BPF_PROG_TYPE_TRACEPOINT)   \
	X(BPF_PROG_TYPE_XDP)                                                                \
	X(BPF_FUNC_unspec) X(BPF_FUNC_map_lookup_elem) X(BPF_FUNC_map_update_elem)          \
	X(BPF_FUNC_map_delete_elem) X(BPF_FUNC_ktime_get_ns) X(BPF_FUNC_trace_printk)       \
	X(BPF_FUNC_get_prandom_u32) X(BPF_FUNC_get_smp_processor_id) X(BPF_FUNC_tail_call)  \
	X(BPF_FUNC_skb_load_bytes) X(BPF_FUNC_map_push_elem) X(BPF_FUNC_map_pop_elem)       \
	X(BPF_FUNC_map_peek_elem) X(BPF_FUNC_ktime_get_boot_ns) X(BPF_FUNC_ringbuf_output)  \
	X(BPF_FUNC_ringbuf_reserve) X(BPF_FUNC_ringbuf_submit) X(BPF_FUNC_ringbuf_discard)  \
	X(BPF_FUNC_ringbuf_query) X(BPF_FUNC_loop) X(BPF_FUNC_redirect) X(BPF_FUNC_csum_diff)                \
	X(BPF_FUNC_xdp_adjust_head) X(BPF_FUNC_xdp_adjust_meta) X(BPF_FUNC_xdp_adjust_tail) \
	X(BPF_FUNC_fib_lookup) X(BPF_FUNC_xdp_load_bytes) X(BPF_FUNC_xdp_store_bytes)       \
	X(BPF_FUNC_perf_event_output) X(BPF_F_INDEX_MASK) X(BPF_F_CURRENT_CPU)              \
	X(BPF_F_CTXLEN_MASK)                                                                \
	X(XDP_ABORTED) X(XDP_DROP) X(XDP_PASS) X(XDP_TX) X(XDP_REDIRECT)                    \
	X(BPF_XDP_DEVMAP) X(BPF_XDP_CPUMAP) X(BPF_XDP)                                      \
	X(BPF_F_STRICT_ALIGNMENT) X(BPF_F_ANY_ALIGNMENT) X(BPF_F_TEST_RND_HI32)             \
	X(BPF_F_TEST_STATE_FREQ) X(BPF_F_SLEEPABLE) X(BPF_F_XDP_HAS_FRAGS)                  \
	X(BPF_F_TEST_RUN_ON_CPU)                                                            \
	X(BPF_MAXINSNS)

/*
 * bpfhost/bpf_insn.h against <linux/bpf.h> and <linux/bpf_common.h>:
 * opcode fields, atomic and pseudo source encodings, register numbers.
 * (BPF_MEMSX is newer than the 6.1 headers: checked apart.)
 */
#define KUAPI_INSN_CONSTANTS(X)                                                             \
	X(BPF_LD) X(BPF_LDX) X(BPF_ST) X(BPF_STX) X(BPF_ALU) X(BPF_JMP) X(BPF_JMP32)        \
	X(BPF_ALU64)                                                                        \
	X(BPF_W) X(BPF_H) X(BPF_B) X(BPF_DW)                                                \
	X(BPF_IMM) X(BPF_ABS) X(BPF_IND) X(BPF_MEM) X(BPF_ATOMIC)                           \
	X(BPF_K) X(BPF_X)                                                                   \
	X(BPF_ADD) X(BPF_SUB) X(BPF_MUL) X(BPF_DIV) X(BPF_OR) X(BPF_AND) X(BPF_LSH)         \
	X(BPF_RSH) X(BPF_NEG) X(BPF_MOD) X(BPF_XOR) X(BPF_MOV) X(BPF_ARSH) X(BPF_END)       \
	X(BPF_TO_LE) X(BPF_TO_BE) X(BPF_FROM_LE) X(BPF_FROM_BE)                             \
	X(BPF_JA) X(BPF_JEQ) X(BPF_JGT) X(BPF_JGE) X(BPF_JSET) X(BPF_JNE) X(BPF_JSGT)       \
	X(BPF_JSGE) X(BPF_CALL) X(BPF_EXIT) X(BPF_JLT) X(BPF_JLE) X(BPF_JSLT) X(BPF_JSLE)   \
	X(BPF_FETCH) X(BPF_XCHG) X(BPF_CMPXCHG)                                             \
	X(BPF_PSEUDO_MAP_FD) X(BPF_PSEUDO_MAP_VALUE) X(BPF_PSEUDO_BTF_ID) X(BPF_PSEUDO_FUNC) \
	X(BPF_PSEUDO_MAP_IDX) X(BPF_PSEUDO_MAP_IDX_VALUE) X(BPF_PSEUDO_CALL)                \
	X(BPF_PSEUDO_KFUNC_CALL)                                                            \
	X(BPF_REG_0) X(BPF_REG_1) X(BPF_REG_2) X(BPF_REG_3) X(BPF_REG_4) X(BPF_REG_5)       \
	X(BPF_REG_6) X(BPF_REG_7) X(BPF_REG_8) X(BPF_REG_9) X(BPF_REG_10) X(MAX_BPF_REG)

/* Function-like macros that take an opcode apart: compared on all 256 opcodes. */
#define KUAPI_INSN_FIELD_MACROS(X) X(BPF_CLASS) X(BPF_SIZE) X(BPF_MODE) X(BPF_OP) X(BPF_SRC)

/* struct bpf_insn members offsetof can take (dst_reg/src_reg are bit-fields: encoded). */
#define KUAPI_INSN_MEMBERS(X) X(code) X(off) X(imm)

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

/* Members of struct bpf_prog_info (gpl_compatible is a bit-field: encoded apart). */
#define KUAPI_PROG_INFO_MEMBERS(X)                                                          \
	X(type) X(id) X(tag) X(jited_prog_len) X(xlated_prog_len) X(jited_prog_insns)       \
	X(xlated_prog_insns) X(load_time) X(created_by_uid) X(nr_map_ids) X(map_ids) X(name) \
	X(ifindex) X(netns_dev) X(netns_ino) X(nr_jited_ksyms) X(nr_jited_func_lens)        \
	X(jited_ksyms) X(jited_func_lens) X(btf_id) X(func_info_rec_size) X(func_info)      \
	X(nr_func_info) X(nr_line_info) X(line_info) X(jited_line_info) X(nr_jited_line_info) \
	X(line_info_rec_size) X(jited_line_info_rec_size) X(nr_prog_tags) X(prog_tags)      \
	X(run_time_ns) X(run_cnt) X(recursion_misses) X(verified_insns) X(attach_btf_obj_id) \
	X(attach_btf_id)

/*
 * The head of struct bpf_link_info both declare. Linux follows it with a
 * union of per-link-type structs (8-byte aligned, so at offset 16);
 * bpfhost declares only the head plus its own attach_type in the 4 bytes
 * of padding before that union (checked apart).
 */
#define KUAPI_LINK_INFO_MEMBERS(X) X(type) X(id) X(prog_id)

/*
 * struct __sk_buff (Linux side only: bpfhost has no such struct; the
 * socket filter's SKB_* offsets in src/prog/socket_filter.c are compared
 * with these by name). Every member of the 6.1 headers.
 */
#define KUAPI_SKB_MEMBERS(X)                                                                \
	X(len) X(pkt_type) X(mark) X(queue_mapping) X(protocol) X(vlan_present) X(vlan_tci) \
	X(vlan_proto) X(priority) X(ingress_ifindex) X(ifindex) X(tc_index) X(cb) X(hash)   \
	X(tc_classid) X(data) X(data_end) X(napi_id) X(family) X(remote_ip4) X(local_ip4)   \
	X(remote_ip6) X(local_ip6) X(remote_port) X(local_port) X(data_meta) X(flow_keys)   \
	X(tstamp) X(wire_len) X(gso_segs) X(sk) X(gso_size) X(tstamp_type) X(hwtstamp)

struct kuapi_field {
	const char *name;
	size_t offset;
	size_t size;
};

struct kuapi_const {
	const char *name;
	long long value;
};

/* An opcode-field macro applied to one opcode. */
struct kuapi_code_macro {
	const char *name;
	long long (*apply)(int code);
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

/* bpf_insn.h's counterparts. */
extern const struct kuapi_const kuapi_linux_insn_constants[];
extern const struct kuapi_code_macro kuapi_linux_insn_macros[];
extern const struct kuapi_field kuapi_linux_insn[];
extern const size_t kuapi_linux_n_insn_constants, kuapi_linux_n_insn_macros, kuapi_linux_n_insn;
extern const size_t kuapi_linux_sizeof_insn;
/* Linux's struct bpf_insn with these fields, as bytes (8). */
void kuapi_linux_insn_bytes(uint8_t out[8], uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm);

/* struct bpf_prog_info and struct bpf_link_info. */
extern const struct kuapi_field kuapi_linux_prog_info[], kuapi_linux_link_info[];
extern const size_t kuapi_linux_n_prog_info, kuapi_linux_n_link_info;
extern const size_t kuapi_linux_sizeof_prog_info, kuapi_linux_alignof_prog_info;
extern const size_t kuapi_linux_sizeof_link_info, kuapi_linux_alignof_link_info;
/* Linux's bpf_prog_info with only gpl_compatible = 1, as bytes (@len <= its size). */
void kuapi_linux_prog_info_gpl_bytes(uint8_t *out, size_t len);
/* Where Linux's per-link-type union starts, and where its tracing.attach_type is. */
extern const size_t kuapi_linux_link_info_union_offset, kuapi_linux_link_info_tracing_attach_type;

/* One past the last number of each Linux enum (bpfhost's own ranges start above). */
extern const long long kuapi_linux_max_cmd, kuapi_linux_max_map_type, kuapi_linux_max_prog_type,
	kuapi_linux_max_attach_type, kuapi_linux_max_func_id;

/* struct __sk_buff members, its size, and <linux/if_ether.h>'s ETH_HLEN. */
extern const struct kuapi_field kuapi_linux_skb[];
extern const size_t kuapi_linux_n_skb, kuapi_linux_sizeof_skb, kuapi_linux_eth_hlen;

#endif /* BPFHOST_TEST_KERNEL_UAPI_H */
