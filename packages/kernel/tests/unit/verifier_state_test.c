// SPDX-License-Identifier: MIT
/*
 * Verifier states (src/verifier/state.c): the entry state, deep copies,
 * call frames, and the "within" test pruning rests on: what must count as
 * within (the same or a more constrained state) and what must not (a
 * different kind, a looser range, ids that do not correspond, an
 * uninitialised stack byte where the explored state had data, a different
 * call stack or set of references).
 */
#include "test.h"

#include "verifier/branch.h"
#include "verifier/state.h"

static struct bh_frame *top(struct bh_state *st)
{
	return st->frames[st->nframes - 1];
}

static void entry_state(void)
{
	struct bh_state st;

	ASSERT_OK(bh_state_init(&st), "init");
	ASSERT_EQ(st.nframes, 1, "one frame");
	ASSERT_EQ(top(&st)->regs[BPF_REG_1].kind, BH_REG_CTX, "r1 is the context");
	ASSERT_EQ(top(&st)->regs[BPF_REG_10].kind, BH_REG_STACK, "r10 is the frame pointer");
	ASSERT_EQ(top(&st)->regs[BPF_REG_0].kind, BH_REG_NOT_INIT, "r0 not initialised");
	ASSERT_EQ(top(&st)->regs[BPF_REG_2].kind, BH_REG_NOT_INIT, "r2 not initialised");
	ASSERT_EQ(top(&st)->nslots, 0, "no stack yet");
	ASSERT_TRUE(bh_state_within(&st, &st, true), "a state is within itself");
	bh_state_free(&st);
}

static void copies_are_deep(void)
{
	struct bh_state a, b;

	ASSERT_OK(bh_state_init(&a), "init");
	ASSERT_OK(bh_frame_grow(top(&a), 4), "grow");
	top(&a)->slots[1].type[0] = BH_STACK_MISC;
	ASSERT_OK(bh_state_push_frame(&a, 7, 1), "call");
	a.refs[a.nrefs++] = (struct bh_ref){ .id = 3, .insn = 9 };
	ASSERT_OK(bh_state_copy(&b, &a), "copy");
	ASSERT_TRUE(bh_state_within(&a, &b, true) && bh_state_within(&b, &a, true), "the copy is equal");
	b.frames[0]->slots[1].type[0] = BH_STACK_INVALID;
	b.frames[0]->regs[BPF_REG_6] = bh_reg_const(1);
	ASSERT_EQ(a.frames[0]->slots[1].type[0], BH_STACK_MISC, "the original's stack is its own");
	ASSERT_EQ(a.frames[0]->regs[BPF_REG_6].kind, BH_REG_NOT_INIT, "and its registers");
	ASSERT_EQ(b.nframes, 2, "frames copied");
	ASSERT_EQ(b.refs[0].insn, 9, "references copied");
	bh_state_free(&a);
	bh_state_free(&b);
}

static void call_frames(void)
{
	struct bh_state st;

	ASSERT_OK(bh_state_init(&st), "init");
	top(&st)->regs[BPF_REG_1] = bh_reg_const(11);
	top(&st)->regs[BPF_REG_6] = bh_reg_const(66);
	ASSERT_OK(bh_state_push_frame(&st, 3, 1), "call");
	ASSERT_EQ(st.nframes, 2, "two frames");
	ASSERT_EQ(top(&st)->regs[BPF_REG_1].var.var.value, 11, "arguments passed");
	ASSERT_EQ(top(&st)->regs[BPF_REG_6].kind, BH_REG_NOT_INIT, "callee-saved not visible");
	ASSERT_EQ(top(&st)->regs[BPF_REG_10].frameno, 1, "r10 is the new frame's");
	ASSERT_EQ(top(&st)->callsite, 3, "callsite");
	top(&st)->regs[BPF_REG_0] = bh_reg_const(5);
	bh_state_pop_frame(&st);
	ASSERT_EQ(st.nframes, 1, "returned");
	ASSERT_EQ(top(&st)->regs[BPF_REG_0].var.var.value, 5, "r0 is the result");
	ASSERT_EQ(top(&st)->regs[BPF_REG_1].kind, BH_REG_NOT_INIT, "r1-r5 clobbered");
	ASSERT_EQ(top(&st)->regs[BPF_REG_6].var.var.value, 66, "r6 kept");
	for (uint32_t i = 1; i < MAX_CALL_FRAMES; i++)
		ASSERT_OK(bh_state_push_frame(&st, i, 1), "nest");
	ASSERT_EQ(bh_state_push_frame(&st, 99, 1), -E2BIG, "nine frames refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "this call would be nested 9 deep", "message");
	ASSERT_EQ(bh_frame_grow(top(&st), BH_STACK_SLOTS + 1), -EINVAL, "more than 512 bytes of stack");
	bh_state_free(&st);
}

/* Two states from one entry state, to be edited and compared. */
static void pair(struct bh_state *old, struct bh_state *cur)
{
	ASSERT_OK(bh_state_init(old), "init");
	ASSERT_OK(bh_state_init(cur), "init");
}

static void unpair(struct bh_state *old, struct bh_state *cur)
{
	bh_state_free(old);
	bh_state_free(cur);
}

static void registers_within(void)
{
	struct bh_state old, cur;
	struct bh_reg v;

	pair(&old, &cur);
	/* Old never had r2: whatever cur has there is fine; not the other way round. */
	top(&cur)->regs[BPF_REG_2] = bh_reg_const(1);
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "uninitialised in old accepts anything");
	ASSERT_TRUE(!bh_state_within(&cur, &old, true), "initialised in old needs it in cur");
	/* Scalars: a narrower range is within a wider one. */
	top(&old)->regs[BPF_REG_2] = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_urange(0, 10) };
	top(&cur)->regs[BPF_REG_2] = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_urange(2, 5) };
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "[2,5] within [0,10]");
	ASSERT_TRUE(!bh_state_within(&cur, &old, true), "[0,10] not within [2,5]");
	/* A pointer is not a scalar, and the context is not the stack. */
	top(&cur)->regs[BPF_REG_2] = top(&cur)->regs[BPF_REG_1];
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "pointer where old had a scalar");
	top(&old)->regs[BPF_REG_2] = top(&old)->regs[BPF_REG_10];
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "context where old had the stack");
	/* Pointers: the same offset and object; more packet range proven is fine. */
	v = (struct bh_reg){ .kind = BH_REG_PACKET, .off = 4, .range = 8, .var = bh_scalar_const(0) };
	top(&old)->regs[BPF_REG_2] = v;
	v.range = 16;
	top(&cur)->regs[BPF_REG_2] = v;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "more packet range proven");
	ASSERT_TRUE(!bh_state_within(&cur, &old, true), "less packet range proven");
	v.off = 5;
	top(&cur)->regs[BPF_REG_2] = v;
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "another offset");
	/* A variable offset: narrower is within. */
	v = (struct bh_reg){ .kind = BH_REG_MAP_VALUE, .mem_size = 64, .var = bh_scalar_urange(0, 32) };
	top(&old)->regs[BPF_REG_2] = v;
	v.var = bh_scalar_urange(8, 16);
	top(&cur)->regs[BPF_REG_2] = v;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "narrower variable offset");
	v.mem_size = 32;
	top(&cur)->regs[BPF_REG_2] = v;
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "another value size");
	unpair(&old, &cur);
}

/* Copies of one maybe-NULL pointer must be copies in cur too. */
static void ids_correspond(void)
{
	struct bh_state old, cur;
	struct bh_reg p = { .kind = BH_REG_MAP_VALUE_OR_NULL, .mem_size = 8, .id = 1,
			    .var = bh_scalar_const(0) };

	pair(&old, &cur);
	top(&old)->regs[BPF_REG_6] = p;
	top(&old)->regs[BPF_REG_7] = p;
	p.id = 42;
	top(&cur)->regs[BPF_REG_6] = p;
	top(&cur)->regs[BPF_REG_7] = p;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "same linkage, other numbers");
	top(&cur)->regs[BPF_REG_7].id = 43;
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "copies in old, unrelated in cur");
	top(&old)->regs[BPF_REG_7].id = 2;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "unrelated in both");
	top(&cur)->regs[BPF_REG_7].id = 42;
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "unrelated in old, copies in cur: not one to one");
	/* References: the same number held, matching one to one. */
	old.refs[old.nrefs++] = (struct bh_ref){ .id = 5, .insn = 1 };
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "a reference held in old only");
	cur.refs[cur.nrefs++] = (struct bh_ref){ .id = 9, .insn = 1 };
	top(&cur)->regs[BPF_REG_7].id = 43;
	top(&old)->regs[BPF_REG_7].id = 2;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "one reference each");
	unpair(&old, &cur);
}

static void stack_within(void)
{
	struct bh_state old, cur;

	pair(&old, &cur);
	ASSERT_OK(bh_frame_grow(top(&old), 2), "grow old");
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "invalid bytes in old: cur's missing stack is fine");
	top(&old)->slots[1].type[3] = BH_STACK_MISC;
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "old had data, cur has an unwritten byte");
	ASSERT_OK(bh_frame_grow(top(&cur), 3), "grow cur");
	top(&cur)->slots[1].type[3] = BH_STACK_ZERO;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "zero is some scalar");
	top(&old)->slots[1].type[3] = BH_STACK_ZERO;
	top(&cur)->slots[1].type[3] = BH_STACK_MISC;
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "some scalar is not zero");
	/* Spills compare the spilled registers. */
	for (unsigned b = 0; b < BH_SLOT_SIZE; b++) {
		top(&old)->slots[1].type[b] = BH_STACK_SPILL;
		top(&cur)->slots[1].type[b] = BH_STACK_SPILL;
	}
	top(&old)->slots[1].spilled = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_urange(0, 9) };
	top(&cur)->slots[1].spilled = bh_reg_const(4);
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "spilled 4 within spilled [0,9]");
	top(&cur)->slots[1].spilled = bh_reg_const(10);
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "spilled 10 not within [0,9]");
	/* A spilled scalar reads as data; a spilled pointer does not. */
	for (unsigned b = 0; b < BH_SLOT_SIZE; b++)
		top(&old)->slots[1].type[b] = BH_STACK_MISC;
	ASSERT_TRUE(bh_state_within(&old, &cur, true), "spilled scalar where old had data");
	top(&cur)->slots[1].spilled = top(&cur)->regs[BPF_REG_10];
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "spilled pointer where old had data");
	unpair(&old, &cur);
}

static void call_stacks_differ(void)
{
	struct bh_state old, cur;

	pair(&old, &cur);
	ASSERT_OK(bh_state_push_frame(&old, 4, 1), "call in old");
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "frames differ in number");
	ASSERT_OK(bh_state_push_frame(&cur, 6, 1), "call in cur from elsewhere");
	ASSERT_TRUE(!bh_state_within(&old, &cur, true), "called from another instruction");
	unpair(&old, &cur);
}

/* A NULL check refines every copy: registers and spills, in every frame. */
static void null_checks(void)
{
	struct bh_state st, other;
	struct bh_reg v = { .kind = BH_REG_MAP_VALUE_OR_NULL, .mem_size = 8, .id = 7, .var = bh_scalar_const(0) };
	struct bh_reg rec = { .kind = BH_REG_RINGBUF_RECORD_OR_NULL, .mem_size = 16, .id = 8, .ref_id = 9,
			      .var = bh_scalar_const(0) };

	ASSERT_OK(bh_state_init(&st), "init");
	top(&st)->regs[BPF_REG_6] = v;
	ASSERT_OK(bh_frame_grow(top(&st), 1), "grow");
	top(&st)->slots[0].spilled = v;
	memset(top(&st)->slots[0].type, BH_STACK_SPILL, BH_SLOT_SIZE);
	top(&st)->regs[BPF_REG_7] = rec;
	st.refs[st.nrefs++] = (struct bh_ref){ .id = 9, .insn = 4 };
	ASSERT_OK(bh_state_push_frame(&st, 5, 1), "call");
	top(&st)->regs[BPF_REG_1] = v;	/* passed to a callee too */
	ASSERT_OK(bh_state_copy(&other, &st), "copy for the other side");

	bh_state_mark_null(&st, 7, false);
	ASSERT_EQ(st.frames[0]->regs[BPF_REG_6].kind, BH_REG_MAP_VALUE, "r6 checked");
	ASSERT_EQ(st.frames[0]->slots[0].spilled.kind, BH_REG_MAP_VALUE, "its spill checked");
	ASSERT_EQ(st.frames[1]->regs[BPF_REG_1].kind, BH_REG_MAP_VALUE, "the callee's copy checked");
	ASSERT_EQ(st.frames[0]->regs[BPF_REG_7].kind, BH_REG_RINGBUF_RECORD_OR_NULL, "another id untouched");
	bh_state_mark_null(&other, 7, true);
	ASSERT_TRUE(other.frames[0]->regs[BPF_REG_6].kind == BH_REG_SCALAR &&
		    bh_scalar_is_const(&other.frames[0]->regs[BPF_REG_6].var) &&
		    other.frames[0]->regs[BPF_REG_6].var.var.value == 0, "NULL side: the scalar 0");
	ASSERT_EQ(other.frames[1]->regs[BPF_REG_1].kind, BH_REG_SCALAR, "in the callee too");
	ASSERT_EQ(other.nrefs, 1, "a NULL map value held no reference");
	/* A NULL record: its reference goes; a non-NULL one keeps it. */
	bh_state_mark_null(&st, 8, false);
	ASSERT_EQ(st.frames[0]->regs[BPF_REG_7].kind, BH_REG_RINGBUF_RECORD, "record checked");
	ASSERT_EQ(st.frames[0]->regs[BPF_REG_7].ref_id, 9, "keeps its reference");
	ASSERT_EQ(st.nrefs, 1, "still held");
	bh_state_mark_null(&other, 8, true);
	ASSERT_EQ(other.nrefs, 0, "NULL record: nothing to release");
	bh_state_free(&st);
	bh_state_free(&other);
}

/*
 * Out of memory at each allocation of a scenario (init, grow, call, copy,
 * within): every step succeeds or says -ENOMEM, nothing leaks (LeakSanitizer
 * under ASan), and a failed copy leaves nothing behind.
 */
static void out_of_memory(void)
{
	unsigned long total, nomem = 0;

	for (unsigned long nth = 1;; nth++) {
		struct bh_state a, b;
		unsigned long before = bpfhost_alloc_count();
		int err;

		bpfhost_fault_inject_alloc(nth);
		err = bh_state_init(&a);
		if (!err) {
			int e1 = bh_frame_grow(top(&a), 3), e2 = bh_state_push_frame(&a, 1, 1);
			int e3 = bh_frame_grow(top(&a), 2), e4;

			ASSERT_TRUE((e1 == 0 || e1 == -ENOMEM) && (e2 == 0 || e2 == -ENOMEM) &&
				    (e3 == 0 || e3 == -ENOMEM), "grow/call: 0 or -ENOMEM");
			e4 = bh_state_copy(&b, &a);
			ASSERT_TRUE(e4 == 0 || e4 == -ENOMEM, "copy: 0 or -ENOMEM");
			if (!e4) {
				ASSERT_TRUE(bh_state_within(&a, &b, true) || bpfhost_alloc_count() - before >= nth,
					    "within (or its own allocation failed: no pruning)");
				bh_state_free(&b);
			} else {
				ASSERT_EQ(b.nframes, 0, "a failed copy holds nothing");
				nomem++;
			}
			bh_state_free(&a);
			nomem += e1 || e2 || e3;
		} else {
			ASSERT_EQ(err, -ENOMEM, "init: -ENOMEM");
			nomem++;
		}
		total = bpfhost_alloc_count() - before;
		bpfhost_fault_inject_alloc(0);
		if (nth > total)
			break;
	}
	printf("  %lu allocations, each failed once; %lu runs saw -ENOMEM\n", total, nomem);
	ASSERT_GE(nomem, 5, "failures were injected");
}

/* Comparing a pointer with 0: decided for non-NULL kinds, a NULL check for the others. */
static void pointer_branches(void)
{
	struct bh_reg ctx = { .kind = BH_REG_CTX, .var = bh_scalar_const(0) };
	struct bh_reg mv = { .kind = BH_REG_MAP_VALUE_OR_NULL, .id = 1, .var = bh_scalar_const(0) };
	struct bh_scalar zero = bh_scalar_const(0), one = bh_scalar_const(1);
	enum bh_null_side side;

	struct bh_reg checked = { .kind = BH_REG_MAP_VALUE, .off = 8, .var = bh_scalar_const(0) };

	ASSERT_EQ(bh_pointer_branch(BPF_JEQ, true, &checked, &zero, &side), BH_BRANCH_NEVER,
		  "checked map value == 0 never");
	ASSERT_EQ(side, BH_NULL_NOWHERE, "not a NULL check");
	ASSERT_EQ(bh_pointer_branch(BPF_JNE, true, &checked, &zero, &side), BH_BRANCH_ALWAYS,
		  "checked map value != 0 always");
	/* Linux explores both sides for the context (and the stack, packets). */
	ASSERT_EQ(bh_pointer_branch(BPF_JEQ, true, &ctx, &zero, &side), BH_BRANCH_UNKNOWN, "ctx == 0");
	ASSERT_EQ(bh_pointer_branch(BPF_JEQ, true, &mv, &zero, &side), BH_BRANCH_UNKNOWN, "maybe NULL == 0");
	ASSERT_EQ(side, BH_NULL_TAKEN, "NULL where taken");
	ASSERT_EQ(bh_pointer_branch(BPF_JNE, true, &mv, &zero, &side), BH_BRANCH_UNKNOWN, "maybe NULL != 0");
	ASSERT_EQ(side, BH_NULL_FALL, "NULL on the fall-through");
	/* Linux makes no NULL check of 32-bit jumps, other constants or other ops. */
	ASSERT_EQ(bh_pointer_branch(BPF_JEQ, false, &mv, &zero, &side), BH_BRANCH_UNKNOWN, "jeq32");
	ASSERT_EQ(side, BH_NULL_NOWHERE, "jeq32: no NULL check");
	ASSERT_EQ(bh_pointer_branch(BPF_JEQ, true, &mv, &one, &side), BH_BRANCH_UNKNOWN, "== 1");
	ASSERT_EQ(side, BH_NULL_NOWHERE, "== 1: no NULL check");
	ASSERT_EQ(bh_pointer_branch(BPF_JGT, true, &ctx, &zero, &side), BH_BRANCH_UNKNOWN, "ctx > 0");
	ASSERT_EQ(side, BH_NULL_NOWHERE, "jgt: no NULL check");
}

static void printing(void)
{
	char buf[400];
	struct bh_reg r = { .kind = BH_REG_MAP_VALUE_OR_NULL, .off = 4, .mem_size = 16, .id = 3,
			    .var = bh_scalar_const(0) };

	ASSERT_STR_CONTAINS(bh_reg_str(&r, buf, sizeof(buf)), "map_value_or_null(off=4 size=16 id=3)", "pointer");
	r = (struct bh_reg){ .kind = BH_REG_STACK, .frameno = 1, .off = -8, .var = bh_scalar_const(0) };
	ASSERT_STR_CONTAINS(bh_reg_str(&r, buf, sizeof(buf)), "fp1(off=-8)", "stack");
	r = bh_reg_const((uint64_t)-3ll);
	ASSERT_STR_CONTAINS(bh_reg_str(&r, buf, sizeof(buf)), "-3", "constant");
	r = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_urange(0, 255) };
	ASSERT_STR_CONTAINS(bh_reg_str(&r, buf, sizeof(buf)), "scalar(smin=0 smax=255 umin=0 umax=255", "range");
	r = (struct bh_reg){ .kind = BH_REG_PACKET, .var = bh_scalar_urange(0, 255), .range = 14 };
	ASSERT_STR_CONTAINS(bh_reg_str(&r, buf, sizeof(buf)), "pkt(off=0 var=smin=0", "variable offset");
	ASSERT_STR_CONTAINS(bh_reg_str(&r, buf, sizeof(buf)), " r=14)", "packet range");
	/* A short buffer is cut, never overrun. */
	ASSERT_EQ(strlen(bh_reg_str(&r, buf, 8)), 7, "cut to the buffer");
	for (int k = 0; k < BH_REG_KIND_COUNT; k++)
		ASSERT_TRUE(strcmp(bh_reg_kind_name((enum bh_reg_kind)k), "invalid") != 0, "every kind named");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(entry_state), TEST(copies_are_deep), TEST(call_frames), TEST(registers_within),
		TEST(ids_correspond), TEST(stack_within), TEST(call_stacks_differ), TEST(null_checks),
		TEST(out_of_memory), TEST(pointer_branches), TEST(printing),
	};

	return test_run("verifier_state", cases, sizeof(cases) / sizeof(cases[0]));
}
