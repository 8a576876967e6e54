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

type ScalarArray = { [index: number]: number | bigint; readonly length: number };

/** What a scalar codec needs: a typed array type and the codec's acceptance test. */
export interface Scalar {
  /** `length` elements of the codec's type at `byteOffset` of `buf` (which must be aligned to them). */
  readonly view: (buf: ArrayBufferLike, byteOffset?: number, length?: number) => ScalarArray;
  readonly bytes: number;
  readonly fits: (value: unknown) => boolean;
}

interface TypedArrayType {
  new (buf: ArrayBufferLike, byteOffset: number, length: number): ScalarArray;
  readonly BYTES_PER_ELEMENT: number;
}

const int = (min: number, max: number) => (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

const scalar = (T: TypedArrayType, fits: (v: unknown) => boolean): Scalar => ({
  view: (buf, byteOffset = 0, length = 1) => new T(buf, byteOffset, length),
  bytes: T.BYTES_PER_ELEMENT,
  fits,
});

const SCALARS = new Map<Codec<any>, Scalar>([
  [u8, scalar(Uint8Array, int(0, 0xff))],
  [u16, scalar(Uint16Array, int(0, 0xffff))],
  [u32, scalar(Uint32Array, int(0, 0xffffffff))],
  [i8, scalar(Int8Array, int(-0x80, 0x7f))],
  [i16, scalar(Int16Array, int(-0x8000, 0x7fff))],
  [i32, scalar(Int32Array, int(-0x80000000, 0x7fffffff))],
  [u64, scalar(BigUint64Array, (v) => typeof v === 'bigint' && v >= 0n && v <= U64_MAX)],
  [i64, scalar(BigInt64Array, (v) => typeof v === 'bigint' && v >= I64_MIN && v <= I64_MAX)],
  [f64, scalar(Float64Array, (v) => typeof v === 'number')],
]);

/** `n` elements of `s` over `buf`, or undefined when `buf` is not aligned for them. */
export function scalarArray(s: Scalar, buf: Buffer, n: number): ScalarArray | undefined {
  return buf.byteOffset % s.bytes === 0 ? s.view(buf.buffer, buf.byteOffset, n) : undefined;
}

/** The scalar access of `codec`, if it is one of the built-in scalar codecs. */
export function scalarOf(codec: Codec<unknown>): Scalar | undefined {
  return SCALARS.get(codec);
}
