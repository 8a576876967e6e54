// SPDX-License-Identifier: MIT
/* libbpf-style wrappers for programs, links, hooks and the trace log. */
#include "lib_internal.h"

#include "bpfhost/bpf_insn.h"

int bpfhost_prog_load(uint32_t prog_type, const char *prog_name, const char *license,
		      const struct bpf_insn *insns, size_t insn_cnt,
		      const struct bpfhost_prog_load_opts *opts)
{
	union bpf_attr attr;

	if (!OPTS_VALID(opts, bpfhost_prog_load_opts))
		return lib_err(-EINVAL);
	if (insn_cnt > UINT32_MAX)
		return lib_err(-E2BIG);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insn_cnt = (uint32_t)insn_cnt;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.license = (uint64_t)(uintptr_t)license;
	attr.expected_attach_type = OPTS_GET(opts, expected_attach_type, 0);
	attr.prog_flags = OPTS_GET(opts, prog_flags, 0);
	attr.fd_array = (uint64_t)(uintptr_t)OPTS_GET(opts, fd_array, NULL);
	attr.log_level = OPTS_GET(opts, log_level, 0);
	attr.log_size = OPTS_GET(opts, log_size, 0);
	attr.log_buf = (uint64_t)(uintptr_t)OPTS_GET(opts, log_buf, NULL);
	attr.func_info_rec_size = OPTS_GET(opts, func_info_rec_size, 0);
	attr.func_info = (uint64_t)(uintptr_t)OPTS_GET(opts, func_info, NULL);
	attr.func_info_cnt = OPTS_GET(opts, func_info_cnt, 0);
	attr.line_info_rec_size = OPTS_GET(opts, line_info_rec_size, 0);
	attr.line_info = (uint64_t)(uintptr_t)OPTS_GET(opts, line_info, NULL);
	attr.line_info_cnt = OPTS_GET(opts, line_info_cnt, 0);
	attr.btf_strs = (uint64_t)(uintptr_t)OPTS_GET(opts, btf_strs, NULL);
	attr.btf_strs_size = OPTS_GET(opts, btf_strs_size, 0);
	attr.core_relos = (uint64_t)(uintptr_t)OPTS_GET(opts, core_relos, NULL);
	attr.core_relo_cnt = OPTS_GET(opts, core_relo_cnt, 0);
	attr.core_relo_rec_size = OPTS_GET(opts, core_relo_rec_size, 0);
	if (attr.log_buf && !attr.log_level)
		attr.log_level = 1;
	if (prog_name)
		strncpy(attr.prog_name, prog_name, sizeof(attr.prog_name) - 1);
	return lib_sys(BPF_PROG_LOAD, &attr);
}

int bpfhost_prog_test_run_opts(int prog_fd, struct bpfhost_test_run_opts *opts)
{
	union bpf_attr attr;
	int ret;

	if (!opts || !OPTS_VALID(opts, bpfhost_test_run_opts))
		return lib_err(-EINVAL);
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.data_in = (uint64_t)(uintptr_t)OPTS_GET(opts, data_in, NULL);
	attr.test.data_out = (uint64_t)(uintptr_t)OPTS_GET(opts, data_out, NULL);
	attr.test.data_size_in = OPTS_GET(opts, data_size_in, 0);
	attr.test.data_size_out = OPTS_GET(opts, data_size_out, 0);
	attr.test.ctx_in = (uint64_t)(uintptr_t)OPTS_GET(opts, ctx_in, NULL);
	attr.test.ctx_out = (uint64_t)(uintptr_t)OPTS_GET(opts, ctx_out, NULL);
	attr.test.ctx_size_in = OPTS_GET(opts, ctx_size_in, 0);
	attr.test.ctx_size_out = OPTS_GET(opts, ctx_size_out, 0);
	attr.test.repeat = (uint32_t)OPTS_GET(opts, repeat, 0);
	attr.test.flags = OPTS_GET(opts, flags, 0);
	attr.test.cpu = OPTS_GET(opts, cpu, 0);
	attr.test.batch_size = OPTS_GET(opts, batch_size, 0);
	attr.test.insn_budget = OPTS_GET(opts, insn_budget, 0);
	ret = lib_sys(BPF_PROG_TEST_RUN, &attr);
	/* As libbpf: sizes are reported back even on -ENOSPC. */
	opts->data_size_out = attr.test.data_size_out;
	opts->ctx_size_out = attr.test.ctx_size_out;
	if (!ret) {
		opts->retval = attr.test.retval;
		opts->duration = attr.test.duration;
		if (OPTS_HAS(opts, redirect_flags)) {
			opts->redirect_kind = attr.test.redirect_kind;
			opts->redirect_target = attr.test.redirect_target;
			opts->redirect_map_id = attr.test.redirect_map_id;
			opts->redirect_key = attr.test.redirect_key;
			opts->redirect_flags = attr.test.redirect_flags;
		}
	}
	return ret;
}

int bpfhost_link_create(int prog_fd, int target_fd, uint32_t attach_type,
			const struct bpfhost_link_create_opts *opts)
{
	union bpf_attr attr;

	if (!OPTS_VALID(opts, bpfhost_link_create_opts))
		return lib_err(-EINVAL);
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (uint32_t)prog_fd;
	attr.link_create.target_fd = (uint32_t)target_fd;
	attr.link_create.attach_type = attach_type;
	attr.link_create.flags = OPTS_GET(opts, flags, 0);
	attr.link_create.insn_budget = OPTS_GET(opts, insn_budget, 0);
	return lib_sys(BPF_LINK_CREATE, &attr);
}

int bpfhost_link_detach(int link_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_detach.link_fd = (uint32_t)link_fd;
	return lib_sys(BPF_LINK_DETACH, &attr);
}

static int get_next_id(int cmd, uint32_t start_id, uint32_t *next)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = start_id;
	ret = lib_sys(cmd, &attr);
	if (!ret)
		*next = attr.next_id;
	return ret;
}

static int fd_by_id(int cmd, uint32_t id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	return lib_sys(cmd, &attr);
}

int bpfhost_prog_get_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_PROG_GET_NEXT_ID, start_id, next_id);
}

int bpfhost_prog_get_fd_by_id(uint32_t id)
{
	return fd_by_id(BPF_PROG_GET_FD_BY_ID, id);
}

int bpfhost_link_get_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_LINK_GET_NEXT_ID, start_id, next_id);
}

int bpfhost_link_get_fd_by_id(uint32_t id)
{
	return fd_by_id(BPF_LINK_GET_FD_BY_ID, id);
}

int bpfhost_prog_bind_map(int prog_fd, int map_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_bind_map.prog_fd = (uint32_t)prog_fd;
	attr.prog_bind_map.map_fd = (uint32_t)map_fd;
	return lib_sys(BPF_PROG_BIND_MAP, &attr);
}

int bpfhost_prog_type_by_section(const char *section, uint32_t *prog_type,
				 uint32_t *expected_attach_type)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.section.name = (uint64_t)(uintptr_t)section;
	ret = lib_sys(BPFHOST_PROG_TYPE_BY_SECTION, &attr);
	if (!ret) {
		if (prog_type)
			*prog_type = attr.section.prog_type;
		if (expected_attach_type)
			*expected_attach_type = attr.section.expected_attach_type;
	}
	return ret;
}

int bpfhost_prog_type_helpers(uint32_t prog_type, uint32_t *ids, uint32_t cap, char *names,
			      uint32_t names_size, uint32_t *names_needed)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.type_helpers.prog_type = prog_type;
	attr.type_helpers.id_cnt = cap;
	attr.type_helpers.ids = (uint64_t)(uintptr_t)ids;
	attr.type_helpers.names = (uint64_t)(uintptr_t)names;
	attr.type_helpers.names_size = names_size;
	ret = lib_sys(BPFHOST_PROG_TYPE_HELPERS, &attr);
	if (ret)
		return ret;
	if (names_needed)
		*names_needed = attr.type_helpers.names_size;
	/* Helper ids are < 2^32 but a type has far fewer than INT_MAX of them. */
	return (int)attr.type_helpers.id_cnt;
}

int bpfhost_hook_trigger(uint32_t attach_type, const void *data, uint32_t data_size,
			 uint32_t *prog_cnt, uint32_t *retval)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.trigger.attach_type = attach_type;
	attr.trigger.data = (uint64_t)(uintptr_t)data;
	attr.trigger.data_size = data_size;
	ret = lib_sys(BPFHOST_HOOK_TRIGGER, &attr);
	if (!ret) {
		if (prog_cnt)
			*prog_cnt = attr.trigger.prog_cnt;
		if (retval)
			*retval = attr.trigger.retval;
	}
	return ret;
}

int bpfhost_trace_read(char *buf, uint32_t size)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.trace.buf = (uint64_t)(uintptr_t)buf;
	attr.trace.buf_size = size;
	ret = lib_sys(BPFHOST_TRACE_READ, &attr);
	return ret ? ret : (int)attr.trace.len;
}

int bpfhost_obj_get_info_by_fd(int fd, void *info, uint32_t *info_len)
{
	union bpf_attr attr;
	int ret;

	if (!info_len)
		return lib_err(-EINVAL);
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = *info_len;
	attr.info.info = (uint64_t)(uintptr_t)info;
	ret = lib_sys(BPF_OBJ_GET_INFO_BY_FD, &attr);
	if (!ret)
		*info_len = attr.info.info_len;
	return ret;
}

int bpfhost_prog_get_info_by_fd(int fd, struct bpf_prog_info *info, uint32_t *info_len)
{
	uint32_t len = sizeof(*info);

	return bpfhost_obj_get_info_by_fd(fd, info, info_len ? info_len : &len);
}

int bpfhost_link_get_info_by_fd(int fd, struct bpf_link_info *info, uint32_t *info_len)
{
	uint32_t len = sizeof(*info);

	return bpfhost_obj_get_info_by_fd(fd, info, info_len ? info_len : &len);
}

int bpfhost_ringbuf_wait(int map_fd, int timeout_ms)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.ringbuf_wait.map_fd = (uint32_t)map_fd;
	attr.ringbuf_wait.timeout_ms = timeout_ms;
	ret = lib_sys(BPFHOST_RINGBUF_WAIT, &attr);
	return ret ? ret : (int)attr.ringbuf_wait.ready;
}

int bpfhost_ringbuf_wake_all(int map_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.ringbuf_wait.map_fd = (uint32_t)map_fd;
	attr.ringbuf_wait.flags = BPFHOST_RINGBUF_WAKE_ALL;
	return lib_sys(BPFHOST_RINGBUF_WAIT, &attr);
}
