// SPDX-License-Identifier: MIT
/*
 * bpfhost_object: open (sections, programs, BTF, then maps and relocations
 * through object_maps.c and object_reloc.c), getters, prepare/load and close.
 * Semantics follow libbpf: one program per global function of each executable
 * section other than `.text`; `.text` functions are sub-programs appended to
 * the programs that call them; the section name picks the program type
 * (through the core, where extensions register their prefixes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object_internal.h"

#define LOG_RETRY_SIZE (64U * 1024U)

static void *err_ptr(int err)
{
	errno = err < 0 ? -err : err;
	return NULL;
}

/* `.data`, `.data.*`, `.rodata`, `.rodata.*`, `.bss`, `.bss.*`, as libbpf. */
static bool is_data_section(const char *name)
{
	static const char *const names[] = { ".data", ".rodata", ".bss" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (!strncmp(name, names[i], n) && (name[n] == '\0' || name[n] == '.'))
			return true;
	}
	return false;
}

static int classify_sections(struct bpfhost_object *obj)
{
	const char *on = obj->name;

	obj->sec_cnt = obj->elf.sec_cnt;
	obj->secs = calloc(obj->sec_cnt, sizeof(*obj->secs));
	if (!obj->secs)
		return obj_err(-ENOMEM, "object '%s': no memory for sections", on);
	for (uint32_t i = 0; i < obj->sec_cnt; i++) {
		const struct elf_section *es = &obj->elf.secs[i];
		struct obj_section *s = &obj->secs[i];

		s->elf = es;
		s->map_idx = -1;
		if (i == 0)
			continue;
		if (es->type == ELF_SHT_PROGBITS && (es->flags & ELF_SHF_EXECINSTR)) {
			if (es->size == 0)
				continue;
			if (es->size % BPF_INSN_SZ || es->size / BPF_INSN_SZ > UINT32_MAX)
				return obj_err(-EINVAL, "object '%s': section '%s': size %llu is not a whole number of 8-byte instructions",
					       on, es->name, (unsigned long long)es->size);
			s->kind = strcmp(es->name, ".text") ? SEC_PROG : SEC_TEXT;
			s->insn_cnt = (uint32_t)(es->size / BPF_INSN_SZ);
			s->insns = malloc(es->size);
			if (!s->insns)
				return obj_err(-ENOMEM, "object '%s': section '%s': no memory", on, es->name);
			memcpy(s->insns, es->data, es->size);
			if (s->kind == SEC_TEXT)
				obj->text_sec = i;
		} else if (!strcmp(es->name, ".maps") && es->type == ELF_SHT_PROGBITS) {
			s->kind = SEC_MAPS;
			obj->maps_sec = i;
		} else if (!strcmp(es->name, "maps") && es->type == ELF_SHT_PROGBITS) {
			s->kind = SEC_LEGACY_MAPS;
			obj->legacy_maps_sec = i;
		} else if (is_data_section(es->name) && (es->flags & ELF_SHF_ALLOC) &&
			   (es->type == ELF_SHT_PROGBITS || es->type == ELF_SHT_NOBITS)) {
			s->kind = es->size ? SEC_DATA : SEC_OTHER;
		} else if (!strcmp(es->name, "license") && es->type == ELF_SHT_PROGBITS) {
			size_t n = es->size < sizeof(obj->license) - 1 ? es->size : sizeof(obj->license) - 1;

			s->kind = SEC_LICENSE;
			if (n)
				memcpy(obj->license, es->data, n);
			obj->license[n] = '\0';
		}
	}
	return 0;
}

static int load_btf(struct bpfhost_object *obj)
{
	const struct elf_section *es = elf_find_section(&obj->elf, ".BTF");
	char what[160];

	if (!es || es->type != ELF_SHT_PROGBITS)
		return 0;
	snprintf(what, sizeof(what), "object '%s': section '.BTF'", obj->name);
	obj->btf = btf_parse(es->data, es->size, what);
	return obj->btf ? 0 : -errno;
}

/* The ELF symbol of a variable of data section @shndx, or NULL. */
static const struct elf_symbol *find_var_symbol(const struct bpfhost_object *obj, uint32_t shndx,
						const char *name)
{
	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *sym = &obj->elf.syms[i];

		if (sym->shndx == shndx && sym->type == ELF_STT_OBJECT && !strcmp(sym->name, name))
			return sym;
	}
	return NULL;
}

/*
 * Object files leave DATASEC sizes 0 and variable offsets to relocations;
 * fill them from the ELF (section size, symbol values), as libbpf does, so
 * the BTF view describes the global data maps as they are created.
 */
static int fixup_datasecs(struct bpfhost_object *obj)
{
	struct bpfhost_btf *btf = obj->btf;

	for (uint32_t id = 1; btf && id < btf->type_cnt; id++) {
		struct bpfhost_btf_type *t = &btf->types[id];
		struct bpfhost_btf_var_secinfo *vs = btf_datasec_secinfos(t);
		const struct elf_section *es;

		if (t->kind != BPFHOST_BTF_KIND_DATASEC)
			continue;
		es = elf_find_section(&obj->elf, t->name);
		if (!es)
			continue;	/* externs (.kconfig, .ksyms) have no section */
		if (es->size > UINT32_MAX)
			return obj_err(-EINVAL, "object '%s': section '%s' is over 4 GiB", obj->name, es->name);
		if (t->size == 0)
			t->size = (uint32_t)es->size;
		for (uint32_t i = 0; i < t->vlen; i++) {
			const struct bpfhost_btf_type *var = &btf->types[vs[i].type];
			const struct elf_symbol *sym;

			if (var->kind != BPFHOST_BTF_KIND_VAR)
				continue;
			sym = find_var_symbol(obj, es->idx, var->name);
			if (sym) {
				if (sym->value > UINT32_MAX)
					return obj_err(-EINVAL, "object '%s': section '%s': variable '%s' at offset %llu is out of range",
						       obj->name, es->name, var->name,
						       (unsigned long long)sym->value);
				vs[i].offset = (uint32_t)sym->value;
			}
			if ((uint64_t)vs[i].offset + vs[i].size > t->size)
				return obj_err(-EINVAL, "object '%s': section '%s': variable '%s' (offset %u, %u bytes) is past the section's %u bytes",
					       obj->name, es->name, var->name, vs[i].offset, vs[i].size,
					       t->size);
		}
	}
	return 0;
}

const struct bpfhost_btf_type *obj_find_datasec(const struct bpfhost_object *obj, const char *name,
						uint32_t *id)
{
	int i;

	if (!obj->btf)
		return NULL;
	i = bpfhost_btf__find_by_name_kind(obj->btf, name, BPFHOST_BTF_KIND_DATASEC);
	if (i < 0)
		return NULL;
	if (id)
		*id = (uint32_t)i;
	return &obj->btf->types[i];
}

static int cmp_progs(const void *a, const void *b)
{
	const struct bpfhost_program *x = a, *y = b;

	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	return x->sec_insn_off < y->sec_insn_off ? -1 : x->sec_insn_off > y->sec_insn_off;
}

/* A FUNC symbol of an executable section: checked extent, or an error. */
static int check_func_symbol(const struct bpfhost_object *obj, const struct obj_section *s,
			     const struct elf_symbol *sym)
{
	const char *on = obj->name, *sn = s->elf->name;

	if (!sym->name[0])
		return obj_err(-EINVAL, "object '%s': section '%s': a function symbol has no name", on, sn);
	if (sym->value % BPF_INSN_SZ || sym->size % BPF_INSN_SZ || sym->size == 0)
		return obj_err(-EINVAL, "object '%s': section '%s': program '%s' (offset %llu, %llu bytes) is not whole instructions",
			       on, sn, sym->name, (unsigned long long)sym->value,
			       (unsigned long long)sym->size);
	if (sym->value > s->elf->size || sym->size > s->elf->size - sym->value)
		return obj_err(-EINVAL, "object '%s': section '%s': program '%s' (offset %llu, %llu bytes) crosses the end of the section (%llu bytes)",
			       on, sn, sym->name, (unsigned long long)sym->value,
			       (unsigned long long)sym->size, (unsigned long long)s->elf->size);
	if (s->kind == SEC_PROG && sym->bind == ELF_STB_LOCAL)
		return obj_err(-EOPNOTSUPP, "object '%s': section '%s': program '%s' is static; entry programs must be global functions",
			       on, sn, sym->name);
	return 0;
}

static int init_programs(struct bpfhost_object *obj)
{
	uint32_t n_entry = 0, n_sub = 0, ie, is;
	int err;

	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *sym = &obj->elf.syms[i];
		const struct obj_section *s;

		if (sym->type != ELF_STT_FUNC || sym->shndx == ELF_SHN_UNDEF ||
		    sym->shndx >= obj->sec_cnt)
			continue;
		s = &obj->secs[sym->shndx];
		if (s->kind != SEC_PROG && s->kind != SEC_TEXT)
			continue;
		err = check_func_symbol(obj, s, sym);
		if (err)
			return err;
		if (s->kind == SEC_PROG)
			n_entry++;
		else
			n_sub++;
	}
	obj->progs = calloc(n_entry + n_sub ? n_entry + n_sub : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return obj_err(-ENOMEM, "object '%s': no memory for programs", obj->name);
	ie = 0;
	is = n_entry;
	for (uint32_t i = 0; i < obj->elf.sym_cnt; i++) {
		const struct elf_symbol *sym = &obj->elf.syms[i];
		struct bpfhost_program *p;
		const struct obj_section *s;

		if (sym->type != ELF_STT_FUNC || sym->shndx == ELF_SHN_UNDEF ||
		    sym->shndx >= obj->sec_cnt)
			continue;
		s = &obj->secs[sym->shndx];
		if (s->kind != SEC_PROG && s->kind != SEC_TEXT)
			continue;
		p = &obj->progs[s->kind == SEC_PROG ? ie++ : is++];
		p->obj = obj;
		p->name = strdup(sym->name);
		if (!p->name)
			return obj_err(-ENOMEM, "object '%s': no memory", obj->name);
		p->sec_idx = sym->shndx;
		p->sec_insn_off = (uint32_t)(sym->value / BPF_INSN_SZ);
		p->sec_insn_cnt = (uint32_t)(sym->size / BPF_INSN_SZ);
		p->is_subprog = s->kind == SEC_TEXT;
		p->autoload = !p->is_subprog;
		p->fd = -1;
		p->insns = s->insns + p->sec_insn_off;
		p->insn_cnt = p->sec_insn_cnt;
	}
	obj->prog_cnt = n_entry;
	obj->subprog_cnt = n_sub;
	qsort(obj->progs, n_entry, sizeof(*obj->progs), cmp_progs);
	qsort(obj->progs + n_entry, n_sub, sizeof(*obj->progs), cmp_progs);
	/* Functions of one section must not overlap (each is copied on its own). */
	for (uint32_t i = 1; i < n_entry + n_sub; i++) {
		const struct bpfhost_program *a = &obj->progs[i - 1], *b = &obj->progs[i];

		if (i != n_entry && a->sec_idx == b->sec_idx &&
		    a->sec_insn_off + a->sec_insn_cnt > b->sec_insn_off)
			return obj_err(-EINVAL, "object '%s': section '%s': functions '%s' and '%s' overlap",
				       obj->name, obj->secs[a->sec_idx].elf->name, a->name, b->name);
	}
	return 0;
}

/* Asks the core which program type a section selects; unknown stays unset until load. */
static void resolve_prog_types(struct bpfhost_object *obj)
{
	for (uint32_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfhost_program *p = &obj->progs[i];
		uint32_t type = 0, eat = 0;

		if (p->type_set)
			continue;
		if (bpfhost_prog_type_by_section(obj->secs[p->sec_idx].elf->name, &type, &eat) == 0) {
			p->type = type;
			p->expected_attach_type = eat;
			p->type_set = true;
		}
	}
}

static char *default_name(const char *path, const void *buf, size_t size)
{
	char tmp[64], *name, *dot;
	const char *base;

	if (!path) {
		snprintf(tmp, sizeof(tmp), "%lx-%zx", (unsigned long)(uintptr_t)buf, size);
		return strdup(tmp);
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	name = strdup(base);
	if (name && (dot = strchr(name, '.')))
		*dot = '\0';
	return name;
}

static struct bpfhost_object *obj_open(const void *buf, size_t size, const char *path,
				       const struct bpfhost_object_open_opts *opts)
{
	struct bpfhost_object *obj;
	const char *name, *pin_root, *kconfig, *btf_path;
	int err;

	if (!OPTS_VALID(opts, bpfhost_object_open_opts))
		return err_ptr(obj_err(-EINVAL, "bpfhost_object__open: opts has fields this library does not know (non-zero bytes past btf_custom_path)"));
	name = OPTS_GET(opts, object_name, NULL);
	pin_root = OPTS_GET(opts, pin_root_path, NULL);
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return err_ptr(obj_err(-ENOMEM, "bpfhost_object__open: no memory"));
	obj->name = name ? strdup(name) : default_name(path, buf, size);
	obj->pin_root = strdup(pin_root ? pin_root : OBJ_PIN_ROOT_DEFAULT);
	obj->image = malloc(size ? size : 1);
	kconfig = OPTS_GET(opts, kconfig, NULL);
	btf_path = OPTS_GET(opts, btf_custom_path, NULL);
	obj->kconfig = kconfig ? strdup(kconfig) : NULL;
	obj->btf_custom_path = btf_path ? strdup(btf_path) : NULL;
	if (!obj->name || !obj->pin_root || !obj->image || (kconfig && !obj->kconfig) ||
	    (btf_path && !obj->btf_custom_path)) {
		bpfhost_object__close(obj);
		return err_ptr(obj_err(-ENOMEM, "bpfhost_object__open: no memory"));
	}
	if (size)
		memcpy(obj->image, buf, size);
	obj->image_size = size;

	err = elf_open(&obj->elf, obj->name, obj->image, size);
	if (!err)
		err = classify_sections(obj);
	if (!err)
		err = load_btf(obj);
	if (!err)
		err = fixup_datasecs(obj);
	if (!err)
		err = init_programs(obj);
	if (!err)
		err = obj_load_btf_ext(obj);
	if (!err)
		err = obj_init_maps(obj);
	if (!err)
		err = obj_init_externs(obj);
	if (!err)
		err = obj_collect_relocs(obj);
	if (!err)
		err = obj_collect_map_slots(obj);
	if (err) {
		bpfhost_object__close(obj);
		return err_ptr(err);
	}
	resolve_prog_types(obj);
	return obj;
}

struct bpfhost_object *bpfhost_object__open_mem(const void *buf, size_t size,
						const struct bpfhost_object_open_opts *opts)
{
	if (!buf && size)
		return err_ptr(obj_err(-EINVAL, "bpfhost_object__open_mem: NULL buffer of %zu bytes", size));
	return obj_open(buf, size, NULL, opts);
}

struct bpfhost_object *bpfhost_object__open_file(const char *path,
						 const struct bpfhost_object_open_opts *opts)
{
	struct bpfhost_object *obj;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int err;

	if (!path)
		return err_ptr(obj_err(-EINVAL, "bpfhost_object__open_file: NULL path"));
	f = fopen(path, "rb");
	if (!f) {
		err = -errno;
		return err_ptr(obj_err(err, "bpfhost_object__open_file: cannot open '%s': %s", path,
				       strerror(-err)));
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 64 * 1024;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return err_ptr(obj_err(-ENOMEM, "bpfhost_object__open_file: '%s': no memory", path));
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		free(buf);
		return err_ptr(obj_err(err, "bpfhost_object__open_file: error reading '%s'", path));
	}
	obj = obj_open(buf, len, path, opts);
	free(buf);
	return obj;
}

/*
 * Closes every handle the object created (maps, programs); the definitions
 * stay. The thread's message (why a load failed) survives the closes.
 */
static void obj_unload(struct bpfhost_object *obj)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
	for (uint32_t i = 0; i < obj->prog_cnt; i++) {
		if (obj->progs[i].fd >= 0)
			bpfhost_close(obj->progs[i].fd);
		obj->progs[i].fd = -1;
	}
	for (uint32_t i = 0; i < obj->map_cnt; i++) {
		if (obj->maps[i].fd >= 0)
			bpfhost_close(obj->maps[i].fd);
		obj->maps[i].fd = -1;
	}
	bpfhost_set_last_error(0, "%s", msg);
}

/* Programs that will load need a type: the section's, or one the caller set. */
static int check_prog_types(struct bpfhost_object *obj)
{
	resolve_prog_types(obj);
	for (uint32_t i = 0; i < obj->prog_cnt; i++) {
		const struct bpfhost_program *p = &obj->progs[i];

		if (p->autoload && !p->type_set)
			return obj_err(-EINVAL, "object '%s': program '%s' (section '%s'): no program type for this section name (neither built in nor registered by a loaded extension)",
				       obj->name, p->name, obj->secs[p->sec_idx].elf->name);
	}
	return 0;
}

int bpfhost_object__prepare(struct bpfhost_object *obj)
{
	int err;

	if (!obj)
		return obj_err(-EINVAL, "bpfhost_object__prepare: NULL object");
	if (obj->state != OBJ_OPENED)
		return obj_err(-EINVAL, "object '%s': already %s", obj->name,
			       obj->state == OBJ_FAILED ? "failed to load" : "prepared or loaded");
	err = check_prog_types(obj);
	if (!err)
		err = obj_create_maps(obj);
	if (!err)
		err = obj_fill_map_slots(obj, false);
	if (!err)
		err = obj_relocate(obj);
	if (err) {
		obj_unpin_maps(obj);
		obj_unload(obj);
		obj->state = OBJ_FAILED;
		return lib_err(err);
	}
	obj->state = OBJ_PREPARED;
	return 0;
}

/* The last non-empty line of a verifier-style log (the reason, usually). */
static void last_log_line(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log), *start;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

static int load_program(struct bpfhost_object *obj, struct bpfhost_program *p)
{
	const char *sec = obj->secs[p->sec_idx].elf->name;
	BPFHOST_OPTS(bpfhost_prog_load_opts, opts, .expected_attach_type = p->expected_attach_type,
		     .prog_flags = p->prog_flags);
	char name[BPF_OBJ_NAME_LEN], msg[512], line[200];
	int fd;

	snprintf(name, sizeof(name), "%s", p->name);
	if (p->log_buf && p->log_size) {
		opts.log_buf = p->log_buf;
		opts.log_size = (uint32_t)p->log_size;
		opts.log_level = p->log_level ? p->log_level : 1;
		p->log_buf[0] = '\0';
	} else if (p->log_level) {
		free(p->own_log);
		p->own_log = calloc(1, LOG_RETRY_SIZE);
		if (p->own_log) {
			opts.log_buf = p->own_log;
			opts.log_size = LOG_RETRY_SIZE;
			opts.log_level = p->log_level;
		}
	}
	if (p->line_info_cnt || p->func_info_cnt || p->core_relo_cnt) {
		opts.func_info = p->func_info;
		opts.func_info_cnt = p->func_info_cnt;
		opts.func_info_rec_size = p->func_info_cnt ? 8 : 0;
		opts.line_info = p->line_info;
		opts.line_info_cnt = p->line_info_cnt;
		opts.line_info_rec_size = p->line_info_cnt ? 16 : 0;
		opts.btf_strs = obj->btf->strs;
		opts.btf_strs_size = obj->btf->str_len;
		opts.core_relos = p->core_relos;
		opts.core_relo_cnt = p->core_relo_cnt;
		opts.core_relo_rec_size = p->core_relo_cnt ? 16 : 0;
	}
	fd = bpfhost_prog_load(p->type, name, obj->license, p->insns, p->insn_cnt, &opts);
	if (fd < 0 && !opts.log_buf) {
		/* As libbpf: a refused load is retried once with a log, for the reason. */
		free(p->own_log);
		p->own_log = calloc(1, LOG_RETRY_SIZE);
		if (p->own_log) {
			opts.log_buf = p->own_log;
			opts.log_size = LOG_RETRY_SIZE;
			opts.log_level = 1;
			fd = bpfhost_prog_load(p->type, name, obj->license, p->insns, p->insn_cnt, &opts);
		}
	}
	if (fd >= 0) {
		p->fd = fd;
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s", bpfhost_last_error());
	line[0] = '\0';
	if (opts.log_buf)
		last_log_line(opts.log_buf, line, sizeof(line));
	return obj_err(fd, "object '%s': program '%s' (section '%s'): load failed: %s%s%s", obj->name,
		       p->name, sec, msg, line[0] && !strstr(msg, line) ? " | log: " : "",
		       line[0] && !strstr(msg, line) ? line : "");
}

int bpfhost_object__load(struct bpfhost_object *obj)
{
	int err = 0;

	if (!obj)
		return obj_err(-EINVAL, "bpfhost_object__load: NULL object");
	if (obj->state == OBJ_OPENED) {
		err = bpfhost_object__prepare(obj);
		if (err)
			return err;
	}
	if (obj->state != OBJ_PREPARED)
		return obj_err(-EINVAL, "object '%s': already %s", obj->name,
			       obj->state == OBJ_FAILED ? "failed to load" : "loaded");
	for (uint32_t i = 0; !err && i < obj->prog_cnt; i++)
		if (obj->progs[i].autoload)
			err = load_program(obj, &obj->progs[i]);
	if (!err)
		err = obj_fill_map_slots(obj, true);
	if (err) {
		obj_unpin_maps(obj);
		obj_unload(obj);
		obj->state = OBJ_FAILED;
		return lib_err(err);
	}
	obj->state = OBJ_LOADED;
	return 0;
}

void bpfhost_object__close(struct bpfhost_object *obj)
{
	if (!obj)
		return;
	obj_unload(obj);
	for (uint32_t i = 0; i < obj->prog_cnt + obj->subprog_cnt && obj->progs; i++) {
		struct bpfhost_program *p = &obj->progs[i];

		if (obj->secs && p->insns != obj->secs[p->sec_idx].insns + p->sec_insn_off)
			free(p->insns);
		free(p->name);
		free(p->own_log);
		free(p->func_info);
		free(p->line_info);
		free(p->core_relos);
	}
	free(obj->progs);
	for (uint32_t i = 0; i < obj->map_cnt; i++)
		obj_map_free(&obj->maps[i]);
	free(obj->maps);
	for (uint32_t i = 0; obj->secs && i < obj->sec_cnt; i++) {
		free(obj->secs[i].insns);
		free(obj->secs[i].relocs);
	}
	free(obj->secs);
	obj_free_btf_ext(obj);
	free(obj->btf_custom_path);
	free(obj->kconfig);
	free(obj->externs);
	bpfhost_btf__free(obj->btf);
	elf_close(&obj->elf);
	free(obj->image);
	free(obj->pin_root);
	free(obj->name);
	free(obj);
}

const char *bpfhost_object__name(const struct bpfhost_object *obj)
{
	return obj ? obj->name : NULL;
}

const char *bpfhost_object__license(const struct bpfhost_object *obj)
{
	return obj ? obj->license : NULL;
}

struct bpfhost_btf *bpfhost_object__btf(const struct bpfhost_object *obj)
{
	return obj ? obj->btf : NULL;
}

struct bpfhost_map *bpfhost_object__find_map_by_name(const struct bpfhost_object *obj,
						     const char *name)
{
	for (uint32_t i = 0; obj && name && i < obj->map_cnt; i++) {
		struct bpfhost_map *m = &obj->maps[i];

		if (!strcmp(m->name, name) || (m->real_name && !strcmp(m->real_name, name)))
			return m;
	}
	return err_ptr(obj_err(-ENOENT, "object '%s': no map named '%s'", obj ? obj->name : "(null)",
			       name ? name : "(null)"));
}

struct bpfhost_program *bpfhost_object__find_program_by_name(const struct bpfhost_object *obj,
							     const char *name)
{
	for (uint32_t i = 0; obj && name && i < obj->prog_cnt; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	return err_ptr(obj_err(-ENOENT, "object '%s': no program named '%s'",
			       obj ? obj->name : "(null)", name ? name : "(null)"));
}

/*
 * The element after @cur in @base[@cnt] (@size bytes each), as libbpf's
 * iterators: the first for NULL, NULL past the last, -EINVAL (errno) for a
 * pointer that is not one of the elements.
 */
static void *next_elem(void *base, uint32_t cnt, size_t size, const void *cur)
{
	const char *b = base, *c = cur;
	size_t i;

	if (!cnt)
		return NULL;
	if (!cur)
		return base;
	if (c < b || c >= b + cnt * size || (size_t)(c - b) % size)
		return err_ptr(-EINVAL);
	i = (size_t)(c - b) / size + 1;
	return i < cnt ? (char *)base + i * size : NULL;
}

struct bpfhost_map *bpfhost_object__next_map(const struct bpfhost_object *obj,
					     const struct bpfhost_map *map)
{
	return obj ? next_elem(obj->maps, obj->map_cnt, sizeof(*obj->maps), map) : NULL;
}

struct bpfhost_program *bpfhost_object__next_program(const struct bpfhost_object *obj,
						     const struct bpfhost_program *prog)
{
	return obj ? next_elem(obj->progs, obj->prog_cnt, sizeof(*obj->progs), prog) : NULL;
}

/* ---------------------------------------------------------------------------
 * Program getters and setters.
 */
const char *bpfhost_program__name(const struct bpfhost_program *prog)
{
	return prog->name;
}

const char *bpfhost_program__section_name(const struct bpfhost_program *prog)
{
	return prog->obj->secs[prog->sec_idx].elf->name;
}

uint32_t bpfhost_program__type(const struct bpfhost_program *prog)
{
	return prog->type;
}

uint32_t bpfhost_program__expected_attach_type(const struct bpfhost_program *prog)
{
	return prog->expected_attach_type;
}

static int prog_check_unloaded(const struct bpfhost_program *prog, const char *what)
{
	if (prog->obj->state != OBJ_OPENED)
		return obj_err(-EBUSY, "object '%s': program '%s': %s only before load",
			       prog->obj->name, prog->name, what);
	return 0;
}

int bpfhost_program__set_type(struct bpfhost_program *prog, uint32_t type)
{
	int err = prog_check_unloaded(prog, "set_type");

	if (err)
		return err;
	prog->type = type;
	prog->type_set = true;
	return 0;
}

int bpfhost_program__set_expected_attach_type(struct bpfhost_program *prog, uint32_t type)
{
	int err = prog_check_unloaded(prog, "set_expected_attach_type");

	if (err)
		return err;
	prog->expected_attach_type = type;
	return 0;
}

int bpfhost_program__fd(const struct bpfhost_program *prog)
{
	if (!prog)
		return obj_err(-EINVAL, "bpfhost_program__fd: NULL program");
	if (prog->fd < 0)
		return obj_err(-ENOENT, "object '%s': program '%s' is not loaded", prog->obj->name,
			       prog->name);
	return prog->fd;
}

const struct bpf_insn *bpfhost_program__insns(const struct bpfhost_program *prog)
{
	return prog->insns;
}

size_t bpfhost_program__insn_cnt(const struct bpfhost_program *prog)
{
	return prog->insn_cnt;
}

bool bpfhost_program__autoload(const struct bpfhost_program *prog)
{
	return prog->autoload;
}

int bpfhost_program__set_autoload(struct bpfhost_program *prog, bool autoload)
{
	int err = prog_check_unloaded(prog, "set_autoload");

	if (err)
		return err;
	prog->autoload = autoload;
	return 0;
}

uint32_t bpfhost_program__flags(const struct bpfhost_program *prog)
{
	return prog->prog_flags;
}

int bpfhost_program__set_flags(struct bpfhost_program *prog, uint32_t flags)
{
	int err = prog_check_unloaded(prog, "set_flags");

	if (err)
		return err;
	prog->prog_flags = flags;
	return 0;
}

int bpfhost_program__set_log_buf(struct bpfhost_program *prog, char *log_buf, size_t log_size)
{
	if (log_size && !log_buf)
		return obj_err(-EINVAL, "program '%s': log size %zu without a buffer", prog->name, log_size);
	if (log_size > UINT32_MAX)
		return obj_err(-EINVAL, "program '%s': log size %zu is over 4 GiB", prog->name, log_size);
	prog->log_buf = log_buf;
	prog->log_size = log_size;
	return 0;
}

int bpfhost_program__set_log_level(struct bpfhost_program *prog, uint32_t log_level)
{
	prog->log_level = log_level;
	return 0;
}

const char *bpfhost_program__log(const struct bpfhost_program *prog)
{
	if (prog->log_buf && prog->log_size)
		return prog->log_buf;
	return prog->own_log ? prog->own_log : "";
}
