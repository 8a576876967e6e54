/**
 * Typed-array access for scalar codecs (the built-in integers and `f64`, and
 * 64-bit integers derived from BTF): BpfMap stores a key or value into, and
 * reads it from, a typed array over its scratch and batch Buffers instead of
 * going through Buffer's read/write methods, which split 64-bit values into
 * halves and allocate intermediate BigInts. Host byte order, as the maps use.
 * A codec registers itself with its own acceptance test, so the fast path
 * accepts exactly what the codec's `write` accepts; anything else goes
 * through the codec, whose error names the map and the value.
 *
 * @internal
 * @module
 */
import type { Codec } from './codecs.js';

export type ScalarArray = { [index: number]: number | bigint; readonly length: number };

/** A typed array type: `Uint32Array`, `BigInt64Array`, ... */
export interface TypedArrayType {
  new (buf: ArrayBufferLike, byteOffset: number, length: number): ScalarArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** What a scalar codec registered: its typed array type and its acceptance test. */
export interface Scalar {
  readonly type: TypedArrayType;
  readonly fits: (value: unknown) => boolean;
}

const scalars = new WeakMap<object, Scalar>();

/** Registers `codec` as a scalar stored as one element of `type`; `fits` is the test its `write` applies. */
export function withScalar<C extends Codec<any>>(codec: C, type: TypedArrayType, fits: (value: unknown) => boolean): C {
  scalars.set(codec, { type, fits });
  return codec;
}

/** The scalar access of `codec`, if it registered one. */
export function scalarOf(codec: Codec<unknown>): Scalar | undefined {
  return scalars.get(codec);
}

/** `n` elements of `s` over `buf`, or undefined when `buf` is not aligned for them. */
export function scalarArray(s: Scalar, buf: Buffer, n: number): ScalarArray | undefined {
  return buf.byteOffset % s.type.BYTES_PER_ELEMENT === 0 ? new s.type(buf.buffer, buf.byteOffset, n) : undefined;
}
