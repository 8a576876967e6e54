// SPDX-License-Identifier: MIT
#include "test.h"
#include "prog_run.h"

#include <dirent.h>

int test_failures;
int test_checks;
const char *test_current = "";

int test_run(const char *suite, const struct test_case *cases, size_t n)
{
	int failed_cases = 0;

	for (size_t i = 0; i < n; i++) {
		int before = test_failures;

		test_current = cases[i].name;
		cases[i].fn();
		bpfhost_synchronize();
		printf("%s %s.%s\n", test_failures == before ? "ok  " : "FAIL", suite, cases[i].name);
		if (test_failures != before)
			failed_cases++;
	}
	printf("%s: %zu cases, %d failed; %d checks, %d failed\n", suite, n, failed_cases,
	       test_checks, test_failures);
	return test_failures ? 1 : 0;
}

int test_map(uint32_t type, const char *name, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags);
	int fd = bpfhost_map_create(type, name, ks, vs, max, &opts);

	ASSERT_GE(fd, 1, "map create");
	return fd;
}

int test_prog_load(uint32_t type, const char *name, const struct bpf_insn *insns, size_t n)
{
	return bpfhost_prog_load(type, name, "GPL", insns, n, NULL);
}

int test_prog_load_flags(uint32_t type, const char *name, const struct bpf_insn *insns, size_t n,
			 uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, o, .prog_flags = flags);

	return bpfhost_prog_load(type, name, "GPL", insns, n, &o);
}

int test_prog_run(int fd, uint32_t budget, uint32_t repeat, uint64_t *ret)
{
	static const uint8_t frame[64];
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		     .repeat = (int)repeat, .insn_budget = budget);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	if (ret)
		*ret = o.retval;
	return err;
}

int test_for_each_text_program(const char *dir, test_text_fn fn, void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int seen = 0;

	ASSERT_TRUE(d != NULL, dir);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct bpf_insn *insns;
		char path[1024];
		long size;
		FILE *f;

		if (len < 5 || strcmp(de->d_name + len - 5, ".text"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		ASSERT_TRUE(f != NULL, path);
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, 0, SEEK_SET);
		ASSERT_TRUE(size > 0 && size % 8 == 0, "whole instructions");
		insns = size > 0 ? malloc((size_t)size) : NULL;
		if (insns && fread(insns, 1, (size_t)size, f) == (size_t)size)
			fn(de->d_name, insns, (size_t)size / 8, ctx);
		else
			ASSERT_TRUE(0, path);	/* not read */
		fclose(f);
		free(insns);
		seen++;
	}
	if (d)
		closedir(d);
	return seen;
}
