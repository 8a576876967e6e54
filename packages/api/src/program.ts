/**
 * {@link Program}s, the {@link Link}s that attach them to hooks, and the
 * hook and trace-log functions of the core.
 *
 * @module
 */
import { BpfError, Errno, fromNative, type FromNativeOptions } from './errors.js';
import type { ErrorContext } from './errors.js';
import { nativeBinding, type NativeBinding, type NativeProgLoadOptions, type NativeTestRunResult } from './native.js';
import { Resource } from './resource.js';
import { ProgramType, programTypeName, type ProgramTypeName } from './uapi.js';
import { handle, int, optional, u32 } from './validate.js';

/**
 * Options of {@link Program.testRun}. The numbers are unsigned 32-bit
 * integers, as in Linux's `BPF_PROG_TEST_RUN`; anything else (a fraction,
 * a negative or too large number, a string) throws {@link ArgumentError}.
 */
export interface TestRunOptions {
  /** The packet / event bytes the program sees as data .. data_end. */
  data?: Uint8Array;
  /** The context struct (program-type specific; empty for the default). */
  ctx?: Uint8Array;
  /**
   * Run this many times: an integer in [0, 2^32-1] (0 and the default: once);
   * `durationNs` is the mean per run. A long run blocks the calling thread:
   * use {@link Program.testRunAsync} for big counts.
   */
  repeat?: number;
  /** Room for the data out, in bytes: an integer in [0, 2^32-1] (default: the data's size). */
  dataSizeOut?: number;
  /** Room for the context out, in bytes: an integer in [0, 2^32-1] (default: the context's size). */
  ctxSizeOut?: number;
  /**
   * How many instructions each run may execute: an integer in [0, 2^32-1]
   * (0 and the default: the core's budget, 16,777,216, `BPFHOST_INSN_BUDGET_DEFAULT`).
   * A run past it stops, and `testRun` throws a {@link BpfError} with code
   * `'ELOOP'` whose message names the program, the instruction and the budget.
   * Every run ends: a program that loops forever stops at the budget.
   */
  insnBudget?: number;
}

/** What {@link Program.testRun} returns. */
export interface TestRunResult {
  /** The program's return value (r0, as the core's 32-bit `retval`). */
  retval: number;
  /** The data after the run (the program may write it), if there was data. */
  data: Buffer | undefined;
  /** The context after the run, if a context was given. */
  ctx: Buffer | undefined;
  /** Mean time per run, in nanoseconds. */
  durationNs: number;
  /**
   * Where the frame goes when the verdict redirects (`XDP_REDIRECT`,
   * `TC_ACT_REDIRECT`): what the last `bpf_redirect` / `bpf_redirect_map`
   * call chose. A test run sends nothing. Absent for other verdicts.
   */
  redirect?: TestRunRedirect;
}

/** The target of a redirect verdict ({@link TestRunResult.redirect}). */
export type TestRunRedirect =
  /** `bpf_redirect(ifindex, flags)`; `flags` 1 is `BPF_F_INGRESS` (TC). */
  | { kind: 'ifindex'; ifindex: number; flags: number }
  /** `bpf_redirect_map(devmap, key, flags)`: the DEVMAP(_HASH) entry at `key`, and its `ifindex`. */
  | { kind: 'map'; mapId: number; key: number; ifindex: number; flags: number }
  /** `bpf_redirect_map(cpumap, cpu, flags)`: to CPU `cpu`. */
  | { kind: 'cpu'; mapId: number; cpu: number; flags: number }
  /** `bpf_redirect_map` with `BPF_F_BROADCAST`: every entry of the devmap (`BPF_F_EXCLUDE_INGRESS` in `flags`). */
  | { kind: 'broadcast'; mapId: number; flags: number };

/** Options of {@link Program.attach}. */
export interface AttachOptions {
  /** The hook's attach type: an integer in [0, 2^32-1] (extension hooks: 4096 and up). Default: the program's `expectedAttachType`. */
  attachType?: number;
  /** A target handle, for hooks that take one. */
  target?: number;
  /**
   * How many instructions each run of the program on this hook may execute:
   * an integer in [0, 2^32-1] (0 and the default: the core's budget,
   * 16,777,216). A run past it stops with `ELOOP` (the hook reports it as it
   * reports other failures of its programs).
   */
  insnBudget?: number;
}

/** A hook to attach to: an attach type (an integer in [0, 2^32-1]), or {@link AttachOptions}. */
export type Hook = number | AttachOptions;

/** What {@link Program.info} returns. */
export interface ProgramInfo {
  id: number;
  name: string;
  type: number;
  typeName: string;
  /** The program's tag (hash of its instructions), as hex. */
  tag: string;
  insnCount: number;
  mapIds: number[];
  runCount: bigint;
  runTimeNs: bigint;
}

/** Options of {@link Program.load}. */
export interface LoadProgramOptions {
  /** Program type: a name (`'socket_filter'`, `'xdp'`, ...) or a type id (extension types from 4096). */
  type: ProgramTypeName | number;
  /** Raw instructions (8 bytes each) or assembler text (the conformance syntax, see `assemble`). */
  insns: Uint8Array | string;
  name?: string;
  /** Default `'GPL'`. */
  license?: string;
  expectedAttachType?: number;
  /** Map handles the instructions refer to by index (`BPF_PSEUDO_MAP_IDX`). */
  maps?: Array<{ fd: number }>;
  /**
   * Verify with Linux's rules for loads without CAP_BPF/CAP_PERFMON: no
   * pointer may reach a map, the context, a helper as a number or the return
   * value; no pointer comparisons; no reads of unwritten stack. For programs
   * from authors you trust less: nothing of the host's addresses leaks.
   */
  unprivileged?: boolean;
  /**
   * Test-only: load without the static verifier (only the structural check),
   * so a test can show the interpreter's run-time checks stop a program the
   * verifier would refuse (an endless loop reaching the instruction budget).
   * Never set it for programs you mean to run.
   */
  testUnverified?: boolean;
  /**
   * The verifier log to keep when the load succeeds, as Linux's `log_level`:
   * 1 (its statistics: `processed 12 insns (limit 1000000) ...`) or 2 (every
   * instruction it walked, with the register states). 0 and the default: no
   * log on success. A refusal always carries the log of the failing path
   * ({@link VerifierError.log}), at level 2 everything walked before it.
   */
  logLevel?: LogLevel;
}

/** A verifier log level: 0 (none on success), 1 (statistics and the failing path), 2 (everything). */
export type LogLevel = 0 | 1 | 2;

/** `level` checked: 0, 1 or 2 (an {@link ArgumentError} otherwise). */
export function logLevel(level: unknown, ctx: ErrorContext): LogLevel {
  return int('logLevel', level, 0, 2, ctx) as LogLevel;
}

/** Lines of a verifier log, without the blank ones. */
export function verifierLogLines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
}

/** @internal How a Program is made. */
export interface ProgramInit {
  fd: number;
  name: string;
  section: string;
  type: number;
  expectedAttachType: number;
  insnCount: number;
  owned: boolean;
  owner?: Resource;
  object?: string;
  /** The verifier's log of the load, when one was asked for. */
  verifierLog?: readonly string[];
  /** Reads the object's line info of the program (programs of objects only). */
  sourceLines?: () => readonly SourceLine[];
}

/**
 * Where a run of a program's instructions came from in its C source (the
 * object's line info, from `clang -g`), as `bpftool prog dump xlated linum` shows.
 */
export interface SourceLine {
  /** The first instruction of the run, an index in {@link Program.instructions} (8-byte slots). */
  readonly insn: number;
  /** The source file as it was compiled. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The line's text. */
  readonly text: string;
}

/** Runs a binding call, translating its errors with `ctx`. */
function call<T>(ctx: FromNativeOptions, fn: (b: NativeBinding) => T): T {
  const b = nativeBinding();
  try {
    return fn(b);
  } catch (e) {
    throw fromNative(e, ctx);
  }
}

/** The native result as {@link TestRunResult}. */
function testRunResult(r: NativeTestRunResult): TestRunResult {
  const res: TestRunResult = { retval: r.retval, data: r.data ?? undefined, ctx: r.ctx ?? undefined, durationNs: r.durationNs };
  const rd = r.redirect;
  if (rd?.kind === 1) res.redirect = { kind: 'ifindex', ifindex: rd.target, flags: rd.flags };
  else if (rd?.kind === 3) res.redirect = { kind: 'broadcast', mapId: rd.mapId, flags: rd.flags };
  else if (rd?.kind === 2) res.redirect = { kind: 'map', mapId: rd.mapId, key: rd.key, ifindex: rd.target, flags: rd.flags };
  else if (rd?.kind === 4) res.redirect = { kind: 'cpu', mapId: rd.mapId, cpu: rd.target, flags: rd.flags };
  return res;
}

/** The {@link Program} type of built-in program type `N`: `ProgramOfType<'xdp'>` is `Program<6>`. */
export type ProgramOfType<N extends ProgramTypeName> = Program<(typeof ProgramType)[N]>;

/**
 * A loaded program: from an object ({@link BpfObject.program}) or loaded
 * from instructions ({@link Program.load}). Run it with {@link testRun},
 * attach it to a hook with {@link attach}.
 */
export class Program<T extends number = number> extends Resource {
  readonly fd: number;
  readonly name: string;
  /** The ELF section it came from (`''` for programs loaded from instructions). */
  readonly section: string;
  /** Its program type ({@link ProgramType}); a generated skeleton types it as the literal (`Program<6>` for XDP). */
  readonly type: T;
  /** The attach type its section implies (the default hook of {@link attach}). */
  readonly expectedAttachType: number;
  readonly insnCount: number;
  /**
   * The verifier's log of this program's load, one entry per line, when
   * asked for with `logLevel` ({@link LoadProgramOptions.logLevel},
   * {@link BpfObject.load}); empty otherwise.
   */
  readonly verifierLog: readonly string[];
  readonly #owned: boolean;
  readonly #object: string | undefined;
  readonly #sourceLines: (() => readonly SourceLine[]) | undefined;

  /** @internal Use {@link BpfObject.program} or {@link Program.load}. */
  constructor(init: ProgramInit) {
    super(init.owner);
    this.fd = init.fd;
    this.name = init.name;
    this.section = init.section;
    this.type = init.type as T;
    this.expectedAttachType = init.expectedAttachType;
    this.insnCount = init.insnCount;
    this.verifierLog = init.verifierLog ?? [];
    this.#owned = init.owned;
    this.#object = init.object;
    this.#sourceLines = init.sourceLines;
  }

  /**
   * Loads a program from instructions or assembler text. Throws
   * {@link VerifierError} / {@link LoadError} (with the log) when refused.
   * The caller closes it.
   */
  static load(opts: LoadProgramOptions): Program {
    const name = opts.name ?? '';
    const ctx: ErrorContext = { program: name, op: 'load' };
    const type = typeof opts.type === 'string' ? (ProgramType as Record<string, number>)[opts.type] : u32('type', opts.type, ctx);
    if (type === undefined) {
      throw new BpfError('EINVAL', Errno.EINVAL, `unknown program type '${String(opts.type)}'`, ctx);
    }
    const expectedAttachType = optional(opts.expectedAttachType, (v) => u32('expectedAttachType', v, ctx));
    const fdArray = opts.maps?.map((m, i) => handle(`maps[${i}].fd`, m.fd, ctx));
    const level = optional(opts.logLevel, (v) => logLevel(v, ctx)) ?? 0;
    const insns = typeof opts.insns === 'string' ? assemble(opts.insns) : Buffer.from(opts.insns);
    const nativeOpts: NativeProgLoadOptions = {
      ...(expectedAttachType !== undefined ? { expectedAttachType } : {}),
      ...(fdArray ? { fdArray } : {}),
      ...(opts.unprivileged ? { unprivileged: true } : {}),
      ...(opts.testUnverified ? { testUnverified: true } : {}),
      ...(level ? { logLevel: level } : {}),
    };
    const { fd, log } = call({ ...ctx, kind: 'load' }, (b) =>
      level
        ? b.progLoadWithLog(type, name || null, opts.license ?? 'GPL', insns, nativeOpts)
        : { fd: b.progLoad(type, name || null, opts.license ?? 'GPL', insns, nativeOpts), log: '' },
    );
    return new Program({
      verifierLog: verifierLogLines(log),
      fd,
      name,
      section: '',
      type,
      expectedAttachType: expectedAttachType ?? 0,
      insnCount: insns.length / 8,
      owned: true,
    });
  }

  /**
   * Opens the program with id `id` (see {@link Program.ids}). The caller
   * closes it. Throws {@link NotFoundError} when no program has that id,
   * {@link ArgumentError} for an id that is not an integer in [0, 2^32-1].
   */
  static fromId(id: number): Program {
    u32('id', id, { op: 'open program by id' });
    const fd = call({ op: `open program id ${id}` }, (b) => b.progGetFdById(id));
    try {
      const i = call({ op: 'info' }, (b) => b.progGetInfo(fd));
      return new Program({ fd, name: i.name, section: '', type: i.type, expectedAttachType: 0, insnCount: i.insnCnt, owned: true });
    } catch (e) {
      nativeBinding().close(fd);
      throw e;
    }
  }

  /** Ids of every program in the core, in order. */
  static *ids(): IterableIterator<number> {
    let id = 0;
    for (;;) {
      const next = call({ op: 'list programs' }, (b) => b.progGetNextId(id));
      if (next === null) return;
      yield next;
      id = next;
    }
  }

  protected get kind(): string {
    return 'program';
  }

  protected get context(): ErrorContext {
    return this.#object === undefined ? { program: this.name } : { object: this.#object, program: this.name };
  }

  protected release(): void {
    if (this.#owned) nativeBinding().close(this.fd);
  }

  private native<T>(op: string, fn: (b: NativeBinding) => T): T {
    this.ensureOpen(op);
    return call({ ...this.context, op }, fn);
  }

  /** `'xdp'`, `'ext(4097)'`, ... */
  get typeName(): string {
    return programTypeName(this.type);
  }

  /**
   * This program, typed as program type `type` (what a generated skeleton
   * uses: `skel.programs.rx` is a `Program<6>` when `rx` is XDP). Throws
   * {@link BpfError} `EINVAL` when the program has another type, e.g. after
   * `configureProgram(name, { type })` changed it or the object was rebuilt
   * without regenerating its skeleton.
   */
  ofType<U extends number>(type: U): Program<U> {
    if ((this.type as number) !== type) {
      throw new BpfError(
        'EINVAL',
        Errno.EINVAL,
        `program '${this.name}' is of type ${programTypeName(this.type)}, not ${programTypeName(type)}; regenerate the skeleton (bpfhost gen skeleton) or read it untyped with object.program('${this.name}')`,
        { ...this.context, op: 'ofType' },
      );
    }
    return this as unknown as Program<U>;
  }

  /** What the core says about the program (id, tag, run statistics). */
  info(): ProgramInfo {
    const i = this.native('info', (b) => b.progGetInfo(this.fd));
    return {
      id: i.id,
      name: i.name,
      type: i.type,
      typeName: programTypeName(i.type),
      tag: Buffer.from(i.tag).toString('hex'),
      insnCount: i.insnCnt,
      mapIds: i.mapIds,
      runCount: i.runCnt,
      runTimeNs: i.runTimeNs,
    };
  }

  /**
   * The program's instructions as the core holds them after load, 8 bytes
   * each: those handed to it (a program of an object has its map and global
   * references as the object's loader resolved them, `lddw map_fd` and
   * `map_value`). What `bpftool prog dump xlated` shows; {@link disassemble}
   * prints them. Throws {@link ClosedError} once the program is closed.
   */
  instructions(): Buffer {
    return this.native('instructions', (b) => b.progGetXlated(this.fd));
  }

  /**
   * The C source lines of the program's instructions, one entry per run of
   * instructions from the same line, in instruction order: from the object's
   * line info (compiled with `clang -g`). Empty for a program loaded from
   * instructions or an object without line info. Throws {@link ClosedError}
   * once the program (or its object) is closed.
   */
  sourceLines(): readonly SourceLine[] {
    this.ensureOpen('sourceLines');
    const read = this.#sourceLines;
    return read === undefined ? [] : call({ ...this.context, op: 'sourceLines' }, () => read());
  }

  /** The program's id in the core. */
  get id(): number {
    return this.info().id;
  }

  /**
   * Runs the program once (or `repeat` times) on `data` and `ctx`
   * (`BPF_PROG_TEST_RUN`). Throws `EINVAL` for sizes the program type
   * refuses, `ENOSPC` when the output does not fit, `EFAULT` when the
   * program faulted, `ELOOP` when a run went past its instruction budget
   * (`insnBudget`), {@link ArgumentError} for an option out of its range.
   */
  testRun(opts: TestRunOptions = {}): TestRunResult {
    this.ensureOpen('testRun');
    const o = nativeTestRunOptions(opts, { ...this.context, op: 'testRun' });
    const r = this.native('testRun', (b) => b.progTestRun(this.fd, o));
    return testRunResult(r);
  }

  /**
   * {@link testRun} off the JavaScript thread (on libuv's thread pool): a run
   * with a large `repeat` does not block the event loop. Rejects with the same
   * errors `testRun` throws.
   */
  async testRunAsync(opts: TestRunOptions = {}): Promise<TestRunResult> {
    this.ensureOpen('testRunAsync');
    const o = nativeTestRunOptions(opts, { ...this.context, op: 'testRunAsync' });
    const pending = this.native('testRunAsync', (b) => b.progTestRunAsync(this.fd, o));
    let r: Awaited<typeof pending>;
    try {
      r = await pending;
    } catch (e) {
      throw fromNative(e, { ...this.context, op: 'testRunAsync' });
    }
    return testRunResult(r);
  }

  /**
   * Attaches the program to a hook (default: the attach type its section
   * implies) and returns the {@link Link}; detach or close the link to undo.
   * `program.attach({ insnBudget: 1000 })` bounds each run of the program on
   * the hook. Throws `EINVAL` when no hook has that attach type or the
   * program type does not fit it, {@link ArgumentError} for an attach type,
   * target or budget that is not an integer in its range.
   */
  attach(hook?: Hook): Link {
    this.ensureOpen('attach');
    const ctx = { ...this.context, op: 'attach' };
    const o: AttachOptions = typeof hook === 'object' && hook !== null ? hook : { attachType: hook };
    const attachType = o.attachType === undefined ? this.expectedAttachType : u32('attachType', o.attachType, ctx);
    const target = optional(o.target, (v) => handle('target', v, ctx));
    const insnBudget = optional(o.insnBudget, (v) => u32('insnBudget', v, ctx));
    const op = `attach to ${attachType}`;
    const fd = this.native(op, (b) => b.linkCreate(this.fd, attachType, target, insnBudget === undefined ? undefined : { insnBudget }));
    return new Link(fd, attachType, this.name);
  }

  /** Pins the program at `path` in the core's path namespace. */
  pin(path: string): void {
    this.native(`pin '${path}'`, (b) => b.objPin(this.fd, path));
  }
}

/** What {@link Link.info} returns. */
export interface LinkInfo {
  id: number;
  programId: number;
  attachType: number;
}

/**
 * A program attached to a hook. `detach()` (or `close()`, or `using`) takes
 * it off the hook.
 */
export class Link extends Resource {
  readonly fd: number;
  readonly attachType: number;
  /** The attached program's name. */
  readonly program: string;

  /** @internal Use {@link Program.attach}. */
  constructor(fd: number, attachType: number, program: string) {
    super();
    this.fd = fd;
    this.attachType = attachType;
    this.program = program;
  }

  protected get kind(): string {
    return 'link';
  }

  protected get context(): ErrorContext {
    return { program: this.program };
  }

  protected release(): void {
    nativeBinding().close(this.fd);
  }

  /** Detaches the program from the hook and closes the link. */
  detach(): void {
    this.ensureOpen('detach');
    call({ ...this.context, op: 'detach' }, (b) => b.linkDetach(this.fd));
    this.close();
  }

  /** What the core says about the link. */
  info(): LinkInfo {
    this.ensureOpen('info');
    const i = call({ ...this.context, op: 'info' }, (b) => b.linkGetInfo(this.fd));
    return { id: i.id, programId: i.progId, attachType: i.attachType };
  }
}

/** What {@link triggerHook} returns. */
export interface HookResult {
  /** How many programs ran. */
  programs: number;
  /** The hook's result, as the hook defines it (the sample hook: the first non-zero return value of its programs, or 0). */
  retval: number;
}

/**
 * Fires the hook of `attachType` with `data`, running every program linked
 * to it (the sample extension's hook is attach type 4097). Throws
 * {@link NotFoundError} when no hook has that attach type, `EOPNOTSUPP` when
 * the hook cannot be fired from user space.
 */
export function triggerHook(attachType: number, data?: Uint8Array): HookResult {
  u32('attachType', attachType, { op: 'trigger hook' });
  const r = call({ op: `trigger hook ${attachType}` }, (b) => b.hookTrigger(attachType, data === undefined ? null : Buffer.from(data)));
  return { programs: r.progCnt, retval: r.retval };
}

/** Drains the `bpf_trace_printk` log: the lines programs printed since the last call. */
export function trace(): string {
  return call({ op: 'read trace log' }, (b) => b.traceRead());
}

/** The program type and attach type the ELF section name `section` implies. Throws {@link NotFoundError}. */
export function programTypeBySection(section: string): { type: number; expectedAttachType: number } {
  const r = call({ op: `section '${section}'` }, (b) => b.progTypeBySection(section));
  return { type: r.progType, expectedAttachType: r.expectedAttachType };
}

/** A helper function programs of a type may call ({@link programTypeHelpers}). */
export interface HelperInfo {
  /** Linux's id (`BPF_FUNC_*`), or an extension's from 65536. */
  readonly id: number;
  /** `'bpf_map_lookup_elem'`; an extension helper's name as its module registered it. */
  readonly name: string;
}

/**
 * The helpers programs of `type` may call in this process: the core's for
 * the type (Linux's ids, ascending), then the type's own from its extension
 * module. What `bpfhost feature` lists per type. Throws `EOPNOTSUPP` for a
 * type nothing provides (an extension type before its module is loaded).
 */
export function programTypeHelpers(type: ProgramTypeName | number): HelperInfo[] {
  const ctx: ErrorContext = { op: 'programTypeHelpers' };
  const t = typeof type === 'string' ? (ProgramType as Record<string, number>)[type] : u32('type', type, ctx);
  if (t === undefined) throw new BpfError('EINVAL', Errno.EINVAL, `unknown program type '${String(type)}'`, ctx);
  return call(ctx, (b) => b.progTypeHelpers(t)).map((h) => ({ id: h.id, name: h.name }));
}

/** Assembles text in the bpf_conformance syntax into raw instructions. */
export function assemble(source: string): Buffer {
  return call({ op: 'assemble' }, (b) => b.asm(source));
}

/** Disassembles raw instructions into text (one instruction per line). */
export function disassemble(insns: Uint8Array): string {
  return call({ op: 'disassemble' }, (b) => b.disasm(Buffer.from(insns)));
}

type NativeTestRunOptions = NonNullable<Parameters<NativeBinding['progTestRun']>[1]>;

/** The binding's form of {@link TestRunOptions} (Buffers, absent fields left out), its numbers checked. */
function nativeTestRunOptions(opts: TestRunOptions, ctx: ErrorContext): NativeTestRunOptions {
  const out: NativeTestRunOptions = {};
  if (opts.data !== undefined) out.data = Buffer.from(opts.data);
  if (opts.ctx !== undefined) out.ctx = Buffer.from(opts.ctx);
  for (const k of ['repeat', 'dataSizeOut', 'ctxSizeOut', 'insnBudget'] as const) {
    if (opts[k] !== undefined) out[k] = u32(k, opts[k], ctx);
  }
  return out;
}
