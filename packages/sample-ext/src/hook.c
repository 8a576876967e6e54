// SPDX-License-Identifier: MIT
/*
 * The hook "sample_event": a hook provider for SAMPLE_EXT_ATTACH_TYPE. Each
 * BPF_LINK_CREATE to it is a client binding (attach_client gets the link and
 * the core's link dispatch table); an event (the trigger the core calls
 * for BPFHOST_HOOK_TRIGGER) builds a struct sample_ctx over a copy of the
 * event's bytes and runs every linked program through the dispatch table.
 *
 * An event, as the trigger reports it:
 *   - programs run in attach order on one context; before each, the hook
 *     restores the context's pointers and fields (a program may write
 *     them), so only writes to the data carry over to the next program;
 *   - prog_cnt: programs that ran; result: the first non-zero return value
 *     (0 when every program returned 0), as a chain where the first
 *     program with something to say decides;
 *   - a program that faults (an out-of-bounds access, a helper refusing
 *     its arguments) stops the event and its error, with the core's
 *     message naming the program, reaches the caller;
 *   - a link the core detached while the event was starting (it marks the
 *     link before telling us) answers -ENOLINK and is skipped.
 */
#define _GNU_SOURCE	/* pthread_rwlockattr_setkind_np */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sample_ext_internal.h"

int sample_hook_init(struct sample_hook *hook)
{
	pthread_rwlockattr_t attr;
	int err;

	memset(hook, 0, sizeof(*hook));
	err = pthread_rwlockattr_init(&attr);
	if (err)
		return -err;
	/* Events may follow each other without a gap: detach must not starve behind them. */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	err = pthread_rwlock_init(&hook->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (err)
		return -err;
	hook->lock_ready = true;
	return 0;
}

/* At unload: the core detached every link when the hook provider left. */
void sample_hook_fini(struct sample_hook *hook)
{
	if (hook->lock_ready)
		pthread_rwlock_destroy(&hook->lock);
	hook->lock_ready = false;
}

/* BPF_LINK_CREATE, under the core's registrar lock. */
static int hook_attach_client(void *provider_context, const bpfhost_guid_t *client_module_id,
			      const void *client_data, void **binding_context)
{
	const struct bpfhost_link_client_data *cd = client_data;
	struct sample_ext *ext = provider_context;
	struct sample_link *l, **tail;

	(void)client_module_id;
	if (!cd || !binding_context)
		return -EINVAL;
	if (!sample_header_ok(&cd->header, BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION,
			      BPFHOST_LINK_CLIENT_DATA_CURRENT_VERSION_SIZE) ||
	    !cd->dispatch ||
	    !sample_header_ok(&cd->dispatch->header, BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION,
			      BPFHOST_LINK_DISPATCH_TABLE_CURRENT_VERSION_SIZE)) {
		sample_log(ext, 0, "hook: refusing the core's link client data (missing or bad header)");
		return -EINVAL;
	}
	if (cd->program_type != SAMPLE_EXT_PROGRAM_TYPE || cd->attach_type != SAMPLE_EXT_ATTACH_TYPE) {
		sample_log(ext, 0, "hook: refusing a link of program type %u, attach type %u (runs "
			   "type %u on attach type %u)", cd->program_type, cd->attach_type,
			   SAMPLE_EXT_PROGRAM_TYPE, SAMPLE_EXT_ATTACH_TYPE);
		return -EINVAL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	sample_copy_versioned(&l->dispatch, sizeof(l->dispatch), cd->dispatch);
	if (!l->dispatch.invoke) {
		sample_log(ext, 0, "hook: refusing the core's link dispatch table (invoke is NULL)");
		free(l);
		return -EINVAL;
	}
	l->link = cd->link;
	l->hook = &ext->hook;

	pthread_rwlock_wrlock(&ext->hook.lock);
	for (tail = &ext->hook.links; *tail; tail = &(*tail)->next)
		;
	*tail = l;
	pthread_rwlock_unlock(&ext->hook.lock);
	*binding_context = l;
	return 0;
}

/* Link detach: waits for a running event, so nothing invokes the link once this returns. */
static void hook_detach_client(void *binding_context)
{
	struct sample_link *l = binding_context, **p;
	struct sample_hook *hook = l->hook;

	pthread_rwlock_wrlock(&hook->lock);
	for (p = &hook->links; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			break;
		}
	pthread_rwlock_unlock(&hook->lock);
	free(l);
}

/* BPFHOST_HOOK_TRIGGER: one event with @data. The core keeps the module loaded meanwhile. */
static int hook_trigger(void *provider_context, const uint8_t *data, size_t data_size,
			uint32_t *prog_cnt, uint32_t *result)
{
	struct sample_ext *ext = provider_context;
	struct sample_hook *hook = &ext->hook;
	uint32_t ran = 0, verdict = 0, index = 0;
	struct sample_ctx ctx;
	uint64_t event_id;
	uint8_t *bytes;
	int err = 0;

	if (data_size > UINT32_MAX)
		return -E2BIG;
	/* Programs may write the data: they get a copy (+1: a distinct pointer when empty). */
	bytes = malloc(data_size + 1);
	if (!bytes)
		return -ENOMEM;
	if (data_size)
		memcpy(bytes, data, data_size);
	event_id = atomic_fetch_add(&hook->events, 1) + 1;

	pthread_rwlock_rdlock(&hook->lock);
	for (struct sample_link *l = hook->links; l; l = l->next, index++) {
		uint32_t r = 0;

		ctx = (struct sample_ctx){
			.data = bytes,
			.data_end = bytes + data_size,
			.event_id = event_id,
			.data_len = (uint32_t)data_size,
			.prog_index = index,
		};
		err = l->dispatch.invoke(l->link, &ctx, &r);
		if (err == -ENOLINK) {
			err = 0;
			continue;
		}
		if (err)
			break;
		ran++;
		if (!verdict)
			verdict = r;
	}
	pthread_rwlock_unlock(&hook->lock);
	free(bytes);
	if (err)
		return err;
	*prog_cnt = ran;
	*result = verdict;
	return 0;
}

static const struct bpfhost_hook_provider_data hook_data = {
	.header = BPFHOST_HOOK_PROVIDER_DATA_HEADER,
	.name = SAMPLE_EXT_HOOK_NAME,
	.attach_type = SAMPLE_EXT_ATTACH_TYPE,
	.program_type = SAMPLE_EXT_PROGRAM_TYPE,
	.trigger = hook_trigger,
};

static const struct bpfhost_provider_characteristics hook_characteristics = {
	.header = BPFHOST_PROVIDER_CHARACTERISTICS_HEADER,
	.npi_id = BPFHOST_NPI_HOOK,
	.module_id = { 0x73616d70, 0x6c65, 0x7874, { 0x62, 0x70, 0x66, 0x68, 0x6f, 0x73, 0x74, 0x20 } },
	.npi_specific_characteristics = &hook_data,
	.attach_client = hook_attach_client,
	.detach_client = hook_detach_client,
};

const struct sample_provider sample_hook_provider = {
	.name = "hook",
	.characteristics = &hook_characteristics,
};
