/* SPDX-License-Identifier: MIT */
/*
 * Thin wrappers, one per command, after libbpf's bpf.h. Each returns 0 (or
 * a handle) on success and a negative errno on failure, also setting errno;
 * bpfhost_last_error() then says what was wrong.
 */
#ifndef BPFHOST_BPF_H
#define BPFHOST_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options structs carry their size first and end with a zero-width tail. */
#define BPFHOST_OPTS(TYPE, NAME, ...)                                          \
	struct TYPE NAME = ({                                                  \
		__builtin_memset(&NAME, 0, sizeof(struct TYPE));               \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };       \
	})

struct bpfhost_map_create_opts {
	size_t sz;
	uint32_t map_flags;
	uint32_t inner_map_fd;
	uint32_t numa_node;
	uint32_t btf_fd;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	uint64_t map_extra;
	size_t : 0;
};
#define bpfhost_map_create_opts__last_field map_extra

/**
 * @brief **bpfhost_map_create()** creates a map.
 * @return a handle, or -EINVAL (bad sizes/flags/type), -E2BIG (over a limit),
 * -EOPNOTSUPP (custom type nobody registered), -ENOMEM, a provider's error
 */
BPFHOST_API int bpfhost_map_create(uint32_t map_type, const char *map_name, uint32_t key_size,
				   uint32_t value_size, uint32_t max_entries,
				   const struct bpfhost_map_create_opts *opts);

/** @return 0, -ENOENT (no such key), -EBADF, -EINVAL, -EPERM */
BPFHOST_API int bpfhost_map_lookup_elem(int fd, const void *key, void *value);
BPFHOST_API int bpfhost_map_lookup_elem_flags(int fd, const void *key, void *value, uint64_t flags);
/** @return 0, -EEXIST (BPF_NOEXIST), -ENOENT (BPF_EXIST), -E2BIG (full), -EINVAL */
BPFHOST_API int bpfhost_map_update_elem(int fd, const void *key, const void *value, uint64_t flags);
/**
 * @brief bpfhost only: lookup and update with the sizes of the caller's
 * buffers. The core refuses (-EINVAL, naming the map and both sizes) a
 * @p key_size or @p value_size that does not match the map, instead of
 * reading or writing past a buffer; @p value_size is per-CPU sized for
 * per-CPU maps. For callers that cannot trust their buffers' sizes
 * (language bindings): one call instead of a shape query and the call.
 */
BPFHOST_API int bpfhost_map_lookup_elem_sized(int fd, const void *key, uint32_t key_size, void *value,
					      uint32_t value_size, uint64_t flags);
BPFHOST_API int bpfhost_map_update_elem_sized(int fd, const void *key, uint32_t key_size,
					      const void *value, uint32_t value_size, uint64_t flags);
/** @return 0, -ENOENT, -EINVAL (arrays) */
BPFHOST_API int bpfhost_map_delete_elem(int fd, const void *key);
/** @return 0, -ENOENT at the end; a NULL or missing @p key gives the first key */
BPFHOST_API int bpfhost_map_get_next_key(int fd, const void *key, void *next_key);
BPFHOST_API int bpfhost_map_lookup_and_delete_elem(int fd, const void *key, void *value);
BPFHOST_API int bpfhost_map_freeze(int fd);

struct bpfhost_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
	size_t : 0;
};
#define bpfhost_map_batch_opts__last_field flags

/**
 * @brief Batch commands, Linux semantics: @p count is in/out; -ENOENT with
 * @p count set means the map is exhausted.
 */
BPFHOST_API int bpfhost_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
					 void *values, uint32_t *count,
					 const struct bpfhost_map_batch_opts *opts);
BPFHOST_API int bpfhost_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch,
						    void *keys, void *values, uint32_t *count,
						    const struct bpfhost_map_batch_opts *opts);
BPFHOST_API int bpfhost_map_update_batch(int fd, const void *keys, const void *values,
					 uint32_t *count, const struct bpfhost_map_batch_opts *opts);
BPFHOST_API int bpfhost_map_delete_batch(int fd, const void *keys, uint32_t *count,
					 const struct bpfhost_map_batch_opts *opts);

BPFHOST_API int bpfhost_obj_pin(int fd, const char *pathname);
BPFHOST_API int bpfhost_obj_get(const char *pathname);
BPFHOST_API int bpfhost_obj_unpin(const char *pathname);
BPFHOST_API int bpfhost_map_get_next_id(uint32_t start_id, uint32_t *next_id);
BPFHOST_API int bpfhost_map_get_fd_by_id(uint32_t id);
BPFHOST_API int bpfhost_map_get_info_by_fd(int fd, struct bpf_map_info *info, uint32_t *info_len);

/* What bpfhost_map_shape() reports: enough to size keys and values. */
struct bpfhost_map_shape {
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;	/* one CPU's value for per-CPU maps */
	uint32_t max_entries;
	uint32_t map_flags;
};
/** A map's type and sizes, much cheaper than its info. @return 0, -EBADF, -EINVAL (not a map) */
BPFHOST_API int bpfhost_map_shape(int fd, struct bpfhost_map_shape *shape);
/* What bpfhost_kfunc_info() reports of a kfunc a loaded extension module registers. */
struct bpfhost_kfunc_info {
	uint32_t id;		/* what a call's imm carries (src_reg BPF_PSEUDO_KFUNC_CALL) */
	uint32_t return_kind;	/* extension.h's BPFHOST_KFUNC_RET_* */
	uint32_t return_size;
	uint32_t arg_count;
	uint32_t arg_kinds[5];	/* BPFHOST_KFUNC_ARG_* */
	uint32_t arg_sizes[5];
	uint32_t ref_type;	/* the tag of the references it acquires or releases; 0 if neither */
	uint32_t ref_flags;	/* BPFHOST_KFUNC_INFO_ACQUIRE, _RELEASE, _WRITABLE (uapi.h) */
};
/**
 * The kfunc named @p name (BPFHOST_KFUNC_INFO). *@p info_len (NULL: all of
 * struct bpfhost_kfunc_info) is how many bytes of @p info the caller has;
 * it gets how many were written, so a caller built with an older, shorter
 * struct never has bytes past it written.
 * @return 0, -ENOENT (no loaded module registers it), -EINVAL (a name of
 * 128 bytes or more), -EFAULT (@p name or @p info NULL)
 */
BPFHOST_API int bpfhost_kfunc_info(const char *name, struct bpfhost_kfunc_info *info, uint32_t *info_len);
/** @brief Shared memory of a map (ring buffer pages, mmapable arrays). */
BPFHOST_API int bpfhost_map_mmap(int fd, void **addr, uint64_t *size, uint64_t *data_offset);

/** @brief **bpfhost_close()** closes a handle (the object lives on while referenced). */
BPFHOST_API int bpfhost_close(int fd);

/* ---------------------------------------------------------------------------
 * Programs, links, hooks (after libbpf's bpf_prog_load / bpf_prog_test_run_opts
 * / bpf_link_create).
 */
struct bpf_insn;

struct bpfhost_prog_load_opts {
	size_t sz;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	const int *fd_array;		/* for BPF_PSEUDO_MAP_IDX */
	uint32_t log_level;
	uint32_t log_size;
	char *log_buf;			/* why a load was refused, as text */
	/* Source information (struct bpf_func_info, bpf_line_info in uapi.h), as libbpf's opts. */
	uint32_t func_info_rec_size;
	const void *func_info;
	uint32_t func_info_cnt;
	uint32_t line_info_rec_size;
	const void *line_info;
	uint32_t line_info_cnt;
	/* The string section line_info points into (an object's `.BTF` strings). */
	const char *btf_strs;
	uint32_t btf_strs_size;
	/* struct bpf_core_relo records of the relocations the loader poisoned (uapi.h). */
	const void *core_relos;
	uint32_t core_relo_cnt;
	uint32_t core_relo_rec_size;
	size_t : 0;
};
#define bpfhost_prog_load_opts__last_field core_relo_rec_size

/**
 * @brief **bpfhost_prog_load()** loads a program.
 * @return a handle, or -EINVAL (bad structure, unknown helper, bad map
 * reference: the log and bpfhost_last_error() name the instruction),
 * -E2BIG (too many instructions), -EINVAL also for a program type nobody provides
 */
BPFHOST_API int bpfhost_prog_load(uint32_t prog_type, const char *prog_name, const char *license,
				  const struct bpf_insn *insns, size_t insn_cnt,
				  const struct bpfhost_prog_load_opts *opts);

struct bpfhost_test_run_opts {
	size_t sz;
	const void *data_in;
	void *data_out;
	uint32_t data_size_in;
	uint32_t data_size_out;		/* in: room; out: bytes written */
	const void *ctx_in;
	void *ctx_out;
	uint32_t ctx_size_in;
	uint32_t ctx_size_out;		/* in: room; out: bytes written */
	uint32_t retval;		/* out: r0 */
	int repeat;
	uint32_t duration;		/* out: mean ns per run */
	uint32_t flags;
	uint32_t cpu;
	uint32_t batch_size;
	uint32_t insn_budget;		/* instructions per run; 0: BPFHOST_INSN_BUDGET_DEFAULT */
	/*
	 * Out, bpfhost's own (Linux's test run does not say): where the last
	 * run's XDP_REDIRECT or TC_ACT_REDIRECT verdict sends the frame, as the
	 * last bpf_redirect / bpf_redirect_map call before it chose. A test
	 * run sends nothing. BPFHOST_REDIRECT_NONE for any other verdict.
	 */
	uint32_t redirect_kind;		/* enum bpfhost_redirect_kind (uapi.h) */
	uint32_t redirect_target;	/* IFINDEX, MAP: an ifindex; CPU: the CPU */
	uint32_t redirect_map_id;	/* MAP, BROADCAST: the map's id */
	uint32_t redirect_key;		/* MAP: the key */
	uint32_t redirect_flags;	/* the call's flags (BPF_F_INGRESS, BPF_F_BROADCAST, ...) */
	size_t : 0;
};
#define bpfhost_test_run_opts__last_field redirect_flags


/**
 * @return 0, or -EINVAL (bad sizes), -ENOSPC (data_out too small), -EFAULT (the program faulted),
 * -ELOOP (a run went past its instruction budget)
 */
BPFHOST_API int bpfhost_prog_test_run_opts(int prog_fd, struct bpfhost_test_run_opts *opts);

struct bpfhost_link_create_opts {
	size_t sz;
	uint32_t flags;
	uint32_t insn_budget;		/* instructions per run of the program; 0: the default */
	size_t : 0;
};
#define bpfhost_link_create_opts__last_field insn_budget

/** @return a link handle, or -EINVAL (no hook for the attach type, or the program type does not match it) */
BPFHOST_API int bpfhost_link_create(int prog_fd, int target_fd, uint32_t attach_type,
				    const struct bpfhost_link_create_opts *opts);
BPFHOST_API int bpfhost_link_detach(int link_fd);
BPFHOST_API int bpfhost_prog_get_next_id(uint32_t start_id, uint32_t *next_id);
BPFHOST_API int bpfhost_prog_get_fd_by_id(uint32_t id);
BPFHOST_API int bpfhost_link_get_next_id(uint32_t start_id, uint32_t *next_id);
BPFHOST_API int bpfhost_link_get_fd_by_id(uint32_t id);
BPFHOST_API int bpfhost_prog_bind_map(int prog_fd, int map_fd);
/** Info of any object (struct bpf_map_info, bpf_prog_info or bpf_link_info). */
BPFHOST_API int bpfhost_obj_get_info_by_fd(int fd, void *info, uint32_t *info_len);
struct bpf_prog_info;
struct bpf_link_info;
BPFHOST_API int bpfhost_prog_get_info_by_fd(int fd, struct bpf_prog_info *info, uint32_t *info_len);
BPFHOST_API int bpfhost_link_get_info_by_fd(int fd, struct bpf_link_info *info, uint32_t *info_len);

/** Section name -> program type and attach type. @return 0, -ENOENT (no prefix matches) */
BPFHOST_API int bpfhost_prog_type_by_section(const char *section, uint32_t *prog_type,
					     uint32_t *expected_attach_type);
/**
 * @brief The ids of the helpers programs of @p prog_type may call: Linux's
 * ids ascending, then the type's own (from BPFHOST_HELPER_EXT_BASE) in the
 * order its module registered them. The first @p cap go to @p ids (NULL
 * with @p cap 0 asks the count). With @p names, their names
 * ("bpf_map_lookup_elem", an extension's as it registered it) follow each
 * other NUL-terminated in the same order, as many whole names as
 * @p names_size holds; *@p names_needed (if not NULL) gets the bytes all take.
 * @return how many the type has (more than @p cap: the list was cut), or
 * -EOPNOTSUPP (no such type), -EFAULT (@p ids or @p names NULL with room)
 */
BPFHOST_API int bpfhost_prog_type_helpers(uint32_t prog_type, uint32_t *ids, uint32_t cap, char *names,
					  uint32_t names_size, uint32_t *names_needed);
/** Fires a hook with @p data. @return 0, -ENOENT (no such hook), -EOPNOTSUPP (not triggerable) */
BPFHOST_API int bpfhost_hook_trigger(uint32_t attach_type, const void *data, uint32_t data_size,
				     uint32_t *prog_cnt, uint32_t *retval);
/**
 * Sleeps until ring buffer @p map_fd has records to consume or @p timeout_ms
 * passes (< 0: no limit). @return 1 (records), 0 (timed out), or -EBADF/-EINVAL
 */
BPFHOST_API int bpfhost_ringbuf_wait(int map_fd, int timeout_ms);
/**
 * Makes every bpfhost_ringbuf_wait() on @p map_fd return now (0 when it has
 * no records): how a consumer being closed stops a thread waiting on it.
 * @return 0, -EBADF, -EINVAL (not a ring buffer)
 */
BPFHOST_API int bpfhost_ringbuf_wake_all(int map_fd);
/** Drains the bpf_trace_printk log into @p buf. @return bytes written (lines end in '\n') */
BPFHOST_API int bpfhost_trace_read(char *buf, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif /* BPFHOST_BPF_H */
