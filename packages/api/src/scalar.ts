/**
 * Typed-array access for the built-in scalar codecs (`u8` ... `u64`, `i8` ...
 * `i64`, `f64`): BpfMap's single-element calls store a key or value into, and
 * read it from, element 0 of a typed array over their scratch Buffer instead
 * of going through Buffer's read/write methods, which split 64-bit values
 * into halves and allocate intermediate BigInts. Host byte order, as the maps
 * use. The checks accept exactly what the codec's `write` accepts; anything
 * else goes through the codec, whose error names the map and the value.
 *
 * @internal
 * @module
 */
import { f64, i16, i32, i64, i8, u16, u32, u64, u8, type Codec } from './codecs.js';

/** What a scalar codec needs: a typed array type and the codec's acceptance test. */
export interface Scalar {
  readonly view: (buf: ArrayBuffer) => { [index: number]: number | bigint };
  readonly fits: (value: unknown) => boolean;
}

const int = (min: number, max: number) => (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

const SCALARS = new Map<Codec<any>, Scalar>([
  [u8, { view: (b) => new Uint8Array(b, 0, 1), fits: int(0, 0xff) }],
  [u16, { view: (b) => new Uint16Array(b, 0, 1), fits: int(0, 0xffff) }],
  [u32, { view: (b) => new Uint32Array(b, 0, 1), fits: int(0, 0xffffffff) }],
  [i8, { view: (b) => new Int8Array(b, 0, 1), fits: int(-0x80, 0x7f) }],
  [i16, { view: (b) => new Int16Array(b, 0, 1), fits: int(-0x8000, 0x7fff) }],
  [i32, { view: (b) => new Int32Array(b, 0, 1), fits: int(-0x80000000, 0x7fffffff) }],
  [u64, { view: (b) => new BigUint64Array(b, 0, 1), fits: (v) => typeof v === 'bigint' && v >= 0n && v <= U64_MAX }],
  [i64, { view: (b) => new BigInt64Array(b, 0, 1), fits: (v) => typeof v === 'bigint' && v >= I64_MIN && v <= I64_MAX }],
  [f64, { view: (b) => new Float64Array(b, 0, 1), fits: (v) => typeof v === 'number' }],
]);

/** The scalar access of `codec`, if it is one of the built-in scalar codecs. */
export function scalarOf(codec: Codec<unknown>): Scalar | undefined {
  return SCALARS.get(codec);
}
