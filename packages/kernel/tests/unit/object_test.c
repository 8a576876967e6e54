// SPDX-License-Identifier: MIT
/*
 * bpfhost_object: open clang-compiled objects (file and memory), iterate and
 * find programs and maps, prepare/load, run the programs through test run
 * and check what they did to global data, autoload and type overrides, load
 * failures that unwind every handle, pinning by name, and no handle left
 * after close. The C sources are in tests/bpf/; expected values come from
 * them (their initialisers and what each program computes).
 */
#include <stdint.h>

#include "test.h"
#include "bpf_objects.h"
#include "object_types.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* A 64-byte frame (Ethernet header first) for socket filter test runs. */
static uint32_t run_prog(const struct bpfhost_program *prog, int *err)
{
	uint8_t pkt[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	pkt[12] = 0x08;	/* ETH_P_IP */
	*err = bpfhost_prog_test_run_opts(bpfhost_program__fd(prog), &o);
	return o.retval;
}

static uint32_t run_ok(const struct bpfhost_object *obj, const char *name)
{
	const struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, name);
	uint32_t r;
	int err = -1;

	ASSERT_TRUE(p != NULL, name);
	if (!p)
		return 0xdeadbeef;
	r = run_prog(p, &err);
	ASSERT_OK(err, "test run");
	return r;
}

static struct bpfhost_object *open_obj(const char *name)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path(name), NULL);

	ASSERT_TRUE(obj != NULL, "open");
	return obj;
}

/* The value of a global data map (key 0) into @buf. */
static int data_value(const struct bpfhost_object *obj, const char *sec, void *buf)
{
	const struct bpfhost_map *m = bpfhost_object__find_map_by_name(obj, sec);
	uint32_t zero = 0;

	return m ? bpfhost_map_lookup_elem(bpfhost_map__fd(m), &zero, buf) : -ENOENT;
}

static void t_open_and_iterate(void)
{
	static const char *const progs[] = { "read_globals", "write_globals", "plain" };
	static const char *const secs[] = { "socket", "socket", "socket/plain" };
	static const char *const maps[] = { "object_g.data", "object_g.rodata", "object_g.bss" };
	static const char *const real[] = { ".data", ".rodata", ".bss" };
	struct bpfhost_object *obj = open_obj("object_globals");
	struct bpfhost_program *p;
	struct bpfhost_map *m;
	size_t i = 0;

	if (!obj)
		return;
	ASSERT_STR_CONTAINS(bpfhost_object__name(obj), "object_globals", "name is the file name up to its first dot");
	ASSERT_EQ(strcmp(bpfhost_object__name(obj), "object_globals"), 0, "exact name");
	ASSERT_EQ(strcmp(bpfhost_object__license(obj), "GPL"), 0, "license section");
	ASSERT_TRUE(bpfhost_object__btf(obj) != NULL, "BTF present (-g)");
	bpfhost_object__for_each_program(p, obj) {
		ASSERT_TRUE(i < 3, "three entry programs (.text functions are not listed)");
		if (i >= 3)
			break;
		ASSERT_EQ(strcmp(bpfhost_program__name(p), progs[i]), 0, progs[i]);
		ASSERT_EQ(strcmp(bpfhost_program__section_name(p), secs[i]), 0, "section name");
		ASSERT_EQ(bpfhost_program__type(p), BPF_PROG_TYPE_SOCKET_FILTER, "socket prefix -> socket filter");
		ASSERT_EQ(bpfhost_program__expected_attach_type(p), 0, "no attach type");
		ASSERT_TRUE(bpfhost_program__autoload(p), "autoload on");
		ASSERT_EQ(bpfhost_program__fd(p), -ENOENT, "no handle before load");
		ASSERT_TRUE(bpfhost_program__insns(p) != NULL && bpfhost_program__insn_cnt(p) > 0, "instructions");
		i++;
	}
	ASSERT_EQ(i, 3, "program count");
	ASSERT_EQ(bpfhost_program__insn_cnt(bpfhost_object__find_program_by_name(obj, "plain")), 2,
		  "plain: mov r0, 17; exit");
	ASSERT_TRUE(bpfhost_object__find_program_by_name(obj, "mix") == NULL, "sub-programs are not programs");
	ASSERT_EQ(errno, ENOENT, "errno ENOENT");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "no program named 'mix'", "message");
	i = 0;
	bpfhost_object__for_each_map(m, obj) {
		ASSERT_TRUE(i < 3, "three global data maps");
		if (i >= 3)
			break;
		ASSERT_EQ(strcmp(bpfhost_map__name(m), maps[i]), 0, maps[i]);
		ASSERT_TRUE(bpfhost_map__is_internal(m), "internal");
		ASSERT_TRUE(bpfhost_object__find_map_by_name(obj, real[i]) == m, "found by section name too");
		ASSERT_TRUE(bpfhost_object__find_map_by_name(obj, maps[i]) == m, "found by map name");
		i++;
	}
	ASSERT_EQ(i, 3, "map count");
	ASSERT_TRUE(bpfhost_object__find_map_by_name(obj, "nope") == NULL, "unknown map");
	ASSERT_EQ(errno, ENOENT, "errno ENOENT");
	bpfhost_object__close(obj);
}

static void t_open_mem_and_opts(void)
{
	size_t size;
	void *buf = bpf_object_read("object_globals", &size);
	char expect[64];
	struct bpfhost_object *obj;

	ASSERT_TRUE(buf != NULL, "read object");
	if (!buf)
		return;
	obj = bpfhost_object__open_mem(buf, size, NULL);
	ASSERT_TRUE(obj != NULL, "open_mem");
	snprintf(expect, sizeof(expect), "%lx-%zx", (unsigned long)(uintptr_t)buf, size);
	if (obj)
		ASSERT_EQ(strcmp(bpfhost_object__name(obj), expect), 0, "default name <address>-<size>, as libbpf");
	bpfhost_object__close(obj);
	{
		BPFHOST_OPTS(bpfhost_object_open_opts, opts, .object_name = "a_very_long_object_name");

		obj = bpfhost_object__open_mem(buf, size, &opts);
		ASSERT_TRUE(obj != NULL, "open_mem with a name");
		if (obj) {
			ASSERT_EQ(strcmp(bpfhost_object__name(obj), "a_very_long_object_name"), 0, "name from opts");
			/* libbpf: 8 characters of the object name + the section, 15 at most */
			ASSERT_TRUE(bpfhost_object__find_map_by_name(obj, "a_very_l.rodata") != NULL,
				    "internal map name from the opts name");
		}
		bpfhost_object__close(obj);
	}
	{
		struct {
			struct bpfhost_object_open_opts o;
			uint64_t future;
		} big;

		memset(&big, 0, sizeof(big));
		big.o.sz = sizeof(big);
		big.future = 1;
		ASSERT_TRUE(bpfhost_object__open_mem(buf, size, &big.o) == NULL, "unknown opts bytes refused");
		ASSERT_EQ(errno, EINVAL, "errno EINVAL");
		big.future = 0;
		obj = bpfhost_object__open_mem(buf, size, &big.o);
		ASSERT_TRUE(obj != NULL, "zero tail accepted");
		bpfhost_object__close(obj);
	}
	ASSERT_TRUE(bpfhost_object__open_file("/nonexistent/x.bpf.o", NULL) == NULL, "missing file");
	ASSERT_EQ(errno, ENOENT, "errno ENOENT");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "/nonexistent/x.bpf.o", "message names the path");
	free(buf);
}

static void t_load_and_run_globals(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_globals");
	struct settings cfg;
	uint8_t data[16], bss[16], ro[12];
	uint64_t u64;
	uint32_t u32, zero = 0;

	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), "load");
	/* Initial values, from the C initialisers. */
	ASSERT_OK(data_value(obj, ".data", data), "lookup .data");
	memcpy(&u32, data, 4);
	ASSERT_EQ(u32, 5, "data_counter = 5");
	memcpy(&u64, data + 8, 8);
	ASSERT_EQ(u64, 0x1122334455667788ULL, "data_big");
	ASSERT_OK(data_value(obj, ".rodata", ro), "lookup .rodata");
	memcpy(&cfg, ro, sizeof(cfg));
	ASSERT_EQ(cfg.scale, 3, "cfg.scale");
	ASSERT_EQ(cfg.offset, 100, "cfg.offset");
	ASSERT_EQ(cfg.enabled, 1, "cfg.enabled");
	memcpy(&u32, ro + sizeof(struct settings), 4);
	ASSERT_EQ(u32, 1000, "ro_limit");
	ASSERT_OK(data_value(obj, ".bss", bss), "lookup .bss");
	memcpy(&u64, bss, 8);
	ASSERT_EQ(u64, 0, ".bss starts zeroed");
	ASSERT_EQ(bpfhost_map_update_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, ".rodata")),
					  &zero, ro, BPF_ANY), -EPERM, ".rodata is frozen");

	/* read_globals: scale_up(data_counter) = data_counter * scale + offset, counted in bss_hits. */
	ASSERT_EQ(run_ok(obj, "read_globals"), 5 * 3 + 100, "read_globals");
	ASSERT_OK(data_value(obj, ".bss", bss), "lookup .bss");
	memcpy(&u32, bss, 4);
	ASSERT_EQ(u32, 1, "bss_hits after one call");
	/* write_globals: data_counter += 10, bss_last = data_big + 1, returns mix(7, 1). */
	ASSERT_EQ(run_ok(obj, "write_globals"), 7 * 3 + 1, "write_globals");
	ASSERT_OK(data_value(obj, ".data", data), "lookup .data");
	memcpy(&u32, data, 4);
	ASSERT_EQ(u32, 15, "data_counter written by the program");
	ASSERT_OK(data_value(obj, ".bss", bss), "lookup .bss");
	memcpy(&u64, bss + 8, 8);
	ASSERT_EQ(u64, 0x1122334455667789ULL, "bss_last written by the program");
	ASSERT_EQ(run_ok(obj, "read_globals"), 15 * 3 + 100, "read_globals sees the new data_counter");
	/* User space writes .data; the program sees it. */
	memcpy(data, &(uint32_t){ 2 }, 4);
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, ".data")),
					  &zero, data, BPF_ANY), "update .data");
	ASSERT_EQ(run_ok(obj, "read_globals"), 2 * 3 + 100, "read_globals after a user write");
	ASSERT_EQ(run_ok(obj, "plain"), 17, "plain");
	ASSERT_EQ(bpfhost_handle_count(), before + 6, "3 maps + 3 programs");
	ASSERT_EQ(bpfhost_object__load(obj), -EINVAL, "a second load is refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "already loaded", "message");
	bpfhost_object__close(obj);
	ASSERT_EQ(bpfhost_handle_count(), before, "close releases every handle");
}

/* `const volatile` configuration: set before load, read by the program. */
static void t_rodata_initial_value(void)
{
	struct bpfhost_object *obj = open_obj("object_globals");
	struct bpfhost_map *ro;
	const void *init;
	uint8_t buf[12];
	size_t size = 0;

	if (!obj)
		return;
	ro = bpfhost_object__find_map_by_name(obj, ".rodata");
	init = bpfhost_map__initial_value(ro, &size);
	ASSERT_EQ(size, 12, ".rodata size");
	ASSERT_TRUE(init != NULL, "initial value");
	if (!init)
		goto out;
	memcpy(buf, init, sizeof(buf));
	memcpy(buf + sizeof(struct settings), &(uint32_t){ 100 }, 4);	/* ro_limit = 100 */
	ASSERT_EQ(bpfhost_map__set_initial_value(ro, buf, 11), -EINVAL, "wrong size refused");
	ASSERT_OK(bpfhost_map__set_initial_value(ro, buf, sizeof(buf)), "set ro_limit = 100");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	ASSERT_EQ(run_ok(obj, "read_globals"), UINT32_MAX, "115 > ro_limit 100: returns -1");
	ASSERT_EQ(bpfhost_map__set_initial_value(ro, buf, sizeof(buf)), -EBUSY, "after load: -EBUSY");
out:
	bpfhost_object__close(obj);
}

static void t_prepare_then_load(void)
{
	struct bpfhost_object *obj = open_obj("object_globals");
	struct bpfhost_program *p;
	struct bpfhost_map *m;

	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__prepare(obj), "prepare");
	bpfhost_object__for_each_map(m, obj)
		ASSERT_GE(bpfhost_map__fd(m), 1, "maps exist after prepare");
	bpfhost_object__for_each_program(p, obj)
		ASSERT_EQ(bpfhost_program__fd(p), -ENOENT, "programs are not loaded by prepare");
	ASSERT_EQ(bpfhost_object__prepare(obj), -EINVAL, "prepare twice");
	ASSERT_EQ(bpfhost_program__set_autoload(bpfhost_object__find_program_by_name(obj, "plain"), false),
		  -EBUSY, "autoload fixed after prepare");
	ASSERT_OK(bpfhost_object__load(obj), "load after prepare");
	ASSERT_EQ(run_ok(obj, "plain"), 17, "plain runs");
	bpfhost_object__close(obj);
}

static void t_autoload_off(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_globals");
	struct bpfhost_program *w;

	if (!obj)
		return;
	w = bpfhost_object__find_program_by_name(obj, "write_globals");
	ASSERT_OK(bpfhost_program__set_autoload(w, false), "autoload off");
	ASSERT_TRUE(!bpfhost_program__autoload(w), "reads back");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	ASSERT_EQ(bpfhost_program__fd(w), -ENOENT, "not loaded");
	ASSERT_EQ(run_ok(obj, "read_globals"), 115, "the others are");
	ASSERT_EQ(bpfhost_handle_count(), before + 5, "3 maps + 2 programs");
	bpfhost_object__close(obj);
}

static void t_unknown_section(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_unknown_section");
	struct bpfhost_program *p;

	if (!obj)
		return;
	p = bpfhost_object__find_program_by_name(obj, "mystery");
	ASSERT_EQ(bpfhost_program__type(p), 0, "no provider claims 'nosuchtype/'");
	ASSERT_EQ(bpfhost_object__load(obj), -EINVAL, "load refused");
	ASSERT_EQ(errno, EINVAL, "errno");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_unknown_section'", "names the object");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'mystery'", "names the program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "section 'nosuchtype/probe'", "names the section");
	ASSERT_EQ(bpfhost_handle_count(), before, "nothing left behind");
	ASSERT_EQ(bpfhost_object__load(obj), -EINVAL, "no second attempt");
	bpfhost_object__close(obj);

	/* The caller may choose the type, or leave the program out. */
	obj = open_obj("object_unknown_section");
	if (!obj)
		return;
	p = bpfhost_object__find_program_by_name(obj, "mystery");
	ASSERT_OK(bpfhost_program__set_type(p, BPF_PROG_TYPE_SOCKET_FILTER), "set_type");
	ASSERT_OK(bpfhost_object__load(obj), "load with the type set");
	ASSERT_EQ(run_ok(obj, "mystery"), 2, "mystery runs as a socket filter");
	ASSERT_EQ(bpfhost_program__set_type(p, BPF_PROG_TYPE_SOCKET_FILTER), -EBUSY, "set_type after load");
	bpfhost_object__close(obj);
	obj = open_obj("object_unknown_section");
	if (!obj)
		return;
	ASSERT_OK(bpfhost_program__set_autoload(bpfhost_object__find_program_by_name(obj, "mystery"), false),
		  "autoload off");
	ASSERT_OK(bpfhost_object__load(obj), "load the rest");
	ASSERT_EQ(run_ok(obj, "known"), 1, "known runs");
	bpfhost_object__close(obj);
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
}

/* A failure at any step closes what the load had created. */
static void t_load_failure_unwinds(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_globals");
	int err;

	if (!obj)
		return;
	/* The last program fails: the maps and the programs loaded before it go. */
	ASSERT_OK(bpfhost_program__set_type(bpfhost_object__find_program_by_name(obj, "plain"), 4242),
		  "a program type nobody provides");
	err = bpfhost_object__load(obj);
	ASSERT_TRUE(err < 0, "load fails");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_globals': program 'plain'", "names object and program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "load failed", "says what failed");
	ASSERT_EQ(bpfhost_handle_count(), before, "every handle closed");
	ASSERT_EQ(bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, "read_globals")), -ENOENT,
		  "loaded programs were closed");
	ASSERT_EQ(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, ".data")), -ENOENT, "maps were closed");
	bpfhost_object__close(obj);

	/* A map the core refuses: nothing is left either. */
	obj = open_obj("object_maps");
	if (!obj)
		return;
	ASSERT_OK(bpfhost_map__set_max_entries(bpfhost_object__find_map_by_name(obj, "recent"), 0),
		  "max_entries 0");
	ASSERT_EQ(bpfhost_object__load(obj), -EINVAL, "create refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_maps': map 'recent': create failed", "names the map");
	ASSERT_EQ(bpfhost_handle_count(), before, "maps created before it were closed");
	bpfhost_object__close(obj);
}

static void t_maps_object_runs(void)
{
	struct bpfhost_object *obj = open_obj("object_maps");
	struct flow_key key = { .saddr = 1, .daddr = 2, .sport = 3, .dport = 4, .proto = 6 };
	struct flow_stats st;
	uint32_t v = 0;

	if (!obj)
		return;
	ASSERT_OK(bpfhost_map__set_pin_path(bpfhost_object__find_map_by_name(obj, "shared_cfg"), NULL),
		  "no pinning for this run");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	ASSERT_EQ(run_ok(obj, "count_packets"), 1, "first packet");
	ASSERT_EQ(run_ok(obj, "count_packets"), 2, "second packet");
	ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "flows")),
					  &key, &st), "flow entry");
	ASSERT_EQ(st.packets, 2, "inserted with 1, then incremented");
	ASSERT_EQ(st.bytes, 128, "64 + 64");
	ASSERT_EQ(st.verdict, VERDICT_PASS, "verdict");
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "work_queue")),
						     NULL, &v), "queue pop");
	ASSERT_EQ(v, 42, "pushed by the program");
	bpfhost_object__close(obj);
}

/* __uint(pinning, LIBBPF_PIN_BY_NAME): the first object pins, the next reuses. */
static void t_pinning_by_name(void)
{
	BPFHOST_OPTS(bpfhost_object_open_opts, opts, .pin_root_path = "/bpfhost-test/object_pins");
	struct bpfhost_object *a = bpfhost_object__open_file(bpf_object_path("object_maps"), &opts);
	struct bpfhost_object *b = bpfhost_object__open_file(bpf_object_path("object_maps"), &opts);
	struct bpfhost_object *c = bpfhost_object__open_file(bpf_object_path("object_maps"), &opts);
	uint32_t k = 0, v = 31337;
	struct bpf_map_info ia, ib;
	uint32_t len = sizeof(ia);

	ASSERT_TRUE(a && b && c, "open three");
	if (!a || !b || !c)
		goto out;
	ASSERT_EQ(strcmp(bpfhost_map__pin_path(bpfhost_object__find_map_by_name(a, "shared_cfg")),
			 "/bpfhost-test/object_pins/shared_cfg"), 0, "pin path = root/name");
	ASSERT_TRUE(bpfhost_map__pin_path(bpfhost_object__find_map_by_name(a, "flows")) == NULL, "unpinned map");
	ASSERT_OK(bpfhost_object__load(a), "load a (creates and pins)");
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(a, "shared_cfg")),
					  &k, &v, BPF_ANY), "write through a");
	ASSERT_OK(bpfhost_object__load(b), "load b (reuses)");
	ASSERT_EQ(run_ok(b, "read_cfg"), 31337, "b's program reads a's map");
	memset(&ia, 0, sizeof(ia));
	memset(&ib, 0, sizeof(ib));
	ASSERT_OK(bpfhost_map_get_info_by_fd(bpfhost_map__fd(bpfhost_object__find_map_by_name(a, "shared_cfg")), &ia, &len), "info a");
	len = sizeof(ib);
	ASSERT_OK(bpfhost_map_get_info_by_fd(bpfhost_map__fd(bpfhost_object__find_map_by_name(b, "shared_cfg")), &ib, &len), "info b");
	ASSERT_EQ(ia.id, ib.id, "one map");
	ASSERT_OK(bpfhost_map__set_max_entries(bpfhost_object__find_map_by_name(c, "shared_cfg"), 8), "c differs");
	ASSERT_EQ(bpfhost_object__load(c), -EINVAL, "an incompatible pinned map is refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'shared_cfg': the map pinned at '/bpfhost-test/object_pins/shared_cfg' does not match",
			    "message");
out:
	bpfhost_object__close(a);
	bpfhost_object__close(b);
	bpfhost_object__close(c);
	ASSERT_OK(bpfhost_obj_unpin("/bpfhost-test/object_pins/shared_cfg"), "unpin");
}

/* bpf_printk: the format in .rodata, two literals in .rodata.str1.1 (section symbol + addend). */
static void t_strings_in_rodata(void)
{
	struct bpfhost_object *obj = open_obj("object_printk");
	const struct bpfhost_map *str;
	const struct bpf_insn *in;
	char trace[1024] = { 0 };
	uint32_t offs[2], n = 0;
	size_t cnt;

	if (!obj)
		return;
	str = bpfhost_object__find_map_by_name(obj, ".rodata.str1.1");
	ASSERT_TRUE(str != NULL, "map of the merged strings section, named as the section");
	ASSERT_TRUE(bpfhost_object__find_map_by_name(obj, "object_p.rodata") != NULL, "the format's .rodata");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	bpfhost_trace_read(trace, sizeof(trace) - 1);	/* drain older lines */
	memset(trace, 0, sizeof(trace));
	ASSERT_EQ(run_ok(obj, "printer"), 0, "run");
	ASSERT_GE(bpfhost_trace_read(trace, sizeof(trace) - 1), 1, "trace log");
	ASSERT_STR_CONTAINS(trace, "first and second: 42", "both literals and the number");
	in = bpfhost_program__insns(bpfhost_object__find_program_by_name(obj, "printer"));
	cnt = bpfhost_program__insn_cnt(bpfhost_object__find_program_by_name(obj, "printer"));
	for (size_t i = 0; str && i + 1 < cnt; i++)
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW) && in[i].src_reg == BPF_PSEUDO_MAP_VALUE &&
		    in[i].imm == bpfhost_map__fd(str) && n < 2)
			offs[n++] = (uint32_t)in[++i].imm;
	ASSERT_EQ(n, 2, "two loads from .rodata.str1.1");
	if (n == 2) {
		ASSERT_EQ(offs[0], 0, "\"first\" at 0");
		ASSERT_EQ(offs[1], sizeof("first"), "\"second\" after it: the lddw's addend");
	}
	bpfhost_object__close(obj);
}

/* A section prefix an extension registers ("testprog/", tests/ext/test_prog_provider.c). */
static void t_extension_section(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_ext_prog");
	uint8_t data[4] = { 5, 0, 0, 0 };
	struct bpfhost_program *p;
	uint32_t cnt = 0, ret = 0;
	int mod, link;

	if (!obj)
		return;
	p = bpfhost_object__find_program_by_name(obj, "ext_prog");
	ASSERT_EQ(bpfhost_program__type(p), 0, "no provider yet: type unknown at open");
	mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");
	ASSERT_GE(mod, 1, "load the module that claims 'testprog/'");
	ASSERT_OK(bpfhost_object__load(obj), "load: the type is asked again");
	ASSERT_EQ(bpfhost_program__type(p), 4200, "the module's program type");
	ASSERT_EQ(bpfhost_program__expected_attach_type(p), 4300, "the attach type of 'testprog/'");
	link = bpfhost_link_create(bpfhost_program__fd(p), 0, 4300, NULL);
	ASSERT_GE(link, 1, "attach to the module's hook");
	ASSERT_OK(bpfhost_hook_trigger(4300, data, sizeof(data), &cnt, &ret), "fire the hook");
	ASSERT_EQ(cnt, 1, "the program ran");
	ASSERT_EQ(ret, 5 + 7, "data[0] + the hook's ctx value 7, through the module's helper");
	bpfhost_link_detach(link);
	bpfhost_close(link);
	bpfhost_object__close(obj);
	if (mod >= 1)
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload: nothing of the module is left");
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_open_and_iterate),
		TEST(t_open_mem_and_opts),
		TEST(t_load_and_run_globals),
		TEST(t_rodata_initial_value),
		TEST(t_prepare_then_load),
		TEST(t_autoload_off),
		TEST(t_unknown_section),
		TEST(t_load_failure_unwinds),
		TEST(t_maps_object_runs),
		TEST(t_pinning_by_name),
		TEST(t_extension_section),
		TEST(t_strings_in_rodata),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object", cases, ARRAY_SIZE(cases));
}
