// SPDX-License-Identifier: MIT
/* The kernel as the oracle for packet programs: see packet_diff.h. */
#include "packet_diff.h"

#include "test.h"
#include "kernel_bpf.h"

#include "bpfhost/libbpf.h"

uint32_t pkt_diff_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)*state;
}

bool pkt_diff_setup(struct pkt_diff *d, const char *path, const char *const *progs, int n,
		    const char *optional, const char *note)
{
	char reason[128];

	memset(d, 0, sizeof(*d));
	for (int p = 0; p < PKT_DIFF_MAX_PROGS; p++)
		d->kfd[p] = d->bfd[p] = -1;
	if (!path) {
		printf("SKIP: clang-19 or libbpf-dev was not found at build time; no BPF objects\n");
		return false;
	}
	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return false;
	}
	ASSERT_TRUE(n <= PKT_DIFF_MAX_PROGS, "programs to compare");
	d->n = n < PKT_DIFF_MAX_PROGS ? n : PKT_DIFF_MAX_PROGS;
	d->k = malloc(sizeof(*d->k));
	d->b = malloc(sizeof(*d->b));
	ASSERT_TRUE(d->k && d->b, "room for the outcomes");
	d->obj = bpfhost_object__open_file(path, NULL);
	ASSERT_TRUE(d->obj != NULL, "open");
	if (d->obj)
		ASSERT_OK(bpfhost_object__load(d->obj), "load in bpfhost (the section names select the types)");
	if (!d->k || !d->b || !d->obj || !kmirror_maps(d->obj, &d->km)) {
		pkt_diff_teardown(d);
		return false;
	}
	for (int p = 0; p < d->n; p++) {
		const struct bpfhost_program *prog = bpfhost_object__find_program_by_name(d->obj, progs[p]);

		ASSERT_TRUE(prog != NULL, progs[p]);
		d->bfd[p] = prog ? bpfhost_program__fd(prog) : -1;
		d->kfd[p] = prog ? kmirror_load(prog, &d->km, bpfhost_program__type(prog)) : -1;
		if (d->kfd[p] < 0 && optional && !strcmp(progs[p], optional))
			printf("NOTE: %s (%d)\n", note, d->kfd[p]);
		else
			ASSERT_GE(d->kfd[p], 0, "the kernel accepts the program");
	}
	return true;
}

void pkt_diff_teardown(struct pkt_diff *d)
{
	for (int p = 0; p < d->n; p++)
		if (d->kfd[p] >= 0)
			kbpf_close(d->kfd[p]);
	kmirror_close(&d->km);
	bpfhost_object__close(d->obj);
	free(d->k);
	free(d->b);
	memset(d, 0, sizeof(*d));
}

void pkt_diff_run(int kfd, int bfd, const uint8_t *f, size_t len, const void *ctx_in, uint32_t ctx_size_in,
		  uint32_t ctx_size_out, struct pkt_outcome *k, struct pkt_outcome *b)
{
	struct kbpf_test_run kt = {
		.data_in = f, .data_size_in = (uint32_t)len, .data_out = k->data,
		.data_size_out = sizeof(k->data), .ctx_in = ctx_in, .ctx_size_in = ctx_size_in,
		.ctx_out = ctx_size_out ? k->ctx : NULL, .ctx_size_out = ctx_size_out,
	};
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = f, .data_size_in = (uint32_t)len,
		     .data_out = b->data, .data_size_out = sizeof(b->data), .ctx_in = ctx_in,
		     .ctx_size_in = ctx_size_in, .ctx_out = ctx_size_out ? b->ctx : NULL,
		     .ctx_size_out = ctx_size_out);

	memset(k, 0, sizeof(*k));
	memset(b, 0, sizeof(*b));
	k->err = kbpf_prog_test_run_full(kfd, &kt);
	k->retval = kt.retval;
	k->data_size = kt.data_size_out;
	k->ctx_size = kt.ctx_size_out;
	b->err = bpfhost_prog_test_run_opts(bfd, &o);
	b->retval = o.retval;
	b->data_size = o.data_size_out;
	b->ctx_size = o.ctx_size_out;
}

/* The first byte of @what where @b and @k differ, printed. */
static void print_first_difference(const char *name, const char *what, const uint8_t *b, const uint8_t *k,
				   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != k[i]) {
			fprintf(stderr, "%s: %s byte %zu: bpfhost 0x%02x, kernel 0x%02x\n", name, what, i, b[i],
				k[i]);
			return;
		}
}

bool pkt_diff_agree(const struct pkt_outcome *k, const struct pkt_outcome *b, const char *name)
{
	bool same = b->err == k->err;

	ASSERT_EQ(b->err, k->err, name);
	if (!same || k->err)
		return same;
	ASSERT_EQ(b->retval, k->retval, name);
	ASSERT_EQ(b->data_size, k->data_size, name);
	ASSERT_EQ(b->ctx_size, k->ctx_size, name);
	same = b->retval == k->retval && b->data_size == k->data_size && b->ctx_size == k->ctx_size;
	if (same && k->data_size <= sizeof(k->data) && memcmp(b->data, k->data, k->data_size)) {
		print_first_difference(name, "data_out", b->data, k->data, k->data_size);
		ASSERT_TRUE(false, "data_out differs");
		same = false;
	}
	if (same && memcmp(b->ctx, k->ctx, sizeof(k->ctx))) {
		print_first_difference(name, "ctx_out", b->ctx, k->ctx, sizeof(k->ctx));
		ASSERT_TRUE(false, "ctx_out differs");
		same = false;
	}
	return same;
}

void pkt_diff_print_case(const char *what, const struct pkt_outcome *k, const struct pkt_outcome *b)
{
	printf("  %-32s kernel %d (retval 0x%x, out %u), bpfhost %d (retval 0x%x, out %u)\n", what, k->err,
	       k->retval, k->data_size, b->err, b->retval, b->data_size);
}
