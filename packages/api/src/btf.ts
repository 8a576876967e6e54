/**
 * Codecs derived from BTF, the type information clang puts in a BPF object
 * (`-g`). {@link Btf} wraps an object's type table (what
 * `NativeObject.btfTypes()` returns: index = type id, 0 = void) and builds a
 * {@link Codec} for any sized type:
 *
 * | BTF kind | JavaScript value |
 * |---|---|
 * | int 1/2/4 bytes | `number` (`boolean` for `bool`) |
 * | int 8/16 bytes | `bigint` |
 * | enum, enum64 | the enumerator's name (`string`) when the value has one, else the number (`bigint` for 8-byte enums); encoding takes either |
 * | typedef, const, volatile, restrict, type_tag | the type they refer to |
 * | ptr | `bigint` (the 64-bit address) |
 * | array of `char` | `string` (NUL-terminated, at most n-1 UTF-8 bytes) |
 * | array of `unsigned char`/`__u8` | `Buffer` |
 * | other arrays | `BtfValue[]` |
 * | struct | an object with one property per member; bitfields of ints, bools and enums are read and written bit-exactly; anonymous struct members are flattened into the parent (as C accesses them) and other anonymous members are named `__anon<index>`; members missing when encoding are zero (as in a C initializer), unknown ones are refused |
 * | union | `Buffer` of the union's size (raw bytes: no member is more right than another) |
 * | float 4/8 | `number`; other float sizes: `Buffer` |
 * | var | its type |
 * | datasec (`.data`, `.bss`, `.rodata`) | an object with one property per variable |
 *
 * Void, forward declarations and functions have no size and are refused with
 * a {@link CodecError}. Bit offsets are those of a little-endian target (BPF
 * on x86-64, the platform bpfhost builds for).
 *
 * @module
 */
import {
  array,
  bigIntCodec,
  bigRange,
  bool,
  bytes,
  cstring,
  defineCodec,
  f32,
  f64,
  i16,
  i32,
  i8,
  readUnsigned,
  refuse,
  refuseDescribed,
  u16,
  u32,
  u8,
  writeUnsigned,
  type Codec,
  type StructField,
} from './codecs.js';
import { CodecError } from './errors.js';

/** One BTF type, as the binding reports it (see `NativeObject.btfTypes()`). */
export interface BtfType {
  id: number;
  /** 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'enum64', 'typedef', 'volatile', 'const', 'restrict', 'fwd', 'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag'. */
  kind: string;
  name: string;
  size?: number;
  /** Referenced type id (typedef, modifiers, ptr, var, func...). */
  type?: number;
  intEncoding?: { signed: boolean; char: boolean; bool: boolean; bits: number; offset: number };
  array?: { elemType: number; indexType: number; nelems: number };
  /** struct/union members. */
  members?: Array<{ name: string; type: number; bitOffset: number; bitfieldSize: number }>;
  /** enum/enum64 enumerators. */
  values?: Array<{ name: string; value: bigint }>;
  vlen?: number;
  /** func_proto parameters. */
  params?: Array<{ name: string; type: number }>;
  /** datasec variables: `type` is a var, at `offset`, `size` bytes. */
  vars?: Array<{ type: number; offset: number; size: number }>;
  /** var/func linkage: 0 static, 1 global, 2 extern. */
  linkage?: number;
  /** struct/union: bitfield offsets; fwd: union; enum: signed. */
  kindFlag?: boolean;
  /** decl_tag: -1 for the declaration, else the member or parameter index. */
  componentIdx?: number;
}

/** A value decoded with a BTF-derived codec (see the table in {@link Btf}). */
export type BtfValue =
  | number
  | bigint
  | boolean
  | string
  | Buffer
  | BtfValue[]
  | { [member: string]: BtfValue };

const MODIFIERS = new Set(['typedef', 'const', 'volatile', 'restrict', 'type_tag']);
const MAX_DEPTH = 64;

/** How one struct member is stored: a whole codec at a byte offset, or a bitfield. */
type Member =
  | { kind: 'plain'; name: string; offset: number; codec: Codec<BtfValue> }
  | { kind: 'flatten'; offset: number; codec: BtfStructCodec }
  | { kind: 'bits'; name: string; bitOffset: number; bits: number; field: BitfieldType };

/** The scalar a bitfield holds. */
interface BitfieldType {
  name: string;
  signed: boolean;
  /** Bytes of the declared type: up to 4 decode as numbers, more as bigints. */
  size: number;
  bool: boolean;
  enumValues?: Map<bigint, string>;
  enumNames?: Map<string, bigint>;
}

interface BtfStructCodec extends Codec<BtfValue> {
  /** Member names as they appear in decoded objects (flattened members included). */
  readonly names: ReadonlySet<string>;
  /** Whole-byte members with their offsets (flattened members included; bitfields are not). */
  readonly fields: readonly StructField[];
  readonly writeMembers: (v: Record<string, unknown>, buf: Buffer, off: number) => void;
  readonly readMembers: (out: Record<string, BtfValue>, buf: Buffer, off: number) => void;
}

/**
 * An object's BTF type table, and the codecs derived from it.
 *
 * @example
 * const btf = new Btf(types);
 * const value = btf.codec(map.btfValueTypeId); // Codec<BtfValue>
 */
export class Btf {
  readonly types: readonly BtfType[];
  readonly #codecs = new Map<number, Codec<BtfValue>>();

  constructor(types: readonly BtfType[]) {
    this.types = types;
  }

  /** The type with id `id`. Throws {@link CodecError} for an unknown id. */
  type(id: number): BtfType {
    const t = this.types[id];
    if (t && t.id === id) return t;
    const found = this.types.find((x) => x.id === id);
    if (!found) throw new CodecError({ codec: 'btf', expected: `a BTF type id below ${this.types.length}`, got: String(id) });
    return found;
  }

  /** `id` with typedefs and modifiers (const, volatile, restrict, type_tag) skipped. */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let depth = 0; MODIFIERS.has(t.kind) || t.kind === 'var'; depth++) {
      if (depth > MAX_DEPTH || t.type === undefined) {
        throw new CodecError({ codec: 'btf', expected: 'a chain of typedefs that ends', got: `a loop at type ${id}` });
      }
      t = this.type(t.type);
    }
    return t;
  }

  /** A C-like name of type `id`: `__u32`, `struct event`, `char[16]`, `void *`. */
  typeName(id: number, depth = 0): string {
    if (id === 0) return 'void';
    if (depth > MAX_DEPTH) return '...';
    const t = this.type(id);
    const inner = (): string => (t.type === undefined ? 'void' : this.typeName(t.type, depth + 1));
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'typedef':
        return t.name;
      case 'struct':
      case 'union':
      case 'enum':
      case 'fwd':
        return `${t.kind === 'enum' ? 'enum' : t.kind === 'fwd' ? 'struct' : t.kind} ${t.name || '<anon>'}`;
      case 'enum64':
        return `enum ${t.name || '<anon>'}`;
      case 'ptr':
        return `${inner()} *`;
      case 'const':
      case 'volatile':
      case 'restrict':
        return `${t.kind} ${inner()}`;
      case 'type_tag':
        return inner();
      case 'array':
        return `${this.typeName(t.array?.elemType ?? 0, depth + 1)}[${t.array?.nelems ?? 0}]`;
      default:
        return t.name || t.kind;
    }
  }

  /** The byte size of type `id` (0 for void and unsized kinds). */
  sizeOf(id: number): number {
    return id === 0 ? 0 : this.codecOrNull(id)?.size ?? 0;
  }

  private codecOrNull(id: number): Codec<BtfValue> | null {
    try {
      return this.codec(id);
    } catch {
      return null;
    }
  }

  /**
   * The id of the type named `name`: `'struct event'`, `'union u'`, `'enum
   * proto'`, or a bare name (a typedef, an int, or a struct/union/enum when
   * nothing else has that name). Throws {@link CodecError} when there is none.
   */
  find(name: string): number {
    const m = /^\s*(struct|union|enum)\s+(\S+)\s*$/.exec(name);
    const kinds = m ? (m[1] === 'enum' ? ['enum', 'enum64'] : [m[1] as string]) : null;
    const bare = (m ? m[2] : name.trim()) as string;
    const named = this.types.filter((t) => t.name === bare && (kinds ? kinds.includes(t.kind) : t.kind !== 'var' && t.kind !== 'func'));
    // A bare name prefers what C would call it without a tag: a typedef or a base type.
    const pick = kinds ? named[0] : named.find((t) => t.kind === 'typedef' || t.kind === 'int' || t.kind === 'float') ?? named[0];
    if (!pick) throw new CodecError({ codec: 'btf', expected: `a type named '${name}' in the BTF`, got: 'none' });
    return pick.id;
  }

  /**
   * The codec of type `id`, or of the type named so (see {@link find};
   * memoized). Throws {@link CodecError} for types without a size (void,
   * fwd, func), unknown names and malformed tables.
   *
   * @example btf.codec('struct flow_key')
   */
  codec(idOrName: number | string): Codec<BtfValue> {
    const id = typeof idOrName === 'string' ? this.find(idOrName) : idOrName;
    let c = this.#codecs.get(id);
    if (!c) {
      c = this.build(id, 0);
      this.#codecs.set(id, c);
    }
    return c;
  }

  private sub(id: number, depth: number): Codec<BtfValue> {
    if (depth > MAX_DEPTH) {
      throw new CodecError({ codec: 'btf', expected: `types nested at most ${MAX_DEPTH} deep`, got: `type ${id}` });
    }
    const c = this.#codecs.get(id);
    if (c) return c;
    const built = this.build(id, depth + 1);
    this.#codecs.set(id, built);
    return built;
  }

  private build(id: number, depth: number): Codec<BtfValue> {
    if (id === 0) throw new CodecError({ codec: 'void', expected: 'a BTF type with a size', got: 'void (type 0)' });
    const t = this.type(id);
    switch (t.kind) {
      case 'int':
        return this.intCodec(t);
      case 'enum':
      case 'enum64':
        return enumCodec(t);
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'var': {
        if (t.type === undefined) throw new CodecError({ codec: t.name || t.kind, expected: 'a referenced type', got: 'none' });
        const inner = this.sub(t.type, depth);
        return t.kind === 'typedef' ? renamed(inner, t.name) : inner;
      }
      case 'ptr':
        return bigIntCodec(this.typeName(id), 8, false) as Codec<BtfValue>;
      case 'array':
        return this.arrayCodec(t, depth);
      case 'struct':
        return this.structCodec(t, depth);
      case 'datasec':
        return this.structCodec(this.datasecAsStruct(t), depth);
      case 'union':
        return renamed(bytes(t.size ?? 0) as Codec<BtfValue>, `union ${t.name || '<anon>'}`);
      case 'float':
        if (t.size === 4) return f32 as Codec<BtfValue>;
        if (t.size === 8) return f64 as Codec<BtfValue>;
        return renamed(bytes(t.size ?? 0) as Codec<BtfValue>, t.name);
      default:
        throw new CodecError({
          codec: this.typeName(id),
          expected: 'a BTF type with a size (int, enum, ptr, array, struct, union, float, or a typedef of one)',
          got: `a '${t.kind}' (type ${id})`,
        });
    }
  }

  private intCodec(t: BtfType): Codec<BtfValue> {
    const size = t.size ?? 0;
    const enc = t.intEncoding ?? { signed: false, char: false, bool: false, bits: size * 8, offset: 0 };
    if (enc.bool && size === 1) return renamed(bool as Codec<BtfValue>, t.name);
    let c: Codec<unknown>;
    switch (size) {
      case 1:
        c = enc.signed ? i8 : u8;
        break;
      case 2:
        c = enc.signed ? i16 : u16;
        break;
      case 4:
        c = enc.signed ? i32 : u32;
        break;
      case 8:
      case 16:
        return bigIntCodec(t.name, size, enc.signed) as Codec<BtfValue>;
      default:
        throw new CodecError({ codec: t.name, expected: 'an int of 1, 2, 4, 8 or 16 bytes', got: `${size} bytes` });
    }
    return renamed(c as Codec<BtfValue>, t.name);
  }

  private isChar(id: number): boolean {
    const t = this.resolve(id);
    return t.kind === 'int' && t.size === 1 && (t.intEncoding?.char === true || t.name === 'char');
  }

  private isByte(id: number): boolean {
    const t = this.resolve(id);
    return t.kind === 'int' && t.size === 1 && !t.intEncoding?.signed && !t.intEncoding?.bool;
  }

  private arrayCodec(t: BtfType, depth: number): Codec<BtfValue> {
    const a = t.array;
    if (!a) throw new CodecError({ codec: 'array', expected: 'array details', got: `none (type ${t.id})` });
    if (a.nelems === 0) return emptyArray(`${this.typeName(a.elemType)}[0]`);
    if (this.isChar(a.elemType)) return cstring(a.nelems) as Codec<BtfValue>;
    if (this.isByte(a.elemType)) return renamed(bytes(a.nelems) as Codec<BtfValue>, this.typeName(t.id));
    const elem = this.sub(a.elemType, depth);
    return array(elem, a.nelems) as Codec<BtfValue>;
  }

  /** A datasec as a struct whose members are its variables (named after them). */
  private datasecAsStruct(t: BtfType): BtfType {
    const members = (t.vars ?? []).map((v) => ({ name: this.type(v.type).name, type: v.type, bitOffset: v.offset * 8, bitfieldSize: 0 }));
    return { ...t, members: t.members ?? members };
  }

  /** The scalar a bitfield member holds, or null if the type cannot be a bitfield. */
  private bitfieldType(id: number): BitfieldType | null {
    const t = this.resolve(id);
    if (t.kind === 'int') {
      const enc = t.intEncoding;
      return { name: t.name, signed: enc?.signed === true, size: t.size ?? 0, bool: enc?.bool === true };
    }
    if (t.kind === 'enum' || t.kind === 'enum64') {
      const { byValue, byName, signed } = enumTables(t);
      return { name: `enum ${t.name || '<anon>'}`, signed, size: t.size ?? 4, bool: false, enumValues: byValue, enumNames: byName };
    }
    return null;
  }

  private structCodec(t: BtfType, depth: number): BtfStructCodec {
    const name = t.kind === 'datasec' ? t.name : `struct ${t.name || '<anon>'}`;
    const size = t.size ?? 0;
    const members: Member[] = [];
    const names = new Set<string>();
    const add = (n: string): void => {
      names.add(n);
    };
    (t.members ?? []).forEach((m, index) => {
      const memberName = m.name || `__anon${index}`;
      let bits = m.bitfieldSize;
      let bitOffset = m.bitOffset;
      const target = this.resolve(m.type);
      // Old-style bitfields: the int's own encoding narrows it.
      if (!bits && target.kind === 'int' && target.intEncoding) {
        const enc = target.intEncoding;
        if (enc.bits !== (target.size ?? 0) * 8 || enc.offset !== 0) {
          bits = enc.bits;
          bitOffset += enc.offset;
        }
      }
      if (bits || bitOffset % 8 !== 0) {
        const field = this.bitfieldType(m.type);
        if (!field || !bits) {
          throw new CodecError({
            codec: name,
            path: `.${memberName}`,
            expected: 'bitfields of ints, bools or enums only',
            got: `a ${bits}-bit ${this.typeName(m.type)} at bit ${bitOffset}`,
          });
        }
        members.push({ kind: 'bits', name: memberName, bitOffset, bits, field });
        add(memberName);
        return;
      }
      const codec = this.sub(m.type, depth);
      const offset = bitOffset / 8;
      if (!m.name && target.kind === 'struct') {
        const inner = codec as BtfStructCodec;
        members.push({ kind: 'flatten', offset, codec: inner });
        for (const n of inner.names) add(n);
        return;
      }
      members.push({ kind: 'plain', name: memberName, offset, codec });
      add(memberName);
    });
    for (const m of members) {
      const end = m.kind === 'bits' ? Math.ceil((m.bitOffset + m.bits) / 8) : m.offset + m.codec.size;
      if (end > size) {
        throw new CodecError({
          codec: name,
          path: m.kind === 'flatten' ? '' : `.${m.name}`,
          expected: `members within the struct's ${size} bytes`,
          got: `a member ending at byte ${end}`,
        });
      }
    }
    const expectedObject = `an object with members ${[...names].join(', ')}`;
    const writeMembers = (v: Record<string, unknown>, buf: Buffer, off: number): void => {
      for (const m of members) {
        try {
          if (m.kind === 'flatten') m.codec.writeMembers(v, buf, off + m.offset);
          else if (m.name in v) {
            if (m.kind === 'plain') m.codec.write(v[m.name] as BtfValue, buf, off + m.offset);
            else writeBits(m, v[m.name], buf, off);
          }
        } catch (e) {
          throw e instanceof CodecError && m.kind !== 'flatten' ? e.within(`.${m.name}`) : e;
        }
      }
    };
    const readMembers = (out: Record<string, BtfValue>, buf: Buffer, off: number): void => {
      for (const m of members) {
        if (m.kind === 'flatten') m.codec.readMembers(out, buf, off + m.offset);
        else if (m.kind === 'plain') out[m.name] = m.codec.read(buf, off + m.offset);
        else out[m.name] = readBits(m, buf, off);
      }
    };
    const base = defineCodec<BtfValue>({
      name,
      size,
      align: 1,
      write(value, buf, off) {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
          refuse(name, expectedObject, value);
        }
        const v = value as Record<string, unknown>;
        for (const k of Object.keys(v)) {
          if (!names.has(k)) refuseDescribed(name, `only the members ${[...names].join(', ')}`, `a member '${k}'`);
        }
        writeMembers(v, buf, off);
      },
      read(buf, off) {
        const out: Record<string, BtfValue> = {};
        readMembers(out, buf, off);
        return out;
      },
    });
    const fields: StructField[] = [];
    for (const m of members) {
      if (m.kind === 'plain') fields.push({ name: m.name, offset: m.offset, codec: m.codec });
      else if (m.kind === 'flatten') for (const f of m.codec.fields) fields.push({ ...f, offset: m.offset + f.offset });
    }
    return Object.assign(base, { names, fields, writeMembers, readMembers });
  }

  /**
   * How a struct codec's layout differs from struct type `id` of this BTF:
   * one line per member that is missing, extra, at another offset or of
   * another size (nested structs compared member by member; bitfields,
   * which a byte-addressed codec cannot express, are not compared). Empty
   * when they agree, or when `codec` or the type is no struct.
   */
  layoutMismatches(codec: Codec<unknown>, id: number, path = ''): string[] {
    const fields = (codec as { fields?: readonly StructField[] }).fields;
    const t = this.resolve(id);
    if (!fields || t.kind !== 'struct') return [];
    const own = this.structCodec(t, 0).fields;
    const out: string[] = [];
    const byName = new Map(fields.map((f) => [f.name, f]));
    for (const want of own) {
      const p = `${path}.${want.name}`;
      const got = byName.get(want.name);
      byName.delete(want.name);
      if (!got) {
        out.push(`${p} (offset ${want.offset}, ${want.codec.size} bytes) is missing from the codec`);
        continue;
      }
      if (got.offset !== want.offset) out.push(`${p} is at offset ${got.offset} in the codec, ${want.offset} in the BTF`);
      if (got.codec.size !== want.codec.size) out.push(`${p} is ${got.codec.size} bytes in the codec, ${want.codec.size} in the BTF`);
      const member = this.memberType(t, want.name);
      if (member !== undefined && got.offset === want.offset) out.push(...this.layoutMismatches(got.codec, member, p));
    }
    // A codec may read bitfields as one raw field of their bytes (under any name), as long as it overlaps no whole member.
    const bitBytes = new Set<number>();
    for (const m of t.members ?? []) {
      if (m.bitfieldSize > 0) for (let b = Math.floor(m.bitOffset / 8); b < Math.ceil((m.bitOffset + m.bitfieldSize) / 8); b++) bitBytes.add(b);
    }
    for (const [extra, f] of byName) {
      const end = f.offset + f.codec.size;
      const overlapsMember = own.some((w) => f.offset < w.offset + w.codec.size && w.offset < end);
      let overlapsBits = false;
      for (let b = f.offset; b < end && !overlapsBits; b++) overlapsBits = bitBytes.has(b);
      if (!overlapsBits || overlapsMember) out.push(`${path}.${extra} is not a member of ${this.typeName(t.id)}`);
    }
    return out;
  }

  /** The type id of member `name` of struct `t` (looking into anonymous members). */
  private memberType(t: BtfType, name: string, depth = 0): number | undefined {
    for (const m of t.members ?? []) {
      if (m.name === name) return m.type;
      if (!m.name && depth < MAX_DEPTH) {
        const inner = this.resolve(m.type);
        if (inner.kind === 'struct') {
          const found = this.memberType(inner, name, depth + 1);
          if (found !== undefined) return found;
        }
      }
    }
    return undefined;
  }
}

/** `inner` under another name (a typedef's, a C type's): messages name it. */
function renamed(inner: Codec<BtfValue>, name: string): Codec<BtfValue> {
  if (!name || name === inner.name) return inner;
  const base = defineCodec<BtfValue>({
    name,
    size: inner.size,
    align: inner.align,
    write(value, buf, off) {
      try {
        inner.write(value, buf, off);
      } catch (e) {
        if (e instanceof CodecError && e.path === '' && e.codec === inner.name) {
          throw new CodecError({ codec: name, expected: e.expected, got: e.got });
        }
        throw e;
      }
    },
    read: inner.read,
  });
  // Struct codecs keep their member tables (flattening reads them).
  return Object.assign(Object.create(inner) as object, base) as Codec<BtfValue>;
}

function emptyArray(name: string): Codec<BtfValue> {
  return defineCodec<BtfValue>({
    name,
    size: 0,
    align: 1,
    write(value) {
      if (!Array.isArray(value) || value.length !== 0) refuse(name, 'an empty array', value);
    },
    read: () => [],
  });
}

function enumTables(t: BtfType): { byValue: Map<bigint, string>; byName: Map<string, bigint>; signed: boolean } {
  const byValue = new Map<bigint, string>();
  const byName = new Map<string, bigint>();
  let signed = t.kindFlag === true;
  for (const { name, value } of t.values ?? []) {
    const v = BigInt(value);
    if (!byValue.has(v)) byValue.set(v, name);
    byName.set(name, v);
    if (v < 0n) signed = true;
  }
  return { byValue, byName, signed };
}

/**
 * An enum: decodes to the enumerator's name, or the number when no
 * enumerator has the value; encodes a name or a number in range.
 */
function enumCodec(t: BtfType): Codec<BtfValue> {
  const size = t.size ?? 4;
  const { byValue, byName, signed } = enumTables(t);
  const name = `enum ${t.name || '<anon>'}`;
  if (![1, 2, 4, 8].includes(size)) {
    throw new CodecError({ codec: name, expected: 'an enum of 1, 2, 4 or 8 bytes', got: `${size} bytes` });
  }
  const [min, max] = bigRange(size * 8, signed);
  const big = size === 8;
  const names = [...byName.keys()];
  const expected = `one of ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''} or ${big ? 'a bigint' : 'an integer'} in ${min}..${max}`;
  return defineCodec<BtfValue>({
    name,
    size,
    align: size,
    write(value, buf, off) {
      let v: bigint | undefined;
      if (typeof value === 'string') v = byName.get(value);
      else if (typeof value === 'bigint') v = value;
      else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value);
      if (v === undefined || v < min || v > max) refuse(name, expected, value);
      writeUnsigned(buf, off, size, v);
    },
    read(buf, off) {
      const raw = readUnsigned(buf, off, size);
      const v = signed ? BigInt.asIntN(size * 8, raw) : raw;
      const n = byValue.get(v);
      if (n !== undefined) return n;
      return big ? v : Number(v);
    },
  });
}

function bitsSpan(m: { bitOffset: number; bits: number }): { start: number; len: number; shift: bigint; mask: bigint } {
  const start = Math.floor(m.bitOffset / 8);
  const len = Math.ceil((m.bitOffset + m.bits) / 8) - start;
  return { start, len, shift: BigInt(m.bitOffset % 8), mask: (1n << BigInt(m.bits)) - 1n };
}

function readBits(m: Extract<Member, { kind: 'bits' }>, buf: Buffer, off: number): BtfValue {
  const { start, len, shift, mask } = bitsSpan(m);
  const raw = (readUnsigned(buf, off + start, len) >> shift) & mask;
  const f = m.field;
  const v = f.signed ? BigInt.asIntN(m.bits, raw) : raw;
  if (f.bool) return v !== 0n;
  if (f.enumValues) {
    const n = f.enumValues.get(v);
    if (n !== undefined) return n;
  }
  return f.size > 4 ? v : Number(v);
}

function writeBits(m: Extract<Member, { kind: 'bits' }>, value: unknown, buf: Buffer, off: number): void {
  const f = m.field;
  const [min, max] = bigRange(m.bits, f.signed);
  const codecName = `${f.name}:${m.bits}`;
  let v: bigint | undefined;
  if (f.bool) {
    if (typeof value !== 'boolean') refuse(codecName, 'a boolean', value);
    v = value ? 1n : 0n;
  } else {
    if (typeof value === 'string' && f.enumNames) v = f.enumNames.get(value);
    else if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value);
    if (v === undefined || v < min || v > max) {
      refuse(codecName, `${f.enumNames ? 'an enumerator or ' : ''}an integer in ${min}..${max} (${m.bits} bits)`, value);
    }
  }
  const { start, len, shift, mask } = bitsSpan(m);
  const old = readUnsigned(buf, off + start, len);
  const next = (old & ~(mask << shift)) | ((BigInt.asUintN(m.bits, v) & mask) << shift);
  writeUnsigned(buf, off + start, len, next);
}
