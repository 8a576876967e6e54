/* SPDX-License-Identifier: MIT */
/*
 * Programs: the loaded object, its resolved helpers and maps, and the
 * program types (built-in or from a program information provider).
 *
 * Load (prog_load.c) copies the instructions, checks their structure
 * (prog_check.c), then rewrites them for the interpreter:
 *   - lddw with BPF_PSEUDO_MAP_FD/IDX: the 64-bit immediate becomes the
 *     struct bh_map pointer, src_reg 0;
 *   - lddw with BPF_PSEUDO_MAP_VALUE/IDX_VALUE: the address of the array
 *     map's value + offset, src_reg 0 (the value is in prog->regions);
 *   - call (src_reg 0) to a helper id: imm becomes the index into
 *     prog->helpers, src_reg 0; BPF_PSEUDO_CALL is left as it is;
 *   - call with BPF_PSEUDO_KFUNC_CALL (imm: a kfunc id, ext/kfunc.c): the
 *     kfunc's helper view joins prog->helpers the same way, src_reg 0, and
 *     the program holds a reference on its module's kfunc set.
 *   - after the verifier, calls it proved one map for: internal opcodes
 *     (specialise.h), never a kfunc's.
 * So the interpreter sees plain immediates and helper indexes only.
 */
#ifndef BPFHOST_PROG_H
#define BPFHOST_PROG_H

#include "bpfhost/bpf_insn.h"
#include "bpfhost/extension.h"
#include "bpfhost/uapi.h"
#include "../core/internal.h"

struct bh_map;
struct bh_prog_type;
struct bh_src_info;
struct bh_fast_op;

/* A helper as the interpreter calls it: resolved at load. */
struct bh_helper {
	bpfhost_helper_fn_t fn;		/* NULL for BPF_FUNC_tail_call (the interpreter's own) */
	uint32_t id;
	uint8_t ret;			/* enum bpfhost_helper_return_type */
	uint8_t args[5];		/* enum bpfhost_helper_arg_type */
	const char *name;
	/*
	 * The helper may move or resize the packet (Linux's
	 * bpf_helper_changes_pkt_data): packet pointers taken before the
	 * call are stale after it, and a verifier must forget them.
	 */
	bool changes_pkt_data;
	const uint32_t *map_types;	/* an extension helper's accepted map types (NULL: any) */
	uint32_t map_type_count;
	/*
	 * A kfunc (ext/kfunc.c) seen as a helper: args[] holds BPFHOST_ARG_ANYTHING
	 * (scalar), BPFHOST_ARG_PTR_TO_CTX, BH_ARG_KFUNC_MEM[_RW] or BH_ARG_KFUNC_RELEASE,
	 * with the scalar's or the memory's size in mem_size[]; ret may be
	 * BH_RET_KFUNC_ACQUIRED; gone is set when its module was force-unloaded.
	 */
	bool kfunc;
	uint32_t mem_size[5];
	const atomic_bool *gone;
};

/*
 * Where a redirect helper sends the frame when the run's verdict is
 * XDP_REDIRECT / TC_ACT_REDIRECT (enum bpfhost_redirect_kind and the
 * fields of struct bpfhost_test_run_opts): the last call's choice.
 */
struct bh_redirect {
	uint32_t kind;
	uint32_t target;
	uint32_t map_id;
	uint32_t key;
	uint32_t flags;
};
/* Kfunc argument kinds beyond extension.h's helper kinds: fixed-size memory. */
#define BH_ARG_KFUNC_MEM 0x40		/* mem_size readable, initialised bytes */
#define BH_ARG_KFUNC_MEM_RW 0x41	/* mem_size initialised bytes, also written */
/* A reference an acquiring kfunc of the same module returned, with the same tag (ext/kfunc.h). */
#define BH_ARG_KFUNC_RELEASE 0x42
/* Kfunc return beyond extension.h's: an acquired reference to return_size bytes, or NULL (ext/kfunc.h). */
#define BH_RET_KFUNC_ACQUIRED 0x40

struct bh_kfunc_set;

/* A memory range a program may touch: [start, end). */
struct bh_region {
	uintptr_t start;
	uintptr_t end;
	bool writable;
	bool map;			/* start is an inner map a map-in-map lookup returned */
};

struct bh_prog {
	struct bh_object obj;		/* first: programs are objects */
	uint32_t type;
	uint32_t expected_attach_type;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t len;			/* instructions */
	struct bpf_insn *insns;		/* rewritten for the interpreter (see above) */
	struct bpf_insn *orig_insns;	/* as loaded (GET_INFO xlated, tag): insns' second half */
	const struct bh_helper **helpers; /* call imm -> helper */
	uint32_t helper_cnt;
	struct bh_map **maps;		/* referenced maps, one reference each */
	uint32_t map_cnt;
	struct bh_region *regions;	/* global data values lddw points into */
	uint32_t region_cnt;
	struct bh_prog_type *ptype;	/* with a reference */
	uint64_t load_time;
	uint32_t stack_reach;		/* bytes below the top of the stack it may touch (stack_reach.c) */
	uint32_t *callbacks;		/* instructions `lddw rX, func` names (bpf_loop's callbacks) */
	uint32_t callback_cnt;
	/* Helper calls the specialiser rewrote (specialise.h): what their internal opcodes index. */
	struct bh_fast_op *fast;
	uint32_t fast_cnt;
	struct bh_kfunc_set **kfunc_sets;	/* the modules' kfunc sets it calls, one reference each */
	uint32_t kfunc_set_cnt;
	bool gpl_compatible;
	bool uses_tail_calls;
	atomic_uint_fast64_t run_cnt;
	atomic_uint_fast64_t run_time_ns;
	struct bh_src_info *src;	/* func/line info and their strings, or NULL (line_info.c) */
};

/* The helper with @id for programs of @prog's type (callx), or NULL. */
const struct bh_helper *bh_prog_helper_by_id(const struct bh_prog *prog, uint32_t id);

/* Whether instruction @i starts one of @prog's callbacks (what bpf_loop may call). */
static inline bool bh_prog_is_callback(const struct bh_prog *prog, uint64_t i)
{
	for (uint32_t k = 0; k < prog->callback_cnt; k++)
		if (prog->callbacks[k] == i)
			return true;
	return false;
}

/* The program type of a program object (for maps that hold programs). */
static inline uint32_t bh_prog_type_of(const struct bh_object *obj)
{
	return ((const struct bh_prog *)obj)->type;
}

/* Does @prog reference @map (lddw or bind)? For helper argument checks. */
bool bh_prog_uses_map(const struct bh_prog *prog, const void *map);

/*
 * Structural check before anything runs (until the static verifier): every
 * opcode valid, jump and call targets inside the program and not into the
 * middle of an lddw, no fall-through off the end, registers written before
 * they are read (a simple forward pass), r10 never written. Helper ids are
 * checked by the loader. 0 or -EINVAL with a message naming @name and the
 * instruction index.
 */
int bh_prog_check(const char *name, const struct bpf_insn *insns, uint32_t len);

/*
 * Bytes below the top of the stack a program may reach, over every frame
 * its bpf-to-bpf calls can open (a multiple of 8, from 8 up to
 * MAX_CALL_FRAMES * MAX_BPF_STACK). Each run clears that much and no more,
 * and stack accesses outside it fault.
 */
uint32_t bh_prog_stack_reach(const struct bpf_insn *insns, uint32_t len);

/*
 * The C source of instruction @insn (line_info.c): the file, line and text
 * of the last line_info record at or before it. 0, or -ENOENT when the
 * program was loaded without line info. The strings live as long as @p.
 */
int bh_prog_source_line(const struct bh_prog *p, uint32_t insn, const char **file, uint32_t *line,
			const char **text);

/*
 * The poisoned CO-RE relocation at @insn as its loader described it
 * (core_relos): "CO-RE relocation byte_off of local type [5], access
 * \"0:3\"" into @buf. 0, or -ENOENT when none was given for @insn.
 */
int bh_prog_poison_note(const struct bh_prog *p, uint32_t insn, char *buf, size_t len);

/*
 * Appends "(at file.c:LINE: text)" for @insn to the thread's message when
 * the program has line info; returns @err. For faults and refusals.
 */
int bh_prog_fault_source(const struct bh_prog *p, uint32_t insn, int err);

/*
 * BPF_PROG_LOAD's func_info, line_info and btf_strs: checked against the
 * instructions in @attr as Linux checks them (record sizes, order, one
 * func_info and a line_info record per function start, offsets inside the
 * strings). 0 with *@out (NULL when there is none), or the refusal.
 */
int bh_prog_src_info_parse(const union bpf_attr *attr, struct bh_src_info **out);
/* Gives @src to @prog (freed with it). */
void bh_prog_set_src_info(struct bh_prog *prog, struct bh_src_info *src);
void bh_prog_src_info_free(struct bh_src_info *src);
/* For GET_INFO: the counts and records (NULL when none). */
void bh_prog_src_info_counts(const struct bh_prog *p, uint32_t *func_cnt, uint32_t *line_cnt,
			     const struct bpf_func_info **func, const struct bpf_line_info **line);

#endif /* BPFHOST_PROG_H */
