/**
 * `bpfhost btf dump file OBJ.o`: an object's BTF type table in bpftool's raw
 * format (`[1] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32
 * encoding=(none)`), or as JSON (`{"types": [...]}`).
 *
 * @module
 */
import { BpfObject, type BtfType } from '../index.js';

import type { Output } from './output.js';
import type { Session } from './session.js';
import { UsageError } from './usage.js';

const LINKAGE = ['static', 'global', 'extern'];

function quoted(name: string): string {
  return `'${name || '(anon)'}'`;
}

function intEncoding(t: BtfType): string {
  const e = t.intEncoding;
  if (!e) return '(none)';
  return e.signed ? 'SIGNED' : e.char ? 'CHAR' : e.bool ? 'BOOL' : '(none)';
}

/** One type as bpftool's raw dump prints it: a header line, then one tab-indented line per member. */
export function btfTypeLines(t: BtfType, types: readonly BtfType[]): string[] {
  const head = `[${t.id}] ${t.kind.toUpperCase()} ${quoted(t.name)}`;
  switch (t.kind) {
    case 'int':
      return [`${head} size=${t.size ?? 0} bits_offset=${t.intEncoding?.offset ?? 0} nr_bits=${t.intEncoding?.bits ?? 0} encoding=${intEncoding(t)}`];
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return [`${head} type_id=${t.type ?? 0}`];
    case 'array':
      return [`${head} type_id=${t.array?.elemType ?? 0} index_type_id=${t.array?.indexType ?? 0} nr_elems=${t.array?.nelems ?? 0}`];
    case 'struct':
    case 'union':
      return [
        `${head} size=${t.size ?? 0} vlen=${t.members?.length ?? 0}`,
        ...(t.members ?? []).map((m) => `\t${quoted(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}${m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''}`),
      ];
    case 'enum':
    case 'enum64':
      return [
        `${head} encoding=${t.kindFlag ? 'SIGNED' : 'UNSIGNED'} size=${t.size ?? 0} vlen=${t.values?.length ?? 0}`,
        ...(t.values ?? []).map((v) => `\t${quoted(v.name)} val=${v.value}`),
      ];
    case 'fwd':
      return [`${head} fwd_kind=${t.kindFlag ? 'union' : 'struct'}`];
    case 'func':
      return [`${head} type_id=${t.type ?? 0} linkage=${LINKAGE[t.linkage ?? 0] ?? t.linkage}`];
    case 'func_proto':
      return [
        `${head} ret_type_id=${t.type ?? 0} vlen=${t.params?.length ?? 0}`,
        ...(t.params ?? []).map((p) => `\t${quoted(p.name)} type_id=${p.type}`),
      ];
    case 'var':
      return [`${head} type_id=${t.type ?? 0}, linkage=${LINKAGE[t.linkage ?? 0] ?? t.linkage}`];
    case 'datasec':
      return [
        `${head} size=${t.size ?? 0} vlen=${t.vars?.length ?? 0}`,
        ...(t.vars ?? []).map((v) => {
          const target = types[v.type];
          return `\ttype_id=${v.type} offset=${v.offset} size=${v.size}${target ? ` (${target.kind.toUpperCase()} ${quoted(target.name)})` : ''}`;
        }),
      ];
    case 'float':
      return [`${head} size=${t.size ?? 0}`];
    case 'decl_tag':
      return [`${head} type_id=${t.type ?? 0} component_idx=${t.componentIdx ?? -1}`];
    default:
      return [head];
  }
}

/** bpftool's JSON shape of one type: its fields by their raw-dump names. */
function btfTypeJson(t: BtfType): Record<string, unknown> {
  const { id, kind, name, ...rest } = t;
  return { id, kind: kind.toUpperCase(), name: name || '(anon)', ...rest };
}

function dump(session: Session, out: Output, args: readonly string[]): void {
  const [what, path, ...rest] = args;
  if (what !== 'file' || path === undefined) throw new UsageError("btf dump: expected 'file OBJ.o'", 'btf');
  if (rest.length > 0) throw new UsageError(`btf dump: unexpected '${rest.join(' ')}'`, 'btf');
  // Opened only (not loaded): the BTF is the file's, and no extension is needed for its program types.
  const obj = session.hold(BpfObject.open(path));
  const btf = obj.btf;
  if (!btf) throw new UsageError(`btf dump: ${path} has no BTF (compile it with clang -g)`, 'btf');
  const types = btf.types.filter((t) => t.id !== 0);
  out.document({ types: types.map(btfTypeJson) });
  for (const t of types) for (const l of btfTypeLines(t, btf.types)) out.line(l);
}

/** Runs `btf SUBCOMMAND ARGS...`. */
export function btfCommand(session: Session, out: Output, args: readonly string[]): void {
  const [sub, ...rest] = args;
  if (sub === 'dump') return dump(session, out, rest);
  throw new UsageError(sub === undefined ? 'btf: expected a subcommand (dump)' : `btf: unknown subcommand '${sub}'`, 'btf');
}
