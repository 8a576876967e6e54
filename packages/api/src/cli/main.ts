/**
 * The `bpfhost` command line: parses options (node:util parseArgs), loads the
 * --ext modules and --obj objects into the in-process core, runs one
 * command (or a batch file of them) and exits 0, or prints the error and
 * exits 1. Uses only the public API of `@bpfhost/api`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { BpfError, CodecError, LoadError, VerifierError } from '../index.js';
import packageRequire from '../require.cjs';

import { btfCommand } from './cmd-btf.js';
import { featureCommand } from './cmd-feature.js';
import { mapCommand } from './cmd-map.js';
import { progCommand } from './cmd-prog.js';
import { genCommand } from './cmd-gen.js';
import { runCommand } from './cmd-run.js';
import { sdkCommand } from './cmd-sdk.js';
import { extCommands } from './cmd-ext.js';
import { asmCommand, disasmCommand } from './cmd-tools.js';
import { Output, type Sink } from './output.js';
import { Session } from './session.js';
import { HELP, UsageError } from './usage.js';

const OPTIONS = {
  json: { type: 'boolean', short: 'j' },
  pretty: { type: 'boolean', short: 'p' },
  ext: { type: 'string', short: 'e', multiple: true },
  obj: { type: 'string', multiple: true },
  hook: { type: 'string' },
  prog: { type: 'string', multiple: true },
  data: { type: 'string', multiple: true },
  ctx: { type: 'string' },
  'data-in': { type: 'string' },
  'data-out': { type: 'string' },
  'ctx-in': { type: 'string' },
  'ctx-out': { type: 'string' },
  repeat: { type: 'string' },
  'insn-budget': { type: 'string' },
  out: { type: 'string', short: 'o' },
  type: { type: 'string', multiple: true },
  check: { type: 'boolean' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  'cmake-prefix': { type: 'boolean' },
  cflags: { type: 'boolean' },
  libs: { type: 'boolean' },
  'pkg-config-path': { type: 'boolean' },
  map: { type: 'string' },
  'program-type': { type: 'boolean' },
  helper: { type: 'boolean' },
  'map-type': { type: 'string' },
  'key-size': { type: 'string' },
  'value-size': { type: 'string' },
  'max-entries': { type: 'string' },
  'prog-type': { type: 'string' },
  'no-faults': { type: 'boolean' },
  value: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

type Values = ReturnType<typeof parseCommandLine>['values'];

/** Options each command takes besides the global ones. */
const COMMAND_OPTIONS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  run: ['hook', 'prog', 'data', 'insn-budget'],
  prog: ['data', 'ctx', 'repeat', 'insn-budget', 'data-in', 'data-out', 'ctx-in', 'ctx-out'],
  map: [],
  asm: ['out'],
  disasm: [],
  ext: ['map', 'program-type', 'helper', 'map-type', 'key-size', 'value-size', 'max-entries', 'prog-type', 'no-faults', 'verbose', 'value'],
  sdk: ['cmake-prefix', 'cflags', 'libs', 'pkg-config-path'],
  batch: [],
  gen: ['out', 'type', 'check'],
  btf: [],
  feature: [],
};
const GLOBAL_OPTIONS = new Set<string>(['json', 'pretty', 'ext', 'obj', 'progress', 'no-progress', 'verbose', 'help', 'version']);

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs' own errors (unknown option, missing value) are usage errors.
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, " (put '--' before values that start with '-')"));
  }
}

/** The command's options that were given but that it does not take. */
function checkOptions(command: string, values: Values): void {
  const allowed = new Set(COMMAND_OPTIONS[command] ?? []);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || GLOBAL_OPTIONS.has(k) || allowed.has(k as keyof typeof OPTIONS)) continue;
    throw new UsageError(`'${command}' does not take --${k}`, command);
  }
}

function version(): string {
  // By the package's own name: the ESM (dist/) and CommonJS (dist/cjs/) builds sit at different depths.
  return (packageRequire('@bpfhost/api/package.json') as { version: string }).version;
}

/** Runs one command line (`positionals` after option parsing) in `session`. */
function dispatch(session: Session, out: Output, positionals: readonly string[], values: Values, inBatch: boolean): void {
  const [command, ...args] = positionals;
  if (command === undefined) throw new UsageError('expected a command');
  if (!(command in COMMAND_OPTIONS)) throw new UsageError(`unknown command '${command}'`);
  checkOptions(command, values);
  for (const path of values.ext ?? []) session.loadExtension(path);
  for (const path of values.obj ?? []) session.loadObject(path);
  switch (command) {
    case 'run':
      return runCommand(session, out, args, { hook: values.hook, prog: values.prog ?? [], data: values.data ?? [], insnBudget: values['insn-budget'] });
    case 'prog':
      return progCommand(session, out, args, {
        data: values.data?.[0], ctx: values.ctx, repeat: values.repeat, insnBudget: values['insn-budget'],
        dataIn: values['data-in'], dataOut: values['data-out'], ctxIn: values['ctx-in'], ctxOut: values['ctx-out'],
      });
    case 'map':
      return mapCommand(session, out, args);
    case 'asm':
      return asmCommand(out, args, values.out);
    case 'disasm':
      return disasmCommand(out, args);
    case 'ext':
      return extCommands(session, out, args, {
        map: values.map, programType: values['program-type'], helper: values.helper, mapType: values['map-type'], keySize: values['key-size'],
        valueSize: values['value-size'], maxEntries: values['max-entries'], progType: values['prog-type'], noFaults: values['no-faults'], verbose: values.verbose, json: values.json, value: values.value,
      });
    case 'sdk':
      return sdkCommand(out, args, { cmakePrefix: values['cmake-prefix'], cflags: values.cflags, libs: values.libs, pkgConfigPath: values['pkg-config-path'] });
    case 'gen':
      return genCommand(out, args, { out: values.out, types: values.type ?? [], check: values.check === true });
    case 'btf':
      return btfCommand(session, out, args);
    case 'feature':
      return featureCommand(session, out, args);
    case 'batch':
      if (inBatch) throw new UsageError('batch: a batch file cannot run another batch', 'batch');
      return batch(session, out, args);
  }
}

/** Splits a batch line into words: whitespace separates, '...' and "..." quote, # starts a comment. */
export function splitLine(line: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new UsageError(`unterminated ${c} in: ${line}`, 'batch');
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else if (c === '#' && cur === undefined) {
      break;
    } else {
      cur = (cur ?? '') + c;
    }
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** `batch FILE`: one command per line, all in this process (so maps and objects persist between lines), as bpftool's batch. */
function batch(session: Session, out: Output, args: readonly string[]): void {
  if (args.length !== 1) throw new UsageError('batch: expected one FILE', 'batch');
  const path = args[0] as string;
  const lines = readFileSync(path === '-' ? 0 : path, 'utf8').split('\n');
  // With --json, the whole batch is one array (one element per command, the error last), as bpftool's.
  out.collect();
  let n = 0;
  lines.forEach((line, i) => {
    const words = splitLine(line);
    if (words.length === 0) return;
    try {
      const { values, positionals } = parseCommandLine(words);
      const before = out.collectedCount;
      dispatch(session, out, positionals, values, true);
      if (out.collectedCount === before) out.document(null);
    } catch (e) {
      if (e instanceof Error) e.message = `${path}:${i + 1}: ${e.message}`;
      throw e;
    }
    n++;
  });
  out.finish(); // the array before the count, as a terminal shows them
  out.note(`processed ${n} command${n === 1 ? '' : 's'}`);
}

/**
 * A verifier refusal: the message names the program, the instruction and the
 * rule; then the C source line when known, and the verifier's log with
 * --verbose (a hint to it otherwise).
 */
function describeRefusal(e: VerifierError, verbose: boolean): { message: string; extra: Record<string, unknown>; log: string[] } {
  const extra = { code: e.code, errno: e.errno, program: e.program, insn: e.insn, reason: e.reason, file: e.file, line: e.line, log: e.log };
  const log: string[] = [];
  if (e.line !== undefined) log.push(`at ${e.file ?? '?'}:${e.line}${e.source ? `: ${e.source}` : ''}`);
  if (verbose) log.push("the verifier's log:", ...e.log.map((l) => `  ${l}`));
  else if (e.log.length > 1) log.push(`(--verbose prints the verifier's log: ${e.log.length} lines)`);
  return { message: e.message, extra, log };
}

/** The error's message and JSON details, from the API's typed errors. */
function describeError(e: unknown, verbose: boolean): { message: string; extra: Record<string, unknown>; log: string[] } {
  if (e instanceof VerifierError) return describeRefusal(e, verbose);
  if (e instanceof LoadError) return { message: e.message, extra: { code: e.code, errno: e.errno, log: e.log }, log: e.log.slice(1) };
  if (e instanceof CodecError) return { message: e.message, extra: { code: e.code, errno: e.errno, codec: e.codec, expected: e.expected, got: e.got }, log: [] };
  if (e instanceof BpfError) return { message: `${e.message} (${e.code})`, extra: { code: e.code, errno: e.errno }, log: [] };
  if (e instanceof UsageError) return { message: e.message, extra: {}, log: [] };
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.message === 'string') return { message: err.message, extra: { code: err.code }, log: [] };
  return { message: e instanceof Error ? e.message : String(e), extra: {}, log: [] };
}

/** Where the CLI writes: process.stdout/stderr unless a test passes its own. */
export interface Streams {
  stdout: Sink;
  stderr: Sink;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the
 * exit code: 0 on success, 1 on any error.
 */
export function main(argv: readonly string[], streams: Streams = { stdout: process.stdout, stderr: process.stderr }): number {
  let values: Values;
  let positionals: string[];
  let out = new Output(streams.stdout, streams.stderr, { json: argv.includes('--json') || argv.includes('-j'), pretty: false, progress: false });
  try {
    ({ values, positionals } = parseCommandLine(argv));
  } catch (e) {
    out.error(`${(e as Error).message}\nRun 'bpfhost --help' for usage.`);
    return 1;
  }
  out = new Output(streams.stdout, streams.stderr, {
    json: values.json === true,
    pretty: values.pretty === true,
    progress: values['no-progress'] ? false : values.progress,
  });
  if (values.version) {
    out.document({ version: version() });
    out.line(`bpfhost ${version()}`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    const topic = positionals[0] !== undefined && positionals[0] in HELP ? positionals[0] : '';
    streams.stdout.write(`${HELP[topic]}\n`);
    return values.help ? 0 : 1;
  }
  const session = new Session();
  try {
    dispatch(session, out, positionals, values, false);
    return 0;
  } catch (e) {
    const { message, extra, log } = describeError(e, values.verbose === true);
    const hint = e instanceof UsageError ? `\nRun 'bpfhost ${e.command ? `${e.command} ` : ''}--help' for usage.` : '';
    out.error(`${message}${hint}`, extra);
    if (!out.json) for (const l of log) out.note(`  ${l}`);
    return 1;
  } finally {
    out.finish();
    session.close();
  }
}
