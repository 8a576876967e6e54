/* SPDX-License-Identifier: MIT */
/*
 * The kit's parts: the shim (a registrar that wraps map providers and
 * records every callback), the ledger (what the invariants need: prepared
 * values, live map contexts, provider epoch allocations) and the phases.
 */
#ifndef BPFHOST_CHECK_INTERNAL_H
#define BPFHOST_CHECK_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpfhost/check.h>
#include <bpfhost/extension.h>

/* The callbacks the kit counts (the rows of the report's call matrix). */
enum kit_cb {
	KIT_CREATE,
	KIT_MAP_DELETE,
	KIT_ASSOCIATE,
	KIT_FIND,
	KIT_UPDATE,
	KIT_PRE_DELETE,
	KIT_POST_DELETE,
	KIT_ATTACH,
	KIT_DETACH,
	KIT_EPOCH_ALLOC,
	KIT_EPOCH_FREE,
	KIT_CB_COUNT,
};
extern const char *const kit_cb_name[KIT_CB_COUNT];

#define KIT_FLAG_WORDS 16

/* Shared with the phase children (MAP_SHARED): the parent reads it after each. */
struct kit_shared {
	/* Calls per callback and flags word (0..15: HELPER, UPDATE, MAP_CLEANUP, UNDO). */
	atomic_ulong calls[KIT_CB_COUNT][KIT_FLAG_WORDS];
	/* Contract v2 update pre-processing: calls given no stored value, given one. */
	atomic_ulong stored_null, stored_given;
	/* The last callback entered, for a phase that crashed. */
	char last_call[192];
	atomic_flag last_call_busy;
	/* The fault-injection point in progress. */
	atomic_ulong fault_point;
};
extern struct kit_shared *kit_shared;

/* One map provider the module registered, wrapped. */
struct kit_provider {
	struct kit_provider *next;
	uint32_t map_type;
	uint32_t base;
	bool uov;			/* updates_original_value */
	bool has_pre_delete;
	bool has_find;
	bool has_update;		/* either version of update pre-processing */
	bool v2;			/* a contract v2 dispatch table (UNDO for undone updates) */
	bool stored_arg;		/* preprocess_map_update_element_v2 */
	bool programs_read;		/* v2, with uov: programs look values up (read-only) */
	struct bpfhost_provider_characteristics chars;
	struct bpfhost_map_provider_data data;
	struct bpfhost_base_map_provider_properties props;
	struct bpfhost_base_map_provider_dispatch_table orig;
	struct bpfhost_base_map_provider_dispatch_table wrap;
	bpfhost_provider_attach_client_t orig_attach;
	bpfhost_provider_detach_client_t orig_detach;
	void *orig_provider_context;
	void *binding;			/* the provider's binding context */
	void *core_registration;
	struct bpfhost_map_client_data client_data;
	struct bpfhost_base_map_client_dispatch_table client;
	const struct bpfhost_base_map_client_dispatch_table *core_client;
};

/* shim.c */
int kit_load(const char *module_path, char *why, size_t why_len);	/* module handle or -errno */
struct kit_provider *kit_find_provider(uint32_t map_type);
void kit_list_map_types(char *out, size_t len);
void kit_close_target(void);
extern atomic_bool kit_unloaded;	/* the module's unload returned */
extern atomic_ulong kit_after_unload;	/* callbacks that came after it */
extern atomic_ulong kit_provider_allocs;	/* epoch_allocate calls (fault points) */
extern atomic_ulong kit_fail_alloc_at;	/* kit_provider_allocs value whose call fails; 0 off */
extern _Thread_local bool kit_in_program;	/* the kit is test-running a program */
extern atomic_bool kit_concurrent;		/* writers race (the stress phase) */
extern const char *kit_module_name;

/* ledger.c: every function takes the ledger lock. */
void ledger_prepare(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val, size_t vsz);
bool ledger_release(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val, size_t vsz);
/* Is @val a value stored (prepared, not yet released) for @key? */
bool ledger_holds(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val, size_t vsz);
unsigned long ledger_prepared(void);
void ledger_map_created(const void *ctx, uint32_t base, uint32_t key_size, uint32_t max_entries,
			uint32_t actual_value_size);
bool ledger_map_deleted(const void *ctx);
unsigned long ledger_live_maps(void);
uint32_t ledger_actual_value_size(const void *ctx);
void ledger_alloc(void *p, size_t size, bool aligned);
int ledger_free(void *p, bool aligned);	/* 0, -1 unknown, -2 the other variant */
unsigned long ledger_purge(const void *ctx, unsigned long *zeros);
unsigned long ledger_maps_with(const void *ctx);
unsigned long ledger_allocs(size_t *bytes);

/* report channel (check.c): a phase child writes, the parent collects. */
void kit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kit_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned long kit_failures(void);	/* in this phase, so far */

/* The options, resolved (check.c). */
struct kit_opts {
	uint32_t map_type, key_size, value_size, max_entries, prog_type, threads, iterations, flags;
	const uint8_t *value;
	struct kit_provider *p;
	int module;			/* the core's handle of the kit's module */
};

/* phases: each returns when done; failures go through kit_fail(). */
void phase_matrix(const struct kit_opts *o);
void phase_full_and_undo(const struct kit_opts *o);
void phase_batches(const struct kit_opts *o);
void phase_cleanup(const struct kit_opts *o);
void phase_helpers(const struct kit_opts *o);
void phase_map_in_map(const struct kit_opts *o);
void phase_concurrency(const struct kit_opts *o);
void phase_faults_core(const struct kit_opts *o);
void phase_faults_provider(const struct kit_opts *o);
void phase_forced_unload(const struct kit_opts *o);

/* phases_prog.c, for the concurrent phase: a loaded program (op 0 lookup, 1 update, 2 delete). */
int kit_helper_program(const struct kit_opts *o, int map, int op, uint32_t key, uint64_t flags);
int kit_run_program(int fd, uint32_t *retval);

/* ops.c: shared by the phases. */
void kit_key(const struct kit_opts *o, uint32_t i, uint8_t *key);
void kit_value(const struct kit_opts *o, uint32_t i, uint8_t *value);
int kit_map(const struct kit_opts *o, const char *name, uint32_t max_entries);
unsigned long kit_calls(enum kit_cb cb, int flags);	/* flags -1: all */
/* Closes @fd, waits for the teardown and checks the balance (what: "after ..."). */
void kit_close_and_balance(int fd, const char *what);
/* Checks that nothing is outstanding: prepared values, maps, allocations beyond @allocs. */
bool kit_balanced(const char *what, unsigned long allocs);
const char *kit_errno_name(int err);
#define KIT_ENOTSUPP 524

#endif /* BPFHOST_CHECK_INTERNAL_H */
