/* SPDX-License-Identifier: MIT */
/*
 * A bounds-checked reader for relocatable ELF64 little-endian EM_BPF objects,
 * as clang -target bpf writes them. elf_open() validates the header, every
 * section header (name, offset, size), the symbol table and the shape of
 * every relocation section, so callers index what it returns without further
 * range checks on the file itself. Private to the library.
 */
#ifndef BPFHOST_LIB_ELF_READER_H
#define BPFHOST_LIB_ELF_READER_H

#include <stddef.h>
#include <stdint.h>

/* ELF constants the loader needs (values from the ELF specification). */
#define ELF_SHT_NULL 0U
#define ELF_SHT_PROGBITS 1U
#define ELF_SHT_SYMTAB 2U
#define ELF_SHT_STRTAB 3U
#define ELF_SHT_RELA 4U
#define ELF_SHT_NOBITS 8U
#define ELF_SHT_REL 9U

#define ELF_SHF_WRITE 0x1U
#define ELF_SHF_ALLOC 0x2U
#define ELF_SHF_EXECINSTR 0x4U

#define ELF_SHN_UNDEF 0U
#define ELF_SHN_LORESERVE 0xff00U
#define ELF_SHN_ABS 0xfff1U
#define ELF_SHN_COMMON 0xfff2U
#define ELF_SHN_XINDEX 0xffffU

#define ELF_STT_NOTYPE 0U
#define ELF_STT_OBJECT 1U
#define ELF_STT_FUNC 2U
#define ELF_STT_SECTION 3U
#define ELF_STT_FILE 4U

#define ELF_STB_LOCAL 0U
#define ELF_STB_GLOBAL 1U
#define ELF_STB_WEAK 2U

#define ELF_EM_BPF 247U
#define ELF_ET_REL 1U

/* Relocation types of EM_BPF (LLVM's BPFELFObjectWriter). */
#define R_BPF_NONE 0U
#define R_BPF_64_64 1U		/* lddw: 64-bit immediate */
#define R_BPF_64_ABS64 2U	/* data: 64-bit absolute */
#define R_BPF_64_ABS32 3U
#define R_BPF_64_NODYLD32 4U
#define R_BPF_64_32 10U		/* call: pc-relative in instructions */

struct elf_section {
	uint32_t idx;
	const char *name;
	uint32_t type;
	uint64_t flags;
	const uint8_t *data;		/* NULL for SHT_NOBITS and empty sections */
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
};

struct elf_symbol {
	const char *name;		/* "" when unnamed */
	uint64_t value;
	uint64_t size;
	uint32_t shndx;			/* a valid section index, or UNDEF/ABS/COMMON */
	uint8_t type;			/* ELF_STT_* */
	uint8_t bind;			/* ELF_STB_* */
};

struct elf_rel {
	uint64_t offset;		/* byte offset in the target section */
	uint32_t sym;			/* a valid index into elf_file.syms */
	uint32_t type;			/* R_BPF_* */
};

struct elf_file {
	const char *obj_name;		/* for messages */
	const uint8_t *data;
	size_t size;
	struct elf_section *secs;
	uint32_t sec_cnt;
	struct elf_symbol *syms;	/* empty when the object has no symbol table */
	uint32_t sym_cnt;
	uint32_t symtab_idx;		/* 0 when absent */
};

/*
 * Validates and indexes @data (which must outlive @elf). 0, or -EINVAL with
 * a message naming @obj_name and what is wrong, or -ENOMEM.
 */
int elf_open(struct elf_file *elf, const char *obj_name, const uint8_t *data, size_t size);
void elf_close(struct elf_file *elf);

/* The section named @name, or NULL. */
const struct elf_section *elf_find_section(const struct elf_file *elf, const char *name);

/* Number of entries of a relocation section elf_open() accepted. */
uint32_t elf_rel_count(const struct elf_section *rel);
/* Entry @i of a relocation section; its symbol index is checked against the table. */
int elf_rel_get(const struct elf_file *elf, const struct elf_section *rel, uint32_t i,
		struct elf_rel *out);

#endif /* BPFHOST_LIB_ELF_READER_H */
