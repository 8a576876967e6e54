// SPDX-License-Identifier: MIT
/*
 * A main() for a libFuzzer harness without libFuzzer: feeds it every file
 * of the directories (or files) on its command line, in name order, once.
 * The ctests fuzz_replay_* (fuzz/replay.cmake) replay the committed corpora
 * this way under the normal build and the sanitizer builds, so an input
 * that once found a bug keeps being checked by every ctest run, without
 * clang or libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* a copy of its own, as libFuzzer gives: ASan sees reads past the input */
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	fprintf(stderr, "replay: %s\n", path);	/* the last one named is the culprit of a crash */
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int inputs = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *d;
		char **names = NULL, path[4096];
		size_t n = 0;
		DIR *dir;

		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]))
				return 1;
			inputs++;
			continue;
		}
		dir = opendir(argv[i]);
		if (!dir) {
			fprintf(stderr, "replay: cannot open directory %s\n", argv[i]);
			return 1;
		}
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			names = realloc(names, (n + 1) * sizeof(*names));
			if (!names || !(names[n] = strdup(d->d_name)))
				return 1;
			n++;
		}
		closedir(dir);
		qsort(names, n, sizeof(*names), by_name);
		for (size_t k = 0; k < n; k++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]);
			if (replay_file(path))
				return 1;
			inputs++;
			free(names[k]);
		}
		free(names);
	}
	printf("replay: %d inputs, every invariant held\n", inputs);
	/* a corpus that went missing must not pass as replayed */
	return inputs > 0 ? 0 : 1;
}
