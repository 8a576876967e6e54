// SPDX-License-Identifier: MIT
/*
 * Disassembler to the bpf_conformance text syntax (see bpfhost/asm.h). It
 * accepts only valid encodings (RFC 9669: known opcodes, reserved fields
 * zero), which is what makes its text reassemble to the same bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"
#include "insn_names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NO_INDEX SIZE_MAX

/* snprintf-style output: counts everything, writes what fits. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* Jump targets that get a label (NULL: print every target relative). */
struct labels {
	const bool *at;		/* at[slot], slot 0..cnt */
	size_t cnt;
};

static int bad(size_t idx, const struct bpf_insn *insn, const char *what)
{
	errno = EINVAL;
	if (idx == NO_INDEX)
		return bpfhost_set_last_error(-EINVAL, "disasm: instruction with opcode 0x%02x: %s",
					      insn->code, what);
	return bpfhost_set_last_error(-EINVAL, "disasm: instruction %zu (opcode 0x%02x): %s", idx,
				      insn->code, what);
}

static bool atomic_imm_valid(int32_t imm)
{
	for (size_t i = 0; i < ARRAY_SIZE(insn_atomic_names); i++) {
		const struct insn_atomic_name *a = &insn_atomic_names[i];

		if (imm == a->imm || (a->fetch_optional && imm == (a->imm | BPF_FETCH)))
			return true;
	}
	return false;
}

static const char *check_alu(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;

	if (op == BPF_END) {
		if (cls == BPF_ALU64 && x)
			return "unknown opcode";
		if (in->src_reg || in->off)
			return "reserved src_reg/off not zero";
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return "byte swap width not 16, 32 or 64";
		return NULL;
	}
	if (op == BPF_NEG) {
		if (x)
			return "unknown opcode";
		if (in->src_reg || in->off || in->imm)
			return "reserved src_reg/off/imm not zero";
		return NULL;
	}
	if (op > BPF_END)
		return "unknown opcode";
	if (in->off) {
		bool signed_op = (op == BPF_DIV || op == BPF_MOD) && in->off == 1;
		bool movsx = op == BPF_MOV && x &&
			     (in->off == 8 || in->off == 16 || (in->off == 32 && cls == BPF_ALU64));

		if (!signed_op && !movsx)
			return "offset not valid for this operation";
	}
	if (x ? in->imm != 0 : in->src_reg != 0)
		return x ? "reserved imm not zero" : "reserved src_reg not zero";
	return NULL;
}

static const char *check_jmp(const struct bpf_insn *in)
{
	bool jmp32 = BPF_CLASS(in->code) == BPF_JMP32, x = BPF_SRC(in->code) == BPF_X;
	uint8_t op = BPF_OP(in->code);

	switch (op) {
	case BPF_JA:
		if (x)
			return "unknown opcode";
		if (in->dst_reg || in->src_reg || (jmp32 ? in->off : in->imm))
			return "reserved field not zero";
		return NULL;
	case BPF_CALL:
		if (jmp32)
			return "unknown opcode";
		if (x)
			return in->src_reg || in->off || in->imm ? "reserved field not zero" : NULL;
		if (in->dst_reg || in->off)
			return "reserved dst_reg/off not zero";
		if (in->src_reg > BPF_PSEUDO_KFUNC_CALL)
			return "unknown call kind (src_reg)";
		return NULL;
	case BPF_EXIT:
		if (jmp32 || x)
			return "unknown opcode";
		if (in->dst_reg || in->src_reg || in->off || in->imm)
			return "reserved field not zero";
		return NULL;
	default:
		if (op > BPF_JSLE)
			return "unknown opcode";
		if (x ? in->imm != 0 : in->src_reg != 0)
			return x ? "reserved imm not zero" : "reserved src_reg not zero";
		return NULL;
	}
}

static const char *check_mem(const struct bpf_insn *in, size_t remaining)
{
	uint8_t cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code), size = BPF_SIZE(in->code);

	switch (cls) {
	case BPF_LD:
		if (in->code == BPF_LDDW) {
			const struct bpf_insn *next = in + 1;

			if (remaining < 2)
				return "lddw without its second slot";
			if (in->off || in->src_reg >= ARRAY_SIZE(insn_lddw_kinds))
				return "reserved off not zero or unknown lddw kind (src_reg)";
			if (next->code || next->dst_reg || next->src_reg || next->off)
				return "lddw second slot has non-zero fields besides imm";
			return NULL;
		}
		if ((mode != BPF_ABS && mode != BPF_IND) || size == BPF_DW)
			return "unknown opcode";
		if (in->dst_reg || in->off || (mode == BPF_ABS && in->src_reg))
			return "reserved field not zero";
		return NULL;
	case BPF_LDX:
		if (mode != BPF_MEM && !(mode == BPF_MEMSX && size != BPF_DW))
			return "unknown opcode";
		return in->imm ? "reserved imm not zero" : NULL;
	case BPF_ST:
		if (mode != BPF_MEM)
			return "unknown opcode";
		return in->src_reg ? "reserved src_reg not zero" : NULL;
	default: /* BPF_STX */
		if (mode == BPF_MEM)
			return in->imm ? "reserved imm not zero" : NULL;
		if (mode != BPF_ATOMIC || (size != BPF_W && size != BPF_DW))
			return "unknown opcode";
		return atomic_imm_valid(in->imm) ? NULL : "unknown atomic operation (imm)";
	}
}

/* NULL when @in is a valid encoding, else what is wrong. */
static const char *check_insn(const struct bpf_insn *in, size_t remaining)
{
	if (in->dst_reg > BPF_REG_10 || in->src_reg > BPF_REG_10)
		return "register above r10";
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu(in);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(in);
	default:
		return check_mem(in, remaining);
	}
}

/* Small immediates in decimal, large ones as their 32 bits in hex. */
static void out_imm(struct out *o, int32_t v)
{
	if (v >= -65536 && v <= 65536)
		out(o, "%d", v);
	else
		out(o, "0x%x", (uint32_t)v);
}

static void out_mem(struct out *o, uint8_t reg, int16_t off)
{
	out(o, "[%%r%u%c%d]", reg, off < 0 ? '-' : '+', off < 0 ? -(int)off : off);
}

/*
 * The slot a jump or local call at @idx lands on, if it is one. ja32 and
 * call local carry the distance in imm, the others in off.
 */
static bool jump_target(const struct bpf_insn *in, size_t idx, long long *target)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	long long delta;

	if (cls == BPF_JMP32 && op == BPF_JA)
		delta = in->imm;
	else if (cls == BPF_JMP && op == BPF_CALL && BPF_SRC(in->code) == BPF_K &&
		 in->src_reg == BPF_PSEUDO_CALL)
		delta = in->imm;
	else if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT)
		delta = in->off;
	else
		return false;
	*target = (long long)idx + 1 + delta;
	return true;
}

static void out_target(struct out *o, const struct bpf_insn *in, size_t idx,
		       const struct labels *lb)
{
	long long t = 0;

	jump_target(in, idx, &t);
	if (lb && t >= 0 && (size_t)t <= lb->cnt && lb->at[t])
		out(o, "L%lld", t);
	else
		out(o, "%+lld", t - (long long)idx - 1);
}

static void out_alu(struct out *o, const struct bpf_insn *in)
{
	bool alu32 = BPF_CLASS(in->code) == BPF_ALU;
	uint8_t op = BPF_OP(in->code);
	const char *w = alu32 ? "32" : "";

	if (op == BPF_END) {
		const char *kind = !alu32 ? "bswap" : BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le";

		out(o, "%s%d %%r%u", kind, in->imm, in->dst_reg);
		return;
	}
	if (op == BPF_NEG) {
		out(o, "neg%s %%r%u", w, in->dst_reg);
		return;
	}
	if (op == BPF_MOV && in->off) {
		out(o, "movsx%d%s %%r%u, %%r%u", in->off, alu32 ? "32" : "64", in->dst_reg,
		    in->src_reg);
		return;
	}
	if (in->off)	/* off 1 on div/mod (checked) */
		out(o, "%s%s", op == BPF_DIV ? INSN_SDIV_NAME : INSN_SMOD_NAME, w);
	else
		out(o, "%s%s", insn_alu_names[op >> 4], w);
	out(o, " %%r%u, ", in->dst_reg);
	if (BPF_SRC(in->code) == BPF_X)
		out(o, "%%r%u", in->src_reg);
	else
		out_imm(o, in->imm);
}

static void out_jmp(struct out *o, const struct bpf_insn *in, size_t idx, const struct labels *lb)
{
	bool jmp32 = BPF_CLASS(in->code) == BPF_JMP32;
	uint8_t op = BPF_OP(in->code);

	switch (op) {
	case BPF_JA:
		out(o, "%s ", jmp32 ? "ja32" : "ja");
		out_target(o, in, idx, lb);
		return;
	case BPF_EXIT:
		out(o, "exit");
		return;
	case BPF_CALL:
		if (BPF_SRC(in->code) == BPF_X) {
			out(o, "call %%r%u", in->dst_reg);
		} else if (in->src_reg == BPF_PSEUDO_CALL) {
			out(o, "call %s ", INSN_CALL_LOCAL_NAME);
			out_target(o, in, idx, lb);
		} else {
			out(o, "call %s%s", in->src_reg ? INSN_CALL_KFUNC_NAME : "",
			    in->src_reg ? " " : "");
			out_imm(o, in->imm);
		}
		return;
	default:
		out(o, "%s%s %%r%u, ", insn_jmp_names[op >> 4], jmp32 ? "32" : "", in->dst_reg);
		if (BPF_SRC(in->code) == BPF_X)
			out(o, "%%r%u", in->src_reg);
		else
			out_imm(o, in->imm);
		out(o, ", ");
		out_target(o, in, idx, lb);
	}
}

static void out_mem_insn(struct out *o, const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code);
	const char *sz = insn_size_names[BPF_SIZE(in->code) >> 3];

	switch (cls) {
	case BPF_LD:
		if (in->code == BPF_LDDW) {
			uint32_t lo = (uint32_t)in[0].imm, hi = (uint32_t)in[1].imm;

			out(o, "lddw %%r%u, ", in->dst_reg);
			if (!in->src_reg) {
				out(o, "0x%llx", (unsigned long long)hi << 32 | lo);
				return;
			}
			out(o, "%s ", insn_lddw_kinds[in->src_reg]);
			out_imm(o, in[0].imm);
			if (hi) {
				out(o, ", ");
				out_imm(o, in[1].imm);
			}
		} else if (mode == BPF_ABS) {
			out(o, "ldabs%s ", sz);
			out_imm(o, in->imm);
		} else {
			out(o, "ldind%s %%r%u, ", sz, in->src_reg);
			out_imm(o, in->imm);
		}
		return;
	case BPF_LDX:
		out(o, "ldx%s%s %%r%u, ", mode == BPF_MEMSX ? "s" : "", sz, in->dst_reg);
		out_mem(o, in->src_reg, in->off);
		return;
	case BPF_ST:
		out(o, "st%s ", sz);
		out_mem(o, in->dst_reg, in->off);
		out(o, ", ");
		out_imm(o, in->imm);
		return;
	default:
		if (mode == BPF_MEM) {
			out(o, "stx%s ", sz);
		} else {
			const char *w = BPF_SIZE(in->code) == BPF_W ? "32" : "";

			for (size_t i = 0; i < ARRAY_SIZE(insn_atomic_names); i++) {
				const struct insn_atomic_name *a = &insn_atomic_names[i];

				if (in->imm == a->imm)
					out(o, "lock %s%s ", a->name, w);
				else if (a->fetch_optional && in->imm == (a->imm | BPF_FETCH))
					out(o, "lock fetch %s%s ", a->name, w);
			}
		}
		out_mem(o, in->dst_reg, in->off);
		out(o, ", %%r%u", in->src_reg);
	}
}

/* One instruction at slot @idx (NO_INDEX: unknown) into @o; 0 or -EINVAL. */
static int disasm_one(const struct bpf_insn *in, size_t idx, size_t remaining,
		      const struct labels *lb, struct out *o)
{
	const char *why = check_insn(in, remaining);

	if (why)
		return bad(idx, in, why);
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		out_alu(o, in);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		out_jmp(o, in, idx == NO_INDEX ? 0 : idx, lb);
		break;
	default:
		out_mem_insn(o, in);
	}
	return 0;
}

static int finish(struct out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
	if (o->len > INT32_MAX)
		return bpfhost_set_last_error(-E2BIG, "disasm: text longer than 2 GiB");
	return (int)o->len;
}

int bpfhost_disasm_insn(const struct bpf_insn *insn, size_t remaining, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	int err;

	if (!insn || !remaining) {
		errno = EINVAL;
		return bpfhost_set_last_error(-EINVAL, "disasm: no instruction");
	}
	err = disasm_one(insn, NO_INDEX, remaining, NULL, &o);
	return err ? err : finish(&o);
}

/* Marks the slots that jumps land on and that start an instruction. */
static int find_labels(const struct bpf_insn *insns, size_t cnt, bool *at)
{
	bool *start = calloc(cnt + 1, sizeof(*start)), *wanted = calloc(cnt + 1, sizeof(*wanted));
	struct out null_out = { 0 };
	int err = 0;

	if (!start || !wanted) {
		err = bpfhost_set_last_error(-ENOMEM, "disasm: out of memory for %zu labels", cnt);
		goto out;
	}
	start[cnt] = true;
	for (size_t i = 0; i < cnt && !err; i += bpfhost_insn_slots(&insns[i])) {
		long long t;

		start[i] = true;
		err = disasm_one(&insns[i], i, cnt - i, NULL, &null_out);
		if (!err && jump_target(&insns[i], i, &t) && t >= 0 && (size_t)t <= cnt)
			wanted[t] = true;
	}
	for (size_t i = 0; i <= cnt; i++)
		at[i] = start[i] && wanted[i];
out:
	free(start);
	free(wanted);
	return err;
}

int bpfhost_disasm(const struct bpf_insn *insns, size_t insn_cnt, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	struct labels lb = { .cnt = insn_cnt };
	bool *at;
	int err;

	if (!insns && insn_cnt) {
		errno = EINVAL;
		return bpfhost_set_last_error(-EINVAL, "disasm: NULL instructions");
	}
	at = calloc(insn_cnt + 1, sizeof(*at));
	if (!at) {
		errno = ENOMEM;
		return bpfhost_set_last_error(-ENOMEM, "disasm: out of memory for %zu labels",
					      insn_cnt);
	}
	err = find_labels(insns, insn_cnt, at);
	lb.at = at;
	for (size_t i = 0; i < insn_cnt && !err; i += bpfhost_insn_slots(&insns[i])) {
		if (at[i])
			out(&o, "L%zu:\n", i);
		err = disasm_one(&insns[i], i, insn_cnt - i, &lb, &o);
		out(&o, "\n");
	}
	if (!err && at[insn_cnt])
		out(&o, "L%zu:\n", insn_cnt);
	free(at);
	if (err) {
		errno = -err;
		return err;
	}
	return finish(&o);
}
