// SPDX-License-Identifier: MIT
/*
 * bpfhost_check_provider(): loads the module through the shim, runs each
 * phase in a child process (a crash or a hang fails the phase and names the
 * callback it was in), collects what the phases found through a pipe, and
 * writes the report, as text or JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpfhost/bpfhost.h>

#include "check_internal.h"

/* ------------------------------------------------------ the report channel */

static int chan = -1;			/* the pipe's write end, in a phase child */
static pthread_mutex_t chan_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong failures;

/* In the parent: messages of the phase that runs there (the final unload). */
struct msgs {
	char **v;
	size_t n;
};
static struct msgs parent_msgs;

static void push(struct msgs *m, const char *line)
{
	char **v = realloc(m->v, (m->n + 1) * sizeof(*v));

	if (!v)
		return;
	m->v = v;
	m->v[m->n] = strdup(line);
	if (m->v[m->n])
		m->n++;
}

static void emit(char kind, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	line[0] = kind;
	n = vsnprintf(line + 1, sizeof(line) - 2, fmt, ap);
	if (n < 0)
		return;
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	if (chan < 0) {
		push(&parent_msgs, line);
		return;
	}
	n = (int)strlen(line);
	line[n] = '\n';
	pthread_mutex_lock(&chan_lock);
	/* One write of at most PIPE_BUF bytes: lines never interleave. */
	if (write(chan, line, (size_t)n + 1) < 0)
		(void)0;
	pthread_mutex_unlock(&chan_lock);
}

void kit_fail(const char *fmt, ...)
{
	va_list ap;

	/* A storm of one failure (per element, per thread) reports the first few. */
	if (atomic_fetch_add(&failures, 1) >= 20)
		return;
	va_start(ap, fmt);
	emit('F', fmt, ap);
	va_end(ap);
}

void kit_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit('N', fmt, ap);
	va_end(ap);
}

unsigned long kit_failures(void)
{
	return atomic_load(&failures);
}

/* ------------------------------------------------------------- the phases */

struct phase {
	const char *name;
	void (*run)(const struct kit_opts *o);
	bool fault;			/* skipped with BPFHOST_CHECK_NO_FAULTS */
};

static const struct phase phases[] = {
	{ "create and the call matrix (lookup, update ANY/NOEXIST/EXIST, delete, "
	  "lookup-and-delete, get-next-key)", phase_matrix, false },
	{ "full map and the undo path", phase_full_and_undo, false },
	{ "batches", phase_batches, false },
	{ "teardown (MAP_CLEANUP)", phase_cleanup, false },
	{ "helper paths (programs)", phase_helpers, false },
	{ "map-in-map", phase_map_in_map, false },
	{ "concurrent writers and readers", phase_concurrency, false },
	{ "fault injection: the core's allocations", phase_faults_core, true },
	{ "fault injection: the provider's epoch allocations", phase_faults_provider, true },
	{ "forced unload", phase_forced_unload, false },
};
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

struct result {
	const char *name;
	struct msgs msgs;
	unsigned long failed;
	bool skipped;
	bool ran;
};

static void collect(int fd, struct result *r)
{
	char buf[4096], line[1100];
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			line[len] = 0;
			len = 0;
			push(&r->msgs, line);
			if (line[0] == 'F')
				r->failed++;
			if (line[0] == 'N' && !strncmp(line + 1, "skipped", 7))
				r->skipped = true;
		}
	}
}

static void add_fail(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_fail(struct result *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	line[0] = 'F';
	va_start(ap, fmt);
	vsnprintf(line + 1, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	push(&r->msgs, line);
	r->failed++;
}

static void run_phase(const struct phase *ph, const struct kit_opts *o, struct result *r)
{
	int p[2], status;
	pid_t pid;

	r->name = ph->name;
	r->ran = true;
	memset(kit_shared->last_call, 0, sizeof(kit_shared->last_call));
	atomic_store(&kit_shared->fault_point, 0);
	if (pipe(p)) {
		add_fail(r, "the kit could not create a pipe");
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		add_fail(r, "the kit could not fork");
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		chan = p[1];
		/* A callback that waits for ever (a delete callback updating its own key) shows as a hang. */
		alarm(120);
		ph->run(o);
		_exit(0);
	}
	close(p[1]);
	collect(p[0], r);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status) || WEXITSTATUS(status)) {
		unsigned long fp = atomic_load(&kit_shared->fault_point);
		const char *last = kit_shared->last_call[0] ? kit_shared->last_call : "none";
		char at[64] = "", how[96];

		if (fp)
			snprintf(at, sizeof(at), ", fault-injection point #%lu", fp);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
			add_fail(r, "did not finish in 120 s%s; the last callback entered: %s (a callback "
				 "that waits for ever?)", at, last);
			return;
		}
		if (WIFSIGNALED(status))
			snprintf(how, sizeof(how), "crashed with signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		else	/* a sanitizer that caught the fault exits instead; its report is on stderr */
			snprintf(how, sizeof(how), "exited with status %d (a sanitizer's report is on stderr)",
				 WEXITSTATUS(status));
		add_fail(r, "%s%s; the last callback entered: %s%s", how, at, last,
			 fp && !strncmp(last, "epoch_allocate", 14)
				 ? " (it returned NULL and the provider used the pointer: check the "
				   "result and return -ENOMEM)"
				 : "");
	}
}

/* ------------------------------------------------------------- the report */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *base_name(uint32_t base)
{
	return base == BPFHOST_BASE_MAP_TYPE_HASH ? "hash" : "array";
}

static void report_json(FILE *f, const char *path, const struct kit_opts *o, struct result *res,
			size_t n, unsigned long failed)
{
	fprintf(f, "{\"module\":");
	json_str(f, path);
	fprintf(f, ",\"name\":");
	json_str(f, kit_module_name);
	fprintf(f, ",\"mapType\":%u,\"base\":\"%s\",\"updatesOriginalValue\":%s,\"keySize\":%u,"
		   "\"valueSize\":%u,\"maxEntries\":%u,\"phases\":[",
		o->map_type, base_name(o->p->base), o->p->uov ? "true" : "false", o->key_size,
		o->value_size, o->max_entries);
	for (size_t i = 0; i < n; i++) {
		const char *status = !res[i].ran ? "skipped" : res[i].failed ? "fail" : res[i].skipped ? "skipped" : "pass";

		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, res[i].name);
		fprintf(f, ",\"status\":\"%s\",\"failures\":[", status);
		for (size_t j = 0, k = 0; j < res[i].msgs.n; j++)
			if (res[i].msgs.v[j][0] == 'F') {
				fprintf(f, "%s", k++ ? "," : "");
				json_str(f, res[i].msgs.v[j] + 1);
			}
		fprintf(f, "],\"notes\":[");
		for (size_t j = 0, k = 0; j < res[i].msgs.n; j++)
			if (res[i].msgs.v[j][0] == 'N') {
				fprintf(f, "%s", k++ ? "," : "");
				json_str(f, res[i].msgs.v[j] + 1);
			}
		fprintf(f, "]}");
	}
	fprintf(f, "],\"calls\":{");
	for (int cb = 0, k = 0; cb < KIT_CB_COUNT; cb++)
		for (int fl = 0; fl < KIT_FLAG_WORDS; fl++) {
			unsigned long c = atomic_load(&kit_shared->calls[cb][fl]);

			if (c)
				fprintf(f, "%s\"%s/0x%x\":%lu", k++ ? "," : "", kit_cb_name[cb], fl, c);
		}
	fprintf(f, "},\"failed\":%lu}\n", failed);
}

static void report_text(FILE *f, const char *path, const struct kit_opts *o, struct result *res,
			size_t n, unsigned long failed)
{
	size_t ran = 0;

	fprintf(f, "bpfhost ext check: %s (%s), map type %u: %s base%s; key_size %u, value_size %u, "
		   "max_entries %u\n", kit_module_name, path, o->map_type, base_name(o->p->base),
		o->p->uov ? ", updates_original_value" : "", o->key_size, o->value_size, o->max_entries);
	if (!o->p->has_update)
		fprintf(f, "note: the provider has no update pre-processing, so the kit does not follow "
			   "stored values (the exactly-once checks are off)\n");
	for (size_t i = 0; i < n; i++) {
		const char *status = !res[i].ran ? "skip" : res[i].failed ? "FAIL" : res[i].skipped ? "skip" : "ok";

		ran += res[i].ran && !res[i].skipped;
		fprintf(f, "%-5s %s\n", status, res[i].name);
		for (size_t j = 0; j < res[i].msgs.n; j++) {
			const char *m = res[i].msgs.v[j];

			if (m[0] == 'F' || (o->flags & BPFHOST_CHECK_VERBOSE) || res[i].skipped)
				fprintf(f, "      %s %s\n", m[0] == 'F' ? "-" : "note:", m + 1);
		}
	}
	if (o->flags & BPFHOST_CHECK_VERBOSE) {
		fprintf(f, "calls seen (callback, flags: count):\n");
		for (int cb = 0; cb < KIT_CB_COUNT; cb++)
			for (int fl = 0; fl < KIT_FLAG_WORDS; fl++) {
				unsigned long c = atomic_load(&kit_shared->calls[cb][fl]);

				if (c)
					fprintf(f, "  %-36s 0x%x: %lu\n", kit_cb_name[cb], fl, c);
			}
	}
	if (failed)
		fprintf(f, "%lu check%s failed in %s: fix the provider (each line names the callback and "
			   "what the contract expects), then run the kit again\n", failed,
			failed == 1 ? "" : "s", kit_module_name);
	else
		fprintf(f, "%s passed: %zu phases ran, no invariant broken\n", kit_module_name, ran);
}

/* --------------------------------------------------------------- the entry */

static int silent(enum bpfhost_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

int bpfhost_check_provider(const char *module_path, const struct bpfhost_check_opts *opts, FILE *report)
{
	struct result res[NPHASES + 1];
	struct kit_opts o;
	unsigned long failed = 0;
	char why[512], types[256];
	size_t n = 0;
	bpfhost_print_fn_t prev;
	int module, err;

	if (!report)
		report = stdout;
	if (!module_path || !opts || opts->sz < offsetof(struct bpfhost_check_opts, value) || !opts->map_type) {
		fprintf(report, "bpfhost ext check: a module path, the options and a map type are required\n");
		return -EINVAL;
	}
	memset(&o, 0, sizeof(o));
	o.map_type = opts->map_type;
	o.key_size = opts->key_size ? opts->key_size : 4;
	o.value_size = opts->value_size ? opts->value_size : 8;
	o.max_entries = opts->max_entries ? opts->max_entries : 8;
	o.prog_type = opts->prog_type;
	o.threads = opts->threads ? opts->threads : 4;
	o.iterations = opts->iterations ? opts->iterations : 2000;
	o.flags = opts->flags;
	o.value = opts->sz >= sizeof(*opts) ? opts->value : NULL;
	if (o.key_size > 4096 || o.value_size > 4096 || o.max_entries > 65536) {
		fprintf(report, "bpfhost ext check: the kit takes keys and values up to 4096 bytes and up "
				"to 65536 entries\n");
		return -EINVAL;
	}
	kit_shared = mmap(NULL, sizeof(*kit_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kit_shared == MAP_FAILED)
		return -ENOMEM;
	memset(kit_shared, 0, sizeof(*kit_shared));
	prev = bpfhost_set_print(silent);

	module = kit_load(module_path, why, sizeof(why));
	if (module < 0) {
		fprintf(report, "bpfhost ext check: cannot load %s: %s\n", module_path, why);
		err = module;
		goto out;
	}
	o.module = module;
	o.p = kit_find_provider(o.map_type);
	if (!o.p) {
		kit_list_map_types(types, sizeof(types));
		fprintf(report, "bpfhost ext check: %s registers no provider of map type %u (its map "
				"types: %s)\n", module_path, o.map_type, types);
		bpfhost_extension_unload(module, 0);
		err = -EOPNOTSUPP;
		goto out;
	}
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < NPHASES; i++, n++) {
		res[n].name = phases[i].name;
		if (phases[i].fault && (o.flags & BPFHOST_CHECK_NO_FAULTS))
			continue;
		run_phase(&phases[i], &o, &res[n]);
	}
	/* Here: the module unloads with no map left; nothing may call it afterwards. */
	res[n].name = "unload (plain, no maps left)";
	res[n].ran = true;
	atomic_store(&failures, 0);
	err = bpfhost_extension_unload(module, 0);
	if (err)
		kit_fail("a plain unload with no maps failed with %s: %s", kit_errno_name(err),
			 bpfhost_last_error());
	if (ledger_allocs(NULL))
		kit_fail("%lu epoch allocation%s of the provider outlived its unload (free binding state "
			 "in detach_client)", ledger_allocs(NULL), ledger_allocs(NULL) == 1 ? "" : "s");
	if (atomic_load(&kit_after_unload))
		kit_fail("%lu callback%s came after the module's unload", atomic_load(&kit_after_unload),
			 atomic_load(&kit_after_unload) == 1 ? "" : "s");
	res[n].msgs = parent_msgs;
	for (size_t j = 0; j < parent_msgs.n; j++)
		res[n].failed += parent_msgs.v[j][0] == 'F';
	n++;
	kit_close_target();
	for (size_t i = 0; i < n; i++)
		failed += res[i].failed;
	if (o.flags & BPFHOST_CHECK_JSON)
		report_json(report, module_path, &o, res, n, failed);
	else
		report_text(report, module_path, &o, res, n, failed);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < res[i].msgs.n; j++)
			free(res[i].msgs.v[j]);
		free(res[i].msgs.v);
	}
	err = failed > 0x7fffffff ? 0x7fffffff : (int)failed;
out:
	bpfhost_set_print(prev);
	munmap(kit_shared, sizeof(*kit_shared));
	kit_shared = NULL;
	return err;
}
