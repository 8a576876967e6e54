// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_LPM_TRIE: create checks, longest-prefix lookups (IPv4 and
 * IPv6-sized keys), exact-prefix update/delete, limits, iteration order,
 * batches, the program-side ops, fault injection, a model-based random
 * test, and the same random operations run against the Linux kernel's own
 * LPM trie (when bpf(2) is available) with results compared one by one.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "test.h"
#include "maps/map.h"

#define NO_PREALLOC BPF_F_NO_PREALLOC
#define VALUE_MAX ((4U << 20) - 256U - 24U)	/* Linux's, observed on 6.18 */

struct k4 {
	uint32_t plen;
	uint8_t d[4];
};

struct k16 {
	uint32_t plen;
	uint8_t d[16];
};

static struct k4 K4(uint32_t plen, int a, int b, int c, int d)
{
	struct k4 k = { plen, { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d } };

	return k;
}

static int trie4(const char *name, uint32_t max)
{
	return test_map(BPF_MAP_TYPE_LPM_TRIE, name, sizeof(struct k4), 4, max, NO_PREALLOC);
}

/* Looks up @k and returns the u32 value, or the negative errno. */
static long long lookup4(int fd, struct k4 k)
{
	uint32_t v = 0;
	int err = bpfhost_map_lookup_elem(fd, &k, &v);

	return err ? err : (long long)v;
}

static int update4(int fd, struct k4 k, uint32_t v, uint64_t flags)
{
	return bpfhost_map_update_elem(fd, &k, &v, flags);
}

static int delete4(int fd, struct k4 k)
{
	return bpfhost_map_delete_elem(fd, &k);
}

static int create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags);

	return bpfhost_map_create(BPF_MAP_TYPE_LPM_TRIE, "lpm", ks, vs, max, &opts);
}

static void create_checks(void)
{
	union bpf_attr attr;
	int fd;

	ASSERT_EQ(create(8, 4, 16, 0), -EINVAL, "BPF_F_NO_PREALLOC is required");
	ASSERT_EQ(errno, EINVAL, "errno set");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "BPF_F_NO_PREALLOC", "message says why");
	ASSERT_EQ(create(4, 4, 16, NO_PREALLOC), -EINVAL, "key_size 4: no data byte");
	ASSERT_EQ(create(261, 4, 16, NO_PREALLOC), -EINVAL, "key_size 261: 257 data bytes");
	ASSERT_EQ(create(8, 0, 16, NO_PREALLOC), -EINVAL, "value_size 0");
	ASSERT_EQ(create(8, VALUE_MAX + 1, 16, NO_PREALLOC), -EINVAL, "value_size over Linux's max");
	ASSERT_EQ(create(8, 4, 0, NO_PREALLOC), -EINVAL, "max_entries 0");
	ASSERT_EQ(create(8, 4, 16, NO_PREALLOC | BPF_F_ZERO_SEED), -EINVAL, "hash-only flag");
	ASSERT_EQ(create(8, 4, 16, NO_PREALLOC | BPF_F_MMAPABLE), -EINVAL, "BPF_F_MMAPABLE");
	ASSERT_EQ(create(8, 4, 16, NO_PREALLOC | BPF_F_RDONLY | BPF_F_WRONLY), -EINVAL,
		  "RDONLY with WRONLY");
	ASSERT_EQ(create(8, 4, 16, NO_PREALLOC | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG), -EINVAL,
		  "RDONLY_PROG with WRONLY_PROG");

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_LPM_TRIE;
	attr.key_size = 8;
	attr.value_size = 4;
	attr.max_entries = 4;
	attr.map_flags = NO_PREALLOC;
	attr.map_extra = 1;
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr)), -EINVAL, "map_extra");

	/* The bounds themselves are accepted; memory is per prefix, so any max_entries is. */
	fd = create(5, 4, 16, NO_PREALLOC);
	ASSERT_GE(fd, 1, "key_size 5 (one data byte)");
	bpfhost_close(fd);
	fd = create(260, 4, 16, NO_PREALLOC);
	ASSERT_GE(fd, 1, "key_size 260 (256 data bytes)");
	bpfhost_close(fd);
	fd = create(8, VALUE_MAX, 16, NO_PREALLOC);
	ASSERT_GE(fd, 1, "value_size at Linux's max");
	bpfhost_close(fd);
	fd = create(8, 4, UINT32_MAX, NO_PREALLOC);
	ASSERT_GE(fd, 1, "max_entries UINT32_MAX");
	bpfhost_close(fd);
	fd = create(8, 4, 16, NO_PREALLOC | BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE);
	ASSERT_GE(fd, 1, "access and NUMA flags");
	bpfhost_close(fd);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void ipv4_overlapping(void)
{
	int fd = trie4("ipv4", 64);

	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 3)), -ENOENT, "empty trie");
	ASSERT_OK(update4(fd, K4(8, 10, 0, 0, 0), 8, BPF_ANY), "add /8");
	ASSERT_OK(update4(fd, K4(16, 10, 1, 0, 0), 16, BPF_ANY), "add /16");
	ASSERT_OK(update4(fd, K4(24, 10, 1, 2, 0), 24, BPF_ANY), "add /24");
	ASSERT_OK(update4(fd, K4(32, 10, 1, 2, 3), 32, BPF_ANY), "add /32");
	ASSERT_OK(update4(fd, K4(24, 10, 1, 3, 0), 243, BPF_ANY), "add sibling /24");

	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 3)), 32, "host route wins");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 4)), 24, "/24 covers 10.1.2.4");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 3, 200)), 243, "sibling /24");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 9, 9)), 16, "/16 covers 10.1.9.9");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 200, 0, 1)), 8, "/8 covers 10.200.0.1");
	ASSERT_EQ(lookup4(fd, K4(32, 11, 1, 2, 3)), -ENOENT, "nothing covers 11.1.2.3");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'ipv4'", "message names the map");

	/* The lookup key's own prefixlen bounds the match, as Linux. */
	ASSERT_EQ(lookup4(fd, K4(20, 10, 1, 2, 3)), 16, "key /20: at most the /16");
	ASSERT_EQ(lookup4(fd, K4(24, 10, 1, 2, 3)), 24, "key /24 matches the /24 exactly");
	ASSERT_EQ(lookup4(fd, K4(12, 10, 1, 2, 3)), 8, "key /12: the /8");
	ASSERT_EQ(lookup4(fd, K4(7, 10, 1, 2, 3)), -ENOENT, "key /7: shorter than every prefix");
	ASSERT_EQ(lookup4(fd, K4(33, 10, 1, 2, 3)), -ENOENT, "key prefixlen over 32: no match");

	/* A default route covers everything. */
	ASSERT_OK(update4(fd, K4(0, 0, 0, 0, 0), 100, BPF_NOEXIST), "add /0");
	ASSERT_EQ(lookup4(fd, K4(32, 11, 1, 2, 3)), 100, "/0 covers 11.1.2.3");
	ASSERT_EQ(lookup4(fd, K4(0, 10, 1, 2, 3)), 100, "key /0 matches only /0");
	bpfhost_close(fd);
}

static void exact_update_delete(void)
{
	int fd = trie4("exact", 64);
	uint32_t v = 1;

	ASSERT_EQ(update4(fd, K4(33, 10, 0, 0, 0), 1, BPF_ANY), -EINVAL, "update prefixlen 33");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "prefixlen 33", "message gives the prefixlen");
	ASSERT_EQ(delete4(fd, K4(33, 10, 0, 0, 0)), -EINVAL, "delete prefixlen 33");
	ASSERT_EQ(update4(fd, K4(8, 10, 0, 0, 0), 1, 3), -EINVAL, "flags 3");
	ASSERT_EQ(update4(fd, K4(8, 10, 0, 0, 0), 1, BPF_F_LOCK), -EINVAL, "BPF_F_LOCK");
	ASSERT_EQ(update4(fd, K4(8, 10, 0, 0, 0), 1, BPF_EXIST), -ENOENT, "EXIST on a missing prefix");
	ASSERT_OK(update4(fd, K4(8, 10, 0, 0, 0), 1, BPF_NOEXIST), "NOEXIST inserts");
	ASSERT_EQ(update4(fd, K4(8, 10, 0, 0, 0), 2, BPF_NOEXIST), -EEXIST, "NOEXIST on existing");
	/* Bits past the prefix do not make a different prefix. */
	ASSERT_EQ(update4(fd, K4(8, 10, 99, 99, 99), 2, BPF_NOEXIST), -EEXIST, "same /8, other host bits");
	ASSERT_OK(update4(fd, K4(8, 10, 7, 7, 7), 3, BPF_EXIST), "EXIST replaces");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 0, 0, 1)), 3, "replaced value");
	ASSERT_EQ(update4(fd, K4(9, 10, 0, 0, 0), 1, BPF_EXIST), -ENOENT, "EXIST: /9 is not /8");
	ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, &(struct k4){ 32, { 10 } }, &v, BPF_F_LOCK),
		  -EINVAL, "lookup with BPF_F_LOCK");

	ASSERT_EQ(delete4(fd, K4(16, 10, 0, 0, 0)), -ENOENT, "delete a missing /16");
	ASSERT_EQ(delete4(fd, K4(7, 10, 0, 0, 0)), -ENOENT, "delete a missing /7");
	ASSERT_OK(update4(fd, K4(24, 10, 1, 0, 0), 24, BPF_ANY), "add 10.1.0.0/24");
	ASSERT_OK(update4(fd, K4(24, 10, 1, 1, 0), 25, BPF_ANY), "add 10.1.1.0/24");
	ASSERT_EQ(delete4(fd, K4(23, 10, 1, 0, 0)), -ENOENT, "the branch point /23 is not a prefix");
	ASSERT_EQ(update4(fd, K4(23, 10, 1, 0, 0), 23, BPF_EXIST), -ENOENT, "EXIST on the branch point");
	ASSERT_OK(update4(fd, K4(23, 10, 1, 0, 0), 23, BPF_NOEXIST), "NOEXIST fills the branch point");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 1, 1)), 25, "/24 under the new /23");
	ASSERT_EQ(lookup4(fd, K4(23, 10, 1, 1, 1)), 23, "key /23");
	ASSERT_OK(delete4(fd, K4(8, 10, 5, 5, 5)), "delete /8 (host bits ignored)");
	ASSERT_EQ(delete4(fd, K4(8, 10, 0, 0, 0)), -ENOENT, "delete /8 again");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &(struct k4){ 23, { 10, 1 } }, &v), -ENOTSUPP,
		  "lookup_and_delete is not supported (Linux: -ENOTSUPP)");
	bpfhost_close(fd);
}

static void longest_match_after_deletes(void)
{
	int fd = trie4("deletes", 64);

	update4(fd, K4(8, 10, 0, 0, 0), 8, BPF_ANY);
	update4(fd, K4(16, 10, 1, 0, 0), 16, BPF_ANY);
	update4(fd, K4(24, 10, 1, 2, 0), 24, BPF_ANY);
	update4(fd, K4(32, 10, 1, 2, 3), 32, BPF_ANY);
	update4(fd, K4(24, 10, 1, 128, 0), 124, BPF_ANY);

	ASSERT_OK(delete4(fd, K4(24, 10, 1, 2, 0)), "delete the /24 in the middle");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 3)), 32, "/32 still there");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 4)), 16, "falls back to /16");
	ASSERT_OK(delete4(fd, K4(16, 10, 1, 0, 0)), "delete /16 (two children: becomes a branch point)");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 4)), 8, "falls back to /8");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 128, 4)), 124, "other branch intact");
	ASSERT_OK(delete4(fd, K4(32, 10, 1, 2, 3)), "delete /32 (leaf under a branch point)");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 3)), 8, "host falls back to /8");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 128, 4)), 124, "sibling promoted");
	ASSERT_OK(delete4(fd, K4(8, 10, 0, 0, 0)), "delete /8");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 3)), -ENOENT, "nothing left for 10.1.2.3");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 128, 1)), 124, "last prefix");
	ASSERT_OK(delete4(fd, K4(24, 10, 1, 128, 0)), "delete the last prefix");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 128, 1)), -ENOENT, "empty again");
	ASSERT_OK(update4(fd, K4(16, 10, 1, 0, 0), 16, BPF_NOEXIST), "re-add after emptying");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 2, 4)), 16, "re-added /16");
	bpfhost_close(fd);
}

static void ipv6_keys(void)
{
	int fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "ipv6", sizeof(struct k16), 8, 16, NO_PREALLOC);
	/* 2001:db8::/32, 2001:db8:1::/48, 2001:db8:1:2::/64, 2001:db8:1:2::5/128, ::/0 */
	struct k16 p32 = { 32, { 0x20, 0x01, 0x0d, 0xb8 } };
	struct k16 p48 = { 48, { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } };
	struct k16 p64 = { 64, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2 } };
	struct k16 p128 = { 128, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, [15] = 5 } };
	struct k16 p0 = { 0, { 0 } }, q;
	uint64_t v, out;

	v = 32;
	ASSERT_OK(bpfhost_map_update_elem(fd, &p32, &v, BPF_ANY), "add /32");
	v = 48;
	ASSERT_OK(bpfhost_map_update_elem(fd, &p48, &v, BPF_ANY), "add /48");
	v = 64;
	ASSERT_OK(bpfhost_map_update_elem(fd, &p64, &v, BPF_ANY), "add /64");
	v = 128;
	ASSERT_OK(bpfhost_map_update_elem(fd, &p128, &v, BPF_ANY), "add /128");
	v = 1;
	ASSERT_OK(bpfhost_map_update_elem(fd, &p0, &v, BPF_ANY), "add ::/0");

	q = p128;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &q, &out), "lookup the host");
	ASSERT_EQ(out, 128, "/128 wins");
	q.d[15] = 6;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &q, &out), "lookup a neighbour");
	ASSERT_EQ(out, 64, "/64 covers it");
	q.d[7] = 3;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &q, &out), "other /64");
	ASSERT_EQ(out, 48, "/48 covers it");
	q.d[5] = 9;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &q, &out), "other /48");
	ASSERT_EQ(out, 32, "/32 covers it");
	q.d[0] = 0xfe;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &q, &out), "outside 2001:db8::/32");
	ASSERT_EQ(out, 1, "::/0 covers it");
	q.plen = 129;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &q, &out), -ENOENT, "prefixlen 129");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &q, &v, BPF_ANY), -EINVAL, "update prefixlen 129");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &p64), "delete /64");
	q = p128;
	q.d[15] = 6;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &q, &out), "after deleting /64");
	ASSERT_EQ(out, 48, "/48 now");
	bpfhost_close(fd);
}

static void widest_and_narrowest_keys(void)
{
	struct {
		uint32_t plen;
		uint8_t d[256];
	} k;
	int fd = create(260, 4, 4, NO_PREALLOC);
	uint32_t v = 7, out = 0;

	memset(&k, 0xab, sizeof(k));
	k.plen = 2048;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "2048-bit prefix");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup 2048 bits");
	ASSERT_EQ(out, 7, "value");
	k.d[255] ^= 1;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "last bit differs");
	k.plen = 2049;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -EINVAL, "prefixlen 2049");
	bpfhost_close(fd);

	fd = create(5, 4, 16, NO_PREALLOC);
	for (uint32_t plen = 0; plen <= 8; plen++) {
		struct { uint32_t plen; uint8_t d; } __attribute__((packed)) b = { plen, 0xff };

		v = plen;
		ASSERT_OK(bpfhost_map_update_elem(fd, &b, &v, BPF_NOEXIST), "1-byte key, each prefixlen");
	}
	for (uint32_t x = 0; x < 256; x++) {
		struct { uint32_t plen; uint8_t d; } __attribute__((packed)) b = { 8, (uint8_t)x };
		uint32_t expect = x == 0xff ? 8 : (uint32_t)__builtin_clz(~x & 0xff) - 24;

		ASSERT_OK(bpfhost_map_lookup_elem(fd, &b, &out), "1-byte lookup");
		ASSERT_EQ(out, expect, "leading ones of x");
	}
	bpfhost_close(fd);
}

static void limits(void)
{
	int fd = trie4("limits", 3);
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	ASSERT_OK(update4(fd, K4(8, 10, 0, 0, 0), 1, BPF_ANY), "1 of 3");
	/* 10.1/16 and 10.128/16 meet at a branch point, which does not count. */
	ASSERT_OK(update4(fd, K4(16, 10, 1, 0, 0), 2, BPF_ANY), "2 of 3");
	ASSERT_OK(update4(fd, K4(16, 10, 128, 0, 0), 3, BPF_ANY), "3 of 3");
	ASSERT_EQ(update4(fd, K4(24, 10, 1, 2, 0), 4, BPF_ANY), -ENOSPC, "full: -ENOSPC");
	ASSERT_EQ(errno, ENOSPC, "errno ENOSPC");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "full", "message says full");
	ASSERT_EQ(update4(fd, K4(24, 10, 1, 2, 0), 4, BPF_EXIST), -ENOENT, "full, EXIST, missing");
	ASSERT_OK(update4(fd, K4(16, 10, 1, 0, 0), 22, BPF_ANY), "replace while full");
	ASSERT_OK(update4(fd, K4(16, 10, 1, 0, 0), 23, BPF_EXIST), "EXIST replace while full");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 0, 1)), 23, "replaced while full");
	ASSERT_OK(delete4(fd, K4(8, 10, 0, 0, 0)), "make room");
	ASSERT_OK(update4(fd, K4(24, 10, 1, 2, 0), 4, BPF_ANY), "room again");
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_LPM_TRIE, "info type");
	ASSERT_EQ(info.key_size, 8, "info key_size");
	ASSERT_EQ(info.map_flags, NO_PREALLOC, "info map_flags");
	bpfhost_close(fd);
}

/* Linux's order (observed on 6.18 for this set): post-order, 0 branch first. */
static void iteration_order(void)
{
	int fd = trie4("order", 64);
	struct k4 expect[] = {
		K4(8, 10, 9, 9, 9),	/* stored with host bits: returned as stored */
		K4(24, 192, 168, 0, 0),
		K4(24, 192, 168, 1, 0),
		K4(24, 192, 168, 128, 0),
		K4(16, 192, 168, 0, 0),
		K4(0, 1, 2, 3, 4),
	};
	struct k4 k, n;
	size_t i = 0;
	int err;

	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &n), -ENOENT, "empty trie");
	update4(fd, K4(16, 192, 168, 0, 0), 1, BPF_ANY);
	update4(fd, K4(24, 192, 168, 0, 0), 2, BPF_ANY);
	update4(fd, K4(24, 192, 168, 128, 0), 3, BPF_ANY);
	update4(fd, K4(24, 192, 168, 1, 0), 5, BPF_ANY);
	update4(fd, K4(8, 10, 9, 9, 9), 6, BPF_ANY);
	update4(fd, K4(0, 1, 2, 3, 4), 7, BPF_ANY);

	for (err = bpfhost_map_get_next_key(fd, NULL, &n); !err;
	     k = n, err = bpfhost_map_get_next_key(fd, &k, &n), i++) {
		if (i < ARRAY_SIZE(expect)) {
			ASSERT_EQ(n.plen, expect[i].plen, "prefixlen in Linux's order");
			ASSERT_EQ(memcmp(n.d, expect[i].d, 4), 0, "data in Linux's order");
		}
	}
	ASSERT_EQ(err, -ENOENT, "ends with -ENOENT");
	ASSERT_EQ(i, ARRAY_SIZE(expect), "every prefix once");

	k = K4(8, 10, 0, 0, 0);
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &n), "next of /8 (host bits ignored)");
	ASSERT_EQ(n.plen, 24, "after 10/8 comes 192.168.0/24");
	k = K4(12, 10, 0, 0, 0);
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &n), "missing key restarts");
	ASSERT_EQ(n.plen, 8, "first key again");
	k = K4(33, 192, 168, 0, 0);
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &n), "over-long key restarts");
	ASSERT_EQ(n.plen, 8, "first key again (33)");
	k = K4(23, 192, 168, 0, 0);
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &n), "a branch point is not a key");
	ASSERT_EQ(n.plen, 8, "first key again (/23)");
	k = K4(0, 0, 0, 0, 0);
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &k, &n), -ENOENT, "/0 is last");
	bpfhost_close(fd);
}

/* Batches as Linux supports them on LPM tries: generic lookup/update/delete. */
static void batches(void)
{
	int fd = trie4("batch", 64);
	struct k4 keys[16], got[16], out;
	uint32_t vals[16], gotv[16], count, total = 0, seen = 0;
	void *in = NULL;
	int err;

	for (uint32_t i = 0; i < 10; i++) {
		keys[i] = K4(16 + i, 10, (int)i * 16, 0, 0);
		vals[i] = 100 + i;
	}
	count = 10;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, vals, &count, NULL), "update batch");
	ASSERT_EQ(count, 10, "update batch count");

	do {
		count = 3;
		err = bpfhost_map_lookup_batch(fd, in, &out, got, gotv, &count, NULL);
		for (uint32_t i = 0; i < count; i++) {
			for (uint32_t j = 0; j < 10; j++)
				if (got[i].plen == keys[j].plen && !memcmp(got[i].d, keys[j].d, 4)) {
					ASSERT_EQ(gotv[i], vals[j], "batch value matches its key");
					seen |= 1u << j;
				}
		}
		total += count;
		in = &out;
	} while (!err);
	ASSERT_EQ(err, -ENOENT, "lookup batch ends with -ENOENT");
	ASSERT_EQ(total, 10, "every prefix once");
	ASSERT_EQ(seen, 0x3ff, "as a set");

	count = 16;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &out, got, gotv, &count, NULL),
		  -ENOTSUPP, "lookup_and_delete batch: -ENOTSUPP as Linux");

	keys[3] = K4(31, 1, 1, 1, 1);
	count = 5;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -ENOENT,
		  "delete batch stops at a miss");
	ASSERT_EQ(count, 3, "three deleted before the miss");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 0, 0, 1)), -ENOENT, "first deleted");
	ASSERT_EQ(lookup4(fd, K4(32, 10, 64, 0, 1)), 104, "fifth untouched");
	bpfhost_close(fd);
}

/* The program-side ops, called as the interpreter does (under epoch). */
static void program_side(void)
{
	int fd = trie4("prog", 8);
	struct k4 k = K4(16, 10, 1, 0, 0), q = K4(32, 10, 1, 2, 3);
	uint32_t v = 16, *p, *p2;
	struct bh_map *map;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	ASSERT_TRUE(map != NULL, "map from handle");
	ASSERT_TRUE(map->ops->lookup_elem(map, &q) == NULL, "no match: NULL");
	ASSERT_EQ(map->ops->update_elem(map, &k, &v, BPF_NOEXIST), 0, "program update");
	ASSERT_EQ(map->ops->update_elem(map, &k, &v, BPF_NOEXIST), -EEXIST, "program NOEXIST");
	p = map->ops->lookup_elem(map, &q);
	ASSERT_TRUE(p != NULL, "longest match pointer");
	ASSERT_EQ(p ? *p : 0, 16, "points at the /16's value");
	ASSERT_EQ((uintptr_t)p % 8, 0, "value is 8-byte aligned");
	v = 17;
	ASSERT_EQ(map->ops->update_elem(map, &k, &v, BPF_EXIST), 0, "replace");
	ASSERT_EQ(p ? *p : 0, 16, "old pointer keeps the old value until the epoch ends");
	p2 = map->ops->lookup_elem(map, &q);
	ASSERT_EQ(p2 ? *p2 : 0, 17, "new lookup sees the new value");
	ASSERT_EQ(map->ops->delete_elem(map, &k), 0, "program delete");
	ASSERT_EQ(map->ops->delete_elem(map, &k), -ENOENT, "program delete again");
	ASSERT_TRUE(map->ops->lookup_elem(map, &q) == NULL, "gone");
	ASSERT_TRUE(map->ops->push_elem == NULL && map->ops->pop_elem == NULL, "no push/pop");
	ASSERT_TRUE(map->ops->mem_usage(map) > 0, "mem usage");
	epoch_exit();
	bpfhost_close(fd);
}

static void fault_injection(void)
{
	int fd = trie4("faults", 16), created;
	struct k4 big_key = K4(16, 10, 2, 0, 0);
	static uint8_t big[4000];

	/*
	 * Nodes come from the trie's node store: an update allocates only
	 * when it needs more of the region committed. The first update does.
	 */
	bpfhost_fault_inject_alloc(1);
	ASSERT_EQ(update4(fd, K4(16, 10, 1, 0, 0), 1, BPF_ANY), -ENOMEM, "node allocation fails");
	bpfhost_fault_inject_alloc(0);
	ASSERT_EQ(lookup4(fd, K4(32, 10, 1, 0, 1)), -ENOENT, "nothing added");
	ASSERT_OK(update4(fd, K4(16, 10, 1, 0, 0), 1, BPF_ANY), "seed prefix");
	bpfhost_close(fd);

	/*
	 * With 4000-byte values every real node is a run of its own, and a
	 * new run past the committed pages needs a commit (an allocation):
	 * the split of 10.1/16 and 10.2/16 at /14 commits for its real node
	 * (fault 1), then for the branch point's run (fault 2). Either way
	 * nothing changes and the unused node goes back.
	 */
	for (unsigned long nth = 1; nth <= 2; nth++) {
		fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "faults4k", sizeof(struct k4), sizeof(big), 16,
			      NO_PREALLOC);
		big[0] = 2;
		big_key = K4(16, 10, 1, 0, 0);
		ASSERT_OK(bpfhost_map_update_elem(fd, &big_key, big, BPF_ANY), "seed prefix");
		big_key = K4(16, 10, 2, 0, 0);
		bpfhost_fault_inject_alloc(nth);
		ASSERT_EQ(bpfhost_map_update_elem(fd, &big_key, big, BPF_ANY), -ENOMEM,
			  nth == 1 ? "real node allocation fails" : "branch point allocation fails");
		bpfhost_fault_inject_alloc(0);
		big_key = K4(32, 10, 2, 0, 1);
		ASSERT_EQ(bpfhost_map_lookup_elem(fd, &big_key, big), -ENOENT, "nothing added");
		big_key = K4(32, 10, 1, 0, 1);
		ASSERT_OK(bpfhost_map_lookup_elem(fd, &big_key, big), "old prefix intact");
		ASSERT_EQ(big[0], 2, "old value");
		big_key = K4(16, 10, 2, 0, 0);
		ASSERT_OK(bpfhost_map_update_elem(fd, &big_key, big, BPF_ANY), "works without faults");
		big_key = K4(32, 10, 2, 0, 1);
		ASSERT_OK(bpfhost_map_lookup_elem(fd, &big_key, big), "added");
		bpfhost_close(fd);
	}

	/* Map creation under each single failure: an errno, never a leak. */
	for (unsigned long nth = 1; nth <= 4; nth++) {
		bpfhost_fault_inject_alloc(nth);
		created = create(8, 4, 4, NO_PREALLOC);
		bpfhost_fault_inject_alloc(0);
		if (created > 0)
			bpfhost_close(created);
		else
			ASSERT_EQ(created, -ENOMEM, "create fails with -ENOMEM");
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/*
 * A model of Linux's semantics for keys of D data bytes: a list of stored
 * prefixes (data as last written), longest match by scan, order by rule.
 */
#define MD 2
#define MAXP 64	/* max_entries of the random tests */

struct mkey {
	uint32_t plen;
	uint8_t d[MD];
} __attribute__((packed));
#define MKS ((uint32_t)sizeof(struct mkey))

struct model {
	struct mkey k[MAXP];
	uint32_t v[MAXP];
	int n;
	uint32_t max;
};

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static int bit_at(const uint8_t *d, uint32_t i)
{
	return (d[i / 8] >> (7 - i % 8)) & 1;
}

static uint32_t common(const uint8_t *a, const uint8_t *b, uint32_t limit)
{
	uint32_t i;

	for (i = 0; i < limit && bit_at(a, i) == bit_at(b, i); i++)
		;
	return i;
}

static int model_find(struct model *m, const struct mkey *k)
{
	for (int i = 0; i < m->n; i++)
		if (m->k[i].plen == k->plen && common(m->k[i].d, k->d, k->plen) == k->plen)
			return i;
	return -1;
}

static int model_update(struct model *m, const struct mkey *k, uint32_t v, uint64_t flags)
{
	int i = model_find(m, k);

	if (k->plen > MD * 8)
		return -EINVAL;
	if (i >= 0 && flags == BPF_NOEXIST)
		return -EEXIST;
	if (i < 0 && flags == BPF_EXIST)
		return -ENOENT;
	if (i < 0 && (uint32_t)m->n == m->max)
		return -ENOSPC;
	if (i < 0)
		i = m->n++;
	m->k[i] = *k;
	m->v[i] = v;
	return 0;
}

static int model_delete(struct model *m, const struct mkey *k)
{
	int i = model_find(m, k);

	if (k->plen > MD * 8)
		return -EINVAL;
	if (i < 0)
		return -ENOENT;
	m->k[i] = m->k[--m->n];
	m->v[i] = m->v[m->n];
	return 0;
}

static long long model_lookup(struct model *m, const struct mkey *k)
{
	int best = -1;

	if (k->plen > MD * 8)
		return -ENOENT;
	for (int i = 0; i < m->n; i++)
		if (m->k[i].plen <= k->plen && common(m->k[i].d, k->d, m->k[i].plen) == m->k[i].plen &&
		    (best < 0 || m->k[i].plen > m->k[best].plen))
			best = i;
	return best < 0 ? -ENOENT : (long long)m->v[best];
}

/* Linux's get_next_key order: covered prefixes first, then the 0 branch. */
static int order_cmp(const struct mkey *a, const struct mkey *b)
{
	uint32_t lim = a->plen < b->plen ? a->plen : b->plen, c = common(a->d, b->d, lim);

	if (c == lim)
		return a->plen > b->plen ? -1 : a->plen < b->plen;
	return bit_at(a->d, c) ? 1 : -1;
}

static struct mkey random_key(void)
{
	struct mkey k;
	uint32_t r = rnd();

	/* Few distinct prefixes so that updates collide and branch points come and go. */
	k.plen = r % 100 == 0 ? MD * 8 + 1 : (r >> 8) % (MD * 8 + 1);
	k.d[0] = (uint8_t)(rnd() & 0xc3);
	k.d[1] = (uint8_t)(rnd() & 0x80);
	return k;
}

/* ANY, NOEXIST or EXIST alike, and now and then an invalid 3. */
static uint64_t random_flags(void)
{
	uint32_t r = rnd() % 16;

	return r == 15 ? 3 : r % 3;
}

static void check_iteration(int fd, struct model *m)
{
	struct mkey prev, cur;
	int n = 0, err;
	bool sorted = true, found = true;

	for (err = bpfhost_map_get_next_key(fd, NULL, &cur); !err;
	     prev = cur, err = bpfhost_map_get_next_key(fd, &prev, &cur)) {
		int i = model_find(m, &cur);

		if (i < 0 || memcmp(m->k[i].d, cur.d, MD))
			found = false;
		if (n && order_cmp(&prev, &cur) >= 0)
			sorted = false;
		if (++n > m->n)
			break;
	}
	ASSERT_EQ(err, -ENOENT, "iteration ends with -ENOENT");
	ASSERT_EQ(n, m->n, "iteration visits every prefix");
	ASSERT_TRUE(found, "iterated keys are stored prefixes, data as last written");
	ASSERT_TRUE(sorted, "iteration in Linux's order");
}

static void random_vs_model(void)
{
	static struct model m;
	int fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "model", MKS, 4, 64, NO_PREALLOC);
	int mismatches = 0;

	m.max = 64;
	for (int step = 0; step < 20000; step++) {
		struct mkey k = random_key();
		uint32_t r = rnd() % 10, v = rnd(), out = 0;
		uint64_t flags = random_flags() % 3;
		long long want, got;

		if (r < 4) {
			want = model_update(&m, &k, v, flags);
			got = bpfhost_map_update_elem(fd, &k, &v, flags);
		} else if (r < 7) {
			want = model_delete(&m, &k);
			got = bpfhost_map_delete_elem(fd, &k);
		} else {
			want = model_lookup(&m, &k);
			got = bpfhost_map_lookup_elem(fd, &k, &out);
			if (!got)
				got = out;
		}
		if (want != got && mismatches++ < 5)
			ASSERT_EQ(got, want, "operation agrees with the model");
		if (step % 500 == 0)
			check_iteration(fd, &m);
	}
	ASSERT_EQ(mismatches, 0, "no disagreement with the model");
	check_iteration(fd, &m);
	bpfhost_close(fd);
}

/*
 * The Linux kernel's LPM trie as the oracle: the same random operations on
 * both, every result and every full iteration compared (Linux's order and
 * stored data included). bpfhost's union bpf_attr has Linux's layout.
 */
static int kbpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

static int kelem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	if (cmd != BPF_MAP_DELETE_ELEM && cmd != BPF_MAP_GET_NEXT_KEY)
		a.flags = flags;
	return kbpf(cmd, &a);
}

static void against_kernel(void)
{
	union bpf_attr a;
	int kfd, fd, mismatches = 0;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_LPM_TRIE;
	a.key_size = MKS;
	a.value_size = 4;
	a.max_entries = 64;
	a.map_flags = NO_PREALLOC;
	kfd = kbpf(BPF_MAP_CREATE, &a);
	if (kfd < 0) {
		printf("skip against_kernel: bpf(2) map create: %s\n", strerror(-kfd));
		return;
	}
	fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "kdiff", MKS, 4, 64, NO_PREALLOC);
	rng_state = 777;
	for (int step = 0; step < 20000 && mismatches < 5; step++) {
		struct mkey k = random_key(), kn, bn;
		uint32_t r = rnd() % 10, v = rnd(), kout = 0, bout = 0;
		uint64_t flags = random_flags();
		int kr, br;

		if (r < 4) {
			kr = kelem(BPF_MAP_UPDATE_ELEM, kfd, &k, &v, flags);
			br = bpfhost_map_update_elem(fd, &k, &v, flags);
		} else if (r < 7) {
			kr = kelem(BPF_MAP_DELETE_ELEM, kfd, &k, NULL, 0);
			br = bpfhost_map_delete_elem(fd, &k);
		} else if (r < 9) {
			kr = kelem(BPF_MAP_LOOKUP_ELEM, kfd, &k, &kout, 0);
			br = bpfhost_map_lookup_elem(fd, &k, &bout);
			if (kout != bout) {
				mismatches++;
				ASSERT_EQ(bout, kout, "looked-up value as the kernel's");
			}
		} else {
			bool from_key = rnd() & 1;

			memset(&kn, 0, sizeof(kn));
			memset(&bn, 0, sizeof(bn));
			kr = kelem(BPF_MAP_GET_NEXT_KEY, kfd, from_key ? &k : NULL, &kn, 0);
			br = bpfhost_map_get_next_key(fd, from_key ? &k : NULL, &bn);
			if (memcmp(&kn, &bn, sizeof(kn))) {
				mismatches++;
				ASSERT_EQ(bn.plen, kn.plen, "next key as the kernel's");
			}
		}
		if (kr != br) {
			mismatches++;
			ASSERT_EQ(br, kr, "result as the kernel's");
		}
		if (step % 1000 == 0) {
			/* Whole iteration, step by step. */
			struct mkey kp, bp;
			int ke = kelem(BPF_MAP_GET_NEXT_KEY, kfd, NULL, &kn, 0);
			int be = bpfhost_map_get_next_key(fd, NULL, &bn);

			while (!ke && !be && !memcmp(&kn, &bn, sizeof(kn))) {
				kp = kn;
				bp = bn;
				ke = kelem(BPF_MAP_GET_NEXT_KEY, kfd, &kp, &kn, 0);
				be = bpfhost_map_get_next_key(fd, &bp, &bn);
			}
			if (ke != be || ke != -ENOENT) {
				mismatches++;
				ASSERT_EQ(be, ke, "full iteration as the kernel's");
			}
		}
	}
	ASSERT_EQ(mismatches, 0, "bpfhost agrees with the kernel");
	close(kfd);
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(create_checks),
		TEST(ipv4_overlapping),
		TEST(exact_update_delete),
		TEST(longest_match_after_deletes),
		TEST(ipv6_keys),
		TEST(widest_and_narrowest_keys),
		TEST(limits),
		TEST(iteration_order),
		TEST(batches),
		TEST(program_side),
		TEST(fault_injection),
		TEST(random_vs_model),
		TEST(against_kernel),
	};
	return test_run("lpm_trie", cases, ARRAY_SIZE(cases));
}
