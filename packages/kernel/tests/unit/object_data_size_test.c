// SPDX-License-Identifier: MIT
/*
 * A global data section becomes one map value, so the object loader refuses
 * at open a section larger than the core's largest map value
 * (BPFHOST_MAP_MAX_VALUE_SIZE) instead of allocating its initial value: a
 * `.bss` (SHT_NOBITS) takes no bytes in the file, and a few kilobytes could
 * otherwise ask for 4 GiB. Found by fuzz_elf (a mutated `.bss` size).
 */
#include <elf.h>
#include <string.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/libbpf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* object_globals with its `.bss` section header claiming @size bytes. */
static struct bpfhost_object *open_with_bss_size(uint64_t size)
{
	size_t len;
	uint8_t *img = bpf_object_read("object_globals", &len);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	struct bpfhost_object *obj = NULL;
	bool patched = false;

	ASSERT_TRUE(img != NULL, "read object_globals");
	if (!img)
		return NULL;
	for (uint16_t i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff + (size_t)i * eh->e_shentsize);
		const Elf64_Shdr *strtab = (const Elf64_Shdr *)(img + eh->e_shoff +
								 (size_t)eh->e_shstrndx * eh->e_shentsize);

		if (!strcmp((const char *)img + strtab->sh_offset + sh->sh_name, ".bss")) {
			ASSERT_EQ(sh->sh_type, SHT_NOBITS, ".bss takes no file bytes");
			sh->sh_size = size;
			patched = true;
		}
	}
	ASSERT_TRUE(patched, "object_globals has a .bss");
	obj = bpfhost_object__open_mem(img, len, NULL);
	free(img);
	return obj;
}

static void t_huge_bss_refused(void)
{
	static const uint64_t sizes[] = { 0xffffffffull, (uint64_t)BPFHOST_MAP_MAX_VALUE_SIZE + 1 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct bpfhost_object *obj = open_with_bss_size(sizes[i]);

		ASSERT_TRUE(obj == NULL, "open refuses the section");
		ASSERT_EQ(errno, E2BIG, "E2BIG");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "section '.bss'", "the message names the section");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "at most 67108864", "and the limit");
		bpfhost_object__close(obj);
	}
}

static void t_bss_within_limit_opens(void)
{
	struct bpfhost_object *obj = open_with_bss_size(4096);
	size_t size = 0;

	ASSERT_TRUE(obj != NULL, "a 4 KiB .bss opens");
	if (!obj)
		return;
	ASSERT_TRUE(bpfhost_map__initial_value(bpfhost_object__find_map_by_name(obj, ".bss"), &size) != NULL,
		    "its initial value");
	ASSERT_EQ(size, 4096, "of the section's size");
	bpfhost_object__close(obj);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_huge_bss_refused),
		TEST(t_bss_within_limit_opens),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_data_size", cases, ARRAY_SIZE(cases));
}
