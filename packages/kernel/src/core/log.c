// SPDX-License-Identifier: MIT
/*
 * Error messages and diagnostics. Every failing call leaves a message for
 * its thread (bpfhost_last_error). Hot paths (a missing key) record a static
 * reason plus the map's name and id and format only when asked.
 */
#include <stdarg.h>

#include "internal.h"
#include "../maps/map.h"

#define MSG_LEN 512

struct last_error {
	char msg[MSG_LEN];
	/* Deferred form: "map 'name' (id N): what". */
	const char *what;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id;
};

static _Thread_local struct last_error last;
static _Atomic(bpfhost_print_fn_t) print_fn;

static int noop_print(enum bpfhost_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

bpfhost_print_fn_t bpfhost_set_print(bpfhost_print_fn_t fn)
{
	return atomic_exchange(&print_fn, fn ? fn : noop_print);
}

void bh_log(enum bpfhost_print_level level, const char *fmt, ...)
{
	bpfhost_print_fn_t fn = atomic_load_explicit(&print_fn, memory_order_relaxed);
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
}

void bh_err_clear(void)
{
	last.msg[0] = 0;
	last.what = NULL;
}

/* Formats through a copy: callers may pass the previous message as an argument. */
static void set_message(const char *fmt, va_list ap)
{
	char msg[sizeof(last.msg)];

	plat_vsnprintf(msg, sizeof(msg), fmt, ap);
	plat_memcpy(last.msg, msg, sizeof(msg));
	last.what = NULL;
}

int bh_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	bh_log(BPFHOST_DEBUG, "%s (%s)\n", last.msg, bh_errno_name(err));
	return err;
}

int bh_insn_err(int err, const char *name, uint32_t i, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	plat_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return bh_err(err, "program '%s': insn %u: %s", name, i, why);
}

int bpfhost_set_last_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	return err;
}

int bh_map_err(int err, const struct bh_map *map, const char *what)
{
	last.what = what;
	plat_memcpy(last.name, map->name, sizeof(last.name));
	last.id = map->obj.id;
	return err;
}

const char *bpfhost_last_error(void)
{
	if (last.what) {
		plat_snprintf(last.msg, sizeof(last.msg), "map '%.*s' (id %u): %s",
			      (int)sizeof(last.name), last.name, last.id, last.what);
		last.what = NULL;
	}
	return last.msg;
}

const char *bh_errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ELOOP: return "ELOOP";
	case ENOTSUP: return "EOPNOTSUPP";
	case ENOTSUPP: return "ENOTSUPP";
	default: return "E?";
	}
}
