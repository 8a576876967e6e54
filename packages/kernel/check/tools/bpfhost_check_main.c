// SPDX-License-Identifier: MIT
/*
 * bpfhost-check MODULE.so --map-type N [options]: the conformance kit on
 * the command line (`npx bpfhost ext check` runs it from @bpfhost/sdk).
 * Exits 0 when the provider passed, 1 when a check failed, 2 when the kit
 * could not run (usage, a module that does not load, an unknown map type).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfhost/check.h>

static const char usage[] =
	"usage: bpfhost-check MODULE.so --map-type N [--key-size N] [--value-size N]\n"
	"                     [--max-entries N] [--prog-type N] [--threads N] [--iterations N]\n"
	"                     [--value HEX] [--no-faults] [--json] [--verbose]\n"
	"Drives the module's provider of map type N through the custom map contract's call\n"
	"matrix, concurrent use, fault injection and a forced unload, and reports what broke.\n";

static int number(const char *opt, const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s ? s : "", &end, 0);
	if (!s || !*s || *end || errno || v > 0xffffffffUL) {
		fprintf(stderr, "bpfhost-check: %s expects a number, got '%s'\n%s", opt, s ? s : "", usage);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int hex(const char *s, uint8_t **out, uint32_t *len)
{
	size_t n = strlen(s);

	if (n % 2 || !n)
		return -1;
	*out = malloc(n / 2);
	if (!*out)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1) {
			free(*out);
			return -1;
		}
		(*out)[i] = (uint8_t)b;
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpfhost_check_opts o = { .sz = sizeof(o) };
	const char *module = NULL;
	uint8_t *value = NULL;
	uint32_t value_len = 0;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		uint32_t *field = !strcmp(a, "--map-type")      ? &o.map_type
				  : !strcmp(a, "--key-size")    ? &o.key_size
				  : !strcmp(a, "--value-size")  ? &o.value_size
				  : !strcmp(a, "--max-entries") ? &o.max_entries
				  : !strcmp(a, "--prog-type")   ? &o.prog_type
				  : !strcmp(a, "--threads")     ? &o.threads
				  : !strcmp(a, "--iterations")  ? &o.iterations
								: NULL;

		if (field) {
			if (number(a, next, field))
				return 2;
			i++;
		} else if (!strcmp(a, "--value")) {
			if (!next || hex(next, &value, &value_len)) {
				fprintf(stderr, "bpfhost-check: --value expects hex bytes (e.g. 2a00000000000000)\n");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--no-faults")) {
			o.flags |= BPFHOST_CHECK_NO_FAULTS;
		} else if (!strcmp(a, "--json")) {
			o.flags |= BPFHOST_CHECK_JSON;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			o.flags |= BPFHOST_CHECK_VERBOSE;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' || module) {
			fprintf(stderr, "bpfhost-check: unexpected '%s'\n%s", a, usage);
			return 2;
		} else {
			module = a;
		}
	}
	if (!module || !o.map_type) {
		fprintf(stderr, "bpfhost-check: %s\n%s", module ? "--map-type N is required" : "MODULE.so is required", usage);
		return 2;
	}
	if (value) {
		if (!o.value_size)
			o.value_size = value_len;
		if (value_len != o.value_size) {
			fprintf(stderr, "bpfhost-check: --value has %u bytes, --value-size is %u\n", value_len, o.value_size);
			return 2;
		}
		o.value = value;
	}
	r = bpfhost_check_provider(module, &o, stdout);
	free(value);
	return r < 0 ? 2 : r > 0 ? 1 : 0;
}
