// SPDX-License-Identifier: MIT
/*
 * bpfhost-conformance: runs the bpf_conformance suite's .data files through
 * the assembler, the structural check and the interpreter.
 *
 *   bpfhost-conformance [DIR]
 *
 * DIR, else $BPFHOST_CONFORMANCE_DIR, else the shared folder beside the
 * repository (set at build time). Prints PASS/FAIL/SKIP per file and a
 * total; exits 1 on any failure, 0 with a reason when the folder is absent
 * (a checkout without shared/ still passes its tests).
 *
 * The program is built here as the loader would build it (an internal
 * test): the suite's helper 5 ("unwind", returns its first argument) is the
 * only helper, at index 0, and `call 5` is rewritten to that index. r1 is
 * the -- mem block (the run's context), r2 its length.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"
#include "bpfhost/bpfhost.h"
#include "prog/interp.h"
#include "prog/prog_check.h"

#ifndef BPFHOST_CONFORMANCE_DEFAULT_DIR
#define BPFHOST_CONFORMANCE_DEFAULT_DIR "../shared/conformance/tests"
#endif

#define CONFORMANCE_HELPER_ID 5

enum verdict { PASS, FAIL, SKIP };

struct data_file {
	char *asm_text;
	char *raw;
	char *mem;
	char *result;
	bool has_asm, has_raw, has_mem, has_result, has_error;
};

static uint64_t unwind_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r2;
	(void)r3;
	(void)r4;
	(void)r5;
	return r1;
}

static const struct bh_helper conformance_helper = {
	.fn = unwind_helper,
	.id = CONFORMANCE_HELPER_ID,
	.ret = BPFHOST_RET_INTEGER,
	.args = { BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING,
		  BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING },
	.name = "unwind",
};

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Appends @line (with its newline) to the section text @dst. */
static void append(char **dst, const char *line, size_t len)
{
	size_t old = *dst ? strlen(*dst) : 0;
	char *p = realloc(*dst, old + len + 2);

	if (!p) {
		perror("realloc");
		exit(2);
	}
	memcpy(p + old, line, len);
	p[old + len] = '\n';
	p[old + len + 1] = '\0';
	*dst = p;
}

/* Splits the file into its `-- name` sections; unknown ones are ignored. */
static void parse_sections(char *text, struct data_file *df)
{
	char **cur = NULL;
	char *line = text;

	while (line && *line) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len >= 3 && !strncmp(line, "-- ", 3)) {
			char name[32] = "";
			size_t n = len - 3 < sizeof(name) - 1 ? len - 3 : sizeof(name) - 1;

			memcpy(name, line + 3, n);
			name[n] = '\0';
			while (n && (name[n - 1] == ' ' || name[n - 1] == '\r'))
				name[--n] = '\0';
			cur = NULL;
			if (!strcmp(name, "asm")) {
				cur = &df->asm_text;
				df->has_asm = true;
			} else if (!strcmp(name, "raw")) {
				cur = &df->raw;
				df->has_raw = true;
			} else if (!strcmp(name, "mem")) {
				cur = &df->mem;
				df->has_mem = true;
			} else if (!strcmp(name, "result")) {
				cur = &df->result;
				df->has_result = true;
			} else if (!strncmp(name, "error", 5)) {
				df->has_error = true;
			}
		} else if (cur) {
			append(cur, line, len);
		}
		line = nl ? nl + 1 : NULL;
	}
}

/* The text with `#` comments cut, for the sections the runner reads itself. */
static void strip_comments(char *s)
{
	bool comment = false;

	for (; s && *s; s++) {
		if (*s == '#')
			comment = true;
		else if (*s == '\n')
			comment = false;
		if (comment)
			*s = ' ';
	}
}

/* Hex bytes separated by white space. Returns the count or -1. */
static long parse_hex_bytes(char *s, uint8_t **out)
{
	size_t cap = 64, n = 0;
	uint8_t *buf = malloc(cap);
	char *tok, *save = NULL;

	strip_comments(s);
	for (tok = strtok_r(s, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 16);

		if (*end || v > 0xff) {
			free(buf);
			return -1;
		}
		if (n == cap)
			buf = realloc(buf, cap *= 2);
		buf[n++] = (uint8_t)v;
	}
	*out = buf;
	return (long)n;
}

/* -- raw: one 64-bit instruction per line in hex, as the kernel lays it out in memory. */
static long parse_raw(char *s, uint64_t **out)
{
	size_t cap = 16, n = 0;
	uint64_t *buf = malloc(cap * sizeof(*buf));
	char *tok, *save = NULL;

	strip_comments(s);
	for (tok = strtok_r(s, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		char *end;
		unsigned long long v = strtoull(tok, &end, 16);

		if (*end) {
			free(buf);
			return -1;
		}
		if (n == cap)
			buf = realloc(buf, (cap *= 2) * sizeof(*buf));
		buf[n++] = v;
	}
	*out = buf;
	return (long)n;
}

static enum verdict say(enum verdict v, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum verdict say(enum verdict v, const char *name, const char *fmt, ...)
{
	static const char *const word[] = { "PASS", "FAIL", "SKIP" };
	va_list ap;

	printf("%s %s", word[v], name);
	if (fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	return v;
}

/* Builds the program as the loader does and runs it. */
static enum verdict run_program(const char *name, const struct data_file *df, struct bpf_insn *insns,
				size_t cnt)
{
	const struct bh_helper *helpers[] = { &conformance_helper };
	uint8_t *mem = NULL;
	long mem_len = 0;
	struct bh_prog prog;
	struct bh_run run;
	uint64_t r0, expected = 0;
	enum verdict v;
	int err;

	if (df->has_mem) {
		char *copy = strdup(df->mem ? df->mem : "");

		mem_len = parse_hex_bytes(copy, &mem);
		free(copy);
		if (mem_len < 0)
			return say(FAIL, name, "-- mem is not hex bytes");
	}
	if (df->has_result) {
		char *copy = strdup(df->result ? df->result : ""), *end;

		strip_comments(copy);
		errno = 0;
		expected = strtoull(copy, &end, 16);
		while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
			end++;
		err = errno || *end || end == copy;
		free(copy);
		if (err) {
			free(mem);
			return say(FAIL, name, "-- result is not a hex number");
		}
	}

	/* The loader's rewrite: helper ids become indexes into prog->helpers. */
	for (size_t i = 0; i < cnt; i++) {
		struct bpf_insn *insn = &insns[i];

		if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (insn->src_reg) {
				free(mem);
				return df->has_error ? say(PASS, name, "refused (lddw src_reg %u needs maps)", insn->src_reg) :
				       say(SKIP, name, "lddw with src_reg %u refers to maps (the loader's part)", insn->src_reg);
			}
			i++;
		} else if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0) {
			if (insn->imm != CONFORMANCE_HELPER_ID) {
				free(mem);
				return df->has_error ? say(PASS, name, "refused (unknown helper %d)", insn->imm) :
				       say(FAIL, name, "calls helper %d; the suite defines only helper %d",
					   insn->imm, CONFORMANCE_HELPER_ID);
			}
			insn->imm = 0;
		}
	}

	memset(&prog, 0, sizeof(prog));
	/* BPF_OBJ_NAME_LEN: the name is cut as a loaded program's would be */
	memcpy(prog.name, name, strnlen(name, sizeof(prog.name) - 1));
	prog.type = BPF_PROG_TYPE_SOCKET_FILTER;
	prog.insns = insns;
	prog.orig_insns = insns;
	prog.len = (uint32_t)cnt;
	prog.helpers = helpers;
	prog.helper_cnt = 1;
	prog.stack_reach = bh_prog_stack_reach(insns, prog.len);

	err = bh_prog_check_regs(prog.name, insns, prog.len,
				 BH_CHECK_ENTRY_REGS | BH_REG_BIT(BPF_REG_2));
	if (err) {
		v = df->has_error ? say(PASS, name, "refused: %s", bpfhost_last_error()) :
				    say(FAIL, name, "wrongly rejected: %s", bpfhost_last_error());
		free(mem);
		return v;
	}

	bh_run_init(&run, &prog, mem, (size_t)mem_len);
	epoch_enter();
	r0 = bh_interp_run(&run, (uint64_t)(uintptr_t)mem, (uint64_t)mem_len);
	epoch_exit();
	free(mem);

	if (df->has_error)
		return run.err ? say(PASS, name, "failed as expected: %s", bpfhost_last_error()) :
				 say(FAIL, name, "expected an error, the program returned 0x%" PRIx64, r0);
	if (run.err)
		return say(FAIL, name, "fault (%s): %s", bh_errno_name(run.err), bpfhost_last_error());
	if (!df->has_result)
		return say(SKIP, name, "no -- result or -- error section");
	if (r0 != expected)
		return say(FAIL, name, "r0 = 0x%" PRIx64 ", expected 0x%" PRIx64, r0, expected);
	return say(PASS, name, NULL);
}

/* Compares the assembled slots with -- raw (the suite's own encoding). */
static bool raw_differs(const char *name, const struct data_file *df, const struct bpf_insn *insns,
			size_t cnt)
{
	char *copy = strdup(df->raw ? df->raw : "");
	uint64_t *raw = NULL;
	long n = parse_raw(copy, &raw);
	bool differs = false;

	free(copy);
	if (n < 0) {
		say(FAIL, name, "-- raw is not hex instructions");
		return true;
	}
	if ((size_t)n != cnt) {
		say(FAIL, name, "assembled %zu instructions, -- raw has %ld", cnt, n);
		differs = true;
	}
	for (size_t i = 0; !differs && i < cnt; i++) {
		uint64_t got;

		memcpy(&got, &insns[i], sizeof(got));
		if (got != raw[i]) {
			say(FAIL, name, "instruction %zu assembles to 0x%016" PRIx64 ", -- raw says 0x%016" PRIx64,
			    i, got, raw[i]);
			differs = true;
		}
	}
	free(raw);
	return differs;
}

static enum verdict run_file(const char *dir, const char *file)
{
	char path[4096], name[256];
	struct data_file df = { 0 };
	struct bpf_insn *insns = NULL;
	size_t cnt = 0, n = strlen(file) - strlen(".data");
	enum verdict v;
	char *text;

	snprintf(name, sizeof(name), "%.*s", (int)n, file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = read_file(path);
	if (!text)
		return say(FAIL, name, "cannot read %s: %s", path, strerror(errno));
	parse_sections(text, &df);
	free(text);

	if (!df.has_asm) {
		v = say(SKIP, name, "no -- asm section");
	} else if (bpfhost_asm(df.asm_text ? df.asm_text : "", &insns, &cnt)) {
		v = df.has_error ? say(PASS, name, "refused by the assembler: %s", bpfhost_last_error()) :
				   say(FAIL, name, "assembler: %s", bpfhost_last_error());
	} else if (!cnt) {
		v = df.has_error ? say(PASS, name, "refused (empty program)") :
				   say(FAIL, name, "empty program");
	} else if (df.has_raw && raw_differs(name, &df, insns, cnt)) {
		v = FAIL;
	} else {
		v = run_program(name, &df, insns, cnt);
	}
	free(insns);
	free(df.asm_text);
	free(df.raw);
	free(df.mem);
	free(df.result);
	return v;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("BPFHOST_CONFORMANCE_DIR");
	unsigned int counts[3] = { 0 };
	char **names = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if (!dir || !*dir)
		dir = BPFHOST_CONFORMANCE_DEFAULT_DIR;
	d = opendir(dir);
	if (!d) {
		printf("conformance: skipped: test folder %s is not there (%s); pass a folder or set BPFHOST_CONFORMANCE_DIR\n",
		       dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= 5 || strcmp(de->d_name + len - 5, ".data"))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof(*names));
		}
		names[cnt++] = strdup(de->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(names, cnt, sizeof(*names), cmp_names);

	printf("conformance: %zu files in %s\n", cnt, dir);
	for (size_t i = 0; i < cnt; i++) {
		counts[run_file(dir, names[i])]++;
		free(names[i]);
	}
	free(names);
	printf("conformance: %u passed, %u failed, %u skipped of %zu\n", counts[PASS], counts[FAIL],
	       counts[SKIP], cnt);
	return counts[FAIL] ? 1 : 0;
}
