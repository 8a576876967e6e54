// SPDX-License-Identifier: MIT
/*
 * Assembler for the bpf_conformance text syntax (see bpfhost/asm.h). One pass
 * encodes the lines and records label references; a second pass resolves them.
 * Every failure names the line number, the line and what was wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"
#include "insn_names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct asm_label {
	const char *name;	/* in the working copy of the source */
	size_t insn;		/* slot index the label names */
};

/* A reference to a label, patched once every label is known. */
struct asm_fixup {
	size_t insn;
	const char *label;
	unsigned int line_no;
	const char *line;	/* original text, for the message */
	bool in_imm;		/* ja32 and call local: imm; others: off */
};

struct asm_ctx {
	struct bpf_insn *insns;
	size_t cnt, cap;
	struct asm_label *labels;
	size_t nlabels, cap_labels;
	struct asm_fixup *fixups;
	size_t nfixups, cap_fixups;
	bool have_exit;		/* first `exit` instruction seen (the implicit label) */
	size_t first_exit;
	/* The line being assembled, for messages. */
	unsigned int line_no;
	const char *line;
};

static int asm_fail(const struct asm_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets "asm line N: 'text': what" and returns -EINVAL. */
static int asm_fail(const struct asm_ctx *c, const char *fmt, ...)
{
	char what[256];
	size_t len = strcspn(c->line, "\r\n");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	while (len && isspace((unsigned char)c->line[len - 1]))
		len--;
	if (len > 120)
		len = 120;
	return bpfhost_set_last_error(-EINVAL, "asm line %u: '%.*s': %s", c->line_no, (int)len,
				      c->line, what);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return bpfhost_set_last_error(-ENOMEM, "asm: out of memory for %zu entries", need);
	*arr = p;
	*cap = n;
	return 0;
}

static int emit(struct asm_ctx *c, struct bpf_insn insn)
{
	int err = grow((void **)&c->insns, &c->cap, c->cnt + 1, sizeof(*c->insns));

	if (err)
		return err;
	c->insns[c->cnt++] = insn;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static bool is_ident_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_' || ch == '.';
}

static bool is_ident(const char *s)
{
	if (!is_ident_start(*s))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return false;
	return true;
}

static bool looks_numeric(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	return isdigit((unsigned char)*s);
}

enum num_status { NUM_OK, NUM_MALFORMED, NUM_OVERFLOW };

/* Numbers: [+-] then decimal digits or 0x hex digits; the whole token. */
static enum num_status parse_num(const char *s, bool *neg, uint64_t *mag)
{
	unsigned int base = 10;
	uint64_t v = 0;

	*neg = false;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return NUM_MALFORMED;
	for (; *s; s++) {
		unsigned int d;

		if (isdigit((unsigned char)*s))
			d = (unsigned int)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return NUM_MALFORMED;
		if (v > (UINT64_MAX - d) / base)
			return NUM_OVERFLOW;
		v = v * base + d;
	}
	*mag = v;
	return NUM_OK;
}

/* Parses @s as a number of @what ("immediate", "offset"); 0 or -EINVAL. */
static int parse_num_or_fail(struct asm_ctx *c, const char *s, const char *what, bool *neg,
			     uint64_t *mag, bool *overflow)
{
	enum num_status st = looks_numeric(s) ? parse_num(s, neg, mag) : NUM_MALFORMED;

	*overflow = st == NUM_OVERFLOW;
	if (st == NUM_MALFORMED)
		return asm_fail(c, "expected an %s, got '%s'", what, s);
	return 0;
}

/* A 32-bit immediate: signed (-2^31..2^31-1) or unsigned (..2^32-1) spelling. */
static int parse_imm32(struct asm_ctx *c, const char *s, int32_t *out)
{
	bool neg, overflow;
	uint64_t mag = 0;
	int err = parse_num_or_fail(c, s, "immediate", &neg, &mag, &overflow);

	if (err)
		return err;
	if (overflow || (neg ? mag > 0x80000000ULL : mag > 0xffffffffULL))
		return asm_fail(c, "immediate '%s' out of range (32 bits)", s);
	*out = (int32_t)(uint32_t)(neg ? 0 - mag : mag);
	return 0;
}

static int parse_imm64(struct asm_ctx *c, const char *s, uint64_t *out)
{
	bool neg, overflow;
	uint64_t mag = 0;
	int err = parse_num_or_fail(c, s, "immediate", &neg, &mag, &overflow);

	if (err)
		return err;
	if (overflow || (neg && mag > 0x8000000000000000ULL))
		return asm_fail(c, "immediate '%s' out of range (64 bits)", s);
	*out = neg ? 0 - mag : mag;
	return 0;
}

static int parse_off16(struct asm_ctx *c, const char *s, int16_t *out)
{
	bool neg, overflow;
	uint64_t mag = 0;
	int err = parse_num_or_fail(c, s, "offset", &neg, &mag, &overflow);

	if (err)
		return err;
	if (overflow || mag > (neg ? 32768U : 32767U))
		return asm_fail(c, "offset '%s' out of range (-32768..32767)", s);
	*out = (int16_t)(neg ? -(int64_t)mag : (int64_t)mag);
	return 0;
}

/* A register operand: anything starting with %, or rN (the % is optional). */
static bool is_reg_token(const char *s)
{
	return s[0] == '%' || (s[0] == 'r' && isdigit((unsigned char)s[1]));
}

static int parse_reg(struct asm_ctx *c, const char *s, uint8_t *reg)
{
	const char *p = *s == '%' ? s + 1 : s;
	char *end;
	long n;

	if (p[0] != 'r' || !isdigit((unsigned char)p[1]))
		return asm_fail(c, "bad register '%s' (expected %%r0..%%r10)", s);
	n = strtol(p + 1, &end, 10);
	if (*end || n > 10 || (p[1] == '0' && p[2]))
		return asm_fail(c, "bad register '%s' (expected %%r0..%%r10)", s);
	*reg = (uint8_t)n;
	return 0;
}

/* [%rN], [%rN+off], [%rN-off]; spaces inside the brackets are allowed. */
static int parse_mem(struct asm_ctx *c, const char *s, uint8_t *reg, int16_t *off)
{
	char tmp[64], *p, *sign;
	size_t n = 0, len = strlen(s);
	int err;

	if (len < 3 || s[0] != '[' || s[len - 1] != ']')
		return asm_fail(c, "bad memory operand '%s' (expected [%%rN+off])", s);
	for (size_t i = 1; i + 1 < len; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if (n + 1 >= sizeof(tmp))
			return asm_fail(c, "bad memory operand '%s'", s);
		tmp[n++] = s[i];
	}
	tmp[n] = 0;
	p = tmp;
	sign = strpbrk(p, "+-");
	*off = 0;
	if (sign) {
		char num[64];

		snprintf(num, sizeof(num), "%s", sign);
		*sign = 0;
		err = parse_off16(c, num, off);
		if (err)
			return err;
	}
	return parse_reg(c, p, reg);
}

/* Splits @s at commas into trimmed operands; returns the count or -1. */
static int split_operands(char *s, char **ops, int max)
{
	int n = 0;

	s = trim(s);
	if (!*s)
		return 0;
	for (;;) {
		char *comma = strchr(s, ',');

		if (n == max)
			return -1;
		if (comma)
			*comma = 0;
		ops[n++] = trim(s);
		if (!comma)
			break;
		s = comma + 1;
	}
	return n;
}

static int want_operands(struct asm_ctx *c, const char *mn, int n, int want)
{
	if (n != want)
		return asm_fail(c, "'%s' takes %d operand%s, got %d", mn, want,
				want == 1 ? "" : "s", n);
	return 0;
}

static int add_fixup(struct asm_ctx *c, const char *label, bool in_imm)
{
	int err = grow((void **)&c->fixups, &c->cap_fixups, c->nfixups + 1, sizeof(*c->fixups));

	if (err)
		return err;
	c->fixups[c->nfixups++] = (struct asm_fixup){
		.insn = c->cnt, .label = label, .line_no = c->line_no, .line = c->line,
		.in_imm = in_imm,
	};
	return 0;
}

/*
 * A jump target for the instruction about to be emitted: +N/-N (or a bare N)
 * is relative to the next instruction, anything else is a label.
 */
static int parse_target(struct asm_ctx *c, const char *s, bool in_imm, int16_t *off, int32_t *imm)
{
	if (looks_numeric(s))
		return in_imm ? parse_imm32(c, s, imm) : parse_off16(c, s, off);
	if (!is_ident(s))
		return asm_fail(c, "bad jump target '%s' (expected +N, -N or a label)", s);
	return add_fixup(c, s, in_imm);
}

/* Register or immediate second operand of ALU and conditional jumps. */
static int parse_src(struct asm_ctx *c, const char *s, struct bpf_insn *insn)
{
	if (is_reg_token(s)) {
		uint8_t reg;
		int err = parse_reg(c, s, &reg);

		insn->code |= BPF_X;
		insn->src_reg = reg;
		return err;
	}
	return parse_imm32(c, s, &insn->imm);
}

static int parse_dst(struct asm_ctx *c, const char *s, struct bpf_insn *insn)
{
	uint8_t reg;
	int err = parse_reg(c, s, &reg);

	insn->dst_reg = reg;
	return err;
}

/* Strips a "32"/"64" width suffix; returns 32, 64 or 0 (none). */
static int strip_width(char *mn)
{
	size_t len = strlen(mn);

	if (len > 2 && (!strcmp(mn + len - 2, "32") || !strcmp(mn + len - 2, "64"))) {
		int w = mn[len - 2] == '3' ? 32 : 64;

		mn[len - 2] = 0;
		return w;
	}
	return 0;
}

static int size_by_name(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, insn_size_names[i]))
			return i << 3;
	return -1;
}

/*
 * The [%rB+off] operand plus a register: into src for stores (@store), where
 * the base is dst, or into dst for loads, where the base is src.
 */
static int asm_mem_reg(struct asm_ctx *c, const char *mem, const char *reg_s,
		       struct bpf_insn *insn, bool store)
{
	uint8_t base, reg;
	int16_t off;
	int err = parse_mem(c, mem, &base, &off);

	if (!err)
		err = parse_reg(c, reg_s, &reg);
	if (err)
		return err;
	insn->off = off;
	insn->dst_reg = store ? base : reg;
	insn->src_reg = store ? reg : base;
	return 0;
}

static int asm_lddw(struct asm_ctx *c, char **ops, int n)
{
	struct bpf_insn lo = { .code = BPF_LDDW }, hi = { 0 };
	uint64_t v = 0;
	int err;

	if (n < 2 || n > 3)
		return asm_fail(c, "'lddw' takes %%rD, IMM64 or %%rD, KIND IMM[, NEXT_IMM]");
	err = parse_dst(c, ops[0], &lo);
	if (err)
		return err;
	if (looks_numeric(ops[1])) {
		if (n != 2)
			return asm_fail(c, "'lddw' with a plain immediate takes 2 operands");
		err = parse_imm64(c, ops[1], &v);
		lo.imm = (int32_t)(uint32_t)v;
		hi.imm = (int32_t)(uint32_t)(v >> 32);
	} else {
		char *kind = ops[1], *val = kind + strcspn(kind, " \t");
		int src = -1;

		if (*val)
			*val++ = 0;
		val = trim(val);
		for (int i = 1; i < (int)ARRAY_SIZE(insn_lddw_kinds); i++)
			if (!strcmp(kind, insn_lddw_kinds[i]))
				src = i;
		if (src < 0)
			return asm_fail(c, "unknown lddw kind '%s' (map_fd, map_value, btf_id, func, map_idx, map_idx_value)",
					kind);
		lo.src_reg = (uint8_t)src;
		err = parse_imm32(c, val, &lo.imm);
		if (!err && n == 3)
			err = parse_imm32(c, ops[2], &hi.imm);
	}
	if (err)
		return err;
	err = emit(c, lo);
	return err ? err : emit(c, hi);
}

static int asm_call(struct asm_ctx *c, char *rest)
{
	struct bpf_insn insn = { .code = BPF_JMP | BPF_CALL };
	char *words[3], *save = NULL;
	int n = 0;

	for (char *w = strtok_r(rest, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == 2)
			return asm_fail(c, "'call' takes ID, %%rN, local TARGET or kfunc ID");
		words[n++] = w;
	}
	if (n == 1 && is_reg_token(words[0])) {
		insn.code |= BPF_X;	/* callx: the register holds the helper id */
		int err = parse_dst(c, words[0], &insn);

		return err ? err : emit(c, insn);
	}
	if ((n == 1 && looks_numeric(words[0])) || (n == 2 && !strcmp(words[0], "helper"))) {
		int err = parse_imm32(c, words[n - 1], &insn.imm);

		return err ? err : emit(c, insn);
	}
	if (n == 2 && !strcmp(words[0], INSN_CALL_LOCAL_NAME)) {
		int16_t unused;
		int err;

		insn.src_reg = BPF_PSEUDO_CALL;
		err = parse_target(c, words[1], true, &unused, &insn.imm);
		return err ? err : emit(c, insn);
	}
	if (n == 2 && (!strcmp(words[0], INSN_CALL_KFUNC_NAME) || !strcmp(words[0], "runtime"))) {
		int err;

		insn.src_reg = BPF_PSEUDO_KFUNC_CALL;
		err = parse_imm32(c, words[1], &insn.imm);
		return err ? err : emit(c, insn);
	}
	return asm_fail(c, "'call' takes ID, %%rN, local TARGET or kfunc ID");
}

/* lock [fetch] OP[32] [%rD+off], %rS */
static int asm_lock(struct asm_ctx *c, char *rest)
{
	struct bpf_insn insn = { .code = BPF_STX | BPF_ATOMIC | BPF_DW };
	char op[32], *ops[3];
	bool fetch = false;
	const struct insn_atomic_name *a = NULL;
	size_t len;
	int n, err, width;

	rest = trim(rest);
	len = strcspn(rest, " \t");
	if (len == 5 && !strncmp(rest, "fetch", 5)) {
		fetch = true;
		rest = trim(rest + len);
		len = strcspn(rest, " \t");
	}
	if (!len || len >= sizeof(op))
		return asm_fail(c, "'lock' takes [fetch] OP [%%rD+off], %%rS");
	memcpy(op, rest, len);
	op[len] = 0;
	rest += len;
	width = strip_width(op);
	for (size_t i = 0; i < ARRAY_SIZE(insn_atomic_names); i++)
		if (!strcmp(op, insn_atomic_names[i].name))
			a = &insn_atomic_names[i];
	if (!a || width == 64)
		return asm_fail(c, "unknown atomic operation '%.*s'", (int)len, rest - len);
	if (fetch && !a->fetch_optional)
		return asm_fail(c, "'lock %s' always fetches; drop 'fetch'", a->name);
	if (width == 32)
		insn.code = BPF_STX | BPF_ATOMIC | BPF_W;
	insn.imm = a->imm | (fetch ? BPF_FETCH : 0);
	n = split_operands(rest, ops, 3);
	err = want_operands(c, "lock", n, 2);
	if (!err)
		err = asm_mem_reg(c, ops[0], ops[1], &insn, true);
	return err ? err : emit(c, insn);
}

/* be16 le32 bswap64 swap16: returns the width or 0. */
static int end_width(const char *mn, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(mn, prefix, len))
		return 0;
	mn += len;
	if (!strcmp(mn, "16"))
		return 16;
	if (!strcmp(mn, "32"))
		return 32;
	if (!strcmp(mn, "64"))
		return 64;
	return 0;
}

static int asm_end(struct asm_ctx *c, const char *mn, uint8_t code, int width, char **ops, int n)
{
	struct bpf_insn insn = { .code = code, .imm = width };
	int err = want_operands(c, mn, n, 1);

	if (!err)
		err = parse_dst(c, ops[0], &insn);
	return err ? err : emit(c, insn);
}

/* movsx{8,16,32}{32,64}: sign-extending register moves (off = source width). */
static int asm_movsx(struct asm_ctx *c, const char *mn, char **ops, int n)
{
	static const struct { const char *name; uint8_t cls; int16_t off; } forms[] = {
		{ "movsx832", BPF_ALU, 8 },	{ "movsx1632", BPF_ALU, 16 },
		{ "movsx864", BPF_ALU64, 8 },	{ "movsx1664", BPF_ALU64, 16 },
		{ "movsx3264", BPF_ALU64, 32 },
	};
	struct bpf_insn insn = { 0 };
	uint8_t src = 0;
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		if (strcmp(mn, forms[i].name))
			continue;
		insn.code = forms[i].cls | BPF_MOV | BPF_X;
		insn.off = forms[i].off;
		err = want_operands(c, mn, n, 2);
		if (!err)
			err = parse_dst(c, ops[0], &insn);
		if (!err)
			err = parse_reg(c, ops[1], &src);
		insn.src_reg = src;
		return err ? err : emit(c, insn);
	}
	return asm_fail(c, "unknown mnemonic '%s'", mn);
}

/* ldx*, ldxs*, st*, stx*, ldabs*, ldind*; returns 1 when @mn is none of them. */
static int asm_load_store(struct asm_ctx *c, const char *mn, char **ops, int n)
{
	struct bpf_insn insn = { 0 };
	int size, err;
	uint8_t reg = 0;

	if (!strncmp(mn, "ldxs", 4) && (size = size_by_name(mn + 4)) >= 0 && size != BPF_DW) {
		insn.code = BPF_LDX | BPF_MEMSX | size;
	} else if (!strncmp(mn, "ldx", 3) && (size = size_by_name(mn + 3)) >= 0) {
		insn.code = BPF_LDX | BPF_MEM | size;
	} else if (!strncmp(mn, "stx", 3) && (size = size_by_name(mn + 3)) >= 0) {
		err = want_operands(c, mn, n, 2);
		insn.code = BPF_STX | BPF_MEM | size;
		err = err ? err : asm_mem_reg(c, ops[0], ops[1], &insn, true);
		return err ? err : emit(c, insn);
	} else if (!strncmp(mn, "st", 2) && (size = size_by_name(mn + 2)) >= 0) {
		insn.code = BPF_ST | BPF_MEM | size;
		err = want_operands(c, mn, n, 2);
		err = err ? err : parse_mem(c, ops[0], &reg, &insn.off);
		err = err ? err : parse_imm32(c, ops[1], &insn.imm);
		insn.dst_reg = reg;
		return err ? err : emit(c, insn);
	} else if (!strncmp(mn, "ldabs", 5) && (size = size_by_name(mn + 5)) >= 0 &&
		   size != BPF_DW) {
		insn.code = BPF_LD | BPF_ABS | size;
		err = want_operands(c, mn, n, 1);
		err = err ? err : parse_imm32(c, ops[0], &insn.imm);
		return err ? err : emit(c, insn);
	} else if (!strncmp(mn, "ldind", 5) && (size = size_by_name(mn + 5)) >= 0 &&
		   size != BPF_DW) {
		insn.code = BPF_LD | BPF_IND | size;
		err = want_operands(c, mn, n, 2);
		err = err ? err : parse_reg(c, ops[0], &reg);
		err = err ? err : parse_imm32(c, ops[1], &insn.imm);
		insn.src_reg = reg;
		return err ? err : emit(c, insn);
	} else {
		return 1;
	}
	/* The two ldx forms: %rD, [%rS+off]. */
	err = want_operands(c, mn, n, 2);
	err = err ? err : asm_mem_reg(c, ops[1], ops[0], &insn, false);
	return err ? err : emit(c, insn);
}

static int find_name(const char *const *names, size_t cnt, const char *s)
{
	for (size_t i = 0; i < cnt; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* ALU operations and conditional jumps, with an optional 32 (or 64 for ALU) suffix. */
static int asm_alu_jmp(struct asm_ctx *c, const char *full, char **ops, int n)
{
	char mn[32];
	struct bpf_insn insn = { 0 };
	int width, op, err;

	if (strlen(full) >= sizeof(mn))
		return asm_fail(c, "unknown mnemonic '%s'", full);
	strcpy(mn, full);
	width = strip_width(mn);
	if (!strcmp(mn, INSN_SDIV_NAME) || !strcmp(mn, INSN_SMOD_NAME)) {
		insn.off = 1;
		op = mn[1] == 'd' ? BPF_DIV >> 4 : BPF_MOD >> 4;
	} else {
		op = find_name(insn_alu_names, ARRAY_SIZE(insn_alu_names), mn);
	}
	if (op >= 0) {
		insn.code = (uint8_t)((width == 32 ? BPF_ALU : BPF_ALU64) | op << 4);
		if (op == BPF_NEG >> 4) {
			err = want_operands(c, full, n, 1);
			err = err ? err : parse_dst(c, ops[0], &insn);
			return err ? err : emit(c, insn);
		}
		err = want_operands(c, full, n, 2);
		err = err ? err : parse_dst(c, ops[0], &insn);
		err = err ? err : parse_src(c, ops[1], &insn);
		return err ? err : emit(c, insn);
	}
	op = find_name(insn_jmp_names, ARRAY_SIZE(insn_jmp_names), mn);
	if (op < 0 || width == 64)
		return asm_fail(c, "unknown mnemonic '%s'", full);
	insn.code = (uint8_t)((width == 32 ? BPF_JMP32 : BPF_JMP) | op << 4);
	err = want_operands(c, full, n, 3);
	err = err ? err : parse_dst(c, ops[0], &insn);
	err = err ? err : parse_src(c, ops[1], &insn);
	err = err ? err : parse_target(c, ops[2], false, &insn.off, &insn.imm);
	return err ? err : emit(c, insn);
}

static int asm_insn(struct asm_ctx *c, char *mn, char *rest)
{
	char *ops[4];
	int n, w, err;

	if (!strcmp(mn, "lock"))
		return asm_lock(c, rest);
	if (!strcmp(mn, "call"))
		return asm_call(c, rest);
	n = split_operands(rest, ops, (int)ARRAY_SIZE(ops));
	if (n < 0)
		return asm_fail(c, "too many operands for '%s'", mn);
	for (int i = 0; i < n; i++)
		if (!*ops[i])
			return asm_fail(c, "empty operand %d of '%s'", i + 1, mn);
	if (!strcmp(mn, "callx")) {
		struct bpf_insn insn = { .code = BPF_JMP | BPF_CALL | BPF_X };

		err = want_operands(c, mn, n, 1);
		err = err ? err : parse_dst(c, ops[0], &insn);
		return err ? err : emit(c, insn);
	}
	if (!strcmp(mn, "exit")) {
		err = want_operands(c, mn, n, 0);
		if (err)
			return err;
		if (!c->have_exit) {
			c->have_exit = true;
			c->first_exit = c->cnt;
		}
		return emit(c, (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT });
	}
	if (!strcmp(mn, "ja") || !strcmp(mn, "ja32")) {
		bool ja32 = mn[2] != 0;
		struct bpf_insn insn = { .code = ja32 ? BPF_JMP32 | BPF_JA : BPF_JMP | BPF_JA };

		err = want_operands(c, mn, n, 1);
		err = err ? err : parse_target(c, ops[0], ja32, &insn.off, &insn.imm);
		return err ? err : emit(c, insn);
	}
	if (!strcmp(mn, "lddw"))
		return asm_lddw(c, ops, n);
	if ((w = end_width(mn, "be")))
		return asm_end(c, mn, BPF_ALU | BPF_END | BPF_TO_BE, w, ops, n);
	if ((w = end_width(mn, "le")))
		return asm_end(c, mn, BPF_ALU | BPF_END | BPF_TO_LE, w, ops, n);
	if ((w = end_width(mn, "bswap")) || (w = end_width(mn, "swap")))
		return asm_end(c, mn, BPF_ALU64 | BPF_END, w, ops, n);
	if (!strncmp(mn, "movsx", 5))
		return asm_movsx(c, mn, ops, n);
	err = asm_load_store(c, mn, ops, n);
	if (err <= 0)
		return err;
	return asm_alu_jmp(c, mn, ops, n);
}

static int define_label(struct asm_ctx *c, const char *name)
{
	int err;

	if (!is_ident(name))
		return asm_fail(c, "bad label '%s' (letters, digits, '_' and '.')", name);
	for (size_t i = 0; i < c->nlabels; i++)
		if (!strcmp(c->labels[i].name, name))
			return asm_fail(c, "duplicate label '%s'", name);
	err = grow((void **)&c->labels, &c->cap_labels, c->nlabels + 1, sizeof(*c->labels));
	if (err)
		return err;
	c->labels[c->nlabels++] = (struct asm_label){ .name = name, .insn = c->cnt };
	return 0;
}

static int asm_line(struct asm_ctx *c, char *line)
{
	char *colon, *rest;
	int err;

	line[strcspn(line, "#")] = 0;
	line = trim(line);
	colon = strchr(line, ':');
	if (colon) {
		*colon = 0;
		err = define_label(c, trim(line));
		if (err)
			return err;
		line = trim(colon + 1);
	}
	if (!*line)
		return 0;
	rest = line + strcspn(line, " \t");
	if (*rest)
		*rest++ = 0;
	return asm_insn(c, line, rest);
}

static int resolve_fixups(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nfixups; i++) {
		const struct asm_fixup *f = &c->fixups[i];
		struct bpf_insn *insn = &c->insns[f->insn];
		bool found = false;
		size_t target = 0;
		long long delta;

		for (size_t j = 0; j < c->nlabels && !found; j++) {
			if (!strcmp(c->labels[j].name, f->label)) {
				found = true;
				target = c->labels[j].insn;
			}
		}
		if (!found && c->have_exit && !strcmp(f->label, "exit")) {
			found = true;
			target = c->first_exit;
		}
		c->line_no = f->line_no;
		c->line = f->line;
		if (!found)
			return asm_fail(c, "undefined label '%s'", f->label);
		delta = (long long)target - (long long)f->insn - 1;
		if (f->in_imm) {
			if (delta < INT32_MIN || delta > INT32_MAX)
				return asm_fail(c, "label '%s' out of range (%lld)", f->label,
						delta);
			insn->imm = (int32_t)delta;
		} else {
			if (delta < INT16_MIN || delta > INT16_MAX)
				return asm_fail(c, "offset to label '%s' out of range (%lld, limit -32768..32767; use ja32)",
						f->label, delta);
			insn->off = (int16_t)delta;
		}
	}
	return 0;
}

int bpfhost_asm(const char *source, struct bpf_insn **insns, size_t *insn_cnt)
{
	struct asm_ctx c = { 0 };
	const char *orig = source;
	char *copy, *line, *next;
	int err = 0;

	if (!insns || !insn_cnt || !source) {
		errno = EINVAL;
		return bpfhost_set_last_error(-EINVAL, "asm: NULL %s",
					      source ? "output" : "source");
	}
	*insns = NULL;
	*insn_cnt = 0;
	copy = strdup(source);
	if (!copy) {
		errno = ENOMEM;
		return bpfhost_set_last_error(-ENOMEM, "asm: out of memory copying the source");
	}
	for (line = copy; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		c.line_no++;
		c.line = orig;
		orig += strlen(line) + (next ? 1 : 0);
		err = asm_line(&c, line);
	}
	if (!err)
		err = resolve_fixups(&c);
	free(c.labels);
	free(c.fixups);
	free(copy);
	if (err) {
		free(c.insns);
		errno = -err;
		return err;
	}
	*insns = c.insns;
	*insn_cnt = c.cnt;
	return 0;
}
