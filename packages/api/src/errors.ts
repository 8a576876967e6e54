/**
 * Typed errors. Every failure the API throws is a {@link BpfError} (or one of
 * its subclasses) with a `code` (errno name such as `'ENOENT'`) and `errno`
 * (positive number); callers test with `instanceof` or `code`, never by
 * matching message text. Errors from the native binding are translated in
 * exactly one place, {@link fromNative}.
 *
 * @module
 */

/** What an error was about: the object, map, program, codec or operation involved. */
export interface ErrorContext {
  /** Name of the BPF object (ELF file) involved. */
  object?: string;
  /** Name of the map involved. */
  map?: string;
  /** Name of the program involved. */
  program?: string;
  /** The operation that failed, for example `'lookup'`, `'update'`, `'load'`. */
  op?: string;
}

/** errno numbers the API itself uses (Linux numbering, as the core's). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ENOLINK: 67,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const;

/** A short `what: ` prefix from a context: `map 'counts': lookup: `. */
function prefix(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.object !== undefined) parts.push(`object '${ctx.object}'`);
  if (ctx.map !== undefined) parts.push(`map '${ctx.map}'`);
  if (ctx.program !== undefined) parts.push(`program '${ctx.program}'`);
  let s = parts.join(', ');
  if (ctx.op !== undefined) s = s ? `${s}: ${ctx.op}` : ctx.op;
  return s ? `${s}: ` : '';
}

/** Options every error constructor takes. */
export interface BpfErrorOptions extends ErrorContext {
  /** The underlying error (usually the binding's). */
  cause?: unknown;
}

/**
 * Base class of every error the API throws.
 *
 * The message is `"<context>: <reason>"`, for example
 * `map 'counts': update: key 7 exists (BPF_NOEXIST)`.
 */
export class BpfError extends Error {
  override name = 'BpfError';
  /** errno name: `'ENOENT'`, `'EINVAL'`, ... */
  readonly code: string;
  /** errno number (positive). */
  readonly errno: number;
  readonly object: string | undefined;
  readonly map: string | undefined;
  readonly program: string | undefined;
  readonly op: string | undefined;
  /** The reason without the context prefix. */
  readonly reason: string;

  constructor(code: string, errno: number, reason: string, opts: BpfErrorOptions = {}) {
    super(prefix(opts) + reason, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.errno = errno;
    this.reason = reason;
    this.object = opts.object;
    this.map = opts.map;
    this.program = opts.program;
    this.op = opts.op;
  }
}

/** A key, element, object, hook or file that does not exist (`ENOENT`). */
export class NotFoundError extends BpfError {
  override name = 'NotFoundError';
  constructor(reason: string, opts: BpfErrorOptions = {}) {
    super('ENOENT', Errno.ENOENT, reason, opts);
  }
}

/** Something that already exists (`EEXIST`), e.g. a key updated with `'noexist'`. */
export class ExistsError extends BpfError {
  override name = 'ExistsError';
  constructor(reason: string, opts: BpfErrorOptions = {}) {
    super('EEXIST', Errno.EEXIST, reason, opts);
  }
}

/**
 * A program or object that failed to load (bad ELF, relocations, a map the
 * core refused, ...). `log` holds the loader's explanation, one entry per line.
 */
export class LoadError extends BpfError {
  override name = 'LoadError';
  readonly log: string[];
  constructor(code: string, errno: number, reason: string, log: string[], opts: BpfErrorOptions = {}) {
    super(code, errno, reason, opts);
    this.log = log;
  }
}

/** The verifier refused a program. `log` (the verifier's log, one entry per line) says which instruction and why. */
export class VerifierError extends LoadError {
  override name = 'VerifierError';
}

/**
 * An operation on a closed object (or an unloaded extension, a detached
 * link, a map of a closed object). `code` is `'EBADF'`.
 */
export class ClosedError extends BpfError {
  override name = 'ClosedError';
  /** `'map'`, `'object'`, `'program'`, `'link'`, `'ring buffer'`, `'extension'`. */
  readonly kind: string;
  constructor(kind: string, opts: BpfErrorOptions = {}) {
    super('EBADF', Errno.EBADF, `the ${kind} is closed`, opts);
    this.kind = kind;
  }
}

/** Details of a {@link CodecError}. */
export interface CodecErrorOptions extends BpfErrorOptions {
  /** The codec's name, e.g. `'u16'` or `'struct { a: u32, b: u64 }'`. */
  codec: string;
  /** Where in the value: `''` for the value itself, `'.b'`, `'[3].x'`. */
  path?: string;
  /** What the codec expected, e.g. `'an integer in 0..65535'`. */
  expected: string;
  /** What it got instead, e.g. `'70000'` or `'a string'`. */
  got: string;
  /** Which side of a map entry: `'key'` or `'value'`. */
  role?: 'key' | 'value';
  /** A codec checked against BTF: each member that differs, one line each. */
  mismatches?: readonly string[];
}

/**
 * A value that does not fit a codec (type, range, length), a Buffer of the
 * wrong size, or a codec that does not fit a map. `code` is `'EINVAL'`.
 * The message reads `map 'm': update: value.b: expected an integer in
 * 0..65535 (codec u16), got 70000`.
 */
export class CodecError extends BpfError {
  override name = 'CodecError';
  readonly codec: string;
  readonly path: string;
  readonly expected: string;
  readonly got: string;
  readonly role: 'key' | 'value' | undefined;
  /** A codec checked against BTF: each member that differs (empty otherwise). */
  readonly mismatches: readonly string[];

  constructor(opts: CodecErrorOptions) {
    const path = opts.path ?? '';
    const where = opts.role ? `${opts.role}${path}` : path.replace(/^\./, '');
    super('EINVAL', Errno.EINVAL, `${where ? `${where}: ` : ''}expected ${opts.expected} (codec ${opts.codec}), got ${opts.got}`, opts);
    this.codec = opts.codec;
    this.path = path;
    this.expected = opts.expected;
    this.got = opts.got;
    this.role = opts.role;
    this.mismatches = opts.mismatches ?? [];
  }

  /** The same error, told which map, operation and side of the entry it was about. */
  withContext(ctx: ErrorContext & { role?: 'key' | 'value' }): CodecError {
    const e = new CodecError({
      object: this.object, map: this.map, program: this.program, op: this.op,
      ...ctx,
      role: ctx.role ?? this.role,
      codec: this.codec,
      path: this.path,
      expected: this.expected,
      got: this.got,
      mismatches: this.mismatches,
      cause: this.cause,
    });
    return e;
  }

  /** The same error one level further out: `inner` prefixed with `outer` (e.g. `'.b'` + `'[2]'`). */
  within(outer: string): CodecError {
    return new CodecError({
      object: this.object, map: this.map, program: this.program, op: this.op, role: this.role,
      codec: this.codec,
      path: outer + this.path,
      expected: this.expected,
      got: this.got,
      mismatches: this.mismatches,
      cause: this.cause,
    });
  }
}

/** Details of an {@link ArgumentError}. */
export interface ArgumentErrorOptions extends BpfErrorOptions {
  /** The parameter, as the caller wrote it: `'maxEntries'`, `'repeat'`, `'maps[2].fd'`. */
  parameter: string;
  /** What it must be, e.g. `'an integer in [1, 4294967295]'`. */
  expected: string;
  /** What it was instead, e.g. `'1.5'`, `'-5'` or `'the string "7"'`. */
  got: string;
}

/**
 * A parameter of an API call that is out of its type or range: an integer
 * parameter given a fraction, NaN, Infinity, a negative or too large number,
 * or a string. Nothing reached the core. `code` is `'EINVAL'`. The message
 * reads `map 'm': create: maxEntries must be an integer in [1, 4294967295], got 1.5`.
 */
export class ArgumentError extends BpfError {
  override name = 'ArgumentError';
  readonly parameter: string;
  readonly expected: string;
  readonly got: string;

  constructor(opts: ArgumentErrorOptions) {
    super('EINVAL', Errno.EINVAL, `${opts.parameter} must be ${opts.expected}, got ${opts.got}`, opts);
    this.parameter = opts.parameter;
    this.expected = opts.expected;
    this.got = opts.got;
  }
}

/** Constructs the subclass that matches `code`. */
export function errorFor(code: string, errno: number, reason: string, opts: BpfErrorOptions = {}): BpfError {
  switch (code) {
    case 'ENOENT':
      return new NotFoundError(reason, opts);
    case 'EEXIST':
      return new ExistsError(reason, opts);
    default:
      return new BpfError(code, errno, reason, opts);
  }
}

interface NativeErrorShape {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
}

const errnoNames: Record<number, string> = Object.fromEntries(
  Object.entries(Errno).map(([name, n]) => [n, name]),
);

/** The errno name and number of anything the binding threw. */
export function nativeCode(err: unknown): { code: string; errno: number } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NativeErrorShape;
  let errno = typeof e.errno === 'number' ? Math.abs(e.errno) : 0;
  let code = typeof e.code === 'string' && /^E[0-9A-Z]+$/.test(e.code) ? e.code : '';
  if (!code && errno) code = errnoNames[errno] ?? `E${errno}`;
  if (!errno && code) errno = (Errno as Record<string, number>)[code] ?? 0;
  if (!code) code = 'EUNKNOWN';
  return { code, errno };
}

/** The binding's message (the core's last error text). */
export function nativeMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as NativeErrorShape).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

/** Options of {@link fromNative}. */
export interface FromNativeOptions extends ErrorContext {
  /**
   * `'load'`: the error is a program/object load refusal and becomes a
   * {@link LoadError} or {@link VerifierError} carrying the log.
   */
  kind?: 'load';
}

/** Lines of a load log, without the blank ones. */
function logLines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
}

/**
 * The one place where binding errors become typed errors: maps `code`/`errno`
 * to a subclass and attaches the context. Anything that is already a
 * {@link BpfError} passes through unchanged. With `kind: 'load'`, a refusal
 * that carries the verifier's log (the binding's `log` property) becomes a
 * {@link VerifierError}, any other a {@link LoadError}.
 */
export function fromNative(err: unknown, ctx: FromNativeOptions = {}): BpfError {
  if (err instanceof BpfError) return err;
  const { code, errno } = nativeCode(err);
  const message = nativeMessage(err);
  const { kind, ...context } = ctx;
  const opts: BpfErrorOptions = { ...context, cause: err };
  if (kind === 'load') {
    const raw = typeof err === 'object' && err !== null ? (err as { log?: unknown }).log : undefined;
    const log = typeof raw === 'string' ? logLines(raw) : [];
    const reason = logLines(withoutPrefix(message, context))[0] ?? (message || code);
    return log.length > 0 ? new VerifierError(code, errno, reason, log, opts) : new LoadError(code, errno, reason, logLines(message), opts);
  }
  return errorFor(code, errno, withoutPrefix(message, context) || code, opts);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The core's message without a leading `object 'o': `, `map 'name' (id 3): `
 * or `program 'name': ` when the context names the same thing: the error's
 * own prefix says it already.
 */
function withoutPrefix(message: string, ctx: ErrorContext): string {
  if (ctx.object) {
    const o = new RegExp(`^object '${escape(ctx.object)}': `).exec(message);
    if (o) message = message.slice(o[0].length);
  }
  for (const [kind, name] of [['map', ctx.map], ['program', ctx.program]] as const) {
    if (!name) continue;
    const m = new RegExp(`^${kind} '${escape(name)}'(?: \\(id \\d+\\))?: `).exec(message);
    if (m) return message.slice(m[0].length);
  }
  return message;
}

/** Runs `fn`, translating whatever the binding throws with {@link fromNative}. */
export function native<T>(ctx: FromNativeOptions, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err, ctx);
  }
}
