// SPDX-License-Identifier: MIT
/*
 * __kconfig externs of every supported type (values from the kconfig open
 * option, LINUX_KERNEL_VERSION possibly from the running kernel, an absent
 * __weak one 0) and an absent __weak __ksym variable (0). `read_config`
 * copies each into the `out` array.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_NF_TABLES __kconfig;
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig;
extern unsigned long long CONFIG_BIG __kconfig;
extern __s8 CONFIG_NEG __kconfig;
extern char CONFIG_LETTER __kconfig;
extern int CONFIG_ABSENT_WEAK __kconfig __weak;
extern const int bpf_prog_active __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 10);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

static __always_inline void put(__u32 i, __u64 v)
{
	bpf_map_update_elem(&out, &i, &v, 0);
}

SEC("socket")
int read_config(struct __sk_buff *skb)
{
	__u64 host = 0;

	__builtin_memcpy(&host, CONFIG_DEFAULT_HOSTNAME, 8);
	put(0, LINUX_KERNEL_VERSION);
	put(1, CONFIG_HZ);
	put(2, CONFIG_BPF_SYSCALL);
	put(3, CONFIG_NF_TABLES);
	put(4, host);
	put(5, CONFIG_BIG);
	put(6, (__u64)(__s64)CONFIG_NEG);
	put(7, CONFIG_LETTER);
	put(8, CONFIG_ABSENT_WEAK);
	put(9, (__u64)(unsigned long)&bpf_prog_active);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
