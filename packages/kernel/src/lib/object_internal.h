/* SPDX-License-Identifier: MIT */
/*
 * The library's object model (private): what open() reads out of the ELF
 * (sections, programs, map definitions, relocations), what load() creates.
 * Split by concept:
 *   object.c        open, the program table, getters, load/unload, close
 *   object_maps.c   map definitions (BTF `.maps`, legacy `maps`, global data), map creation
 *   object_reloc.c  relocations: collected and checked at open, applied at prepare
 *   object_config.c the open phase: variables by name, resizing global data, inner map fds
 *   btf_ext.c       `.BTF.ext`: func/line info and CO-RE records, per program at prepare
 *   object_core.c   CO-RE relocations resolved against a target BTF (core_relo.c: the matching)
 *   object_extern.c externs: __kconfig values, __ksym refused
 */
#ifndef BPFHOST_LIB_OBJECT_INTERNAL_H
#define BPFHOST_LIB_OBJECT_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"
#include "btf_internal.h"
#include "elf_reader.h"
#include "lib_internal.h"

#define BPF_INSN_SZ 8U
#define OBJ_PIN_ROOT_DEFAULT "/sys/fs/bpf"

/* Sets the thread's message and errno; returns @err (negative). */
#define obj_err(err, ...) lib_err(bpfhost_set_last_error((err), __VA_ARGS__))

/* What a section is to the loader. */
enum sec_kind {
	SEC_OTHER = 0,		/* debug info, BTF, symbols: ignored */
	SEC_TEXT,		/* `.text`: sub-programs */
	SEC_PROG,		/* an executable section with entry programs */
	SEC_MAPS,		/* `.maps`: BTF-defined maps */
	SEC_LEGACY_MAPS,	/* `maps`: struct bpf_map_def records */
	SEC_DATA,		/* `.data*`, `.rodata*`, `.bss*`: a global data map */
	SEC_LICENSE,
};

enum reloc_kind {
	RELO_MAP,		/* lddw of a map: BPF_PSEUDO_MAP_FD */
	RELO_DATA,		/* lddw into global data: BPF_PSEUDO_MAP_VALUE + offset */
	RELO_CALL,		/* bpf-to-bpf call into `.text` */
	RELO_SUBPROG_ADDR,	/* lddw of a `.text` function's address (BPF_PSEUDO_FUNC) */
	RELO_ZERO,		/* lddw of an absent __weak __ksym variable: 0, as libbpf */
	RELO_KFUNC_CALL,	/* call of a kfunc (`extern ... __ksym`): resolved by name at load */
	RELO_KFUNC_ADDR,	/* lddw of a kfunc's address (bpf_ksym_exists): non-zero when resolved */
};

enum kcfg_kind { KCFG_INT, KCFG_BOOL, KCFG_CHAR, KCFG_TRISTATE, KCFG_CHAR_ARR };

/* An undefined symbol the BTF declares in `.kconfig` or `.ksyms` (object_extern.c). */
struct obj_extern {
	const char *name;		/* the ELF symbol's */
	bool is_weak;
	bool is_kcfg;			/* else a __ksym */
	bool is_func;			/* a kfunc */
	bool is_set;			/* kcfg: a value was given */
	enum kcfg_kind kcfg_kind;
	bool kcfg_signed;
	uint32_t kcfg_size, kcfg_align;
	uint32_t kcfg_off;		/* in the `.kconfig` map's value */
	uint32_t btf_id;		/* ksym: its VAR or FUNC in `.ksyms` */
	/* kfunc, at load (object_kfunc.c): 0 not yet, 1 resolved to kfunc_id, 2 absent (__weak) */
	int kfunc_state;
	uint32_t kfunc_id;
};

/* One relocation of an executable section, checked at open. */
struct obj_reloc {
	enum reloc_kind kind;
	uint32_t insn_idx;		/* in the section */
	uint32_t map_idx;		/* RELO_MAP, RELO_DATA: index into obj->maps */
	uint64_t sym_off;		/* symbol value (RELO_CALL/SUBPROG_ADDR: byte offset in .text) */
	const char *sym_name;
};

struct obj_section {
	const struct elf_section *elf;
	enum sec_kind kind;
	struct bpf_insn *insns;		/* copy of an executable section */
	uint32_t insn_cnt;
	struct obj_reloc *relocs;	/* sorted by insn_idx */
	uint32_t reloc_cnt;
	int map_idx;			/* SEC_DATA: its map, or -1 */
};

/* A slot of a prog array or map-in-map filled at load (`.values = { [i] = &x }`). */
struct map_init_slot {
	bool used;
	bool is_prog;
	uint32_t target;		/* index into obj->progs or obj->maps */
};

struct map_def {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint32_t pinning;
	uint64_t map_extra;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	/* Which fields the definition set (BTF maps may give sizes twice). */
	bool has_key_size, has_value_size, has_key_type, has_value_type;
};

enum map_origin {
	MAP_BTF,		/* `.maps` */
	MAP_LEGACY,		/* `maps` */
	MAP_DATA,		/* global data section */
	MAP_INNER,		/* inner template of a map-in-map */
};

struct bpfhost_map {
	struct bpfhost_object *obj;
	char *name;			/* as created (global data: libbpf's "<obj>.<sec>" form) */
	char *real_name;		/* the symbol, or the ELF section for global data */
	enum map_origin origin;
	uint32_t sec_idx;
	uint64_t sec_offset;		/* of the definition (symbol value) */
	uint32_t def_size;		/* bytes of the definition in its section */
	bool has_values;		/* `__array(values, ...)`: slots may be initialised */
	uint32_t values_off;		/* byte offset of `values` in the definition */
	struct map_def def;
	uint8_t *init_data;		/* MAP_DATA: initial value, def.value_size bytes */
	bool readonly;			/* `.rodata*`: frozen after initialisation */
	struct bpfhost_map *inner;	/* map-in-map template (owned) */
	bool has_inner_fd;		/* set_inner_map_fd(): the caller's map shapes the outer one */
	int inner_fd;			/* the caller's handle (not owned) */
	struct map_init_slot *slots;	/* initial values of prog arrays and map-in-maps */
	uint32_t slot_cnt;
	char *pin_path;
	bool reused;			/* fd came from a pinned map */
	bool pinned;			/* pinned by this load: a failed load unpins it */
	int fd;
};

/* One executable section's records of a `.BTF.ext` table. */
struct obj_ext_sec {
	uint32_t sec_idx;
	uint32_t cnt;
	const uint8_t *recs;		/* inside the image; rec_size bytes each */
};

struct obj_ext_info {
	uint32_t rec_size;
	struct obj_ext_sec *secs;
	uint32_t sec_cnt;
};

/* A contiguous piece of a linked program: an entry program or an appended sub-program. */
struct code_unit {
	const struct bpfhost_program *fn;
	uint32_t final_off;
};

struct bpfhost_program {
	struct bpfhost_object *obj;
	char *name;
	uint32_t sec_idx;		/* into obj->secs */
	uint32_t sec_insn_off;		/* first instruction in its section */
	uint32_t sec_insn_cnt;
	bool is_subprog;		/* a function of `.text` */
	uint32_t type;
	uint32_t expected_attach_type;
	bool type_set;			/* by the section prefix or the caller */
	bool autoload;
	uint32_t prog_flags;		/* BPF_PROG_LOAD's (bpfhost_program__set_flags) */
	struct bpf_insn *insns;		/* relocated, sub-programs appended (after prepare) */
	uint32_t insn_cnt;
	char *log_buf;			/* caller's */
	size_t log_size;
	uint32_t log_level;
	char *own_log;			/* the retry's log */
	uint8_t *func_info;		/* struct bpf_func_info records (after prepare) */
	uint32_t func_info_cnt;
	uint8_t *line_info;		/* struct bpf_line_info records (after prepare) */
	uint32_t line_info_cnt;
	uint8_t *core_relos;		/* struct bpf_core_relo of poisoned instructions (after prepare) */
	uint32_t core_relo_cnt;
	int fd;
};

enum obj_state {
	OBJ_OPENED,
	OBJ_PREPARED,
	OBJ_LOADED,
	OBJ_FAILED,
};

struct bpfhost_object {
	char *name;
	char *pin_root;
	uint8_t *image;			/* owned copy of the ELF */
	size_t image_size;
	struct elf_file elf;
	struct bpfhost_btf *btf;
	char license[128];
	struct obj_section *secs;	/* one per ELF section, same index */
	uint32_t sec_cnt;
	uint32_t text_sec;		/* 0 when there is no `.text` */
	uint32_t maps_sec;		/* `.maps`, or 0 */
	uint32_t legacy_maps_sec;	/* `maps`, or 0 */
	struct bpfhost_map *maps;
	uint32_t map_cnt;
	struct bpfhost_program *progs;	/* entry programs, then sub-programs */
	uint32_t prog_cnt;		/* entry programs */
	uint32_t subprog_cnt;
	struct obj_ext_info ext_func, ext_line, ext_core;	/* `.BTF.ext` */
	char *btf_custom_path;		/* open option: the CO-RE target BTF file */
	char *kconfig;			/* open option: "CONFIG_X=y" lines */
	struct obj_extern *externs;	/* kcfg first (by alignment, size, name), then ksyms */
	uint32_t extern_cnt;
	int kconfig_map;		/* index into maps, or -1 */
	enum obj_state state;
};

/* object_maps.c */
int obj_init_maps(struct bpfhost_object *obj);
int obj_create_maps(struct bpfhost_object *obj);
int obj_fill_map_slots(struct bpfhost_object *obj, bool progs);
void obj_unpin_maps(struct bpfhost_object *obj);
void obj_map_free(struct bpfhost_map *map);
int obj_map_index_by_offset(const struct bpfhost_object *obj, uint32_t sec_idx, uint64_t off);
/* libbpf's name of an internal map ("<obj>.data", "<obj>.kconfig"), malloc'ed. */
char *obj_internal_map_name(const struct bpfhost_object *obj, const char *sec);

/* object_config.c */
int obj_resize_data_map(struct bpfhost_map *map, uint32_t size);

/* object_reloc.c */
int obj_collect_relocs(struct bpfhost_object *obj);
int obj_collect_map_slots(struct bpfhost_object *obj);
int obj_relocate(struct bpfhost_object *obj);
struct bpfhost_program *obj_subprog_at(const struct bpfhost_object *obj, uint32_t insn_idx);
int obj_prog_index_by_symbol(const struct bpfhost_object *obj, const struct elf_symbol *sym);

/* btf_ext.c */
int obj_load_btf_ext(struct bpfhost_object *obj);
void obj_free_btf_ext(struct bpfhost_object *obj);
int obj_prog_collect_ext_info(struct bpfhost_object *obj, struct bpfhost_program *p,
			      const struct code_unit *units, uint32_t unit_cnt,
			      const struct bpf_insn *insns);

/* object_extern.c */
int obj_init_externs(struct bpfhost_object *obj);
const struct obj_extern *obj_find_extern(const struct bpfhost_object *obj, const char *name);

/* object_kfunc.c */
/*
 * The kfunc extern @name resolved against the modules loaded now (once per
 * object): 0 with *@id (0: a __weak one no module provides), or -ENOENT (no
 * module provides a strong one) / -EINVAL (the object's prototype differs
 * from the registered one) with the reason in @why.
 */
int obj_resolve_kfunc(struct bpfhost_object *obj, const char *name, uint32_t *id, char *why,
		      size_t len);

/* object_core.c */
int obj_core_relocate(struct bpfhost_object *obj);

/* Lookups shared by the files. */
struct bpfhost_map *obj_map_add(struct bpfhost_object *obj);
const struct bpfhost_btf_type *obj_find_datasec(const struct bpfhost_object *obj, const char *name,
						uint32_t *id);

#endif /* BPFHOST_LIB_OBJECT_INTERNAL_H */
