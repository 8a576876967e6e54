// SPDX-License-Identifier: MIT
/* POSIX platform: libc memory, pthreads, clock_gettime, dlopen. */
#define _GNU_SOURCE
#include "platform.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#if defined(__has_include)
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#endif
#endif
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpfhost/bpfhost.h"

#define likely(x) __builtin_expect(!!(x), 1)

static atomic_ulong alloc_count;
static atomic_ulong fail_at;	/* alloc_count value whose allocation fails; 0 = off */
/* Counting costs a locked add per allocation: only once a test asks for it. */
static atomic_bool counting;

static bool alloc_should_fail(void)
{
	unsigned long n, target;

	if (likely(!atomic_load_explicit(&counting, memory_order_relaxed)))
		return false;
	n = atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed) + 1;
	target = atomic_load_explicit(&fail_at, memory_order_relaxed);
	if (target && n == target) {
		atomic_store(&fail_at, 0);
		return true;
	}
	return false;
}

void plat_fault_inject(unsigned long nth)
{
	atomic_store(&counting, true);
	atomic_store(&fail_at, nth ? atomic_load(&alloc_count) + nth : 0);
}

unsigned long plat_alloc_count(void)
{
	atomic_store(&counting, true);
	return atomic_load(&alloc_count);
}

void *plat_alloc(size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return calloc(1, size ? size : 1);
}

/*
 * Huge blocks are mmap'd directly: posix_memalign(2 MiB) would keep (and
 * malloc statistics count) up to 2 MiB of unused head per block, and a
 * block that is not a whole number of aligned 2 MiB pages is only partly
 * eligible for transparent huge pages (THP in "madvise" mode needs the
 * madvise below). Their sizes are kept here, as plat_free_aligned gets none.
 */
struct huge_block {
	struct huge_block *next;
	void *p;
	size_t len;
};

static pthread_mutex_t huge_lock = PTHREAD_MUTEX_INITIALIZER;
static struct huge_block *huge_blocks;
static atomic_size_t huge_bytes;

size_t plat_huge_bytes(void)
{
	return atomic_load_explicit(&huge_bytes, memory_order_relaxed);
}

/*
 * @len bytes mapped at a 2 MiB boundary (one huge page more is mapped, then
 * trimmed), advised to use huge pages: advice only, without it the range
 * works on 4 KiB pages. NULL when mmap fails.
 */
static char *map_huge_aligned(size_t len, int prot, int flags)
{
	char *raw = mmap(NULL, len + PLAT_HUGE_PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	char *p;
	size_t head;

	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + PLAT_HUGE_PAGE - 1) & ~(uintptr_t)(PLAT_HUGE_PAGE - 1));
	head = (size_t)(p - raw);
	if (head)
		munmap(raw, head);
	if (PLAT_HUGE_PAGE - head)
		munmap(p + len, PLAT_HUGE_PAGE - head);
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void *huge_alloc(size_t len)
{
	struct huge_block *b = malloc(sizeof(*b));
	char *p;

	if (!b)
		return NULL;
	p = map_huge_aligned(len, PROT_READ | PROT_WRITE, 0);
	if (!p) {
		free(b);
		return NULL;
	}
	b->p = p;
	b->len = len;
	pthread_mutex_lock(&huge_lock);
	b->next = huge_blocks;
	huge_blocks = b;
	pthread_mutex_unlock(&huge_lock);
	atomic_fetch_add_explicit(&huge_bytes, len, memory_order_relaxed);
	return p;	/* zero: fresh anonymous memory */
}

/* Unmaps @p if it is a huge block; false if it is not one. */
static bool huge_free(void *p)
{
	struct huge_block **link, *b = NULL;

	if ((uintptr_t)p & (PLAT_HUGE_PAGE - 1))
		return false;
	pthread_mutex_lock(&huge_lock);
	for (link = &huge_blocks; *link; link = &(*link)->next)
		if ((*link)->p == p) {
			b = *link;
			*link = b->next;
			break;
		}
	pthread_mutex_unlock(&huge_lock);
	if (!b)
		return false;
	munmap(b->p, b->len);
	atomic_fetch_sub_explicit(&huge_bytes, b->len, memory_order_relaxed);
	free(b);
	return true;
}

void *plat_alloc_aligned(size_t size)
{
	void *p;

	if (alloc_should_fail())
		return NULL;
	size = plat_alloc_aligned_size(size);
	if (size >= PLAT_HUGE_MIN)
		return huge_alloc(size);
	if (posix_memalign(&p, PLAT_CACHELINE, size ? size : PLAT_CACHELINE))
		return NULL;
	memset(p, 0, size);
	return p;
}

/* ---- Reserved address space (plat_reserve, plat_commit) ---- */

static atomic_size_t committed_bytes;

/* Linux 6.1's synchronous collapse; glibc's headers may not name it yet. */
#if defined(__linux__) && !defined(MADV_COLLAPSE)
#define MADV_COLLAPSE 25
#endif

size_t plat_committed_bytes(void)
{
	return atomic_load_explicit(&committed_bytes, memory_order_relaxed);
}

void *plat_reserve(size_t size)
{
	if (alloc_should_fail())
		return NULL;
	/*
	 * Inaccessible until committed; MAP_NORESERVE: no commit charge for the
	 * reservation. The huge-page advice stays on the parts mprotect splits off.
	 */
	return map_huge_aligned(size, PROT_NONE, MAP_NORESERVE);
}

int plat_commit(void *base, size_t from, size_t to)
{
	char *b = base;

	if (alloc_should_fail())
		return -ENOMEM;
	if (mprotect(b + from, to - from, PROT_READ | PROT_WRITE))
		return -ENOMEM;
	atomic_fetch_add_explicit(&committed_bytes, to - from, memory_order_relaxed);
#ifdef MADV_COLLAPSE
	/*
	 * The pages were touched while their 2 MiB range was partly
	 * committed, so they are small ones: collapse each range now whole.
	 * Advice only (fails harmlessly where THP is off).
	 */
	for (size_t h = from & ~(PLAT_HUGE_PAGE - 1); h + PLAT_HUGE_PAGE <= to; h += PLAT_HUGE_PAGE)
		if (h + PLAT_HUGE_PAGE > from && h < from)
			madvise(b + h, PLAT_HUGE_PAGE, MADV_COLLAPSE);
#endif
	return 0;
}

void plat_release(void *base, size_t size, size_t committed)
{
	if (!base)
		return;
	munmap(base, size);
	atomic_fetch_sub_explicit(&committed_bytes, committed, memory_order_relaxed);
}

void *plat_alloc_untracked(size_t size)
{
	void *p;

	if (posix_memalign(&p, PLAT_CACHELINE, size ? size : 1))
		return NULL;
	memset(p, 0, size);
	return p;
}

void plat_fail_fast(const char *why)
{
	/* The one place the core writes to stderr: it is about to abort. */
	fprintf(stderr, "bpfhost: fatal: %s\n", why);
	abort();
}

void plat_free(void *p)
{
	free(p);
}

void plat_free_aligned(void *p)
{
	if (p && huge_free(p))
		return;
	free(p);
}

size_t plat_strnlen(const char *s, size_t max)
{
	return strnlen(s, max);
}

int plat_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int plat_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void plat_mutex_init(struct plat_mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
}

void plat_mutex_destroy(struct plat_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

void plat_mutex_lock(struct plat_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void plat_mutex_unlock(struct plat_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

void plat_spin_lock_slow(struct plat_spinlock *l)
{
	unsigned int spins = 0;

	for (;;) {
		while (atomic_load_explicit(&l->locked, memory_order_relaxed)) {
			/* A preempted holder on a 2-CPU VM: give it the CPU. */
			if (++spins > 256) {
				sched_yield();
				spins = 0;
			} else {
				plat_cpu_relax();
			}
		}
		if (atomic_exchange_explicit(&l->locked, 1, memory_order_acquire) == 0)
			return;
	}
}

/* Parses "0-3,5" as found in /sys/devices/system/cpu/possible. */
static int count_cpu_list(const char *s)
{
	int count = 0;

	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s)
				return -1;
		}
		count += (int)(hi - lo + 1);
		s = end;
		if (*s == ',')
			s++;
	}
	return count;
}

static int possible_cpus;

int plat_num_possible_cpus(void)
{
	int n = __atomic_load_n(&possible_cpus, __ATOMIC_RELAXED);

	if (n > 0)
		return n;
	{
		char buf[128] = "";
		FILE *f = fopen("/sys/devices/system/cpu/possible", "r");

		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = 0;
			fclose(f);
		}
		n = count_cpu_list(buf);
		if (n <= 0)
			n = (int)sysconf(_SC_NPROCESSORS_CONF);
		if (n <= 0)
			n = 1;
	}
	__atomic_store_n(&possible_cpus, n, __ATOMIC_RELAXED);
	return n;
}

/*
 * The CPU from the thread's rseq area, which glibc (2.35 on) registers and
 * the kernel keeps current: a load instead of sched_getcpu()'s call into
 * the vDSO (~0.3 ns against ~4 ns; per-CPU lookups ask on every call).
 */
static inline int cpu_now(void)
{
#if defined(__has_include)
#if __has_include(<sys/rseq.h>) && (defined(__x86_64__) || defined(__aarch64__))
	if (__rseq_size) {
		const struct rseq *rs = (const struct rseq *)((const char *)__builtin_thread_pointer() +
							     __rseq_offset);
		int cpu = (int)__atomic_load_n(&rs->cpu_id, __ATOMIC_RELAXED);

		if (cpu >= 0)
			return cpu;
	}
#endif
#endif
	return sched_getcpu();
}

int plat_cpu_id(void)
{
	int cpu = cpu_now();
	int n = plat_num_possible_cpus();

	if (cpu < 0)
		cpu = 0;
	/* A division only when the CPU is past the possible ones (never, normally). */
	return cpu < n ? cpu : cpu % n;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t plat_ktime_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t plat_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t plat_ktime_coarse_ns(void)
{
#ifdef CLOCK_MONOTONIC_COARSE
	return clock_ns(CLOCK_MONOTONIC_COARSE);
#else
	return clock_ns(CLOCK_MONOTONIC);
#endif
}

uint32_t plat_random_u32(void)
{
	static _Thread_local uint64_t state;

	if (!state) {
		if (getrandom(&state, sizeof(state), 0) != sizeof(state))
			state = clock_ns(CLOCK_MONOTONIC) ^ (uintptr_t)&state;
		state |= 1;
	}
	/* xorshift64*: cheap, good enough for hash seeds and prandom. */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 2685821657736338717ull) >> 32);
}

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>

void plat_wait_u32(_Atomic uint32_t *addr, uint32_t expected, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, timeout_ms < 0 ? NULL : &ts,
		NULL, 0);
}

void plat_wake_all(_Atomic uint32_t *addr)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}
#else
/* Without futexes: poll every 100 us (correct, only less prompt). */
void plat_wait_u32(_Atomic uint32_t *addr, uint32_t expected, int timeout_ms)
{
	long left_us = timeout_ms < 0 ? 100 : (long)timeout_ms * 1000;

	while (atomic_load(addr) == expected && left_us > 0) {
		usleep(100);
		if (timeout_ms >= 0)
			left_us -= 100;
	}
}

void plat_wake_all(_Atomic uint32_t *addr)
{
	(void)addr;
}
#endif

void plat_yield(void)
{
	sched_yield();
}

void plat_sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

int plat_thread_start(struct plat_thread *t, void *(*fn)(void *), void *arg)
{
	return -pthread_create(&t->t, NULL, fn, arg);
}

void plat_thread_join(struct plat_thread *t)
{
	pthread_join(t->t, NULL);
}

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

struct exit_hook {
	void (*fn)(void *);
	void *arg;
};

static void run_exit_hook(void *p)
{
	struct exit_hook *h = p;

	h->fn(h->arg);
	free(h);
}

static void make_exit_key(void)
{
	pthread_key_create(&exit_key, run_exit_hook);
}

int plat_thread_exit_hook(void (*fn)(void *), void *arg)
{
	/* Not counted by fault injection: thread bookkeeping, not core state. */
	struct exit_hook *h = malloc(sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->fn = fn;
	h->arg = arg;
	pthread_once(&exit_key_once, make_exit_key);
	free(pthread_getspecific(exit_key));
	pthread_setspecific(exit_key, h);
	return 0;
}

void *plat_module_open(const char *path, char *err, size_t errlen, int *errnum)
{
	struct stat st;
	void *m;

	if (stat(path, &st) != 0) {
		*errnum = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	m = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m) {
		const char *e = dlerror();

		*errnum = -ENOEXEC;
		snprintf(err, errlen, "%s", e ? e : "dlopen failed");
	}
	return m;
}

void *plat_module_symbol(void *module, const char *name)
{
	return dlsym(module, name);
}

void plat_module_close(void *module)
{
	dlclose(module);
}

size_t plat_page_size(void)
{
	static size_t page;
	size_t p = __atomic_load_n(&page, __ATOMIC_RELAXED);

	if (!p) {
		long n = sysconf(_SC_PAGESIZE);

		p = n > 0 ? (size_t)n : 4096;
		__atomic_store_n(&page, p, __ATOMIC_RELAXED);
	}
	return p;
}

/* An unlinked shared-memory file of @size bytes (its pages back the mirror). */
static int mirror_file(size_t size)
{
	int fd;

#ifdef __linux__
	fd = memfd_create("bpfhost-ring", MFD_CLOEXEC);
#else
	char name[64];

	snprintf(name, sizeof(name), "/bpfhost-ring-%ld-%u", (long)getpid(), plat_random_u32());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd >= 0)
		shm_unlink(name);
#endif
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void *plat_mirror_alloc(size_t head, size_t data)
{
	size_t page = plat_page_size();
	char *base, *p;
	int fd;

	if (alloc_should_fail() || !data || head % page || data % page ||
	    head + data < head || head + 2 * data < head + data)
		return NULL;
	fd = mirror_file(head + data);
	if (fd < 0)
		return NULL;
	/* Reserve the whole range first so both views land back to back. */
	base = mmap(NULL, head + 2 * data, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		goto fail_fd;
	p = mmap(base, head + data, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		goto fail_map;
	p = mmap(base + head + data, data, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)head);
	if (p == MAP_FAILED)
		goto fail_map;
	close(fd);
	return base;
fail_map:
	munmap(base, head + 2 * data);
fail_fd:
	close(fd);
	return NULL;
}

void plat_mirror_free(void *base, size_t head, size_t data)
{
	if (base)
		munmap(base, head + 2 * data);
}
