/* SPDX-License-Identifier: MIT */
/*
 * bpfhost UAPI: the command numbers, map types, flags and `union bpf_attr`
 * layout of Linux's bpf(2), so that code written against bpf(2) drives the
 * in-process core unchanged. Numbers and field offsets equal Linux's
 * (tests/unit/uapi_layout_test.c checks them against <linux/bpf.h>).
 *
 * Do not include this together with <linux/bpf.h> in one translation unit:
 * both define the same names.
 */
#ifndef BPFHOST_UAPI_H
#define BPFHOST_UAPI_H

#include <stdint.h>

#include "ext_ids.h"

#define BPF_OBJ_NAME_LEN 16U

/* Commands of bpf(2), Linux numbering. */
enum bpf_cmd {
	BPF_MAP_CREATE = 0,
	BPF_MAP_LOOKUP_ELEM = 1,
	BPF_MAP_UPDATE_ELEM = 2,
	BPF_MAP_DELETE_ELEM = 3,
	BPF_MAP_GET_NEXT_KEY = 4,
	BPF_PROG_LOAD = 5,
	BPF_OBJ_PIN = 6,
	BPF_OBJ_GET = 7,
	BPF_PROG_ATTACH = 8,
	BPF_PROG_DETACH = 9,
	BPF_PROG_TEST_RUN = 10,
	BPF_PROG_RUN = BPF_PROG_TEST_RUN,
	BPF_PROG_GET_NEXT_ID = 11,
	BPF_MAP_GET_NEXT_ID = 12,
	BPF_PROG_GET_FD_BY_ID = 13,
	BPF_MAP_GET_FD_BY_ID = 14,
	BPF_OBJ_GET_INFO_BY_FD = 15,
	BPF_PROG_QUERY = 16,
	BPF_RAW_TRACEPOINT_OPEN = 17,
	BPF_BTF_LOAD = 18,
	BPF_BTF_GET_FD_BY_ID = 19,
	BPF_TASK_FD_QUERY = 20,
	BPF_MAP_LOOKUP_AND_DELETE_ELEM = 21,
	BPF_MAP_FREEZE = 22,
	BPF_BTF_GET_NEXT_ID = 23,
	BPF_MAP_LOOKUP_BATCH = 24,
	BPF_MAP_LOOKUP_AND_DELETE_BATCH = 25,
	BPF_MAP_UPDATE_BATCH = 26,
	BPF_MAP_DELETE_BATCH = 27,
	BPF_LINK_CREATE = 28,
	BPF_LINK_UPDATE = 29,
	BPF_LINK_GET_FD_BY_ID = 30,
	BPF_LINK_GET_NEXT_ID = 31,
	BPF_ENABLE_STATS = 32,
	BPF_ITER_CREATE = 33,
	BPF_LINK_DETACH = 34,
	BPF_PROG_BIND_MAP = 35,

	/*
	 * bpfhost's own commands, for what Linux does with other syscalls
	 * (close(2), unlink(2), mmap(2)). Far above Linux's range.
	 */
	BPFHOST_OBJ_CLOSE = 0x10000,	/* attr->bpf_fd */
	BPFHOST_OBJ_UNPIN = 0x10001,	/* attr->pathname */
	BPFHOST_MAP_MMAP = 0x10002,	/* attr->mmap */
	/* Section name -> program type via the registered providers. */
	BPFHOST_PROG_TYPE_BY_SECTION = 0x10003,	/* attr->section */
	/* The helper ids a program type's programs may call (bpftool feature's list). */
	BPFHOST_PROG_TYPE_HELPERS = 0x10008,	/* attr->type_helpers */
	/* Fires a hook (its provider's trigger) with data, as a test or demo does. */
	BPFHOST_HOOK_TRIGGER = 0x10004,		/* attr->trigger */
	/* Reads and drains the trace log bpf_trace_printk writes to. */
	BPFHOST_TRACE_READ = 0x10005,		/* attr->trace */
	/* Sleeps until a ring buffer has records to consume (what epoll does on Linux). */
	BPFHOST_RINGBUF_WAIT = 0x10006,		/* attr->ringbuf_wait */
	/* A map's type and sizes, cheaply (bindings check buffers with it per call). */
	BPFHOST_MAP_SHAPE = 0x10007,		/* attr->shape */
	BPFHOST_PROG_TYPE_BTF = 0x10010,	/* attr->type_btf: an extension type's CO-RE BTF */
	/* A registered kfunc by name: its id (a call's imm) and prototype. */
	BPFHOST_KFUNC_INFO = 0x10020,		/* attr->kfunc */
};

/* attr->ringbuf_wait.flags */
#define BPFHOST_RINGBUF_WAKE_ALL 1u

/*
 * attr->kfunc.ref_flags: the kfunc returns a reference (RET_ACQUIRED) or
 * takes one back (an ARG_RELEASE argument); WRITABLE: programs may write
 * the bytes it acquires (extension.h's BPFHOST_KFUNC_REF_WRITABLE, same bit).
 */
#define BPFHOST_KFUNC_INFO_WRITABLE 0x1u
#define BPFHOST_KFUNC_INFO_ACQUIRE 0x2u
#define BPFHOST_KFUNC_INFO_RELEASE 0x4u

/* Program types, Linux numbering. Extension types start at BPFHOST_PROG_TYPE_EXT_BASE. */
enum bpf_prog_type {
	BPF_PROG_TYPE_UNSPEC = 0,
	BPF_PROG_TYPE_SOCKET_FILTER = 1,
	BPF_PROG_TYPE_KPROBE = 2,
	BPF_PROG_TYPE_SCHED_CLS = 3,
	BPF_PROG_TYPE_SCHED_ACT = 4,
	BPF_PROG_TYPE_TRACEPOINT = 5,
	BPF_PROG_TYPE_XDP = 6,
};

/* Helper ids the core implements, Linux numbering. */
enum bpf_func_id {
	BPF_FUNC_unspec = 0,
	BPF_FUNC_map_lookup_elem = 1,
	BPF_FUNC_map_update_elem = 2,
	BPF_FUNC_map_delete_elem = 3,
	BPF_FUNC_ktime_get_ns = 5,
	BPF_FUNC_trace_printk = 6,
	BPF_FUNC_get_prandom_u32 = 7,
	BPF_FUNC_get_smp_processor_id = 8,
	BPF_FUNC_tail_call = 12,
	BPF_FUNC_redirect = 23,
	BPF_FUNC_perf_event_output = 25,
	BPF_FUNC_skb_load_bytes = 26,
	BPF_FUNC_csum_diff = 28,
	BPF_FUNC_xdp_adjust_head = 44,
	BPF_FUNC_xdp_adjust_meta = 54,
	BPF_FUNC_xdp_adjust_tail = 65,
	BPF_FUNC_fib_lookup = 69,
	BPF_FUNC_map_push_elem = 87,
	BPF_FUNC_map_pop_elem = 88,
	BPF_FUNC_map_peek_elem = 89,
	BPF_FUNC_ktime_get_boot_ns = 125,
	BPF_FUNC_ringbuf_output = 130,
	BPF_FUNC_ringbuf_reserve = 131,
	BPF_FUNC_ringbuf_submit = 132,
	BPF_FUNC_ringbuf_discard = 133,
	BPF_FUNC_ringbuf_query = 134,
	BPF_FUNC_loop = 181,
	BPF_FUNC_xdp_load_bytes = 189,
	BPF_FUNC_xdp_store_bytes = 190,
};

/* What an XDP program returns (enum xdp_action). */
enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP,
	XDP_PASS,
	XDP_TX,
	XDP_REDIRECT,
};

/* XDP attach types the section names select (Linux numbering). */
#define BPF_XDP_DEVMAP 33U
#define BPF_XDP_CPUMAP 35U
#define BPF_XDP 37U

/* Flags of BPF_PROG_LOAD (prog_flags) bpfhost knows; others give -EINVAL. */
#define BPF_F_STRICT_ALIGNMENT (1U << 0)
#define BPF_F_ANY_ALIGNMENT (1U << 1)
#define BPF_F_TEST_RND_HI32 (1U << 2)
#define BPF_F_TEST_STATE_FREQ (1U << 3)
#define BPF_F_SLEEPABLE (1U << 4)
#define BPF_F_XDP_HAS_FRAGS (1U << 5)	/* XDP only: accepted, frames are one buffer */
/*
 * bpfhost's own prog_flags (Linux leaves these bits unused).
 * UNPRIVILEGED: verify with Linux's rules for loads without CAP_BPF and
 * CAP_PERFMON (no pointer may reach a map, the context, a helper as a
 * number or r0; no pointer comparisons; no uninitialised stack reads), for
 * embedders that run programs from less trusted authors.
 * TEST_UNVERIFIED: test-only. The program is loaded after the structural
 * check alone, without the static verifier, so that tests can exercise the
 * run-time checks with programs the verifier refuses (and the ISA
 * conformance runner can run its raw tests). Never set it for real
 * programs: only the run-time checks then stand between them and the host.
 */
#define BPFHOST_F_UNPRIVILEGED (1U << 30)
#define BPFHOST_F_TEST_UNVERIFIED (1U << 31)

/* Flags of BPF_PROG_TEST_RUN. */
#define BPF_F_TEST_RUN_ON_CPU (1U << 0)

/* Limits, as Linux. */
#define BPF_MAXINSNS 4096U		/* per program for unprivileged Linux; bpfhost's limit */
/*
 * Every run of a program ends: it may execute at most this many instructions
 * (an lddw counts as two) unless the test run or the link sets its own budget;
 * past it the program stops with -ELOOP. A backstop, not a limit programs are
 * meant to meet: `ja -1` is stopped after 24 ms on the machines here.
 */
#define BPFHOST_INSN_BUDGET_DEFAULT 16777216U
#define BPFHOST_MAX_INSNS 1000000U	/* privileged Linux's limit (BPF_COMPLEXITY_LIMIT_INSNS) */
#define MAX_BPF_STACK 512U
/* The largest map value the core creates (bytes): a global data section must fit in one. */
#define BPFHOST_MAP_MAX_VALUE_SIZE (1U << 26)
#define MAX_TAIL_CALL_CNT 33U
#define MAX_CALL_FRAMES 8U

/* Map types, Linux numbering. Custom types start at BPFHOST_MAP_TYPE_EXT_BASE. */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_HASH_OF_MAPS = 13,
	BPF_MAP_TYPE_DEVMAP = 14,
	BPF_MAP_TYPE_SOCKMAP = 15,
	BPF_MAP_TYPE_CPUMAP = 16,
	BPF_MAP_TYPE_XSKMAP = 17,
	BPF_MAP_TYPE_SOCKHASH = 18,
	BPF_MAP_TYPE_CGROUP_STORAGE = 19,
	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21,
	BPF_MAP_TYPE_QUEUE = 22,
	BPF_MAP_TYPE_STACK = 23,
	BPF_MAP_TYPE_SK_STORAGE = 24,
	BPF_MAP_TYPE_DEVMAP_HASH = 25,
	BPF_MAP_TYPE_STRUCT_OPS = 26,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_INODE_STORAGE = 28,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
	BPF_MAP_TYPE_BLOOM_FILTER = 30,
	BPF_MAP_TYPE_USER_RINGBUF = 31,
	BPF_MAP_TYPE_CGRP_STORAGE = 32,
	BPF_MAP_TYPE_ARENA = 33,
	__MAX_BPF_MAP_TYPE
};

/* Flags of BPF_MAP_UPDATE_ELEM. */
#define BPF_ANY 0ULL
#define BPF_NOEXIST 1ULL
#define BPF_EXIST 2ULL
#define BPF_F_LOCK 4ULL

/* Flags of BPF_MAP_CREATE (map_flags). */
#define BPF_F_NO_PREALLOC (1U << 0)
#define BPF_F_NO_COMMON_LRU (1U << 1)
#define BPF_F_NUMA_NODE (1U << 2)
#define BPF_F_RDONLY (1U << 3)
#define BPF_F_WRONLY (1U << 4)
#define BPF_F_STACK_BUILD_ID (1U << 5)
#define BPF_F_ZERO_SEED (1U << 6)
#define BPF_F_RDONLY_PROG (1U << 7)
/* bpf_perf_event_output flags: the slot, or this CPU's; the bits above are the ctx length. */
#define BPF_F_INDEX_MASK 0xffffffffULL
#define BPF_F_CURRENT_CPU BPF_F_INDEX_MASK
#define BPF_F_CTXLEN_MASK (0xfffffULL << 32)
#define BPF_F_WRONLY_PROG (1U << 8)
#define BPF_F_CLONE (1U << 9)
#define BPF_F_MMAPABLE (1U << 10)
#define BPF_F_PRESERVE_ELEMS (1U << 11)
#define BPF_F_INNER_MAP (1U << 12)

/* Ring buffer record header bits (consumer-visible layout, as Linux). */
#define BPF_RINGBUF_BUSY_BIT (1U << 31)
#define BPF_RINGBUF_DISCARD_BIT (1U << 30)
#define BPF_RINGBUF_HDR_SZ 8U

#define bpfhost_aligned_u64 uint64_t __attribute__((aligned(8)))

/*
 * The argument of every command. Field offsets are Linux's; members that
 * bpfhost does not act on yet are still laid out so attrs built for
 * bpf(2) keep their meaning.
 */
/* Where a test run's redirect verdict sends the frame (attr->test.redirect_kind). */
enum bpfhost_redirect_kind {
	BPFHOST_REDIRECT_NONE = 0,
	BPFHOST_REDIRECT_IFINDEX = 1,	/* bpf_redirect(ifindex, flags) */
	BPFHOST_REDIRECT_MAP = 2,	/* bpf_redirect_map on a DEVMAP(_HASH): the entry at key, its ifindex */
	BPFHOST_REDIRECT_BROADCAST = 3,	/* bpf_redirect_map with BPF_F_BROADCAST: every entry of the devmap */
	BPFHOST_REDIRECT_CPU = 4,	/* bpf_redirect_map on a CPUMAP: the CPU (the key) */
};

union bpf_attr {
	struct { /* BPF_MAP_CREATE */
		uint32_t map_type;
		uint32_t key_size;
		uint32_t value_size;
		uint32_t max_entries;
		uint32_t map_flags;
		uint32_t inner_map_fd;
		uint32_t numa_node;
		char map_name[BPF_OBJ_NAME_LEN];
		uint32_t map_ifindex;
		uint32_t btf_fd;
		uint32_t btf_key_type_id;
		uint32_t btf_value_type_id;
		uint32_t btf_vmlinux_value_type_id;
		uint64_t map_extra;
	};

	struct { /* BPF_MAP_*_ELEM and BPF_MAP_GET_NEXT_KEY */
		uint32_t map_fd;
		bpfhost_aligned_u64 key;
		union {
			bpfhost_aligned_u64 value;
			bpfhost_aligned_u64 next_key;
		};
		uint64_t flags;
		/*
		 * bpfhost only, BPF_MAP_LOOKUP_ELEM and BPF_MAP_UPDATE_ELEM: the
		 * sizes of the caller's key and value buffers. When
		 * value_buf_size is not 0, the command fails with -EINVAL unless
		 * both match the map (the value as user space sees it: per CPU,
		 * one 8-byte aligned slot per possible CPU). Callers that cannot
		 * trust their buffers (language bindings) need no second call.
		 */
		uint32_t key_buf_size;
		uint32_t value_buf_size;
	};

	struct { /* BPF_MAP_*_BATCH */
		bpfhost_aligned_u64 in_batch;
		bpfhost_aligned_u64 out_batch;
		bpfhost_aligned_u64 keys;
		bpfhost_aligned_u64 values;
		uint32_t count;
		uint32_t map_fd;
		uint64_t elem_flags;
		uint64_t flags;
	} batch;

	struct { /* BPF_PROG_LOAD */
		uint32_t prog_type;
		uint32_t insn_cnt;
		bpfhost_aligned_u64 insns;
		bpfhost_aligned_u64 license;
		uint32_t log_level;
		uint32_t log_size;
		bpfhost_aligned_u64 log_buf;
		uint32_t kern_version;
		uint32_t prog_flags;
		char prog_name[BPF_OBJ_NAME_LEN];
		uint32_t prog_ifindex;
		uint32_t expected_attach_type;
		uint32_t prog_btf_fd;
		uint32_t func_info_rec_size;
		bpfhost_aligned_u64 func_info;
		uint32_t func_info_cnt;
		uint32_t line_info_rec_size;
		bpfhost_aligned_u64 line_info;
		uint32_t line_info_cnt;
		uint32_t attach_btf_id;
		union {
			uint32_t attach_prog_fd;
			uint32_t attach_btf_obj_fd;
		};
		uint32_t core_relo_cnt;
		bpfhost_aligned_u64 fd_array;
		bpfhost_aligned_u64 core_relos;
		uint32_t core_relo_rec_size;
		/* Linux 6.4+'s log_true_size, prog_token_fd, fd_array_cnt: not read (pass 0). */
		uint32_t bpfhost_linux_reserved[3];
		/*
		 * bpfhost: the string section line_info's file_name_off and
		 * line_off point into (Linux takes it from the BTF of
		 * prog_btf_fd; bpfhost keeps no BTF objects): the bytes of an
		 * object's `.BTF` string section, starting and ending with NUL.
		 * Required with line_info; copied and kept with the program.
		 */
		bpfhost_aligned_u64 btf_strs;
		uint32_t btf_strs_size;
	};

	struct { /* BPF_OBJ_PIN, BPF_OBJ_GET, BPFHOST_OBJ_CLOSE/UNPIN */
		bpfhost_aligned_u64 pathname;
		uint32_t bpf_fd;
		uint32_t file_flags;
	};

	struct { /* BPF_PROG_TEST_RUN */
		uint32_t prog_fd;
		uint32_t retval;
		uint32_t data_size_in;
		uint32_t data_size_out;
		bpfhost_aligned_u64 data_in;
		bpfhost_aligned_u64 data_out;
		uint32_t repeat;
		uint32_t duration;
		uint32_t ctx_size_in;
		uint32_t ctx_size_out;
		bpfhost_aligned_u64 ctx_in;
		bpfhost_aligned_u64 ctx_out;
		uint32_t flags;
		uint32_t cpu;
		uint32_t batch_size;
		/*
		 * bpfhost: the instruction budget of each run (0: the default,
		 * BPFHOST_INSN_BUDGET_DEFAULT); a run past it stops with -ELOOP.
		 */
		uint32_t insn_budget;
		/* bpfhost, out: the redirect verdict's target (struct bpfhost_test_run_opts). */
		uint32_t redirect_kind;
		uint32_t redirect_target;
		uint32_t redirect_map_id;
		uint32_t redirect_key;
		uint32_t redirect_flags;
	} test;

	struct { /* BPF_*_GET_*_ID */
		union {
			uint32_t start_id;
			uint32_t prog_id;
			uint32_t map_id;
			uint32_t btf_id;
			uint32_t link_id;
		};
		uint32_t next_id;
		uint32_t open_flags;
	};

	struct { /* BPF_OBJ_GET_INFO_BY_FD */
		uint32_t bpf_fd;
		uint32_t info_len;
		bpfhost_aligned_u64 info;
	} info;

	struct { /* BPF_LINK_CREATE */
		union {
			uint32_t prog_fd;
			uint32_t map_fd;
		};
		union {
			uint32_t target_fd;
			uint32_t target_ifindex;
		};
		uint32_t attach_type;
		uint32_t flags;
		union {
			uint32_t target_btf_id;
			struct {
				bpfhost_aligned_u64 iter_info;
				uint32_t iter_info_len;
			};
		};
		/*
		 * bpfhost: the instruction budget of each run of the linked
		 * program (0: BPFHOST_INSN_BUDGET_DEFAULT), where Linux keeps
		 * the fields of link types bpfhost does not have.
		 */
		uint32_t insn_budget;
	} link_create;

	struct { /* BPF_LINK_DETACH */
		uint32_t link_fd;
	} link_detach;

	struct { /* BPF_PROG_BIND_MAP */
		uint32_t prog_fd;
		uint32_t map_fd;
		uint32_t flags;
	} prog_bind_map;

	struct { /* BPFHOST_PROG_TYPE_BY_SECTION */
		bpfhost_aligned_u64 name;	/* in: the ELF section name */
		uint32_t prog_type;		/* out */
		uint32_t expected_attach_type;	/* out */
	} section;

	struct { /* BPFHOST_PROG_TYPE_HELPERS */
		uint32_t prog_type;		/* in */
		uint32_t id_cnt;		/* in: room in ids; out: how many the type has */
		bpfhost_aligned_u64 ids;	/* in: uint32_t[id_cnt]: Linux ids ascending, then the type's own */
		bpfhost_aligned_u64 names;	/* in: the helpers' names, NUL-terminated, in ids' order */
		uint32_t names_size;		/* in: bytes at names; out: bytes all the names take */
	} type_helpers;

	struct { /* BPFHOST_HOOK_TRIGGER */
		uint32_t attach_type;		/* in: the hook */
		uint32_t data_size;		/* in */
		bpfhost_aligned_u64 data;	/* in */
		uint32_t prog_cnt;		/* out: programs that ran */
		uint32_t retval;		/* out: the provider's result */
	} trigger;

	struct { /* BPFHOST_TRACE_READ */
		bpfhost_aligned_u64 buf;	/* out: lines, '\n'-terminated */
		uint32_t buf_size;		/* in */
		uint32_t len;			/* out: bytes written */
	} trace;

	/*
	 * BPFHOST_RINGBUF_WAIT. With flags BPFHOST_RINGBUF_WAKE_ALL it does not
	 * wait: every thread waiting on the ring returns now (ready 0 if it has
	 * no records), as closing a consumer needs.
	 */
	struct { /* BPFHOST_RINGBUF_WAIT */
		uint32_t map_fd;		/* in: a BPF_MAP_TYPE_RINGBUF */
		int32_t timeout_ms;		/* in: < 0 waits without limit */
		uint32_t ready;			/* out: 1 records to consume, 0 timed out or woken */
		uint32_t flags;			/* in: BPFHOST_RINGBUF_WAKE_ALL or 0 */
	} ringbuf_wait;

	struct { /* BPFHOST_PROG_TYPE_BTF */
		uint32_t index;			/* in: 0, 1, ... over types that have one */
		uint32_t prog_type;		/* out */
		bpfhost_aligned_u64 buf;	/* in: where the BTF goes (buf_size bytes) */
		uint32_t buf_size;		/* in: 0 asks the size only */
		uint32_t btf_size;		/* out */
	} type_btf;

	/*
	 * BPFHOST_KFUNC_INFO: the kfunc a module registered as @name. A program
	 * calls it with BPF_JMP | BPF_CALL, src_reg BPF_PSEUDO_KFUNC_CALL, imm
	 * @id (off 0). Kinds are extension.h's bpfhost_kfunc ones. -ENOENT when
	 * no loaded module registers the name. Fields appended later are
	 * written only when the caller's attr size covers them, so a caller
	 * that passes the size of an older layout gets that layout.
	 */
	struct { /* BPFHOST_KFUNC_INFO */
		bpfhost_aligned_u64 name;	/* in: NUL-terminated, under 128 bytes */
		uint32_t id;			/* out */
		uint32_t return_kind;		/* out */
		uint32_t return_size;		/* out */
		uint32_t arg_count;		/* out */
		uint32_t arg_kinds[5];		/* out */
		uint32_t arg_sizes[5];		/* out */
		/* Since references: */
		uint32_t ref_type;		/* out: the tag it acquires or releases; 0 if neither */
		uint32_t ref_flags;		/* out: BPFHOST_KFUNC_INFO_* */
	} kfunc;

	struct { /* BPFHOST_MAP_SHAPE */
		uint32_t map_fd;		/* in */
		uint32_t map_type;		/* out */
		uint32_t key_size;		/* out */
		uint32_t value_size;		/* out: one CPU's value for per-CPU maps */
		uint32_t max_entries;		/* out */
		uint32_t map_flags;		/* out */
	} shape;

	struct { /* BPFHOST_MAP_MMAP: where a map's shared memory lives */
		uint32_t map_fd;
		uint32_t pad;
		bpfhost_aligned_u64 addr;	/* out: start of the mapping */
		bpfhost_aligned_u64 size;	/* out: bytes */
		bpfhost_aligned_u64 data_offset; /* out: where data pages start */
	} mmap;
} __attribute__((aligned(8)));

/* BPF_OBJ_GET_INFO_BY_FD on a map. */
struct bpf_map_info {
	uint32_t type;
	uint32_t id;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t ifindex;
	uint32_t btf_vmlinux_value_type_id;
	uint64_t netns_dev;
	uint64_t netns_ino;
	uint32_t btf_id;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	uint32_t btf_vmlinux_id;
	uint64_t map_extra;
	bpfhost_aligned_u64 hash;	/* Linux 6.15's (signed maps); bpfhost: 0 */
	uint32_t hash_size;
	/*
	 * bpfhost, in Linux's tail padding: ring buffer records the core
	 * discarded because the program that reserved them ended without
	 * submitting or discarding them.
	 */
	uint32_t ringbuf_abandoned;
} __attribute__((aligned(8)));

/* BPF_OBJ_GET_INFO_BY_FD on a program (the fields bpfhost fills; Linux's layout). */
struct bpf_prog_info {
	uint32_t type;
	uint32_t id;
	uint8_t tag[8];
	uint32_t jited_prog_len;
	uint32_t xlated_prog_len;
	bpfhost_aligned_u64 jited_prog_insns;
	bpfhost_aligned_u64 xlated_prog_insns;
	uint64_t load_time;
	uint32_t created_by_uid;
	uint32_t nr_map_ids;
	bpfhost_aligned_u64 map_ids;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t ifindex;
	uint32_t gpl_compatible : 1;
	uint32_t : 31;
	uint64_t netns_dev;
	uint64_t netns_ino;
	uint32_t nr_jited_ksyms;
	uint32_t nr_jited_func_lens;
	bpfhost_aligned_u64 jited_ksyms;
	bpfhost_aligned_u64 jited_func_lens;
	uint32_t btf_id;
	uint32_t func_info_rec_size;
	bpfhost_aligned_u64 func_info;
	uint32_t nr_func_info;
	uint32_t nr_line_info;
	bpfhost_aligned_u64 line_info;
	bpfhost_aligned_u64 jited_line_info;
	uint32_t nr_jited_line_info;
	uint32_t line_info_rec_size;
	uint32_t jited_line_info_rec_size;
	uint32_t nr_prog_tags;
	bpfhost_aligned_u64 prog_tags;
	uint64_t run_time_ns;
	uint64_t run_cnt;
	uint64_t recursion_misses;
	uint32_t verified_insns;
	uint32_t attach_btf_obj_id;
	uint32_t attach_btf_id;
} __attribute__((aligned(8)));

/*
 * BPF_PROG_LOAD func_info and line_info records (Linux's layout; insn_off in
 * instructions). A record may be longer (rec_size) if its extra bytes are 0.
 * bpfhost does not check type_id (it keeps no BTF); it checks that func_info
 * starts one record per function (the entry and each bpf-to-bpf call target).
 */
struct bpf_func_info {
	uint32_t insn_off;
	uint32_t type_id;
};

struct bpf_line_info {
	uint32_t insn_off;
	uint32_t file_name_off;		/* into btf_strs */
	uint32_t line_off;		/* into btf_strs: the source line's text */
	uint32_t line_col;		/* line << 10 | column */
};

/*
 * BPF_PROG_LOAD core_relos records (Linux's struct bpf_core_relo; insn_off
 * in bytes, access_str_off into btf_strs). bpfhost does not relocate in the
 * core: the loader does. Records name only instructions the loader poisoned
 * (BPFHOST_POISON_HELPER_ID calls), so reaching one can say which
 * relocation failed; a record on any other instruction is refused.
 */
struct bpf_core_relo {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind;			/* libbpf's enum bpf_core_relo_kind */
};

/*
 * The call a loader writes over an instruction whose CO-RE relocation it
 * could not resolve (libbpf's marker, "bad relo"). bpfhost loads such a
 * program; reaching the instruction stops the run with a message that names
 * the C line when the program has line info.
 */
#define BPFHOST_POISON_HELPER_ID 0xbad2310U


/* BPF_OBJ_GET_INFO_BY_FD on a link (the common head of Linux's layout). */
struct bpf_link_info {
	uint32_t type;
	uint32_t id;
	uint32_t prog_id;
	uint32_t attach_type;		/* bpfhost: the hook's attach type */
} __attribute__((aligned(8)));

/* The key of BPF_MAP_TYPE_LPM_TRIE: a prefix length, then the data. */
struct bpf_lpm_trie_key {
	uint32_t prefixlen;
	uint8_t data[];
};

#endif /* BPFHOST_UAPI_H */
