// SPDX-License-Identifier: MIT
/*
 * Custom map overhead: a hash-based custom map type (bench/ext/bench_provider.c,
 * whose callbacks only count calls) against a plain HASH map, the same
 * workload through bpfhost_sys_bpf, measured in turns. The ratio is the
 * custom map's time over the plain map's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "bench.h"

#ifndef BPFHOST_BENCH_MODULE
#error "BPFHOST_BENCH_MODULE must name bench_provider.so (bench/CMakeLists.txt)"
#endif

static void unavailable(struct bench_table *t, const char *why)
{
	static const char *const names[] = { "custom HASH lookup", "custom HASH update",
					      "custom HASH delete" };

	for (int i = 0; i < 3; i++)
		if (bench_selected(names[i]))
			snprintf(bench_row_add(t, names[i])->note, sizeof(t->rows[0].note), "(%.150s)", why);
}

/* What the provider counted, read from the loaded module (proves the callbacks ran). */
static void print_provider_calls(void)
{
	void *dl = dlopen(BPFHOST_BENCH_MODULE, RTLD_NOW | RTLD_NOLOAD);
	void (*calls)(unsigned long long out[3]);
	unsigned long long n[3];

	if (!dl)
		return;
	*(void **)&calls = dlsym(dl, "bench_provider_calls");
	if (calls) {
		calls(n);
		printf("custom map provider callbacks ran: find %llu, update %llu, delete %llu\n",
		       n[0], n[1], n[2]);
	}
	dlclose(dl);
}

void bench_custom_section(struct bench_table *t)
{
	static const enum bench_op ops[] = { BENCH_LOOKUP, BENCH_UPDATE, BENCH_DELETE };
	static const char *const names[] = { "custom HASH lookup", "custom HASH update",
					     "custom HASH delete" };
	char why[512] = "";
	struct bench_keys k;
	struct bench_pass p;
	int module, cfd, pfd, err, reps = bench_repeats();

	if (!bench_selected("custom HASH"))
		return;
	module = bpfhost_extension_load(BPFHOST_BENCH_MODULE);
	if (module < 0) {
		snprintf(why, sizeof(why), "loading %s: %s", BPFHOST_BENCH_MODULE, bpfhost_last_error());
		unavailable(t, why);
		return;
	}
	bench_keys_init(&k, BENCH_HASH, 0xc057011ULL);
	cfd = bench_bpfhost.create(BPFHOST_BENCH_MAP_TYPE, 4, 8, BENCH_ENTRIES, 0, why, sizeof(why));
	pfd = cfd < 0 ? -1 : bench_bpfhost.create(BENCH_HASH, 4, 8, BENCH_ENTRIES, 0, why, sizeof(why));
	if (cfd < 0 || pfd < 0) {
		unavailable(t, why);
		goto out;
	}
	if ((err = bench_fill(&bench_bpfhost, cfd, &k)) || (err = bench_fill(&bench_bpfhost, pfd, &k))) {
		snprintf(why, sizeof(why), "filling: %s", strerror(-err));
		unavailable(t, why);
		goto out;
	}
	bench_bpfhost.pass(cfd, BENCH_LOOKUP, &k, BENCH_WARMUP, &p);
	bench_bpfhost.pass(pfd, BENCH_LOOKUP, &k, BENCH_WARMUP, &p);
	for (int o = 0; o < 3; o++) {
		double custom[128], plain[128];
		uint64_t fails = 0;
		struct bench_row *r;

		if (!bench_selected(names[o]))
			continue;
		r = bench_row_add(t, names[o]);
		r->available = r->have_peer = true;
		snprintf(r->base_name, sizeof(r->base_name), "plain HASH");
		r->ratio_unit = "time";
		for (int i = 0; i < reps; i++) {
			bench_bpfhost.pass(cfd, ops[o], &k, BENCH_OPS, &p);
			custom[i] = (double)p.ns / (double)p.ops;
			fails += p.fails;
			bench_bpfhost.pass(pfd, ops[o], &k, BENCH_OPS, &p);
			plain[i] = (double)p.ns / (double)p.ops;
			fails += p.fails;
		}
		r->ns_op = bench_median(custom, reps);
		r->peer_ns_op = bench_median(plain, reps);
		r->ratio = r->ns_op / r->peer_ns_op;
		if (ops[o] == BENCH_LOOKUP)
			bench_row_judge(r, "<= 1.3x", 1.3, false);
		else if (ops[o] == BENCH_UPDATE)
			bench_row_judge(r, "<= 1.5x", 1.5, false);
		if (fails)
			snprintf(r->note, sizeof(r->note), "%llu operations failed", (unsigned long long)fails);
	}
out:
	if (cfd >= 0)
		bench_bpfhost.close(cfd);
	if (pfd >= 0)
		bench_bpfhost.close(pfd);
	bench_keys_free(&k);
	print_provider_calls();
	err = bpfhost_extension_unload(module, 0);
	if (err)
		fprintf(stderr, "bench: unloading the provider: %s\n", bpfhost_last_error());
	fprintf(stderr, "bench: custom map done\n");
}
