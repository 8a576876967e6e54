/* SPDX-License-Identifier: MIT */
/*
 * The platform layer: the only code that touches libc, pthreads and dlopen.
 * Everything else in the core is written against these calls, so a
 * kernel-mode or single-threaded WebAssembly platform can replace
 * platform_posix.c without touching maps or epochs.
 */
#ifndef BPFHOST_PLATFORM_H
#define BPFHOST_PLATFORM_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#define PLAT_CACHELINE 64

/* Memory: zeroed, and every allocation can be made to fail (fault injection). */
void *plat_alloc(size_t size);
/*
 * PLAT_CACHELINE aligned. From PLAT_HUGE_MIN bytes up, the block is its own
 * mapping of whole PLAT_HUGE_PAGE pages (the size rounded up, 2 MiB
 * aligned, huge pages asked for), so a big table costs no TLB misses; the
 * caller may use the rounded-up size (plat_alloc_aligned_size).
 */
void *plat_alloc_aligned(size_t size);
#define PLAT_HUGE_PAGE ((size_t)2 << 20)
#define PLAT_HUGE_MIN ((size_t)1 << 20)
/* The bytes plat_alloc_aligned(@size) really takes (and the caller may use). */
static inline size_t plat_alloc_aligned_size(size_t size)
{
	size = (size + PLAT_CACHELINE - 1) & ~(size_t)(PLAT_CACHELINE - 1);
	if (size >= PLAT_HUGE_MIN)
		size = (size + PLAT_HUGE_PAGE - 1) & ~(PLAT_HUGE_PAGE - 1);
	return size;
}
/* Bytes now held in huge-page mappings (malloc statistics do not see them). */
size_t plat_huge_bytes(void);
void plat_free(void *p);
void plat_free_aligned(void *p);
void plat_fault_inject(unsigned long nth);
unsigned long plat_alloc_count(void);

/*
 * Compiler builtins: inlined for small and constant sizes (the element
 * paths copy 4- and 8-byte keys and values), a libc call otherwise.
 */
static inline void *plat_memcpy(void *dst, const void *src, size_t n)
{
	switch (n) {
	case 4:
		return __builtin_memcpy(dst, src, 4);
	case 8:
		return __builtin_memcpy(dst, src, 8);
	default:
		return __builtin_memcpy(dst, src, n);
	}
}
static inline void *plat_memset(void *dst, int c, size_t n)
{
	return __builtin_memset(dst, c, n);
}
static inline int plat_memcmp(const void *a, const void *b, size_t n)
{
	return __builtin_memcmp(a, b, n);
}
size_t plat_strnlen(const char *s, size_t max);
int plat_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int plat_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A sleeping lock: callers may block while holding it. */
struct plat_mutex {
	pthread_mutex_t m;
};
void plat_mutex_init(struct plat_mutex *m);
void plat_mutex_destroy(struct plat_mutex *m);
void plat_mutex_lock(struct plat_mutex *m);
void plat_mutex_unlock(struct plat_mutex *m);

/* A spin lock for short, non-blocking critical sections (hash buckets). */
struct plat_spinlock {
	atomic_uint locked;
};
static inline void plat_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}
static inline void plat_spin_init(struct plat_spinlock *l)
{
	atomic_init(&l->locked, 0);
}
void plat_spin_lock_slow(struct plat_spinlock *l);
static inline void plat_spin_lock(struct plat_spinlock *l)
{
	if (atomic_exchange_explicit(&l->locked, 1, memory_order_acquire) == 0)
		return;
	plat_spin_lock_slow(l);
}
static inline void plat_spin_unlock(struct plat_spinlock *l)
{
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

/* CPUs: per-CPU maps lay values out for every possible CPU. */
int plat_num_possible_cpus(void);
int plat_cpu_id(void);	/* in [0, plat_num_possible_cpus()) */

/* Time. */
uint64_t plat_ktime_ns(void);	/* monotonic */
uint64_t plat_boot_ns(void);	/* includes suspend */
/* Monotonic at the tick's resolution (a few ms), for rate limits: cheaper than plat_ktime_ns. */
uint64_t plat_ktime_coarse_ns(void);
uint32_t plat_random_u32(void);
void plat_yield(void);
/*
 * Sleeps while *@addr == @expected, at most @timeout_ms (< 0: no limit), or
 * until plat_wake_all(@addr). May return early (spuriously): re-check.
 */
void plat_wait_u32(_Atomic uint32_t *addr, uint32_t expected, int timeout_ms);
void plat_wake_all(_Atomic uint32_t *addr);
void plat_sleep_us(unsigned int us);

/* Threads (tests, deferred work). */
struct plat_thread {
	pthread_t t;
};
int plat_thread_start(struct plat_thread *t, void *(*fn)(void *), void *arg);
void plat_thread_join(struct plat_thread *t);

/* Calls @fn with @arg when the calling thread exits (epoch records). */
int plat_thread_exit_hook(void (*fn)(void *), void *arg);

/* Loadable modules. Errors come back as negative errno plus a message. */
void *plat_module_open(const char *path, char *err, size_t errlen, int *errnum);
void *plat_module_symbol(void *module, const char *name);
void plat_module_close(void *module);

/* Bookkeeping memory that fault injection never fails (epoch thread records); cacheline aligned. */
void *plat_alloc_untracked(size_t size);

/* Virtual memory pages (ring buffer layout). */
size_t plat_page_size(void);

/*
 * Shared, zeroed memory laid out as [head][data][data again]: the last
 * @data bytes are mapped a second time right after themselves, so a record
 * that runs past the end of a ring reads on contiguously. @head and @data
 * are multiples of plat_page_size(); the result is page aligned. NULL on
 * failure (fault injection counts it as an allocation).
 */
void *plat_mirror_alloc(size_t head, size_t data);
void plat_mirror_free(void *base, size_t head, size_t data);

/*
 * Reserved address space, committed in steps (a store addressed by offsets
 * from one base, which must never move: the LPM trie's nodes).
 * plat_reserve: @size bytes (a multiple of PLAT_HUGE_PAGE) of address space
 * with no memory behind it, PLAT_HUGE_PAGE aligned, huge pages advised; NULL
 * on failure (fault injection counts it as an allocation).
 * plat_commit: makes [@from, @to) of it usable and zeroed (page multiples,
 * @from = what was committed before); a 2 MiB page that becomes wholly
 * committed is made a huge page if the system can. -ENOMEM on failure
 * (fault injection counts it too).
 * plat_release: unmaps the reservation, @committed bytes of it in use.
 * plat_committed_bytes: memory now committed this way (malloc statistics do not see it).
 */
void *plat_reserve(size_t size);
int plat_commit(void *base, size_t from, size_t to);
void plat_release(void *base, size_t size, size_t committed);
size_t plat_committed_bytes(void);

/* Stops the process: a broken invariant (double free, unpaired epoch exit). */
__attribute__((noreturn)) void plat_fail_fast(const char *why);

#endif /* BPFHOST_PLATFORM_H */
