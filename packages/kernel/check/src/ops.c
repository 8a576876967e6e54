// SPDX-License-Identifier: MIT
/* What the phases share: keys and values, map creation, call counts, the balance check. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpfhost/bpf.h>
#include <bpfhost/bpfhost.h>

#include "check_internal.h"

void kit_key(const struct kit_opts *o, uint32_t i, uint8_t *key)
{
	memset(key, 0, o->key_size);
	memcpy(key, &i, o->key_size < sizeof(i) ? o->key_size : sizeof(i));
}

void kit_value(const struct kit_opts *o, uint32_t i, uint8_t *value)
{
	if (o->value) {
		memcpy(value, o->value, o->value_size);
		return;
	}
	/* Small integers: what a counter, a limit or a string map accepts alike. */
	memset(value, 0, o->value_size);
	value[0] = (uint8_t)('a' + i % 26);
}

int kit_map(const struct kit_opts *o, const char *name, uint32_t max_entries)
{
	int fd = bpfhost_map_create(o->map_type, name, o->key_size, o->value_size, max_entries, NULL);

	if (fd < 0)
		kit_fail("creating map '%s' (key_size %u, value_size %u, max_entries %u) failed with "
			 "%s: %s (pass the sizes the provider accepts: --key-size, --value-size, "
			 "--max-entries)", name, o->key_size, o->value_size, max_entries,
			 kit_errno_name(fd), bpfhost_last_error());
	return fd;
}

unsigned long kit_calls(enum kit_cb cb, int flags)
{
	unsigned long n = 0;

	for (int f = 0; f < KIT_FLAG_WORDS; f++)
		if (flags < 0 || f == flags)
			n += atomic_load(&kit_shared->calls[cb][f]);
	return n;
}

bool kit_balanced(const char *what, unsigned long allocs)
{
	unsigned long prepared, live, now;
	size_t bytes;
	bool ok = true;

	bpfhost_synchronize();
	prepared = ledger_prepared();
	live = ledger_live_maps();
	now = ledger_allocs(&bytes);
	if (prepared) {
		kit_fail("%s: %lu stored value%s never reached a delete callback (each value a "
			 "successful update prepared must leave exactly once)", what, prepared,
			 prepared == 1 ? "" : "s");
		ok = false;
	}
	if (live) {
		kit_fail("%s: %lu map context%s never reached postprocess_map_delete", what, live,
			 live == 1 ? "" : "s");
		ok = false;
	}
	if (now > allocs) {
		kit_fail("%s: %lu epoch allocation%s of the provider never freed (%zu bytes in all "
			 "outstanding): free what a value owns in the delete callback, for every flag "
			 "(0, UPDATE, MAP_CLEANUP)", what, now - allocs, now - allocs == 1 ? "" : "s",
			 bytes);
		ok = false;
	}
	return ok;
}

void kit_close_and_balance(int fd, const char *what)
{
	unsigned long deletes = kit_calls(KIT_MAP_DELETE, -1);

	bpfhost_close(fd);
	bpfhost_synchronize();
	if (kit_calls(KIT_MAP_DELETE, -1) == deletes)
		kit_fail("%s: closing the last handle did not reach postprocess_map_delete", what);
}

const char *kit_errno_name(int err)
{
	switch (-err) {
	case 0: return "0";
	case ENOENT: return "-ENOENT";
	case EEXIST: return "-EEXIST";
	case E2BIG: return "-E2BIG";
	case EINVAL: return "-EINVAL";
	case ENOMEM: return "-ENOMEM";
	case ENODEV: return "-ENODEV";
	case EBUSY: return "-EBUSY";
	case EPERM: return "-EPERM";
	case EACCES: return "-EACCES";
	case EOPNOTSUPP: return "-EOPNOTSUPP";
	case EFAULT: return "-EFAULT";
	case ENOSPC: return "-ENOSPC";
	case KIT_ENOTSUPP: return "-ENOTSUPP";
	default: break;
	}
	{
		static _Thread_local char buf[24];

		snprintf(buf, sizeof(buf), "%d", err);
		return buf;
	}
}
