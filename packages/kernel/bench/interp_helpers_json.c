// SPDX-License-Identifier: MIT
/*
 * The helper section's machine-readable record (--json FILE or
 * BPFHOST_BENCH_JSON): each row's figures on 1 and 2 CPUs, when, where
 * (CPU model, online CPUs, kernel release, 1-minute load average at the
 * section's start and end) and which commit.
 * tools/bench-report.mjs reads one or more of these and writes the
 * README's tables from them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "interp_helpers_int.h"

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The first line of @cmd's output, without its newline; "" when none. */
static void first_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");

	out[0] = 0;
	if (!p)
		return;
	if (fgets(out, (int)len, p))
		out[strcspn(out, "\n")] = 0;
	pclose(p);
}

static void cpu_model(char *out, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon += colon[1] == ' ' ? 2 : 1;
			colon[strcspn(colon, "\n")] = 0;
			snprintf(out, len, "%s", colon);
			break;
		}
	}
	if (f)
		fclose(f);
}

/*
 * The commit: BPFHOST_BENCH_COMMIT when set (the nx target sets it), else
 * git's HEAD here, "-dirty" when tracked files under the working directory
 * differ from it.
 */
static void commit_id(char *out, size_t len)
{
	const char *env = getenv("BPFHOST_BENCH_COMMIT");
	char dirty[8];

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return;
	}
	first_line("git rev-parse --short=12 HEAD 2>/dev/null", out, len);
	if (!out[0]) {
		snprintf(out, len, "unknown");
		return;
	}
	/* Only the tree under the working directory (nx runs the bench in packages/kernel). */
	first_line("git diff --quiet HEAD -- . 2>/dev/null || echo d", dirty, sizeof(dirty));
	if (dirty[0] == 'd')
		strncat(out, "-dirty", len - strlen(out) - 1);
}

static void put_row(FILE *f, const struct hb_workload *w, const struct hb_result *r, int cpus,
		    bool *first)
{
	if (!r->ok[0])
		return;
	fprintf(f, "%s\n    {\"name\": ", *first ? "" : ",");
	*first = false;
	put_str(f, w->name);
	fprintf(f, ", \"group\": ");
	put_str(f, w->group);
	fprintf(f, ", \"cpus\": %d, \"batches\": %d, \"bpfhost_ns\": %.2f, \"bpfhost_mops\": %.3f",
		cpus, r->nb, r->ns[0], r->mops[0]);
	if (r->ok[1])
		fprintf(f, ", \"kernel_ns\": %.2f, \"kernel_mops\": %.3f, \"ratio\": %.4f, "
			   "\"ratio_min\": %.4f, \"ratio_max\": %.4f", r->ns[1], r->mops[1], r->ratio,
			r->ratio_min, r->ratio_max);
	fprintf(f, ", \"r0_ok\": %s}",
		w->any_r0 || ((int32_t)r->retval[0] == w->expect_r0 &&
			      (!r->ok[1] || (int32_t)r->retval[1] == w->expect_r0)) ? "true" : "false");
}

int hb_json_write(const char *path, const struct hb_result *one, const struct hb_result *two,
		  bool two_ok, int nb, const int cpu1, bool kernel_ok, double load_start)
{
	char model[256], commit[64], date[32];
	struct utsname u;
	double load[3] = { 0, 0, 0 };
	time_t now = time(NULL);
	bool first = true;
	FILE *f = fopen(path, "w");

	if (!f) {
		int err = -errno;

		printf("json: cannot write %s: %s\n", path, strerror(errno));
		return err;
	}
	cpu_model(model, sizeof(model));
	commit_id(commit, sizeof(commit));
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	fprintf(f, "{\n  \"bench\": \"helpers\",\n  \"version\": 1,\n  \"date\": \"%s\",\n"
		   "  \"commit\": ", date);
	put_str(f, commit);
	fprintf(f, ",\n  \"machine\": {\"cpu\": ");
	put_str(f, model);
	fprintf(f, ", \"nproc\": %ld, \"kernel\": ", sysconf(_SC_NPROCESSORS_ONLN));
	put_str(f, u.release);
	fprintf(f, ", \"loadavg_start\": %.2f, \"loadavg\": %.2f},\n  \"batches\": %d,\n  \"cpu_pinned\": %d,\n"
		   "  \"kernel_column\": %s,\n  \"two_cpus\": %s,\n  \"rows\": [", load_start, load[0], nb, cpu1,
		kernel_ok ? "true" : "false", two_ok ? "true" : "false");
	for (int i = 0; i < hb_nworkloads; i++)
		if (hb_selected(&hb_workloads[i]))
			put_row(f, &hb_workloads[i], &one[i], 1, &first);
	for (int i = 0; two_ok && i < hb_nworkloads; i++)
		if (hb_selected(&hb_workloads[i]))
			put_row(f, &hb_workloads[i], &two[i], 2, &first);
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f)) {
		printf("json: writing %s failed\n", path);
		return -EIO;
	}
	printf("\njson: %s\n", path);
	return 0;
}
