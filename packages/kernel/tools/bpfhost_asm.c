// SPDX-License-Identifier: MIT
/*
 * bpfhost-asm: the library's assembler and disassembler on the command line.
 *
 *   bpfhost-asm asm [-o OUT] [--hex] FILE|-      text (or a .data file's `-- asm`) -> bytes
 *   bpfhost-asm disasm [-o OUT] [--hex] FILE|-   bytes (or hex lines, `-- raw`) -> text
 *
 * Bytes are the little-endian encoding, 8 per slot. --hex means one slot per
 * line as a 64-bit hex number, as in the conformance files' `-- raw` sections.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"

static const char usage[] =
	"usage: bpfhost-asm asm [-o OUT] [--hex] FILE|-\n"
	"       bpfhost-asm disasm [-o OUT] [--hex] FILE|-\n"
	"  asm     assemble text (a .data file: its '-- asm' section) to raw bytes\n"
	"  disasm  disassemble raw bytes to text\n"
	"  --hex   bytes as one 64-bit hex number per line (a .data file: its '-- raw' section)\n"
	"  -o OUT  write to OUT instead of standard output\n";

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "bpfhost-asm: %s: %s\n", what, msg);
	return 1;
}

/* Reads all of @path ("-": standard input), NUL-terminated. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 4096, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (n + 1 < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		char *bigger = realloc(buf, cap * 2);

		if (!bigger)
			free(buf);
		buf = bigger;
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[n] = 0;
		*len = n;
	}
	return buf;
}

static bool is_section_line(const char *line)
{
	return !strncmp(line, "-- ", 3);
}

/*
 * If @text has a `-- NAME` section, blanks every line outside it (keeping
 * the newlines, so that error line numbers match the file). Returns whether
 * the section was found.
 */
static bool keep_section(char *text, const char *name)
{
	bool found = false, inside = false;
	size_t name_len = strlen(name);

	for (char *line = text; *line;) {
		char *end = line + strcspn(line, "\n");

		if (is_section_line(line)) {
			const char *sec = line + 3;

			inside = !strncmp(sec, name, name_len) &&
				 (sec[name_len] == '\n' || sec[name_len] == '\r' ||
				  sec[name_len] == ' ' || !sec[name_len]);
			found |= inside;
			memset(line, ' ', (size_t)(end - line));
		} else if (!inside) {
			memset(line, ' ', (size_t)(end - line));
		}
		line = *end ? end + 1 : end;
	}
	return found;
}

static bool has_section(const char *text, const char *name)
{
	for (const char *line = text; *line;) {
		const char *end = line + strcspn(line, "\n");

		if (is_section_line(line) && !strncmp(line + 3, name, strlen(name)))
			return true;
		line = *end ? end + 1 : end;
	}
	return false;
}

static void encode(const struct bpf_insn *insn, uint8_t b[8])
{
	uint16_t off = (uint16_t)insn->off;
	uint32_t imm = (uint32_t)insn->imm;

	b[0] = insn->code;
	b[1] = (uint8_t)(insn->dst_reg | insn->src_reg << 4);
	b[2] = (uint8_t)off;
	b[3] = (uint8_t)(off >> 8);
	for (int i = 0; i < 4; i++)
		b[4 + i] = (uint8_t)(imm >> (8 * i));
}

static void decode(const uint8_t b[8], struct bpf_insn *insn)
{
	insn->code = b[0];
	insn->dst_reg = b[1] & 0xf;
	insn->src_reg = b[1] >> 4;
	insn->off = (int16_t)(uint16_t)(b[2] | b[3] << 8);
	insn->imm = (int32_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
			      (uint32_t)b[7] << 24);
}

static uint64_t le64(const uint8_t b[8])
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int cmd_asm(const char *in, FILE *out, bool hex)
{
	struct bpf_insn *insns;
	size_t len, cnt;
	char *text = read_all(in, &len);
	int err;

	if (!text)
		return fail(in, strerror(errno ? errno : ENOMEM));
	if (has_section(text, "asm"))
		keep_section(text, "asm");
	err = bpfhost_asm(text, &insns, &cnt);
	free(text);
	if (err)
		return fail(in, bpfhost_last_error());
	for (size_t i = 0; i < cnt; i++) {
		uint8_t b[8];

		encode(&insns[i], b);
		if (hex)
			fprintf(out, "0x%016" PRIx64 "\n", le64(b));
		else
			fwrite(b, 1, sizeof(b), out);
	}
	free(insns);
	return 0;
}

/* Hex lines (0x optional, # comments, blank lines) into slots. */
static int parse_hex(const char *in, char *text, struct bpf_insn **insns, size_t *cnt)
{
	size_t cap = 0, line_no = 0;

	*insns = NULL;
	*cnt = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *p = line, *end;
		uint64_t v;
		uint8_t b[8];

		line_no++;
		p[strcspn(p, "#")] = 0;
		p += strspn(p, " \t\r");
		if (!*p)
			continue;
		errno = 0;
		v = strtoull(p, &end, 16);
		end += strspn(end, " \t\r");
		if (errno || *end) {
			char msg[160];

			snprintf(msg, sizeof(msg), "line %zu: '%.60s' is not a 64-bit hex number",
				 line_no, p);
			free(*insns);
			return fail(in, msg);
		}
		if (*cnt == cap) {
			struct bpf_insn *bigger;

			cap = cap ? cap * 2 : 64;
			bigger = realloc(*insns, cap * sizeof(**insns));
			if (!bigger) {
				free(*insns);
				return fail(in, strerror(ENOMEM));
			}
			*insns = bigger;
		}
		for (int i = 0; i < 8; i++)
			b[i] = (uint8_t)(v >> (8 * i));
		decode(b, &(*insns)[(*cnt)++]);
	}
	return 0;
}

static int cmd_disasm(const char *in, FILE *out, bool hex)
{
	struct bpf_insn *insns = NULL;
	size_t len, cnt = 0;
	char *data = read_all(in, &len), *text;
	int n, err = 0;

	if (!data)
		return fail(in, strerror(errno ? errno : ENOMEM));
	if (hex) {
		if (has_section(data, "raw"))
			keep_section(data, "raw");
		err = parse_hex(in, data, &insns, &cnt);
	} else if (len % 8) {
		err = fail(in, "size is not a multiple of 8 bytes (one instruction slot)");
	} else {
		cnt = len / 8;
		insns = calloc(cnt ? cnt : 1, sizeof(*insns));
		if (!insns)
			err = fail(in, strerror(ENOMEM));
		for (size_t i = 0; insns && i < cnt; i++)
			decode((const uint8_t *)data + 8 * i, &insns[i]);
	}
	free(data);
	if (err)
		return err;
	n = bpfhost_disasm(insns, cnt, NULL, 0);
	text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (n >= 0 && !text)
		err = fail(in, strerror(ENOMEM));
	else if (n < 0 || bpfhost_disasm(insns, cnt, text, (size_t)n + 1) != n)
		err = fail(in, bpfhost_last_error());
	else
		fputs(text, out);
	free(text);
	free(insns);
	return err;
}

int main(int argc, char **argv)
{
	const char *cmd, *in = NULL, *out_path = NULL;
	bool hex = false;
	FILE *out = stdout;
	int err;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--hex")) {
			hex = true;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!in && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
			in = argv[i];
		} else {
			fprintf(stderr, "bpfhost-asm: unexpected argument '%s'\n%s", argv[i],
				usage);
			return 1;
		}
	}
	if (!in || (strcmp(cmd, "asm") && strcmp(cmd, "disasm"))) {
		fputs(usage, stderr);
		return 1;
	}
	if (out_path) {
		out = fopen(out_path, hex || !strcmp(cmd, "disasm") ? "w" : "wb");
		if (!out)
			return fail(out_path, strerror(errno));
	}
	err = !strcmp(cmd, "asm") ? cmd_asm(in, out, hex) : cmd_disasm(in, out, hex);
	if (out != stdout && fclose(out) && !err)
		err = fail(out_path, strerror(errno));
	if (err && out_path)
		remove(out_path);
	return err ? 1 : 0;
}
