// SPDX-License-Identifier: MIT
/*
 * The types bpfhost's built-in program types give programs, as Linux's UAPI
 * declares them (<linux/bpf.h> of linux-libc-dev): the CO-RE target BTF when
 * an object is opened without btf_custom_path. gen_core_btf.cmake compiles
 * this with clang -g and writes the `.BTF` section into
 * src/lib/core_btf_blob.c (committed, so building needs no clang); the
 * core_btf_blob_current test regenerates it and compares.
 *
 * One global per type makes clang emit it; nothing here is code.
 */
#include <linux/bpf.h>

struct __sk_buff *bh_core_skb;
struct xdp_md *bh_core_xdp_md;
struct bpf_sock *bh_core_sock;
struct bpf_flow_keys *bh_core_flow_keys;
struct bpf_sock_tuple *bh_core_sock_tuple;
struct bpf_xdp_sock *bh_core_xdp_sock;
struct bpf_tunnel_key *bh_core_tunnel_key;
struct bpf_fib_lookup *bh_core_fib_lookup;
enum xdp_action bh_core_xdp_action;
enum bpf_adj_room_mode bh_core_adj_room_mode;
enum bpf_hdr_start_off bh_core_hdr_start_off;
