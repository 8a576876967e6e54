// SPDX-License-Identifier: MIT
/*
 * Program load (issue 11, PERFORMANCE.md "program load"): bpfhost_prog_load()
 * (verification included) against the kernel's BPF_PROG_LOAD (its verifier
 * and JIT) of the same relocated instructions, in turns, in the same run.
 *
 * The programs are those both can load: every program of the test objects
 * (<build>/tests/bpf_objects, socket filters and XDP) that both accept, the
 * verifier corpus' accept_* programs (<build>/tests/verifier_corpus), and a
 * bounded loop whose verification walks 10,000 iterations of 10
 * instructions in both (~100K processed). Objects are opened and prepared
 * through bpfhost; kernel maps mirror theirs. The extension programs of
 * packages/sample-ext have no kernel peer and are not measured here.
 *
 * Each sample is one load; a set's figure is the sum of its programs'
 * medians. The processed-instruction counts come from each verifier's
 * statistics line ("processed N insns", log_level 4), read once per program.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/libbpf.h"
#include "bpfhost/uapi.h"
#include "bench.h"
#include "insn_build.h"
#include "kernel_bpf.h"

#define LOAD_DEFAULT_REPEATS 21
#define LOAD_MAX_PROGS 384
#define LOAD_MAX_SETS 48
#define LOAD_MAX_OBJS 48
#define LOAD_MAX_FUNCS 64
#define LOAD_TARGET 10.0	/* PERFORMANCE.md: >= 10x faster than the kernel's load */
#define LOOP_ITERS 10000
#define LOAD_WORST_SHOWN 12

struct load_prog {
	char name[64];
	int set;
	uint32_t type;
	struct bpf_insn *bh_insns, *k_insns;	/* map references: bpfhost handles / kernel fds */
	uint32_t cnt;
	uint32_t funcs[LOAD_MAX_FUNCS], nfuncs;	/* func_info, for programs taking a callback */
	int btf_fd;
	uint64_t bh_processed, k_processed;
	double *bh_us, *k_us;			/* one sample per repeat */
	double bh_med, k_med;
};

struct load_set {
	char name[40];
	int nprogs;
	bool corpus;			/* one of the verifier corpus' categories */
	double bh_us, k_us, worst;
	uint64_t bh_processed, k_processed;
};

/* An opened object and its kernel mirror, kept until the section ends. */
struct load_obj {
	struct bpfhost_object *obj;
	int bh_fd[16], k_fd[16], nmaps;
};

static struct load_prog progs[LOAD_MAX_PROGS];
static struct load_set sets[LOAD_MAX_SETS];
static struct load_obj objs[LOAD_MAX_OBJS];
static int nprogs, nsets, nobjs;
static char logbuf[1 << 16];

static uint64_t processed_of(const char *log)
{
	const char *p = strstr(log, "processed ");

	return p ? strtoull(p + 10, NULL, 10) : 0;
}

static int bh_load(const struct load_prog *p, uint32_t log_level)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, o, .log_level = log_level, .log_size = sizeof(logbuf),
		     .log_buf = logbuf);

	return bpfhost_prog_load(p->type, p->name, "GPL", p->bh_insns, p->cnt, log_level ? &o : NULL);
}

static int k_load(const struct load_prog *p, uint32_t log_level)
{
	return kbpf_prog_load_log(p->type, p->k_insns, p->cnt, "GPL", p->btf_fd, p->funcs, p->nfuncs, log_level,
				  log_level ? logbuf : NULL, sizeof(logbuf));
}

/*
 * Why a program is left out (refused by one side): the log's last line that
 * is neither an instruction, a state nor statistics.
 */
static void exclude(struct load_set *s, const char *prog, const char *who, int err, const char *why)
{
	const char *best = why, *p = why;
	int best_len = (int)strcspn(why, "\n");

	while (*p) {
		int n = (int)strcspn(p, "\n");

		if (n && !(*p >= '0' && *p <= '9') && *p != '(' && *p != ';' && *p != ' ' &&
		    strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			best = p;
			best_len = n;
		}
		p += n + (p[n] == '\n');
	}
	printf("  load: %s/%s left out: %s refuses it (%d): %.*s\n", s->name, prog, who, err,
	       best_len < 150 ? best_len : 150, best);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Fills in the kernel's copy of @p's instructions and, when the program
 * takes a callback's address (bpf_loop), the function starts the kernel's
 * func_info needs (it refuses callbacks without BTF).
 */
static int kernel_side(struct load_prog *p, const struct load_obj *o)
{
	bool callback = false;

	p->k_insns = malloc(p->cnt * sizeof(*p->k_insns));
	if (!p->k_insns)
		return -ENOMEM;
	memcpy(p->k_insns, p->bh_insns, p->cnt * sizeof(*p->k_insns));
	p->funcs[0] = 0;
	p->nfuncs = 1;
	p->btf_fd = -1;
	for (uint32_t i = 0; i < p->cnt; i++) {
		struct bpf_insn *in = &p->k_insns[i];
		bool ld64 = in->code == (BPF_LD | BPF_IMM | BPF_DW);
		bool call = in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;

		if (ld64 && o && (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE)) {
			int k = -1;

			for (int m = 0; m < o->nmaps; m++)
				if (o->bh_fd[m] == in->imm)
					k = o->k_fd[m];
			in->imm = k;
		}
		callback |= ld64 && in->src_reg == BPF_PSEUDO_FUNC;
		if ((call || (ld64 && in->src_reg == BPF_PSEUDO_FUNC)) && p->nfuncs < LOAD_MAX_FUNCS) {
			int64_t t = (int64_t)i + in->imm + 1;
			bool seen = false;

			for (uint32_t k = 0; k < p->nfuncs; k++)
				seen |= p->funcs[k] == (uint32_t)t;
			if (!seen && t > 0 && t < (int64_t)p->cnt)
				p->funcs[p->nfuncs++] = (uint32_t)t;
		}
	}
	qsort(p->funcs, p->nfuncs, sizeof(p->funcs[0]), cmp_u32);
	if (!callback) {
		p->nfuncs = 0;
		return 0;
	}
	p->btf_fd = kbpf_func_btf_load(p->nfuncs);
	return p->btf_fd < 0 ? p->btf_fd : 0;
}

/* Both load @p once with statistics: true (counts filled in) when both accept it. */
static bool admit(struct load_set *s, struct load_prog *p, const struct load_obj *o)
{
	int fd, err = kernel_side(p, o);

	if (err) {
		exclude(s, p->name, "the bench", err, "kernel instructions or BTF not prepared");
		return false;
	}
	fd = k_load(p, 4);
	if (fd < 0) {
		/* Level 1 for the reason (level 4 carries statistics only). */
		int again = k_load(p, 1);

		if (again >= 0)
			kbpf_close(again);
		exclude(s, p->name, "the kernel", fd, logbuf[0] ? logbuf : "no log");
		return false;
	}
	p->k_processed = processed_of(logbuf);
	kbpf_close(fd);
	fd = bh_load(p, 4);
	if (fd < 0) {
		exclude(s, p->name, "bpfhost", fd, bpfhost_last_error());
		return false;
	}
	p->bh_processed = processed_of(logbuf);
	bpfhost_close(fd);
	return true;
}

static struct load_set *set_add(const char *name)
{
	struct load_set *s;

	if (nsets == LOAD_MAX_SETS)
		return NULL;
	s = &sets[nsets++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

static struct load_prog *prog_add(int set, const char *name, uint32_t type, const struct bpf_insn *insns,
				  uint32_t cnt)
{
	struct load_prog *p;

	if (nprogs == LOAD_MAX_PROGS)
		return NULL;
	p = &progs[nprogs];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->set = set;
	p->btf_fd = -1;
	p->type = type;
	p->cnt = cnt;
	p->bh_insns = malloc(cnt * sizeof(*insns));
	if (!p->bh_insns)
		return NULL;
	memcpy(p->bh_insns, insns, cnt * sizeof(*insns));
	return p;
}

static void prog_drop(struct load_prog *p)
{
	free(p->bh_insns);
	free(p->k_insns);
	if (p->btf_fd >= 0)
		kbpf_close(p->btf_fd);
	memset(p, 0, sizeof(*p));
}

/* Kernel maps like @o's (global data with its initial value, .rodata frozen); false with a note. */
static bool mirror_maps(struct load_obj *o, const char *set)
{
	const struct bpfhost_map *m;

	o->nmaps = 0;
	bpfhost_object__for_each_map(m, o->obj) {
		int fd = o->nmaps == 16 ? -E2BIG :
			 kbpf_map_create(bpfhost_map__type(m), bpfhost_map__key_size(m), bpfhost_map__value_size(m),
					 bpfhost_map__max_entries(m), bpfhost_map__map_flags(m), 0);

		if (fd < 0) {
			printf("  load: %s left out: the kernel does not create map '%s' (%d)\n", set,
			       bpfhost_map__name(m), fd);
			return false;
		}
		o->bh_fd[o->nmaps] = bpfhost_map__fd(m);
		o->k_fd[o->nmaps++] = fd;
		if (bpfhost_map__is_internal(m)) {
			size_t sz;
			const void *init = bpfhost_map__initial_value(m, &sz);
			uint32_t zero = 0;

			if ((init && kbpf_map_update(fd, &zero, init, 0)) ||
			    ((bpfhost_map__map_flags(m) & BPF_F_RDONLY_PROG) && kbpf_map_freeze(fd))) {
				printf("  load: %s left out: the kernel's '%s' does not take its initial value\n", set,
				       bpfhost_map__name(m));
				return false;
			}
		}
	}
	return true;
}

static void obj_close(struct load_obj *o)
{
	for (int m = 0; m < o->nmaps; m++)
		kbpf_close(o->k_fd[m]);
	o->nmaps = 0;
	bpfhost_object__close(o->obj);
	o->obj = NULL;
}

/* Every program of @path both accept joins set @set_name; corpus: accept_* programs only. */
static void add_object(const char *path, const char *set_name, bool corpus)
{
	struct load_set *s;
	struct load_obj *o;
	struct bpfhost_program *bp;
	int set, before = nprogs;

	if (nobjs == LOAD_MAX_OBJS || !(s = set_add(set_name)))
		return;
	set = (int)(s - sets);
	s->corpus = corpus;
	o = &objs[nobjs];
	o->obj = bpfhost_object__open_file(path, NULL);
	if (!o->obj || bpfhost_object__prepare(o->obj)) {
		printf("  load: %s left out: bpfhost does not open and prepare it: %s\n", set_name,
		       bpfhost_last_error());
		if (o->obj)
			bpfhost_object__close(o->obj);
		nsets--;
		return;
	}
	if (!mirror_maps(o, set_name)) {
		obj_close(o);
		nsets--;
		return;
	}
	nobjs++;
	bpfhost_object__for_each_program(bp, o->obj) {
		const char *name = bpfhost_program__name(bp);
		struct load_prog *p;

		if (corpus && strncmp(name, "accept_", 7))
			continue;
		p = prog_add(set, name, bpfhost_program__type(bp), bpfhost_program__insns(bp),
			     (uint32_t)bpfhost_program__insn_cnt(bp));
		if (!p)
			break;
		if (admit(s, p, o))
			nprogs++;
		else
			prog_drop(p);
	}
	s->nprogs = nprogs - before;
	if (!s->nprogs)
		nsets--;
}

#if defined(BPFHOST_BENCH_BPF_DIR) && defined(BPFHOST_BENCH_CORPUS_DIR)
static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.bpf.o of @dir, in name order, one set each ("<prefix><name>"). */
static void add_dir(const char *dir, const char *prefix, bool corpus)
{
	char *names[LOAD_MAX_OBJS];
	int n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		printf("  load: %s not found (build the tests first): its objects are left out\n", dir);
		return;
	}
	while ((e = readdir(d)) && n < LOAD_MAX_OBJS) {
		size_t len = strlen(e->d_name);

		if (len > 6 && !strcmp(e->d_name + len - 6, ".bpf.o"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	for (int i = 0; i < n; i++) {
		char path[4096], set[40];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(set, sizeof(set), "%s%.*s", prefix, (int)(strlen(names[i]) - 6), names[i]);
		add_object(path, set, corpus);
		free(names[i]);
	}
}
#endif

/*
 * The loop: a counter from LOOP_ITERS down to 0 around 8 ALU operations on
 * known constants. Both verifiers follow every iteration (the counter is
 * exact and decides the branch), 4 + 10 x LOOP_ITERS + 1 instructions.
 */
static void add_loop(void)
{
	struct bpf_insn insns[16];
	struct load_set *s = set_add("loop, 10,000 iterations");
	struct load_prog *p;
	uint32_t n = 0, body;

	if (!s)
		return;
	insns[n++] = MOV64_IMM(0, 1);
	insns[n++] = MOV64_IMM(2, 0x3779b9);
	insns[n++] = MOV64_IMM(3, 7);
	insns[n++] = MOV64_IMM(1, LOOP_ITERS);
	body = n;
	insns[n++] = ALU64_REG(BPF_ADD, 0, 2);
	insns[n++] = MOV64_REG(4, 0);
	insns[n++] = ALU64_IMM(BPF_LSH, 4, 13);
	insns[n++] = ALU64_REG(BPF_XOR, 0, 4);
	insns[n++] = MOV64_REG(4, 0);
	insns[n++] = ALU64_IMM(BPF_RSH, 4, 7);
	insns[n++] = ALU64_REG(BPF_XOR, 0, 4);
	insns[n++] = ALU64_REG(BPF_MUL, 0, 3);
	insns[n++] = ALU64_IMM(BPF_SUB, 1, 1);
	insns[n] = JMP_IMM(BPF_JNE, 1, 0, -(int16_t)(n + 1 - body));
	n++;
	insns[n++] = EXIT();
	p = prog_add((int)(s - sets), "loop", BPF_PROG_TYPE_SOCKET_FILTER, insns, n);
	if (p && admit(s, p, NULL)) {
		nprogs++;
		s->nprogs = 1;
	} else {
		if (p)
			prog_drop(p);
		nsets--;
	}
}

static double timed_load(const struct load_prog *p, bool bpfhost, bool *ok)
{
	uint64_t t0 = bench_now_ns();
	int fd = bpfhost ? bh_load(p, 0) : k_load(p, 0);
	double us = (double)(bench_now_ns() - t0) / 1e3;

	*ok = fd >= 0;
	if (fd >= 0) {
		if (bpfhost)
			bpfhost_close(fd);
		else
			kbpf_close(fd);
	}
	return us;
}

static int load_repeats(void)
{
	const char *s = getenv("BPFHOST_BENCH_REPEATS");

	return s ? bench_repeats() : LOAD_DEFAULT_REPEATS;
}

static void measure(int reps)
{
	int failures = 0;

	for (int i = 0; i < nprogs; i++) {
		progs[i].bh_us = calloc((size_t)reps, sizeof(double));
		progs[i].k_us = calloc((size_t)reps, sizeof(double));
		if (!progs[i].bh_us || !progs[i].k_us) {
			fprintf(stderr, "bench: out of memory for load samples\n");
			exit(1);
		}
	}
	for (int r = 0; r < reps; r++) {
		for (int i = 0; i < nprogs; i++) {
			struct load_prog *p = &progs[i];
			bool ok1, ok2;

			/* Who goes first alternates: neither always finds the caches warm. */
			if (r % 2) {
				p->k_us[r] = timed_load(p, false, &ok2);
				p->bh_us[r] = timed_load(p, true, &ok1);
			} else {
				p->bh_us[r] = timed_load(p, true, &ok1);
				p->k_us[r] = timed_load(p, false, &ok2);
			}
			failures += !ok1 + !ok2;
		}
		/* Closed programs are freed after a grace period; not timed. */
		bpfhost_synchronize();
	}
	if (failures)
		printf("  load: %d timed loads failed after the first succeeded\n", failures);
	for (int i = 0; i < nprogs; i++) {
		struct load_prog *p = &progs[i];
		struct load_set *s = &sets[p->set];
		double ratio;

		p->bh_med = bench_median(p->bh_us, reps);
		p->k_med = bench_median(p->k_us, reps);
		ratio = p->k_med / p->bh_med;
		s->bh_us += p->bh_med;
		s->k_us += p->k_med;
		s->bh_processed += p->bh_processed;
		s->k_processed += p->k_processed;
		if (s->worst == 0 || ratio < s->worst)
			s->worst = ratio;
	}
}

static void print_set(const struct load_set *s)
{
	double ratio = s->k_us / s->bh_us;
	char processed[48];

	snprintf(processed, sizeof(processed), "%llu / %llu", (unsigned long long)s->bh_processed,
		 (unsigned long long)s->k_processed);
	printf("%-30s %5d %11.1f %11.1f %8.1fx %8.1fx  %-21s %-7s %s\n", s->name, s->nprogs, s->bh_us, s->k_us,
	       ratio, s->worst, processed, ">= 10x", ratio >= LOAD_TARGET ? "met" : "NOT MET");
}

static int cmp_ratio(const void *a, const void *b)
{
	const struct load_prog *x = &progs[*(const int *)a], *y = &progs[*(const int *)b];
	double rx = x->k_med / x->bh_med, ry = y->k_med / y->bh_med;

	return (rx > ry) - (rx < ry);
}

/* The @n programs with the lowest ratios, lowest first: where the verifier is slowest. */
static void print_worst(int n)
{
	static int order[LOAD_MAX_PROGS];

	for (int i = 0; i < nprogs; i++)
		order[i] = i;
	qsort(order, (size_t)nprogs, sizeof(order[0]), cmp_ratio);
	if (n > nprogs)
		n = nprogs;
	printf("lowest ratios:\n");
	for (int i = 0; i < n; i++) {
		const struct load_prog *p = &progs[order[i]];
		char what[112];

		snprintf(what, sizeof(what), "%s/%s", sets[p->set].name, p->name);
		printf("  %-52s bpfhost %9.1f us (%6llu processed), kernel %9.1f us (%6llu), %5.1fx\n",
		       what, p->bh_med, (unsigned long long)p->bh_processed, p->k_med,
		       (unsigned long long)p->k_processed, p->k_med / p->bh_med);
	}
}

/*
 * BPFHOST_BENCH_LOAD_PROFILE=<text>: loads only the programs whose set or
 * name contains it, bpfhost only, over and over for about two seconds, and
 * prints the time per load: a run to put under perf or callgrind.
 * BPFHOST_BENCH_LOAD_COLD=<text> puts a kernel load of the programs whose
 * name contains it ("=." the same program) before each bpfhost load, as the
 * timed section does: a big kernel load leaves bpfhost's caches and TLB
 * cold, which costs a small program more than its walk.
 */
static void profile_only(const char *match)
{
	uint64_t t0, n = 0;
	double bh_us = 0;
	const char *cold = getenv("BPFHOST_BENCH_LOAD_COLD");
	bool ok = true;
	int chosen = 0;

	if (cold && !*cold)
		cold = NULL;
	for (int i = 0; i < nprogs; i++) {
		progs[i].k_med = strstr(sets[progs[i].set].name, match) || strstr(progs[i].name, match) ? 1 : 0;
		chosen += progs[i].k_med > 0;
		if (progs[i].k_med > 0 && bh_load(&progs[i], 4) >= 0) {
			const char *st = strstr(logbuf, "processed ");

			printf("  %s/%s: %s", sets[progs[i].set].name, progs[i].name, st ? st : "no statistics\n");
		}
		/* BPFHOST_BENCH_LOAD_LOG=<level>: both verifiers' logs, to compare their walks. */
		if (progs[i].k_med > 0 && getenv("BPFHOST_BENCH_LOAD_LOG")) {
			uint32_t level = (uint32_t)atoi(getenv("BPFHOST_BENCH_LOAD_LOG"));

			bh_load(&progs[i], level);
			printf("--- bpfhost log of %s:\n%s", progs[i].name, logbuf);
			k_load(&progs[i], level);
			printf("--- kernel log of %s:\n%s", progs[i].name, logbuf);
		}
	}
	t0 = bench_now_ns();
	while (chosen && ok && bench_now_ns() - t0 < 2000000000ull) {
		for (int i = 0; i < nprogs; i++) {
			if (progs[i].k_med <= 0)
				continue;
			for (int k = 0; cold && k < nprogs; k++)
				if (strcmp(cold, ".") ? strstr(progs[k].name, cold) != NULL : k == i)
					timed_load(&progs[k], false, &ok);
			bh_us += timed_load(&progs[i], true, &ok);
		}
		bpfhost_synchronize();
		n++;
	}
	printf("program load profile: %d programs matching '%s'%s, %llu rounds, %.2f us of bpfhost loads per "
	       "round%s\n", chosen, match, cold ? " (each after kernel loads)" : "", (unsigned long long)n,
	       n ? bh_us / (double)n : 0.0, ok ? "" : " (a load failed)");
}

void bench_load_section(void)
{
	const char *profile = getenv("BPFHOST_BENCH_LOAD_PROFILE");
	char why[256];
	struct load_set corpus = { .name = "corpus (all accept_*)" };
	int reps = load_repeats(), below = 0, met = 0, judged = 0;

	if (!bench_selected("program load"))
		return;
	printf("\nprogram load: bpfhost_prog_load (verification included) vs the kernel's BPF_PROG_LOAD "
	       "(verifier + JIT), the same relocated instructions\n");
	if (kbpf_probe(why, sizeof(why))) {
		printf("program load: skipped (kernel bpf(2): %s)\n", why);
		return;
	}
#if defined(BPFHOST_BENCH_BPF_DIR) && defined(BPFHOST_BENCH_CORPUS_DIR)
	add_dir(BPFHOST_BENCH_BPF_DIR, "", false);
	add_dir(BPFHOST_BENCH_CORPUS_DIR, "corpus ", true);
#else
	(void)add_object;	/* used by add_dir() only, which needs the built objects */
	printf("  load: clang-19 or libbpf-dev was not found at configure time: the loop only\n");
#endif
	add_loop();
	if (profile) {
		profile_only(profile);
		goto out;
	}
	fprintf(stderr, "bench: program load: %d programs in %d sets, %d repeats\n", nprogs, nsets, reps);
	measure(reps);

	printf("method: %d repeats of one load each, bpfhost and the kernel in turns (who goes first "
	       "alternates), per-program medians summed per set; processed: each verifier's \"processed N "
	       "insns\" (log_level 4)\n", reps);
	printf("\n%-30s %5s %11s %11s %9s %9s  %-21s %-7s %s\n", "programs", "progs", "bpfhost us", "kernel us",
	       "ratio", "worst", "processed bh / kernel", "target", "result");
	printf("%.*s\n", 124, "----------------------------------------------------------------"
	       "------------------------------------------------------------------------------");
	for (int i = 0; i < nsets; i++) {
		const struct load_set *s = &sets[i];

		print_set(s);
		judged++;
		met += s->k_us / s->bh_us >= LOAD_TARGET;
		if (s->corpus) {
			corpus.nprogs += s->nprogs;
			corpus.bh_us += s->bh_us;
			corpus.k_us += s->k_us;
			corpus.bh_processed += s->bh_processed;
			corpus.k_processed += s->k_processed;
			if (corpus.worst == 0 || s->worst < corpus.worst)
				corpus.worst = s->worst;
		}
	}
	if (corpus.nprogs)
		print_set(&corpus);
	printf("\nratio: kernel load time over bpfhost's (speed-up); worst: the set's program with the lowest "
	       "ratio\n");
	for (int i = 0; i < nprogs; i++)
		below += progs[i].k_med / progs[i].bh_med < LOAD_TARGET;
	printf("program load: %d of %d sets meet >= 10x; %d of %d programs are below 10x on their own\n", met,
	       judged, below, nprogs);
	print_worst(LOAD_WORST_SHOWN);
out:
	for (int i = 0; i < nprogs; i++) {
		free(progs[i].bh_us);
		free(progs[i].k_us);
		prog_drop(&progs[i]);
	}
	for (int i = 0; i < nobjs; i++)
		obj_close(&objs[i]);
	nprogs = nsets = nobjs = 0;
	fprintf(stderr, "bench: program load done\n");
}
