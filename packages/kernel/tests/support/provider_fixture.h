/* SPDX-License-Identifier: MIT */
/* Reaching and configuring the test provider module (tests/ext/test_provider.c). */
#ifndef BPFHOST_PROVIDER_FIXTURE_H
#define BPFHOST_PROVIDER_FIXTURE_H

#include "test_provider.h"
#include "test.h"
#include "bpfhost/extension.h"

#define TP_MODULE BPFHOST_TEST_MODULE_DIR "/test_provider.so"
#define TP_TYPE (BPFHOST_MAP_TYPE_EXT_BASE + 100)
#define TP_TYPE2 (BPFHOST_MAP_TYPE_EXT_BASE + 101)

/* Every callback of the contract, with the post-processing delete. */
#define TP_ALL_POST (TP_HAS(TP_CREATE) | TP_HAS(TP_MAP_DELETE) | TP_HAS(TP_ASSOCIATE) | \
		     TP_HAS(TP_FIND) | TP_HAS(TP_UPDATE) | TP_HAS(TP_POST_DELETE))
#define TP_ALL_PRE (TP_ALL_POST & ~TP_HAS(TP_POST_DELETE)) | TP_HAS(TP_PRE_DELETE)

/* The provider's state (the module stays mapped for the whole test). */
struct tp_state *tp(void);
/* Resets recorded calls and configuration to one type with these settings. */
void tp_config_one(uint32_t map_type, uint32_t base, int uov, uint32_t callbacks);
/* Loads the module through the core; returns the module handle or errno. */
int tp_load(void);
/* Recorded calls of @cb (with @flags, or any flags if @flags is -1). */
int tp_count(enum tp_callback cb, int flags);
/* Forgets recorded calls. */
void tp_clear(void);
/* The i-th recorded call of @cb, or NULL. */
const struct tp_call *tp_nth(enum tp_callback cb, int i);

#endif /* BPFHOST_PROVIDER_FIXTURE_H */
