/* SPDX-License-Identifier: MIT */
/*
 * The kernel as the oracle for packet programs (TC, XDP): one object's
 * programs loaded in bpfhost and in the kernel, each frame run through
 * BPF_PROG_TEST_RUN in both, and the two outcomes compared.
 */
#ifndef BPFHOST_TEST_PACKET_DIFF_H
#define BPFHOST_TEST_PACKET_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_mirror.h"

#define PKT_DIFF_MAX_PROGS 16
#define PKT_DIFF_CTX_MAX 192	/* a __sk_buff; an xdp_md is 24 bytes */

/* xorshift64: the same frames in the same order on every run, from @state's seed. */
uint32_t pkt_diff_rand(uint64_t *state);

/* One side's BPF_PROG_TEST_RUN: its error, or its verdict, frame and context. */
struct pkt_outcome {
	int err;
	uint32_t retval, data_size, ctx_size;
	uint8_t data[20000];
	uint8_t ctx[PKT_DIFF_CTX_MAX];
};

struct pkt_diff {
	struct bpfhost_object *obj;
	struct kmirror km;
	int n;
	int kfd[PKT_DIFF_MAX_PROGS], bfd[PKT_DIFF_MAX_PROGS];
	struct pkt_outcome *k, *b;	/* room for one run's outcomes (too big for the stack) */
};

/*
 * Loads the object at @path in bpfhost and its programs @progs[@n] in the
 * kernel (with mirrored maps). Every program must load in both, but
 * @optional (NULL: none), which the kernel may refuse: its kfd is then -1
 * and @note is printed. false, with SKIP printed, where bpf(2) is missing
 * or @path is NULL (the test's BPF objects were not built: bpf_objects.h);
 * false, with what failed asserted and all undone, on a failure.
 */
bool pkt_diff_setup(struct pkt_diff *d, const char *path, const char *const *progs, int n,
		    const char *optional, const char *note);
void pkt_diff_teardown(struct pkt_diff *d);

/*
 * Runs frame @f (@len bytes) through kernel program @kfd and bpfhost
 * program @bfd, with @ctx_in (@ctx_size_in bytes, NULL: none) and a
 * ctx_out of @ctx_size_out bytes (0: none).
 */
void pkt_diff_run(int kfd, int bfd, const uint8_t *f, size_t len, const void *ctx_in, uint32_t ctx_size_in,
		  uint32_t ctx_size_out, struct pkt_outcome *k, struct pkt_outcome *b);
/* Asserts the same error, or the same verdict, frame and context (@name on a failure): false on a difference. */
bool pkt_diff_agree(const struct pkt_outcome *k, const struct pkt_outcome *b, const char *name);

/* Prints one line for case @what: each side's error, verdict and data_out size. */
void pkt_diff_print_case(const char *what, const struct pkt_outcome *k, const struct pkt_outcome *b);

#endif /* BPFHOST_TEST_PACKET_DIFF_H */
