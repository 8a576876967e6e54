// SPDX-License-Identifier: MIT
/*
 * fuzz_elf: the object loader on arbitrary bytes. Each input goes through
 * bpfhost_object__open_mem(), the getters (maps, programs, every BTF type),
 * load and close, and through bpfhost_btf__new() as raw BTF. What must hold
 * for every input:
 *
 *  - no sanitizer report, whatever the bytes; every BTF type a name finds
 *    has that name and kind;
 *  - a failed load leaves nothing pinned (as libbpf, it unpins what it
 *    pinned), and after close (and unpinning what a successful load
 *    pinned) the handle count and the live objects are back to where they
 *    were before the input.
 *
 * Socket filter programs that load are test-run once (with a small
 * instruction budget: mutated loops must end) so clang-compiled code
 * reaches the interpreter too.
 */
#include <errno.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"
#include "fuzz_common.h"

#define PIN_ROOT "/fuzz_elf"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_init(NULL);
	return 0;
}

/* Every type, every name and every lookup the BTF API offers. */
static void walk_btf(const struct bpfhost_btf *btf)
{
	uint32_t cnt = bpfhost_btf__type_cnt(btf);

	FUZZ_CHECK(cnt >= 1, "BTF without void");
	FUZZ_CHECK(!bpfhost_btf__type_by_id(btf, cnt), "type id %u past the last one found", cnt);
	for (uint32_t id = 0; id < cnt; id++) {
		const struct bpfhost_btf_type *t = bpfhost_btf__type_by_id(btf, id);
		size_t len = 0;
		int found;

		FUZZ_CHECK(t && t->id == id, "type %u missing or numbered %u", id, t ? t->id : 0);
		FUZZ_CHECK(t->name, "type %u without a name string", id);
		for (uint32_t i = 0; i < t->vlen; i++) {
			if (t->members)
				len += strlen(t->members[i].name);
			if (t->values)
				len += strlen(t->values[i].name);
			if (t->params)
				len += strlen(t->params[i].name);
			if (t->secinfos)
				len += t->secinfos[i].size;
		}
		(void)len;
		(void)bpfhost_btf__resolve_size(btf, id);
		(void)bpfhost_btf__resolve_type(btf, id);
		(void)bpfhost_btf_kind_str(t->kind);
		if (!t->name[0])
			continue;
		found = bpfhost_btf__find_by_name_kind(btf, t->name, t->kind);
		FUZZ_CHECK(found > 0 && (uint32_t)found < cnt, "type %u '%s' not found by its name and kind",
			   id, t->name);
		{
			const struct bpfhost_btf_type *f = bpfhost_btf__type_by_id(btf, (uint32_t)found);

			FUZZ_CHECK(f && f->kind == t->kind && !strcmp(f->name, t->name),
				   "find_by_name_kind('%s') gave type %d of another name or kind", t->name, found);
		}
	}
}

/* Reads everything the getters offer, so a malformed object trips them too. */
static void walk(const struct bpfhost_object *obj)
{
	struct bpfhost_map *map;
	struct bpfhost_program *prog;
	size_t n;

	(void)bpfhost_object__name(obj);
	(void)bpfhost_object__license(obj);
	if (bpfhost_object__btf(obj))
		walk_btf(bpfhost_object__btf(obj));
	bpfhost_object__for_each_map(map, obj) {
		const char *name = bpfhost_map__name(map);

		FUZZ_CHECK(name, "a map without a name");
		FUZZ_CHECK(bpfhost_object__find_map_by_name(obj, name), "map '%s' not found by its name",
			   name);
		(void)bpfhost_map__type(map);
		(void)bpfhost_map__key_size(map);
		(void)bpfhost_map__value_size(map);
		(void)bpfhost_map__max_entries(map);
		(void)bpfhost_map__btf_key_type_id(map);
		(void)bpfhost_map__btf_value_type_id(map);
		(void)bpfhost_map__inner_map(map);
		(void)bpfhost_map__pin_path(map);
		(void)bpfhost_map__initial_value(map, &n);
	}
	bpfhost_object__for_each_program(prog, obj) {
		const char *name = bpfhost_program__name(prog);
		const struct bpf_insn *insns = bpfhost_program__insns(prog);
		size_t cnt = bpfhost_program__insn_cnt(prog);
		uint64_t sum = 0;

		FUZZ_CHECK(name, "a program without a name");
		(void)bpfhost_program__section_name(prog);
		(void)bpfhost_program__type(prog);
		/* the instructions must be readable, all of them */
		for (size_t i = 0; i < cnt; i++)
			sum += insns[i].code;
		(void)sum;
	}
}

/*
 * The harness's own resource limit, not the loader's: an object may ask for
 * maps of gigabytes (the core grants up to 4 GiB per map, as Linux would
 * within its memory limits), and a few such inputs exhaust the fuzzer's
 * memory. Each map (and inner map template) is kept near 16 MiB.
 */
#define MAP_BYTES_MAX (16ull << 20)

static void limit_map(struct bpfhost_map *map)
{
	uint64_t per = ((uint64_t)bpfhost_map__key_size(map) + bpfhost_map__value_size(map) + 64) *
		       (uint64_t)bpfhost_num_possible_cpus();
	uint64_t max = MAP_BYTES_MAX / per;

	if (bpfhost_map__type(map) == BPF_MAP_TYPE_RINGBUF)
		per = 1;	/* max_entries is the ring's size in bytes */
	if (per * bpfhost_map__max_entries(map) > MAP_BYTES_MAX)
		bpfhost_map__set_max_entries(map, per == 1 ? (uint32_t)MAP_BYTES_MAX : max ? (uint32_t)max : 1);
}

static void limit_maps(struct bpfhost_object *obj)
{
	struct bpfhost_map *map;

	bpfhost_object__for_each_map(map, obj) {
		limit_map(map);
		if (bpfhost_map__inner_map(map))
			limit_map(bpfhost_map__inner_map(map));
	}
}

static void test_run_programs(const struct bpfhost_object *obj)
{
	struct bpfhost_program *prog;
	uint8_t pkt[64] = { [12] = 0x08 };

	bpfhost_object__for_each_program(prog, obj) {
		int fd = bpfhost_program__fd(prog), err;

		if (fd < 0 || bpfhost_program__type(prog) != BPF_PROG_TYPE_SOCKET_FILTER)
			continue;
		{
			BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
				     .insn_budget = 4096);

			err = bpfhost_prog_test_run_opts(fd, &opts);
			FUZZ_CHECK(err == 0 || (err < 0 && err >= -4095), "test run returned %d", err);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BPFHOST_OPTS(bpfhost_object_open_opts, opts, .object_name = "fuzz", .pin_root_path = PIN_ROOT);
	struct fuzz_counts before = fuzz_counts_now();
	struct bpfhost_object *obj;
	struct bpfhost_map *map;
	char **pins = NULL;
	int npins = 0, err;

	{
		/* The same bytes as raw BTF: the BTF parser without the ELF around it. */
		struct bpfhost_btf *btf = bpfhost_btf__new(data, size);

		if (btf)
			walk_btf(btf);
		bpfhost_btf__free(btf);
	}
	obj = bpfhost_object__open_mem(data, size, &opts);
	if (!obj) {
		FUZZ_CHECK(errno > 0, "open_mem failed without an errno");
		fuzz_counts_check("fuzz_elf (open refused)", before);
		return 0;
	}
	walk(obj);
	limit_maps(obj);
	err = bpfhost_object__load(obj);
	FUZZ_CHECK(err <= 0 && err >= -4095, "load returned %d", err);
	bpfhost_object__for_each_map(map, obj) {
		const char *path = bpfhost_map__pin_path(map);

		if (path) {
			pins = realloc(pins, sizeof(*pins) * (npins + 1));
			FUZZ_CHECK(pins && (pins[npins] = strdup(path)), "out of memory");
			npins++;
		}
	}
	if (!err)
		test_run_programs(obj);
	bpfhost_object__close(obj);
	for (int i = 0; i < npins; i++) {
		int fd = bpfhost_obj_get(pins[i]);

		FUZZ_CHECK(!err || fd < 0, "a failed load left map pinned at '%s'", pins[i]);
		if (fd >= 0) {
			bpfhost_close(fd);
			bpfhost_obj_unpin(pins[i]);
		}
		free(pins[i]);
	}
	free(pins);
	fuzz_counts_check("fuzz_elf", before);
	return 0;
}
