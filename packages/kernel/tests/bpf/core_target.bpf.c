// SPDX-License-Identifier: MIT
/*
 * Not a program: its BTF is the CO-RE target of core_fields.bpf.c (passed
 * as btf_custom_path, an ELF with a .BTF section). Globals make clang emit
 * the types of core_types.h.
 */
#include "core_types.h"

struct bh_pkt bh_target_pkt;
enum bh_color bh_target_color;
struct bh_ambig___v1 bh_target_a1;
struct bh_ambig___v2 bh_target_a2;
struct bh_same___v1 bh_target_s1;
struct bh_same___v2 bh_target_s2;
