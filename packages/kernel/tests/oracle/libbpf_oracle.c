// SPDX-License-Identifier: MIT
/* See libbpf_oracle.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libbpf_oracle.h"

static char log_text[8192];

static int collect_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(log_text);

	if (level != LIBBPF_DEBUG && n < sizeof(log_text) - 1)
		vsnprintf(log_text + n, sizeof(log_text) - n, fmt, ap);
	return 0;
}

static void kernel_line_info(int fd, const struct btf *btf, struct lbo_result *res)
{
	static struct bpf_line_info li[1024];
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	res->nr_func_info = info.nr_func_info;
	if (!info.nr_line_info || info.nr_line_info > 1024)
		return;
	memset(&info, 0, sizeof(info));
	info.nr_line_info = 1024;
	info.line_info_rec_size = sizeof(li[0]);
	info.line_info = (__u64)(unsigned long)li;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	res->nr_line_info = info.nr_line_info;
	for (__u32 i = 0; i < info.nr_line_info && i < 1024; i++) {
		const char *f = btf__name_by_offset(btf, li[i].file_name_off);
		const char *base = f ? strrchr(f, '/') : NULL;

		res->line_col[i] = li[i].line_col;
		snprintf(res->file[i], sizeof(res->file[i]), "%s", base ? base + 1 : f ? f : "?");
	}
}

int lbo_load(const char *obj_path, const char *btf_path, const char *prog, struct lbo_result *res,
	     char *why, size_t why_len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_program *p, *target = NULL;
	libbpf_print_fn_t old;
	struct bpf_object *obj;
	int err;

	memset(res, 0, sizeof(*res));
	log_text[0] = '\0';
	old = libbpf_set_print(collect_log);
	obj = bpf_object__open_file(obj_path, &opts);
	err = libbpf_get_error(obj);
	if (err) {
		libbpf_set_print(old);
		snprintf(why, why_len, "libbpf open: %d %s", err, log_text);
		return err;
	}
	bpf_object__for_each_program(p, obj) {
		if (!strcmp(bpf_program__name(p), prog))
			target = p;
		else
			bpf_program__set_autoload(p, false);
	}
	err = target ? bpf_object__load(obj) : -ENOENT;
	libbpf_set_print(old);
	if (err) {
		snprintf(why, why_len, "libbpf load: %d %s", err, log_text);
		bpf_object__close(obj);
		return err;
	}
	res->insn_cnt = bpf_program__insn_cnt(target);
	if (res->insn_cnt > sizeof(res->insns) / 8)
		res->insn_cnt = sizeof(res->insns) / 8;
	memcpy(res->insns, bpf_program__insns(target), res->insn_cnt * 8);
	kernel_line_info(bpf_program__fd(target), bpf_object__btf(obj), res);
	bpf_object__close(obj);
	return 0;
}
