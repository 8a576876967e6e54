// SPDX-License-Identifier: MIT
/*
 * A test module with kfuncs that acquire and release references:
 *   const struct tr_obj *tr_acquire(u32 key)   object key (< TR_OBJS), or NULL; tag TR_TAG_OBJ
 *   void tr_release(const struct tr_obj *o)    gives it back; tag TR_TAG_OBJ
 *   struct tr_obj *tr_other_acquire(u32 key)   the same objects, writable, under tag TR_TAG_OTHER
 *   void tr_other_release(struct tr_obj *o)    tag TR_TAG_OTHER
 *   u64 tr_peek(const struct tr_obj *o)        o->value, through plain memory (no reference taken)
 * test_kfunc_refs_state() counts what is held and what went wrong (a
 * release of something never acquired), so a test sees that nothing leaks.
 */
#include <stdatomic.h>
#include <string.h>

#include "bpfhost/extension.h"
#include "kfunc_module.h"
#include "test_kfunc_refs.h"

static struct tr_obj objs[TR_OBJS];
static struct tr_state state;

__attribute__((visibility("default"))) struct tr_state *test_kfunc_refs_state(void);
__attribute__((visibility("default"))) struct tr_state *test_kfunc_refs_state(void)
{
	return &state;
}

/* Every kfunc first: a call after the module's unload would run code the core has unmapped. */
static void note_call(void)
{
	if (atomic_load(&state.unloaded))
		atomic_fetch_add(&state.late_calls, 1);
}

static uint64_t acquire(uint64_t key)
{
	note_call();
	if ((uint32_t)key >= TR_OBJS)
		return 0;
	objs[key].value = TR_VALUE(key);
	objs[key].held++;
	atomic_fetch_add(&state.held, 1);
	atomic_fetch_add(&state.acquired, 1);
	return (uint64_t)(uintptr_t)&objs[key];
}

static uint64_t release(uint64_t p)
{
	struct tr_obj *o = (struct tr_obj *)(uintptr_t)p;

	note_call();
	/* The core passes only what it handed out: anything else is a bug to count. */
	if (o < objs || o >= objs + TR_OBJS || !o->held) {
		atomic_fetch_add(&state.bad_releases, 1);
		return 0;
	}
	o->held--;
	atomic_fetch_sub(&state.held, 1);
	atomic_fetch_add(&state.released, 1);
	return 0;
}

static uint64_t tr_acquire(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	return acquire(a);
}

static uint64_t tr_release(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	return release(a);
}

static uint64_t tr_peek(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	note_call();
	return ((const struct tr_obj *)(uintptr_t)a)->value;
}

static const struct bpfhost_kfunc kfuncs[] = {
	{ BPFHOST_KFUNC_HEADER, "tr_acquire", tr_acquire, BPFHOST_KFUNC_RET_ACQUIRED, sizeof(struct tr_obj), 1,
	  { BPFHOST_KFUNC_ARG_SCALAR }, { 4 }, NULL, 0, TR_TAG_OBJ, 0 },
	{ BPFHOST_KFUNC_HEADER, "tr_release", tr_release, BPFHOST_KFUNC_RET_VOID, 0, 1,
	  { BPFHOST_KFUNC_ARG_RELEASE }, { 0 }, NULL, 0, TR_TAG_OBJ, 0 },
	{ BPFHOST_KFUNC_HEADER, "tr_other_acquire", tr_acquire, BPFHOST_KFUNC_RET_ACQUIRED,
	  sizeof(struct tr_obj), 1, { BPFHOST_KFUNC_ARG_SCALAR }, { 4 }, NULL, 0, TR_TAG_OTHER,
	  BPFHOST_KFUNC_REF_WRITABLE },
	{ BPFHOST_KFUNC_HEADER, "tr_other_release", tr_release, BPFHOST_KFUNC_RET_VOID, 0, 1,
	  { BPFHOST_KFUNC_ARG_RELEASE }, { 0 }, NULL, 0, TR_TAG_OTHER, 0 },
	{ BPFHOST_KFUNC_HEADER, "tr_peek", tr_peek, BPFHOST_KFUNC_RET_SCALAR, 8, 1,
	  { BPFHOST_KFUNC_ARG_PTR_TO_MEM }, { sizeof(struct tr_obj) }, NULL, 0, 0, 0 },
};

/* The same table with a bad entry, as state.mode asks (registration refusals). */
static struct bpfhost_kfunc table[sizeof(kfuncs) / sizeof(kfuncs[0])];

static struct bpfhost_kfunc_provider_data data = {
	BPFHOST_KFUNC_PROVIDER_DATA_HEADER, table, sizeof(kfuncs) / sizeof(kfuncs[0]),
};

static const struct bpfhost_provider_characteristics chars =
	KFUNC_MODULE_CHARS(&data, { 0x7472, 0x6566, 0x7331, { 1 } });

/* No kfunc call may come after this: note_call() counts any. */
static void mark_unloaded(void)
{
	atomic_store(&state.unloaded, true);
}

int bpfhost_extension_entry(const struct bpfhost_registrar *r, struct bpfhost_module *m);
__attribute__((visibility("default"))) int bpfhost_extension_entry(const struct bpfhost_registrar *r,
								   struct bpfhost_module *m)
{
	memcpy(table, kfuncs, sizeof(table));
	atomic_store(&state.unloaded, false);
	switch (state.mode) {
	case TR_NO_RELEASER:	/* tr_other_acquire's tag has no release */
		table[3].ref_type = TR_TAG_OBJ;
		break;
	case TR_RELEASE_TWO_ARGS:
		table[1].arg_count = 2;
		table[1].arg_kinds[1] = BPFHOST_KFUNC_ARG_SCALAR;
		table[1].arg_sizes[1] = 8;
		break;
	case TR_NO_TAG:
		table[0].ref_type = 0;
		break;
	default:
		break;
	}
	return kfunc_module_register(r, m, &chars, "test_kfunc_refs", mark_unloaded);
}
