// SPDX-License-Identifier: MIT
/*
 * The verifier's log and its refusals. The log reads like Linux's
 * (`5: (61) r2 = *(u32 *)(r1 +76)`, states as `R1=ctx(off=0) R10=fp0`),
 * so people who know one can read the other; it is written into the
 * caller's buffer as it goes and cut, never overrun, when full. A refusal
 * is one sentence naming the program, the instruction and the rule; it is
 * both the call's error message and the log's last line.
 */
#include <stdarg.h>

#include "env.h"

static void vlog_va(struct bh_venv *env, const char *fmt, va_list ap)
{
	int n;

	if (!env->log || env->log_pos + 1 >= env->log_size) {
		env->log_truncated = env->log != NULL;
		return;
	}
	n = plat_vsnprintf(env->log + env->log_pos, env->log_size - env->log_pos, fmt, ap);
	if (n < 0)
		return;
	if ((uint32_t)n >= env->log_size - env->log_pos) {
		env->log_pos = env->log_size - 1;
		env->log_truncated = true;
	} else {
		env->log_pos += (uint32_t)n;
	}
}

void bh_vlog(struct bh_venv *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_va(env, fmt, ap);
	va_end(ap);
}

int bh_verr(struct bh_venv *env, int err, const char *fmt, ...)
{
	char why[480];
	va_list ap;

	va_start(ap, fmt);
	plat_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	bh_err(err, "program '%s': insn %u: %s", env->name, env->insn, why);
	/* " (at file.c:LINE: text)" when the object has line info (.BTF.ext). */
	return bh_prog_fault_source(env->prog, env->insn, err);
}

int bh_reg_init_err(struct bh_venv *env, unsigned r)
{
	if (r >= MAX_BPF_REG)
		return bh_verr(env, -EINVAL, "register r%u does not exist", r);
	if (bh_cur_reg(env, r)->kind == BH_REG_NOT_INIT)
		return bh_verr(env, -EACCES, "R%u is read before it is written on this path (set it first)",
			       r);
	return 0;
}

static const char *const alu_ops[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "end", "?", "?",
};
static const char *const jmp_ops[16] = {
	"goto", "==", ">", ">=", "&", "call", "exit", "!=", "s>", "s>=", "<", "<=", "s<", "s<=", "?", "?",
};
static const char *const sizes[4] = { "u32", "u16", "u8", "u64" };

static void log_alu(struct bh_venv *env, const struct bpf_insn *in)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	char r = is64 ? 'r' : 'w';
	uint8_t op = BPF_OP(in->code);

	if (op == BPF_NEG) {
		bh_vlog(env, "%c%u = -%c%u", r, in->dst_reg, r, in->dst_reg);
	} else if (op == BPF_END) {
		bh_vlog(env, "r%u = %s%d r%u", in->dst_reg,
			is64 ? "bswap" : (BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le"), in->imm, in->dst_reg);
	} else if (BPF_SRC(in->code) == BPF_X) {
		if (op == BPF_MOV && in->off)
			bh_vlog(env, "%c%u = (s%d)%c%u", r, in->dst_reg, in->off, r, in->src_reg);
		else
			bh_vlog(env, "%c%u %s %c%u", r, in->dst_reg, alu_ops[op >> 4], r, in->src_reg);
	} else {
		bh_vlog(env, "%c%u %s %d", r, in->dst_reg, alu_ops[op >> 4], in->imm);
	}
}

static void log_jmp(struct bh_venv *env, uint32_t i, const struct bpf_insn *in)
{
	uint8_t op = BPF_OP(in->code);
	char r = BPF_CLASS(in->code) == BPF_JMP32 ? 'w' : 'r';

	if (op == BPF_JA) {
		bh_vlog(env, "goto pc%+d", BPF_CLASS(in->code) == BPF_JMP32 ? in->imm : in->off);
	} else if (op == BPF_CALL) {
		if (in->src_reg == BPF_PSEUDO_CALL)
			bh_vlog(env, "call pc%+d", in->imm);
		else if (in->imm >= 0 && (uint32_t)in->imm < env->prog->helper_cnt)
			bh_vlog(env, "call %s#%u", env->prog->helpers[in->imm]->name,
				env->prog->helpers[in->imm]->id);
		else
			bh_vlog(env, "call #%d", in->imm);
	} else if (op == BPF_EXIT) {
		bh_vlog(env, "exit");
	} else if (BPF_SRC(in->code) == BPF_X) {
		bh_vlog(env, "if %c%u %s %c%u goto pc%+d", r, in->dst_reg, jmp_ops[op >> 4], r, in->src_reg,
			in->off);
	} else {
		bh_vlog(env, "if %c%u %s 0x%x goto pc%+d", r, in->dst_reg, jmp_ops[op >> 4], (uint32_t)in->imm,
			in->off);
	}
	(void)i;
}

static void log_mem(struct bh_venv *env, const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code);
	const char *sz = sizes[BPF_SIZE(in->code) >> 3];

	if (cls == BPF_LDX)
		bh_vlog(env, "r%u = *(%s%s *)(r%u %+d)", in->dst_reg, mode == BPF_MEMSX ? "s" : "",
			mode == BPF_MEMSX ? sz + 1 : sz, in->src_reg, in->off);
	else if (cls == BPF_ST)
		bh_vlog(env, "*(%s *)(r%u %+d) = %d", sz, in->dst_reg, in->off, in->imm);
	else if (mode == BPF_ATOMIC)
		bh_vlog(env, "atomic 0x%x *(%s *)(r%u %+d) r%u", (uint32_t)in->imm, sz, in->dst_reg, in->off,
			in->src_reg);
	else
		bh_vlog(env, "*(%s *)(r%u %+d) = r%u", sz, in->dst_reg, in->off, in->src_reg);
}

void bh_vlog_insn(struct bh_venv *env, uint32_t i)
{
	const struct bpf_insn *in = &env->insns[i];
	uint8_t cls = BPF_CLASS(in->code);

	bh_vlog(env, "%u: (%02x) ", i, in->code);
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		log_alu(env, in);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		log_jmp(env, i, in);
		break;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			struct bh_map *map = env->opts->lddw_map ? env->opts->lddw_map[i] : NULL;

			if (map && env->opts->lddw_value_off && env->opts->lddw_value_off[i] >= 0)
				bh_vlog(env, "r%u = map_value(map=%s,off=%d)", in->dst_reg, map->name,
					env->opts->lddw_value_off[i]);
			else if (map)
				bh_vlog(env, "r%u = map_ptr(map=%s)", in->dst_reg, map->name);
			else if (in->src_reg == BPF_PSEUDO_FUNC)
				bh_vlog(env, "r%u = func(pc%+d)", in->dst_reg, in->imm);
			else
				bh_vlog(env, "r%u = 0x%llx", in->dst_reg,
					(unsigned long long)((uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in->imm));
		} else {
			bh_vlog(env, "r0 = *(%s *)skb[%s%d]", sizes[BPF_SIZE(in->code) >> 3],
				BPF_MODE(in->code) == BPF_IND ? "r" : "", BPF_MODE(in->code) == BPF_IND ?
				in->src_reg : in->imm);
		}
		break;
	default:
		log_mem(env, in);
		break;
	}
	bh_vlog(env, "\n");
}

void bh_vlog_state(struct bh_venv *env, const struct bh_state *st)
{
	const struct bh_frame *f = st->frames[st->nframes - 1];
	char buf[400];

	bh_vlog(env, "%u:", env->insn);
	if (st->nframes > 1)
		bh_vlog(env, " frame%u:", st->nframes - 1);
	for (unsigned r = 0; r < MAX_BPF_REG; r++)
		if (f->regs[r].kind != BH_REG_NOT_INIT)
			bh_vlog(env, " R%u=%s", r, bh_reg_str(&f->regs[r], buf, sizeof(buf)));
	for (uint32_t k = 0; k < f->nslots; k++) {
		const struct bh_stack_slot *s = &f->slots[k];
		char bytes[BH_SLOT_SIZE + 1];
		bool any = false;

		if (s->type[0] == BH_STACK_SPILL && s->spilled.kind != BH_REG_NOT_INIT) {
			bh_vlog(env, " fp-%u=%s", 8 * (k + 1), bh_reg_str(&s->spilled, buf, sizeof(buf)));
			continue;
		}
		for (unsigned b = 0; b < BH_SLOT_SIZE; b++) {
			static const char code[] = "?m0r";

			bytes[BH_SLOT_SIZE - 1 - b] = code[s->type[b] & 3];
			any |= s->type[b] != BH_STACK_INVALID;
		}
		bytes[BH_SLOT_SIZE] = 0;
		if (any)
			bh_vlog(env, " fp-%u=%s", 8 * (k + 1), bytes);
	}
	bh_vlog(env, "\n");
}
