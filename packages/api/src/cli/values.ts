/**
 * How the CLI reads keys, values and data from the command line and writes
 * them back: bpftool's byte lists (`key 0x01 0x00 0x00 0x00`, `key hex 01 00
 * 00 00`), hex strings (`--data 0100...`), and typed literals (`key 7`,
 * `value ada`, `value '{"a": 1, "b": 2}'`) shaped by a map's codec.
 *
 * @module
 */
import type { Codec } from '../index.js';

import { UsageError } from './usage.js';

/** One byte in bpftool's syntax: `0x1f` (hex) or `31` (decimal); with `hex`, `1f`. */
function parseByte(token: string, hex: boolean): number | undefined {
  const m = hex ? /^(?:0x)?([0-9a-f]{1,2})$/i.exec(token) : /^0x([0-9a-f]{1,2})$/i.exec(token);
  if (m) return parseInt(m[1] as string, 16);
  if (!hex && /^\d{1,3}$/.test(token)) {
    const n = Number(token);
    return n <= 255 ? n : undefined;
  }
  return undefined;
}

/**
 * Bytes from bpftool-style tokens, or `undefined` when they are not a byte
 * list of exactly `size` bytes (a leading `hex` makes every token hex).
 * Throws {@link UsageError} for a `hex` list that does not parse or fit.
 */
export function parseByteTokens(tokens: readonly string[], size: number, what: string): Buffer | undefined {
  const hex = tokens[0] === 'hex';
  const list = hex ? tokens.slice(1).flatMap(splitHexRun) : tokens;
  const out: number[] = [];
  for (const t of list) {
    const b = parseByte(t, hex);
    if (b === undefined) {
      if (hex) throw new UsageError(`${what}: '${t}' is not a hex byte`);
      return undefined;
    }
    out.push(b);
  }
  if (out.length !== size) {
    if (hex) throw new UsageError(`${what}: expected ${size} bytes, got ${out.length}`);
    return undefined;
  }
  return Buffer.from(out);
}

/** `hex 01020304` is four bytes, as `hex 01 02 03 04`. */
function splitHexRun(token: string): string[] {
  const t = token.replace(/^0x/i, '');
  if (t.length <= 2 || t.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(t)) return [token];
  return t.match(/../g) ?? [token];
}

/**
 * Bytes from `--data`: a hex string (`0x` optional; spaces, `:` and `,`
 * between bytes allowed), e.g. `01000000` or `"01 00 00 00"`.
 */
export function parseHexData(text: string, what = '--data'): Buffer {
  const tokens = text.trim().split(/[\s,:]+/).filter((t) => t.length > 0);
  if (tokens.length === 0) return Buffer.alloc(0);
  const digits = tokens.length === 1 ? (tokens[0] as string).replace(/^0x/i, '') : tokens.map((t) => {
    const d = t.replace(/^0x/i, '');
    if (!/^[0-9a-f]{1,2}$/i.test(d)) throw new UsageError(`${what}: '${t}' is not a hex byte`);
    return d.padStart(2, '0');
  }).join('');
  if (!/^[0-9a-f]*$/i.test(digits) || digits.length % 2 !== 0) {
    throw new UsageError(`${what}: expected hex bytes (an even number of hex digits, e.g. 01000000), got '${text}'`);
  }
  return Buffer.from(digits, 'hex');
}

/** `01 00 00 00`: bytes as bpftool prints them. */
export function hexBytes(buf: Uint8Array): string {
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** `["0x01", "0x00"]`: bytes as bpftool's JSON prints them. */
export function hexByteList(buf: Uint8Array): string[] {
  return Array.from(buf, (b) => `0x${b.toString(16).padStart(2, '0')}`);
}

/* ------------------------------------------------------------------------ */
/* Typed literals                                                           */

/** A parsed literal: numbers keep their text until a codec says what they are. */
type Literal = { num: string } | string | boolean | null | Literal[] | { [k: string]: Literal };

function isNum(v: Literal): v is { num: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { num?: unknown }).num === 'string' && Object.keys(v).length === 1;
}

/** A JSON-like literal: JSON plus hex/big integers and bare words (`ada`) as strings. */
export function parseLiteral(text: string): Literal {
  let i = 0;
  const fail = (msg: string): never => {
    throw new UsageError(`cannot parse '${text}': ${msg} at offset ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const value = (): Literal => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, Literal> = {};
      ws();
      if (text[i] === '}') return i++, out;
      for (;;) {
        ws();
        const k = text[i] === '"' ? str() : word();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        out[k] = value();
        ws();
        const sep = text[i++];
        if (sep === '}') return out;
        if (sep !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const out: Literal[] = [];
      ws();
      if (text[i] === ']') return i++, out;
      for (;;) {
        out.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return out;
        if (sep !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const w = word();
    if (/^[+-]?(0x[0-9a-f]+|\d+(\.\d+)?(e[+-]?\d+)?)$/i.test(w)) return { num: w };
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    return w;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const word = (): string => {
    const start = i;
    while (i < text.length && !/[\s,:{}[\]"]/.test(text[i] as string)) i++;
    if (i === start) fail('expected a value');
    return text.slice(start, i);
  };
  const v = value();
  ws();
  if (i < text.length) {
    // Bare words with spaces (`value hello world`) are one string.
    if (typeof v === 'string' && !/[{}[\]"]/.test(text)) return text.trim();
    fail('unexpected text');
  }
  return v;
}

function toBigInt(text: string): bigint {
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(body)) throw new UsageError(`'${text}' is not an integer`);
  const n = BigInt(body);
  return neg ? -n : n;
}

/**
 * Shapes `lit` after `template` (the codec's decoding of zero bytes): numbers
 * become bigints where the codec holds bigints, hex strings become Buffers
 * where it holds bytes, objects and arrays follow member by member.
 */
function coerce(lit: Literal, template: unknown, path: string): unknown {
  if (typeof template === 'bigint') {
    if (isNum(lit)) return toBigInt(lit.num);
    return lit;
  }
  if (typeof template === 'number') {
    if (isNum(lit)) {
      const n = /^[+-]?0x/i.test(lit.num) ? Number(toBigInt(lit.num)) : Number(lit.num);
      return n;
    }
    return lit;
  }
  if (Buffer.isBuffer(template)) {
    if (typeof lit === 'string') return parseHexData(lit, `value${path}`);
    if (isNum(lit)) return parseHexData(lit.num, `value${path}`);
    if (Array.isArray(lit)) {
      return Buffer.from(lit.map((b, k) => {
        const n = isNum(b) ? Number(toBigInt(b.num)) : NaN;
        if (!(n >= 0 && n <= 255)) throw new UsageError(`value${path}[${k}]: expected a byte`);
        return n;
      }));
    }
    return lit;
  }
  if (Array.isArray(template)) {
    if (!Array.isArray(lit)) return lit;
    return lit.map((x, k) => coerce(x, template[k], `${path}[${k}]`));
  }
  if (typeof template === 'object' && template !== null) {
    if (typeof lit !== 'object' || lit === null || Array.isArray(lit) || isNum(lit)) return lit;
    const t = template as Record<string, unknown>;
    return Object.fromEntries(Object.entries(lit).map(([k, v]) => [k, coerce(v, t[k], `${path}.${k}`)]));
  }
  // string (char arrays, enum names) or boolean: numbers stay numbers (enum values).
  if (isNum(lit)) return typeof template === 'string' ? Number(lit.num) : lit.num;
  return lit;
}

/** Plain data from a literal, for codecs with no template. */
function plain(lit: Literal): unknown {
  if (isNum(lit)) return Number(lit.num);
  if (Array.isArray(lit)) return lit.map(plain);
  if (typeof lit === 'object' && lit !== null) return Object.fromEntries(Object.entries(lit).map(([k, v]) => [k, plain(v)]));
  return lit;
}

/** True for codecs that hold raw bytes (no BTF type to go by). */
export function isRawCodec(codec: Codec<unknown>): boolean {
  return codec.name.startsWith('bytes(');
}

/**
 * The key or value given by `tokens` for `codec`: a byte list of the codec's
 * size (bpftool style) or, for a typed codec, a literal. Throws
 * {@link UsageError} for anything else, and the codec's {@link CodecError}
 * for a literal that does not fit.
 */
export function parseEntryPart<T>(tokens: readonly string[], codec: Codec<T>, what: 'key' | 'value'): T {
  if (tokens.length === 0) throw new UsageError(`${what}: expected ${codec.size} bytes (e.g. ${what} ${'0x00 '.repeat(Math.min(codec.size, 4)).trim()}${codec.size > 4 ? ' ...' : ''})`);
  const raw = parseByteTokens(tokens, codec.size, what);
  if (raw) return codec.decode(raw);
  if (isRawCodec(codec)) {
    throw new UsageError(`${what}: expected ${codec.size} bytes as 0xNN or decimal tokens (or 'hex' then hex bytes), got '${tokens.join(' ')}' (the map has no BTF type to read a typed ${what} with)`);
  }
  let lit: Literal;
  try {
    lit = parseLiteral(tokens.join(' '));
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${what}: expected ${codec.size} bytes or a ${codec.name} literal: ${e.message}`);
    throw e;
  }
  let template: unknown;
  try {
    template = codec.decode(Buffer.alloc(codec.size));
  } catch {
    template = undefined;
  }
  const v = template === undefined ? plain(lit) : coerce(lit, template, '');
  codec.encode(v as T); // throws the codec's CodecError when it does not fit
  return v as T;
}

/* ------------------------------------------------------------------------ */
/* Printing                                                                 */

/** Plain data for JSON: bigints kept (see {@link toJson}), Buffers as bpftool byte lists. */
export function jsonable(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return hexByteList(v);
  if (Array.isArray(v)) return v.map(jsonable);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

/**
 * JSON text of `v`; bigints are written as JSON numbers with all their digits
 * (as bpftool writes u64), Buffers as byte lists. `indent` as JSON.stringify.
 */
export function toJson(v: unknown, indent?: number): string {
  const marks: string[] = [];
  const text = JSON.stringify(jsonable(v), (_k, x: unknown) => {
    if (typeof x === 'bigint') {
      marks.push(x.toString());
      return `\u0000big${marks.length - 1}\u0000`;
    }
    return x;
  }, indent);
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, n: string) => marks[Number(n)] as string);
}

/** A typed value in one line, for plain output: `7`, `"ada"`, `{a: 1, b: 2}`, `01 00` for bytes. */
export function formatValue(v: unknown): string {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return hexBytes(v);
  return formatNested(v);
}

function formatNested(v: unknown): string {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[${hexByteList(v).join(', ')}]`;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return '-';
  if (Array.isArray(v)) return `[${v.map(formatNested).join(', ')}]`;
  const fields = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${/^[A-Za-z_]\w*$/.test(k) ? k : JSON.stringify(k)}: ${formatNested(x)}`);
  return `{${fields.join(', ')}}`;
}
