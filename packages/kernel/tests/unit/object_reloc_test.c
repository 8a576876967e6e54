// SPDX-License-Identifier: MIT
/*
 * Relocation: the instructions bpfhost_object__prepare() produces. Map loads
 * carry the handles of exactly the maps the C source uses; global data loads
 * are BPF_PSEUDO_MAP_VALUE with the offset of the variable (the DATASEC and
 * ELF symbols name it); `.text` functions are appended once per program, in
 * call order, byte-identical to the ELF except where relocated, with every
 * call pointing at its copy. Where bpf(2) works, the same relocated programs
 * (map handles swapped for kernel map fds) load in the Linux kernel and
 * return what bpfhost returns. Bad relocations (patched into a real object)
 * are refused at open with the section, the instruction and the symbol.
 */
#include <stdint.h>

#include "test.h"
#include "bpf_objects.h"
#include "kernel_bpf.h"
#include "kernel_mirror.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"
#include "lib/elf_reader.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)
#define CALL (BPF_JMP | BPF_CALL)

static struct bpfhost_object *open_prepared(const char *name)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path(name), NULL);

	ASSERT_TRUE(obj != NULL, "open");
	if (obj && bpfhost_object__prepare(obj)) {
		ASSERT_TRUE(false, "prepare");
		bpfhost_object__close(obj);
		obj = NULL;
	}
	return obj;
}

static const struct bpfhost_map *map_by_fd(const struct bpfhost_object *obj, int fd)
{
	const struct bpfhost_map *m;

	bpfhost_object__for_each_map(m, obj)
		if (bpfhost_map__fd(m) == fd)
			return m;
	return NULL;
}

/* The global variable at @off of a global data map (from its DATASEC). */
static const char *var_at(const struct bpfhost_object *obj, const struct bpfhost_map *m, uint32_t off)
{
	const struct bpfhost_btf *btf = bpfhost_object__btf(obj);
	const struct bpfhost_btf_type *ds = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_value_type_id(m));

	for (uint32_t i = 0; ds && i < ds->vlen; i++)
		if (ds->secinfos[i].offset == off)
			return bpfhost_btf__type_by_id(btf, ds->secinfos[i].type)->name;
	return "?";
}

/*
 * Names what each relocated lddw of @prog refers to, sorted-insensitive:
 * "map:<name>" or "var:<name>", joined by spaces in instruction order.
 */
static void lddw_targets(const struct bpfhost_object *obj, const char *prog, char *out, size_t size)
{
	const struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, prog);
	const struct bpf_insn *in = bpfhost_program__insns(p);
	size_t n = bpfhost_program__insn_cnt(p), len = 0;

	out[0] = '\0';
	for (size_t i = 0; i + 1 < n; i++) {
		const struct bpfhost_map *m;

		if (in[i].code != LDDW)
			continue;
		m = map_by_fd(obj, in[i].imm);
		if (in[i].src_reg == BPF_PSEUDO_MAP_FD) {
			ASSERT_TRUE(m != NULL, "BPF_PSEUDO_MAP_FD imm is a map handle of the object");
			ASSERT_EQ(in[i + 1].imm, 0, "second half is 0");
			len += snprintf(out + len, size - len, " map:%s", m ? bpfhost_map__name(m) : "?");
		} else if (in[i].src_reg == BPF_PSEUDO_MAP_VALUE) {
			ASSERT_TRUE(m && bpfhost_map__is_internal(m), "BPF_PSEUDO_MAP_VALUE of a global data map");
			ASSERT_TRUE(m && (uint32_t)in[i + 1].imm < bpfhost_map__value_size(m), "offset inside the value");
			len += snprintf(out + len, size - len, " var:%s",
					m ? var_at(obj, m, (uint32_t)in[i + 1].imm) : "?");
		} else {
			ASSERT_EQ(in[i].src_reg, 0, "other lddw are plain 64-bit constants");
		}
		i++;
		if (len >= size)
			break;
	}
}

static void t_map_and_data_loads(void)
{
	struct bpfhost_object *obj = open_prepared("object_globals");
	char got[512];

	if (!obj)
		return;
	/* read_globals -> scale_up -> mix, appended in that order. */
	lddw_targets(obj, "read_globals", got, sizeof(got));
	ASSERT_EQ(strcmp(got, " var:data_counter var:ro_limit var:bss_hits var:cfg var:cfg"), 0, got);
	lddw_targets(obj, "write_globals", got, sizeof(got));
	ASSERT_EQ(strcmp(got, " var:data_counter var:data_big var:bss_last var:cfg"), 0, got);
	lddw_targets(obj, "plain", got, sizeof(got));
	ASSERT_EQ(strcmp(got, ""), 0, "plain uses nothing");
	bpfhost_object__close(obj);

	obj = open_prepared("object_maps");
	if (!obj)
		return;
	/* The maps of count_packets, in the order of its helper calls (flows: lookup, update). */
	lddw_targets(obj, "count_packets", got, sizeof(got));
	ASSERT_EQ(strcmp(got, " map:flows map:flows map:pcpu_array map:pcpu_hash map:recent map:work_queue"
			      " map:events map:counters"), 0, got);
	ASSERT_TRUE(strstr(got, "shared_cfg") == NULL, "count_packets does not use shared_cfg");
	lddw_targets(obj, "read_cfg", got, sizeof(got));
	ASSERT_EQ(strcmp(got, " map:shared_cfg"), 0, got);
	bpfhost_object__close(obj);
}

/* The ELF: symbol @name's instruction range in its section, and that section's bytes. */
static bool func_range(const struct elf_file *elf, const char *name, const struct bpf_insn **code,
		       uint32_t *cnt)
{
	for (uint32_t i = 0; i < elf->sym_cnt; i++) {
		const struct elf_symbol *s = &elf->syms[i];

		if (s->type == ELF_STT_FUNC && !strcmp(s->name, name)) {
			*code = (const struct bpf_insn *)(elf->secs[s->shndx].data + s->value);
			*cnt = (uint32_t)(s->size / 8);
			return true;
		}
	}
	return false;
}

/* @copy equals @orig but for relocated instructions (lddw of maps/data, pseudo calls). */
static void same_code(const struct bpf_insn *copy, const struct bpf_insn *orig, uint32_t cnt,
		      const char *what)
{
	for (uint32_t i = 0; i < cnt; i++) {
		bool reloc = (orig[i].code == LDDW && (copy[i].src_reg == BPF_PSEUDO_MAP_FD ||
						       copy[i].src_reg == BPF_PSEUDO_MAP_VALUE)) ||
			     (orig[i].code == CALL && orig[i].src_reg == BPF_PSEUDO_CALL);

		ASSERT_EQ(copy[i].code, orig[i].code, what);
		ASSERT_EQ(copy[i].dst_reg, orig[i].dst_reg, what);
		ASSERT_EQ(copy[i].off, orig[i].off, what);
		if (!reloc) {
			ASSERT_EQ(copy[i].src_reg, orig[i].src_reg, what);
			ASSERT_EQ(copy[i].imm, orig[i].imm, what);
		}
		if (orig[i].code == LDDW && reloc)
			i++;	/* second half: imm is the relocated offset */
	}
}

/* Index of the pseudo call's target in @in. */
static int64_t call_target(const struct bpf_insn *in, uint32_t i)
{
	return (int64_t)i + in[i].imm + 1;
}

static void t_subprograms(void)
{
	size_t size = 0;
	void *image = bpf_object_read("object_globals", &size);
	struct bpfhost_object *obj = open_prepared("object_globals");
	const struct bpf_insn *main_c, *scale_c, *mix_c, *in;
	uint32_t main_n, scale_n, mix_n, n, calls = 0;
	struct elf_file elf;

	if (!image || !obj || elf_open(&elf, "object_globals", image, size)) {
		ASSERT_TRUE(false, "object and ELF");
		goto out_noelf;
	}
	ASSERT_TRUE(func_range(&elf, "read_globals", &main_c, &main_n) &&
		    func_range(&elf, "scale_up", &scale_c, &scale_n) && func_range(&elf, "mix", &mix_c, &mix_n),
		    "functions in the ELF");

	/* read_globals calls scale_up (relocated call), which calls mix (pc-relative in .text). */
	in = bpfhost_program__insns(bpfhost_object__find_program_by_name(obj, "read_globals"));
	n = (uint32_t)bpfhost_program__insn_cnt(bpfhost_object__find_program_by_name(obj, "read_globals"));
	ASSERT_EQ(n, main_n + scale_n + mix_n, "read_globals + scale_up + mix");
	same_code(in, main_c, main_n, "read_globals body");
	same_code(in + main_n, scale_c, scale_n, "scale_up copy");
	same_code(in + main_n + scale_n, mix_c, mix_n, "mix copy");
	for (uint32_t i = 0; i < n; i++) {
		if (in[i].code != CALL || in[i].src_reg != BPF_PSEUDO_CALL)
			continue;
		calls++;
		if (i < main_n)
			ASSERT_EQ(call_target(in, i), main_n, "read_globals -> scale_up's copy");
		else
			ASSERT_EQ(call_target(in, i), main_n + scale_n, "scale_up -> mix's copy");
	}
	ASSERT_EQ(calls, 2, "two bpf-to-bpf calls");

	/* write_globals calls mix only: mix is appended, scale_up is not. */
	ASSERT_TRUE(func_range(&elf, "write_globals", &main_c, &main_n), "write_globals in the ELF");
	in = bpfhost_program__insns(bpfhost_object__find_program_by_name(obj, "write_globals"));
	n = (uint32_t)bpfhost_program__insn_cnt(bpfhost_object__find_program_by_name(obj, "write_globals"));
	ASSERT_EQ(n, main_n + mix_n, "write_globals + mix");
	same_code(in + main_n, mix_c, mix_n, "mix copy");
	calls = 0;
	for (uint32_t i = 0; i < n; i++)
		if (in[i].code == CALL && in[i].src_reg == BPF_PSEUDO_CALL) {
			calls++;
			ASSERT_EQ(call_target(in, i), main_n, "write_globals -> mix's copy");
		}
	ASSERT_EQ(calls, 1, "one bpf-to-bpf call");
	ASSERT_EQ(bpfhost_program__insn_cnt(bpfhost_object__find_program_by_name(obj, "plain")), 2,
		  "plain: nothing appended");
	elf_close(&elf);
out_noelf:
	bpfhost_object__close(obj);
	free(image);
}

/* A callback's address (bpf_loop): lddw of a .text function becomes BPF_PSEUDO_FUNC to its copy. */
static void t_callback_address(void)
{
	size_t size = 0;
	void *image = bpf_object_read("object_callback", &size);
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("object_callback"), NULL);
	const struct bpf_insn *main_c, *cb_c, *in;
	uint32_t main_n, cb_n, n, found = 0;
	struct bpfhost_program *p;
	struct elf_file elf;

	if (!image || !obj || elf_open(&elf, "object_callback", image, size)) {
		ASSERT_TRUE(false, "object and ELF");
		goto out_noelf;
	}
	ASSERT_TRUE(func_range(&elf, "sum_loop", &main_c, &main_n) && func_range(&elf, "add_index", &cb_c, &cb_n),
		    "functions in the ELF");
	p = bpfhost_object__find_program_by_name(obj, "sum_loop");
	in = bpfhost_program__insns(p);
	for (uint32_t i = 0; i + 1 < main_n; i++)
		if (in[i].code == LDDW && in[i].src_reg == BPF_PSEUDO_FUNC)
			found++;
	ASSERT_EQ(found, 1, "marked BPF_PSEUDO_FUNC at open, as libbpf does (clang leaves src_reg 0)");
	ASSERT_OK(bpfhost_object__prepare(obj), "prepare");
	in = bpfhost_program__insns(p);
	n = (uint32_t)bpfhost_program__insn_cnt(p);
	ASSERT_EQ(n, main_n + cb_n, "the callback is appended");
	same_code(in + main_n, cb_c, cb_n, "callback copy");
	found = 0;
	for (uint32_t i = 0; i + 1 < n; i++)
		if (in[i].code == LDDW && in[i].src_reg == BPF_PSEUDO_FUNC) {
			found++;
			ASSERT_EQ(call_target(in, i), main_n, "imm points at the callback's copy");
			ASSERT_EQ(in[i + 1].imm, 0, "second half 0");
		}
	ASSERT_EQ(found, 1, "one function address");
	elf_close(&elf);
out_noelf:
	bpfhost_object__close(obj);
	free(image);
}

/* ---------------------------------------------------------------------------
 * The kernel as the oracle: the same relocated instructions, kernel maps.
 */
static int kernel_runs_compared;

static void compare_runs(const char *objname, const char *const *runs, size_t nruns)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path(objname), NULL);
	uint8_t pkt[64] = { [12] = 0x08, [14] = 0x45 };
	struct kmirror km = { .n = 0 };
	const struct bpfhost_map *m;

	if (!obj)
		return;
	if (!strcmp(objname, "object_maps"))
		bpfhost_map__set_pin_path(bpfhost_object__find_map_by_name(obj, "shared_cfg"), NULL);
	ASSERT_OK(bpfhost_object__load(obj), "load");
	if (!kmirror_maps(obj, &km))
		goto out;
	for (size_t r = 0; r < nruns; r++) {
		const struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, runs[r]);
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
		uint32_t kret = 0;
		int kfd = kmirror_load(p, &km, BPF_PROG_TYPE_SOCKET_FILTER);

		ASSERT_GE(kfd, 0, "the kernel accepts the relocated program");
		if (kfd < 0)
			continue;
		ASSERT_OK(kbpf_prog_test_run(kfd, pkt, sizeof(pkt), 1, &kret, NULL), "kernel test run");
		ASSERT_OK(bpfhost_prog_test_run_opts(bpfhost_program__fd(p), &o), "bpfhost test run");
		ASSERT_EQ(o.retval, kret, runs[r]);
		kernel_runs_compared++;
		kbpf_close(kfd);
	}
	/* Global data and array contents end up the same. */
	bpfhost_object__for_each_map(m, obj) {
		uint8_t a[256], b[256];
		uint32_t zero = 0;

		if (bpfhost_map__type(m) != BPF_MAP_TYPE_ARRAY || bpfhost_map__value_size(m) > sizeof(a))
			continue;
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(m), &zero, a), "bpfhost lookup");
		ASSERT_OK(kbpf_map_lookup(kmirror_fd(&km, bpfhost_map__fd(m)), &zero, b, 0), "kernel lookup");
		ASSERT_EQ(memcmp(a, b, bpfhost_map__value_size(m)), 0, bpfhost_map__name(m));
	}
out:
	kmirror_close(&km);
	bpfhost_object__close(obj);
}

static void t_kernel_agrees(void)
{
	static const char *const globals[] = { "read_globals", "write_globals", "read_globals", "plain",
					       "write_globals", "read_globals" };
	static const char *const maps[] = { "count_packets", "count_packets", "count_packets", "read_cfg" };
	char reason[128];

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("note: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return;
	}
	compare_runs("object_globals", globals, ARRAY_SIZE(globals));
	compare_runs("object_maps", maps, ARRAY_SIZE(maps));
	compare_runs("object_legacy_maps", (const char *const[]){ "legacy_prog" }, 1);
	printf("kernel comparison: %d program runs returned the same value in Linux and bpfhost\n",
	       kernel_runs_compared);
}

/* ---------------------------------------------------------------------------
 * Bad relocations, patched into object_globals.
 */
struct patchable {
	uint8_t *image;
	size_t size;
	struct elf_file elf;
	uint8_t *rel;		/* `.relsocket` in the image */
	uint32_t rel_cnt;
	const struct elf_section *sec;	/* `socket` */
};

static bool patchable_open(struct patchable *p)
{
	const struct elf_section *rel;

	memset(p, 0, sizeof(*p));
	p->image = bpf_object_read("object_globals", &p->size);
	if (!p->image || elf_open(&p->elf, "object_globals", p->image, p->size))
		return false;
	rel = elf_find_section(&p->elf, ".relsocket");
	p->sec = elf_find_section(&p->elf, "socket");
	if (!rel || !p->sec)
		return false;
	p->rel = p->image + (rel->data - p->image);
	p->rel_cnt = elf_rel_count(rel);
	return true;
}

static void patchable_close(struct patchable *p)
{
	elf_close(&p->elf);
	free(p->image);
}

static uint32_t sym_index(const struct patchable *p, const char *name)
{
	for (uint32_t i = 0; i < p->elf.sym_cnt; i++)
		if (!strcmp(p->elf.syms[i].name, name))
			return i;
	return UINT32_MAX;
}

/* Entry @i: offset and info, read and written in place. */
static void rel_get(const struct patchable *p, uint32_t i, uint64_t *off, uint64_t *info)
{
	memcpy(off, p->rel + i * 16, 8);
	memcpy(info, p->rel + i * 16 + 8, 8);
}

static void rel_set(struct patchable *p, uint32_t i, uint64_t off, uint64_t info)
{
	memcpy(p->rel + i * 16, &off, 8);
	memcpy(p->rel + i * 16 + 8, &info, 8);
}

/* Opens the patched image: must fail with EINVAL and a message holding each of @needles. */
static void expect_refused(struct patchable *p, const char *what, const char *n1, const char *n2)
{
	BPFHOST_OPTS(bpfhost_object_open_opts, opts, .object_name = "object_globals");
	struct bpfhost_object *obj = bpfhost_object__open_mem(p->image, p->size, &opts);

	ASSERT_TRUE(obj == NULL, what);
	ASSERT_EQ(errno, EINVAL, what);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), n1, what);
	if (n2)
		ASSERT_STR_CONTAINS(bpfhost_last_error(), n2, what);
	bpfhost_object__close(obj);
}

static void t_bad_relocations(void)
{
	struct patchable p;
	uint64_t off, info, off0, info0;
	char msg[128];
	uint32_t lddw_rel = UINT32_MAX, call_rel = UINT32_MAX, exit_idx = 0;
	const struct bpf_insn *code;

	if (!patchable_open(&p)) {
		ASSERT_TRUE(false, "object_globals and its .relsocket");
		patchable_close(&p);
		return;
	}
	code = (const struct bpf_insn *)p.sec->data;
	for (uint32_t i = 0; i < p.rel_cnt; i++) {
		rel_get(&p, i, &off, &info);
		if (code[off / 8].code == LDDW && lddw_rel == UINT32_MAX)
			lddw_rel = i;
		if (code[off / 8].code == CALL && call_rel == UINT32_MAX)
			call_rel = i;
	}
	while (code[exit_idx].code != (BPF_JMP | BPF_EXIT))
		exit_idx++;
	ASSERT_TRUE(lddw_rel != UINT32_MAX && call_rel != UINT32_MAX, "an lddw and a call relocation");
	if (lddw_rel == UINT32_MAX || call_rel == UINT32_MAX)
		goto out;
	rel_get(&p, lddw_rel, &off0, &info0);

	rel_set(&p, lddw_rel, p.sec->size + 8, info0);
	snprintf(msg, sizeof(msg), "at byte offset %llu is outside its %llu instructions",
		 (unsigned long long)p.sec->size + 8, (unsigned long long)p.sec->size / 8);
	expect_refused(&p, "offset past the section", "object 'object_globals': section 'socket': relocation", msg);

	rel_set(&p, lddw_rel, off0 + 4, info0);
	expect_refused(&p, "offset not on an instruction", "section 'socket'", "or not on one");

	rel_set(&p, lddw_rel, (uint64_t)exit_idx * 8, info0);
	snprintf(msg, sizeof(msg), "insn %u (program 'read_globals')", exit_idx);
	expect_refused(&p, "relocation on an exit", msg, "on opcode 0x95, which is neither lddw nor call");

	rel_set(&p, lddw_rel, off0, ((uint64_t)(p.elf.sym_cnt + 5) << 32) | R_BPF_64_64);
	snprintf(msg, sizeof(msg), "symbol index %u is out of range (%u symbols)", p.elf.sym_cnt + 5, p.elf.sym_cnt);
	expect_refused(&p, "symbol index out of range", "relocation section '.relsocket'", msg);

	rel_set(&p, lddw_rel, off0, (info0 & ~0xffffffffULL) | R_BPF_64_32);
	snprintf(msg, sizeof(msg), "insn %llu", (unsigned long long)off0 / 8);
	expect_refused(&p, "call relocation type on lddw", msg, "relocation type 10 on lddw");

	rel_set(&p, lddw_rel, off0, ((uint64_t)sym_index(&p, "LICENSE") << 32) | R_BPF_64_64);
	expect_refused(&p, "lddw of the license", "refers to 'LICENSE' in section 'license'",
		       "neither a map, global data nor .text");

	rel_set(&p, lddw_rel, off0, ((uint64_t)sym_index(&p, "ro_limit") << 32) | R_BPF_64_64);
	{
		/* The instruction's own addend pushes the offset out of .rodata (12 bytes). */
		struct bpf_insn *insn = (struct bpf_insn *)(p.image + (p.sec->data - p.image)) + off0 / 8;
		int32_t imm0 = insn->imm;

		insn->imm = 4;
		expect_refused(&p, "data offset past the section", "'ro_limit' + 4 is outside '.rodata' (12 bytes)", NULL);
		insn->imm = imm0;
	}
	rel_set(&p, lddw_rel, off0, info0);

	rel_get(&p, call_rel, &off, &info);
	rel_set(&p, call_rel, off, ((uint64_t)sym_index(&p, "data_counter") << 32) | R_BPF_64_32);
	expect_refused(&p, "call into data", "call to 'data_counter', which is not a function in '.text'", NULL);
	rel_set(&p, call_rel, off, info);

	/* Unpatched, it opens. */
	{
		struct bpfhost_object *obj = bpfhost_object__open_mem(p.image, p.size, NULL);

		ASSERT_TRUE(obj != NULL, "restored image opens");
		bpfhost_object__close(obj);
	}
out:
	patchable_close(&p);
}

static void t_missing_map(void)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("object_missing_map"), NULL);

	ASSERT_TRUE(obj == NULL, "refused at open");
	ASSERT_EQ(errno, EINVAL, "errno EINVAL");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_missing_map': section 'socket': insn ", "names section and insn");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "(program 'uses_missing'): 'elsewhere' is not defined in this object",
			    "names program and map");
	bpfhost_object__close(obj);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_map_and_data_loads),
		TEST(t_subprograms),
		TEST(t_callback_address),
		TEST(t_kernel_agrees),
		TEST(t_bad_relocations),
		TEST(t_missing_map),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_reloc", cases, ARRAY_SIZE(cases));
}
