/**
 * Codecs: how a JavaScript value becomes the bytes of a map key or value (and
 * back). A codec has a fixed `size` and C `align`ment, so codecs compose into
 * C structs and arrays with the layout a C compiler gives them
 * (`struct({ a: u8, b: u64 })` is 16 bytes, `b` at offset 8).
 *
 * Integers up to 32 bits are `number`s, 64-bit ones `bigint`s. Encoding
 * checks types and ranges and throws a {@link CodecError} that says what was
 * expected; decoding requires a buffer of exactly `size` bytes. Byte order is
 * the host's (maps hold host-order values, as in Linux).
 *
 * @module
 */
import { endianness } from 'node:os';

import { CodecError } from './errors.js';
import { withScalar, type TypedArrayType } from './scalar.js';

/** Converts values of type `T` to and from a fixed number of bytes. */
export interface Codec<T> {
  /** A readable C-like name: `u32`, `u8[4]`, `struct { a: u32, b: u64 }`. */
  readonly name: string;
  /** Encoded size in bytes. */
  readonly size: number;
  /** C alignment in bytes (natural alignment of the widest member). */
  readonly align: number;
  /**
   * Writes `value` into `buf` at `offset` (`size` bytes that must be zero
   * beforehand). Throws {@link CodecError} when `value` does not fit.
   */
  write(value: T, buf: Buffer, offset: number): void;
  /** Reads a value from `buf` at `offset` (`size` bytes). */
  read(buf: Buffer, offset: number): T;
  /** A new Buffer of `size` bytes holding `value`. Throws {@link CodecError}. */
  encode(value: T): Buffer;
  /** Decodes exactly `size` bytes. Throws {@link CodecError} on another length. */
  decode(bytes: Uint8Array): T;
}

/** The value type of a codec: `Infer<typeof u64>` is `bigint`. */
export type Infer<C> = C extends Codec<infer T> ? T : never;

/** What a {@link defineCodec} caller provides; `encode`/`decode` are derived. */
export interface CodecSpec<T> {
  name: string;
  size: number;
  align: number;
  write(value: T, buf: Buffer, offset: number): void;
  read(buf: Buffer, offset: number): T;
}

/*
 * Dense codecs: write() sets every one of its `size` bytes and read() returns
 * a fresh value (no view of the buffer). BpfMap's single-element calls then
 * skip zeroing their scratch Buffers and may read into a reused one. Only the
 * built-in codecs are marked; a user's codec keeps the zeroed-buffer contract.
 */
const denseCodecs = new WeakSet<object>();

function markDense<C extends Codec<any>>(codec: C): C {
  denseCodecs.add(codec);
  return codec;
}

/** True if `codec` writes all its bytes and decodes to fresh values (internal). */
export function isDenseCodec(codec: Codec<unknown>): boolean {
  return denseCodecs.has(codec);
}

/** Turns any bytes into a Buffer view without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return String(v);
    case 'string': {
      const s = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
      return `the string ${s}`;
    }
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
      if (Array.isArray(v)) return `an array of ${v.length}`;
      return 'an object';
  }
}

/** Throws the {@link CodecError} of a codec that got something it cannot encode. */
export function refuse(codec: string, expected: string, got: unknown, path = ''): never {
  throw new CodecError({ codec, expected, got: describe(got), path });
}

/** As {@link refuse}, with `got` already described (`"a member 'z'"`). */
export function refuseDescribed(codec: string, expected: string, got: string, path = ''): never {
  throw new CodecError({ codec, expected, got, path });
}

/** Builds a codec from its layout and its read/write functions. */
export function defineCodec<T>(spec: CodecSpec<T>): Codec<T> {
  const { name, size, align, write, read } = spec;
  return {
    name,
    size,
    align,
    write,
    read,
    encode(value: T): Buffer {
      const buf = Buffer.alloc(size);
      write(value, buf, 0);
      return buf;
    },
    decode(bytes: Uint8Array): T {
      if (!(bytes instanceof Uint8Array) || bytes.byteLength !== size) {
        throw new CodecError({
          codec: name,
          expected: `${size} bytes`,
          got: describe(bytes),
        });
      }
      return read(asBuffer(bytes), 0);
    },
  };
}

const LE = endianness() === 'LE';

/* ------------------------------------------------------------------------ */
/* Integers, floats, bool                                                   */

function intCodec(name: string, size: 1 | 2 | 4, signed: boolean): Codec<number> {
  const bits = size * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const expected = `an integer in ${min}..${max}`;
  const fits = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  // The fixed-width Buffer methods: the generic (..., byteLength) ones validate more per call.
  const w = (buf: Buffer, v: number, off: number): void => {
    if (size === 1) {
      if (signed) buf.writeInt8(v, off);
      else buf.writeUInt8(v, off);
    } else if (size === 4) {
      if (signed) LE ? buf.writeInt32LE(v, off) : buf.writeInt32BE(v, off);
      else LE ? buf.writeUInt32LE(v, off) : buf.writeUInt32BE(v, off);
    } else if (signed) {
      LE ? buf.writeInt16LE(v, off) : buf.writeInt16BE(v, off);
    } else {
      LE ? buf.writeUInt16LE(v, off) : buf.writeUInt16BE(v, off);
    }
  };
  const r = (buf: Buffer, off: number): number => {
    if (size === 1) return signed ? buf.readInt8(off) : buf.readUInt8(off);
    if (size === 4) {
      if (signed) return LE ? buf.readInt32LE(off) : buf.readInt32BE(off);
      return LE ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
    }
    if (signed) return LE ? buf.readInt16LE(off) : buf.readInt16BE(off);
    return LE ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
  };
  const codec = defineCodec<number>({
    name,
    size,
    align: size,
    write(value, buf, off) {
      if (!fits(value)) refuse(name, expected, value);
      w(buf, value, off);
    },
    read: r,
  });
  return withScalar(markDense(codec), INT_ARRAYS[signed ? 'signed' : 'unsigned'][size], fits);
}

/** The typed array of each integer width, by size in bytes. */
const INT_ARRAYS: Record<'signed' | 'unsigned', Record<1 | 2 | 4, TypedArrayType>> = {
  unsigned: { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array },
  signed: { 1: Int8Array, 2: Int16Array, 4: Int32Array },
};

/** Largest and smallest values of a `bits`-wide integer. */
export function bigRange(bits: number, signed: boolean): [bigint, bigint] {
  const b = BigInt(bits);
  return signed ? [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n] : [0n, (1n << b) - 1n];
}

/** Reads `size` bytes at `off` as an unsigned integer in host order. */
export function readUnsigned(buf: Buffer, off: number, size: number): bigint {
  let v = 0n;
  for (let i = 0; i < size; i++) {
    const byte = buf[LE ? off + size - 1 - i : off + i] ?? 0;
    v = (v << 8n) | BigInt(byte);
  }
  return v;
}

/** Writes the low `size` bytes of `v` (two's complement) at `off` in host order. */
export function writeUnsigned(buf: Buffer, off: number, size: number, v: bigint): void {
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    buf[LE ? off + i : off + size - 1 - i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/** A bigint-valued integer codec of any byte size (8 for u64/i64, 16 for __int128). */
export function bigIntCodec(name: string, size: number, signed: boolean, align = size): Codec<bigint> {
  const [min, max] = bigRange(size * 8, signed);
  const expected = `a bigint in ${min}..${max}`;
  const fast = size === 8;
  const codec = markDense(defineCodec<bigint>({
    name,
    size,
    align,
    write(value, buf, off) {
      if (typeof value !== 'bigint') refuse(name, expected, value);
      if (fast) {
        // Node's 64-bit writers check the range themselves (RangeError): no second check here.
        try {
          if (signed) {
            if (LE) buf.writeBigInt64LE(value, off);
            else buf.writeBigInt64BE(value, off);
          } else if (LE) buf.writeBigUInt64LE(value, off);
          else buf.writeBigUInt64BE(value, off);
        } catch (e) {
          if (e instanceof RangeError && (value < min || value > max)) refuse(name, expected, value);
          throw e;
        }
      } else {
        if (value < min || value > max) refuse(name, expected, value);
        writeUnsigned(buf, off, size, value);
      }
    },
    read(buf, off) {
      if (fast) {
        if (signed) return LE ? buf.readBigInt64LE(off) : buf.readBigInt64BE(off);
        return LE ? buf.readBigUInt64LE(off) : buf.readBigUInt64BE(off);
      }
      const u = readUnsigned(buf, off, size);
      return signed ? BigInt.asIntN(size * 8, u) : u;
    },
  }));
  if (!fast) return codec;
  return withScalar(codec, signed ? BigInt64Array : BigUint64Array, (v) => typeof v === 'bigint' && v >= min && v <= max);
}

/** `__u8`: a number in 0..255. */
export const u8: Codec<number> = intCodec('u8', 1, false);
/** `__u16`: a number in 0..65535. */
export const u16: Codec<number> = intCodec('u16', 2, false);
/** `__u32`: a number in 0..4294967295. */
export const u32: Codec<number> = intCodec('u32', 4, false);
/** `__u64`: a bigint in 0..2^64-1. */
export const u64: Codec<bigint> = bigIntCodec('u64', 8, false);
/** `__s8`: a number in -128..127. */
export const i8: Codec<number> = intCodec('i8', 1, true);
/** `__s16`: a number in -32768..32767. */
export const i16: Codec<number> = intCodec('i16', 2, true);
/** `__s32`: a number in -2^31..2^31-1. */
export const i32: Codec<number> = intCodec('i32', 4, true);
/** `__s64`: a bigint in -2^63..2^63-1. */
export const i64: Codec<bigint> = bigIntCodec('i64', 8, true);

const F32_MAX = 3.4028234663852886e38;

/** `float`: any number; finite values beyond the float range are refused. */
export const f32: Codec<number> = markDense(defineCodec<number>({
  name: 'f32',
  size: 4,
  align: 4,
  write(value, buf, off) {
    if (typeof value !== 'number' || (Number.isFinite(value) && Math.abs(value) > F32_MAX)) {
      refuse('f32', `a number within +-${F32_MAX}`, value);
    }
    if (LE) buf.writeFloatLE(value, off);
    else buf.writeFloatBE(value, off);
  },
  read: (buf, off) => (LE ? buf.readFloatLE(off) : buf.readFloatBE(off)),
}));

/** `double`: any number. */
export const f64: Codec<number> = markDense(defineCodec<number>({
  name: 'f64',
  size: 8,
  align: 8,
  write(value, buf, off) {
    if (typeof value !== 'number') refuse('f64', 'a number', value);
    if (LE) buf.writeDoubleLE(value, off);
    else buf.writeDoubleBE(value, off);
  },
  read: (buf, off) => (LE ? buf.readDoubleLE(off) : buf.readDoubleBE(off)),
}));
withScalar(f64, Float64Array, (v) => typeof v === 'number');

/** `bool` (1 byte): `true` is 1, `false` 0; any non-zero byte decodes as `true`. */
export const bool: Codec<boolean> = markDense(defineCodec<boolean>({
  name: 'bool',
  size: 1,
  align: 1,
  write(value, buf, off) {
    if (typeof value !== 'boolean') refuse('bool', 'a boolean', value);
    buf[off] = value ? 1 : 0;
  },
  read: (buf, off) => buf[off] !== 0,
}));

/* ------------------------------------------------------------------------ */
/* Bytes and strings                                                        */

function checkLength(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff) {
    throw new CodecError({ codec: name, expected: 'a length (an integer in [1, 2147483647])', got: describe(n) });
  }
}

/** `__u8[n]` as raw bytes: encodes a Uint8Array of exactly `n` bytes, decodes to a Buffer copy. */
export function bytes(n: number): Codec<Buffer> {
  const name = `bytes(${n})`;
  checkLength(name, n);
  return markDense(defineCodec<Buffer>({
    name,
    size: n,
    align: 1,
    write(value, buf, off) {
      if (!(value instanceof Uint8Array) || value.byteLength !== n) refuse(name, `${n} bytes`, value);
      buf.set(value, off);
    },
    read: (buf, off) => Buffer.from(buf.subarray(off, off + n)),
  }));
}

/**
 * `char[n]` holding a NUL-terminated UTF-8 string of at most `n - 1` bytes.
 * Decoding stops at the first NUL (or after `n` bytes if there is none).
 */
export function cstring(n: number): Codec<string> {
  const name = `char[${n}]`;
  checkLength(name, n);
  const expected = `a string of at most ${n - 1} UTF-8 bytes without NUL`;
  return defineCodec<string>({
    name,
    size: n,
    align: 1,
    write(value, buf, off) {
      if (typeof value !== 'string' || value.includes('\0')) refuse(name, expected, value);
      const len = Buffer.byteLength(value, 'utf8');
      if (len > n - 1) refuse(name, expected, value);
      buf.write(value, off, len, 'utf8');
    },
    read(buf, off) {
      const end = buf.indexOf(0, off);
      return buf.toString('utf8', off, end < 0 || end > off + n ? off + n : end);
    },
  });
}

/* ------------------------------------------------------------------------ */
/* Arrays and structs                                                       */

/** A codec of a fixed-length C array; see {@link array}. */
export interface ArrayCodec<T> extends Codec<T[]> {
  readonly element: Codec<T>;
  readonly length: number;
}

/** `T[n]`: a JS array of exactly `n` elements, each encoded with `element`. */
export function array<T>(element: Codec<T>, n: number): ArrayCodec<T> {
  const name = `${element.name}[${n}]`;
  checkLength(name, n);
  const stride = element.size;
  const base = defineCodec<T[]>({
    name,
    size: stride * n,
    align: element.align,
    write(value, buf, off) {
      if (!Array.isArray(value) || value.length !== n) refuse(name, `an array of ${n}`, value);
      for (let i = 0; i < n; i++) {
        try {
          element.write(value[i] as T, buf, off + i * stride);
        } catch (e) {
          throw e instanceof CodecError ? e.within(`[${i}]`) : e;
        }
      }
    },
    read(buf, off) {
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = element.read(buf, off + i * stride);
      return out;
    },
  });
  const codec = Object.assign(base, { element, length: n });
  return isDenseCodec(element) ? markDense(codec) : codec;
}

/** One member of a struct codec, where it sits. */
export interface StructField {
  readonly name: string;
  readonly offset: number;
  readonly codec: Codec<unknown>;
}

/** The fields of a struct given as `{ name: codec }`, in declaration order. */
export type FieldCodecs = Record<string, Codec<any>>;

/** The JS object type a struct codec reads and writes. */
export type StructOf<F extends FieldCodecs> = { [K in keyof F]: Infer<F[K]> };

/** A codec of a C struct; see {@link struct}. */
export interface StructCodec<T> extends Codec<T> {
  /** Members in declaration order with their byte offsets. */
  readonly fields: readonly StructField[];
}

/** Options of {@link struct}. */
export interface StructOptions {
  /** `__attribute__((packed))`: no padding, alignment 1. */
  packed?: boolean;
  /** A name for messages (default: the member list). */
  name?: string;
}

/** Rounds `n` up to a multiple of `align`. */
export function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/**
 * A C struct with natural alignment: each member at the next multiple of its
 * alignment, the size rounded up to the largest alignment, padding zeroed.
 * Encoding wants an object with exactly these members.
 *
 * @example struct({ a: u8, b: u64, c: u16 }) // offsets 0, 8, 16; size 24
 */
export function struct<F extends FieldCodecs>(members: F, opts: StructOptions = {}): StructCodec<StructOf<F>> {
  const entries = Object.entries(members);
  const packed = opts.packed === true;
  const fields: StructField[] = [];
  let off = 0;
  let align = 1;
  for (const [name, codec] of entries) {
    if (!codec || typeof codec.write !== 'function') {
      throw new CodecError({ codec: 'struct', path: `.${name}`, expected: 'a codec', got: describe(codec) });
    }
    const a = packed ? 1 : codec.align;
    off = roundUp(off, a);
    fields.push({ name, offset: off, codec });
    off += codec.size;
    align = Math.max(align, a);
  }
  const size = roundUp(off, align);
  const name = opts.name ?? `struct { ${entries.map(([k, c]) => `${k}: ${c.name}`).join(', ')} }${packed ? ' packed' : ''}`;
  const known = new Set(entries.map(([k]) => k));
  const base = defineCodec<StructOf<F>>({
    name,
    size,
    align,
    write(value, buf, o) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        refuse(name, `an object with ${[...known].join(', ')}`, value);
      }
      const v = value as Record<string, unknown>;
      for (const k of Object.keys(v)) {
        if (!known.has(k)) refuseDescribed(name, `only the members ${[...known].join(', ')}`, `a member '${k}'`);
      }
      for (const f of fields) {
        try {
          f.codec.write(v[f.name], buf, o + f.offset);
        } catch (e) {
          throw e instanceof CodecError ? e.within(`.${f.name}`) : e;
        }
      }
    },
    read(buf, o) {
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = f.codec.read(buf, o + f.offset);
      return out as StructOf<F>;
    },
  });
  const codec = Object.assign(base, { fields });
  // Dense when no padding is left between or after members and every member is dense.
  const filled = fields.reduce((n, f) => n + f.codec.size, 0) === size;
  return filled && fields.every((f) => isDenseCodec(f.codec)) ? markDense(codec) : codec;
}

/* ------------------------------------------------------------------------ */
/* Per-CPU values                                                           */

/** A codec of a per-CPU value; see {@link perCpu}. */
export interface PerCpuCodec<T> extends Codec<T[]> {
  /** The codec of one CPU's value. */
  readonly element: Codec<T>;
  /** How many values (possible CPUs). */
  readonly cpus: number;
  readonly perCpu: true;
}

/** True if `codec` was made by {@link perCpu}. */
export function isPerCpuCodec(codec: Codec<unknown>): codec is PerCpuCodec<unknown> {
  return (codec as Partial<PerCpuCodec<unknown>>).perCpu === true;
}

let possibleCpus: (() => number) | undefined;

/** Where {@link perCpu} learns the number of possible CPUs (set by the native module). */
export function setPossibleCpus(fn: () => number): void {
  possibleCpus = fn;
}

/**
 * The value of a per-CPU map (`percpu_hash`, `percpu_array`,
 * `lru_percpu_hash`): an array with one `element` per possible CPU. In
 * memory each CPU's value takes a slot of `round_up(element.size, 8)` bytes,
 * as Linux lays it out for user space.
 *
 * @param cpus how many CPUs; default: the core's number of possible CPUs.
 * @example obj.map('hits', { key: u32, value: perCpu(u64) }) // BpfMap<number, bigint[]>
 */
export function perCpu<T>(element: Codec<T>, cpus?: number): PerCpuCodec<T> {
  const n = cpus ?? possibleCpus?.();
  if (n === undefined) throw new CodecError({ codec: 'perCpu', expected: 'a CPU count (the native binding is not loaded)', got: 'none' });
  const stride = roundUp(element.size, 8);
  const name = `${element.name} per CPU (${n})`;
  checkLength(name, n);
  const base = defineCodec<T[]>({
    name,
    size: stride * n,
    align: 8,
    write(value, buf, off) {
      if (!Array.isArray(value) || value.length !== n) refuse(name, `an array of ${n} values (one per possible CPU)`, value);
      for (let i = 0; i < n; i++) {
        try {
          element.write(value[i] as T, buf, off + i * stride);
        } catch (e) {
          throw e instanceof CodecError ? e.within(`[${i}]`) : e;
        }
      }
    },
    read(buf, off) {
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = element.read(buf, off + i * stride);
      return out;
    },
  });
  return Object.assign(base, { element, cpus: n, perCpu: true as const });
}

/** The zero-size key of maps without keys (queue, stack, bloom filter, ring buffer). */
export const none: Codec<undefined> = defineCodec<undefined>({
  name: 'none',
  size: 0,
  align: 1,
  write(value) {
    if (value !== undefined) refuse('none', 'undefined (the map has no keys)', value);
  },
  read: () => undefined,
});
