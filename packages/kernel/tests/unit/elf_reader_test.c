// SPDX-License-Identifier: MIT
/*
 * Malformed ELF: every truncation of each test object, every header field
 * and section/symbol table fault patched into a real object, a hand-built
 * object whose program is over the core's size limit, and random corruption.
 * Each is refused with -EINVAL (or loads, for harmless corruption) and a
 * message naming the object and what is wrong; nothing crashes (ASan) and no
 * handle is left behind.
 */
#include <stdint.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"
#include "lib/elf_reader.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static const char *const objects[] = {
	"object_globals", "object_maps", "object_tailcall", "object_legacy_maps", "object_btf_kinds",
};

static struct bpfhost_object *open_named(const void *buf, size_t size, const char *name)
{
	BPFHOST_OPTS(bpfhost_object_open_opts, opts, .object_name = name);

	return bpfhost_object__open_mem(buf, size, &opts);
}

static void t_every_truncation(void)
{
	size_t total = 0;

	for (size_t i = 0; i < ARRAY_SIZE(objects); i++) {
		size_t size;
		uint8_t *image = bpf_object_read(objects[i], &size);
		struct bpfhost_object *obj;

		ASSERT_TRUE(image != NULL, objects[i]);
		if (!image)
			continue;
		for (size_t len = 0; len < size; len++) {
			/* A fresh allocation of exactly @len bytes, so ASan sees any read past it. */
			uint8_t *cut = malloc(len ? len : 1);

			memcpy(cut, image, len);
			obj = open_named(cut, len, objects[i]);
			free(cut);
			total++;
			if (obj || errno != EINVAL || !strstr(bpfhost_last_error(), objects[i])) {
				ASSERT_TRUE(obj == NULL, "a truncated object is refused");
				ASSERT_EQ(errno, EINVAL, "errno EINVAL");
				ASSERT_STR_CONTAINS(bpfhost_last_error(), objects[i], "message names the object");
				bpfhost_object__close(obj);
				break;
			}
		}
		obj = open_named(image, size, objects[i]);
		ASSERT_TRUE(obj != NULL, "the whole file opens");
		bpfhost_object__close(obj);
		free(image);
	}
	printf("truncation: %zu prefixes refused\n", total);
}

/* ---------------------------------------------------------------------------
 * Patches into object_globals, located with the reader itself.
 */
struct img {
	uint8_t *p;
	size_t size;
	uint8_t *orig;
	struct elf_file elf;
	uint64_t shoff;
};

static bool img_open(struct img *m)
{
	memset(m, 0, sizeof(*m));
	m->orig = bpf_object_read("object_globals", &m->size);
	if (!m->orig)
		return false;
	m->p = malloc(m->size);
	memcpy(m->p, m->orig, m->size);
	memcpy(&m->shoff, m->p + 40, 8);
	return elf_open(&m->elf, "object_globals", m->orig, m->size) == 0;
}

static void img_close(struct img *m)
{
	elf_close(&m->elf);
	free(m->p);
	free(m->orig);
}

static void img_reset(struct img *m)
{
	memcpy(m->p, m->orig, m->size);
}

static uint32_t sec_index(const struct img *m, const char *name)
{
	const struct elf_section *s = elf_find_section(&m->elf, name);

	return s ? s->idx : 0;
}

/* File offset of field @off of section header @idx. */
static size_t shdr_at(const struct img *m, uint32_t idx, size_t off)
{
	return (size_t)m->shoff + idx * 64 + off;
}

/* File offset of symbol @name's entry in .symtab. */
static size_t sym_at(const struct img *m, const char *name)
{
	const struct elf_section *st = &m->elf.secs[m->elf.symtab_idx];

	for (uint32_t i = 0; i < m->elf.sym_cnt; i++)
		if (!strcmp(m->elf.syms[i].name, name))
			return (size_t)(st->data - m->orig) + i * 24;
	return 0;
}

static void put(struct img *m, size_t off, const void *v, size_t n)
{
	memcpy(m->p + off, v, n);
}

#define PUT(m, off, type, val) put(m, off, &(type){ val }, sizeof(type))

static void refused(struct img *m, int want, const char *what, const char *needle)
{
	struct bpfhost_object *obj = open_named(m->p, m->size, "object_globals");

	ASSERT_TRUE(obj == NULL, what);
	ASSERT_EQ(errno, -want, what);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_globals'", what);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), needle, what);
	bpfhost_object__close(obj);
	img_reset(m);
}

static void t_patched_faults(void)
{
	struct img m;
	uint32_t socket, symtab, strtab, shnum, text, relsocket;
	char msg[160];

	if (!img_open(&m)) {
		ASSERT_TRUE(false, "object_globals");
		img_close(&m);
		return;
	}
	socket = sec_index(&m, "socket");
	text = sec_index(&m, ".text");
	relsocket = sec_index(&m, ".relsocket");
	symtab = m.elf.symtab_idx;
	strtab = m.elf.secs[symtab].link;
	shnum = m.elf.sec_cnt;

	/* ELF header. */
	m.p[0] = 0;
	refused(&m, -EINVAL, "magic", "not an ELF file (bad magic)");
	m.p[4] = 1;
	refused(&m, -EINVAL, "32-bit class", "ELF class 1 is not ELFCLASS64");
	m.p[5] = 2;
	refused(&m, -EINVAL, "big endian", "ELF data encoding 2 is not little endian");
	m.p[6] = 2;
	refused(&m, -EINVAL, "version", "ELF version 2 is not 1");
	PUT(&m, 18, uint16_t, 62);
	refused(&m, -EINVAL, "x86-64 machine", "e_machine 62 is not EM_BPF (247)");
	PUT(&m, 16, uint16_t, 2);
	refused(&m, -EINVAL, "executable", "e_type 2 is not ET_REL");
	PUT(&m, 58, uint16_t, 40);
	refused(&m, -EINVAL, "section header size", "e_shentsize 40 is not 64");
	PUT(&m, 40, uint64_t, m.size + 64);
	snprintf(msg, sizeof(msg), "section header table at offset %zu is past the end of the file", m.size + 64);
	refused(&m, -EINVAL, "e_shoff past the end", msg);
	PUT(&m, 60, uint16_t, 5000);
	refused(&m, -EINVAL, "e_shnum past the end", "5000 section headers at offset");
	PUT(&m, 62, uint16_t, (uint16_t)(shnum + 3));
	snprintf(msg, sizeof(msg), "section name table index %u is out of range (%u sections)", shnum + 3, shnum);
	refused(&m, -EINVAL, "e_shstrndx out of range", msg);
	PUT(&m, 62, uint16_t, (uint16_t)socket);
	snprintf(msg, sizeof(msg), "section name table (section %u) is not a string table", socket);
	refused(&m, -EINVAL, "e_shstrndx not a string table", msg);

	/* Section headers. */
	PUT(&m, shdr_at(&m, socket, 24), uint64_t, m.size - 8);
	snprintf(msg, sizeof(msg), "section %u: offset %zu + size", socket, m.size - 8);
	refused(&m, -EINVAL, "section offset past the end", msg);
	PUT(&m, shdr_at(&m, socket, 32), uint64_t, UINT64_MAX - 4);
	refused(&m, -EINVAL, "section size overflowing", "is past the end of the file");
	PUT(&m, shdr_at(&m, socket, 0), uint32_t, 1u << 30);
	snprintf(msg, sizeof(msg), "section %u: name offset %u is outside the section name table", socket, 1u << 30);
	refused(&m, -EINVAL, "section name offset", msg);
	PUT(&m, shdr_at(&m, socket, 32), uint64_t, m.elf.secs[socket].size - 4);
	refused(&m, -EINVAL, "code not whole instructions", "section 'socket': size 220 is not a whole number of 8-byte instructions");
	PUT(&m, shdr_at(&m, symtab, 56), uint64_t, 16);
	refused(&m, -EINVAL, "symbol entry size", "symbol table '.symtab': entry size 16");
	PUT(&m, shdr_at(&m, symtab, 40), uint32_t, socket);
	snprintf(msg, sizeof(msg), "string table index %u is not a string table", socket);
	refused(&m, -EINVAL, "symbol string table", msg);
	PUT(&m, shdr_at(&m, relsocket, 44), uint32_t, shnum + 9);
	snprintf(msg, sizeof(msg), "relocation section '.relsocket': target section index %u is out of range", shnum + 9);
	refused(&m, -EINVAL, "relocation target", msg);
	PUT(&m, shdr_at(&m, relsocket, 40), uint32_t, strtab);
	refused(&m, -EINVAL, "relocation symbol table", "relocation section '.relsocket': symbol table index");
	PUT(&m, shdr_at(&m, relsocket, 56), uint64_t, 24);
	refused(&m, -EINVAL, "relocation entry size", "relocation section '.relsocket': entry size 24");

	/* Symbols. */
	PUT(&m, sym_at(&m, "read_globals") + 6, uint16_t, (uint16_t)(shnum + 1));
	snprintf(msg, sizeof(msg), "('read_globals'): section index %u is out of range (%u sections)", shnum + 1, shnum);
	refused(&m, -EINVAL, "symbol section index", msg);
	PUT(&m, sym_at(&m, "read_globals"), uint32_t, 0x7fffffff);
	refused(&m, -EINVAL, "symbol name offset", "name offset 2147483647 is outside the string table");
	PUT(&m, sym_at(&m, "read_globals") + 8, uint64_t, m.elf.secs[socket].size - 8);
	refused(&m, -EINVAL, "program past its section", "program 'read_globals' (offset 216, 96 bytes) crosses the end of the section");
	PUT(&m, sym_at(&m, "read_globals") + 16, uint64_t, 12);
	refused(&m, -EINVAL, "program not whole instructions", "program 'read_globals' (offset 0, 12 bytes) is not whole instructions");
	PUT(&m, sym_at(&m, "read_globals") + 4, uint8_t, (ELF_STB_LOCAL << 4) | ELF_STT_FUNC);
	refused(&m, -EOPNOTSUPP, "static entry program", "program 'read_globals' is static");
	PUT(&m, sym_at(&m, "scale_up") + 16, uint64_t, 16 * 8);
	refused(&m, -EINVAL, "overlapping functions", "section '.text': functions 'scale_up' and 'mix' overlap");
	(void)text;

	/* Untouched, it opens and loads. */
	{
		struct bpfhost_object *obj = open_named(m.p, m.size, "object_globals");

		ASSERT_TRUE(obj != NULL, "the unpatched image opens");
		ASSERT_OK(obj ? bpfhost_object__load(obj) : -1, "and loads");
		bpfhost_object__close(obj);
	}
	img_close(&m);
}

/* ---------------------------------------------------------------------------
 * A hand-built object: one socket program of @insn_cnt instructions.
 */
static uint8_t *build_elf(uint32_t insn_cnt, size_t *size)
{
	static const char strtab[] = "\0socket\0.strtab\0.symtab\0license\0big";
	const uint32_t n_socket = 1, n_strtab = 8, n_symtab = 16, n_license = 24, n_big = 32;
	size_t code = (size_t)insn_cnt * 8, off_code = 64, off_str = off_code + code;
	size_t off_sym = (off_str + sizeof(strtab) + 7) & ~(size_t)7, off_lic = off_sym + 48;
	size_t off_sh = (off_lic + 4 + 7) & ~(size_t)7, total = off_sh + 5 * 64;
	uint8_t *p = calloc(1, total);
	struct bpf_insn *in;

	if (!p)
		return NULL;
	memcpy(p, "\x7f" "ELF\x02\x01\x01", 7);
	memcpy(p + 16, &(uint16_t){ 1 }, 2);		/* ET_REL */
	memcpy(p + 18, &(uint16_t){ 247 }, 2);		/* EM_BPF */
	memcpy(p + 20, &(uint32_t){ 1 }, 4);
	memcpy(p + 40, &(uint64_t){ off_sh }, 8);
	memcpy(p + 52, &(uint16_t){ 64 }, 2);
	memcpy(p + 58, &(uint16_t){ 64 }, 2);
	memcpy(p + 60, &(uint16_t){ 5 }, 2);
	memcpy(p + 62, &(uint16_t){ 2 }, 2);		/* .strtab names sections and symbols */
	in = (struct bpf_insn *)(p + off_code);
	for (uint32_t i = 0; i + 1 < insn_cnt; i++)
		in[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = (int32_t)i };
	in[insn_cnt - 1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	memcpy(p + off_str, strtab, sizeof(strtab));
	/* symbol 1: FUNC GLOBAL 'big' in section 1 */
	memcpy(p + off_sym + 24, &n_big, 4);
	p[off_sym + 24 + 4] = (ELF_STB_GLOBAL << 4) | ELF_STT_FUNC;
	memcpy(p + off_sym + 24 + 6, &(uint16_t){ 1 }, 2);
	memcpy(p + off_sym + 24 + 16, &(uint64_t){ code }, 8);
	memcpy(p + off_lic, "GPL", 4);
	{
		struct {
			uint32_t name, type;
			uint64_t flags, addr, offset, size;
			uint32_t link, info;
			uint64_t align, entsize;
		} sh[5] = {
			{ 0 },
			{ n_socket, ELF_SHT_PROGBITS, ELF_SHF_ALLOC | ELF_SHF_EXECINSTR, 0, off_code, code, 0, 0, 8, 0 },
			{ n_strtab, ELF_SHT_STRTAB, 0, 0, off_str, sizeof(strtab), 0, 0, 1, 0 },
			{ n_symtab, ELF_SHT_SYMTAB, 0, 0, off_sym, 48, 2, 1, 8, 24 },
			{ n_license, ELF_SHT_PROGBITS, ELF_SHF_ALLOC | ELF_SHF_WRITE, 0, off_lic, 4, 0, 0, 1, 0 },
		};

		memcpy(p + off_sh, sh, sizeof(sh));
	}
	*size = total;
	return p;
}

static void t_program_size_limit(void)
{
	int before = bpfhost_handle_count();
	size_t size;
	uint8_t *small = build_elf(3, &size);
	struct bpfhost_object *obj = small ? open_named(small, size, "handmade") : NULL;
	uint8_t *big;

	ASSERT_TRUE(obj != NULL, "a hand-built object opens");
	if (obj) {
		ASSERT_EQ(bpfhost_program__insn_cnt(bpfhost_object__find_program_by_name(obj, "big")), 3, "3 instructions");
		ASSERT_OK(bpfhost_object__load(obj), "and loads");
	}
	bpfhost_object__close(obj);
	free(small);

	big = build_elf(BPFHOST_MAX_INSNS + 1, &size);
	obj = big ? open_named(big, size, "handmade") : NULL;
	ASSERT_TRUE(obj != NULL, "an object with a huge program opens");
	if (obj) {
		ASSERT_EQ(bpfhost_object__load(obj), -E2BIG, "over the core's instruction limit");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'handmade': program 'big' (section 'socket'): load failed",
				    "names object, program and section");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "1000001 instructions", "says how many");
	}
	bpfhost_object__close(obj);
	free(big);
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
}

/* Random bit flips in a real object: refused, or opened (and loaded or refused by the core). */
static void t_random_corruption(void)
{
	int before = bpfhost_handle_count();
	size_t size, opened = 0, loaded = 0, refused_open = 0;
	uint8_t *image = bpf_object_read("object_globals", &size);
	uint8_t *copy = image ? malloc(size) : NULL;
	uint64_t rng = 0x2545f4914f6cdd1dULL;

	ASSERT_TRUE(image && copy, "object_globals");
	if (!image || !copy)
		goto out;
	for (int iter = 0; iter < 3000; iter++) {
		struct bpfhost_object *obj;
		int flips;

		memcpy(copy, image, size);
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		flips = 1 + (int)((rng >> 61) & 3);
		for (int f = 0; f < flips; f++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			copy[(rng >> 33) % size] ^= (uint8_t)(1u << ((rng >> 24) & 7));
		}
		obj = open_named(copy, size, "corrupt");
		if (!obj) {
			refused_open++;
			if (!bpfhost_last_error()[0] || errno == 0) {
				ASSERT_TRUE(false, "a refusal carries errno and a message");
				break;
			}
			continue;
		}
		opened++;
		if (bpfhost_object__load(obj) == 0)
			loaded++;
		bpfhost_object__close(obj);
	}
	printf("corruption: %zu refused at open, %zu opened (%zu of them loaded) of 3000\n", refused_open, opened,
	       loaded);
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
out:
	free(copy);
	free(image);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_every_truncation),
		TEST(t_patched_faults),
		TEST(t_program_size_limit),
		TEST(t_random_corruption),
	};

	static const struct test_case without_objects[] = {
		TEST(t_program_size_limit),
	};

	if (!bpf_objects_available()) {
		printf("note: the BPF test objects were not built (clang-19 or libbpf-dev missing); "
		       "only hand-built ELF is tested\n");
		return test_run("elf_reader", without_objects, ARRAY_SIZE(without_objects));
	}
	return test_run("elf_reader", cases, ARRAY_SIZE(cases));
}
