// SPDX-License-Identifier: MIT
/*
 * Source information of a program: BPF_PROG_LOAD's func_info and line_info
 * (Linux's records) and the string section they name (btf_strs, bpfhost's
 * stand-in for the BTF of prog_btf_fd). Checked as Linux checks them, kept
 * with the program, and used to name the C file and line of an instruction
 * in run-time faults (and, for the verifier, in its refusals).
 */
#include "prog_internal.h"

#define REC_SIZE_MAX 256u		/* a newer writer's longer records, within reason */
#define STRS_SIZE_MAX (16u << 20)

struct bh_src_info {
	struct bpf_func_info *func;
	uint32_t func_cnt;
	struct bpf_line_info *line;
	uint32_t line_cnt;
	struct bpf_core_relo *relo;	/* poisoned relocations, insn_off in bytes */
	uint32_t relo_cnt;
	char *strs;
	uint32_t strs_size;
};

static bool is_lddw(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/*
 * Function starts as Linux's verifier finds them: instruction 0 and every
 * target of a bpf-to-bpf call or a function address. Targets out of range
 * are the structural check's to refuse; here they are skipped. Fills two
 * bitmaps of @len bits: the starts and the second halves of lddw.
 */
static void function_starts(const struct bpf_insn *insns, uint32_t len, uint8_t *starts,
			    uint8_t *halves)
{
	starts[0] = 1;
	for (uint32_t i = 0; i < len; i++) {
		const struct bpf_insn *insn = &insns[i];
		bool call = insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
		bool func = is_lddw(insn) && insn->src_reg == BPF_PSEUDO_FUNC;
		int64_t target = (int64_t)i + insn->imm + 1;

		if ((call || func) && target >= 0 && target < len)
			starts[target / 8] |= (uint8_t)(1u << (target % 8));
		if (is_lddw(insn) && ++i < len)
			halves[i / 8] |= (uint8_t)(1u << (i % 8));
	}
}

static bool bit(const uint8_t *map, uint32_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

static bool tail_is_zero(const uint8_t *rec, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		if (rec[i])
			return false;
	return true;
}

/* Record size and count: Linux's rules (a multiple of 4, at least the known record). */
static int check_shape(const char *name, const char *what, uint32_t rec_size, uint32_t min,
		       uint32_t cnt, uint64_t ptr, uint32_t len)
{
	if (!cnt)
		return 0;	/* as Linux: no records, whatever the pointer and size say */
	if (!ptr)
		return bh_err(-EFAULT, "program '%s': %s is NULL with a count of %u", name, what, cnt);
	if (rec_size < min || rec_size > REC_SIZE_MAX || rec_size % 4)
		return bh_err(-EINVAL, "program '%s': %s record size %u is not a multiple of 4 from %u "
			      "to %u", name, what, rec_size, min, REC_SIZE_MAX);
	if (cnt > len)
		return bh_err(-EINVAL, "program '%s': %u %s records for %u instructions", name, cnt,
			      what, len);
	return 0;
}

static int copy_func_info(const union bpf_attr *attr, const char *name, const uint8_t *starts,
			  struct bh_src_info *src)
{
	const uint8_t *rec = u64_to_ptr(attr->func_info);
	uint32_t nfuncs = 0, k = 0;

	for (uint32_t i = 0; i < attr->insn_cnt; i++)
		nfuncs += bit(starts, i);
	if (attr->func_info_cnt != nfuncs)
		return bh_err(-EINVAL, "program '%s': %u func_info records for %u functions (one per "
			      "function: the entry and each bpf-to-bpf call target)", name,
			      attr->func_info_cnt, nfuncs);
	for (uint32_t i = 0; i < attr->func_info_cnt; i++, rec += attr->func_info_rec_size) {
		struct bpf_func_info fi;

		plat_memcpy(&fi, rec, sizeof(fi));
		if (!tail_is_zero(rec, sizeof(fi), attr->func_info_rec_size))
			return bh_err(-E2BIG, "program '%s': func_info[%u] has non-zero bytes past the %zu "
				      "this version knows", name, i, sizeof(fi));
		while (k < attr->insn_cnt && !bit(starts, k))
			k++;
		if (fi.insn_off != k)
			return bh_err(-EINVAL, "program '%s': func_info[%u].insn_off %u is not the start of "
				      "function %u (insn %u)", name, i, fi.insn_off, i, k);
		k++;
		src->func[i] = fi;
	}
	return 0;
}

static int copy_line_info(const union bpf_attr *attr, const char *name, const uint8_t *starts,
			  const uint8_t *halves, struct bh_src_info *src)
{
	const uint8_t *rec = u64_to_ptr(attr->line_info);

	for (uint32_t i = 0; i < attr->line_info_cnt; i++, rec += attr->line_info_rec_size) {
		struct bpf_line_info li;

		plat_memcpy(&li, rec, sizeof(li));
		if (!tail_is_zero(rec, sizeof(li), attr->line_info_rec_size))
			return bh_err(-E2BIG, "program '%s': line_info[%u] has non-zero bytes past the %zu "
				      "this version knows", name, i, sizeof(li));
		if ((i && li.insn_off <= src->line[i - 1].insn_off) || li.insn_off >= attr->insn_cnt)
			return bh_err(-EINVAL, "program '%s': line_info[%u].insn_off %u is not after the "
				      "previous record's (%u) and inside the %u instructions", name, i,
				      li.insn_off, i ? src->line[i - 1].insn_off : 0, attr->insn_cnt);
		if (bit(halves, li.insn_off))
			return bh_err(-EINVAL, "program '%s': line_info[%u].insn_off %u is the second half "
				      "of an lddw", name, i, li.insn_off);
		if (li.file_name_off >= src->strs_size || li.line_off >= src->strs_size)
			return bh_err(-EINVAL, "program '%s': line_info[%u]: file_name_off %u or line_off %u "
				      "is outside btf_strs (%u bytes)", name, i, li.file_name_off,
				      li.line_off, src->strs_size);
		src->line[i] = li;
	}
	/* Every function starts with a record, as Linux requires. */
	for (uint32_t f = 0, j = 0; f < attr->insn_cnt; f++) {
		if (!bit(starts, f))
			continue;
		while (j < src->line_cnt && src->line[j].insn_off < f)
			j++;
		if (j == src->line_cnt || src->line[j].insn_off != f)
			return bh_err(-EINVAL, "program '%s': no line_info record at the start of the "
				      "function at insn %u", name, f);
	}
	return 0;
}

static bool is_poison(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg &&
	       (uint32_t)insn->imm == BPFHOST_POISON_HELPER_ID;
}

#define CORE_KIND_MAX 12	/* BPF_CORE_TYPE_MATCHES */

/* Records of poisoned relocations: each on a poison call, its access string inside btf_strs. */
static int copy_core_relos(const union bpf_attr *attr, const char *name, struct bh_src_info *src)
{
	const struct bpf_insn *insns = u64_to_ptr(attr->insns);
	const uint8_t *rec = u64_to_ptr(attr->core_relos);

	for (uint32_t i = 0; i < attr->core_relo_cnt; i++, rec += attr->core_relo_rec_size) {
		struct bpf_core_relo r;

		plat_memcpy(&r, rec, sizeof(r));
		if (!tail_is_zero(rec, sizeof(r), attr->core_relo_rec_size))
			return bh_err(-E2BIG, "program '%s': core_relos[%u] has non-zero bytes past the %zu "
				      "this version knows", name, i, sizeof(r));
		if (r.insn_off % 8 || r.insn_off / 8 >= attr->insn_cnt || !is_poison(&insns[r.insn_off / 8]))
			return bh_err(-EINVAL, "program '%s': core_relos[%u] at byte %u is not on a poisoned "
				      "call: bpfhost does not apply CO-RE relocations in the core (its loader "
				      "does); records only name the ones it could not resolve", name, i,
				      r.insn_off);
		if (r.kind > CORE_KIND_MAX || r.access_str_off >= src->strs_size)
			return bh_err(-EINVAL, "program '%s': core_relos[%u]: kind %u or access string "
				      "offset %u is out of range", name, i, r.kind, r.access_str_off);
		src->relo[i] = r;
	}
	return 0;
}

static int check_strs(const union bpf_attr *attr, const char *name)
{
	const char *s = u64_to_ptr(attr->btf_strs);

	if (!attr->btf_strs_size)
		return attr->btf_strs ? bh_err(-EINVAL, "program '%s': btf_strs given with a size of 0",
					       name) : 0;
	if (!s)
		return bh_err(-EFAULT, "program '%s': btf_strs is NULL with a size of %u", name,
			      attr->btf_strs_size);
	if (attr->btf_strs_size > STRS_SIZE_MAX)
		return bh_err(-E2BIG, "program '%s': btf_strs of %u bytes is over %u", name,
			      attr->btf_strs_size, STRS_SIZE_MAX);
	if (s[0] || s[attr->btf_strs_size - 1])
		return bh_err(-EINVAL, "program '%s': btf_strs must start and end with NUL (a BTF "
			      "string section)", name);
	return 0;
}

int bh_prog_src_info_parse(const union bpf_attr *attr, struct bh_src_info **out)
{
	const struct bpf_insn *insns = u64_to_ptr(attr->insns);
	char name[BPF_OBJ_NAME_LEN + 1];	/* not yet checked to end in NUL */
	struct bh_src_info *src;
	uint8_t *starts;
	size_t size;
	int err;

	*out = NULL;
	plat_memcpy(name, attr->prog_name, BPF_OBJ_NAME_LEN);
	name[BPF_OBJ_NAME_LEN] = '\0';
	err = check_strs(attr, name);
	if (!err)
		err = check_shape(name, "func_info", attr->func_info_rec_size,
				  sizeof(struct bpf_func_info), attr->func_info_cnt, attr->func_info,
				  attr->insn_cnt);
	if (!err)
		err = check_shape(name, "line_info", attr->line_info_rec_size,
				  sizeof(struct bpf_line_info), attr->line_info_cnt, attr->line_info,
				  attr->insn_cnt);
	if (!err)
		err = check_shape(name, "core_relos", attr->core_relo_rec_size,
				  sizeof(struct bpf_core_relo), attr->core_relo_cnt, attr->core_relos,
				  attr->insn_cnt);
	if (err)
		return err;
	if (!attr->func_info_cnt && !attr->line_info_cnt && !attr->core_relo_cnt)
		return 0;	/* strings alone are of no use; not kept */
	if ((attr->line_info_cnt || attr->core_relo_cnt) && !attr->btf_strs_size)
		return bh_err(-EINVAL, "program '%s': %s needs the string section its offsets point "
			      "into (btf_strs; bpfhost takes it in place of prog_btf_fd)", name,
			      attr->line_info_cnt ? "line_info" : "core_relos");
	if (!insns || !attr->insn_cnt || attr->insn_cnt > BPFHOST_MAX_INSNS)
		return 0;	/* the loader refuses these with its own message */
	size = sizeof(*src) + sizeof(struct bpf_func_info) * attr->func_info_cnt +
	       sizeof(struct bpf_line_info) * attr->line_info_cnt +
	       sizeof(struct bpf_core_relo) * attr->core_relo_cnt + attr->btf_strs_size;
	src = plat_alloc(size);
	starts = plat_alloc((attr->insn_cnt / 8 + 1) * 2);
	if (!src || !starts) {
		plat_free(src);
		plat_free(starts);
		return bh_err(-ENOMEM, "program '%s': out of memory for its line info", name);
	}
	src->func = (struct bpf_func_info *)(src + 1);
	src->func_cnt = attr->func_info_cnt;
	src->line = (struct bpf_line_info *)(src->func + src->func_cnt);
	src->line_cnt = attr->line_info_cnt;
	src->relo = (struct bpf_core_relo *)(src->line + src->line_cnt);
	src->relo_cnt = attr->core_relo_cnt;
	src->strs = (char *)(src->relo + src->relo_cnt);
	src->strs_size = attr->btf_strs_size;
	if (src->strs_size)
		plat_memcpy(src->strs, u64_to_ptr(attr->btf_strs), src->strs_size);
	function_starts(insns, attr->insn_cnt, starts, starts + attr->insn_cnt / 8 + 1);
	err = src->func_cnt ? copy_func_info(attr, name, starts, src) : 0;
	if (!err && src->line_cnt)
		err = copy_line_info(attr, name, starts, starts + attr->insn_cnt / 8 + 1, src);
	if (!err && src->relo_cnt)
		err = copy_core_relos(attr, name, src);
	plat_free(starts);
	if (err) {
		plat_free(src);
		return err;
	}
	*out = src;
	return 0;
}

void bh_prog_src_info_free(struct bh_src_info *src)
{
	plat_free(src);
}

void bh_prog_set_src_info(struct bh_prog *prog, struct bh_src_info *src)
{
	struct bh_src_info *old = __atomic_exchange_n(&prog->src, src, __ATOMIC_ACQ_REL);

	/* Only a load sets it, once, before anyone can have read it. */
	bh_prog_src_info_free(old);
}

int bh_prog_source_line(const struct bh_prog *p, uint32_t insn, const char **file, uint32_t *line,
			const char **text)
{
	const struct bh_src_info *src = __atomic_load_n(&p->src, __ATOMIC_ACQUIRE);
	uint32_t lo = 0, hi;
	const struct bpf_line_info *li;

	if (!src || !src->line_cnt || insn >= p->len || insn < src->line[0].insn_off)
		return -ENOENT;
	/* The last record at or before @insn: it covers the instructions up to the next one. */
	hi = src->line_cnt;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (src->line[mid].insn_off <= insn)
			lo = mid;
		else
			hi = mid;
	}
	li = &src->line[lo];
	if (file)
		*file = src->strs + li->file_name_off;
	if (line)
		*line = li->line_col >> 10;	/* line << 10 | column */
	if (text)
		*text = src->strs + li->line_off;
	return 0;
}

int bh_prog_poison_note(const struct bh_prog *p, uint32_t insn, char *buf, size_t len)
{
	static const char *const kinds[CORE_KIND_MAX + 1] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
		"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
		"enumval_value", "type_matches",
	};
	const struct bh_src_info *src = __atomic_load_n(&p->src, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; src && i < src->relo_cnt; i++) {
		const struct bpf_core_relo *r = &src->relo[i];

		if (r->insn_off / 8 != insn)
			continue;
		plat_snprintf(buf, len, "CO-RE relocation %s of local type [%u], access \"%s\"",
			      kinds[r->kind], r->type_id, src->strs + r->access_str_off);
		return 0;
	}
	return -ENOENT;
}

int bh_prog_fault_source(const struct bh_prog *p, uint32_t insn, int err)
{
	const char *file, *text, *base;
	uint32_t line;

	if (bh_prog_source_line(p, insn, &file, &line, &text))
		return err;
	base = file;
	for (const char *c = file; *c; c++)
		if (*c == '/')
			base = c + 1;
	while (*text == ' ' || *text == '\t')
		text++;
	if (*text)
		return bh_err(err, "%s (at %s:%u: %s)", bpfhost_last_error(), base, line, text);
	return bh_err(err, "%s (at %s:%u)", bpfhost_last_error(), base, line);
}

void bh_prog_src_info_counts(const struct bh_prog *p, uint32_t *func_cnt, uint32_t *line_cnt,
			     const struct bpf_func_info **func, const struct bpf_line_info **line)
{
	const struct bh_src_info *src = __atomic_load_n(&p->src, __ATOMIC_ACQUIRE);

	*func_cnt = src ? src->func_cnt : 0;
	*line_cnt = src ? src->line_cnt : 0;
	*func = src ? src->func : NULL;
	*line = src ? src->line : NULL;
}

