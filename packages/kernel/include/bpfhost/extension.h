/* SPDX-License-Identifier: MIT */
/* #region contract (shown by the docs site) */
/*
 * The extension contract: everything an extension module ("driver") sees of
 * the core. A module is a shared object exporting one function,
 * bpfhost_extension_entry(), which registers providers with the registrar it
 * is handed. It compiles against this header and nothing else of the core.
 *
 * Versioning. Every struct starts with a bpfhost_extension_header:
 *   - version: the struct's version, must equal the core's;
 *   - size: bytes through the last field the producer knows; set it with the
 *     *_CURRENT_VERSION_SIZE macros, never sizeof();
 *   - total_size: sizeof() at the producer, padding included.
 * The core accepts any size from the v1 size up to total_size, copies that
 * many bytes into a zeroed copy (fields an older module lacks read as 0/NULL),
 * and refuses a wrong version, a too-small size or a NULL required callback
 * with -EINVAL and a message naming the module, the struct and the field.
 * New fields are only ever added at the end, keeping the version; a struct
 * that grew so names its v1 size in a *_V1_SIZE macro.
 *
 * Callbacks return 0 or a negative errno, which reaches the caller unchanged.
 */
/* #endregion contract */
#ifndef BPFHOST_EXTENSION_H
#define BPFHOST_EXTENSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ext_ids.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfhost_extension_header {
	uint16_t version;
	size_t size;
	size_t total_size;
};

#define BPFHOST_SIZE_INCLUDING_FIELD(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

/* A 16-byte identifier: NPI ids (contracts) and module ids. */
typedef struct bpfhost_guid {
	uint32_t data1;
	uint16_t data2;
	uint16_t data3;
	uint8_t data4[8];
} bpfhost_guid_t;

/* ---------------------------------------------------------------------------
 * The registrar (the analogue of Windows' NMR). Providers register under an
 * NPI id; the core's clients for that NPI attach to them and each attach
 * creates a binding with its own binding context.
 */

/* The NPI of map information providers (custom map types). */
#define BPFHOST_NPI_MAP_INFO                                                  \
	((bpfhost_guid_t){ 0x6d617069, 0x6e66, 0x6f31,                        \
			   { 0x8e, 0x1b, 0x7f, 0x4b, 0x1f, 0x0e, 0x1f, 0x0e } })

struct bpfhost_provider_characteristics;

/*
 * Called when a client attaches: the provider returns its per-binding
 * context (passed back as binding_context to every dispatch callback).
 * @client_data is the client's NPI-specific data (for map information
 * providers: struct bpfhost_map_client_data). Return 0 or a negative errno.
 */
typedef int (*bpfhost_provider_attach_client_t)(void *provider_context,
						 const bpfhost_guid_t *client_module_id,
						 const void *client_data, void **binding_context);
/* Called when the binding goes away; the provider frees its binding context. */
typedef void (*bpfhost_provider_detach_client_t)(void *binding_context);

struct bpfhost_provider_characteristics {
	struct bpfhost_extension_header header;
	bpfhost_guid_t npi_id;
	bpfhost_guid_t module_id;
	const void *npi_specific_characteristics;	/* e.g. bpfhost_map_provider_data */
	bpfhost_provider_attach_client_t attach_client;	/* required */
	bpfhost_provider_detach_client_t detach_client;	/* optional */
};
#define BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION 1
#define BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_provider_characteristics, detach_client)
#define BPFHOST_PROVIDER_CHARACTERISTICS_HEADER                                  \
	{ BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION,                      \
	  BPFHOST_PROVIDER_CHARACTERISTICS_CURRENT_VERSION_SIZE,                 \
	  sizeof(struct bpfhost_provider_characteristics) }

/* What the core hands a module's entry point. */
struct bpfhost_registrar {
	struct bpfhost_extension_header header;
	void *registrar_context;
	/*
	 * Registers a provider; the core's clients of that NPI attach at once.
	 * Returns 0 and a registration handle, or a negative errno (-EINVAL for
	 * a table the core refuses, -EEXIST for a map type another module holds).
	 */
	int (*register_provider)(void *registrar_context,
				 const struct bpfhost_provider_characteristics *characteristics,
				 void *provider_context, void **registration);
	/* Detaches every binding of the registration and forgets it. */
	void (*deregister_provider)(void *registration);
	/* Diagnostics through the embedder's print callback (level: 0 warn, 1 info, 2 debug). */
	void (*log)(int level, const char *message);
};
#define BPFHOST_REGISTRAR_CURRENT_VERSION 1
#define BPFHOST_REGISTRAR_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_registrar, log)

/*
 * What a module's entry point fills in. The core passes it with its header
 * already set: write no field that ends past header.total_size (an older
 * core has fewer fields), then set header to the module's own values.
 */
struct bpfhost_module {
	struct bpfhost_extension_header header;
	const char *name;			/* for messages */
	void *module_context;
	/* Called on unload: deregister providers, free state. */
	void (*unload)(void *module_context);
};
#define BPFHOST_MODULE_CURRENT_VERSION 1
#define BPFHOST_MODULE_CURRENT_VERSION_SIZE BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_module, unload)
#define BPFHOST_MODULE_HEADER                                                   \
	{ BPFHOST_MODULE_CURRENT_VERSION, BPFHOST_MODULE_CURRENT_VERSION_SIZE,      \
	  sizeof(struct bpfhost_module) }

/* The one symbol a module exports. Returns 0 or a negative errno. */
#define BPFHOST_EXTENSION_ENTRY "bpfhost_extension_entry"
typedef int (*bpfhost_extension_entry_t)(const struct bpfhost_registrar *registrar,
					 struct bpfhost_module *module);
/*
 * Modules build with hidden visibility (bpfhost_add_extension() does):
 * define the entry point with this so it alone is exported.
 */
#define BPFHOST_EXTENSION_EXPORT __attribute__((visibility("default")))
BPFHOST_EXTENSION_EXPORT int bpfhost_extension_entry(const struct bpfhost_registrar *registrar,
						     struct bpfhost_module *module);

/* ---------------------------------------------------------------------------
 * Custom maps. A map information provider implements one custom map type on
 * top of a base type (hash or array) whose storage the core owns.
 */

/* Base map types (Linux numbers). */
#define BPFHOST_BASE_MAP_TYPE_HASH 1U
#define BPFHOST_BASE_MAP_TYPE_ARRAY 2U

/*
 * Flags the core passes to the per-element callbacks. A delete callback
 * with UPDATE or MAP_CLEANUP cannot fail: its result is ignored.
 */
/* The operation comes from a program (a helper); clear: from user space. */
#define BPFHOST_MAP_OPERATION_HELPER 0x1u
/*
 * Delete callbacks only: a displaced value, or the undo of an update
 * (v1 tables cannot tell the two apart; v2 tables also get UNDO for an undo).
 */
#define BPFHOST_MAP_OPERATION_UPDATE 0x2u
/* Delete callbacks only: the map (or the provider) is going away. */
#define BPFHOST_MAP_OPERATION_MAP_CLEANUP 0x4u
/*
 * Contract v2 (dispatch tables whose header.size includes
 * preprocess_map_update_element_v2), delete callbacks only, always with
 * UPDATE: the value is one the provider prepared in update pre-processing
 * that the core then did not store (NOEXIST/EXIST mismatch, full map, or a
 * concurrent writer of the key won: see preprocess_map_update_element_v2).
 * Without UNDO, UPDATE means a value that was stored and has been displaced.
 */
#define BPFHOST_MAP_OPERATION_UNDO 0x8u

/*
 * Creates the provider's per-map context. @actual_value_size: bytes the core
 * stores per entry (must equal value_size unless updates_original_value).
 * Called without core locks, from user space.
 */
typedef int (*bpfhost_preprocess_map_create_t)(void *binding_context, uint32_t map_type,
						uint32_t key_size, uint32_t value_size,
						uint32_t max_entries, uint32_t *actual_value_size,
						void **map_context);
/* The map is gone: free @map_context (MAP_CLEANUP already ran for each entry). */
typedef void (*bpfhost_postprocess_map_delete_t)(void *binding_context, void *map_context);
/* May a program of @program_type use the map? Non-zero refuses the load. */
typedef int (*bpfhost_preprocess_associate_program_type_t)(void *binding_context,
							    void *map_context,
							    uint32_t program_type);
/*
 * After the core found an entry. @in_value: the stored bytes
 * (actual_value_size). @out_value: with updates_original_value, the caller's
 * buffer (value_size) to fill with the user-visible value; NULL otherwise.
 */
typedef int (*bpfhost_postprocess_map_find_element_t)(void *binding_context, void *map_context,
						       size_t key_size, const uint8_t *key,
						       size_t in_value_size, const uint8_t *in_value,
						       size_t out_value_size, uint8_t *out_value,
						       uint32_t flags);
/*
 * Before the core stores an entry. @in_value: the caller's value
 * (value_size). @out_value: with updates_original_value, a zeroed buffer of
 * actual_value_size bytes whose contents the core stores; NULL otherwise.
 * An error stores nothing and reaches the caller.
 */
typedef int (*bpfhost_preprocess_map_update_element_t)(void *binding_context, void *map_context,
							size_t key_size, const uint8_t *key,
							size_t in_value_size, const uint8_t *in_value,
							size_t out_value_size, uint8_t *out_value,
							uint32_t flags);
/*
 * Contract v2: update pre-processing that also sees the value stored now.
 * @stored_value: the bytes stored for @key (actual_value_size of them, the
 * provider's own representation with updates_original_value), or NULL when
 * the key has none (hash base; an array element always has one, zero-filled
 * until first set). Valid for the call only; read-only.
 *
 * Concurrent writers of the same key: the core makes each update an atomic
 * read-modify-write of the key. The value prepared here is stored only if
 * @stored_value is still the key's value when the core stores it (nothing
 * was stored, replaced or deleted for the key in between). Otherwise the core
 * undoes it (delete callback with UPDATE | UNDO) and calls this again with
 * the new stored value, until it wins or fails for another reason. So a
 * provider that combines @stored_value and @in_value (a maximum, a sum) loses
 * no concurrent update, but must expect to be called more than once per
 * update and to prepare values that are undone. Lookups never wait for it.
 * No core lock is held during the call.
 */
typedef int (*bpfhost_preprocess_map_update_element_v2_t)(void *binding_context, void *map_context,
							   size_t key_size, const uint8_t *key,
							   size_t in_value_size, const uint8_t *in_value,
							   size_t stored_value_size,
							   const uint8_t *stored_value,
							   size_t out_value_size, uint8_t *out_value,
							   uint32_t flags);
/*
 * Before a plain delete removes the entry: an error vetoes the delete. From
 * the call on no new lookup (nor find_element) reaches the entry, so the
 * provider may release the value here; a veto makes it visible again, as it was.
 * Updates and deletes of the same key wait for the decision, so the callback
 * must not update or delete that key itself (it would wait for ever).
 */
typedef int (*bpfhost_preprocess_map_delete_element_t)(void *binding_context, void *map_context,
							size_t key_size, const uint8_t *key,
							size_t value_size, const uint8_t *value,
							uint32_t flags);
/* After an entry left the map (delete, replace, undo, cleanup). */
typedef void (*bpfhost_postprocess_map_delete_element_t)(void *binding_context, void *map_context,
							  size_t key_size, const uint8_t *key,
							  size_t value_size, const uint8_t *value,
							  uint32_t flags);

struct bpfhost_base_map_provider_dispatch_table {
	struct bpfhost_extension_header header;
	bpfhost_preprocess_map_create_t preprocess_map_create;			/* required */
	bpfhost_postprocess_map_delete_t postprocess_map_delete;		/* required */
	bpfhost_preprocess_associate_program_type_t preprocess_associate_program_type; /* required */
	bpfhost_postprocess_map_find_element_t postprocess_map_find_element;	/* optional */
	bpfhost_preprocess_map_update_element_t preprocess_map_update_element;	/* optional */
	/* Exactly one of the two delete callbacks. */
	bpfhost_preprocess_map_delete_element_t preprocess_map_delete_element;
	bpfhost_postprocess_map_delete_element_t postprocess_map_delete_element;
	/*
	 * Contract v2 (version stays 1; a header.size that includes this field
	 * says v2): the provider gets UNDO for undone updates, and update
	 * pre-processing is this callback, which sees the stored value. A v2
	 * table sets at most one of preprocess_map_update_element and this
	 * (with updates_original_value: exactly one).
	 */
	bpfhost_preprocess_map_update_element_v2_t preprocess_map_update_element_v2;
};
#define BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION 1
/* The smallest size the core accepts (contract v1). */
#define BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_V1_SIZE                                \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_base_map_provider_dispatch_table,  \
				     postprocess_map_delete_element)
#define BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE                   \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_base_map_provider_dispatch_table,  \
				     preprocess_map_update_element_v2)
#define BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_HEADER                                 \
	{ BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION,                     \
	  BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE,                \
	  sizeof(struct bpfhost_base_map_provider_dispatch_table) }

struct bpfhost_base_map_provider_properties {
	struct bpfhost_extension_header header;
	/*
	 * The provider stores its own representation of values (a pointer to an
	 * object, a handle). Then the three element callbacks are required, user
	 * lookups return what find post-processing writes, and programs may not
	 * operate on the map at all.
	 */
	bool updates_original_value;
	/*
	 * Contract v2 (a header.size that includes it; needs a v2 dispatch
	 * table and updates_original_value): programs may read the map.
	 * bpf_map_lookup_elem runs find post-processing (with HELPER) into a
	 * buffer of value_size bytes that stays readable until the program's
	 * run ends, and returns it read-only: the verifier refuses stores
	 * through it and the interpreter faults on them. Update and delete
	 * from programs stay refused.
	 */
	bool programs_read;
};
#define BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION 1
/* The smallest size the core accepts (contract v1). */
#define BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_V1_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_base_map_provider_properties, updates_original_value)
#define BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_base_map_provider_properties, programs_read)
#define BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_HEADER                                  \
	{ BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION,                      \
	  BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION_SIZE,                 \
	  sizeof(struct bpfhost_base_map_provider_properties) }

/* The NPI-specific characteristics of a map information provider. */
struct bpfhost_map_provider_data {
	struct bpfhost_extension_header header;
	uint32_t map_type;		/* >= BPFHOST_MAP_TYPE_EXT_BASE (4096) */
	uint32_t base_map_type;		/* BPF_MAP_TYPE_HASH (1) or BPF_MAP_TYPE_ARRAY (2) */
	const struct bpfhost_base_map_provider_properties *base_properties;
	const struct bpfhost_base_map_provider_dispatch_table *base_provider_table;
};
#define BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION 1
#define BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_map_provider_data, base_provider_table)
#define BPFHOST_MAP_PROVIDER_DATA_HEADER                                        \
	{ BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION,                            \
	  BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION_SIZE,                       \
	  sizeof(struct bpfhost_map_provider_data) }

/* The state epoch_enter/epoch_exit need; keep it alive and on one thread between them. */
typedef uint64_t bpfhost_epoch_state_t[4];

/*
 * Reads an entry of a custom map: *value points into the core's storage
 * (the raw stored bytes; no provider callback runs), valid until the caller
 * leaves its epoch. Returns 0, -ENOENT (no such key), -EINVAL (not a custom
 * map, NULL key), -ENODEV (the map's provider is gone).
 */
typedef int (*bpfhost_map_find_element_t)(const void *map, const uint8_t *key, uint8_t **value);

/* What the core implements for providers. */
struct bpfhost_base_map_client_dispatch_table {
	struct bpfhost_extension_header header;
	bpfhost_map_find_element_t find_element;
	/* Helpers and provider callbacks already run inside an epoch; other
	 * contexts (a provider's own threads) bracket their calls with these. */
	void (*epoch_enter)(void *epoch_state);
	void (*epoch_exit)(void *epoch_state);
	/* Memory readers may still reach: freed after every thread left the epoch. */
	void *(*epoch_allocate)(size_t size, uint32_t tag);
	void *(*epoch_allocate_cache_aligned)(size_t size, uint32_t tag);
	void (*epoch_free)(void *memory);
	void (*epoch_free_cache_aligned)(void *memory);
};
#define BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION 1
#define BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_base_map_client_dispatch_table, epoch_free_cache_aligned)

/* The core's client data, handed to the provider's attach_client. */
struct bpfhost_map_client_data {
	struct bpfhost_extension_header header;
	/* Where the provider's map context sits in the map object helpers get. */
	uint64_t map_context_offset;
	const struct bpfhost_base_map_client_dispatch_table *base_client_table;
};
#define BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION 1
#define BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_map_client_data, base_client_table)

/*
 * The provider's map context of @map (a map pointer a helper received), or a
 * pointer to NULL when the map is not a custom map: always check.
 */
#define MAP_CONTEXT(map, offset) ((void **)((uint8_t *)(map) + (offset)))

/* ---------------------------------------------------------------------------
 * Program information providers: a program type, its context, the ELF
 * section prefixes that select it and its helpers. Programs of the type
 * call the module's code, so a module with loaded programs refuses a plain
 * unload (-EBUSY); a forced unload leaves them refusing to run (-ENODEV).
 */

/* The NPI of program information providers. */
#define BPFHOST_NPI_PROGRAM_INFO                                              \
	((bpfhost_guid_t){ 0x70726f67, 0x696e, 0x6631,                        \
			   { 0x9a, 0x2c, 0x41, 0x5d, 0x0b, 0x77, 0x3e, 0x10 } })
/* The NPI of hook providers. */
#define BPFHOST_NPI_HOOK                                                      \
	((bpfhost_guid_t){ 0x686f6f6b, 0x7072, 0x6f31,                        \
			   { 0x5c, 0x83, 0x19, 0xe2, 0x60, 0x4a, 0x2d, 0x21 } })

/*
 * Argument types of a helper. The core checks every call against them
 * before the helper runs (pointers must lie in memory the program may touch,
 * maps must be maps the program references), so a helper can trust them.
 */
enum bpfhost_helper_arg_type {
	BPFHOST_ARG_DONTCARE = 0,		/* unused argument */
	BPFHOST_ARG_ANYTHING,			/* any value */
	BPFHOST_ARG_CONST_MAP_PTR,		/* a map (struct pointer, see MAP_CONTEXT) */
	BPFHOST_ARG_PTR_TO_MAP_KEY,		/* key_size readable bytes (of the map arg) */
	BPFHOST_ARG_PTR_TO_MAP_VALUE,		/* value_size readable bytes (of the map arg) */
	BPFHOST_ARG_PTR_TO_MEM,			/* readable bytes; the size is the next arg */
	BPFHOST_ARG_PTR_TO_MEM_OR_NULL,		/* as above, or NULL */
	BPFHOST_ARG_PTR_TO_UNINIT_MEM,		/* writable bytes; the size is the next arg */
	BPFHOST_ARG_CONST_SIZE,			/* size of the previous pointer, > 0 */
	BPFHOST_ARG_CONST_SIZE_OR_ZERO,		/* size of the previous pointer, >= 0 */
	BPFHOST_ARG_PTR_TO_CTX,			/* the program's context */
	BPFHOST_ARG_PTR_TO_ALLOC_MEM,		/* a record from bpf_ringbuf_reserve */
	BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE,	/* value_size writable bytes (of the map arg) */
};

enum bpfhost_helper_return_type {
	BPFHOST_RET_INTEGER = 0,
	BPFHOST_RET_VOID,
	/* A value of the map argument or NULL: the program may access value_size bytes. */
	BPFHOST_RET_PTR_TO_MAP_VALUE_OR_NULL,
	/* Memory of the size in the second argument, or NULL (ringbuf reserve). */
	BPFHOST_RET_PTR_TO_ALLOC_MEM_OR_NULL,
};

typedef uint64_t (*bpfhost_helper_fn_t)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5);

/* One helper of a program type: its prototype and its address. */
struct bpfhost_helper_function {
	struct bpfhost_extension_header header;
	uint32_t helper_id;		/* >= BPFHOST_HELPER_EXT_BASE (65536) */
	const char *name;		/* for messages (registration refusals, argument faults) */
	uint32_t return_type;		/* enum bpfhost_helper_return_type */
	uint32_t arg_types[5];		/* enum bpfhost_helper_arg_type */
	bpfhost_helper_fn_t function;
	/*
	 * Added after the first release (version stays 1; header.size tells).
	 * The map types a BPFHOST_ARG_CONST_MAP_PTR argument may be: the
	 * verifier refuses, at load, a call with a map of another type
	 * (as Linux's check_map_func_compatibility). NULL (and helpers built
	 * before this field): maps of any type, checked by the helper itself.
	 */
	const uint32_t *map_types;
	uint32_t map_type_count;
};
#define BPFHOST_HELPER_FUNCTION_CURRENT_VERSION 1
/* The smallest size the core accepts: through function, without map_types. */
#define BPFHOST_HELPER_FUNCTION_V1_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_helper_function, function)
#define BPFHOST_HELPER_FUNCTION_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_helper_function, map_type_count)
#define BPFHOST_HELPER_FUNCTION_HEADER                                        \
	{ BPFHOST_HELPER_FUNCTION_CURRENT_VERSION,                            \
	  BPFHOST_HELPER_FUNCTION_CURRENT_VERSION_SIZE,                       \
	  sizeof(struct bpfhost_helper_function) }

/*
 * One field of a program type's context and what programs may do with it
 * (Linux's is_valid_access of the type, as a table). A load or store that
 * no field allows stops the program with -EFAULT and a message naming the
 * field. Offsets count from the context's start; "aligned" counts from the
 * field's start.
 */
/* Loads of the whole field. */
#define BPFHOST_CONTEXT_FIELD_READ 0x01u
/* Stores of the whole field. */
#define BPFHOST_CONTEXT_FIELD_WRITE 0x02u
/* With READ: also loads of 1, 2 or 4 bytes inside the field, aligned to their size. */
#define BPFHOST_CONTEXT_FIELD_NARROW_READ 0x04u
/*
 * A buffer (Linux's cb[]): loads (READ) and stores (WRITE) of 1, 2, 4 or 8
 * bytes anywhere inside it, aligned to their size; no whole-field access.
 */
#define BPFHOST_CONTEXT_FIELD_BYTES 0x08u
/*
 * The descriptor's data / end / meta pointer: exactly that `uint8_t *`
 * (its offset, 8 bytes), READ at most (whole loads only): the core reads
 * the packet range back from it, so programs never write it.
 */
#define BPFHOST_CONTEXT_FIELD_PACKET_DATA 0x10u
#define BPFHOST_CONTEXT_FIELD_PACKET_END 0x20u
#define BPFHOST_CONTEXT_FIELD_PACKET_META 0x40u

struct bpfhost_context_field {
	struct bpfhost_extension_header header;
	const char *name;		/* for messages ("len", "cb") */
	uint32_t offset;
	/* 1, 2, 4 or 8 bytes; any size for BYTES or a field without READ/WRITE. */
	uint32_t size;
	/* BPFHOST_CONTEXT_FIELD_*; 0: named in messages, but programs may not touch it. */
	uint32_t flags;
};
#define BPFHOST_CONTEXT_FIELD_CURRENT_VERSION 1
#define BPFHOST_CONTEXT_FIELD_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_context_field, flags)
#define BPFHOST_CONTEXT_FIELD_HEADER                                          \
	{ BPFHOST_CONTEXT_FIELD_CURRENT_VERSION,                              \
	  BPFHOST_CONTEXT_FIELD_CURRENT_VERSION_SIZE,                         \
	  sizeof(struct bpfhost_context_field) }

/*
 * The context of a program type: its size, where the packet pointers sit
 * (offsets of `uint8_t *` fields, or -1; the program may touch the bytes
 * between *data and *end) and, optionally, the field table.
 *
 * With fields (field_count > 0): a program may load and store only what
 * the table allows, fields do not overlap and lie inside size (registration
 * refuses a bad table with -EINVAL), and atomic operations on the context
 * are refused, as Linux refuses them for every type.
 * Without (field_count 0, or a module built before the table existed,
 * whose header.size stops at meta): read-only bytes of its size, any load
 * inside it and no store or atomic (the verifier refuses them at load; a type
 * whose programs write their context declares a field table).
 */
struct bpfhost_context_descriptor {
	struct bpfhost_extension_header header;
	uint32_t size;
	int32_t data;
	int32_t end;
	int32_t meta;
	/* Added after the first release (version stays 1; header.size tells). */
	const struct bpfhost_context_field *fields;	/* stride: their header.total_size */
	uint32_t field_count;
};
#define BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION 1
/* The smallest size the core accepts: through meta, without the field table. */
#define BPFHOST_CONTEXT_DESCRIPTOR_V1_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_context_descriptor, meta)
#define BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_context_descriptor, field_count)
#define BPFHOST_CONTEXT_DESCRIPTOR_HEADER                                     \
	{ BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION,                         \
	  BPFHOST_CONTEXT_DESCRIPTOR_CURRENT_VERSION_SIZE,                    \
	  sizeof(struct bpfhost_context_descriptor) }

/* An ELF section prefix ("sample/", "sample") and the attach type it implies. */
struct bpfhost_section_definition {
	struct bpfhost_extension_header header;
	const char *prefix;
	uint32_t attach_type;		/* 0 for none */
};
#define BPFHOST_SECTION_DEFINITION_CURRENT_VERSION 1
#define BPFHOST_SECTION_DEFINITION_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_section_definition, attach_type)
#define BPFHOST_SECTION_DEFINITION_HEADER                                     \
	{ BPFHOST_SECTION_DEFINITION_CURRENT_VERSION,                         \
	  BPFHOST_SECTION_DEFINITION_CURRENT_VERSION_SIZE,                    \
	  sizeof(struct bpfhost_section_definition) }

/*
 * BPF_PROG_TEST_RUN: builds a context from the caller's bytes (either may be
 * empty). Optional: without it the core copies ctx_in into a zeroed context
 * of descriptor size and points data/end at a copy of data_in.
 */
typedef int (*bpfhost_context_create_t)(void *binding_context, const uint8_t *data_in,
					 size_t data_size_in, const uint8_t *ctx_in,
					 size_t ctx_size_in, void **context);
/*
 * Copies the results out (at most *data_size_out / *ctx_size_out bytes, the
 * room the caller has; a NULL buffer has no room) and frees the context.
 * Set the sizes to the full sizes of the data and context: more than the
 * room gives the caller -ENOSPC, as Linux does.
 */
typedef void (*bpfhost_context_destroy_t)(void *binding_context, void *context,
					  uint8_t *data_out, size_t *data_size_out,
					  uint8_t *ctx_out, size_t *ctx_size_out);

/* The NPI-specific characteristics of a program information provider. */
struct bpfhost_program_type_data {
	struct bpfhost_extension_header header;
	const char *name;			/* "sample": messages, bpftool-style listings */
	uint32_t program_type;			/* >= BPFHOST_PROG_TYPE_EXT_BASE */
	const struct bpfhost_context_descriptor *context_descriptor;	/* required */
	/* Arrays of versioned structs; the element stride is their header.total_size. */
	const struct bpfhost_section_definition *sections;
	uint32_t section_count;
	const struct bpfhost_helper_function *helpers;
	uint32_t helper_count;
	bpfhost_context_create_t context_create;	/* optional, with destroy */
	bpfhost_context_destroy_t context_destroy;
	/*
	 * Added after the first release (version stays 1; header.size tells).
	 * Optional: raw BTF (a `.BTF` section's bytes) of the context and other
	 * types programs of this type see. Loaders relocate CO-RE accesses
	 * against it beside bpfhost's own BTF, so programs compiled against
	 * another layout of the context still reach the right fields. Copied at
	 * registration (at most 4 MiB); the library validates it before use.
	 */
	const void *ctx_btf;
	uint32_t ctx_btf_size;
};
#define BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION 1
/* The smallest size the core accepts: through context_destroy, without ctx_btf. */
#define BPFHOST_PROGRAM_TYPE_DATA_V1_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_program_type_data, context_destroy)
#define BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_program_type_data, ctx_btf_size)
#define BPFHOST_PROGRAM_TYPE_DATA_HEADER                                      \
	{ BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION,                          \
	  BPFHOST_PROGRAM_TYPE_DATA_CURRENT_VERSION_SIZE,                     \
	  sizeof(struct bpfhost_program_type_data) }

/* ---------------------------------------------------------------------------
 * Hook providers: an attach type whose events run the programs linked to
 * it. Each link is a client: BPF_LINK_CREATE calls the provider's
 * attach_client with a struct bpfhost_link_client_data; the binding context
 * it returns is passed to detach_client when the link is detached. The
 * provider keeps its bindings and, when its event happens, runs each link's
 * program through the link dispatch table.
 */

/* The state batch_begin/batch_end keep; on one thread between them. */
typedef uint64_t bpfhost_batch_state_t[6];

struct bpfhost_link_dispatch_table {
	struct bpfhost_extension_header header;
	/*
	 * Runs the link's program on @context (inside an epoch); *result is its
	 * r0. 0, or -ENOLINK (link detached), -ENODEV (program type gone), or
	 * the program's fault (-EFAULT out-of-bounds access, ...).
	 */
	int (*invoke)(const void *link, void *context, uint32_t *result);
	/* Several invocations inside one epoch: begin, invoke..., end. */
	int (*batch_begin)(const void *link, void *batch_state);
	int (*batch_invoke)(const void *link, void *context, uint32_t *result,
			    void *batch_state);
	void (*batch_end)(const void *link, void *batch_state);
};
#define BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION 1
#define BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_link_dispatch_table, batch_end)

/* The core's client data for one link. */
struct bpfhost_link_client_data {
	struct bpfhost_extension_header header;
	const void *link;			/* pass to the dispatch calls */
	uint32_t program_type;
	uint32_t attach_type;
	const struct bpfhost_link_dispatch_table *dispatch;
};
#define BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION 1
#define BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_link_client_data, dispatch)

/*
 * Fires the hook with @data as a real event would (BPFHOST_HOOK_TRIGGER):
 * the provider builds its context and runs its links. *prog_cnt: programs
 * run; *result: what the hook made of their results. Optional.
 */
typedef int (*bpfhost_hook_trigger_t)(void *provider_context, const uint8_t *data,
				       size_t data_size, uint32_t *prog_cnt, uint32_t *result);

/* The NPI-specific characteristics of a hook provider. */
struct bpfhost_hook_provider_data {
	struct bpfhost_extension_header header;
	const char *name;
	uint32_t attach_type;		/* >= BPFHOST_ATTACH_TYPE_EXT_BASE */
	uint32_t program_type;		/* the type of programs it runs */
	bpfhost_hook_trigger_t trigger;	/* optional */
};
#define BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION 1
#define BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_hook_provider_data, trigger)
#define BPFHOST_HOOK_PROVIDER_DATA_HEADER                                     \
	{ BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION,                         \
	  BPFHOST_HOOK_PROVIDER_DATA_CURRENT_VERSION_SIZE,                    \
	  sizeof(struct bpfhost_hook_provider_data) }

/* ---------------------------------------------------------------------------
 * BTF-resolved functions (kfuncs). A module registers functions by name with
 * a prototype; BPF programs declare them `extern ... __ksym` and call them.
 * The loader resolves each call by name at load (an unknown name refuses
 * the load; a __weak one that is absent reads as 0, as libbpf does),
 * compares the prototype the program's BTF declares with the registered one
 * (argument count, each argument's size and pointer or scalar kind, the
 * return size) and the verifier checks every call's arguments against the
 * registered prototype, so the function can trust them. Programs that call
 * a module's kfuncs hold it: a plain unload refuses (-EBUSY); a forced one
 * leaves those programs refusing to run (-ENODEV), as for helpers.
 *
 * References (as Linux's KF_ACQUIRE | KF_RET_NULL and
 * KF_RELEASE): a kfunc returning BPFHOST_KFUNC_RET_ACQUIRED hands the
 * program a pointer to return_size bytes (or NULL) that it owns; the
 * program must check it against NULL before use and pass it, exactly once
 * on every path, to a kfunc of the same module whose BPFHOST_KFUNC_ARG_RELEASE
 * argument has the same ref_type. The verifier proves this at load; at run
 * time the core also tracks each acquired pointer, faults a release of
 * anything else, and calls the module's releasing kfunc for every reference
 * a (test-only, unverified) program still holds as it ends.
 */

/* The NPI of kfunc providers. */
#define BPFHOST_NPI_KFUNC                                                     \
	((bpfhost_guid_t){ 0x6b66756e, 0x6373, 0x7631,                        \
			   { 0x41, 0x77, 0x2e, 0x90, 0x13, 0x5b, 0x6c, 0x08 } })

/* What one argument is, as the function's C prototype says. */
enum bpfhost_kfunc_arg_kind {
	BPFHOST_KFUNC_ARG_NONE = 0,		/* past the last argument */
	/* A number of arg_sizes[i] bytes (1, 2, 4 or 8; only the low bytes are meaningful). */
	BPFHOST_KFUNC_ARG_SCALAR,
	/*
	 * `const T *`: arg_sizes[i] == sizeof(T) readable, initialised bytes
	 * (stack, map value, packet, global data). For an array, wrap it in a
	 * struct so that the declaration says its size.
	 */
	BPFHOST_KFUNC_ARG_PTR_TO_MEM,
	/* `T *`: sizeof(T) initialised bytes the function may read and write. */
	BPFHOST_KFUNC_ARG_PTR_TO_MEM_RW,
	/* The program's context itself (arg_sizes[i] is ignored). */
	BPFHOST_KFUNC_ARG_PTR_TO_CTX,
	/*
	 * A reference of type ref_type that a kfunc of this module
	 * returned (BPFHOST_KFUNC_RET_ACQUIRED), which this call releases: the
	 * program may not use it afterwards. A releasing kfunc takes exactly
	 * one argument, this one (so the core can call it for a run that ends
	 * holding the reference); arg_sizes[i] is ignored.
	 */
	BPFHOST_KFUNC_ARG_RELEASE,
};

enum bpfhost_kfunc_return_kind {
	BPFHOST_KFUNC_RET_VOID = 0,
	BPFHOST_KFUNC_RET_SCALAR,		/* a number of return_size bytes (1, 2, 4, 8) */
	/*
	 * `T *` to return_size bytes (1 to 65536), or NULL: an
	 * acquired reference of type ref_type the program must release.
	 * Read-only for the program unless ref_flags has BPFHOST_KFUNC_REF_WRITABLE.
	 */
	BPFHOST_KFUNC_RET_ACQUIRED,
};

/* ref_flags: the program may write the bytes an acquired reference points to. */
#define BPFHOST_KFUNC_REF_WRITABLE 0x1u

/*
 * One kfunc. @function gets the program's r1-r5 (the arguments widened to
 * 64 bits: use the low arg_sizes[i] bytes of a scalar) and returns r0.
 */
struct bpfhost_kfunc {
	struct bpfhost_extension_header header;
	const char *name;		/* the C name programs declare (unique among loaded modules) */
	bpfhost_helper_fn_t function;
	uint32_t return_kind;		/* enum bpfhost_kfunc_return_kind */
	uint32_t return_size;		/* SCALAR: 1, 2, 4 or 8 */
	uint32_t arg_count;		/* 0 to 5 */
	uint32_t arg_kinds[5];		/* enum bpfhost_kfunc_arg_kind, the first arg_count set */
	uint32_t arg_sizes[5];		/* scalar bytes, or bytes pointed to (1 to 65536) */
	/* The program types whose programs may call it; NULL (count 0): every type. */
	const uint32_t *program_types;
	uint32_t program_type_count;
	/* References (zero in a table built before them, whose header.size ends above). */
	/*
	 * RET_ACQUIRED and ARG_RELEASE: the module's tag for what the reference
	 * is (non-zero; a release takes only references of its tag). Every tag
	 * a table acquires must have a releasing kfunc in the same table.
	 */
	uint32_t ref_type;
	uint32_t ref_flags;		/* RET_ACQUIRED: BPFHOST_KFUNC_REF_* */
};
#define BPFHOST_KFUNC_CURRENT_VERSION 1
/* The smallest size the core accepts: through program_type_count, without references. */
#define BPFHOST_KFUNC_V1_SIZE BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_kfunc, program_type_count)
#define BPFHOST_KFUNC_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_kfunc, ref_flags)
#define BPFHOST_KFUNC_HEADER                                                  \
	{ BPFHOST_KFUNC_CURRENT_VERSION, BPFHOST_KFUNC_CURRENT_VERSION_SIZE,  \
	  sizeof(struct bpfhost_kfunc) }

/*
 * The NPI-specific characteristics of a kfunc provider. The table is copied
 * at registration; a bad entry, or a name another module already registers
 * (-EEXIST), refuses the registration with a message naming it.
 */
struct bpfhost_kfunc_provider_data {
	struct bpfhost_extension_header header;
	const struct bpfhost_kfunc *kfuncs;	/* stride: their header.total_size */
	uint32_t kfunc_count;
};
#define BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION 1
#define BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION_SIZE \
	BPFHOST_SIZE_INCLUDING_FIELD(struct bpfhost_kfunc_provider_data, kfunc_count)
#define BPFHOST_KFUNC_PROVIDER_DATA_HEADER                                    \
	{ BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION,                        \
	  BPFHOST_KFUNC_PROVIDER_DATA_CURRENT_VERSION_SIZE,                   \
	  sizeof(struct bpfhost_kfunc_provider_data) }

#ifdef __cplusplus
}
#endif

#endif /* BPFHOST_EXTENSION_H */
