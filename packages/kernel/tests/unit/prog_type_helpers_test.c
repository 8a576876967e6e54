// SPDX-License-Identifier: MIT
/*
 * bpfhost_prog_type_helpers() (BPFHOST_PROG_TYPE_HELPERS): the helpers a
 * program type's programs may call, as `bpfhost feature` lists them. Checked
 * against BPF_PROG_LOAD itself: for every Linux helper id and each built-in
 * type, the id is listed exactly when a program calling it is not refused for
 * the helper; an extension type lists the core's helpers and its own; the
 * count-only call, a short buffer, and the refusals.
 */
#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/uapi.h"

#define TP_PROG_TYPE 4200u	/* tests/ext/test_prog_provider.c */
#define TP_HELPER_ADD 65600u
#define ID_ROOM 512u
/* Linux's helper ids end at 211 (Linux 6.2; later kernels add kfuncs). */
#define LINUX_HELPER_END 212u

static uint32_t ids[ID_ROOM];

static bool listed(const uint32_t *list, int n, uint32_t id)
{
	for (int i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

/*
 * Whether BPF_PROG_LOAD takes `r2-r5 = 0; call id; r0 = 0; exit` for @type (the
 * verifier off: the load's own checks judge only the helper).
 */
static bool loads(uint32_t type, uint32_t id)
{
	int fd = LOAD_UNVERIFIED_TYPE(type, "helper", MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
				      MOV64_IMM(5, 0), CALL(id), MOV64_IMM(0, 0), EXIT());

	if (fd < 0) {
		/* Only a helper refusal says "no": anything else is a test bug. */
		ASSERT_EQ(fd, -EINVAL, "a refused call is EINVAL");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "helper", "refused for the helper");
		return false;
	}
	bpfhost_close(fd);
	return true;
}

static void t_builtin_types_match_load(void)
{
	static const uint32_t types[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS,
					  BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_XDP };

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		int n = bpfhost_prog_type_helpers(types[t], ids, ID_ROOM, NULL, 0, NULL);
		uint32_t mismatches = 0;

		ASSERT_GE(n, 20, "a built-in type has the core's map, time and ring buffer helpers");
		for (int i = 1; i < n; i++)
			ASSERT_TRUE(ids[i] > ids[i - 1], "ascending, no duplicates");
		for (uint32_t id = 1; id < LINUX_HELPER_END; id++) {
			if (listed(ids, n, id) != loads(types[t], id)) {
				mismatches++;
				fprintf(stderr, "type %u, helper %u: listed %d: %s\n", types[t], id, listed(ids, n, id), bpfhost_last_error());
			}
		}
		ASSERT_EQ(mismatches, 0, "listed exactly when BPF_PROG_LOAD takes the call");
		ASSERT_EQ(listed(ids, n, BPF_FUNC_map_lookup_elem), true, "every type: map_lookup_elem");
		ASSERT_EQ(listed(ids, n, BPFHOST_POISON_HELPER_ID), false, "the CO-RE poison is no helper");
	}
	/* Type-specific ones: skb_load_bytes for socket filters, xdp_adjust_head for XDP only. */
	int n = bpfhost_prog_type_helpers(BPF_PROG_TYPE_SOCKET_FILTER, ids, ID_ROOM, NULL, 0, NULL);
	ASSERT_EQ(listed(ids, n, BPF_FUNC_skb_load_bytes), true, "socket filter: skb_load_bytes");
	ASSERT_EQ(listed(ids, n, BPF_FUNC_xdp_adjust_head), false, "socket filter: no xdp_adjust_head");
	n = bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, ids, ID_ROOM, NULL, 0, NULL);
	ASSERT_EQ(listed(ids, n, BPF_FUNC_xdp_adjust_head), true, "xdp: xdp_adjust_head");
}

static void t_count_and_short_buffer(void)
{
	uint32_t few[3] = { 0, 0, 0 }, canary[2] = { 0xdeadbeef, 0xdeadbeef };
	int all = bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, ids, ID_ROOM, NULL, 0, NULL);
	int count = bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, NULL, 0, NULL, 0, NULL);

	ASSERT_GE(all, 4, "xdp has more than 3 helpers");
	ASSERT_EQ(count, all, "NULL, 0 asks the count");
	ASSERT_EQ(bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, few, 2, NULL, 0, NULL), all, "the full count with a short buffer");
	ASSERT_EQ(few[0], ids[0], "the first ids");
	ASSERT_EQ(few[1], ids[1], "the first ids");
	ASSERT_EQ(few[2], 0, "nothing past the room");
	ASSERT_EQ(canary[0], 0xdeadbeef, "untouched");
}

static void t_extension_type(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");
	int n, core;

	ASSERT_GE(mod, 0, "load the program provider module");
	n = bpfhost_prog_type_helpers(TP_PROG_TYPE, ids, ID_ROOM, NULL, 0, NULL);
	ASSERT_GE(n, 2, "the core's helpers and the module's");
	ASSERT_EQ(ids[n - 1], TP_HELPER_ADD, "the module's own helper comes last");
	ASSERT_EQ(loads(TP_PROG_TYPE, TP_HELPER_ADD), true, "and loads");
	ASSERT_EQ(listed(ids, n, BPF_FUNC_skb_load_bytes), false, "no socket filter helper");
	core = 0;
	for (int i = 0; i < n; i++)
		core += ids[i] < BPFHOST_HELPER_EXT_BASE;
	ASSERT_EQ(core, n - 1, "everything else is Linux's");
	for (uint32_t id = 1; id < LINUX_HELPER_END; id++)
		ASSERT_EQ(listed(ids, n, id), loads(TP_PROG_TYPE, id), "listed exactly when the load takes it");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(bpfhost_prog_type_helpers(TP_PROG_TYPE, ids, ID_ROOM, NULL, 0, NULL), -EOPNOTSUPP, "gone with its module");
}

/* The names, in the ids' order, and what a short names buffer gets: whole names only. */
static void t_names(void)
{
	static char names[8192];
	char few[45];
	uint32_t need = 0, need2 = 0;
	int n = bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, ids, ID_ROOM, names, sizeof(names), &need);
	const char *p = names;
	size_t fit = 0;
	int i, mod;

	ASSERT_GE(n, 4, "xdp's helpers");
	ASSERT_TRUE(need > 0 && need <= sizeof(names), "they fit");
	for (i = 0; i < n && p < names + need; i++, p += strlen(p) + 1) {
		if (ids[i] == BPF_FUNC_map_lookup_elem)
			ASSERT_STR_CONTAINS(p, "bpf_map_lookup_elem", "id 1's name");
		if (ids[i] == BPF_FUNC_xdp_adjust_head)
			ASSERT_STR_CONTAINS(p, "bpf_xdp_adjust_head", "id 44's name");
		ASSERT_TRUE(strncmp(p, "bpf_", 4) == 0, "Linux's names");
	}
	ASSERT_EQ(i, n, "one name per id");
	ASSERT_EQ(p - names, need, "names_needed is their bytes");

	memset(few, 'x', sizeof(few));
	ASSERT_EQ(bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, NULL, 0, few, sizeof(few), &need2), n,
		  "names without ids");
	ASSERT_EQ(need2, need, "the same size asked");
	/* The names that fit whole, in order, and not a byte of the next. */
	for (p = names; p < names + need && (size_t)(p - names) + strlen(p) + 1 <= sizeof(few); p += strlen(p) + 1)
		fit = (size_t)(p - names) + strlen(p) + 1;
	ASSERT_TRUE(fit > 0 && fit < sizeof(few), "some names fit, not all");
	ASSERT_TRUE(memcmp(few, names, fit) == 0, "the whole names that fit");
	ASSERT_EQ(few[fit], 'x', "nothing of the next name");

	mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");
	ASSERT_GE(mod, 0, "load the program provider module");
	n = bpfhost_prog_type_helpers(TP_PROG_TYPE, ids, ID_ROOM, names, sizeof(names), &need);
	ASSERT_EQ(ids[n - 1], TP_HELPER_ADD, "the module's helper last");
	ASSERT_TRUE(need >= sizeof("test_add"), "room for it");
	ASSERT_STR_CONTAINS(names + need - sizeof("test_add"), "test_add", "its registered name, last");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

static void t_refusals(void)
{
	union bpf_attr attr;

	ASSERT_EQ(bpfhost_prog_type_helpers(BPF_PROG_TYPE_KPROBE, ids, ID_ROOM, NULL, 0, NULL), -EOPNOTSUPP,
		  "a type bpfhost does not provide");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program type 2 is not provided", "names the type");
	ASSERT_EQ(bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, NULL, 4, NULL, 0, NULL), -EFAULT, "room without a buffer");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "ids is NULL with id_cnt 4", "says why");
	ASSERT_EQ(bpfhost_prog_type_helpers(BPF_PROG_TYPE_XDP, NULL, 0, NULL, 8, NULL), -EFAULT,
		  "names room without a buffer");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "names is NULL with names_size 8", "says why");
	/* Through the command: id_cnt out is the count. */
	memset(&attr, 0, sizeof(attr));
	attr.type_helpers.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_PROG_TYPE_HELPERS, &attr, sizeof(attr)), "the raw command");
	ASSERT_EQ(attr.type_helpers.id_cnt,
		  bpfhost_prog_type_helpers(BPF_PROG_TYPE_SOCKET_FILTER, NULL, 0, NULL, 0, NULL), "id_cnt is the count");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_builtin_types_match_load), TEST(t_count_and_short_buffer), TEST(t_extension_type),
		TEST(t_names), TEST(t_refusals),
	};

	return test_run("prog_type_helpers", cases, sizeof(cases) / sizeof(cases[0]));
}
