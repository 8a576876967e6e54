// SPDX-License-Identifier: MIT
/*
 * `.BTF.ext`: func info, line info and CO-RE relocation records, per
 * executable section (Linux's encoding; offsets in bytes of the section).
 * Parsed and checked at open; at prepare each program gets the func and line
 * records of its own code and of every sub-program appended to it, with
 * instruction offsets moved to where the code now is, as libbpf does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object_internal.h"

#define BTF_EXT_MAGIC 0xeB9F
#define BTF_EXT_REC_MAX 256U

struct btf_ext_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	/* present when hdr_len >= 32 */
	uint32_t core_relo_off;
	uint32_t core_relo_len;
};

/* One table (func, line or CO-RE) of the section: [rec_size] then per section {name, count, records}. */
static int parse_info(struct bpfhost_object *obj, const uint8_t *body, uint32_t body_len,
		      uint32_t off, uint32_t len, uint32_t min_rec, const char *what,
		      struct obj_ext_info *out)
{
	const struct bpfhost_btf *btf = obj->btf;
	uint32_t pos, rec_size, n = 0;

	if (!len)
		return 0;
	if ((uint64_t)off + len > body_len || off % 4)
		return obj_err(-EINVAL, "object '%s': .BTF.ext: %s (offset %u, %u bytes) is outside the section or unaligned",
			       obj->name, what, off, len);
	if (len < 4)
		return obj_err(-EINVAL, "object '%s': .BTF.ext: %s has no record size", obj->name, what);
	memcpy(&rec_size, body + off, 4);
	if (rec_size < min_rec || rec_size > BTF_EXT_REC_MAX || rec_size % 4)
		return obj_err(-EINVAL, "object '%s': .BTF.ext: %s record size %u is not a multiple of 4 from %u to %u",
			       obj->name, what, rec_size, min_rec, BTF_EXT_REC_MAX);
	/* Count the section entries first, checking each fits. */
	for (pos = 4; pos < len;) {
		uint32_t hdr[2];

		if (len - pos < sizeof(hdr))
			return obj_err(-EINVAL, "object '%s': .BTF.ext: %s: section entry %u is truncated",
				       obj->name, what, n);
		memcpy(hdr, body + off + pos, sizeof(hdr));
		pos += sizeof(hdr);
		if (hdr[0] >= btf->str_len)
			return obj_err(-EINVAL, "object '%s': .BTF.ext: %s: section name offset %u is outside the BTF strings",
				       obj->name, what, hdr[0]);
		if (!hdr[1] || (uint64_t)hdr[1] * rec_size > len - pos)
			return obj_err(-EINVAL, "object '%s': .BTF.ext: %s of section '%s': %u records of %u bytes do not fit",
				       obj->name, what, btf->strs + hdr[0], hdr[1], rec_size);
		pos += hdr[1] * rec_size;
		n++;
	}
	out->rec_size = rec_size;
	out->secs = calloc(n ? n : 1, sizeof(*out->secs));
	if (!out->secs)
		return obj_err(-ENOMEM, "object '%s': no memory for .BTF.ext", obj->name);
	for (pos = 4; pos < len; out->sec_cnt++) {
		struct obj_ext_sec *es = &out->secs[out->sec_cnt];
		const struct elf_section *sec;
		uint32_t hdr[2];

		memcpy(hdr, body + off + pos, sizeof(hdr));
		pos += sizeof(hdr);
		es->recs = body + off + pos;
		es->cnt = hdr[1];
		pos += hdr[1] * rec_size;
		sec = elf_find_section(&obj->elf, btf->strs + hdr[0]);
		if (!sec)
			return obj_err(-EINVAL, "object '%s': .BTF.ext: %s names section '%s', which the object does not have",
				       obj->name, what, btf->strs + hdr[0]);
		es->sec_idx = sec->idx;
		for (uint32_t i = 0; i < es->cnt; i++) {
			uint32_t insn_off;

			memcpy(&insn_off, es->recs + (size_t)i * rec_size, 4);
			if (insn_off % BPF_INSN_SZ || insn_off / BPF_INSN_SZ >= obj->secs[sec->idx].insn_cnt)
				return obj_err(-EINVAL, "object '%s': .BTF.ext: %s record %u of section '%s': byte offset %u is not an instruction of it",
					       obj->name, what, i, sec->name, insn_off);
			if (out == &obj->ext_line) {
				uint32_t strs[2];	/* file_name_off, line_off */

				memcpy(strs, es->recs + (size_t)i * rec_size + 4, sizeof(strs));
				if (strs[0] >= btf->str_len || strs[1] >= btf->str_len)
					return obj_err(-EINVAL, "object '%s': .BTF.ext: line info record %u of section '%s': file or line string offset (%u, %u) is outside the BTF strings",
						       obj->name, i, sec->name, strs[0], strs[1]);
			}
		}
	}
	return 0;
}

int obj_load_btf_ext(struct bpfhost_object *obj)
{
	const struct elf_section *es = elf_find_section(&obj->elf, ".BTF.ext");
	struct btf_ext_header h;
	const uint8_t *body;
	uint32_t body_len;
	int err;

	if (!es || es->type != ELF_SHT_PROGBITS || !es->size)
		return 0;
	if (!obj->btf)
		return obj_err(-EINVAL, "object '%s': .BTF.ext without .BTF (its strings are in .BTF)",
			       obj->name);
	memset(&h, 0, sizeof(h));
	if (es->size < 24)
		return obj_err(-EINVAL, "object '%s': .BTF.ext of %llu bytes is shorter than its header",
			       obj->name, (unsigned long long)es->size);
	memcpy(&h, es->data, 24);
	if (h.magic != BTF_EXT_MAGIC || h.version != 1 || h.flags)
		return obj_err(-EINVAL, "object '%s': .BTF.ext: bad magic 0x%x, version %u or flags 0x%x",
			       obj->name, h.magic, h.version, h.flags);
	if (h.hdr_len < 24 || h.hdr_len > es->size)
		return obj_err(-EINVAL, "object '%s': .BTF.ext: header length %u is out of range",
			       obj->name, h.hdr_len);
	if (h.hdr_len >= 32)
		memcpy(&h.core_relo_off, es->data + 24, 8);
	body = es->data + h.hdr_len;
	body_len = (uint32_t)(es->size - h.hdr_len);
	err = parse_info(obj, body, body_len, h.func_info_off, h.func_info_len, 8, "func info",
			 &obj->ext_func);
	if (!err)
		err = parse_info(obj, body, body_len, h.line_info_off, h.line_info_len, 16, "line info",
				 &obj->ext_line);
	if (!err && h.hdr_len >= 32)
		err = parse_info(obj, body, body_len, h.core_relo_off, h.core_relo_len, 16,
				 "CO-RE relocations", &obj->ext_core);
	return err;
}

void obj_free_btf_ext(struct bpfhost_object *obj)
{
	free(obj->ext_func.secs);
	free(obj->ext_line.secs);
	free(obj->ext_core.secs);
}

/* Appends the records of @info for the instructions of @u, moved to their final offsets. */
static int collect(const struct obj_ext_info *info, const struct code_unit *u, uint8_t **buf,
		   uint32_t *cnt, uint32_t rec_size)
{
	const struct bpfhost_program *fn = u->fn;

	for (uint32_t s = 0; s < info->sec_cnt; s++) {
		const struct obj_ext_sec *es = &info->secs[s];

		if (es->sec_idx != fn->sec_idx)
			continue;
		for (uint32_t i = 0; i < es->cnt; i++) {
			const uint8_t *rec = es->recs + (size_t)i * info->rec_size;
			uint32_t insn_off, idx;
			uint8_t *nb;

			memcpy(&insn_off, rec, 4);
			idx = insn_off / BPF_INSN_SZ;
			if (idx < fn->sec_insn_off || idx >= fn->sec_insn_off + fn->sec_insn_cnt)
				continue;
			nb = realloc(*buf, (size_t)(*cnt + 1) * rec_size);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			/* Linux's record is the first rec_size bytes; the rest was checked zero-able. */
			memcpy(nb + (size_t)*cnt * rec_size, rec, rec_size);
			idx = u->final_off + idx - fn->sec_insn_off;
			memcpy(nb + (size_t)*cnt * rec_size, &idx, 4);
			(*cnt)++;
		}
	}
	return 0;
}

int bpfhost_program__source_line(const struct bpfhost_program *prog, uint32_t insn,
				 const char **file, uint32_t *line, uint32_t *col, const char **text)
{
	const uint8_t *rec = NULL;
	uint32_t v[4];

	if (!prog || !prog->line_info_cnt || insn >= prog->insn_cnt)
		return obj_err(-ENOENT, "program '%s': no line info for insn %u",
			       prog ? prog->name : "(null)", insn);
	/* The last record at or before @insn (records are in instruction order). */
	for (uint32_t i = 0; i < prog->line_info_cnt; i++) {
		memcpy(v, prog->line_info + (size_t)i * 16, sizeof(v));
		if (v[0] > insn)
			break;
		rec = prog->line_info + (size_t)i * 16;
	}
	if (!rec)
		return obj_err(-ENOENT, "program '%s': no line info for insn %u", prog->name, insn);
	memcpy(v, rec, sizeof(v));
	/* Offsets were checked against the strings when .BTF.ext was read. */
	if (file)
		*file = prog->obj->btf->strs + v[1];
	if (text)
		*text = prog->obj->btf->strs + v[2];
	if (line)
		*line = v[3] >> 10;
	if (col)
		*col = v[3] & 0x3ff;
	return 0;
}

/* Keeps the CO-RE records whose instruction was poisoned, insn_off in bytes as Linux's. */
static uint32_t keep_poisoned(uint8_t *relo, uint32_t n, const struct bpf_insn *insns)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t idx;

		memcpy(&idx, relo + (size_t)i * 16, 4);
		if (insns[idx].code != (BPF_JMP | BPF_CALL) ||
		    (uint32_t)insns[idx].imm != BPFHOST_POISON_HELPER_ID)
			continue;
		memmove(relo + (size_t)kept * 16, relo + (size_t)i * 16, 16);
		idx *= BPF_INSN_SZ;
		memcpy(relo + (size_t)kept++ * 16, &idx, 4);
	}
	return kept;
}

int obj_prog_collect_ext_info(struct bpfhost_object *obj, struct bpfhost_program *p,
			      const struct code_unit *units, uint32_t unit_cnt,
			      const struct bpf_insn *insns)
{
	uint8_t *func = NULL, *line = NULL, *relo = NULL;
	uint32_t nfunc = 0, nline = 0, nrelo = 0;
	int err = 0;

	for (uint32_t i = 0; !err && i < unit_cnt; i++) {
		err = collect(&obj->ext_func, &units[i], &func, &nfunc, 8);
		if (!err)
			err = collect(&obj->ext_line, &units[i], &line, &nline, 16);
		if (!err)
			err = collect(&obj->ext_core, &units[i], &relo, &nrelo, 16);
	}
	if (err) {
		free(func);
		free(line);
		free(relo);
		return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
	}
	free(p->func_info);
	free(p->line_info);
	free(p->core_relos);
	p->func_info = func;
	p->func_info_cnt = nfunc;
	p->line_info = line;
	p->line_info_cnt = nline;
	p->core_relos = relo;
	p->core_relo_cnt = relo ? keep_poisoned(relo, nrelo, insns) : 0;
	return 0;
}
