/**
 * `bpfhost prog list|show|test-run`, after bpftool's prog commands.
 *
 * @module
 */
import { Program, type ProgramInfo } from '../index.js';

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

function testRun(session: Session, out: Output, args: readonly string[], opts: TestRunArgs): void {
  const [path, name, ...rest] = args;
  if (path === undefined || name === undefined) throw new UsageError('prog test-run: expected OBJ.o and a program name', 'prog');
  if (rest.length > 0) throw new UsageError(`prog test-run: unexpected '${rest.join(' ')}'`, 'prog');
  const data = opts.data === undefined ? undefined : parseHexData(opts.data);
  const ctx = opts.ctx === undefined ? undefined : parseHexData(opts.ctx, '--ctx');
  const repeat = parseRepeat(opts.repeat);
  const insnBudget = parseInsnBudget(opts.insnBudget, 'prog');
  const obj = session.loadObject(path);
  const program = obj.program(name);
  const r = program.testRun({ ...(data ? { data } : {}), ...(ctx ? { ctx } : {}), ...(repeat ? { repeat } : {}), ...(insnBudget ? { insnBudget } : {}) });
  out.document({
    program: name,
    retval: signed(r.retval),
    duration_ns: r.durationNs,
    repeat: repeat ?? 1,
    ...(insnBudget ? { insn_budget: insnBudget } : {}),
    ...(r.data ? { data_out: hexByteList(r.data) } : {}),
    ...(r.ctx ? { ctx_out: hexByteList(r.ctx) } : {}),
  });
  const sv = signed(r.retval);
  out.line(`Return value: ${sv}${sv < 0 ? ` (0x${(r.retval >>> 0).toString(16)})` : ''}, duration${repeat && repeat > 1 ? ' (average)' : ''}: ${r.durationNs}ns`);
  if (r.data) out.line(`data_out: ${hexBytes(r.data)}`);
  if (r.ctx) out.line(`ctx_out: ${hexBytes(r.ctx)}`);
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
    default:
      throw new UsageError(sub === undefined ? 'prog: expected a subcommand (list, show, test-run)' : `prog: unknown subcommand '${sub}'`, 'prog');
  }
}
