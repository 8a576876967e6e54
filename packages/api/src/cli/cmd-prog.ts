/**
 * `bpfhost prog list|show|test-run`, after bpftool's prog commands.
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { Program, disassemble, type ProgramInfo, type SourceLine, type TestRunRedirect } from '../index.js';

import { parseUint } from './numbers.js';
import type { Output } from './output.js';
import type { Session } from './session.js';
import { UsageError } from './usage.js';
import { hexByteList, hexBytes, parseHexData } from './values.js';

/** What `prog test-run` takes besides its positionals. */
export interface TestRunArgs {
  data: string | undefined;
  ctx: string | undefined;
  repeat: string | undefined;
  insnBudget: string | undefined;
  /** Files (`-`: stdin/stdout), after bpftool's data_in/data_out/ctx_in/ctx_out. */
  dataIn: string | undefined;
  dataOut: string | undefined;
  ctxIn: string | undefined;
  ctxOut: string | undefined;
}

/** bpftool's JSON shape of a program. */
function progJson(i: ProgramInfo): Record<string, unknown> {
  return {
    id: i.id,
    type: i.typeName,
    name: i.name,
    tag: i.tag,
    bytes_xlated: i.insnCount * 8,
    map_ids: i.mapIds,
    run_cnt: i.runCount,
    run_time_ns: i.runTimeNs,
  };
}

/** bpftool's plain shape of a program: two lines. */
export function progLines(i: ProgramInfo): string[] {
  return [
    `${i.id}: ${i.typeName}  name ${i.name || '(none)'}  tag ${i.tag}`,
    `\txlated ${i.insnCount * 8}B  insns ${i.insnCount}${i.mapIds.length ? `  map_ids ${i.mapIds.join(',')}` : ''}  run_cnt ${i.runCount}  run_time_ns ${i.runTimeNs}`,
  ];
}

function list(out: Output): void {
  const infos: ProgramInfo[] = [];
  for (const id of Program.ids()) {
    const p = Program.fromId(id);
    try {
      infos.push(p.info());
    } finally {
      p.close();
    }
  }
  out.document(infos.map(progJson));
  for (const i of infos) for (const l of progLines(i)) out.line(l);
}

function show(session: Session, out: Output, args: readonly string[]): void {
  const { program, used } = session.findProgram(args);
  if (args.length > used) throw new UsageError(`prog show: unexpected '${args.slice(used).join(' ')}'`, 'prog');
  const i = program.info();
  out.document(progJson(i));
  for (const l of progLines(i)) out.line(l);
}

/** A 32-bit return value as the program meant it: `4294967294` is -2. */
function signed(retval: number): number {
  return retval | 0;
}

/** A count of runs: an integer in [1, 2^32-1]. */
export function parseRepeat(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseUint(text, '--repeat', { min: 1, command: 'prog' });
}

/** An instruction budget per run: an integer in [1, 2^32-1] (leave it out for the core's default). */
export function parseInsnBudget(text: string | undefined, command: string): number | undefined {
  return text === undefined ? undefined : parseUint(text, '--insn-budget', { min: 1, command });
}

/** Input bytes from `--NAME HEX` or `--NAME-in FILE` (one of the two). */
function inputBytes(hex: string | undefined, file: string | undefined, name: 'data' | 'ctx'): Buffer | undefined {
  if (hex !== undefined && file !== undefined) throw new UsageError(`prog test-run: give --${name} HEX or --${name}-in FILE, not both`, 'prog');
  if (hex !== undefined) return parseHexData(hex, `--${name}`);
  if (file !== undefined) return readFileSync(file === '-' ? 0 : file);
  return undefined;
}

/**
 * The program `test-run` runs: `id ID` or `name NAME` of one loaded in this
 * process (by --obj or an earlier batch line), or `OBJ.o PROG` (opened and
 * loaded now). Returns it, its name and the tokens left over.
 */
function testRunTarget(session: Session, args: readonly string[]): { program: Program; name: string; rest: readonly string[] } {
  const [first, second, ...rest] = args;
  if (first === 'id' || first === 'name') {
    const { program, used } = session.findProgram(args);
    return { program, name: program.name, rest: args.slice(used) };
  }
  if (first === undefined || second === undefined) throw new UsageError('prog test-run: expected id ID, name NAME, or OBJ.o and a program name', 'prog');
  return { program: session.loadObject(first).program(second), name: second, rest };
}

function testRun(session: Session, out: Output, args: readonly string[], opts: TestRunArgs): void {
  for (const [o, path] of [['--data-out', opts.dataOut], ['--ctx-out', opts.ctxOut]] as const) {
    if (path === '-') throw new UsageError(`prog test-run: ${o} takes a file (without it, the bytes print as hex)`, 'prog');
  }
  const data = inputBytes(opts.data, opts.dataIn, 'data');
  const ctx = inputBytes(opts.ctx, opts.ctxIn, 'ctx');
  const repeat = parseRepeat(opts.repeat);
  const insnBudget = parseInsnBudget(opts.insnBudget, 'prog');
  const { program, name, rest } = testRunTarget(session, args);
  if (rest.length > 0) throw new UsageError(`prog test-run: unexpected '${rest.join(' ')}'`, 'prog');
  const r = program.testRun({ ...(data ? { data } : {}), ...(ctx ? { ctx } : {}), ...(repeat ? { repeat } : {}), ...(insnBudget ? { insnBudget } : {}) });
  // An output file gets the raw bytes (empty when the program type returns none); stdout gets
  // the hex only when no file takes it.
  const toFile = (path: string | undefined, bytes: Buffer | undefined): boolean => {
    if (path === undefined) return false;
    writeFileSync(path, bytes ?? Buffer.alloc(0));
    return true;
  };
  const dataFile = toFile(opts.dataOut, r.data === undefined ? undefined : Buffer.from(r.data));
  const ctxFile = toFile(opts.ctxOut, r.ctx === undefined ? undefined : Buffer.from(r.ctx));
  out.document({
    id: program.id,
    program: name,
    retval: signed(r.retval),
    duration_ns: r.durationNs,
    repeat: repeat ?? 1,
    ...(insnBudget ? { insn_budget: insnBudget } : {}),
    ...(r.data ? (dataFile ? { bytes_data_out: r.data.length } : { data_out: hexByteList(r.data) }) : {}),
    ...(r.ctx ? (ctxFile ? { bytes_ctx_out: r.ctx.length } : { ctx_out: hexByteList(r.ctx) }) : {}),
    ...(r.redirect ? { redirect: redirectJson(r.redirect) } : {}),
  });
  const sv = signed(r.retval);
  out.line(`Return value: ${sv}${sv < 0 ? ` (0x${(r.retval >>> 0).toString(16)})` : ''}, duration${repeat && repeat > 1 ? ' (average)' : ''}: ${r.durationNs}ns`);
  if (r.data && !dataFile) out.line(`data_out: ${hexBytes(r.data)}`);
  if (r.ctx && !ctxFile) out.line(`ctx_out: ${hexBytes(r.ctx)}`);
  if (r.redirect) out.line(`Redirect: ${redirectText(r.redirect)} (a test run sends nothing)`);
}

/** A redirect target in snake_case, as the rest of the JSON output. */
function redirectJson(rd: TestRunRedirect): Record<string, string | number> {
  const o: Record<string, string | number> = { kind: rd.kind };
  if ('mapId' in rd) o.map_id = rd.mapId;
  if ('key' in rd) o.key = rd.key;
  if ('ifindex' in rd) o.ifindex = rd.ifindex;
  if ('cpu' in rd) o.cpu = rd.cpu;
  o.flags = rd.flags;
  return o;
}

function redirectText(rd: TestRunRedirect): string {
  const flags = rd.flags ? ` flags 0x${rd.flags.toString(16)}` : '';
  switch (rd.kind) {
    case 'ifindex':
      return `to ifindex ${rd.ifindex}${flags}`;
    case 'map':
      return `through map id ${rd.mapId} key ${rd.key} to ifindex ${rd.ifindex}${flags}`;
    case 'cpu':
      return `through cpumap id ${rd.mapId} to CPU ${rd.cpu}${flags}`;
    case 'broadcast':
      return `broadcast through map id ${rd.mapId}${flags}`;
  }
}

/** `prog pin PROG PATH`: pins a loaded program in this process's pin namespace. */
function pin(session: Session, out: Output, args: readonly string[]): void {
  const { program, used } = session.findProgram(args);
  const [path, ...rest] = args.slice(used);
  if (path === undefined) throw new UsageError('prog pin: expected a PATH after the program', 'prog');
  if (rest.length > 0) throw new UsageError(`prog pin: unexpected '${rest.join(' ')}'`, 'prog');
  program.pin(path);
  out.document({ id: program.id, name: program.name, pinned: path });
  out.line(`pinned program ${program.id} (${program.name}) at ${path}`);
}

const BPF_LD_IMM64 = 0x18;

/**
 * `prog dump xlated PROG [linum]`: the program's instructions as loaded, one
 * per line with its index. With `linum`, as bpftool's, each run of
 * instructions from one C line is preceded by that line and where it is
 * (`; TEXT [file:FILE line_num:N line_col:C]`), from the object's line info.
 */
function dumpXlated(session: Session, out: Output, args: readonly string[]): void {
  const [kind, ...rest] = args;
  if (kind !== 'xlated') throw new UsageError(kind === undefined ? "prog dump: expected 'xlated' and a program" : `prog dump: unknown kind '${kind}' (bpfhost has no JIT: only 'xlated')`, 'prog');
  const { program, used } = session.findProgram(rest);
  const options = rest.slice(used);
  const linum = options[0] === 'linum';
  if (options.length > (linum ? 1 : 0)) throw new UsageError(`prog dump xlated: unexpected '${options.slice(linum ? 1 : 0).join(' ')}' (the only option is 'linum')`, 'prog');
  const insns = program.instructions();
  const sources = new Map<number, SourceLine>();
  if (linum) {
    // Without line info (instructions, no clang -g) the dump is the instructions alone, as bpftool's.
    for (const l of program.sourceLines()) sources.set(l.insn, l);
  }
  const lines: Array<{ pc: number; disasm: string; opcodes: string[]; src?: string; file?: string; line_num?: number; line_col?: number }> = [];
  const plain: string[] = [];
  const width = String(Math.max(0, insns.length / 8 - 1)).length;
  for (let pc = 0; pc * 8 < insns.length; ) {
    // A 64-bit immediate load takes two slots and disassembles as one line.
    const slots = insns[pc * 8] === BPF_LD_IMM64 ? 2 : 1;
    const raw = insns.subarray(pc * 8, (pc + slots) * 8);
    const entry: (typeof lines)[number] = { pc, disasm: disassemble(raw).trim(), opcodes: hexByteList(raw) };
    const src = sources.get(pc);
    if (src) {
      // bpftool's fields: the line's text trimmed on the left, then where it is.
      Object.assign(entry, { src: src.text.trimStart(), file: src.file, line_num: src.line, line_col: src.column });
      plain.push(`; ${src.text.trimStart()} [file:${src.file} line_num:${src.line} line_col:${src.column}]`);
    }
    lines.push(entry);
    plain.push(`${String(pc).padStart(width)}: ${entry.disasm}`);
    pc += slots;
  }
  out.document(lines);
  for (const l of plain) out.line(l);
}

/** Runs `prog SUBCOMMAND ARGS...`. */
export function progCommand(session: Session, out: Output, args: readonly string[], opts: TestRunArgs): void {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      if (rest.length > 0) throw new UsageError(`prog list: unexpected '${rest.join(' ')}'`, 'prog');
      return list(out);
    case 'show':
      return rest.length === 0 ? list(out) : show(session, out, rest);
    case 'test-run':
    case 'run':
      return testRun(session, out, rest, opts);
    case 'pin':
      return pin(session, out, rest);
    case 'dump':
      return dumpXlated(session, out, rest);
    default:
      throw new UsageError(sub === undefined ? 'prog: expected a subcommand (list, show, test-run, pin, dump)' : `prog: unknown subcommand '${sub}'`, 'prog');
  }
}
