/* SPDX-License-Identifier: MIT */
/*
 * The object model after libbpf's libbpf.h: open a clang-compiled BPF ELF
 * object, inspect its maps, programs and BTF, adjust map definitions, then
 * load it (maps created, instructions relocated, programs loaded) through the
 * bpf.h wrappers. Structs are opaque and read through getters.
 *
 * Errors: functions returning int give 0 (or a handle) or a negative errno
 * and set errno; functions returning a pointer give NULL and set errno. In
 * both cases bpfhost_last_error() names the object, the section, the program
 * or map and the instruction or offset that was wrong.
 */
#ifndef BPFHOST_LIBBPF_H
#define BPFHOST_LIBBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpf_insn;
struct bpfhost_object;
struct bpfhost_map;
struct bpfhost_program;
struct bpfhost_btf;

/* Pinning of BTF-defined maps (`__uint(pinning, LIBBPF_PIN_BY_NAME)`), libbpf's values. */
enum bpfhost_pin_type {
	BPFHOST_PIN_NONE = 0,
	BPFHOST_PIN_BY_NAME = 1,
};

struct bpfhost_object_open_opts {
	size_t sz;
	/* Name of the object; default: the file name up to its first '.'. */
	const char *object_name;
	/* Where BPFHOST_PIN_BY_NAME maps are pinned and reused; default "/sys/fs/bpf". */
	const char *pin_root_path;
	/*
	 * Extern values as libbpf's kconfig option: lines "CONFIG_X=y",
	 * "CONFIG_N=42", "CONFIG_S=\"str\"", "LINUX_KERNEL_VERSION=0x60100"
	 * (or a plain decimal). An extern that is not given is refused unless it
	 * is __weak (then 0). NULL: none given.
	 */
	const char *kconfig;
	/*
	 * CO-RE target: a BTF file (raw BTF, or an ELF with a `.BTF` section,
	 * e.g. /sys/kernel/btf/vmlinux) instead of bpfhost's own BTF of the
	 * types its program types provide. NULL: bpfhost's own.
	 */
	const char *btf_custom_path;
	size_t : 0;
};
#define bpfhost_object_open_opts__last_field btf_custom_path

/**
 * @brief **bpfhost_object__open_file()** reads and parses a BPF ELF object
 * (ELF64, little endian, EM_BPF): its programs, map definitions (BTF `.maps`,
 * legacy `maps`, global data), relocations and BTF. Nothing is created in the
 * core until bpfhost_object__load().
 * @return the object, or NULL with errno: EINVAL (malformed ELF or BTF, bad
 * relocation, bad map definition), E2BIG (a global data section larger than
 * one map value can be, BPFHOST_MAP_MAX_VALUE_SIZE), ENOENT/EACCES (file),
 * ENOMEM, EOPNOTSUPP (a construct the loader does not support, e.g. static
 * programs, externs)
 */
BPFHOST_API struct bpfhost_object *
bpfhost_object__open_file(const char *path, const struct bpfhost_object_open_opts *opts);

/**
 * @brief **bpfhost_object__open_mem()** is bpfhost_object__open_file() on an
 * in-memory image; the image is copied, so @p buf may be freed afterwards.
 * The default name is "<buf address>-<size>" in hex, as libbpf's.
 */
BPFHOST_API struct bpfhost_object *
bpfhost_object__open_mem(const void *buf, size_t size, const struct bpfhost_object_open_opts *opts);

/**
 * @brief **bpfhost_object__prepare()** creates the maps (global data
 * initialised, `.rodata` frozen, map-in-map slots filled) and relocates every
 * program's instructions, without loading the programs. bpfhost_object__load()
 * calls it when it has not run yet. On failure everything created is closed
 * (and unpinned).
 * @return 0, -EINVAL (unknown section prefix, bad relocation, already
 * prepared), or the core's error creating a map (the message names the map)
 */
BPFHOST_API int bpfhost_object__prepare(struct bpfhost_object *obj);

/**
 * @brief **bpfhost_object__load()** prepares the object (see
 * bpfhost_object__prepare()), loads every program whose autoload is on, then
 * fills program arrays declared with initial values. On failure every map and
 * program created is closed, the maps it pinned are unpinned again (a pinned
 * map it reused stays pinned), and the object cannot be loaded again.
 * @return 0, -EINVAL (already loaded, unknown section prefix, refused by the
 * core's checks: the message names the program and instruction), -E2BIG
 * (program too large), -EOPNOTSUPP, or the core's error
 */
BPFHOST_API int bpfhost_object__load(struct bpfhost_object *obj);

/** @brief **bpfhost_object__close()** closes every handle the object holds and frees it. NULL is a no-op. */
BPFHOST_API void bpfhost_object__close(struct bpfhost_object *obj);

BPFHOST_API const char *bpfhost_object__name(const struct bpfhost_object *obj);
/** @return the `license` section's string ("" when absent) */
BPFHOST_API const char *bpfhost_object__license(const struct bpfhost_object *obj);
/** @return the object's BTF (owned by the object), or NULL when it has none */
BPFHOST_API struct bpfhost_btf *bpfhost_object__btf(const struct bpfhost_object *obj);

/** @return the map named @p name (its name as created, or its ELF section for global data), or NULL with errno ENOENT */
BPFHOST_API struct bpfhost_map *bpfhost_object__find_map_by_name(const struct bpfhost_object *obj,
								 const char *name);
/** @return the program whose function is @p name, or NULL with errno ENOENT */
BPFHOST_API struct bpfhost_program *
bpfhost_object__find_program_by_name(const struct bpfhost_object *obj, const char *name);

/** @return the map after @p map (the first for NULL), or NULL at the end */
BPFHOST_API struct bpfhost_map *bpfhost_object__next_map(const struct bpfhost_object *obj,
							 const struct bpfhost_map *map);
/** @return the program after @p prog (the first for NULL), or NULL at the end; `.text` sub-programs are not listed */
BPFHOST_API struct bpfhost_program *bpfhost_object__next_program(const struct bpfhost_object *obj,
								 const struct bpfhost_program *prog);

#define bpfhost_object__for_each_map(pos, obj)                                           \
	for ((pos) = bpfhost_object__next_map((obj), NULL); (pos) != NULL;               \
	     (pos) = bpfhost_object__next_map((obj), (pos)))
#define bpfhost_object__for_each_program(pos, obj)                                       \
	for ((pos) = bpfhost_object__next_program((obj), NULL); (pos) != NULL;           \
	     (pos) = bpfhost_object__next_program((obj), (pos)))

/* ---------------------------------------------------------------------------
 * Maps. Getters read the definition (as opened, or as changed by a setter);
 * they never fail. Setters work before load only.
 */
/** @return the map's name: its variable, or libbpf's "<obj>.<section>" form for global data */
BPFHOST_API const char *bpfhost_map__name(const struct bpfhost_map *map);
/** @return the map type (enum bpf_map_type, or a custom type id) */
BPFHOST_API uint32_t bpfhost_map__type(const struct bpfhost_map *map);
/** @return the key size in bytes */
BPFHOST_API uint32_t bpfhost_map__key_size(const struct bpfhost_map *map);
/** @return the value size in bytes (for per-CPU maps: of one CPU's value) */
BPFHOST_API uint32_t bpfhost_map__value_size(const struct bpfhost_map *map);
/** @return max_entries as defined (a ring buffer is created rounded up to a power-of-two number of pages) */
BPFHOST_API uint32_t bpfhost_map__max_entries(const struct bpfhost_map *map);
/** @return the BPF_F_* creation flags */
BPFHOST_API uint32_t bpfhost_map__map_flags(const struct bpfhost_map *map);
/** @return the NUMA node (`__uint(numa_node, ...)`) */
BPFHOST_API uint32_t bpfhost_map__numa_node(const struct bpfhost_map *map);
/** @return map_extra (`__uint(map_extra, ...)`) */
BPFHOST_API uint64_t bpfhost_map__map_extra(const struct bpfhost_map *map);
/** @return how the map is pinned (`__uint(pinning, LIBBPF_PIN_BY_NAME)`) */
BPFHOST_API enum bpfhost_pin_type bpfhost_map__pinning(const struct bpfhost_map *map);
/** @return the map's handle after load (or prepare), or -ENOENT before */
BPFHOST_API int bpfhost_map__fd(const struct bpfhost_map *map);
/** @return the BTF type id of the key as declared with `__type(key, ...)`, 0 when unknown */
BPFHOST_API uint32_t bpfhost_map__btf_key_type_id(const struct bpfhost_map *map);
/** @return the BTF type id of the value (`__type(value, ...)`; the DATASEC for global data), 0 when unknown */
BPFHOST_API uint32_t bpfhost_map__btf_value_type_id(const struct bpfhost_map *map);
/** @return true for the maps made from `.data`, `.rodata*` and `.bss` */
BPFHOST_API bool bpfhost_map__is_internal(const struct bpfhost_map *map);
/** @return the inner map template of a map-in-map declared with `__array(values, ...)`, or NULL */
BPFHOST_API struct bpfhost_map *bpfhost_map__inner_map(struct bpfhost_map *map);

/** @brief Sets max_entries before load. @return 0, -EBUSY (already created) */
BPFHOST_API int bpfhost_map__set_max_entries(struct bpfhost_map *map, uint32_t max_entries);
/** @brief Sets the map type before load. @return 0, -EBUSY */
BPFHOST_API int bpfhost_map__set_type(struct bpfhost_map *map, uint32_t type);
/** @brief Sets the BPF_F_* flags before load. @return 0, -EBUSY */
BPFHOST_API int bpfhost_map__set_map_flags(struct bpfhost_map *map, uint32_t flags);
/** @brief Sets the key size before load. @return 0, -EBUSY, -EINVAL (global data) */
BPFHOST_API int bpfhost_map__set_key_size(struct bpfhost_map *map, uint32_t size);
/**
 * @brief Sets the value size before load. A global data map (`.data.*`,
 * `.bss.*`, ...) may change size as in libbpf: when its last variable is an
 * array and the new size ends on one of its elements, the array's length in
 * the BTF follows (a shorter value cuts that array, a longer one is zero
 * filled) through a new ARRAY type (so type pointers taken from the
 * object's BTF before are stale, as after libbpf's btf__add_*()); a size the
 * BTF cannot describe clears the map's BTF value type.
 * @return 0, -EBUSY, -EINVAL (a global data size of 0 or cutting a variable
 * that is not the last), -E2BIG (over BPFHOST_MAP_MAX_VALUE_SIZE), -ENOMEM
 */
BPFHOST_API int bpfhost_map__set_value_size(struct bpfhost_map *map, uint32_t size);
/**
 * @brief Before load: the outer map of a map-in-map is created from the
 * caller's map @p fd (which must stay open until load) instead of the
 * declared `__array(values, ...)` template, which is dropped.
 * @return 0, -EBUSY, -EINVAL (not an array or hash of maps), -EBADF (@p fd
 * is not a map handle)
 */
BPFHOST_API int bpfhost_map__set_inner_map_fd(struct bpfhost_map *map, int fd);
/**
 * @brief Pins (and reuses a compatible pinned map) at @p path on load; NULL
 * turns pinning off, also for a BPFHOST_PIN_BY_NAME map.
 * @return 0, -EBUSY, -ENOMEM
 */
BPFHOST_API int bpfhost_map__set_pin_path(struct bpfhost_map *map, const char *path);
/** @return the path the map is pinned at on load ("<pin root>/<name>" for BPFHOST_PIN_BY_NAME), or NULL */
BPFHOST_API const char *bpfhost_map__pin_path(const struct bpfhost_map *map);

/**
 * @brief **bpfhost_map__initial_value()** is the initial contents of a
 * global data map (the section's bytes, zeros for `.bss`).
 * @return a pointer to @p *size bytes the object owns, or NULL for other maps
 */
BPFHOST_API const void *bpfhost_map__initial_value(const struct bpfhost_map *map, size_t *size);
/**
 * @brief Replaces the initial value of a global data map before load (set
 * `const volatile` configuration in `.rodata` this way).
 * @return 0, -EINVAL (not global data, or @p size is not its value size), -EBUSY
 */
BPFHOST_API int bpfhost_map__set_initial_value(struct bpfhost_map *map, const void *data,
					       size_t size);

/**
 * @brief **bpfhost_object__find_variable()** is a global variable of the
 * object's data sections (`.data*`, `.rodata*`, `.bss*`) by name, as the
 * BTF DATASEC of its section places it (the first in map order when two
 * sections have a static variable of that name).
 * @param size its size in bytes (optional)
 * @param map the global data map holding it (optional)
 * @param btf_type_id the BTF type of its value (optional)
 * @return its bytes in the map's initial value (what load writes into the
 * map; change them with bpfhost_object__set_variable()), or NULL with errno
 * ENOENT (no such variable) or EINVAL (the object has no BTF)
 */
BPFHOST_API const void *bpfhost_object__find_variable(const struct bpfhost_object *obj,
						      const char *name, size_t *size,
						      struct bpfhost_map **map,
						      uint32_t *btf_type_id);
/**
 * @brief **bpfhost_object__set_variable()** writes a global variable's
 * initial value before load (`const volatile` configuration in `.rodata`).
 * @return 0, -EBUSY (after load or prepare), -ENOENT (no such variable),
 * -EINVAL (@p size is not the variable's size, or no BTF)
 */
BPFHOST_API int bpfhost_object__set_variable(struct bpfhost_object *obj, const char *name,
					     const void *data, size_t size);

/* ---------------------------------------------------------------------------
 * Programs: one per global function of each executable section but `.text`.
 */
/** @return the function's name */
BPFHOST_API const char *bpfhost_program__name(const struct bpfhost_program *prog);
/** @return the ELF section the program is in ("socket", "sample/...") */
BPFHOST_API const char *bpfhost_program__section_name(const struct bpfhost_program *prog);
/** @return the program type the section prefix selects (0 while no provider claims it) */
BPFHOST_API uint32_t bpfhost_program__type(const struct bpfhost_program *prog);
/** @return the attach type the section prefix implies (0 for none) */
BPFHOST_API uint32_t bpfhost_program__expected_attach_type(const struct bpfhost_program *prog);
/** @brief Before load: overrides what the section prefix selects. @return 0, -EBUSY */
BPFHOST_API int bpfhost_program__set_type(struct bpfhost_program *prog, uint32_t type);
/** @brief Before load: overrides the attach type. @return 0, -EBUSY */
BPFHOST_API int bpfhost_program__set_expected_attach_type(struct bpfhost_program *prog,
							  uint32_t type);
/** @return the program's handle after load, or -ENOENT (not loaded) */
BPFHOST_API int bpfhost_program__fd(const struct bpfhost_program *prog);
/**
 * @brief **bpfhost_program__insns()** are the program's instructions: as in
 * the ELF section before bpfhost_object__prepare(), relocated after it (maps
 * as BPF_PSEUDO_MAP_FD/VALUE with handles, `.text` sub-programs appended and
 * calls pointing at them).
 */
BPFHOST_API const struct bpf_insn *bpfhost_program__insns(const struct bpfhost_program *prog);
/** @return the number of instructions bpfhost_program__insns() points to */
BPFHOST_API size_t bpfhost_program__insn_cnt(const struct bpfhost_program *prog);
/** @return whether bpfhost_object__load() loads the program (true by default) */
BPFHOST_API bool bpfhost_program__autoload(const struct bpfhost_program *prog);
/** @brief Before prepare/load: false leaves the program unloaded (its fd stays -ENOENT). @return 0, -EBUSY */
BPFHOST_API int bpfhost_program__set_autoload(struct bpfhost_program *prog, bool autoload);
/** @return the prog_flags bpfhost_object__load() passes to BPF_PROG_LOAD (0 by default) */
BPFHOST_API uint32_t bpfhost_program__flags(const struct bpfhost_program *prog);
/**
 * @brief Before load: BPF_PROG_LOAD's prog_flags for @p prog (libbpf's
 * bpf_program__set_flags), e.g. BPFHOST_F_UNPRIVILEGED. @return 0, -EBUSY
 */
BPFHOST_API int bpfhost_program__set_flags(struct bpfhost_program *prog, uint32_t flags);

/**
 * @brief **bpfhost_program__source_line()** is the C source of instruction
 * @p insn of bpfhost_program__insns() (after prepare or load), from the
 * object's line info (clang -g): the file as compiled, line, column and the
 * line's text. Any output pointer may be NULL; the strings live as long as
 * the object.
 * @return 0, or -ENOENT (no line info, not prepared, or @p insn past the end)
 */
BPFHOST_API int bpfhost_program__source_line(const struct bpfhost_program *prog, uint32_t insn,
					     const char **file, uint32_t *line, uint32_t *col,
					     const char **text);
/**
 * @brief Gives the load a caller's log buffer (and level, 1 by default when a
 * buffer is set). Without one, a refused load is retried once with an
 * internal buffer and bpfhost_program__log() returns its text.
 * @return 0, -EINVAL (a size without a buffer, or over 4 GiB)
 */
BPFHOST_API int bpfhost_program__set_log_buf(struct bpfhost_program *prog, char *log_buf,
					     size_t log_size);
/** @brief Log level of the load (0: a log only when the load is refused). @return 0 */
BPFHOST_API int bpfhost_program__set_log_level(struct bpfhost_program *prog, uint32_t log_level);
/** @return the log of the last load of @p prog ("" when there was none) */
BPFHOST_API const char *bpfhost_program__log(const struct bpfhost_program *prog);

/* ---------------------------------------------------------------------------
 * BTF: a read-only, decoded view of the object's `.BTF`. Type ids start at 1
 * (0 is void); kinds and encodings are Linux's (include/uapi/linux/btf.h).
 */
enum bpfhost_btf_kind {
	BPFHOST_BTF_KIND_UNKN = 0,
	BPFHOST_BTF_KIND_INT = 1,
	BPFHOST_BTF_KIND_PTR = 2,
	BPFHOST_BTF_KIND_ARRAY = 3,
	BPFHOST_BTF_KIND_STRUCT = 4,
	BPFHOST_BTF_KIND_UNION = 5,
	BPFHOST_BTF_KIND_ENUM = 6,
	BPFHOST_BTF_KIND_FWD = 7,
	BPFHOST_BTF_KIND_TYPEDEF = 8,
	BPFHOST_BTF_KIND_VOLATILE = 9,
	BPFHOST_BTF_KIND_CONST = 10,
	BPFHOST_BTF_KIND_RESTRICT = 11,
	BPFHOST_BTF_KIND_FUNC = 12,
	BPFHOST_BTF_KIND_FUNC_PROTO = 13,
	BPFHOST_BTF_KIND_VAR = 14,
	BPFHOST_BTF_KIND_DATASEC = 15,
	BPFHOST_BTF_KIND_FLOAT = 16,
	BPFHOST_BTF_KIND_DECL_TAG = 17,
	BPFHOST_BTF_KIND_TYPE_TAG = 18,
	BPFHOST_BTF_KIND_ENUM64 = 19,
};

/* Encoding bits of INT types. */
#define BPFHOST_BTF_INT_SIGNED (1U << 0)
#define BPFHOST_BTF_INT_CHAR (1U << 1)
#define BPFHOST_BTF_INT_BOOL (1U << 2)

/* Linkage of FUNC (in vlen) and VAR types. */
enum bpfhost_btf_linkage {
	BPFHOST_BTF_LINKAGE_STATIC = 0,
	BPFHOST_BTF_LINKAGE_GLOBAL = 1,
	BPFHOST_BTF_LINKAGE_EXTERN = 2,
};

/* A member of a STRUCT or UNION. */
struct bpfhost_btf_member {
	const char *name;		/* "" for anonymous members */
	uint32_t type;
	uint32_t bit_offset;		/* from the start of the struct */
	uint32_t bitfield_size;		/* 0 unless a bitfield */
};

/* A value of an ENUM or ENUM64. */
struct bpfhost_btf_enum_value {
	const char *name;
	uint64_t value;			/* raw bits; sign-extended for signed 32-bit enums */
};

/* A parameter of a FUNC_PROTO (a trailing {"" , 0} means varargs). */
struct bpfhost_btf_param {
	const char *name;
	uint32_t type;
};

/* A variable of a DATASEC: its VAR (or FUNC for externs), byte offset and size. */
struct bpfhost_btf_var_secinfo {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
};

/*
 * One decoded type. Only the fields of its kind are meaningful; the rest
 * are zero. Pointers stay valid until the BTF (or its object) is freed.
 */
struct bpfhost_btf_type {
	uint32_t id;
	enum bpfhost_btf_kind kind;
	const char *name;		/* "" for anonymous types */
	bool kind_flag;			/* struct/union: bitfield offsets; fwd: union; enum: signed */
	/* INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT: size in bytes */
	uint32_t size;
	/* PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, DECL_TAG, VAR:
	 * the referenced type; FUNC: its FUNC_PROTO; FUNC_PROTO: the return type */
	uint32_t type;
	/* Number of members/values/params/secinfos. */
	uint32_t vlen;
	/* INT */
	uint32_t int_encoding;		/* BPFHOST_BTF_INT_* */
	uint32_t int_offset;		/* bits */
	uint32_t int_bits;
	/* ARRAY */
	uint32_t elem_type;
	uint32_t index_type;
	uint32_t nelems;
	/* VAR linkage, or FUNC linkage */
	uint32_t linkage;
	/* DECL_TAG: -1 for the declaration itself, else the member/param index */
	int32_t component_idx;
	const struct bpfhost_btf_member *members;	/* STRUCT, UNION */
	const struct bpfhost_btf_enum_value *values;	/* ENUM, ENUM64 */
	const struct bpfhost_btf_param *params;		/* FUNC_PROTO */
	const struct bpfhost_btf_var_secinfo *secinfos;	/* DATASEC */
};

/**
 * @brief **bpfhost_btf__new()** parses and validates raw BTF (a `.BTF`
 * section's bytes); the bytes are copied.
 * @return the BTF, or NULL with errno EINVAL (malformed: the message says
 * which type and why) or ENOMEM
 */
BPFHOST_API struct bpfhost_btf *bpfhost_btf__new(const void *data, size_t size);
/** @brief Frees a BTF from bpfhost_btf__new() (not one an object owns). NULL is a no-op. */
BPFHOST_API void bpfhost_btf__free(struct bpfhost_btf *btf);
/** @return the number of types including void: valid ids are 0 .. type_cnt - 1 */
BPFHOST_API uint32_t bpfhost_btf__type_cnt(const struct bpfhost_btf *btf);
/** @return the decoded type, or NULL with errno EINVAL for an id out of range (id 0 is void, kind UNKN) */
BPFHOST_API const struct bpfhost_btf_type *bpfhost_btf__type_by_id(const struct bpfhost_btf *btf,
								   uint32_t id);
/**
 * @brief **bpfhost_btf__resolve_size()** is the size in bytes of a type,
 * following typedefs, modifiers, VARs and arrays.
 * @return the size, or -EINVAL (no size: void, func, fwd; or a loop), -E2BIG
 */
BPFHOST_API int64_t bpfhost_btf__resolve_size(const struct bpfhost_btf *btf, uint32_t id);
/** @return the id behind typedefs and modifiers (const, volatile, restrict, type tags), or -EINVAL */
BPFHOST_API int bpfhost_btf__resolve_type(const struct bpfhost_btf *btf, uint32_t id);
/** @return the id of the type named @p name of kind @p kind, or -ENOENT */
BPFHOST_API int bpfhost_btf__find_by_name_kind(const struct bpfhost_btf *btf, const char *name,
					       enum bpfhost_btf_kind kind);
/** @return the kind's name in Linux's spelling ("STRUCT", "INT", ...) */
BPFHOST_API const char *bpfhost_btf_kind_str(enum bpfhost_btf_kind kind);

/* ---------------------------------------------------------------------------
 * Ring buffer consumer, after libbpf's ring_buffer__*: reads the records of a
 * BPF_MAP_TYPE_RINGBUF map from its shared memory (bpfhost_map_mmap()) in the
 * order they were reserved, skips discarded ones, and sleeps in
 * bpfhost_ringbuf_wait(). One consumer per ring; a consumer is not thread
 * safe (one thread at a time may call __poll/__consume on it).
 */
struct bpfhost_ring_buffer;

/**
 * Called once per record with its payload (valid only during the call).
 * Return 0 to go on; a negative value stops the walk after this record (it
 * counts as consumed) and is returned by __consume/__poll.
 */
typedef int (*bpfhost_ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct bpfhost_ring_buffer_opts {
	size_t sz;
	size_t : 0;
};
#define bpfhost_ring_buffer_opts__last_field sz

/**
 * @brief **bpfhost_ring_buffer__new()** opens a consumer on ring buffer map
 * @p map_fd. The consumer holds its own handle to the map (taken by id), so
 * closing @p map_fd while the consumer lives leaves its memory mapped.
 * @return the consumer, or NULL with errno: EBADF (not a handle), EINVAL (not
 * a ring buffer map, NULL @p sample_cb, non-zero opts tail), ENOMEM
 */
BPFHOST_API struct bpfhost_ring_buffer *
bpfhost_ring_buffer__new(int map_fd, bpfhost_ring_buffer_sample_fn sample_cb, void *ctx,
			 const struct bpfhost_ring_buffer_opts *opts);

/** @brief Closes the consumer's map handle and frees it. NULL is a no-op. */
BPFHOST_API void bpfhost_ring_buffer__free(struct bpfhost_ring_buffer *rb);

/**
 * @brief **bpfhost_ring_buffer__poll()** waits up to @p timeout_ms (< 0: no
 * limit) for records, then consumes what is there.
 * @return records consumed (0 on timeout), or the callback's negative value,
 * or -EINVAL (called inside an epoch: from a program or provider callback)
 */
BPFHOST_API int bpfhost_ring_buffer__poll(struct bpfhost_ring_buffer *rb, int timeout_ms);

/**
 * @brief **bpfhost_ring_buffer__consume()** consumes every committed record
 * available now, without waiting.
 * @return records consumed (capped at INT_MAX), or the callback's negative value
 */
BPFHOST_API int bpfhost_ring_buffer__consume(struct bpfhost_ring_buffer *rb);

/** @brief As __consume(), stopping after @p n records. @return records consumed, or the callback's negative value */
BPFHOST_API int bpfhost_ring_buffer__consume_n(struct bpfhost_ring_buffer *rb, size_t n);

/** @return the consumer's own map handle (for bpfhost_ringbuf_wait()) */
BPFHOST_API int bpfhost_ring_buffer__map_fd(const struct bpfhost_ring_buffer *rb);

/* ---------------------------------------------------------------------------
 * Perf buffer consumer, after libbpf's perf_buffer__*: reads what
 * bpf_perf_event_output writes into a BPF_MAP_TYPE_PERF_EVENT_ARRAY.
 * bpfhost has no perf events; a slot holds a ring buffer map instead, and
 * the consumer puts one (page_cnt pages per slot) in every slot up to the
 * number of CPUs, as libbpf opens one perf event per CPU. Samples arrive
 * with the slot they were written to; samples dropped for lack of room are
 * reported to lost_cb before the next one that fits. Not thread safe.
 */
struct bpfhost_perf_buffer;

/** Called once per sample; @p data is valid only during the call. */
typedef void (*bpfhost_perf_buffer_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
/** Called with the number of samples of slot @p cpu dropped since the last report. */
typedef void (*bpfhost_perf_buffer_lost_fn)(void *ctx, int cpu, uint64_t cnt);

struct bpfhost_perf_buffer_opts {
	size_t sz;
	size_t : 0;
};
#define bpfhost_perf_buffer_opts__last_field sz

/**
 * @brief **bpfhost_perf_buffer__new()** opens a consumer on perf event array
 * @p map_fd and fills its slots (0 .. min(max_entries, CPUs) - 1) with its
 * ring. @p page_cnt: pages per slot, a power of two.
 * @return the consumer, or NULL with errno: EINVAL (not a perf event array,
 * NULL @p sample_cb, bad @p page_cnt), EBADF, ENOMEM
 */
BPFHOST_API struct bpfhost_perf_buffer *
bpfhost_perf_buffer__new(int map_fd, size_t page_cnt, bpfhost_perf_buffer_sample_fn sample_cb,
			 bpfhost_perf_buffer_lost_fn lost_cb, void *ctx,
			 const struct bpfhost_perf_buffer_opts *opts);

/** @brief Empties the slots it filled, closes its ring and frees it. NULL is a no-op. */
BPFHOST_API void bpfhost_perf_buffer__free(struct bpfhost_perf_buffer *pb);

/** @return samples handled (0 on timeout; @p timeout_ms < 0: no limit), or -errno */
BPFHOST_API int bpfhost_perf_buffer__poll(struct bpfhost_perf_buffer *pb, int timeout_ms);

/** @return samples handled now, without waiting */
BPFHOST_API int bpfhost_perf_buffer__consume(struct bpfhost_perf_buffer *pb);

#ifdef __cplusplus
}
#endif

#endif /* BPFHOST_LIBBPF_H */
