// SPDX-License-Identifier: MIT
/*
 * fuzz_asm: the assembler and the disassembler (include/bpfhost/asm.h)
 * against each other. Every input is read two ways:
 *
 *  - as text: when bpfhost_asm() accepts it, disassembling the result and
 *    assembling that text again gives the same instructions, byte for byte;
 *  - as instructions (8 bytes each): when bpfhost_disasm() accepts them (a
 *    valid encoding), assembling its text gives the same bytes, and so does
 *    each instruction disassembled alone (bpfhost_disasm_insn()).
 *
 * Also, as snprintf: a buffer too small gets a NUL-terminated prefix of the
 * whole text, and the return value is the whole length.
 */
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_init(NULL);
	return 0;
}

/* The whole text of @insns (malloc'ed), or NULL when they are not a valid encoding. */
static char *disasm_all(const struct bpf_insn *insns, size_t cnt)
{
	int len = bpfhost_disasm(insns, cnt, NULL, 0), again;
	char *text, small[16];

	if (len < 0)
		return NULL;
	text = malloc((size_t)len + 1);
	FUZZ_CHECK(text, "out of memory");
	again = bpfhost_disasm(insns, cnt, text, (size_t)len + 1);
	FUZZ_CHECK(again == len, "disasm gave length %d, then %d for the same instructions", len, again);
	FUZZ_CHECK(strlen(text) == (size_t)len, "disasm wrote %zu characters, reported %d",
		   strlen(text), len);
	again = bpfhost_disasm(insns, cnt, small, sizeof(small));
	FUZZ_CHECK(again == len, "disasm into a small buffer returned %d, not %d", again, len);
	FUZZ_CHECK(!strncmp(small, text, sizeof(small) - 1) && strlen(small) < sizeof(small),
		   "disasm into a small buffer: not a NUL-terminated prefix of the text");
	return text;
}

static void same_insns(const char *what, const struct bpf_insn *a, size_t na,
		       const struct bpf_insn *b, size_t nb, const char *text)
{
	if (na == nb && (!na || !memcmp(a, b, na * sizeof(*a))))
		return;
	fprintf(stderr, "%s: the text\n%s\nassembles to %zu slots, the original has %zu\n", what, text,
		nb, na);
	for (size_t i = 0; i < na || i < nb; i++) {
		const uint8_t *x = i < na ? (const uint8_t *)&a[i] : NULL;
		const uint8_t *y = i < nb ? (const uint8_t *)&b[i] : NULL;

		fprintf(stderr, "  %4zu:", i);
		for (int k = 0; k < 8; k++)
			fprintf(stderr, " %02x", x ? x[k] : 0);
		fprintf(stderr, "  |");
		for (int k = 0; k < 8; k++)
			fprintf(stderr, " %02x", y ? y[k] : 0);
		fprintf(stderr, "%s\n", x && y && memcmp(x, y, 8) ? "  <-" : "");
	}
	FUZZ_CHECK(0, "%s: round trip changed the instructions", what);
}

/* text -> asm -> disasm -> asm */
static void text_round_trip(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1), *text;
	struct bpf_insn *first = NULL, *second = NULL;
	size_t n1 = 0, n2 = 0;
	int err;

	FUZZ_CHECK(src, "out of memory");
	memcpy(src, data, size);
	src[size] = '\0';
	err = bpfhost_asm(src, &first, &n1);
	free(src);
	if (err) {
		FUZZ_CHECK(err < 0 && !first, "asm failed (%d) but returned instructions", err);
		return;
	}
	text = disasm_all(first, n1);
	FUZZ_CHECK(text || !n1, "the assembler's output (%zu slots) does not disassemble: %s", n1,
		   bpfhost_last_error());
	if (!text) {
		free(first);
		return;
	}
	err = bpfhost_asm(text, &second, &n2);
	FUZZ_CHECK(!err, "the disassembler's text does not assemble: %s\n%s", bpfhost_last_error(),
		   text);
	same_insns("text", first, n1, second, n2, text);
	free(text);
	free(first);
	free(second);
}

/* bytes -> disasm -> asm, for the whole program and for each instruction alone */
static void bytes_round_trip(const uint8_t *data, size_t size)
{
	size_t cnt = size / sizeof(struct bpf_insn), n2 = 0;
	struct bpf_insn *insns, *second = NULL;
	char *text, one[256];
	int err;

	if (!cnt)
		return;
	insns = malloc(cnt * sizeof(*insns));
	FUZZ_CHECK(insns, "out of memory");
	memcpy(insns, data, cnt * sizeof(*insns));
	text = disasm_all(insns, cnt);
	if (!text) {
		free(insns);
		return;
	}
	err = bpfhost_asm(text, &second, &n2);
	FUZZ_CHECK(!err, "the disassembler's text does not assemble: %s\n%s", bpfhost_last_error(),
		   text);
	same_insns("bytes", insns, cnt, second, n2, text);
	free(second);
	free(text);

	for (size_t i = 0; i < cnt; i += bpfhost_insn_slots(&insns[i])) {
		size_t slots = bpfhost_insn_slots(&insns[i]);
		int len = bpfhost_disasm_insn(&insns[i], cnt - i, one, sizeof(one));

		FUZZ_CHECK(len >= 0 && (size_t)len < sizeof(one),
			   "insn %zu: valid in the program, but disasm_insn returned %d", i, len);
		second = NULL;
		err = bpfhost_asm(one, &second, &n2);
		FUZZ_CHECK(!err, "insn %zu alone: '%s' does not assemble: %s", i, one,
			   bpfhost_last_error());
		same_insns("one insn", &insns[i], slots, second, n2, one);
		free(second);
	}
	free(insns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_counts before = fuzz_counts_now();

	text_round_trip(data, size);
	bytes_round_trip(data, size);
	fuzz_counts_check("fuzz_asm", before);
	return 0;
}
