// SPDX-License-Identifier: MIT
#include "provider_fixture.h"

#include <dlfcn.h>

static struct tp_state *state;

struct tp_state *tp(void)
{
	if (!state) {
		void *dl = dlopen(TP_MODULE, RTLD_NOW | RTLD_LOCAL);
		struct tp_state *(*control)(void);

		if (!dl) {
			fprintf(stderr, "cannot open %s: %s\n", TP_MODULE, dlerror());
			exit(2);
		}
		control = (struct tp_state * (*)(void)) dlsym(dl, "test_provider_control");
		state = control();
	}
	return state;
}

void tp_clear(void)
{
	atomic_store(&tp()->ncalls, 0);
	for (int i = 0; i < TP_NCALLBACKS; i++)
		atomic_store(&tp()->counts[i], 0);
}

void tp_config_one(uint32_t map_type, uint32_t base, int uov, uint32_t callbacks)
{
	struct tp_state *s = tp();

	memset(&s->config, 0, sizeof(s->config));
	s->config.ntypes = 1;
	s->config.types[0].map_type = map_type;
	s->config.types[0].base_map_type = base;
	s->config.types[0].updates_original_value = uov;
	s->config.types[0].callbacks = callbacks;
	s->quiet = 0;
	tp_clear();
}

int tp_load(void)
{
	return bpfhost_extension_load(TP_MODULE);
}

int tp_count(enum tp_callback cb, int flags)
{
	int n = 0, total = atomic_load(&tp()->ncalls);

	for (int i = 0; i < total && i < TP_MAX_CALLS; i++)
		if (tp()->calls[i].cb == cb && (flags < 0 || tp()->calls[i].flags == (uint32_t)flags))
			n++;
	return n;
}

const struct tp_call *tp_nth(enum tp_callback cb, int nth)
{
	int total = atomic_load(&tp()->ncalls);

	for (int i = 0; i < total && i < TP_MAX_CALLS; i++)
		if (tp()->calls[i].cb == cb && nth-- == 0)
			return &tp()->calls[i];
	return NULL;
}
