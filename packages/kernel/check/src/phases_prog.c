// SPDX-License-Identifier: MIT
/*
 * The helper paths: programs that look up, update and delete in the map
 * (the provider sees HELPER; with updates_original_value programs get NULL
 * and -EOPNOTSUPP and the provider sees nothing), and the map as the inner
 * map of an array of maps (associated at run time, torn down when the
 * outer map lets go of it).
 */
#include <errno.h>
#include <string.h>

#include <bpfhost/bpf.h>
#include <bpfhost/bpf_insn.h>
#include <bpfhost/bpfhost.h>
#include <bpfhost/uapi.h>

#include "check_internal.h"

#define INSN(c, d, s, o, i)                                                                   \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MAXI 600

struct prog {
	struct bpf_insn i[MAXI];
	size_t n;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	if (p->n < MAXI)
		p->i[p->n++] = insn;
}

static void ld_map(struct prog *p, int reg, int fd)
{
	emit(p, INSN(BPF_LD | BPF_IMM | BPF_DW, reg, BPF_PSEUDO_MAP_FD, 0, fd));
	emit(p, INSN(0, 0, 0, 0, 0));
}

/* Writes @n bytes at r10 - @off, byte by byte. */
static void stack_bytes(struct prog *p, int off, const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		emit(p, INSN(BPF_ST | BPF_MEM | BPF_B, BPF_REG_10, 0, (int16_t)(-off + (int)i), b[i]));
}

static void stack_ptr(struct prog *p, int reg, int off)
{
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, reg, BPF_REG_10, 0, 0));
	emit(p, INSN(BPF_ALU64 | BPF_ADD | BPF_K, reg, 0, 0, -off));
}

static void call(struct prog *p, int helper)
{
	emit(p, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

static void ret_found(struct prog *p)
{
	/* r0 = r0 != NULL */
	emit(p, INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0));
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

static int koff(const struct kit_opts *o)
{
	return (int)((o->key_size + 7) & ~7u);
}

static int voff(const struct kit_opts *o)
{
	return koff(o) + (int)((o->value_size + 7) & ~7u);
}

enum op { OP_LOOKUP, OP_UPDATE, OP_DELETE };

static void build(const struct kit_opts *o, struct prog *p, int fd, enum op op, uint32_t key,
		  uint64_t flags)
{
	uint8_t k[4096], v[4096];

	p->n = 0;
	kit_key(o, key, k);
	kit_value(o, key, v);
	stack_bytes(p, koff(o), k, o->key_size);
	if (op == OP_UPDATE)
		stack_bytes(p, voff(o), v, o->value_size);
	ld_map(p, BPF_REG_1, fd);
	stack_ptr(p, BPF_REG_2, koff(o));
	if (op == OP_UPDATE) {
		stack_ptr(p, BPF_REG_3, voff(o));
		emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, (int32_t)flags));
		call(p, BPF_FUNC_map_update_elem);
	} else if (op == OP_DELETE) {
		call(p, BPF_FUNC_map_delete_elem);
	} else {
		call(p, BPF_FUNC_map_lookup_elem);
		ret_found(p);
		return;
	}
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/*
 * Programs may not use an updates_original_value map: the verifier refuses
 * them at load (phase_helpers checks that). The kit still drives the
 * run-time paths behind it, the core's defence in depth, by loading those
 * programs with the test-only BPFHOST_F_TEST_UNVERIFIED.
 */
static uint32_t load_flags(const struct kit_opts *o)
{
	return o->p->uov ? BPFHOST_F_TEST_UNVERIFIED : 0;
}

static int load(const struct kit_opts *o, uint32_t type, const struct prog *p, const char *name)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, lo, .prog_flags = load_flags(o));

	return bpfhost_prog_load(type, name, "GPL", p->i, p->n, &lo);
}

/* Test-runs @fd as a program would run: the kit's wrappers expect HELPER. */
static int run(int fd, uint32_t *retval)
{
	static uint8_t pkt[64];
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt));
	int err;

	kit_in_program = true;
	err = bpfhost_prog_test_run_opts(fd, &t);
	if (err == -EINVAL) {
		/* A program type without packet data: a zeroed context of its own size. */
		BPFHOST_OPTS(bpfhost_test_run_opts, c);
		err = bpfhost_prog_test_run_opts(fd, &c);
		t.retval = c.retval;
	}
	kit_in_program = false;
	*retval = t.retval;
	return err;
}

/* Loads, runs and closes one program; false when it did not run. */
static bool run_op(const struct kit_opts *o, uint32_t type, int map, enum op op, uint32_t key,
		   uint64_t flags, uint32_t want, const char *what)
{
	struct prog p;
	uint32_t r = 0;
	int fd, err;

	build(o, &p, map, op, key, flags);
	fd = load(o, type, &p, "kit_helper");
	if (fd < 0) {
		kit_fail("%s: loading the program failed with %s: %s", what, kit_errno_name(fd),
			 bpfhost_last_error());
		return false;
	}
	err = run(fd, &r);
	if (err) {
		kit_fail("%s: the test run failed with %s: %s", what, kit_errno_name(err),
			 bpfhost_last_error());
		bpfhost_close(fd);
		return false;
	}
	bpfhost_close(fd);
	if (r != want)
		kit_fail("%s returned %d to the program, expected %d", what, (int32_t)r, (int32_t)want);
	return true;
}

/* The first program type whose programs may use the map; 0 (and a note unless @quiet) when none. */
static uint32_t pick_type_as(const struct kit_opts *o, int map, bool quiet)
{
	const uint32_t types[] = { o->prog_type, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP };
	unsigned long before = kit_calls(KIT_ASSOCIATE, -1);
	struct prog p;

	build(o, &p, map, OP_LOOKUP, 0, 0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd;

		if (!types[i] || (o->prog_type && types[i] != o->prog_type))
			continue;
		fd = load(o, types[i], &p, "kit_pick");
		if (fd >= 0) {
			bpfhost_close(fd);
			if (kit_calls(KIT_ASSOCIATE, -1) == before)
				kit_fail("loading a program that uses the map did not call "
					 "preprocess_associate_program_type");
			return types[i];
		}
	}
	if (quiet)
		return 0;
	kit_note("skipped: no program type could load a program using the map (tried %s): "
		 "preprocess_associate_program_type refused, or the type is not provided (pass "
		 "--prog-type N and load its provider in the same module); last error: %s",
		 o->prog_type ? "--prog-type" : "socket filter 1, XDP 6", bpfhost_last_error());
	return 0;
}

static uint32_t pick_type(const struct kit_opts *o, int map)
{
	return pick_type_as(o, map, false);
}

int kit_helper_program(const struct kit_opts *o, int map, int op, uint32_t key, uint64_t flags)
{
	static uint32_t type;
	struct prog p;

	if (voff(o) > 256)
		return -E2BIG;
	if (!type)
		type = pick_type_as(o, map, true);
	if (!type)
		return -EOPNOTSUPP;
	build(o, &p, map, (enum op)op, key, flags);
	return load(o, type, &p, "kit_concurrent");
}

int kit_run_program(int fd, uint32_t *retval)
{
	return run(fd, retval);
}

static bool fits(const struct kit_opts *o)
{
	if (voff(o) <= 256)
		return true;
	kit_note("skipped: key_size + value_size is over 256 bytes; the kit's programs keep both on "
		 "the stack");
	return false;
}

void phase_helpers(const struct kit_opts *o)
{
	const uint32_t H = BPFHOST_MAP_OPERATION_HELPER, U = BPFHOST_MAP_OPERATION_UPDATE;
	const enum kit_cb del = o->p->has_pre_delete ? KIT_PRE_DELETE : KIT_POST_DELETE;
	unsigned long allocs = ledger_allocs(NULL);
	unsigned long find, upd, dels, d_upd, d_undo, d_plain;
	uint8_t k[4096], v[4096];
	uint32_t type;
	int map;

	if (!fits(o))
		return;
	map = kit_map(o, "kit_helpers", o->max_entries);
	if (map < 0)
		return;
	type = pick_type(o, map);
	if (!type)
		goto out;
	find = kit_calls(KIT_FIND, (int)H);
	upd = kit_calls(KIT_UPDATE, (int)H);
	dels = kit_calls(del, -1);
	d_upd = kit_calls(del, (int)(H | U));
	d_undo = kit_calls(del, (int)(H | U | BPFHOST_MAP_OPERATION_UNDO));
	d_plain = kit_calls(del, (int)H);
	if (o->p->uov) {
		struct prog p;
		int fd;

		build(o, &p, map, OP_LOOKUP, 0, 0);
		fd = bpfhost_prog_load(type, "kit_uov", "GPL", p.i, p.n, NULL);
		if (fd >= 0 && !o->p->programs_read)
			kit_fail("the verifier accepted a program that looks up an updates_original_value map");
		else if (fd < 0 && o->p->programs_read)
			kit_fail("the verifier refused a program that looks up a programs_read map: %s",
				 bpfhost_last_error());
		if (fd >= 0)
			bpfhost_close(fd);
		kit_key(o, 0, k);
		kit_value(o, 0, v);
		if (bpfhost_map_update_elem(map, k, v, BPF_ANY))
			kit_fail("update from user space failed: %s", bpfhost_last_error());
		dels = kit_calls(del, -1);
		if (o->p->programs_read) {
			/* Contract v2: a read-only copy that find post-processing wrote, with HELPER. */
			run_op(o, type, map, OP_LOOKUP, 0, 0, 1, "bpf_map_lookup_elem (programs_read)");
			if (kit_calls(KIT_FIND, (int)H) != find + 1)
				kit_fail("bpf_map_lookup_elem on a programs_read map: postprocess_map_find_element "
					 "was not called once with HELPER");
			find = kit_calls(KIT_FIND, (int)H);
		} else {
			run_op(o, type, map, OP_LOOKUP, 0, 0, 0, "bpf_map_lookup_elem (updates_original_value: NULL)");
		}
		run_op(o, type, map, OP_UPDATE, 1, BPF_ANY, (uint32_t)-EOPNOTSUPP,
		       "bpf_map_update_elem (updates_original_value)");
		run_op(o, type, map, OP_DELETE, 0, 0, (uint32_t)-EOPNOTSUPP,
		       "bpf_map_delete_elem (updates_original_value)");
		if (kit_calls(KIT_FIND, (int)H) != find || kit_calls(KIT_UPDATE, (int)H) != upd ||
		    kit_calls(del, -1) != dels)
			kit_fail("a program's map helper reached the provider of an "
				 "updates_original_value map");
		goto out;
	}
	run_op(o, type, map, OP_UPDATE, 0, BPF_ANY, 0, "bpf_map_update_elem BPF_ANY");
	if (o->p->has_update && kit_calls(KIT_UPDATE, (int)H) != upd + 1)
		kit_fail("bpf_map_update_elem: preprocess_map_update_element was not called once with HELPER");
	run_op(o, type, map, OP_LOOKUP, 0, 0, 1, "bpf_map_lookup_elem of a stored key");
	if (o->p->has_find && kit_calls(KIT_FIND, (int)H) != find + 1)
		kit_fail("bpf_map_lookup_elem: postprocess_map_find_element was not called once with HELPER");
	if (o->p->base == BPFHOST_BASE_MAP_TYPE_HASH) {
		run_op(o, type, map, OP_UPDATE, 0, BPF_NOEXIST, (uint32_t)-EEXIST,
		       "bpf_map_update_elem BPF_NOEXIST of a stored key");
		run_op(o, type, map, OP_UPDATE, 0, BPF_ANY, 0, "bpf_map_update_elem of a stored key");
		if (kit_calls(del, (int)(H | U)) != d_upd + 1 + (o->p->has_update && !o->p->v2) ||
		    kit_calls(del, (int)(H | U | BPFHOST_MAP_OPERATION_UNDO)) !=
		    d_undo + (o->p->has_update && o->p->v2))
			kit_fail("the undone and the displaced value of program updates did not reach %s "
				 "once each, with UPDATE|HELPER (an undo of a contract v2 table: and UNDO)",
				 kit_cb_name[del]);
		run_op(o, type, map, OP_DELETE, 0, 0, 0, "bpf_map_delete_elem of a stored key");
		if (kit_calls(del, (int)H) != d_plain + 1)
			kit_fail("bpf_map_delete_elem: %s was not called once with HELPER", kit_cb_name[del]);
		run_op(o, type, map, OP_DELETE, 0, 0, (uint32_t)-ENOENT, "bpf_map_delete_elem of a missing key");
		run_op(o, type, map, OP_LOOKUP, 0, 0, 0, "bpf_map_lookup_elem of a deleted key");
	} else {
		if (kit_calls(del, (int)(H | U)) != d_upd + 1)
			kit_fail("a program update of an array element did not reach %s with "
				 "UPDATE|HELPER for the displaced value", kit_cb_name[del]);
		run_op(o, type, map, OP_DELETE, 0, 0, (uint32_t)-EINVAL, "bpf_map_delete_elem on an array base");
	}
out:
	kit_close_and_balance(map, "closing the helper-path map");
	kit_balanced("after the helper paths", allocs);
}

void phase_map_in_map(const struct kit_opts *o)
{
	unsigned long allocs = ledger_allocs(NULL), assoc, deletes;
	uint8_t k[4096], v[4096];
	uint32_t zero = 0, type, r = 0;
	struct prog p = { .n = 0 };
	int inner, outer = -1, fd = -1, err;

	if (!fits(o))
		return;
	inner = kit_map(o, "kit_inner", o->max_entries);
	if (inner < 0)
		return;
	type = pick_type(o, inner);
	if (!type)
		goto out;
	kit_key(o, 0, k);
	kit_value(o, 0, v);
	if (bpfhost_map_update_elem(inner, k, v, BPF_ANY))
		kit_fail("update of the inner map failed: %s", bpfhost_last_error());
	{
		BPFHOST_OPTS(bpfhost_map_create_opts, mo, .inner_map_fd = (uint32_t)inner);
		outer = bpfhost_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "kit_outer", 4, 4, 1, &mo);
	}
	if (outer < 0) {
		kit_fail("an array of maps with the custom map as its inner map could not be created: %s",
			 bpfhost_last_error());
		goto out;
	}
	if (bpfhost_map_update_elem(outer, &zero, &inner, BPF_ANY)) {
		kit_fail("storing the custom map in an array of maps failed: %s", bpfhost_last_error());
		goto out;
	}
	/* inner = outer[0]; return inner[key 0] != NULL (2 when the outer slot is empty) */
	emit(&p, INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0));
	ld_map(&p, BPF_REG_1, outer);
	stack_ptr(&p, BPF_REG_2, 4);
	call(&p, BPF_FUNC_map_lookup_elem);
	emit(&p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 2, 0));
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 2));
	emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_0, 0, 0));
	stack_bytes(&p, 8 + koff(o), k, o->key_size);
	emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0));
	stack_ptr(&p, BPF_REG_2, 8 + koff(o));
	call(&p, BPF_FUNC_map_lookup_elem);
	ret_found(&p);
	fd = bpfhost_prog_load(type, "kit_outer", "GPL", p.i, p.n, NULL);
	if (fd < 0) {
		kit_fail("loading a program that reads the custom map through an array of maps failed "
			 "with %s: %s", kit_errno_name(fd), bpfhost_last_error());
		goto out;
	}
	assoc = kit_calls(KIT_ASSOCIATE, -1);
	err = run(fd, &r);
	if (err)
		kit_fail("the map-in-map program failed with %s: %s", kit_errno_name(err), bpfhost_last_error());
	else if (r != (o->p->uov && !o->p->programs_read ? 0u : 1u))
		kit_fail("the map-in-map program returned %u, expected %u (the key is stored%s)", r,
			 o->p->uov && !o->p->programs_read ? 0u : 1u,
			 o->p->uov && !o->p->programs_read ? "; lookups of updates_original_value maps give NULL" : "");
	if (kit_calls(KIT_ASSOCIATE, -1) == assoc)
		kit_fail("a program reaching the map as an inner map did not call "
			 "preprocess_associate_program_type at run time");
	/* The outer map holds the inner one: closing its handle must not tear it down. */
	deletes = kit_calls(KIT_MAP_DELETE, -1);
	bpfhost_close(inner);
	inner = -1;
	bpfhost_synchronize();
	if (kit_calls(KIT_MAP_DELETE, -1) != deletes)
		kit_fail("closing the inner map's handle tore it down while an array of maps held it");
	if (bpfhost_map_delete_elem(outer, &zero))
		kit_fail("removing the custom map from the array of maps failed: %s", bpfhost_last_error());
	bpfhost_synchronize();
	if (kit_calls(KIT_MAP_DELETE, -1) != deletes + 1)
		kit_fail("the custom map was not torn down once the array of maps let go of it");
out:
	if (fd >= 0)
		bpfhost_close(fd);
	if (outer >= 0)
		bpfhost_close(outer);
	if (inner >= 0)
		bpfhost_close(inner);
	kit_balanced("after map-in-map", allocs);
}
