/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of the core: objects and handles, error reporting,
 * and small helpers shared by every file. Never installed.
 */
#ifndef BPFHOST_INTERNAL_H
#define BPFHOST_INTERNAL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/bpfhost.h"
#include "../epoch/epoch.h"
#include "../platform/platform.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* Linux-internal "not supported", seen by bpf(2) callers */
#endif

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define round_up(x, y) ((((x) + (y) - 1) / (y)) * (y))
#define u64_to_ptr(v) ((void *)(uintptr_t)(v))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Pointer-or-errno returns, as the Linux kernel does. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long err)
{
	return (void *)err;
}
static inline long PTR_ERR(const void *p)
{
	return (long)p;
}
static inline bool IS_ERR(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO;
}

/*
 * Errors: every failure sets the calling thread's message. Returns @err so
 * a failing path reads `return bh_err(-EINVAL, "map '%s': ...", ...)`.
 */
int bh_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* bh_err for a program's instruction: "program '<name>': insn <i>: <why>". */
int bh_insn_err(int err, const char *name, uint32_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void bh_err_clear(void);
void bh_log(enum bpfhost_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *bh_errno_name(int err);

/* Objects: maps, programs, links; reference counted, freed after an epoch. */
enum bh_obj_kind {
	BH_OBJ_MAP = 1,
	BH_OBJ_PROG,
	BH_OBJ_LINK,
	BH_OBJ_BTF,
};

struct bh_object {
	enum bh_obj_kind kind;
	atomic_long refcnt;		/* handles, pins, containing maps, programs */
	uint32_t id;			/* global id, 0 until published */
	void (*destroy)(struct bh_object *obj);	/* outside epoch, after grace */
	struct epoch_head rcu;
	/*
	 * User references (handles and pins, Linux's usercnt): when the last
	 * goes, release_users (optional) drops what only users should keep
	 * alive, e.g. the programs in a prog array that its programs reference.
	 */
	atomic_long users;
	void (*release_users)(struct bh_object *obj);
};

void bh_object_init(struct bh_object *obj, enum bh_obj_kind kind,
		    void (*destroy)(struct bh_object *obj));
void bh_object_get(struct bh_object *obj);
bool bh_object_get_not_zero(struct bh_object *obj);
void bh_object_put(struct bh_object *obj);
const char *bh_obj_kind_name(enum bh_obj_kind kind);

/* Handles: small integers naming a reference to an object. */
int bh_handle_install(struct bh_object *obj);	/* takes over one reference */
/* Looks a handle up; valid until the caller's epoch exit (no reference taken). */
struct bh_object *bh_handle_lookup(int handle);
int bh_handle_close(int handle);
int bh_handle_count(void);

/* Ids (MAP_GET_NEXT_ID, MAP_GET_FD_BY_ID). */
int bh_id_publish(struct bh_object *obj);
void bh_id_remove(struct bh_object *obj);
uint32_t bh_id_next(enum bh_obj_kind kind, uint32_t start);
/* Returns the object with a new reference, or NULL. */
struct bh_object *bh_id_get(enum bh_obj_kind kind, uint32_t id);
/*
 * Objects whose id is published and whose last reference has not dropped
 * (maps, programs, links): a leak check for tests and the fuzzers, which
 * compare it before and after closing everything they opened.
 */
uint32_t bh_id_count(void);

/* Pins: an in-process path namespace. */
int bh_pin_add(const char *path, struct bh_object *obj);
struct bh_object *bh_pin_get(const char *path);	/* with a reference */
int bh_pin_remove(const char *path);

/* Linux's object names: [A-Za-z0-9_.], NUL-terminated within 16 bytes; @what: "map" ... */
int bh_check_obj_name(const char *name, const char *cmd, const char *what);

/*
 * BPF_OBJ_GET_INFO_BY_FD: checks the caller's info buffer against an info
 * struct of @info_size bytes (bytes past it must be zero, as Linux) and
 * gives the bytes to copy in and out in *len.
 */
int bh_info_begin(const union bpf_attr *attr, size_t info_size, uint32_t *len);
/* Copies @len bytes of the filled @info out and reports the length; returns 0. */
int bh_info_end(const union bpf_attr *attr, union bpf_attr *uattr, const void *info, uint32_t len);

/* Reads a NUL-terminated path from an attr (bounded). */
#define BH_PATH_MAX 4096
int bh_copy_path(char *dst, uint64_t user_ptr, const char *what);

#endif /* BPFHOST_INTERNAL_H */
