/* SPDX-License-Identifier: MIT */
/*
 * Minimal CO-RE macros over clang's builtins (bpfhost's own, for the tests):
 * each builtin leaves a `.BTF.ext` relocation record of the kind named.
 */
#ifndef BPFHOST_TEST_CORE_DEFS_H
#define BPFHOST_TEST_CORE_DEFS_H

/* Kinds of __builtin_preserve_field_info. */
#define BH_FIELD_OFFSET 0
#define BH_FIELD_SIZE 1
#define BH_FIELD_EXISTS 2
#define BH_FIELD_SIGNED 3
#define BH_FIELD_LSHIFT 4
#define BH_FIELD_RSHIFT 5

#define bh_field(expr, kind) __builtin_preserve_field_info(expr, kind)
/* A type, as the builtins take it: an lvalue of it. */
#define bh_type_of(T) (*(typeof(T) *)0)
#define bh_type_exists(T) __builtin_preserve_type_info(bh_type_of(T), 0)
#define bh_type_size(T) __builtin_preserve_type_info(bh_type_of(T), 1)
#define bh_type_matches(T) __builtin_preserve_type_info(bh_type_of(T), 2)
#define bh_type_id_local(T) __builtin_btf_type_id(bh_type_of(T), 0)
#define bh_type_id_target(T) __builtin_btf_type_id(bh_type_of(T), 1)
#define bh_enum_exists(E, V) __builtin_preserve_enum_value(*(typeof(E) *)V, 0)
#define bh_enum_value(E, V) __builtin_preserve_enum_value(*(typeof(E) *)V, 1)

/* A bitfield read through its relocated offset, size and shifts. */
#define bh_bitfield(s, f)                                                                  \
	({                                                                                 \
		const unsigned char *at_ = (const unsigned char *)(s) +                    \
					   bh_field((s)->f, BH_FIELD_OFFSET);              \
		unsigned long long v_ = 0;                                                 \
		unsigned int sz_ = bh_field((s)->f, BH_FIELD_SIZE);                        \
		if (sz_ == 1)                                                              \
			v_ = *(const unsigned char *)at_;                                  \
		else if (sz_ == 2)                                                         \
			v_ = *(const unsigned short *)at_;                                 \
		else if (sz_ == 4)                                                         \
			v_ = *(const unsigned int *)at_;                                   \
		else                                                                       \
			v_ = *(const unsigned long long *)at_;                             \
		v_ <<= bh_field((s)->f, BH_FIELD_LSHIFT);                                  \
		v_ = bh_field((s)->f, BH_FIELD_SIGNED) ?                                   \
			     (unsigned long long)((long long)v_ >> bh_field((s)->f, BH_FIELD_RSHIFT)) : \
			     v_ >> bh_field((s)->f, BH_FIELD_RSHIFT);                      \
		v_;                                                                        \
	})

#endif /* BPFHOST_TEST_CORE_DEFS_H */
