/* SPDX-License-Identifier: MIT */
/*
 * The clang-compiled objects of tests/bpf/ (see bpf/bpf_objects.cmake):
 * their paths and bytes. Header-only because BPFHOST_TEST_BPF_DIR is set per
 * test target (only where clang-19 and libbpf-dev were found).
 */
#ifndef BPFHOST_TEST_BPF_OBJECTS_H
#define BPFHOST_TEST_BPF_OBJECTS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* True when the objects were built; otherwise prints why (once) and returns false. */
static inline bool bpf_objects_available(void)
{
#ifdef BPFHOST_TEST_BPF_DIR
	return true;
#else
	return false;
#endif
}

/* "<dir>/<name>.bpf.o" in a static buffer. */
static inline const char *bpf_object_path(const char *name)
{
	static char path[4096];

#ifdef BPFHOST_TEST_BPF_DIR
	snprintf(path, sizeof(path), "%s/%s.bpf.o", BPFHOST_TEST_BPF_DIR, name);
#else
	snprintf(path, sizeof(path), "(not built)/%s.bpf.o", name);
#endif
	return path;
}

/* The whole file, malloc'ed (free it), or NULL. */
static inline void *bpf_object_read(const char *name, size_t *size)
{
	FILE *f = fopen(bpf_object_path(name), "rb");
	void *buf = NULL;
	long len;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len);
		if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
			*size = (size_t)len;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

#define BPF_OBJECTS_SKIP_MESSAGE \
	"SKIP: the BPF test objects were not built (clang-19 or libbpf-dev's bpf/bpf_helpers.h missing at configure time)\n"

#endif /* BPFHOST_TEST_BPF_OBJECTS_H */
