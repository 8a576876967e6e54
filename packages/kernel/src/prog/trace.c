// SPDX-License-Identifier: MIT
/* The bpf_trace_printk log (see trace.h). */
#include "trace.h"
#include "prog_internal.h"

#define TRACE_BUF_SIZE (64u * 1024u)
#define TRACE_LINE_MAX 512u

static struct plat_spinlock trace_lock;
static char trace_buf[TRACE_BUF_SIZE];
static uint32_t trace_head, trace_len;	/* ring: start of the oldest byte, bytes held */

static void trace_append(const char *line, uint32_t n)
{
	plat_spin_lock(&trace_lock);
	/* Drop whole oldest lines until the new one fits. */
	while (trace_len + n > TRACE_BUF_SIZE) {
		while (trace_len && trace_buf[trace_head] != '\n') {
			trace_head = (trace_head + 1) % TRACE_BUF_SIZE;
			trace_len--;
		}
		if (trace_len) {
			trace_head = (trace_head + 1) % TRACE_BUF_SIZE;
			trace_len--;
		}
	}
	for (uint32_t i = 0; i < n; i++)
		trace_buf[(trace_head + trace_len + i) % TRACE_BUF_SIZE] = line[i];
	trace_len += n;
	plat_spin_unlock(&trace_lock);
}

void bh_trace_note(const char *prog_name, const char *fmt, ...)
{
	char line[TRACE_LINE_MAX];
	va_list ap;
	int n = plat_snprintf(line, sizeof(line), "%s: ", prog_name);

	va_start(ap, fmt);
	n += plat_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	trace_append(line, (uint32_t)n);
}

uint32_t bh_trace_read(char *buf, uint32_t size)
{
	uint32_t n = 0, last_nl = 0;

	plat_spin_lock(&trace_lock);
	while (n < size && n < trace_len) {
		buf[n] = trace_buf[(trace_head + n) % TRACE_BUF_SIZE];
		if (buf[n++] == '\n')
			last_nl = n;
	}
	trace_head = (trace_head + last_nl) % TRACE_BUF_SIZE;
	trace_len -= last_nl;
	plat_spin_unlock(&trace_lock);
	return last_nl;
}

/* Appends a %s argument the program may read, bounded by @room. */
static int put_string(char *out, size_t room, uint64_t ptr)
{
	struct bh_run *run = bh_run_current();
	const char *s = u64_to_ptr(ptr);
	size_t n = 0;

	if (!ptr)
		return plat_snprintf(out, room, "(null)");
	while (n + 1 < room && (!run || bh_run_access_ok(run, (uintptr_t)(s + n), 1, false)) && s[n]) {
		out[n] = s[n];
		n++;
	}
	if (run && !bh_run_access_ok(run, (uintptr_t)(s + n), 1, false) && n + 1 < room)
		return -EFAULT;
	out[n] = 0;
	return (int)n;
}

long bh_trace_printk(const char *prog_name, const char *fmt, uint32_t fmt_size, uint64_t a1,
		     uint64_t a2, uint64_t a3)
{
	const uint64_t args[3] = { a1, a2, a3 };
	char line[TRACE_LINE_MAX];
	size_t len;
	int argi = 0;

	if (!fmt_size || plat_strnlen(fmt, fmt_size) == fmt_size)
		return bh_err(-EINVAL, "bpf_trace_printk: the format is not NUL-terminated within "
			      "fmt_size %u", fmt_size);
	len = (size_t)plat_snprintf(line, sizeof(line), "%s: ", prog_name);
	for (const char *p = fmt; *p && len < sizeof(line) - 2;) {
		char spec[16];
		size_t sl = 0;
		int lcount = 0, w;
		bool half = false;

		if (*p != '%') {
			line[len++] = *p++;
			continue;
		}
		spec[sl++] = *p++;
		if (*p == '%') {
			line[len++] = *p++;
			continue;
		}
		while (*p && sl < 8 && (*p == '-' || *p == '0' || *p == '+' || *p == ' ' || *p == '#'))
			spec[sl++] = *p++;
		while (*p >= '0' && *p <= '9' && sl < 10)
			spec[sl++] = *p++;
		while (*p == 'l' && lcount < 2) {
			lcount++;
			p++;
		}
		if (*p == 'h' && !lcount) {
			half = true;
			p++;
		}
		if (argi == 3)
			return bh_err(-EINVAL, "bpf_trace_printk: more than 3 conversions in \"%s\"", fmt);
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = lcount ? (int64_t)args[argi] : half ? (int16_t)args[argi] :
					     (int32_t)args[argi];

			spec[sl++] = 'l';
			spec[sl++] = 'l';
			spec[sl++] = 'd';
			spec[sl] = 0;
			w = plat_snprintf(line + len, sizeof(line) - len, spec, (long long)v);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lcount ? args[argi] : half ? (uint16_t)args[argi] : (uint32_t)args[argi];

			spec[sl++] = 'l';
			spec[sl++] = 'l';
			spec[sl++] = *p;
			spec[sl] = 0;
			w = plat_snprintf(line + len, sizeof(line) - len, spec, (unsigned long long)v);
			break;
		}
		case 'c':
			spec[sl++] = 'c';
			spec[sl] = 0;
			w = plat_snprintf(line + len, sizeof(line) - len, spec, (int)(uint8_t)args[argi]);
			break;
		case 'p':
			w = plat_snprintf(line + len, sizeof(line) - len, "0x%llx",
					  (unsigned long long)args[argi]);
			break;
		case 's':
			w = put_string(line + len, sizeof(line) - len, args[argi]);
			if (w < 0)
				return bh_err(-EFAULT, "bpf_trace_printk: %%s argument %d runs out of the "
					      "program's memory", argi + 1);
			break;
		default:
			return bh_err(-EINVAL, "bpf_trace_printk: unsupported conversion '%%%c' in \"%s\"",
				      *p ? *p : '?', fmt);
		}
		p++;
		argi++;
		if (w > 0)
			len += (size_t)w < sizeof(line) - len ? (size_t)w : sizeof(line) - len - 1;
	}
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* A message with its own newline keeps one. */
	if (!len || line[len - 1] != '\n')
		line[len++] = '\n';
	trace_append(line, (uint32_t)len);
	return (long)len;
}

int bh_trace_read_cmd(union bpf_attr *attr, union bpf_attr *uattr)
{
	char *buf = u64_to_ptr(attr->trace.buf);

	if (!buf && attr->trace.buf_size)
		return bh_err(-EFAULT, "BPFHOST_TRACE_READ: buf is NULL");
	uattr->trace.len = bh_trace_read(buf, attr->trace.buf_size);
	return 0;
}
