/**
 * Typed skeletons (`bpfhost gen skeleton`, after libbpf's skeletons and
 * bpf2go): from a BPF object's BTF, one TypeScript module with an interface
 * per struct/union/enum reachable from the maps, the global variables and
 * the names asked for, their codecs (laid out from the BTF types the module
 * embeds, so they work without the object file), and a class whose `maps`,
 * `programs` and `rodata`/`data`/`bss` are typed. Members keep their C names.
 *
 * @module
 */
import { basename } from 'node:path';

import type { Btf, BtfType } from './btf.js';
import { BpfError, Errno } from './errors.js';
import { BpfObject, type MapSpec } from './object.js';
import { MapType, ProgramType, isKeylessMapType, isPerCpuMapType } from './uapi.js';

/** Options of {@link generateSkeleton}. */
export interface SkeletonOptions {
  /**
   * More types to emit, by name (`'struct event'`, `'event'`, `'enum
   * verdict'`): ring buffer records and events no map or variable names.
   */
  types?: readonly string[];
  /** Module the generated code imports the API from (default `'@bpfhost/api'`). */
  importFrom?: string;
  /** The class's name (default: the object's name in PascalCase + `Skeleton`). */
  className?: string;
  /** File name named in the header comment (default: the path's base name, or `'object'`). */
  sourceName?: string;
  /**
   * The object's name when `source` is bytes (it names the class and the
   * global data maps; default: `sourceName` up to its first '.').
   */
  name?: string;
}

const MODIFIERS = new Set(['typedef', 'const', 'volatile', 'restrict', 'type_tag']);
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Map types whose keys are u32 indexes and whose values are u32 handles/ids (as BpfObject.map derives them). */
const INDEX_KEYED = new Set<number>([MapType.array, MapType.percpu_array, MapType.prog_array, MapType.array_of_maps]);
const HANDLE_VALUED = new Set<number>([MapType.prog_array, MapType.array_of_maps, MapType.hash_of_maps]);

/** `api_test` -> `ApiTest`. */
function pascal(s: string): string {
  const p = s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w[0] as string).toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Za-z_]/.test(p) ? p : `Bpf${p}`;
}

/** A TypeScript literal of plain data (bigints as `6n`). */
function literal(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${IDENT.test(k) ? k : JSON.stringify(k)}: ${literal(x)}`);
    return `{ ${parts.join(', ')} }`;
  }
  return 'undefined';
}

/** A program's TypeScript type: `ProgramOfType<'xdp'>` for a built-in type, `Program<N>` for an extension's, `Program` when unknown. */
function programTsType(type: number): string {
  if (type === 0) return 'Program';
  const name = Object.entries(ProgramType).find(([, v]) => v === type)?.[0];
  return name ? `ProgramOfType<'${name}'>` : `Program<${type}>`;
}

function prop(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

/**
 * Names a C struct, union or enum cannot take in the module as they are: JavaScript
 * and TypeScript keywords and built-in types, and the module's own names.
 */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await any unknown never object string number bigint boolean ' +
    'symbol undefined type as is keyof infer readonly declare namespace module require global ' +
    'Array Buffer Object Symbol Promise Map Set Error Date Function String Number Boolean BigInt Record Partial ' +
    'BpfObject Btf BpfMap BtfType Codec MapSettings OpenOptions Program ProgramOfType ProgramSettings UntypedMap perCpu u32 ' +
    'types btf codec codecs'
  ).split(' '),
);

class Generator {
  readonly #btf: Btf;
  /** Original id -> id in the embedded table. */
  readonly #ids = new Map<number, number>();
  /** Original id -> the TypeScript name of a struct/union/enum (or typedef of an anonymous one). */
  readonly #names = new Map<number, string>();
  readonly #taken = new Set<string>();
  readonly #decls: string[] = [];
  readonly #declared = new Set<number>();

  constructor(btf: Btf, moduleNames: readonly string[]) {
    this.#btf = btf;
    for (const n of [...RESERVED, ...moduleNames]) this.#taken.add(n);
  }

  /** Marks `id` and what its codec needs for the embedded table. */
  include(id: number, depth = 0): void {
    if (id === 0 || this.#ids.has(id) || depth > 64) return;
    this.#ids.set(id, -1);
    const t = this.#btf.type(id);
    if (MODIFIERS.has(t.kind) || t.kind === 'var') {
      if (t.type !== undefined) this.include(t.type, depth + 1);
    } else if (t.kind === 'array' && t.array) {
      this.include(t.array.elemType, depth + 1);
      this.include(t.array.indexType, depth + 1);
    } else if (t.kind === 'struct') {
      for (const m of t.members ?? []) this.include(m.type, depth + 1);
    }
    // Pointers are addresses (bigint) and unions raw bytes: what they point to or hold is not needed.
  }

  /** The embedded table: types renumbered 1..n in their original order, references rewritten. */
  table(): BtfType[] {
    const ids = [...this.#ids.keys()].sort((a, b) => a - b);
    ids.forEach((id, i) => this.#ids.set(id, i + 1));
    const map = (id: number | undefined): number | undefined => (id === undefined ? undefined : this.#ids.get(id) ?? 0);
    const out: BtfType[] = [{ id: 0, kind: 'void', name: '' }];
    for (const id of ids) {
      const t = this.#btf.type(id);
      const c: BtfType = { ...t, id: this.#ids.get(id) as number };
      if (t.type !== undefined) c.type = t.kind === 'ptr' ? 0 : map(t.type);
      if (t.array) c.array = { ...t.array, elemType: map(t.array.elemType) as number, indexType: map(t.array.indexType) as number };
      if (t.kind === 'union') delete c.members;
      else if (t.members) c.members = t.members.map((m) => ({ ...m, type: map(m.type) as number }));
      delete c.params;
      delete c.vars;
      out.push(c);
    }
    return out;
  }

  newId(id: number): number {
    const n = this.#ids.get(id);
    if (n === undefined || n < 0) throw new Error(`type ${id} not in the table`);
    return n;
  }

  /** The TypeScript name a named (or typedef-named) struct, union or enum gets. */
  private nameOf(id: number, cName: string, kind: string): string {
    let n = this.#names.get(id);
    if (n) return n;
    n = IDENT.test(cName) ? cName : `${kind}_${id}`;
    if (this.#taken.has(n)) n = `${kind}_${n}`;
    const base = n;
    for (let i = 2; this.#taken.has(n); i++) n = `${base}_${i}`;
    this.#taken.add(n);
    this.#names.set(id, n);
    return n;
  }

  /** The TypeScript type of type `id`'s decoded values (as Btf's codecs decode them). */
  tsType(id: number, depth = 0, typedefName?: string): string {
    if (depth > 64) return 'unknown';
    const t = this.#btf.type(id);
    switch (t.kind) {
      case 'typedef':
        return this.tsType(t.type ?? 0, depth + 1, t.name);
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var':
        return this.tsType(t.type ?? 0, depth + 1, typedefName);
      case 'int':
        if (t.intEncoding?.bool && t.size === 1) return 'boolean';
        return (t.size ?? 0) > 4 ? 'bigint' : 'number';
      case 'float':
        return t.size === 4 || t.size === 8 ? 'number' : 'Buffer';
      case 'ptr':
        return 'bigint';
      case 'union':
        return 'Buffer';
      case 'enum':
      case 'enum64':
        return this.declareEnum(t, typedefName);
      case 'array': {
        const a = t.array;
        if (!a || a.nelems === 0) return 'never[]';
        const e = this.#btf.resolve(a.elemType);
        if (e.kind === 'int' && e.size === 1 && (e.intEncoding?.char || e.name === 'char')) return 'string';
        if (e.kind === 'int' && e.size === 1 && !e.intEncoding?.signed && !e.intEncoding?.bool) return 'Buffer';
        const inner = this.tsType(a.elemType, depth + 1);
        return /[|&]/.test(inner) ? `Array<${inner}>` : `${inner}[]`;
      }
      case 'struct':
        return this.declareStruct(t, typedefName, depth);
      default:
        return 'unknown';
    }
  }

  private declareEnum(t: BtfType, typedefName: string | undefined): string {
    const cName = t.name || typedefName;
    const big = t.size === 8;
    const names = (t.values ?? []).map((v) => JSON.stringify(v.name));
    const type = [...names, big ? 'bigint' : 'number'].join(' | ');
    if (!cName) return type;
    const n = this.nameOf(t.id, cName, 'enum');
    if (!this.#declared.has(t.id)) {
      this.#declared.add(t.id);
      const values = (t.values ?? []).map((v) => `  ${prop(v.name)}: ${big ? `${v.value}n` : String(v.value)},`);
      this.#decls.push(
        `/** \`enum ${t.name || typedefName}\`: decoded as the enumerator's name, or the number when none has the value. */\n` +
          `export type ${n} = ${type};\n` +
          `/** The values of \`enum ${t.name || typedefName}\`. */\n` +
          `export const ${n} = {\n${values.join('\n')}\n} as const;`,
      );
    }
    return n;
  }

  /** Member lines of a struct (anonymous struct members flattened, as the codec does). */
  private members(t: BtfType, depth: number): string[] {
    const lines: string[] = [];
    (t.members ?? []).forEach((m, index) => {
      const target = this.#btf.resolve(m.type);
      if (!m.name && target.kind === 'struct') {
        lines.push(...this.members(target, depth + 1));
        return;
      }
      const name = m.name || `__anon${index}`;
      const bits = m.bitfieldSize || (target.kind === 'int' && target.intEncoding && target.intEncoding.bits !== (target.size ?? 0) * 8 ? target.intEncoding.bits : 0);
      let type: string;
      if (bits && target.kind === 'int') type = target.intEncoding?.bool ? 'boolean' : (target.size ?? 0) > 4 ? 'bigint' : 'number';
      else type = this.tsType(m.type, depth + 1);
      const c = this.#btf.typeName(m.type);
      lines.push(`  /** \`${c}${bits ? ` : ${bits}` : ''}\` at ${bits ? `bit ${m.bitOffset}` : `byte ${m.bitOffset / 8}`} */\n  ${prop(name)}: ${type};`);
    });
    return lines;
  }

  private declareStruct(t: BtfType, typedefName: string | undefined, depth: number): string {
    const cName = t.name || typedefName;
    if (!cName) return `{\n${this.members(t, depth).join('\n')}\n}`;
    const n = this.nameOf(t.id, cName, 'struct');
    if (!this.#declared.has(t.id)) {
      this.#declared.add(t.id);
      const at = this.#decls.length;
      this.#decls.push('');
      const body = this.members(t, depth);
      this.#decls[at] = `/** \`${t.name ? `struct ${t.name}` : typedefName}\` (${t.size ?? 0} bytes). */\nexport interface ${n} {\n${body.join('\n')}\n}`;
    }
    return n;
  }

  /** Named structs, unions and enums with the original ids, for the `codecs` object. */
  namedTypes(): Array<{ name: string; id: number }> {
    return [...this.#names.entries()].map(([id, name]) => ({ name, id }));
  }

  declarations(): string[] {
    return this.#decls;
  }
}

interface MapPlan {
  spec: MapSpec;
  /** `BpfMap<K, V>`, or `UntypedMap`. */
  type: string;
  /** The `obj.map(...)` call's codecs argument, or '' for an untyped map. */
  codecs: string;
}

function planMap(g: Generator, btf: Btf, m: MapSpec): MapPlan {
  const untyped = { spec: m, type: 'UntypedMap', codecs: '' };
  if (m.type === MapType.ringbuf) return untyped;
  const keyless = isKeylessMapType(m.type);
  const side = (role: 'key' | 'value'): { ts: string; codec: string } | null => {
    const id = role === 'key' ? m.btfKeyTypeId : m.btfValueTypeId;
    const size = role === 'key' ? m.keySize : m.valueSize;
    if (id && btf.sizeOf(id) === size) {
      g.include(id);
      const ts = g.tsType(id);
      return { ts, codec: `codec<${ts}>(#${id})` };
    }
    if (size === 4 && (role === 'key' ? INDEX_KEYED : HANDLE_VALUED).has(m.type)) return { ts: 'number', codec: 'u32' };
    return null;
  };
  const key = keyless ? { ts: 'undefined', codec: '' } : side('key');
  const value = side('value');
  if (!key || !value) return untyped;
  const perCpu = isPerCpuMapType(m.type);
  const vTs = perCpu ? (/[|&]/.test(value.ts) ? `Array<${value.ts}>` : `${value.ts}[]`) : value.ts;
  const vCodec = perCpu ? `perCpu(${value.codec})` : value.codec;
  return {
    spec: m,
    type: `BpfMap<${key.ts}, ${vTs}>`,
    codecs: keyless ? `{ value: ${vCodec} }` : `{ key: ${key.codec}, value: ${vCodec} }`,
  };
}

/** `.rodata` -> `rodata`, `.data.values` -> `data_values`. */
function sectionProp(section: string): string {
  const p = section.replace(/^\./, '').replace(/[^A-Za-z0-9_]/g, '_');
  return IDENT.test(p) ? p : `sec_${p}`;
}

/**
 * Generates the TypeScript skeleton of a BPF object (a path or its bytes).
 * The object is opened (never loaded) to read its BTF, maps, programs and
 * variables. Deterministic: the same object and options give the same text,
 * so a checked-in skeleton can be compared (`bpfhost gen skeleton --check`).
 *
 * Throws `EINVAL` for an object without BTF (compile with `-g`),
 * {@link CodecError} for a `types` name the BTF does not have.
 *
 * @example
 * writeFileSync('prog.skel.ts', generateSkeleton('prog.bpf.o', { types: ['struct event'] }));
 */
export function generateSkeleton(source: string | Uint8Array, opts: SkeletonOptions = {}): string {
  const name = opts.name ?? opts.sourceName?.split('.')[0];
  using obj = BpfObject.open(source, typeof source === 'string' || name === undefined ? {} : { name });
  const btf = obj.btf;
  if (!btf) {
    throw new BpfError('EINVAL', Errno.EINVAL, 'the object has no BTF (compile it with clang -g): a skeleton is typed from BTF', {
      object: obj.name,
      op: 'generateSkeleton',
    });
  }
  const cls = opts.className ?? `${pascal(obj.name)}Skeleton`;
  const stem = cls.replace(/Skeleton$/, '') || cls;
  const sectionNames = [...new Set(obj.variableSpecs.map((v) => `${stem}${pascal(sectionProp(v.section))}`))];
  const g = new Generator(btf, [cls, `${stem}Maps`, `${stem}Programs`, ...sectionNames]);
  const requested = (opts.types ?? []).map((n) => ({ name: n, id: btf.find(n) }));
  for (const r of requested) {
    g.include(r.id);
    g.tsType(r.id);
  }
  const maps = obj.maps.filter((m) => !m.internal).map((m) => planMap(g, btf, m));
  const sections = new Map<string, Array<{ name: string; ts: string; id: number; cType: string }>>();
  for (const v of obj.variableSpecs) {
    if (!IDENT.test(v.name)) continue; // static locals such as bpf_printk's 'fn.____fmt'
    g.include(v.btfTypeId);
    const list = sections.get(v.section) ?? [];
    list.push({ name: v.name, ts: g.tsType(v.btfTypeId), id: v.btfTypeId, cType: v.typeName });
    sections.set(v.section, list);
  }
  const table = g.table();
  const from = opts.importFrom ?? '@bpfhost/api';
  const src = opts.sourceName ?? (typeof source === 'string' ? basename(source) : 'object');
  const codecRef = (c: string): string => c.replace(/#(\d+)/g, (_, id: string) => String(g.newId(Number(id))));

  const out: string[] = [];
  out.push(
    `// Generated by \`bpfhost gen skeleton\` from ${src}: do not edit.`,
    `// Regenerate after changing the BPF program; \`bpfhost gen skeleton ${src} -o FILE --check\` fails when this file is stale.`,
    '/* eslint-disable */',
    'IMPORTS',
    '',
  );
  for (const d of g.declarations()) out.push(d, '');
  const named = g.namedTypes().sort((a, b) => a.id - b.id);
  if (named.length > 0 || maps.some((m) => m.codecs.includes('codec<'))) {
    out.push(
      '/** The BTF types the codecs are laid out from (the reachable part of the object\'s BTF, renumbered). */',
      'const types: BtfType[] = [',
      ...table.map((t) => `  ${literal(t)},`),
      '];',
      'const btf = new Btf(types);',
      'const codec = <T>(id: number): Codec<T> => btf.codec(id) as Codec<T>;',
      '',
    );
  }
  out.push('/** Codecs of the named types, laid out from BTF (for ring buffer records, hand-made maps, ...). */', 'export const codecs = {');
  for (const { name, id } of named) {
    const t = btf.type(id);
    const ts = t.kind === 'union' ? 'Buffer' : name;
    out.push(`  ${prop(name)}: codec<${ts}>(${g.newId(id)}),`);
  }
  out.push('};', '');

  for (const [section, vars] of sections) {
    out.push(`/** The variables of \`${section}\`${section.startsWith('.rodata') ? ' (settable before load(); frozen after)' : ''}. */`);
    out.push(`export interface ${stem}${pascal(sectionProp(section))} {`);
    for (const v of vars) out.push(`  /** \`${v.cType}\` */`, `  ${prop(v.name)}: ${v.ts};`);
    out.push('}', '');
  }
  out.push(`/** The maps of ${src}, typed from BTF. */`, `export interface ${stem}Maps {`);
  for (const m of maps) out.push(`  /** ${m.spec.typeName}${m.spec.keyType ? `, key \`${m.spec.keyType}\`` : ''}${m.spec.valueType ? `, value \`${m.spec.valueType}\`` : ''} */`, `  ${prop(m.spec.name)}: ${m.type};`);
  out.push('}', '');
  const programs = obj.programs;
  out.push(`/** The programs of ${src}. */`, `export interface ${stem}Programs {`);
  for (const p of programs) {
    const type = p.type === 0 ? 'its type from an extension' : p.typeName;
    out.push(`  /** section \`${p.section}\`, ${type} */`, `  ${prop(p.name)}: ${programTsType(p.type)};`);
  }
  out.push('}', '');
  const mapNames = obj.maps.map((m) => JSON.stringify(m.name)).join(' | ') || 'never';
  const progNames = programs.map((p) => JSON.stringify(p.name)).join(' | ') || 'never';

  out.push(
    `/**`,
    ` * ${src} with typed maps, programs and variables. \`open()\` starts the open phase: set`,
    ` * variables (\`skel.rodata.x = 1\`) and map/program settings, then \`load()\`.`,
    ` */`,
    `export class ${cls} {`,
    '  /** The object underneath (for what the skeleton does not type: ring buffers, pins...). */',
    '  readonly object: BpfObject;',
    `  #maps: ${stem}Maps | undefined;`,
    `  #programs: ${stem}Programs | undefined;`,
    '',
    '  private constructor(object: BpfObject) {',
    '    this.object = object;',
    '  }',
    '',
    `  /** Opens the object (a path or its bytes); nothing is created until {@link load}. */`,
    `  static open(source: string | Uint8Array, opts?: OpenOptions): ${cls} {`,
    `    return new ${cls}(BpfObject.open(source, opts));`,
    '  }',
    '',
    '  /** Creates the maps and loads the programs (see BpfObject.load). */',
    '  load(): this {',
    '    this.object.load();',
    '    return this;',
    '  }',
    '',
    '  close(): void {',
    '    this.object.close();',
    '  }',
    '',
    '  [Symbol.dispose](): void {',
    '    this.close();',
    '  }',
    '',
    '  /** Sets a map\'s definition before load. */',
    `  configureMap(name: ${mapNames}, settings: MapSettings): this {`,
    '    this.object.configureMap(name, settings);',
    '    return this;',
    '  }',
    '',
    '  /** Sets a program\'s type, attach type or autoload before load. */',
    `  configureProgram(name: ${progNames}, settings: ProgramSettings): this {`,
    '    this.object.configureProgram(name, settings);',
    '    return this;',
    '  }',
    '',
  );
  for (const section of sections.keys()) {
    out.push(
      `  /** \`${section}\`: read and set before load (the values load writes), after load the live map's${section.startsWith('.rodata') ? ' (read only)' : ''}. */`,
      `  get ${sectionProp(section)}(): ${stem}${pascal(sectionProp(section))} {`,
      `    return this.object.variables as unknown as ${stem}${pascal(sectionProp(section))};`,
      '  }',
      '',
    );
  }
  out.push(
    '  /** The live maps, typed (after load; each codec is checked against the map\'s BTF). */',
    `  get maps(): ${stem}Maps {`,
    ...(maps.length ? ['    const o = this.object;'] : []),
    '    return (this.#maps ??= {',
    ...maps.map((m) => `      ${prop(m.spec.name)}: o.map(${JSON.stringify(m.spec.name)}${m.codecs ? `, ${codecRef(m.codecs)}` : ''}),`),
    '    });',
    '  }',
    '',
    '  /** The live programs (after load). */',
    `  get programs(): ${stem}Programs {`,
    ...(programs.length ? ['    const o = this.object;'] : []),
    '    return (this.#programs ??= {',
    ...programs.map((p) => `      ${prop(p.name)}: o.program(${JSON.stringify(p.name)})${p.type === 0 ? '' : `.ofType(${p.type})`},`),
    '    });',
    '  }',
    '}',
    '',
  );
  // Import what this object's skeleton uses (a strict consumer's noUnusedLocals would refuse the rest).
  const text = out.join('\n');
  const values = ['BpfObject', 'Btf', 'perCpu', 'u32'].filter((n) => new RegExp(`\\b${n}\\b`).test(text));
  const types = ['BpfMap', 'BtfType', 'Codec', 'MapSettings', 'OpenOptions', 'Program', 'ProgramOfType', 'ProgramSettings', 'UntypedMap'].filter((n) =>
    new RegExp(`\\b${n}\\b`).test(text),
  );
  const imports = `import { ${[...values, ...types.map((t) => `type ${t}`)].join(', ')} } from '${from}';`;
  return text.replace('IMPORTS', imports);
}
