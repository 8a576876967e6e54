/* SPDX-License-Identifier: MIT */
/*
 * What the sample BPF programs and their tests agree on: the event a
 * program reads from the context's data, and sizes. Compiles for BPF and
 * for the host.
 */
#ifndef SAMPLE_PROGS_H
#define SAMPLE_PROGS_H

#include "sample_ext.h"

/*
 * An event's first 16 bytes. Programs that return a value also write it
 * back here (value), and programs that read an object copy it after the
 * event (SAMPLE_PROGS_OBJECT_SIZE bytes), so a test sees it in data_out.
 */
struct sample_event {
	sample_u32 key;		/* the map key the program works on */
	sample_u32 flags;	/* update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST) */
	sample_u64 value;	/* in: a value to store; out: what the program read */
};

/* The object maps' value_size. */
#define SAMPLE_PROGS_OBJECT_SIZE 16

#endif /* SAMPLE_PROGS_H */
