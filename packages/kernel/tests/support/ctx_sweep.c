// SPDX-License-Identifier: MIT
#include "ctx_sweep.h"

#include <errno.h>
#include <stdio.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "insn_build.h"
#include "kernel_bpf.h"
#include "prog_run.h"

const char *const ctx_access_kind_names[CTX_KINDS] = { "ldx", "ldxsx", "stx", "st", "atomic add" };

size_t ctx_access_prog(enum ctx_access_kind kind, int s, int16_t off, bool keep_value, struct bpf_insn *p)
{
	static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	size_t n = 0;

	if ((kind == CTX_LDXS && s == 3) || (kind == CTX_ATOMIC && s < 2))
		return 0;	/* no 8-byte sign extension; atomics are 4 or 8 bytes */
	switch (kind) {
	case CTX_LDX:
		p[n++] = LDX(sizes[s], 0, 1, off);
		break;
	case CTX_LDXS:
		p[n++] = LDXS(sizes[s], 0, 1, off);
		break;
	case CTX_STX:
		p[n++] = MOV64_IMM(2, 0);
		p[n++] = STX(sizes[s], 1, 2, off);
		break;
	case CTX_ST:
		p[n++] = ST(sizes[s], 1, off, 0);
		break;
	default:
		p[n++] = MOV64_IMM(2, 0);
		p[n++] = ATOM(sizes[s], BPF_ADD, 1, 2, off);
		break;
	}
	if (kind > CTX_LDXS || !keep_value)
		p[n++] = MOV64_IMM(0, 2);
	p[n++] = EXIT();
	return n;
}

void ctx_sweep_one(struct ctx_sweep *sw, enum ctx_access_kind kind, int s, int16_t off, bool compare_value)
{
	struct bpf_insn p[6];
	size_t n = ctx_access_prog(kind, s, off, compare_value, p);
	struct kbpf_test_run kt = { .data_in = sw->data, .data_size_in = sw->data_size, .ctx_in = sw->ctx,
				    .ctx_size_in = sw->ctx_size };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = sw->data, .data_size_in = sw->data_size,
		     .ctx_in = sw->ctx, .ctx_size_in = sw->ctx_size);
	int kf, bf, berr;
	char name[96];

	if (!n)
		return;
	snprintf(name, sizeof(name), "%s of %d bytes at %s offset %d", ctx_access_kind_names[kind], 1 << s,
		 sw->what, off);
	kf = kbpf_prog_load(sw->prog_type, p, (uint32_t)n, "GPL", NULL, 0);
	/* The verifier decides as the kernel's does... */
	bf = bpfhost_prog_load(sw->prog_type, "access", "GPL", p, n, NULL);
	ASSERT_EQ(bf >= 0, kf >= 0, name);
	if (bf >= 0)
		bpfhost_close(bf);
	/* ...and without it, the run-time rules decide the same. */
	bf = test_prog_load_flags(sw->prog_type, "access", p, n, BPFHOST_F_TEST_UNVERIFIED);
	ASSERT_GE(bf, 0, name);
	berr = bpfhost_prog_test_run_opts(bf, &o);
	if (kf >= 0) {
		ASSERT_OK(berr, name);
		ASSERT_OK(kbpf_prog_test_run_full(kf, &kt), name);
		if (!berr && compare_value) {
			ASSERT_EQ(o.retval, kt.retval, name);
			sw->values++;
		}
		kbpf_close(kf);
		sw->allowed++;
	} else {
		ASSERT_EQ(berr, -EFAULT, name);
		if (sw->fault_msg)
			ASSERT_STR_CONTAINS(bpfhost_last_error(), sw->fault_msg, name);
	}
	bpfhost_close(bf);
	sw->compared++;
}

void ctx_sweep_report(const struct ctx_sweep *sw)
{
	printf("kernel comparison: %d %s accesses (%d allowed by both, the rest refused by both), "
	       "%d loaded values equal\n", sw->compared, sw->what, sw->allowed, sw->values);
}
