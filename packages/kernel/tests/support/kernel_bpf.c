// SPDX-License-Identifier: MIT
/*
 * Raw bpf(2) for the kernel-as-oracle tests. This TU includes <linux/bpf.h>
 * and so must never include bpfhost/uapi.h (both define the same names).
 */
#define _GNU_SOURCE	/* sched_setaffinity */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>

#include "kernel_bpf.h"

#define ptr_to_u64(p) ((uint64_t)(uintptr_t)(p))

static int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
#ifdef __NR_bpf
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : (int)ret;
#else
	(void)cmd;
	(void)attr;
	(void)size;
	return -ENOSYS;
#endif
}

int kbpf_sys(int cmd, void *attr, unsigned int size)
{
	return sys_bpf(cmd, attr, size);
}

int kbpf_map_create(uint32_t map_type, uint32_t key_size, uint32_t value_size,
		    uint32_t max_entries, uint32_t map_flags, uint64_t map_extra)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = map_flags;
	attr.map_extra = map_extra;
	return sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
}

int kbpf_probe(char *reason, size_t len)
{
	int fd = kbpf_map_create(BPF_MAP_TYPE_HASH, 4, 4, 1, 0, 0);

	if (fd < 0) {
		snprintf(reason, len, "creating a hash map failed: %s (%d)", strerror(-fd), -fd);
		return fd;
	}
	close(fd);
	snprintf(reason, len, "ok");
	return 0;
}

static int elem_cmd(int cmd, int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return sys_bpf(cmd, &attr, sizeof(attr));
}

int kbpf_map_lookup(int fd, const void *key, void *value, uint64_t flags)
{
	return elem_cmd(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

int kbpf_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return elem_cmd(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int kbpf_map_delete(int fd, const void *key)
{
	return elem_cmd(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int kbpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	return elem_cmd(BPF_MAP_GET_NEXT_KEY, fd, key, next_key, 0);
}

int kbpf_map_lookup_and_delete(int fd, const void *key, void *value, uint64_t flags)
{
	return elem_cmd(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
}

int kbpf_map_freeze(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	return sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
}

int kbpf_map_batch(int cmd, int fd, void *in_batch, void *out_batch, void *keys, void *values,
		   uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.batch.map_fd = (uint32_t)fd;
	attr.batch.in_batch = ptr_to_u64(in_batch);
	attr.batch.out_batch = ptr_to_u64(out_batch);
	attr.batch.keys = ptr_to_u64(keys);
	attr.batch.values = ptr_to_u64(values);
	attr.batch.count = *count;
	attr.batch.elem_flags = elem_flags;
	attr.batch.flags = flags;
	ret = sys_bpf(cmd, &attr, sizeof(attr));
	*count = attr.batch.count;
	return ret;
}

int kbpf_pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

int kbpf_prog_load(uint32_t prog_type, const void *insns, uint32_t insn_cnt, const char *license,
		   char *log, uint32_t log_size)
{
	union bpf_attr attr;
	int fd, log_fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = insn_cnt;
	attr.license = ptr_to_u64(license);
	fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0 || !log || !log_size)
		return fd;
	/* Again with the log (a log too small for a big program would fail the load itself). */
	log[0] = '\0';
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = log_size;
	attr.log_level = 1;
	log_fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (log_fd >= 0) {
		close(log_fd);
		snprintf(log, log_size, "(loaded with the log on)");
	}
	return fd;
}

/* The BTF of kbpf_prog_load_funcs(): int, int (void), then FUNC fN per function. */
int kbpf_func_btf_load(uint32_t nfuncs)
{
	enum { MAX_FUNCS = 64 };
	struct {
		struct btf_header hdr;
		uint32_t types[7 + 3 * MAX_FUNCS];
		char strs[4 + 4 * MAX_FUNCS];
	} b;
	union bpf_attr attr;
	uint32_t nt = 0, ns = 0;

	if (nfuncs > MAX_FUNCS)
		return -E2BIG;
	memset(&b, 0, sizeof(b));
	b.strs[ns++] = '\0';
	memcpy(b.strs + ns, "int", 4);
	b.types[nt++] = ns;		/* [1] int */
	ns += 4;
	b.types[nt++] = BTF_KIND_INT << 24;
	b.types[nt++] = 4;
	b.types[nt++] = (BTF_INT_SIGNED << 24) | 32;
	b.types[nt++] = 0;		/* [2] int (void) */
	b.types[nt++] = BTF_KIND_FUNC_PROTO << 24;
	b.types[nt++] = 1;
	for (uint32_t i = 0; i < nfuncs; i++) {
		b.types[nt++] = ns;	/* [3 + i] static int fI(void) */
		ns += (uint32_t)snprintf(b.strs + ns, sizeof(b.strs) - ns, "f%u", i) + 1;
		b.types[nt++] = (BTF_KIND_FUNC << 24) | BTF_FUNC_STATIC;
		b.types[nt++] = 2;
	}
	b.hdr.magic = BTF_MAGIC;
	b.hdr.version = BTF_VERSION;
	b.hdr.hdr_len = sizeof(b.hdr);
	b.hdr.type_off = 0;
	b.hdr.type_len = nt * 4;
	b.hdr.str_off = nt * 4;
	b.hdr.str_len = ns;
	/* Strings right after the types. */
	memmove((char *)b.types + nt * 4, b.strs, ns);
	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr_to_u64(&b);
	attr.btf_size = (uint32_t)sizeof(b.hdr) + nt * 4 + ns;
	return sys_bpf(BPF_BTF_LOAD, &attr, sizeof(attr));
}

int kbpf_prog_load_funcs(uint32_t prog_type, const void *insns, uint32_t insn_cnt, const char *license,
			 const uint32_t *func_offs, uint32_t nfuncs, char *log, uint32_t log_size)
{
	struct bpf_func_info fi[64];
	union bpf_attr attr;
	int fd, btf_fd, log_fd;

	if (!nfuncs)
		return kbpf_prog_load(prog_type, insns, insn_cnt, license, log, log_size);
	btf_fd = kbpf_func_btf_load(nfuncs);
	if (btf_fd < 0)
		return btf_fd;
	for (uint32_t i = 0; i < nfuncs; i++) {
		fi[i].insn_off = func_offs[i];
		fi[i].type_id = 3 + i;
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = insn_cnt;
	attr.license = ptr_to_u64(license);
	attr.prog_btf_fd = (uint32_t)btf_fd;
	attr.func_info = ptr_to_u64(fi);
	attr.func_info_rec_size = sizeof(fi[0]);
	attr.func_info_cnt = nfuncs;
	fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0 && log && log_size) {
		log[0] = '\0';
		attr.log_buf = ptr_to_u64(log);
		attr.log_size = log_size;
		attr.log_level = 1;
		log_fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
		if (log_fd >= 0)
			close(log_fd);
	}
	close(btf_fd);
	return fd;
}

int kbpf_prog_load_log(uint32_t prog_type, const void *insns, uint32_t insn_cnt, const char *license,
		       int btf_fd, const uint32_t *func_offs, uint32_t nfuncs, uint32_t log_level, char *log,
		       uint32_t log_size)
{
	struct bpf_func_info fi[64];
	union bpf_attr attr;

	if (nfuncs > 64)
		return -E2BIG;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = insn_cnt;
	attr.license = ptr_to_u64(license);
	if (nfuncs) {
		for (uint32_t i = 0; i < nfuncs; i++) {
			fi[i].insn_off = func_offs[i];
			fi[i].type_id = 3 + i;
		}
		attr.prog_btf_fd = (uint32_t)btf_fd;
		attr.func_info = ptr_to_u64(fi);
		attr.func_info_rec_size = sizeof(fi[0]);
		attr.func_info_cnt = nfuncs;
	}
	if (log && log_size && log_level) {
		log[0] = '\0';
		attr.log_buf = ptr_to_u64(log);
		attr.log_size = log_size;
		attr.log_level = log_level;
	}
	return sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
}

int kbpf_prog_test_run(int prog_fd, const void *data, uint32_t data_size, uint32_t repeat,
		       uint32_t *retval, uint32_t *duration)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.data_in = ptr_to_u64(data);
	attr.test.data_size_in = data_size;
	attr.test.repeat = repeat;
	err = sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
	if (err)
		return err;
	*retval = attr.test.retval;
	if (duration)
		*duration = attr.test.duration;
	return 0;
}

int kbpf_prog_test_run_full(int prog_fd, struct kbpf_test_run *t)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.data_in = ptr_to_u64(t->data_in);
	attr.test.data_size_in = t->data_size_in;
	attr.test.data_out = ptr_to_u64(t->data_out);
	attr.test.data_size_out = t->data_size_out;
	attr.test.ctx_in = ptr_to_u64(t->ctx_in);
	attr.test.ctx_size_in = t->ctx_size_in;
	attr.test.ctx_out = ptr_to_u64(t->ctx_out);
	attr.test.ctx_size_out = t->ctx_size_out;
	attr.test.repeat = 1;
	err = sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
	t->data_size_out = attr.test.data_size_out;
	t->ctx_size_out = attr.test.ctx_size_out;
	t->retval = attr.test.retval;
	return err;
}

int kbpf_close(int fd)
{
	return close(fd) ? -errno : 0;
}
