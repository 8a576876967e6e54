// SPDX-License-Identifier: MIT
/*
 * Externs and legacy map sections at open:
 *  - __kconfig values of every supported type come from the kconfig open
 *    option (and a run reads each back), LINUX_KERNEL_VERSION from the
 *    running kernel when not given, an absent __weak one and an absent
 *    __weak __ksym read 0; a strong one without a value, a value that does
 *    not fit its type and a malformed line are refused, naming the extern;
 *    the `.kconfig` map is read-only to the program and frozen;
 *  - a __ksym variable (typeless, BTF VAR of void) is refused with a
 *    message that says so (kfunc calls: object_kfunc_test);
 *  - legacy `maps` records of different sizes are each read at their symbol.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static const char full_config[] =
	"# a .config excerpt\n"
	"LINUX_KERNEL_VERSION=0x60107\n"
	"CONFIG_HZ=250\n"
	"CONFIG_BPF_SYSCALL=y\n"
	"CONFIG_NF_TABLES=m\n"
	"CONFIG_DEFAULT_HOSTNAME=\"bpfhost-long-name\"\n"
	"CONFIG_BIG=0xfedcba9876543210\n"
	"CONFIG_NEG=-100\n"
	"CONFIG_LETTER=y\n"
	"CONFIG_UNRELATED=42\n";

static struct bpfhost_object *open_ext(const char *name, const char *kconfig)
{
	BPFHOST_OPTS(bpfhost_object_open_opts, o, .kconfig = kconfig);

	return bpfhost_object__open_file(bpf_object_path(name), &o);
}

static void run_read_config(struct bpfhost_object *obj, uint64_t *got)
{
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	int out;

	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	ASSERT_OK(bpfhost_prog_test_run_opts(bpfhost_program__fd(
			  bpfhost_object__find_program_by_name(obj, "read_config")), &t),
		  bpfhost_last_error());
	out = bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "out"));
	for (uint32_t k = 0; k < 10; k++)
		ASSERT_OK(bpfhost_map_lookup_elem(out, &k, &got[k]), "read out");
}

static void t_kconfig_values(void)
{
	struct bpfhost_object *obj = open_ext("object_extern", full_config);
	const struct bpfhost_map *kc;
	uint64_t got[10] = { 0 }, host = 0;
	uint32_t zero = 0;
	uint8_t byte = 1;

	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (!obj)
		return;
	kc = bpfhost_object__find_map_by_name(obj, ".kconfig");
	ASSERT_TRUE(kc != NULL, "a .kconfig map, as libbpf's");
	run_read_config(obj, got);
	memcpy(&host, "bpfhost", 8);	/* truncated to char[8] with its NUL */
	ASSERT_EQ(got[0], 0x60107, "LINUX_KERNEL_VERSION as given");
	ASSERT_EQ(got[1], 250, "CONFIG_HZ");
	ASSERT_EQ(got[2], 1, "CONFIG_BPF_SYSCALL=y as a bool");
	ASSERT_EQ(got[3], 2, "CONFIG_NF_TABLES=m as TRI_MODULE");
	ASSERT_EQ(got[4], host, "CONFIG_DEFAULT_HOSTNAME truncated, NUL-terminated");
	ASSERT_EQ(got[5], 0xfedcba9876543210ull, "CONFIG_BIG, 64 bits");
	ASSERT_EQ(got[6], (uint64_t)-100, "CONFIG_NEG, a negative __s8");
	ASSERT_EQ(got[7], 'y', "CONFIG_LETTER=y as a char");
	ASSERT_EQ(got[8], 0, "an absent __weak __kconfig reads 0");
	ASSERT_EQ(got[9], 0, "an absent __weak __ksym reads 0");
	/* The program's view is read-only and the map frozen: values cannot change under it. */
	ASSERT_TRUE(bpfhost_map__map_flags(kc) & BPF_F_RDONLY_PROG, "read-only to programs");
	ASSERT_EQ(bpfhost_map_update_elem_sized(bpfhost_map__fd(kc), &zero, 4, &byte, 1, 0) < 0, 1,
		  "and not writable from user space either");
	bpfhost_object__close(obj);
}

static void t_kernel_version_default(void)
{
	struct bpfhost_object *obj = open_ext("object_extern",
					      "CONFIG_HZ=100\nCONFIG_BPF_SYSCALL=n\nCONFIG_NF_TABLES=y\n"
					      "CONFIG_DEFAULT_HOSTNAME=\"x\"\nCONFIG_BIG=1\nCONFIG_NEG=1\n"
					      "CONFIG_LETTER=n\n");
	unsigned int a = 0, b = 0, c = 0;
	uint64_t got[10] = { 0 };
	struct utsname u;

	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (!obj)
		return;
	run_read_config(obj, got);
	ASSERT_OK(uname(&u), "uname");
	ASSERT_GE(sscanf(u.release, "%u.%u.%u", &a, &b, &c), 2, "a kernel release");
	ASSERT_EQ(got[0], (uint64_t)(a << 16 | b << 8 | (c > 255 ? 255 : c)),
		  "LINUX_KERNEL_VERSION of the running kernel");
	ASSERT_EQ(got[2], 0, "CONFIG_BPF_SYSCALL=n");
	ASSERT_EQ(got[3], 1, "CONFIG_NF_TABLES=y as TRI_YES");
	ASSERT_EQ(got[7], 'n', "CONFIG_LETTER=n");
	bpfhost_object__close(obj);
}

static void expect_open_refused(const char *obj_name, const char *kconfig, int err, const char *what,
				const char *name)
{
	struct bpfhost_object *obj = open_ext(obj_name, kconfig);

	ASSERT_TRUE(obj == NULL, name);
	ASSERT_EQ(-errno, err, name);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), what, name);
	bpfhost_object__close(obj);
}

static void t_refusals(void)
{
	expect_open_refused("object_extern", NULL, -ESRCH, "__kconfig extern 'CONFIG_BIG' has no value",
			    "a strong extern needs a value");
	expect_open_refused("object_extern", "CONFIG_NEG=200\n", -ERANGE, "'CONFIG_NEG' does not fit",
			    "a value that does not fit");
	expect_open_refused("object_extern", "CONFIG_HZ\n", -EINVAL, "is not NAME=VALUE",
			    "a line without '='");
	expect_open_refused("object_extern", "CONFIG_HZ=fast\n", -EINVAL, "is not a number",
			    "a number that is not");
	expect_open_refused("object_extern", "CONFIG_BPF_SYSCALL=m\n", -EINVAL,
			    "does not suit extern 'CONFIG_BPF_SYSCALL'", "a bool is not a module");
	expect_open_refused("object_ksym", NULL, -EINVAL, "'bpf_link_fops' is a __ksym variable",
			    "a __ksym variable, typeless");
}

static void t_legacy_uneven(void)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("object_legacy_uneven"),
								NULL);
	static const struct {
		const char *name;
		uint32_t type, key, value, max;
	} want[] = {
		{ "first", BPF_MAP_TYPE_ARRAY, 4, 8, 4 },
		{ "second", BPF_MAP_TYPE_HASH, 4, 4, 16 },
		{ "third", BPF_MAP_TYPE_ARRAY, 4, 16, 2 },
	};
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	uint32_t k = 1, v = 0, w[4] = { 30 };
	uint64_t f = 12;

	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (!obj)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct bpfhost_map *m = bpfhost_object__find_map_by_name(obj, want[i].name);

		ASSERT_TRUE(m != NULL, want[i].name);
		if (!m)
			continue;
		ASSERT_EQ(bpfhost_map__type(m), want[i].type, want[i].name);
		ASSERT_EQ(bpfhost_map__key_size(m), want[i].key, want[i].name);
		ASSERT_EQ(bpfhost_map__value_size(m), want[i].value, want[i].name);
		ASSERT_EQ(bpfhost_map__max_entries(m), want[i].max, want[i].name);
	}
	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "first")),
					  &k, &f, 0), "set first[1]");
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "third")),
					  &k, w, 0), "set third[1]");
	ASSERT_OK(bpfhost_prog_test_run_opts(bpfhost_program__fd(
			  bpfhost_object__find_program_by_name(obj, "uneven")), &t), bpfhost_last_error());
	ASSERT_EQ(t.retval, 42, "the program reads first and third");
	ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "second")),
					  &k, &v), "and wrote second");
	ASSERT_EQ(v, 5, "second[1]");
	bpfhost_object__close(obj);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_kconfig_values),
		TEST(t_kernel_version_default),
		TEST(t_refusals),
		TEST(t_legacy_uneven),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_extern", cases, ARRAY_SIZE(cases));
}
