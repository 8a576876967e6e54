/* SPDX-License-Identifier: MIT */
/*
 * The kernel as the oracle for loaded objects: kernel maps mirroring an
 * object's maps (definitions and global data's initial values) and the
 * object's relocated programs loaded into the kernel with those maps.
 */
#ifndef BPFHOST_TEST_KERNEL_MIRROR_H
#define BPFHOST_TEST_KERNEL_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfhost/libbpf.h"

struct kmirror {
	int bh_fd[16];
	int k_fd[16];
	int n;
};

/* Creates the kernel maps; false (with a printed note) if the kernel refuses one. */
bool kmirror_maps(const struct bpfhost_object *obj, struct kmirror *km);
/* The kernel map fd mirroring bpfhost map handle @bh_fd, or -1. */
int kmirror_fd(const struct kmirror *km, int bh_fd);
/* Loads @p's relocated instructions into the kernel as @prog_type: an fd or -errno. */
int kmirror_load(const struct bpfhost_program *p, const struct kmirror *km, uint32_t prog_type);
/*
 * Asserts every entry of every mirrored map (keys up to 8 bytes, values up
 * to 64) holds the same value in both, and bpfhost's has no extra key;
 * prints the first differing value. Returns how many maps it compared.
 */
int kmirror_compare_maps(const struct bpfhost_object *obj, const struct kmirror *km);
void kmirror_close(struct kmirror *km);

#endif /* BPFHOST_TEST_KERNEL_MIRROR_H */
