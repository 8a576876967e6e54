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

/** Where a verifier refusal points, besides its reason. */
export interface VerifierErrorOptions extends BpfErrorOptions {
  /** The refused instruction; by default parsed from `reason` (`insn 7: ...`). */
  insn?: number;
  /** The C source line (and file, source text) of the instruction, when line info names it. */
  line?: number;
  file?: string;
  source?: string;
}

/** The pieces of a verifier refusal's text: `insn 7: R0 may be NULL ... (at prog.c:12: x = *p;)`. */
export interface VerifierRefusal {
  insn: number | undefined;
  reason: string;
  line: number | undefined;
  file: string | undefined;
  source: string | undefined;
}

/** The core's source location suffix of a message: ` (at prog.bpf.c:12: return *v;)` or ` (at prog.bpf.c:12)`. */
const SOURCE_SUFFIX = / \(at ([^\s:()]+):(\d+)(?:: (.*))?\)$/;
/** A log line naming the source, as Linux's verifier log writes it: `; return *v; @ prog.bpf.c:12`. */
const LOG_SOURCE = /^; ?(.*?) @ (\S+):(\d+)$/;

/**
 * Splits a refusal (the core's message without its `program 'x': ` prefix)
 * into the instruction, the reason and the source line. The instruction comes
 * from `insn N: ` (or `unreachable insn N: `); the source from the message's
 * ` (at FILE:LINE: TEXT)` suffix, else from the last `; TEXT @ FILE:LINE` line
 * of the log (the line info of the failing path's last source line).
 */
export function parseRefusal(text: string, log: readonly string[] = []): VerifierRefusal {
  let reason = text.trim();
  let insn: number | undefined;
  const at = /^insn (\d+): /.exec(reason);
  const unreachable = /^unreachable insn (\d+): /.exec(reason);
  if (at) {
    insn = Number(at[1]);
    reason = reason.slice(at[0].length);
  } else if (unreachable) {
    // The sentence names the instruction itself: keep it whole.
    insn = Number(unreachable[1]);
  }
  let line: number | undefined;
  let file: string | undefined;
  let source: string | undefined;
  const src = SOURCE_SUFFIX.exec(reason);
  if (src) {
    reason = reason.slice(0, src.index);
    file = src[1];
    line = Number(src[2]);
    source = src[3];
  } else {
    for (let i = log.length - 1; i >= 0; i--) {
      const m = LOG_SOURCE.exec(log[i] as string);
      if (!m) continue;
      source = m[1] || undefined;
      file = m[2];
      line = Number(m[3]);
      break;
    }
  }
  return { insn, reason, line, file, source };
}

/**
 * The verifier refused a program. `insn` is the refused instruction, `reason`
 * the rule it broke (the sentence after `insn N: `), `line` (with `file` and
 * `source`) the C source line when the object has line info, and `log` the
 * verifier's log, one entry per line: the failing path's instructions with
 * their register states (all of them with `logLevel: 2`), then the refusal.
 * The message is the whole refusal: `program 'count': load: insn 7: R0 may be
 * NULL (map 'counts' lookup at insn 5) when read with size 8; check it against 0 first`.
 */
export class VerifierError extends LoadError {
  override name = 'VerifierError';
  /** The refused instruction (its index in the program, sub-programs appended), if the message names one. */
  readonly insn: number | undefined;
  /** The sentence after `insn N: `: which register and rule, and what to do. */
  declare readonly reason: string;
  /** The C source line of the refused instruction, when the object carries line info (`.BTF.ext`). */
  readonly line: number | undefined;
  /** The C source file of `line` (its base name). */
  readonly file: string | undefined;
  /** The C source text of `line`, when the line info has it. */
  readonly source: string | undefined;

  constructor(code: string, errno: number, reason: string, log: string[], opts: VerifierErrorOptions = {}) {
    const { insn, line, file, source, ...rest } = opts;
    super(code, errno, reason, log, rest);
    const parsed = parseRefusal(reason, log);
    Object.defineProperty(this, 'reason', { value: parsed.reason, enumerable: true, writable: false });
    this.insn = insn ?? parsed.insn;
    this.line = line ?? parsed.line;
    this.file = file ?? parsed.file;
    this.source = source ?? parsed.source;
  }
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
    const refusal = verifierRefusal(reason);
    if (refusal) {
      // An object's load names the refused program: the error is about it.
      const vopts: VerifierErrorOptions = { ...opts, program: refusal.program ?? opts.program };
      return new VerifierError(code, errno, refusal.text, log.length > 0 ? log : [refusal.text], vopts);
    }
    return new LoadError(code, errno, reason, log.length > 0 ? log : logLines(message), opts);
  }
  return errorFor(code, errno, withoutPrefix(message, context) || code, opts);
}

/**
 * A verifier refusal in a load error's text, or undefined for other load
 * errors (bad ELF, a map the core refused, an unknown program type). Program
 * loads give `insn 7: ...`; object loads `program 'count' (section 's'):
 * load failed: program 'count': insn 7: ... | log: ...`.
 */
function verifierRefusal(text: string): { program: string | undefined; text: string } | undefined {
  let program: string | undefined;
  let t = text;
  const obj = /^program '([^']*)' \(section '[^']*'\): load failed: /.exec(t);
  if (obj) {
    program = obj[1];
    t = t.slice(obj[0].length).replace(/ \| log: .*$/, '');
  }
  // The core's own prefix (its names are cut to 15 characters, so any name).
  t = t.replace(/^program '[^']*': /, '');
  return /^(?:unreachable )?insn \d+: /.test(t) ? { program, text: t } : undefined;
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
