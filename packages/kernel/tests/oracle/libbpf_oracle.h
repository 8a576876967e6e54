/* SPDX-License-Identifier: MIT */
/*
 * The system's libbpf (libbpf-dev) as an oracle for the object loader:
 * an object opened, CO-RE-relocated and loaded into the running kernel by
 * libbpf, and what it made of one program. Only plain C types cross this
 * header (libbpf_oracle.c is the one file that sees <bpf/libbpf.h>). Built
 * into the tests that use it only where libbpf-dev is installed
 * (BPFHOST_TEST_LIBBPF is then defined).
 */
#ifndef BPFHOST_TEST_LIBBPF_ORACLE_H
#define BPFHOST_TEST_LIBBPF_ORACLE_H

#include <stddef.h>
#include <stdint.h>

struct lbo_result {
	uint64_t insns[4096];		/* raw instructions libbpf loaded */
	size_t insn_cnt;
	uint32_t nr_func_info;		/* as the kernel reports them */
	uint32_t nr_line_info;
	uint32_t line_col[1024];	/* each line_info record's line_col, in order */
	char file[1024][64];		/* its file's base name */
};

/*
 * Opens @obj_path with libbpf (btf_custom_path @btf_path, may be NULL),
 * turns autoload off for every program but @prog, and loads. 0 with @res,
 * or -errno with @why (no kernel BPF, refused, ...).
 */
int lbo_load(const char *obj_path, const char *btf_path, const char *prog, struct lbo_result *res,
	     char *why, size_t why_len);

#endif /* BPFHOST_TEST_LIBBPF_ORACLE_H */
