// SPDX-License-Identifier: MIT
/*
 * CO-RE at prepare: every `.BTF.ext` relocation record of the code that
 * will load (entry programs with autoload on, `.text` functions) is resolved
 * (core_relo.c) against the target BTF and written into the section's
 * instructions before programs are linked, as libbpf does. The target is
 * the BTF file of the btf_custom_path open option alone; or else bpfhost's
 * own BTF of the UAPI types its program types provide (core_btf_blob.c),
 * then the BTF each loaded extension gives for its program types (looked at
 * only when the first has no candidate, as libbpf goes from vmlinux to
 * module BTF).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_btf.h"
#include "core_relo.h"
#include "object_internal.h"

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n;
	uint8_t *b = NULL, *nb;

	*len = 0;
	if (!f)
		return -errno;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		n = fread(b + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	if (ferror(f)) {
		free(b);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*buf = b;
	return 0;
}

/* A BTF file: raw BTF, or an ELF whose `.BTF` section is read (as libbpf's btf__parse). */
static struct bpfhost_btf *load_custom_btf(const struct bpfhost_object *obj, const char *path)
{
	struct bpfhost_btf *btf = NULL;
	char what[320];
	uint8_t *buf = NULL;
	size_t len;
	int err = read_file(path, &buf, &len);

	if (err) {
		obj_err(err, "object '%s': btf_custom_path '%s': cannot read it: %s", obj->name, path,
			strerror(-err));
		return NULL;
	}
	snprintf(what, sizeof(what), "object '%s': btf_custom_path '%s'", obj->name, path);
	if (len >= 4 && !memcmp(buf, "\177ELF", 4)) {
		struct elf_file elf;
		const struct elf_section *s;

		err = elf_open(&elf, path, buf, len);
		if (err) {
			free(buf);
			lib_err(err);
			return NULL;
		}
		s = elf_find_section(&elf, ".BTF");
		if (s && s->data)
			btf = btf_parse(s->data, s->size, what);
		else
			obj_err(-EINVAL, "%s: an ELF file without a .BTF section", what);
		elf_close(&elf);
	} else {
		btf = btf_parse(buf, len, what);
	}
	free(buf);
	return btf;
}

/* The function of section @sec holding instruction @idx, or NULL (code of no function). */
static struct bpfhost_program *owner_of(const struct bpfhost_object *obj, uint32_t sec, uint32_t idx)
{
	for (uint32_t i = 0; i < obj->prog_cnt + obj->subprog_cnt; i++) {
		struct bpfhost_program *p = &obj->progs[i];

		if (p->sec_idx == sec && idx >= p->sec_insn_off && idx < p->sec_insn_off + p->sec_insn_cnt)
			return p;
	}
	return NULL;
}

static int relocate_one(struct bpfhost_object *obj, const struct core_targets *targets,
			const struct obj_ext_sec *es, uint32_t ri, const struct core_relo_rec *rec)
{
	struct obj_section *s = &obj->secs[es->sec_idx];
	uint32_t idx = rec->insn_off / BPF_INSN_SZ;
	struct bpfhost_program *p = owner_of(obj, es->sec_idx, idx);
	char why[256], desc[256];
	struct core_result res;
	uint32_t rel, left;
	int err;

	/* Code outside any function, or a program that will not load: libbpf skips these too. */
	if (!p || (!p->is_subprog && !p->autoload))
		return 0;
	rel = idx - p->sec_insn_off;
	left = p->sec_insn_cnt - rel;
	core_relo_describe(obj->btf, rec, desc, sizeof(desc));
	err = core_relo_resolve(obj->btf, rec, targets, &res, why, sizeof(why));
	if (!err)
		err = core_relo_patch(&s->insns[idx], left, &res, why, sizeof(why));
	if (err)
		return obj_err(err, "object '%s': program '%s': CO-RE relocation #%u of section '%s' (%s) at insn %u: %s",
			       obj->name, p->name, ri, s->elf->name, desc, rel, why);
	if (s->insns[idx].code == (BPF_JMP | BPF_CALL) &&
	    s->insns[idx].imm == (int32_t)BPFHOST_POISON_HELPER_ID)
		bh_log(BPFHOST_INFO, "object '%s': program '%s': CO-RE relocation #%u (%s) at insn %u: %s; "
		       "the instruction is poisoned: the program fails if it reaches it\n", obj->name,
		       p->name, ri, desc, rel,
		       res.poison ? "no type of the target BTF matches" :
		       "the target field has another size or signedness than the load");
	return 0;
}

/* The @index-th extension program type's BTF, parsed; NULL at the end (or skipped: *@more). */
static struct bpfhost_btf *extension_btf(uint32_t index, bool *more)
{
	union bpf_attr attr;
	struct bpfhost_btf *btf = NULL;
	char what[96];
	uint8_t *buf;

	memset(&attr, 0, sizeof(attr));
	attr.type_btf.index = index;
	*more = !lib_sys(BPFHOST_PROG_TYPE_BTF, &attr);
	if (!*more || !attr.type_btf.btf_size)
		return NULL;
	buf = malloc(attr.type_btf.btf_size);
	if (!buf)
		return NULL;
	attr.type_btf.buf = (uint64_t)(uintptr_t)buf;
	attr.type_btf.buf_size = attr.type_btf.btf_size;
	snprintf(what, sizeof(what), "the BTF of extension program type %u", attr.type_btf.prog_type);
	if (!lib_sys(BPFHOST_PROG_TYPE_BTF, &attr))
		btf = btf_parse(buf, attr.type_btf.btf_size, what);
	if (!btf)	/* an extension's bad BTF must not stop other objects: said, and left out */
		bh_log(BPFHOST_WARN, "CO-RE: %s is left out: %s\n", what, bpfhost_last_error());
	free(buf);
	return btf;
}

#define CORE_MAX_TARGETS 64

int obj_core_relocate(struct bpfhost_object *obj)
{
	struct bpfhost_btf *list[CORE_MAX_TARGETS];
	struct core_targets targets = { .btfs = (const struct bpfhost_btf *const *)list };
	bool more = true;
	int err = 0;

	if (!obj->ext_core.sec_cnt)
		return 0;
	if (obj->btf_custom_path)
		list[0] = load_custom_btf(obj, obj->btf_custom_path);
	else
		list[0] = btf_parse(bh_core_btf_blob, bh_core_btf_blob_size, "bpfhost's built-in CO-RE BTF");
	if (!list[0])
		return -errno;
	targets.cnt = 1;
	for (uint32_t i = 0; !obj->btf_custom_path && more && targets.cnt < CORE_MAX_TARGETS; i++) {
		struct bpfhost_btf *b = extension_btf(i, &more);

		if (b)
			list[targets.cnt++] = b;
	}
	for (uint32_t si = 0; !err && si < obj->ext_core.sec_cnt; si++) {
		const struct obj_ext_sec *es = &obj->ext_core.secs[si];

		for (uint32_t i = 0; !err && i < es->cnt; i++) {
			struct core_relo_rec rec;

			memcpy(&rec, es->recs + (size_t)i * obj->ext_core.rec_size, sizeof(rec));
			err = relocate_one(obj, &targets, es, i, &rec);
		}
	}
	for (uint32_t i = 0; i < targets.cnt; i++)
		bpfhost_btf__free(list[i]);
	return err;
}
