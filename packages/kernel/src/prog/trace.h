/* SPDX-License-Identifier: MIT */
/*
 * The trace log bpf_trace_printk writes to (Linux's trace_pipe): lines
 * "<program>: <message>\n" in a bounded buffer; the oldest lines go first
 * when it is full. BPFHOST_TRACE_READ drains it.
 */
#ifndef BPFHOST_TRACE_H
#define BPFHOST_TRACE_H

#include "../core/internal.h"

/*
 * Formats as bpf_trace_printk: @fmt must be NUL-terminated within
 * @fmt_size; %d %i %u %x %X %c %p %s %% with l/ll/h modifiers, width and
 * the flags "-0+ #"; at most 3 arguments (%s strings must be readable by
 * the program). Returns the bytes written or -EINVAL.
 */
long bh_trace_printk(const char *prog_name, const char *fmt, uint32_t fmt_size, uint64_t a1,
		     uint64_t a2, uint64_t a3);

/* A line from the core about a program ("<program>: <message>"), e.g. a limit it hit. */
void bh_trace_note(const char *prog_name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies and removes up to @size bytes of whole lines; returns the bytes. */
uint32_t bh_trace_read(char *buf, uint32_t size);

#endif /* BPFHOST_TRACE_H */
