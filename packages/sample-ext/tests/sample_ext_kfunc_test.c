// SPDX-License-Identifier: MIT
/*
 * The sample extension's kfuncs: registered under the names sample_ext.h
 * declares, refused to program types they do not serve, and called from the
 * clang-compiled bpf/sample_kfunc.bpf.c: the checksum against a hand-computed
 * value and an independent implementation (RFC 1071's), the stats kfunc
 * writing a map value from a sample program and from a socket filter, the
 * counter references (acquire, NULL check, update, release) from a sample
 * program, with none left held, and a program that keeps one refused. The
 * object part skips, saying why, without clang-19 or libbpf-dev.
 */
#include <dlfcn.h>

#include "test.h"
#include "sample_ext.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"

#define KFUNC_CALL(id) ((struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL, \
					   .imm = (int32_t)(id) })

static uint32_t kfunc_id(const char *name)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)name;
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), name);
	return attr.kfunc.id;
}

/* RFC 1071's reference loop: the oracle of sample_event_checksum. */
static uint32_t rfc1071_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	while (n > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		n -= 2;
	}
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void t_registered(void)
{
	int mod = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH), fd;
	union bpf_attr attr;

	ASSERT_GE(mod, 1, "load sample_ext.so");
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)"sample_stats_add";
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), "sample_stats_add by name");
	ASSERT_EQ(attr.kfunc.arg_count, 2, "two arguments");
	ASSERT_EQ(attr.kfunc.arg_kinds[0], BPFHOST_KFUNC_ARG_PTR_TO_MEM_RW, "a struct sample_stats *");
	ASSERT_EQ(attr.kfunc.arg_sizes[0], sizeof(struct sample_stats), "of its size");
	ASSERT_EQ(attr.kfunc.return_kind, BPFHOST_KFUNC_RET_VOID, "returning void");
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)"sample_counter_acquire";
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), "sample_counter_acquire by name");
	ASSERT_EQ(attr.kfunc.return_kind, BPFHOST_KFUNC_RET_ACQUIRED, "returns a reference");
	ASSERT_EQ(attr.kfunc.return_size, sizeof(struct sample_counter), "to a struct sample_counter");
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)"sample_counter_release";
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), "sample_counter_release by name");
	ASSERT_EQ(attr.kfunc.arg_kinds[0], BPFHOST_KFUNC_ARG_RELEASE, "releases its argument");
	{
		/* r0 = sample_counter_acquire(0); if (r0) r0 = 0 (kept, never released); exit */
		const struct bpf_insn p[] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 0 },
					      KFUNC_CALL(kfunc_id("sample_counter_acquire")),
					      { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
					      { .code = BPF_JMP | BPF_EXIT } };

		fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "counter_kept", "GPL", p, 4, NULL);
		ASSERT_EQ(fd, -EINVAL, "a program that keeps a counter reference");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "the reference kfunc sample_counter_acquire returned at "
				    "insn 1 is not released on this path", "names the kfunc and where");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "sample_counter_release", "and the kfunc that releases");
	}
	{
		/* A socket filter's context is no struct sample_ctx: refused at load. */
		const struct bpf_insn p[] = { KFUNC_CALL(kfunc_id("sample_event_checksum")),
					      { .code = BPF_JMP | BPF_EXIT } };

		fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "checksum_sock", "GPL", p, 2, NULL);
		ASSERT_EQ(fd, -EINVAL, "sample_event_checksum from a socket filter");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "kfunc 'sample_event_checksum' (module 'sample_ext') "
				    "may not be called by programs of type 'socket_filter'", "names kfunc and type");
	}
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

static void read_stats(int map, uint32_t key, struct sample_stats *s)
{
	ASSERT_OK(bpfhost_map_lookup_elem(map, &key, s), "read the stats");
}

static int run_on(int fd, const uint8_t *data, uint32_t size, uint32_t *ret)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = size);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	*ret = o.retval;
	return err;
}

static void t_programs(void)
{
	static const uint8_t small[5] = { 0x01, 0x02, 0x03, 0x04, 0x05 }, carry[4] = { 0xff, 0xff, 0x00, 0x02 };
	uint8_t big[301];
	int mod = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH), checksum, sock, stats;
	struct bpfhost_object *obj;
	struct sample_stats s;
	uint32_t ret = 0;

	ASSERT_GE(mod, 1, "load sample_ext.so");
	obj = bpfhost_object__open_file(SAMPLE_EXT_BPF_DIR "/sample_kfunc.bpf.o", NULL);
	ASSERT_TRUE(obj != NULL, "open sample_kfunc.bpf.o");
	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), "load: the kfuncs resolve against sample_ext.so");
	checksum = bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, "checksum_event"));
	sock = bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, "count_packet"));
	stats = bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "stats"));
	ASSERT_OK(run_on(checksum, small, sizeof(small), &ret), "checksum of 5 bytes");
	ASSERT_EQ(ret, 0x0102 + 0x0304 + 0x0500, "by hand: the odd byte is a high half");
	ASSERT_OK(run_on(checksum, carry, sizeof(carry), &ret), "checksum with a carry");
	ASSERT_EQ(ret, 0x0002, "0xffff + 0x0002 folds to 0x0002");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 37 + 11);
	ASSERT_OK(run_on(checksum, big, sizeof(big), &ret), "checksum of 301 bytes");
	ASSERT_EQ(ret, rfc1071_sum(big, sizeof(big)), "as RFC 1071's loop computes it");
	read_stats(stats, 0, &s);
	ASSERT_EQ(s.count, 3, "sample_stats_add ran once per run");
	ASSERT_EQ(s.sum, 5 + 4 + 301, "of the events' lengths");
	ASSERT_EQ(s.min, 4, "min");
	ASSERT_EQ(s.max, 301, "max");
	{
		const uint8_t frame[64] = { 0 };

		ASSERT_OK(run_on(sock, frame, sizeof(frame), &ret), "a socket filter calls sample_stats_add");
	}
	read_stats(stats, 1, &s);
	ASSERT_EQ(s.count, 1, "into its own element");
	ASSERT_EQ(s.sum, 64 - 14, "skb->len: the frame less its Ethernet header");
	{
		int counter = bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, "count_event"));
		void *dl = dlopen(SAMPLE_EXT_MODULE_PATH, RTLD_NOLOAD | RTLD_NOW);
		sample_ext_counter_refs_fn refs = dl ? (sample_ext_counter_refs_fn)dlsym(dl,
							SAMPLE_EXT_COUNTER_REFS_SYMBOL) : NULL;
		uint32_t first = 0;

		ASSERT_GE(counter, 0, "count_event loaded: acquire, NULL check, update, release verified");
		ASSERT_TRUE(refs != NULL, "module exports " SAMPLE_EXT_COUNTER_REFS_SYMBOL);
		ASSERT_OK(run_on(counter, small, sizeof(small), &first), "count an event");
		ASSERT_GE(first, 1, "into the borrowed counter");
		for (uint32_t i = 1; i <= 3; i++) {
			ASSERT_OK(run_on(counter, small, sizeof(small), &ret), "count again");
			ASSERT_EQ(ret, first + i, "the same counter (event 0's), one more hit each run");
		}
		if (refs)
			ASSERT_EQ(refs(), 0, "every run gave its reference back");
		if (dl)
			dlclose(dl);
	}
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "the programs hold the module");
	bpfhost_object__close(obj);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "closed: the module unloads");
}

int main(void)
{
	static const struct test_case registered[] = { TEST(t_registered) };
	static const struct test_case programs[] = { TEST(t_programs) };
	int failed = test_run("sample_ext_kfunc", registered, 1);

	if (!SAMPLE_EXT_HAVE_BPF) {
		printf("SKIP: bpf/sample_kfunc.bpf.o was not built (clang-19 or libbpf-dev missing)\n");
		return failed;
	}
	return failed | test_run("sample_ext_kfunc", programs, 1);
}
