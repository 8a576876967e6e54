/* SPDX-License-Identifier: MIT */
/*
 * bpfhost: the embedded eBPF core's public entry points. Everything above the
 * core (the libbpf-like library, bindings) goes through bpfhost_sys_bpf() and
 * the extension load/unload calls declared here.
 */
#ifndef BPFHOST_BPFHOST_H
#define BPFHOST_BPFHOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BPFHOST_API __attribute__((visibility("default")))

/**
 * @brief **bpfhost_sys_bpf()** runs one bpf(2) command in process.
 * @param cmd a command of enum bpf_cmd (Linux numbering) or a BPFHOST_* one
 * @param attr the command's argument, Linux `union bpf_attr` layout
 * @param size bytes of @p attr the caller passes; bytes past what the core
 * knows must be zero
 * @return a new handle (>= 1) for commands that create one, 0 on success for
 * the others, or a negative errno (-EINVAL, -ENOENT, -E2BIG, -EBADF, ...).
 * On failure bpfhost_last_error() says what was wrong and with which object.
 */
BPFHOST_API int bpfhost_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);

/**
 * @brief **bpfhost_last_error()** is the message of the last failed call on
 * the calling thread ("" when the last call succeeded).
 */
BPFHOST_API const char *bpfhost_last_error(void);

/**
 * @brief **bpfhost_set_last_error()** sets the calling thread's message, for
 * code above the core (the libbpf-like library: assembler, object loader)
 * whose failures are not a bpf(2) command's.
 * @param err the negative errno the caller is about to return
 * @param fmt printf-style message naming the object and what was wrong
 * @return @p err, so a failing path reads `return bpfhost_set_last_error(...)`
 */
BPFHOST_API int bpfhost_set_last_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum bpfhost_print_level {
	BPFHOST_WARN,
	BPFHOST_INFO,
	BPFHOST_DEBUG,
};
typedef int (*bpfhost_print_fn_t)(enum bpfhost_print_level level, const char *fmt, va_list args);

/**
 * @brief **bpfhost_set_print()** installs the sink for diagnostics (the core
 * never writes to stderr itself). NULL silences them.
 * @return the previous sink
 */
BPFHOST_API bpfhost_print_fn_t bpfhost_set_print(bpfhost_print_fn_t fn);

/**
 * @brief **bpfhost_extension_load()** loads an extension module (a shared
 * object exporting `bpfhost_extension_entry`) and attaches its providers.
 * @return a module handle (>= 1) or a negative errno: -ENOENT (no such file),
 * -ENOEXEC (not a loadable module or no entry point), -EINVAL (a provider
 * table the core refuses), -EEXIST (a map type another module holds).
 */
BPFHOST_API int bpfhost_extension_load(const char *path);

#define BPFHOST_UNLOAD_FORCE 0x1U

/**
 * @brief **bpfhost_extension_unload()** detaches a module's providers and
 * unmaps it.
 * @param flags 0: refuse with -EBUSY while maps of its types exist (the
 * message names them); BPFHOST_UNLOAD_FORCE: clean those maps up through the
 * provider, orphan them (later operations return -ENODEV) and unload.
 * @return 0, -EBADF (unknown module handle), -EBUSY
 */
BPFHOST_API int bpfhost_extension_unload(int module, unsigned int flags);

/**
 * @brief **bpfhost_num_possible_cpus()** is the CPU count per-CPU maps lay
 * their values out for (round_up(value_size, 8) bytes per CPU).
 */
BPFHOST_API int bpfhost_num_possible_cpus(void);

/**
 * @brief **bpfhost_handle_count()** is the number of open handles (for leak
 * checks in tests and bindings).
 */
BPFHOST_API int bpfhost_handle_count(void);

/**
 * @brief **bpfhost_synchronize()** waits until every thread has left the
 * epoch it was in and runs the deferred frees that became safe. Map memory
 * of closed maps is released by then.
 */
BPFHOST_API void bpfhost_synchronize(void);

/**
 * @brief **bpfhost_fault_inject_alloc()** makes the core's @p nth allocation
 * from now fail (1 = the next one); 0 disarms. For tests.
 */
BPFHOST_API void bpfhost_fault_inject_alloc(unsigned long nth);

/** @brief Allocations the core has made (for fault-injection sweeps). */
BPFHOST_API unsigned long bpfhost_alloc_count(void);

#ifdef __cplusplus
}
#endif

#endif /* BPFHOST_BPFHOST_H */
