// SPDX-License-Identifier: MIT
/*
 * Assembler and disassembler: every shared conformance file assembles, its
 * `-- raw` section (the suite's own expected bytes) matches, and disassembly
 * reassembles to the same bytes; encodings checked against RFC 9669's
 * field layout; each kind of bad input names its line; invalid encodings are
 * refused with the instruction index; a random sweep of encodings holds the
 * round trip. (The clang/llvm-objdump oracle is asm_llvm_test.)
 */
#include "test.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "bpfhost/asm.h"

#ifndef BPFHOST_CONFORMANCE_DIR_DEFAULT
#define BPFHOST_CONFORMANCE_DIR_DEFAULT "../shared/conformance/tests"
#endif

/* The 64-bit little-endian value of a slot, as written in `-- raw` sections. */
static uint64_t slot_u64(const struct bpf_insn *insn)
{
	return (uint64_t)insn->code | (uint64_t)insn->dst_reg << 8 | (uint64_t)insn->src_reg << 12 |
	       (uint64_t)(uint16_t)insn->off << 16 | (uint64_t)(uint32_t)insn->imm << 32;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;
	char *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[len] = 0;
	fclose(f);
	return buf;
}

/* The body of section `-- name` of a .data file (malloc'ed), or NULL. */
static char *data_section(const char *text, const char *name)
{
	size_t name_len = strlen(name);
	const char *p = text, *start = NULL, *end;
	char *out;

	while (*p) {
		const char *eol = p + strcspn(p, "\n");

		if (!strncmp(p, "-- ", 3)) {
			if (start)
				break;
			if (!strncmp(p + 3, name, name_len) && (p + 3 + name_len == eol ||
								 p[3 + name_len] == '\r'))
				start = *eol ? eol + 1 : eol;
		}
		p = *eol ? eol + 1 : eol;
	}
	if (!start)
		return NULL;
	end = p;
	out = malloc((size_t)(end - start) + 1);
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = 0;
	return out;
}

/* Disassembles and reassembles; true when the bytes come back identical. */
static bool round_trip(const struct bpf_insn *insns, size_t cnt, const char *what)
{
	struct bpf_insn *again = NULL;
	size_t again_cnt = 0;
	int len = bpfhost_disasm(insns, cnt, NULL, 0);
	char *text;
	bool same;

	ASSERT_GE(len, 0, "disasm length");
	if (len < 0) {
		fprintf(stderr, "  %s: %s\n", what, bpfhost_last_error());
		return false;
	}
	text = malloc((size_t)len + 1);
	ASSERT_EQ(bpfhost_disasm(insns, cnt, text, (size_t)len + 1), len, "disasm writes");
	ASSERT_OK(bpfhost_asm(text, &again, &again_cnt), "reassemble");
	same = again_cnt == cnt && (!cnt || !memcmp(again, insns, cnt * sizeof(*insns)));
	if (!same)
		fprintf(stderr, "  %s: reassembly differs; text:\n%s\n", what, text);
	free(again);
	free(text);
	return same;
}

/* The `-- raw` section, one 64-bit hex slot per line, against the assembled slots. */
static void check_raw(char *raw, const struct bpf_insn *insns, size_t cnt)
{
	size_t i = 0;

	for (char *line = strtok(raw, "\n"); line; line = strtok(NULL, "\n")) {
		line += strspn(line, " \t\r");
		if (!*line || *line == '#')
			continue;
		ASSERT_TRUE(i < cnt, "raw section no longer than the program");
		if (i < cnt)
			ASSERT_EQ(slot_u64(&insns[i]), strtoull(line, NULL, 16),
				  "slot equals the raw section");
		i++;
	}
	ASSERT_EQ(i, cnt, "raw section slot count");
}

static void conformance_suite(void)
{
	const char *dir = getenv("BPFHOST_CONFORMANCE_DIR");
	size_t files = 0, raws = 0, slots = 0;
	struct dirent *de;
	DIR *d;

	if (!dir)
		dir = BPFHOST_CONFORMANCE_DIR_DEFAULT;
	d = opendir(dir);
	if (!d) {
		printf("skip conformance_suite: no conformance folder at %s (set BPFHOST_CONFORMANCE_DIR)\n",
		       dir);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char path[4096], *text, *src, *raw;
		struct bpf_insn *insns = NULL;
		size_t cnt = 0;

		if (n < 5 || strcmp(de->d_name + n - 5, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = read_file(path);
		ASSERT_TRUE(text, "read .data file");
		if (!text)
			continue;
		files++;
		src = data_section(text, "asm");
		ASSERT_TRUE(src, "file has an asm section");
		if (bpfhost_asm(src ? src : "", &insns, &cnt)) {
			ASSERT_OK(-1, "assemble conformance file");
			fprintf(stderr, "  %s: %s\n", de->d_name, bpfhost_last_error());
		} else {
			slots += cnt;
			raw = data_section(text, "raw");
			if (raw) {
				raws++;
				check_raw(raw, insns, cnt);
				free(raw);
			}
			ASSERT_TRUE(round_trip(insns, cnt, de->d_name), "disasm -> asm round trip");
		}
		free(insns);
		free(src);
		free(text);
	}
	closedir(d);
	printf("conformance_suite: %zu files (%zu with a raw section), %zu slots from %s\n", files,
	       raws, slots, dir);
	ASSERT_GE(files, 1, "found conformance files");
}

/* Assembles one line-or-more program and expects exactly @cnt slots. */
static struct bpf_insn *assemble(const char *src, size_t want_cnt)
{
	struct bpf_insn *insns = NULL;
	size_t cnt = 0;
	int err = bpfhost_asm(src, &insns, &cnt);

	ASSERT_OK(err, src);
	ASSERT_EQ(cnt, want_cnt, src);
	return insns;
}

/*
 * Encodings written from RFC 9669's field layout (opcode, dst in the low
 * nibble, src in the high nibble, off, imm), one per form.
 */
static void rfc_encodings(void)
{
	static const struct {
		const char *src;
		uint8_t code, dst, src_reg;
		int16_t off;
		int32_t imm;
	} cases[] = {
		{ "mov32 %r0, 0", 0xb4, 0, 0, 0, 0 },
		{ "mov %r1, -1", 0xb7, 1, 0, 0, -1 },
		{ "add %r1, %r2", 0x0f, 1, 2, 0, 0 },
		{ "sub32 %r3, 0x80000000", 0x14, 3, 0, 0, INT32_MIN },
		{ "div %r1, 3", 0x37, 1, 0, 0, 3 },
		{ "sdiv %r1, 3", 0x37, 1, 0, 1, 3 },
		{ "sdiv32 %r1, %r9", 0x3c, 1, 9, 1, 0 },
		{ "smod %r4, %r5", 0x9f, 4, 5, 1, 0 },
		{ "smod32 %r4, -7", 0x94, 4, 0, 1, -7 },
		{ "mod32 %r4, %r5", 0x9c, 4, 5, 0, 0 },
		{ "or %r1, 1", 0x47, 1, 0, 0, 1 },
		{ "and32 %r1, %r1", 0x5c, 1, 1, 0, 0 },
		{ "lsh %r1, 63", 0x67, 1, 0, 0, 63 },
		{ "rsh32 %r1, %r2", 0x7c, 1, 2, 0, 0 },
		{ "arsh %r7, 2", 0xc7, 7, 0, 0, 2 },
		{ "xor32 %r0, 0xffffffff", 0xa4, 0, 0, 0, -1 },
		{ "neg %r1", 0x87, 1, 0, 0, 0 },
		{ "neg32 %r2", 0x84, 2, 0, 0, 0 },
		{ "movsx832 %r2, %r1", 0xbc, 2, 1, 8, 0 },
		{ "movsx1632 %r2, %r1", 0xbc, 2, 1, 16, 0 },
		{ "movsx864 %r2, %r1", 0xbf, 2, 1, 8, 0 },
		{ "movsx1664 %r2, %r1", 0xbf, 2, 1, 16, 0 },
		{ "movsx3264 %r2, %r1", 0xbf, 2, 1, 32, 0 },
		{ "be16 %r0", 0xdc, 0, 0, 0, 16 },
		{ "be64 %r3", 0xdc, 3, 0, 0, 64 },
		{ "le32 %r0", 0xd4, 0, 0, 0, 32 },
		{ "bswap16 %r1", 0xd7, 1, 0, 0, 16 },
		{ "swap64 %r1", 0xd7, 1, 0, 0, 64 },
		{ "ldxb %r0, [%r1+2]", 0x71, 0, 1, 2, 0 },
		{ "ldxh %r0, [%r1]", 0x69, 0, 1, 0, 0 },
		{ "ldxw %r0, [%r1 - 4]", 0x61, 0, 1, -4, 0 },
		{ "ldxdw %r0, [%r10-8]", 0x79, 0, 10, -8, 0 },
		{ "ldxsb %r0, [%r1+0x2]", 0x91, 0, 1, 2, 0 },
		{ "ldxsh %r0, [%r1+2]", 0x89, 0, 1, 2, 0 },
		{ "ldxsw %r0, [%r1+2]", 0x81, 0, 1, 2, 0 },
		{ "stb [%r10-1], 0xff", 0x72, 10, 0, -1, 255 },
		{ "sth [%r1+2], 7", 0x6a, 1, 0, 2, 7 },
		{ "stw [%r1+2], -2", 0x62, 1, 0, 2, -2 },
		{ "stdw [%r10-8], 1", 0x7a, 10, 0, -8, 1 },
		{ "stxb [%r1+32767], %r2", 0x73, 1, 2, 32767, 0 },
		{ "stxh [%r1-32768], %r2", 0x6b, 1, 2, -32768, 0 },
		{ "stxw [%r1], %r2", 0x63, 1, 2, 0, 0 },
		{ "stxdw [%r10-8], %r0", 0x7b, 10, 0, -8, 0 },
		{ "lock add [%r1+0], %r2", 0xdb, 1, 2, 0, 0x00 },
		{ "lock add32 [%r1+4], %r2", 0xc3, 1, 2, 4, 0x00 },
		{ "lock fetch add [%r1], %r2", 0xdb, 1, 2, 0, 0x01 },
		{ "lock or [%r1], %r2", 0xdb, 1, 2, 0, 0x40 },
		{ "lock fetch or32 [%r1], %r2", 0xc3, 1, 2, 0, 0x41 },
		{ "lock and [%r1], %r2", 0xdb, 1, 2, 0, 0x50 },
		{ "lock fetch and [%r1], %r2", 0xdb, 1, 2, 0, 0x51 },
		{ "lock xor32 [%r1], %r2", 0xc3, 1, 2, 0, 0xa0 },
		{ "lock fetch xor [%r1], %r2", 0xdb, 1, 2, 0, 0xa1 },
		{ "lock xchg [%r1], %r2", 0xdb, 1, 2, 0, 0xe1 },
		{ "lock xchg32 [%r1], %r2", 0xc3, 1, 2, 0, 0xe1 },
		{ "lock cmpxchg [%r1], %r2", 0xdb, 1, 2, 0, 0xf1 },
		{ "lock cmpxchg32 [%r1], %r2", 0xc3, 1, 2, 0, 0xf1 },
		{ "ja +1", 0x05, 0, 0, 1, 0 },
		{ "ja -1", 0x05, 0, 0, -1, 0 },
		{ "ja32 +70000", 0x06, 0, 0, 0, 70000 },
		{ "jeq %r1, 5, +2", 0x15, 1, 0, 2, 5 },
		{ "jgt %r1, %r2, +2", 0x2d, 1, 2, 2, 0 },
		{ "jge32 %r1, 5, +2", 0x36, 1, 0, 2, 5 },
		{ "jset %r1, 0x8, -3", 0x45, 1, 0, -3, 8 },
		{ "jne32 %r1, %r2, +0", 0x5e, 1, 2, 0, 0 },
		{ "jsgt %r1, -1, +2", 0x65, 1, 0, 2, -1 },
		{ "jsge32 %r1, %r3, +2", 0x7e, 1, 3, 2, 0 },
		{ "jlt %r1, 5, +2", 0xa5, 1, 0, 2, 5 },
		{ "jle32 %r1, %r2, +2", 0xbe, 1, 2, 2, 0 },
		{ "jslt %r1, 5, +2", 0xc5, 1, 0, 2, 5 },
		{ "jsle32 %r1, 5, +2", 0xd6, 1, 0, 2, 5 },
		{ "call 5", 0x85, 0, 0, 0, 5 },
		{ "call helper 12", 0x85, 0, 0, 0, 12 },
		{ "call %r2", 0x8d, 2, 0, 0, 0 },
		{ "callx %r3", 0x8d, 3, 0, 0, 0 },
		{ "call local +3", 0x85, 0, 1, 0, 3 },
		{ "call kfunc 77", 0x85, 0, 2, 0, 77 },
		{ "exit", 0x95, 0, 0, 0, 0 },
		{ "ldabsw 12", 0x20, 0, 0, 0, 12 },
		{ "ldabsb 0x10", 0x30, 0, 0, 0, 16 },
		{ "ldindh %r3, 4", 0x48, 0, 3, 0, 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_insn *insn = assemble(cases[i].src, 1);

		if (!insn)
			continue;
		test_current = cases[i].src;
		ASSERT_EQ(insn->code, cases[i].code, "opcode");
		ASSERT_EQ(insn->dst_reg, cases[i].dst, "dst_reg");
		ASSERT_EQ(insn->src_reg, cases[i].src_reg, "src_reg");
		ASSERT_EQ(insn->off, cases[i].off, "off");
		ASSERT_EQ(insn->imm, cases[i].imm, "imm");
		ASSERT_TRUE(round_trip(insn, 1, cases[i].src), "round trip");
		free(insn);
	}
	test_current = "rfc_encodings";
}

static void lddw_forms(void)
{
	struct bpf_insn *p = assemble("lddw %r0, 0x1122334455667788", 2);

	if (p) {
		/* The conformance suite's own bytes for this line (lddw.data). */
		ASSERT_EQ(slot_u64(&p[0]), 0x5566778800000018ULL, "first slot");
		ASSERT_EQ(slot_u64(&p[1]), 0x1122334400000000ULL, "second slot");
	}
	free(p);
	p = assemble("lddw %r9, -1", 2);
	if (p) {
		ASSERT_EQ(p[0].imm, -1, "low half");
		ASSERT_EQ(p[1].imm, -1, "high half");
		ASSERT_EQ(p[0].dst_reg, 9, "dst");
	}
	free(p);
	p = assemble("lddw %r1, map_fd 3\nlddw %r2, map_value 4, 16\nlddw %r3, btf_id 9\n"
		     "lddw %r4, func -2\nlddw %r5, map_idx 0\nlddw %r6, map_idx_value 1, 8\nexit",
		     13);
	if (p) {
		for (int i = 0; i < 6; i++) {
			ASSERT_EQ(p[2 * i].code, 0x18, "lddw opcode");
			ASSERT_EQ(p[2 * i].src_reg, i + 1, "pseudo kind in src_reg");
			ASSERT_EQ(p[2 * i].dst_reg, i + 1, "dst");
			ASSERT_EQ(p[2 * i + 1].code, 0, "second slot opcode zero");
		}
		ASSERT_EQ(p[0].imm, 3, "map_fd imm");
		ASSERT_EQ(p[3].imm, 16, "map_value offset in the second slot");
		ASSERT_EQ(p[6].imm, -2, "func imm");
		ASSERT_TRUE(round_trip(p, 13, "pseudo lddw"), "pseudo lddw round trip");
	}
	free(p);
}

static void labels_and_exit(void)
{
	/* `exit` names the first exit instruction when no label says otherwise. */
	struct bpf_insn *p = assemble("jne %r1, 0, exit\nmov %r0, 1\nexit\nja exit\nexit", 5);

	if (p) {
		ASSERT_EQ(p[0].off, 1, "to the first exit");
		ASSERT_EQ(p[3].off, -2, "backwards to the first exit");
	}
	free(p);
	p = assemble("ja exit\nexit\nexit:\nmov %r0, 2\nexit", 4);
	if (p)
		ASSERT_EQ(p[0].off, 1, "an explicit exit label wins");
	free(p);
	/* Labels before lddw count both slots; a label may share the line; and end of program. */
	p = assemble("ja32 end\nstart: lddw %r0, 1\ncall local start\n  ja start # back\nend:", 5);
	if (p) {
		ASSERT_EQ(p[0].imm, 4, "ja32 over lddw to the end");
		ASSERT_EQ(p[3].imm, -3, "call local back to start");
		ASSERT_EQ(p[4].off, -4, "ja back to start");
		ASSERT_TRUE(round_trip(p, 5, "labels"), "labels round trip");
	}
	free(p);
	/* Empty and comment-only sources assemble to nothing. */
	{
		struct bpf_insn *insns = (void *)1;
		size_t cnt = 7;

		ASSERT_OK(bpfhost_asm("# nothing\n\n   \n", &insns, &cnt), "empty program");
		ASSERT_EQ(cnt, 0, "no slots");
		free(insns);
	}
}

static void disasm_text(void)
{
	struct bpf_insn *p = assemble("mov %r0, 0\njeq %r1, 2, done\nlddw %r2, 0x100000000\n"
				      "call local fn\ndone:\nexit\nfn:\nstxdw [%r10-8], %r1\n"
				      "lock fetch add32 [%r10-8], %r1\nexit\n", 9);
	char buf[512], small[16];
	int len;

	if (!p)
		return;
	len = bpfhost_disasm(p, 9, buf, sizeof(buf));
	ASSERT_STR_CONTAINS(buf, "mov %r0, 0\njeq %r1, 2, L5\nlddw %r2, 0x100000000\n"
			    "call local L6\nL5:\nexit\nL6:\nstxdw [%r10-8], %r1\n"
			    "lock fetch add32 [%r10-8], %r1\nexit\n", "text with labels");
	ASSERT_EQ(len, (long long)strlen(buf), "returns the length");
	/* snprintf semantics: the full length, a NUL-terminated prefix. */
	ASSERT_EQ(bpfhost_disasm(p, 9, small, sizeof(small)), len, "length when truncated");
	ASSERT_EQ(strlen(small), sizeof(small) - 1, "truncated and terminated");
	ASSERT_EQ(bpfhost_disasm(p, 9, NULL, 0), len, "length only");
	ASSERT_EQ(bpfhost_disasm_insn(&p[1], 8, buf, sizeof(buf)), 14, "single insn length");
	ASSERT_STR_CONTAINS(buf, "jeq %r1, 2, +3", "single insn: relative target");
	ASSERT_EQ(bpfhost_insn_slots(&p[2]), 2, "lddw takes two slots");
	ASSERT_EQ(bpfhost_insn_slots(&p[0]), 1, "mov takes one");
	free(p);
}

struct bad_case {
	const char *src;
	const char *line;	/* "line N" expected in the message */
	const char *what;	/* and this */
};

static void bad_input(void)
{
	static const struct bad_case cases[] = {
		{ "mov %r0, 1\nfrob %r1, 2\nexit", "line 2", "unknown mnemonic 'frob'" },
		{ "mov %r11, 1", "line 1", "bad register '%r11'" },
		{ "exit\nadd %r1, %x2", "line 2", "bad register" },
		{ "ldxw %r0, [%q1+2]", "line 1", "bad register" },
		{ "ldxw %r0, [%r1+40000]", "line 1", "offset '+40000' out of range" },
		{ "\n\nja +32768", "line 3", "out of range" },
		{ "stw [%r1-32769], 1", "line 1", "out of range" },
		{ "ja nowhere\nexit", "line 1", "undefined label 'nowhere'" },
		{ "mov %r0, 1\ncall local missing\nexit", "line 2", "undefined label 'missing'" },
		{ "mov %r0, 0x100000000", "line 1", "immediate '0x100000000' out of range" },
		{ "mov32 %r0, -2147483649", "line 1", "out of range" },
		{ "lddw %r0, 0x10000000000000000", "line 1", "out of range" },
		{ "jeq %r1, 99999999999, +1", "line 1", "out of range" },
		{ "a:\nexit\na:\nexit", "line 3", "duplicate label 'a'" },
		{ "add %r1", "line 1", "takes 2 operands, got 1" },
		{ "exit %r0", "line 1", "takes 0 operands" },
		{ "ldxw %r0, %r1", "line 1", "bad memory operand" },
		{ "lock fetch xchg [%r1], %r2", "line 1", "always fetches" },
		{ "lock nand [%r1], %r2", "line 1", "unknown atomic operation" },
		{ "movsx3232 %r1, %r2", "line 1", "unknown mnemonic" },
		{ "ldxsdw %r1, [%r2]", "line 1", "unknown mnemonic" },
		{ "jeq64 %r1, 1, +1", "line 1", "unknown mnemonic" },
		{ "call local", "line 1", "'call' takes" },
		{ "mov %r1, abc", "line 1", "expected an immediate" },
		{ "jeq %r1, 1, 2bad", "line 1", "expected an offset, got '2bad'" },
		{ "mov %r1, 0x", "line 1", "expected an immediate" },
		{ "ja a-b", "line 1", "bad jump target" },
		{ "lddw %r1, map_thing 3", "line 1", "unknown lddw kind" },
		{ "9lives:\nexit", "line 1", "bad label" },
		{ "add %r1, , %r2", "line 1", "empty operand" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_insn *insns = (void *)1;
		size_t cnt = 5;

		test_current = cases[i].src;
		errno = 0;
		ASSERT_EQ(bpfhost_asm(cases[i].src, &insns, &cnt), -EINVAL, "-EINVAL");
		ASSERT_EQ(errno, EINVAL, "errno set");
		ASSERT_TRUE(!insns && !cnt, "no output on failure");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].line, "message names the line");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].what, "message says what");
	}
	test_current = "bad_input";
	ASSERT_EQ(bpfhost_asm(NULL, NULL, NULL), -EINVAL, "NULL arguments");

	/* A label more than 32767 slots away does not fit off; ja32 reaches it. */
	{
		size_t n = 33000, len = 0;
		char *src = malloc(n * 12 + 64);
		struct bpf_insn *insns = NULL;
		size_t cnt = 0;

		len += (size_t)sprintf(src, "ja far\n");
		for (size_t i = 0; i < n; i++)
			len += (size_t)sprintf(src + len, "mov %%r0, 1\n");
		sprintf(src + len, "far:\nexit\n");
		ASSERT_EQ(bpfhost_asm(src, &insns, &cnt), -EINVAL, "label out of off range");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "line 1", "names the jump's line");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "out of range", "says out of range");
		memcpy(src, "ja32 x", 6);	/* "ja far" -> "ja32 x", label x */
		src[len] = 0;
		strcat(src, "x:\nexit\n");
		ASSERT_OK(bpfhost_asm(src, &insns, &cnt), "ja32 reaches it");
		if (cnt)
			ASSERT_EQ(insns[0].imm, (long long)n, "ja32 distance");
		free(insns);
		free(src);
	}
}

static void disasm_rejects_invalid(void)
{
	static const struct {
		struct bpf_insn insn;
		const char *what;
	} cases[] = {
		{ { .code = 0x00 }, "unknown opcode" },
		{ { .code = 0xff }, "unknown opcode" },
		{ { .code = 0x8f, .dst_reg = 1 }, "unknown opcode" },	/* neg with X */
		{ { .code = 0xdf, .imm = 16 }, "unknown opcode" },		/* ALU64 END X */
		{ { .code = 0x99 }, "unknown opcode" },				/* ldxsdw */
		{ { .code = 0x86 }, "unknown opcode" },			/* JMP32 CALL */
		{ { .code = 0x9d }, "unknown opcode" },				/* exit X */
		{ { .code = 0xe5 }, "unknown opcode" },			/* jump op 0xe */
		{ { .code = 0xe7 }, "unknown opcode" },			/* ALU op 0xe */
		{ { .code = 0xb7, .dst_reg = 11 }, "register above r10" },
		{ { .code = 0xbf, .src_reg = 12 }, "register above r10" },
		{ { .code = 0xb7, .src_reg = 1 }, "reserved src_reg" },
		{ { .code = 0xbf, .imm = 1 }, "reserved imm" },
		{ { .code = 0x07, .off = 1 }, "offset not valid" },
		{ { .code = 0x3f, .off = 2 }, "offset not valid" },
		{ { .code = 0xbc, .off = 32 }, "offset not valid" },	/* movsx from 32: ALU64 */
		{ { .code = 0xd4, .imm = 8 }, "byte swap width" },
		{ { .code = 0x95, .imm = 1 }, "reserved" },
		{ { .code = 0x05, .imm = 1 }, "reserved" },
		{ { .code = 0x06, .off = 1 }, "reserved" },
		{ { .code = 0x85, .src_reg = 3 }, "unknown call kind" },
		{ { .code = 0x8d, .dst_reg = 1, .imm = 5 }, "reserved" },
		{ { .code = 0xdb, .imm = 0x02 }, "unknown atomic" },
		{ { .code = 0xd3 }, "unknown opcode" },			/* atomic byte */
		{ { .code = 0x61, .imm = 3 }, "reserved imm" },
		{ { .code = 0x62, .src_reg = 3 }, "reserved src_reg" },
		{ { .code = 0x38 }, "unknown opcode" },			/* ld abs dw */
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpf_insn prog[3] = { { .code = 0xb7 }, { .code = 0xb7 }, cases[i].insn };
		char opcode[16];

		snprintf(opcode, sizeof(opcode), "0x%02x", cases[i].insn.code);
		test_current = cases[i].what;
		ASSERT_EQ(bpfhost_disasm(prog, 3, buf, sizeof(buf)), -EINVAL, "-EINVAL");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "instruction 2", "names the index");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), opcode, "names the opcode");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].what, "says what");
		ASSERT_EQ(bpfhost_disasm_insn(&cases[i].insn, 1, buf, sizeof(buf)), -EINVAL,
			  "single insn -EINVAL");
	}
	test_current = "disasm_rejects_invalid";
	{
		struct bpf_insn lddw[2] = {
			{ .code = 0x18, .dst_reg = 1, .imm = 1 },
			{ .imm = 2 },
		};

		ASSERT_EQ(bpfhost_disasm(lddw, 1, buf, sizeof(buf)), -EINVAL, "lddw cut off");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "second slot", "says second slot");
		lddw[1].code = 0x18;
		ASSERT_EQ(bpfhost_disasm(lddw, 2, buf, sizeof(buf)), -EINVAL, "second slot opcode");
		lddw[1].code = 0;
		lddw[0].src_reg = 7;
		ASSERT_EQ(bpfhost_disasm(lddw, 2, buf, sizeof(buf)), -EINVAL, "lddw kind 7");
		lddw[0].src_reg = 0;
		ASSERT_GE(bpfhost_disasm(lddw, 2, buf, sizeof(buf)), 1, "valid lddw");
		ASSERT_STR_CONTAINS(buf, "lddw %r1, 0x200000001", "both halves");
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Each field zero half the time, else a value that matters to validity or a random one. */
static struct bpf_insn random_insn(void)
{
	static const int16_t offs[] = { 1, 8, 16, 32, -1, 2 };
	static const int32_t imms[] = { 16, 32, 64, 1, 0x01, 0x40, 0x41, 0x50, 0x51,
					0xa0, 0xa1, 0xe1, 0xf1, -1, 2 };
	struct bpf_insn insn = { .code = (uint8_t)rng() };
	uint64_t r = rng();

	if (r & 1)
		insn.dst_reg = (uint8_t)((r >> 8) % 12);
	if (r & 2)
		insn.src_reg = (uint8_t)((r >> 12) % 12);
	if (r & 4)
		insn.off = r & 8 ? (int16_t)(r >> 16) : offs[(r >> 16) % 6];
	if (r & 16)
		insn.imm = r & 32 ? (int32_t)(r >> 32) : imms[(r >> 32) % 15];
	return insn;
}

static void random_round_trip(void)
{
	static const uint8_t valid[] = {
		/* Opcodes RFC 9669 defines (a sample of every class) must be accepted... */
		0x04, 0x07, 0x0c, 0x0f, 0x34, 0x37, 0x84, 0x87, 0xb4, 0xbf, 0xd4, 0xdc, 0xd7,
		0x05, 0x06, 0x15, 0x16, 0x1d, 0x85, 0x8d, 0x95, 0xd5, 0xde, 0x18, 0x20, 0x28,
		0x30, 0x40, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a,
		0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb,
	};
	static const uint8_t invalid[] = {
		/* ...and these never. */
		0x00, 0x08, 0x10, 0x38, 0x58, 0x60, 0x80, 0x99, 0x8f, 0x8c, 0xdf, 0xe4, 0xf7,
		0x0d, 0x0e, 0x86, 0x96, 0x9d, 0xe5, 0xf6, 0xd3, 0xcb, 0x42, 0x43, 0xa1,
	};
	bool seen[256] = { false };
	size_t accepted = 0, tried = 200000;
	char buf[128];

	for (size_t i = 0; i < tried; i++) {
		struct bpf_insn insn[2] = { random_insn(), { .imm = (int32_t)rng() } };
		struct bpf_insn *again = NULL;
		size_t cnt = 0;
		int len = bpfhost_disasm_insn(insn, 2, buf, sizeof(buf));

		if (len < 0)
			continue;
		accepted++;
		seen[insn[0].code] = true;
		if (bpfhost_asm(buf, &again, &cnt) || cnt != bpfhost_insn_slots(insn) ||
		    memcmp(again, insn, cnt * sizeof(*insn))) {
			char msg[256];

			snprintf(msg, sizeof(msg), "round trip of '%s' (0x%016llx)", buf,
				 (unsigned long long)slot_u64(insn));
			ASSERT_OK(-1, msg);
		}
		free(again);
	}
	printf("random_round_trip: %zu of %zu random encodings valid, all reassembled\n", accepted,
	       tried);
	ASSERT_GE(accepted, tried / 10, "enough valid encodings drawn");
	for (size_t i = 0; i < sizeof(valid); i++) {
		snprintf(buf, sizeof(buf), "opcode 0x%02x accepted", valid[i]);
		ASSERT_TRUE(seen[valid[i]], buf);
	}
	for (size_t i = 0; i < sizeof(invalid); i++) {
		snprintf(buf, sizeof(buf), "opcode 0x%02x never accepted", invalid[i]);
		ASSERT_TRUE(!seen[invalid[i]], buf);
	}
}

/* Random token soup: never a crash (ASan/UBSan builds), always 0 or -EINVAL with a line. */
static void garbage_input(void)
{
	static const char *const tokens[] = {
		"mov", "lddw", "lock", "fetch", "call", "local", "ja", "ja32", "jeq32", "exit",
		"ldxb", "stxdw", "stw", "be16", "movsx864", "%r1", "%r10", "%r11", "r2", "%",
		"[%r1+2]", "[%r1-]", "[", "]", "[%r10-8", ",", ",", "  ", "\n", "\n", ":", "x:",
		"x", "+1", "-1", "0x", "0xffffffffffffffffff", "-2147483648", "4294967296", "#",
		"map_fd", "3", "add32", "neg", "swap64", "ldabsw", "ldindb",
	};
	char src[512];
	size_t ok = 0, rejected = 0;

	for (int round = 0; round < 20000; round++) {
		struct bpf_insn *insns = NULL;
		size_t cnt = 0, len = 0;
		int n = 1 + (int)(rng() % 12), err;

		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(src + len, sizeof(src) - len, "%s ",
						tokens[rng() % (sizeof(tokens) / sizeof(tokens[0]))]);
		err = bpfhost_asm(src, &insns, &cnt);
		if (err) {
			rejected++;
			ASSERT_EQ(err, -EINVAL, "garbage rejected with -EINVAL");
			ASSERT_STR_CONTAINS(bpfhost_last_error(), "line ", "garbage message has a line");
		} else {
			ok++;
			ASSERT_TRUE(round_trip(insns, cnt, src), "accepted garbage round-trips");
		}
		free(insns);
	}
	printf("garbage_input: %zu accepted, %zu rejected\n", ok, rejected);
	ASSERT_GE(rejected, 1000, "most garbage rejected");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(conformance_suite),
		TEST(rfc_encodings),
		TEST(lddw_forms),
		TEST(labels_and_exit),
		TEST(disasm_text),
		TEST(bad_input),
		TEST(disasm_rejects_invalid),
		TEST(random_round_trip),
		TEST(garbage_input),
	};

	return test_run("asm", cases, sizeof(cases) / sizeof(cases[0]));
}
