/**
 * Checks of the integer parameters of the API (sizes, counts, ids, handles,
 * flags, attach types, timeouts) before they reach the binding. Each throws
 * an {@link ArgumentError} naming the parameter, the allowed range and the
 * value received, so that a fraction, NaN, Infinity, a negative or too large
 * number, or a string is refused instead of being truncated to some other
 * number on the way to C (`2 ** 32` would become 0, `-5` 4294967291, `1.5` 1).
 *
 * @internal
 * @module
 */
import { describe } from './codecs.js';
import { ArgumentError, type ErrorContext } from './errors.js';

export const U32_MAX = 0xffffffff;
export const I32_MAX = 0x7fffffff;
export const U64_MAX = (1n << 64n) - 1n;

/** `an integer in [min, max]`, the form every message uses. */
export function intRange(min: number | bigint, max: number | bigint): string {
  return `an integer in [${min}, ${max}]`;
}

/** `v` if it is a number that is an integer in [min, max] (-0 becomes 0); else throws. */
export function int(name: string, v: unknown, min: number, max: number, ctx: ErrorContext = {}): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v + 0;
  throw new ArgumentError({ ...ctx, parameter: name, expected: intRange(min, max), got: describe(v) });
}

/** An unsigned 32-bit parameter (sizes, counts, ids, attach and program types), at least `min`. */
export function u32(name: string, v: unknown, ctx: ErrorContext = {}, min = 0): number {
  return int(name, v, min, U32_MAX, ctx);
}

/** A handle (file-descriptor-like number): an integer in [0, 2^31-1]. */
export function handle(name: string, v: unknown, ctx: ErrorContext = {}): number {
  return int(name, v, 0, I32_MAX, ctx);
}

/**
 * An unsigned 64-bit parameter (flags, `mapExtra`): a bigint in [0, 2^64-1],
 * or a number that is a safe integer (larger numbers are not exact: pass a bigint).
 */
export function u64(name: string, v: unknown, ctx: ErrorContext = {}): bigint {
  if (typeof v === 'bigint' && v >= 0n && v <= U64_MAX) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  const expected = `${intRange(0, U64_MAX)} (a bigint, or a number up to ${Number.MAX_SAFE_INTEGER})`;
  throw new ArgumentError({ ...ctx, parameter: name, expected, got: describe(v) });
}

/** `check(name, v)` unless `v` is undefined (an option left out). */
export function optional<T>(v: unknown, check: (v: unknown) => T): T | undefined {
  return v === undefined ? undefined : check(v);
}
