/* SPDX-License-Identifier: MIT */
/*
 * The running Linux kernel's bpf(2), raw, for tests that use the kernel's
 * own maps as the oracle for bpfhost's. Only plain C types cross this
 * header, so a test that includes bpfhost's headers can include it too
 * (kernel_bpf.c is the one TU that sees <linux/bpf.h>).
 *
 * Every call returns what bpf(2) returned, or -errno on failure. Command,
 * map type and flag numbers are Linux's, which bpfhost shares
 * (uapi_layout_test checks that).
 */
#ifndef BPFHOST_TEST_KERNEL_BPF_H
#define BPFHOST_TEST_KERNEL_BPF_H

#include <stddef.h>
#include <stdint.h>

/*
 * 0 when this process may create kernel maps (a small hash map is created
 * and closed); otherwise -errno and @reason says why (EPERM, ENOSYS, ...).
 */
int kbpf_probe(char *reason, size_t len);

/* A map fd, or -errno. */
int kbpf_map_create(uint32_t map_type, uint32_t key_size, uint32_t value_size,
		    uint32_t max_entries, uint32_t map_flags, uint64_t map_extra);

int kbpf_map_lookup(int fd, const void *key, void *value, uint64_t flags);
int kbpf_map_update(int fd, const void *key, const void *value, uint64_t flags);
int kbpf_map_delete(int fd, const void *key);
int kbpf_map_get_next_key(int fd, const void *key, void *next_key);
int kbpf_map_lookup_and_delete(int fd, const void *key, void *value, uint64_t flags);
int kbpf_map_freeze(int fd);

/*
 * A batch command (@cmd: BPF_MAP_LOOKUP_BATCH ... BPF_MAP_DELETE_BATCH).
 * @count is in/out, as in union bpf_attr: the kernel's count is copied back
 * whatever the result.
 */
int kbpf_map_batch(int cmd, int fd, void *in_batch, void *out_batch, void *keys, void *values,
		   uint32_t *count, uint64_t elem_flags, uint64_t flags);

/* Raw bpf(2) with an attr of @size bytes (for attr-size experiments). */
int kbpf_sys(int cmd, void *attr, unsigned int size);

/*
 * BPF_PROG_LOAD of @insn_cnt raw 8-byte instructions (map references as
 * BPF_PSEUDO_MAP_FD with kernel map fds). A program fd, or -errno; @log
 * (may be NULL) receives the verifier's log.
 */
int kbpf_prog_load(uint32_t prog_type, const void *insns, uint32_t insn_cnt, const char *license,
		   char *log, uint32_t log_size);

/*
 * kbpf_prog_load() with BTF describing @nfuncs static functions starting at
 * instructions @func_offs (ascending, the first 0): the kernel takes
 * callbacks (BPF_PSEUDO_FUNC, e.g. bpf_loop's) only from programs with
 * func_info. The functions are "int fN(void)" (the kernel reads a static
 * function's arguments from its callers, not from BTF). @nfuncs 0 is
 * kbpf_prog_load().
 */
int kbpf_prog_load_funcs(uint32_t prog_type, const void *insns, uint32_t insn_cnt, const char *license,
			 const uint32_t *func_offs, uint32_t nfuncs, char *log, uint32_t log_size);

/* The BTF kbpf_prog_load_funcs() describes @nfuncs functions with: a BTF fd or -errno. */
int kbpf_func_btf_load(uint32_t nfuncs);

/*
 * One BPF_PROG_LOAD, nothing retried: func_info over @btf_fd (from
 * kbpf_func_btf_load(@nfuncs)) when @nfuncs, and the log at @log_level
 * whatever the verdict when @log (level 4: the statistics line alone, as
 * the load benchmark reads "processed N insns"). A program fd or -errno.
 */
int kbpf_prog_load_log(uint32_t prog_type, const void *insns, uint32_t insn_cnt, const char *license,
		       int btf_fd, const uint32_t *func_offs, uint32_t nfuncs, uint32_t log_level, char *log,
		       uint32_t log_size);

/*
 * BPF_PROG_TEST_RUN with @data as the packet and @repeat runs: 0 or -errno;
 * @retval gets r0 of the last run, @duration (may be NULL) the mean ns per run.
 */
int kbpf_prog_test_run(int prog_fd, const void *data, uint32_t data_size, uint32_t repeat,
		       uint32_t *retval, uint32_t *duration);

/*
 * The whole test run: data in and out, ctx in and out (any pointer may be
 * NULL with its size 0). The out sizes are in/out, as bpf(2)'s.
 */
struct kbpf_test_run {
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out;
	const void *ctx_in;
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;
	uint32_t retval;
};
int kbpf_prog_test_run_full(int prog_fd, struct kbpf_test_run *t);
int kbpf_close(int fd);

/*
 * Keeps the calling thread on the CPU it is on. Kernel LRU maps keep
 * per-CPU free lists; staying on one CPU keeps their eviction from
 * depending on where the scheduler moves the test. 0 or -errno.
 */
int kbpf_pin_to_one_cpu(void);

#endif /* BPFHOST_TEST_KERNEL_BPF_H */
