/* SPDX-License-Identifier: MIT */
/*
 * The verifier's state at one instruction of one path: per call frame the
 * eleven registers and the stack, byte by byte; plus the references held.
 * Copying is deep (a pushed branch owns its state); bh_state_within() is
 * the pruning test: a state within one already proven safe at the same
 * instruction is safe too (Linux's states_equal/regsafe/stacksafe).
 */
#ifndef BPFHOST_VERIFIER_STATE_H
#define BPFHOST_VERIFIER_STATE_H

#include "arena.h"
#include "bounds.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/uapi.h"

enum bh_reg_kind {
	BH_REG_NOT_INIT,	/* never written on this path: reading it is refused */
	BH_REG_SCALAR,
	BH_REG_CTX,		/* the program's context */
	BH_REG_STACK,		/* a frame's stack: r10 of frame `frameno` + off */
	BH_REG_MAP_PTR,		/* a map (lddw of a map handle) */
	BH_REG_MAP_VALUE,	/* a value of `map`, mem_size bytes */
	BH_REG_MAP_VALUE_OR_NULL,
	BH_REG_PACKET,		/* packet data + off, `range` bytes proven below packet end */
	BH_REG_PACKET_META,
	BH_REG_PACKET_END,
	BH_REG_RINGBUF_RECORD,	/* a reserved record, mem_size bytes, reference `ref_id` */
	BH_REG_RINGBUF_RECORD_OR_NULL,
	BH_REG_RDONLY_MEM,	/* read-only memory, mem_size bytes */
	BH_REG_FUNC,		/* a callback's address: instruction `off` (lddw rX, func) */
	/* A kfunc's acquired reference: mem_size bytes, reference `ref_id`, `map` the acquiring bh_helper. */
	BH_REG_KFUNC_REF,
	BH_REG_KFUNC_REF_OR_NULL,
	BH_REG_KIND_COUNT,
};

/* Whether a register of this kind may be NULL until a check against 0. */
static inline bool bh_reg_kind_or_null(enum bh_reg_kind k)
{
	return k == BH_REG_MAP_VALUE_OR_NULL || k == BH_REG_RINGBUF_RECORD_OR_NULL || k == BH_REG_KFUNC_REF_OR_NULL;
}

/*
 * One register. A pointer is base + off + var, where off is a fixed offset
 * and var (a scalar) a variable one; a scalar's value is var alone.
 */
struct bh_reg {
	uint8_t kind;		/* enum bh_reg_kind */
	uint8_t frameno;	/* BH_REG_STACK: which frame */
	uint8_t flags;		/* BH_REGF_* */
	uint32_t id;		/* copies of one value share it (NULL checks refine them all) */
	uint32_t ref_id;	/* the acquired reference this points into, or 0 */
	int32_t off;
	uint32_t range;		/* BH_REG_PACKET: bytes from off proven inside */
	uint32_t mem_size;	/* map value, record or read-only memory size */
	uint32_t origin;	/* maybe-NULL pointers: the call that returned it (messages only) */
	const void *map;	/* the map (core object) of map pointers and values */
	struct bh_scalar var;
};

/* The map of a map pointer or value is the inner map of `map` (a map-in-map lookup). */
#define BH_REGF_INNER_MAP 0x01
/* Memory the program may read but not write (read-only maps, updates_original_value maps). */
#define BH_REGF_RDONLY 0x02
/* A value of an inner map (its map is the outer map). */
#define BH_REGF_INNER_VALUE 0x04

/* What each byte of the stack holds (byte-precise initialisation). */
enum bh_stack_byte {
	BH_STACK_INVALID,	/* never written */
	BH_STACK_MISC,		/* some scalar bytes */
	BH_STACK_ZERO,		/* known zero */
	BH_STACK_SPILL,		/* part of a spilled register */
};

#define BH_SLOT_SIZE 8
#define BH_STACK_SLOTS (MAX_BPF_STACK / BH_SLOT_SIZE)
_Static_assert(BH_STACK_SLOTS <= 64, "a frame's slots fit the 64-bit liveness masks");

/* Eight bytes of stack, from r10 - 8 * (k + 1) for slot k. */
struct bh_stack_slot {
	uint8_t type[BH_SLOT_SIZE];
	struct bh_reg spilled;	/* the register whose spill the SPILL bytes hold */
};

struct bh_frame {
	struct bh_reg regs[MAX_BPF_REG];
	uint32_t callsite;	/* the call instruction that made this frame (frame 0: UINT32_MAX) */
	uint32_t subprog;
	uint32_t nslots;	/* slots allocated so far: the deepest byte written, rounded up */
	struct bh_stack_slot *slots;
	/* A bpf_loop callback's frame: the ctx it is given each time (callsite: the bpf_loop call). */
	bool callback;
	struct bh_reg cb_ctx;
	/* Slots (bit k: slot k) wholly written since the path's last saved state (stack liveness). */
	uint64_t written;
};

/* An acquired reference (a reserved ring buffer record, or a kfunc's) and where it was acquired. */
struct bh_ref {
	uint32_t id;
	uint32_t insn;
	const void *kfunc;	/* the acquiring kfunc's bh_helper; NULL: a ring buffer record */
};

#define BH_MAX_REFS 64

struct bh_explored;

struct bh_state {
	struct bh_varena *arena;	/* where its frames live (NULL: plat_alloc); copies share it */
	struct bh_explored *checkpoint;	/* the last state saved on this path (stack liveness, verifier.c) */
	uint32_t nframes;
	struct bh_frame *frames[MAX_CALL_FRAMES];
	uint32_t nrefs;
	struct bh_ref refs[BH_MAX_REFS];
};

/* A scalar register with no known value / with the value @v. */
static inline struct bh_reg bh_reg_unknown_scalar(void)
{
	return (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_unknown() };
}

static inline struct bh_reg bh_reg_const(uint64_t v)
{
	return (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_const(v) };
}

/* The kind's name as logs print it ("scalar", "map_value_or_null", ...). */
const char *bh_reg_kind_name(enum bh_reg_kind k);
/* "ctx(off=0)", "fp0(off=-8)", "scalar(umax=255 ...)" or a constant, into @buf. */
char *bh_reg_str(const struct bh_reg *r, char *buf, unsigned size);

/* The entry state: frame 0 with r1 the context, r10 the frame pointer (its memory from @a, or plat_alloc). */
int bh_state_init_in(struct bh_state *st, struct bh_varena *a);
int bh_state_init(struct bh_state *st);
void bh_state_free(struct bh_state *st);
/*
 * @src's frames and references handed to @dst (overwritten: free it first),
 * copying only the used part of the structure; @src is left empty.
 */
void bh_state_move(struct bh_state *dst, struct bh_state *src);
/* A deep copy of @src into @dst (which is overwritten; free it first). */
int bh_state_copy(struct bh_state *dst, const struct bh_state *src);

/* A new frame for a call at @callsite into @subprog (r1-r5 copied, r10 its stack). */
int bh_state_push_frame(struct bh_state *st, uint32_t callsite, uint32_t subprog);
void bh_state_pop_frame(struct bh_state *st);

/* Makes slots 0 .. @nslots - 1 of @f exist (new bytes BH_STACK_INVALID); @f is a frame of @st. */
int bh_state_grow_stack(struct bh_state *st, struct bh_frame *f, uint32_t nslots);
/* The same for a frame of a state without an arena. */
int bh_frame_grow(struct bh_frame *f, uint32_t nslots);

/*
 * After `if rX == 0` on a maybe-NULL pointer with id @id: every copy of it
 * (registers and spills, in every frame) becomes the scalar 0 (@is_null)
 * or the pointer without "or NULL". A NULL record holds no reference, so
 * on that side its reference is dropped from the state.
 */
void bh_state_mark_null(struct bh_state *st, uint32_t id, bool is_null);

/*
 * Pruning: whether every concrete state @cur stands for is one @old stands
 * for, so that @old having been proven safe from here proves @cur safe.
 * Ids must correspond one to one (two copies of one lookup in @old must be
 * copies of one in @cur as well). With @uninit_reads (privileged loads read
 * never-written stack as unknown scalars) a never-written byte of @old
 * may have been read, so it covers only scalar bytes of @cur.
 */
bool bh_state_within(const struct bh_state *old, const struct bh_state *cur, bool uninit_reads);
/*
 * The same where the innermost frame's registers outside @live (bit r:
 * register r) and the stack slots outside @slots[frame] (bit k: slot k) are
 * never read again before being written: they are left out of the
 * comparison (cfg.h's register liveness at the instruction; the slots
 * @old's continuations read, verifier.c).
 */
bool bh_state_within_live(const struct bh_state *old, const struct bh_state *cur, bool uninit_reads,
			  uint16_t live, const uint64_t *slots);
/* Whether the two stand for exactly the same concrete states (an infinite loop when a path comes back to one). */
bool bh_state_equal(const struct bh_state *a, const struct bh_state *b);

#endif /* BPFHOST_VERIFIER_STATE_H */
