// SPDX-License-Identifier: MIT
/*
 * Bounds-checked ELF64 reader for BPF objects. The file may be anything
 * (truncated, hostile), so every read goes through a range check and copies
 * into a local struct (no unaligned access, no trust in counts or offsets).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/bpfhost.h"
#include "elf_reader.h"

/* On-disk layouts (ELF64). */
struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

struct elf64_rel {
	uint64_t r_offset;
	uint64_t r_info;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr layout");
_Static_assert(sizeof(struct elf64_shdr) == 64, "Elf64_Shdr layout");
_Static_assert(sizeof(struct elf64_sym) == 24, "Elf64_Sym layout");
_Static_assert(sizeof(struct elf64_rel) == 16, "Elf64_Rel layout");
/* The loader reads little-endian fields in place. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "bpfhost's ELF reader needs a little-endian host");

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

/* Is [off, off + len) inside a buffer of @size bytes (no overflow)? */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated string at @off in a string table, or NULL. */
static const char *strtab_str(const struct elf_section *tab, uint64_t off)
{
	const char *s;

	if (!tab->data || off >= tab->size)
		return NULL;
	s = (const char *)tab->data + off;
	return memchr(s, '\0', tab->size - off) ? s : NULL;
}

static int read_ehdr(struct elf_file *elf, struct elf64_ehdr *eh)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	const char *obj = elf->obj_name;

	if (elf->size < sizeof(*eh))
		return bpfhost_set_last_error(-EINVAL, "object '%s': %zu bytes is too short for an ELF header (64 bytes)",
					      obj, elf->size);
	memcpy(eh, elf->data, sizeof(*eh));
	if (memcmp(eh->e_ident, magic, sizeof(magic)))
		return bpfhost_set_last_error(-EINVAL, "object '%s': not an ELF file (bad magic)", obj);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return bpfhost_set_last_error(-EINVAL, "object '%s': ELF class %u is not ELFCLASS64",
					      obj, eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bpfhost_set_last_error(-EINVAL, "object '%s': ELF data encoding %u is not little endian (ELFDATA2LSB)",
					      obj, eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return bpfhost_set_last_error(-EINVAL, "object '%s': ELF version %u is not 1", obj,
					      eh->e_ident[EI_VERSION] != EV_CURRENT ?
					      eh->e_ident[EI_VERSION] : eh->e_version);
	if (eh->e_machine != ELF_EM_BPF)
		return bpfhost_set_last_error(-EINVAL, "object '%s': e_machine %u is not EM_BPF (247)",
					      obj, eh->e_machine);
	if (eh->e_type != ELF_ET_REL)
		return bpfhost_set_last_error(-EINVAL, "object '%s': e_type %u is not ET_REL (a relocatable object, as clang -c writes)",
					      obj, eh->e_type);
	if (eh->e_shentsize != sizeof(struct elf64_shdr))
		return bpfhost_set_last_error(-EINVAL, "object '%s': e_shentsize %u is not 64",
					      obj, eh->e_shentsize);
	return 0;
}

static void read_shdr(const struct elf_file *elf, uint64_t shoff, uint32_t i, struct elf64_shdr *sh)
{
	memcpy(sh, elf->data + shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
}

/* Section count and section-name table index, with ELF's escapes for large values. */
static int read_counts(struct elf_file *elf, const struct elf64_ehdr *eh, uint32_t *shnum,
		       uint32_t *shstrndx)
{
	const char *obj = elf->obj_name;
	struct elf64_shdr sh0;

	if (eh->e_shoff == 0)
		return bpfhost_set_last_error(-EINVAL, "object '%s': no section header table (e_shoff 0)", obj);
	if (!in_bounds(eh->e_shoff, sizeof(sh0), elf->size))
		return bpfhost_set_last_error(-EINVAL, "object '%s': section header table at offset %llu is past the end of the file (%zu bytes)",
					      obj, (unsigned long long)eh->e_shoff, elf->size);
	read_shdr(elf, eh->e_shoff, 0, &sh0);
	*shnum = eh->e_shnum;
	if (*shnum == 0) {
		if (sh0.sh_size > UINT32_MAX)
			return bpfhost_set_last_error(-EINVAL, "object '%s': section count %llu is too large",
						      obj, (unsigned long long)sh0.sh_size);
		*shnum = (uint32_t)sh0.sh_size;
	}
	*shstrndx = eh->e_shstrndx == ELF_SHN_XINDEX ? sh0.sh_link : eh->e_shstrndx;
	if (*shnum == 0)
		return bpfhost_set_last_error(-EINVAL, "object '%s': no sections", obj);
	if (!in_bounds(eh->e_shoff, (uint64_t)*shnum * sizeof(sh0), elf->size))
		return bpfhost_set_last_error(-EINVAL, "object '%s': %u section headers at offset %llu run past the end of the file (%zu bytes)",
					      obj, *shnum, (unsigned long long)eh->e_shoff, elf->size);
	if (*shstrndx == ELF_SHN_UNDEF || *shstrndx >= *shnum)
		return bpfhost_set_last_error(-EINVAL, "object '%s': section name table index %u is out of range (%u sections)",
					      obj, *shstrndx, *shnum);
	return 0;
}

static int load_sections(struct elf_file *elf, uint64_t shoff, uint32_t shnum, uint32_t shstrndx)
{
	const char *obj = elf->obj_name;
	struct elf_section *names;
	struct elf64_shdr sh;

	elf->secs = calloc(shnum, sizeof(*elf->secs));
	if (!elf->secs)
		return bpfhost_set_last_error(-ENOMEM, "object '%s': no memory for %u sections", obj, shnum);
	elf->sec_cnt = shnum;

	/* First pass: extents, so the name table can be read in the second. */
	for (uint32_t i = 0; i < shnum; i++) {
		struct elf_section *s = &elf->secs[i];

		read_shdr(elf, shoff, i, &sh);
		s->idx = i;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->size = sh.sh_size;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		s->entsize = sh.sh_entsize;
		if (i == 0 || sh.sh_type == ELF_SHT_NULL || sh.sh_type == ELF_SHT_NOBITS)
			continue;
		if (!in_bounds(sh.sh_offset, sh.sh_size, elf->size))
			return bpfhost_set_last_error(-EINVAL, "object '%s': section %u: offset %llu + size %llu is past the end of the file (%zu bytes)",
						      obj, i, (unsigned long long)sh.sh_offset,
						      (unsigned long long)sh.sh_size, elf->size);
		if (sh.sh_size)
			s->data = elf->data + sh.sh_offset;
	}

	names = &elf->secs[shstrndx];
	if (names->type != ELF_SHT_STRTAB || !names->data)
		return bpfhost_set_last_error(-EINVAL, "object '%s': section name table (section %u) is not a string table",
					      obj, shstrndx);
	for (uint32_t i = 0; i < shnum; i++) {
		read_shdr(elf, shoff, i, &sh);
		elf->secs[i].name = strtab_str(names, sh.sh_name);
		if (!elf->secs[i].name)
			return bpfhost_set_last_error(-EINVAL, "object '%s': section %u: name offset %u is outside the section name table",
						      obj, i, sh.sh_name);
	}
	return 0;
}

static int load_symbols(struct elf_file *elf)
{
	const char *obj = elf->obj_name;
	const struct elf_section *symtab = NULL, *strtab;
	uint64_t cnt;

	for (uint32_t i = 1; i < elf->sec_cnt; i++) {
		if (elf->secs[i].type != ELF_SHT_SYMTAB)
			continue;
		if (symtab)
			return bpfhost_set_last_error(-EINVAL, "object '%s': more than one symbol table (sections %u and %u)",
						      obj, symtab->idx, i);
		symtab = &elf->secs[i];
	}
	if (!symtab)
		return 0;
	if (symtab->entsize != sizeof(struct elf64_sym) || symtab->size % sizeof(struct elf64_sym))
		return bpfhost_set_last_error(-EINVAL, "object '%s': symbol table '%s': entry size %llu / size %llu do not fit 24-byte symbols",
					      obj, symtab->name, (unsigned long long)symtab->entsize,
					      (unsigned long long)symtab->size);
	if (symtab->link == 0 || symtab->link >= elf->sec_cnt ||
	    elf->secs[symtab->link].type != ELF_SHT_STRTAB)
		return bpfhost_set_last_error(-EINVAL, "object '%s': symbol table '%s': string table index %u is not a string table",
					      obj, symtab->name, symtab->link);
	strtab = &elf->secs[symtab->link];
	cnt = symtab->size / sizeof(struct elf64_sym);
	if (cnt > UINT32_MAX)
		return bpfhost_set_last_error(-EINVAL, "object '%s': too many symbols", obj);
	elf->syms = calloc(cnt ? cnt : 1, sizeof(*elf->syms));
	if (!elf->syms)
		return bpfhost_set_last_error(-ENOMEM, "object '%s': no memory for %llu symbols", obj,
					      (unsigned long long)cnt);
	elf->sym_cnt = (uint32_t)cnt;
	elf->symtab_idx = symtab->idx;
	for (uint32_t i = 0; i < elf->sym_cnt; i++) {
		struct elf_symbol *out = &elf->syms[i];
		struct elf64_sym s;

		memcpy(&s, symtab->data + (uint64_t)i * sizeof(s), sizeof(s));
		out->name = s.st_name ? strtab_str(strtab, s.st_name) : "";
		if (!out->name)
			return bpfhost_set_last_error(-EINVAL, "object '%s': symbol %u: name offset %u is outside the string table",
						      obj, i, s.st_name);
		if (s.st_shndx == ELF_SHN_XINDEX)
			return bpfhost_set_last_error(-EINVAL, "object '%s': symbol %u ('%s'): extended section indexes are not supported",
						      obj, i, out->name);
		if (s.st_shndx != ELF_SHN_UNDEF && s.st_shndx < ELF_SHN_LORESERVE &&
		    s.st_shndx >= elf->sec_cnt)
			return bpfhost_set_last_error(-EINVAL, "object '%s': symbol %u ('%s'): section index %u is out of range (%u sections)",
						      obj, i, out->name, s.st_shndx, elf->sec_cnt);
		out->value = s.st_value;
		out->size = s.st_size;
		out->shndx = s.st_shndx;
		out->type = s.st_info & 0xf;
		out->bind = s.st_info >> 4;
	}
	return 0;
}

/* Relocation sections: entry shape, symbol table link and target section. */
static int check_rel_sections(const struct elf_file *elf)
{
	const char *obj = elf->obj_name;

	for (uint32_t i = 1; i < elf->sec_cnt; i++) {
		const struct elf_section *s = &elf->secs[i];

		if (s->type != ELF_SHT_REL)
			continue;
		if (s->entsize != sizeof(struct elf64_rel) || s->size % sizeof(struct elf64_rel))
			return bpfhost_set_last_error(-EINVAL, "object '%s': relocation section '%s': entry size %llu / size %llu do not fit 16-byte entries",
						      obj, s->name, (unsigned long long)s->entsize,
						      (unsigned long long)s->size);
		if (s->size && (!elf->symtab_idx || s->link != elf->symtab_idx))
			return bpfhost_set_last_error(-EINVAL, "object '%s': relocation section '%s': symbol table index %u is not the symbol table",
						      obj, s->name, s->link);
		if (s->info == 0 || s->info >= elf->sec_cnt)
			return bpfhost_set_last_error(-EINVAL, "object '%s': relocation section '%s': target section index %u is out of range (%u sections)",
						      obj, s->name, s->info, elf->sec_cnt);
	}
	return 0;
}

int elf_open(struct elf_file *elf, const char *obj_name, const uint8_t *data, size_t size)
{
	struct elf64_ehdr eh;
	uint32_t shnum = 0, shstrndx = 0;
	int err;

	memset(elf, 0, sizeof(*elf));
	elf->obj_name = obj_name;
	elf->data = data;
	elf->size = size;
	err = read_ehdr(elf, &eh);
	if (!err)
		err = read_counts(elf, &eh, &shnum, &shstrndx);
	if (!err)
		err = load_sections(elf, eh.e_shoff, shnum, shstrndx);
	if (!err)
		err = load_symbols(elf);
	if (!err)
		err = check_rel_sections(elf);
	if (err)
		elf_close(elf);
	return err;
}

void elf_close(struct elf_file *elf)
{
	free(elf->secs);
	free(elf->syms);
	elf->secs = NULL;
	elf->syms = NULL;
	elf->sec_cnt = 0;
	elf->sym_cnt = 0;
}

const struct elf_section *elf_find_section(const struct elf_file *elf, const char *name)
{
	for (uint32_t i = 1; i < elf->sec_cnt; i++)
		if (!strcmp(elf->secs[i].name, name))
			return &elf->secs[i];
	return NULL;
}

uint32_t elf_rel_count(const struct elf_section *rel)
{
	return (uint32_t)(rel->size / sizeof(struct elf64_rel));
}

int elf_rel_get(const struct elf_file *elf, const struct elf_section *rel, uint32_t i,
		struct elf_rel *out)
{
	struct elf64_rel r;

	memcpy(&r, rel->data + (uint64_t)i * sizeof(r), sizeof(r));
	out->offset = r.r_offset;
	out->sym = (uint32_t)(r.r_info >> 32);
	out->type = (uint32_t)r.r_info;
	if (out->sym >= elf->sym_cnt)
		return bpfhost_set_last_error(-EINVAL, "object '%s': relocation section '%s': entry %u: symbol index %u is out of range (%u symbols)",
					      elf->obj_name, rel->name, i, out->sym, elf->sym_cnt);
	return 0;
}
