// SPDX-License-Identifier: MIT
/*
 * Stress: programs running while everything they touch changes.
 *
 * Socket filters: two runner threads test-run a program (found by id, so
 * each run holds its own handle) that looks up, inserts, bumps (atomic add)
 * and deletes keys of a shared HASH map, does atomic adds on an ARRAY value
 * and tail-calls slot 0 of a PROG_ARRAY. A mutator thread updates and
 * deletes the same hash keys from user space and keeps replacing (or
 * emptying) the tail-call slot with fresh programs; the main thread keeps
 * reloading the program and closing the old one. The atomic counters must
 * come out exact: ADDS per run, one per run that ended in a tail call.
 *
 * Hooks: with tests/ext/test_prog_provider.so (program type 4200, hook
 * 4300 whose trigger runs every link and sums the results), two threads
 * trigger the hook while another creates, detaches and closes links, then
 * the module is force-unloaded under them: triggers must then fail with
 * -ENOENT/-ENODEV (never crash), and each successful trigger's sum must
 * match the programs it says ran.
 *
 * Bounded in time (about 1.5 s); run under ASan and TSan (stress label).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "test.h"
#include "insn.h"

#define ATOMIC_ADD64(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)

#define RUNNERS 2
#define PHASE1_MS 700
#define PHASE2_MS 700
#define NKEYS 8			/* hash keys the programs and the mutator share */
#define ADDS 4			/* atomic adds of the run counter per run */
#define TAIL_BASE 1000		/* tail-call targets return TAIL_BASE + generation */

#define TP_PROG_TYPE 4200u
#define TP_ATTACH 4300u
#define TP_HELPER_ADD 65600
#define MAX_LINKS 6		/* links the churner keeps open at most */

/* ---- shared helpers ------------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* What a thread saw that it should not have: checked by the main thread after join. */
struct errors {
	long n;
	char first[240];
};

static void note(struct errors *e, const char *what, int ret)
{
	if (!e->n++)
		snprintf(e->first, sizeof(e->first), "%s: %d (%s)", what, ret,
			 bpfhost_last_error());
}

static void check_errors(const struct errors *e, const char *who)
{
	char name[320];

	snprintf(name, sizeof(name), "%s: unexpected results (first: %s)", who,
		 e->n ? e->first : "-");
	ASSERT_EQ(e->n, 0, name);
}

/* A tiny assembler: jumps name a label, resolved when the program is done. */
struct prog_buf {
	struct bpf_insn insn[96];
	int n, label[8], fix_at[16], fix_label[16], nfix;
};

static void emit(struct prog_buf *b, const struct bpf_insn *insns, int n)
{
	for (int i = 0; i < n && b->n < (int)(sizeof(b->insn) / sizeof(b->insn[0])); i++)
		b->insn[b->n++] = insns[i];
}
#define EMIT(b, ...)                                                                       \
	emit(b, (const struct bpf_insn[]){ __VA_ARGS__ },                                   \
	     sizeof((const struct bpf_insn[]){ __VA_ARGS__ }) / sizeof(struct bpf_insn))

static void jump(struct prog_buf *b, struct bpf_insn j, int label)
{
	b->fix_at[b->nfix] = b->n;
	b->fix_label[b->nfix++] = label;
	emit(b, &j, 1);
}

static void label(struct prog_buf *b, int l)
{
	b->label[l] = b->n;
}

static int load_buf(struct prog_buf *b, uint32_t type, const char *name)
{
	for (int i = 0; i < b->nfix; i++)
		b->insn[b->fix_at[i]].off = (int16_t)(b->label[b->fix_label[i]] - b->fix_at[i] - 1);
	return bpfhost_prog_load(type, name, "GPL", b->insn, (size_t)b->n, NULL);
}

/* ---- phase 1: socket filters on shared maps ------------------------------- */

static int hash_fd, array_fd, pa_fd;
static atomic_uint main_id;
static atomic_bool stop;
static uint8_t pkt[64];

/*
 * key = prandom % NKEYS; bump its value (atomic) or insert 1 (NOEXIST);
 * delete it one run in four; value[3] counts helper results no interleaving
 * allows; ADDS atomic adds to value[0]; tail call to slot 0; return 1.
 */
static int load_main(void)
{
	enum { L_MISS, L_DEL, L_BAD, L_COUNT };
	struct prog_buf b = { .n = 0 };

	EMIT(&b, MOV64_REG(6, 1), CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(7, 0), MOV64_REG(1, 7),
	     ALU64_IMM(BPF_AND, 1, NKEYS - 1), STX_MEM(BPF_W, 10, 1, -4), LD_MAP_FD(1, hash_fd),
	     MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem));
	jump(&b, JMP_IMM(BPF_JEQ, 0, 0, 0), L_MISS);
	EMIT(&b, MOV64_IMM(1, 1), ATOMIC_ADD64(0, 1, 0));
	jump(&b, JA(0), L_DEL);
	label(&b, L_MISS);
	EMIT(&b, ST_MEM(BPF_DW, 10, -16, 1), LD_MAP_FD(1, hash_fd), MOV64_REG(2, 10),
	     ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16),
	     MOV64_IMM(4, BPF_NOEXIST), CALL(BPF_FUNC_map_update_elem));
	jump(&b, JMP_IMM(BPF_JEQ, 0, 0, 0), L_DEL);
	jump(&b, JMP_IMM(BPF_JEQ, 0, -EEXIST, 0), L_DEL);	/* inserted meanwhile */
	jump(&b, JA(0), L_BAD);
	label(&b, L_DEL);
	EMIT(&b, MOV64_REG(1, 7), ALU64_IMM(BPF_RSH, 1, 8), ALU64_IMM(BPF_AND, 1, 3));
	jump(&b, JMP_IMM(BPF_JNE, 1, 0, 0), L_COUNT);
	EMIT(&b, LD_MAP_FD(1, hash_fd), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
	     CALL(BPF_FUNC_map_delete_elem));
	jump(&b, JMP_IMM(BPF_JEQ, 0, 0, 0), L_COUNT);
	jump(&b, JMP_IMM(BPF_JEQ, 0, -ENOENT, 0), L_COUNT);	/* deleted meanwhile */
	label(&b, L_BAD);
	EMIT(&b, LD_MAP_VALUE(1, array_fd, 24), MOV64_IMM(2, 1), ATOMIC_ADD64(1, 2, 0));
	label(&b, L_COUNT);
	EMIT(&b, LD_MAP_VALUE(1, array_fd, 0), MOV64_IMM(2, 1));
	for (int i = 0; i < ADDS; i++)
		EMIT(&b, ATOMIC_ADD64(1, 2, 0));
	EMIT(&b, MOV64_REG(1, 6), LD_MAP_FD(2, pa_fd), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call),
	     MOV64_IMM(0, 1), EXIT());
	return load_buf(&b, BPF_PROG_TYPE_SOCKET_FILTER, "stress_main");
}

/* The tail-call target of generation @gen: value[1] += 1, return TAIL_BASE + gen. */
static int load_tail(int gen)
{
	struct prog_buf b = { .n = 0 };

	EMIT(&b, LD_MAP_VALUE(1, array_fd, 8), MOV64_IMM(2, 1), ATOMIC_ADD64(1, 2, 0),
	     MOV64_IMM(0, TAIL_BASE + gen), EXIT());
	return load_buf(&b, BPF_PROG_TYPE_SOCKET_FILTER, "stress_tail");
}

struct runner {
	pthread_t thread;
	long runs, tails, misses;	/* misses: the id was gone before we got a handle */
	struct errors err;
};

static void *runner(void *arg)
{
	struct runner *r = arg;

	while (!atomic_load(&stop)) {
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
		/* By id: the handle is ours, so a concurrent close cannot swap the program. */
		int fd = bpfhost_prog_get_fd_by_id(atomic_load(&main_id)), ret;

		if (fd < 0) {
			if (fd != -ENOENT)
				note(&r->err, "prog_get_fd_by_id", fd);
			r->misses++;
			continue;
		}
		ret = bpfhost_prog_test_run_opts(fd, &o);
		if (ret)
			note(&r->err, "test run", ret);
		else if (o.retval == 1)
			r->runs++;
		else if (o.retval >= TAIL_BASE)
			r->runs++, r->tails++;
		else
			note(&r->err, "retval", (int)o.retval);
		ret = bpfhost_close(fd);
		if (ret)
			note(&r->err, "close own handle", ret);
	}
	return NULL;
}

struct mutator {
	pthread_t thread;
	long ops, replaced, emptied;
	struct errors err;
};

static void *mutator(void *arg)
{
	struct mutator *m = arg;
	uint32_t seed = 0x9e3779b9u, zero = 0;
	int gen = 1;

	while (!atomic_load(&stop)) {
		uint32_t r = next_rand(&seed), k = r % NKEYS, next;
		uint64_t v = r;
		int ret, fd;

		switch ((r >> 8) % 8) {
		case 0:
		case 1:
		case 2:
			ret = bpfhost_map_update_elem(hash_fd, &k, &v, BPF_ANY);
			if (ret)
				note(&m->err, "hash update", ret);
			break;
		case 3:
		case 4:
			ret = bpfhost_map_delete_elem(hash_fd, &k);
			if (ret && ret != -ENOENT)
				note(&m->err, "hash delete", ret);
			break;
		case 5:
			/* Keys only: values are the programs' to bump (atomics vs a copy). */
			ret = bpfhost_map_get_next_key(hash_fd, &k, &next);
			if ((ret && ret != -ENOENT) || (!ret && next >= NKEYS))
				note(&m->err, "hash get_next_key", ret ? ret : (int)next);
			break;
		case 6:
			fd = load_tail(gen++);
			if (fd < 0) {
				note(&m->err, "load tail target", fd);
				break;
			}
			ret = bpfhost_map_update_elem(pa_fd, &zero, &fd, BPF_ANY);
			if (ret)
				note(&m->err, "prog array update", ret);
			m->replaced++;
			/* The slot holds the program now; our handle goes. */
			bpfhost_close(fd);
			break;
		default:
			ret = bpfhost_map_delete_elem(pa_fd, &zero);
			if (ret && ret != -ENOENT)
				note(&m->err, "prog array delete", ret);
			m->emptied += !ret;
			break;
		}
		m->ops++;
	}
	return NULL;
}

static void pkt_init(void)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;
	for (size_t i = 14; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
}

static void socket_filters_on_shared_maps(void)
{
	struct runner runners[RUNNERS];
	struct mutator mut;
	struct bpf_prog_info info;
	uint32_t zero = 0, len, key, next;
	uint64_t vals[4], v;
	long runs = 0, tails = 0, misses = 0, reloads = 0, keys = 0;
	struct errors err = { 0 };
	int fd, tail0;
	uint64_t end;

	pkt_init();
	hash_fd = test_map(BPF_MAP_TYPE_HASH, "stress_hash", 4, 8, NKEYS, 0);
	array_fd = test_map(BPF_MAP_TYPE_ARRAY, "stress_cnt", 4, sizeof(vals), 1, 0);
	pa_fd = test_map(BPF_MAP_TYPE_PROG_ARRAY, "stress_pa", 4, 4, 4, 0);
	fd = load_main();
	ASSERT_GE(fd, 1, "load the main program");
	tail0 = load_tail(0);
	ASSERT_GE(tail0, 1, "load the first tail-call target");
	if (fd < 1 || tail0 < 1)
		return;
	ASSERT_OK(bpfhost_map_update_elem(pa_fd, &zero, &tail0, BPF_ANY), "fill the slot");
	bpfhost_close(tail0);
	len = sizeof(info);
	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_prog_get_info_by_fd(fd, &info, &len), "main program info");
	atomic_store(&main_id, info.id);

	memset(runners, 0, sizeof(runners));
	memset(&mut, 0, sizeof(mut));
	atomic_store(&stop, false);
	for (int i = 0; i < RUNNERS; i++)
		pthread_create(&runners[i].thread, NULL, runner, &runners[i]);
	pthread_create(&mut.thread, NULL, mutator, &mut);

	/* The main thread reloads: a new program, published by id, the old one closed. */
	end = now_ms() + PHASE1_MS;
	while (now_ms() < end) {
		struct timespec pause = { 0, 2 * 1000 * 1000 };
		int nfd = load_main(), ret;

		if (nfd < 1) {
			note(&err, "reload", nfd);
			break;
		}
		len = sizeof(info);
		memset(&info, 0, sizeof(info));
		ret = bpfhost_prog_get_info_by_fd(nfd, &info, &len);
		if (ret)
			note(&err, "info of the reloaded program", ret);
		atomic_store(&main_id, info.id);
		ret = bpfhost_close(fd);
		if (ret)
			note(&err, "close the old program", ret);
		fd = nfd;
		reloads++;
		nanosleep(&pause, NULL);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < RUNNERS; i++) {
		pthread_join(runners[i].thread, NULL);
		runs += runners[i].runs;
		tails += runners[i].tails;
		misses += runners[i].misses;
		check_errors(&runners[i].err, "runner");
	}
	pthread_join(mut.thread, NULL);
	check_errors(&mut.err, "mutator");
	check_errors(&err, "reloader");
	ASSERT_GE(reloads, 1, "the program was reloaded");

	/* Exact: every run made ADDS adds; every run that returned a target's value tail-called. */
	ASSERT_OK(bpfhost_map_lookup_elem(array_fd, &zero, vals), "counters");
	ASSERT_EQ(vals[0], (uint64_t)runs * ADDS, "atomic adds = runs x ADDS");
	ASSERT_EQ(vals[1], tails, "tail-call target runs = runs that returned its value");
	ASSERT_EQ(vals[3], 0, "no helper result outside what interleavings allow");
	ASSERT_GE(runs, 1, "programs ran");
	ASSERT_GE(tails, 1, "tail calls happened");
	ASSERT_GE(mut.replaced, 1, "the tail-call slot was replaced");
	/* The hash holds only the shared keys, each with a whole counter. */
	for (int ret = bpfhost_map_get_next_key(hash_fd, NULL, &key); !ret;
	     ret = bpfhost_map_get_next_key(hash_fd, &key, &next), key = next) {
		ASSERT_TRUE(key < NKEYS, "only shared keys");
		ASSERT_OK(bpfhost_map_lookup_elem(hash_fd, &key, &v), "lookup a shared key");
		if (++keys > NKEYS)
			break;
	}
	ASSERT_TRUE(keys <= NKEYS, "at most NKEYS keys");
	printf("  %ld runs (%ld tail calls), %ld ids gone before use, %ld reloads, %ld user ops "
	       "(%ld slot replacements, %ld emptied)\n", runs, tails, misses, reloads, mut.ops,
	       mut.replaced, mut.emptied);
	bpfhost_close(fd);
	bpfhost_close(hash_fd);
	bpfhost_close(array_fd);
	bpfhost_close(pa_fd);
	bpfhost_synchronize();
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle left");
}

/* ---- phase 2: hook triggers, link churn and a forced unload ---------------- */

static int ext_progs[2], ext_cnt_fd;
/* 0: loaded; 1: the unload has started; 2: it has returned. */
static atomic_int unload_state;

/*
 * r0 = test_add(data[0], 0) through the module's helper (0 when there is
 * no data), counter += 1 (atomic).
 */
static int load_ext_prog(const char *name)
{
	enum { L_OUT };
	struct prog_buf b = { .n = 0 };

	EMIT(&b, LD_MAP_VALUE(6, ext_cnt_fd, 0), MOV64_IMM(7, 1), ATOMIC_ADD64(6, 7, 0),
	     LDX_MEM(BPF_DW, 2, 1, 0), LDX_MEM(BPF_DW, 3, 1, 8), MOV64_REG(4, 2),
	     ALU64_IMM(BPF_ADD, 4, 1), MOV64_IMM(0, 0));
	jump(&b, JMP_REG(BPF_JGT, 4, 3, 0), L_OUT);
	EMIT(&b, LDX_MEM(BPF_B, 1, 2, 0), MOV64_IMM(2, 0), CALL(TP_HELPER_ADD));
	label(&b, L_OUT);
	EMIT(&b, EXIT());
	return load_buf(&b, TP_PROG_TYPE, name);
}

struct triggerer {
	pthread_t thread;
	uint32_t seed;
	long ok, ran, failed, enolink, after_unload;
	struct errors err;
};

static void *triggerer(void *arg)
{
	struct triggerer *t = arg;

	while (!atomic_load(&stop)) {
		uint8_t data[8];
		uint32_t cnt = 0, ret = 0, size = 1 + next_rand(&t->seed) % 8;
		/* Before the call: what must fail; after it: what may. */
		int state = atomic_load(&unload_state), err;

		for (uint32_t i = 0; i < size; i++)
			data[i] = (uint8_t)(1 + next_rand(&t->seed) % 100);
		err = bpfhost_hook_trigger(TP_ATTACH, data, size, &cnt, &ret);
		if (!err) {
			/*
			 * Each program returns data[0]: the sum must say how many ran. (No
			 * bound on cnt: a closed link runs until its deferred release.)
			 */
			if (state == 2 || ret != cnt * data[0])
				note(&t->err, "trigger result (cnt*100000+ret)",
				     (int)(cnt * 100000 + ret));
			t->ok++;
			t->ran += cnt;
			continue;
		}
		t->failed++;
		state = atomic_load(&unload_state);
		if (err == -ENOLINK) {
			t->enolink++;	/* a link was being detached while the trigger ran it */
		} else if (state >= 1 && (err == -ENOENT || err == -ENODEV)) {
			t->after_unload++;	/* hook gone, module unloading, or type gone */
		} else {
			note(&t->err, "trigger", err);
		}
	}
	return NULL;
}

struct churner {
	pthread_t thread;
	long created, detached, closed, runs;
	struct errors err;
};

static void *churner(void *arg)
{
	struct churner *c = arg;
	uint32_t seed = 0x2545f491u;
	int links[MAX_LINKS], n = 0;

	while (!atomic_load(&stop)) {
		uint32_t r = next_rand(&seed);
		int state = atomic_load(&unload_state), ret;

		if (n < MAX_LINKS && r % 3 == 0) {
			ret = bpfhost_link_create(ext_progs[(r >> 4) & 1], 0, TP_ATTACH, NULL);
			if (ret >= 0) {
				if (state == 2)
					note(&c->err, "link create after the unload", ret);
				links[n++] = ret;
				c->created++;
			} else if (!(atomic_load(&unload_state) >= 1 && ret == -EINVAL)) {
				note(&c->err, "link create", ret);
			}
		} else if (n && r % 3 == 1) {
			int i = (int)((r >> 4) % (uint32_t)n);

			ret = bpfhost_link_detach(links[i]);
			if (ret && !(ret == -ENOLINK && atomic_load(&unload_state) >= 1))
				note(&c->err, "link detach", ret);
			c->detached += !ret;
			ret = bpfhost_close(links[i]);
			if (ret)
				note(&c->err, "close a detached link", ret);
			links[i] = links[--n];
			c->closed++;
		} else if (n) {
			int i = (int)((r >> 4) % (uint32_t)n);

			/* Closing the last handle detaches it too. */
			ret = bpfhost_close(links[i]);
			if (ret)
				note(&c->err, "close a link", ret);
			links[i] = links[--n];
			c->closed++;
		} else {
			uint8_t data[2] = { 5, 0 };
			BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = 2);

			ret = bpfhost_prog_test_run_opts(ext_progs[r & 1], &o);
			if (!ret && (o.retval != 5 || state == 2))
				note(&c->err, "test run of a module-type program", (int)o.retval);
			else if (ret && !(ret == -ENODEV && atomic_load(&unload_state) >= 1))
				note(&c->err, "test run of a module-type program", ret);
			c->runs += !ret;
		}
	}
	while (n)
		bpfhost_close(links[--n]);
	return NULL;
}

static void hooks_links_and_forced_unload(void)
{
	struct triggerer trig[2];
	struct churner ch;
	struct timespec half = { 0, PHASE2_MS / 2 * 1000000L };
	uint32_t zero = 0, cnt, ret;
	uint64_t counter = 0;
	long ran = 0, failed = 0, ok = 0, enolink = 0, after = 0;
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so"), err;
	uint8_t data[1] = { 9 };

	ASSERT_GE(mod, 1, "load the program provider module");
	if (mod < 1)
		return;
	ext_cnt_fd = test_map(BPF_MAP_TYPE_ARRAY, "stress_ext", 4, 8, 1, 0);
	ext_progs[0] = load_ext_prog("ext_a");
	ext_progs[1] = load_ext_prog("ext_b");
	ASSERT_GE(ext_progs[0], 1, "load a program of the module's type");
	ASSERT_GE(ext_progs[1], 1, "and another");
	atomic_store(&unload_state, 0);
	atomic_store(&stop, false);
	memset(trig, 0, sizeof(trig));
	memset(&ch, 0, sizeof(ch));
	for (int i = 0; i < 2; i++) {
		trig[i].seed = 0x1234567u * (uint32_t)(i + 1);
		pthread_create(&trig[i].thread, NULL, triggerer, &trig[i]);
	}
	pthread_create(&ch.thread, NULL, churner, &ch);

	nanosleep(&half, NULL);
	atomic_store(&unload_state, 1);
	err = bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE);
	atomic_store(&unload_state, 2);
	ASSERT_OK(err, "forced unload while triggers and link churn run");
	nanosleep(&half, NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++) {
		pthread_join(trig[i].thread, NULL);
		check_errors(&trig[i].err, "triggerer");
		ok += trig[i].ok;
		ran += trig[i].ran;
		failed += trig[i].failed;
		enolink += trig[i].enolink;
		after += trig[i].after_unload;
	}
	pthread_join(ch.thread, NULL);
	check_errors(&ch.err, "link churner");

	/*
	 * Every run counts once: successful triggers and test runs exactly; a
	 * failed trigger may have run some links (at most every link created).
	 */
	ASSERT_OK(bpfhost_map_lookup_elem(ext_cnt_fd, &zero, &counter), "run counter");
	ASSERT_GE(counter, (uint64_t)(ran + ch.runs), "runs counted >= runs reported");
	ASSERT_TRUE(counter <= (uint64_t)(ran + ch.runs + failed * ch.created),
		    "runs counted <= runs reported + what failed triggers may have run");
	ASSERT_GE(ok, 1, "triggers succeeded before the unload");
	ASSERT_GE(ch.created, 1, "links were created");
	ASSERT_GE(after, 1, "triggers failed cleanly after the unload");
	/* The contract after the unload, on the main thread. */
	ASSERT_EQ(bpfhost_hook_trigger(TP_ATTACH, data, 1, &cnt, &ret), -ENOENT, "hook gone");
	ASSERT_EQ(bpfhost_link_create(ext_progs[0], 0, TP_ATTACH, NULL), -EINVAL,
		  "no hook to link");
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = 1);
		ASSERT_EQ(bpfhost_prog_test_run_opts(ext_progs[1], &o), -ENODEV, "type gone");
	}
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBADF, "module handle gone");
	printf("  %ld triggers ok (%ld program runs), %ld failed (%ld ENOLINK, %ld ENOENT/ENODEV "
	       "from the unload on); links: %ld created, %ld detached, %ld closed; %ld test runs\n",
	       ok, ran, failed, enolink, after, ch.created, ch.detached, ch.closed, ch.runs);
	bpfhost_close(ext_progs[0]);
	bpfhost_close(ext_progs[1]);
	bpfhost_close(ext_cnt_fd);
	bpfhost_synchronize();
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle left");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(socket_filters_on_shared_maps),
		TEST(hooks_links_and_forced_unload),
	};

	return test_run("prog_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
