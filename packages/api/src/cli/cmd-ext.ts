/**
 * `bpfhost ext new NAME [--map hash|array] [--program-type] [--helper]`
 * writes an extension project from the templates this package ships
 * (templates/ext); `bpfhost ext check MODULE.so --map-type N` runs the
 * conformance kit of the SDK on a map provider. `ext load|list` stay in
 * cmd-tools.ts.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { checkArguments, checkTool, type CheckOptions, type CheckReport } from '../check.js';
import packageRequire from '../require.cjs';

import type { Output } from './output.js';
import type { Session } from './session.js';
import { extCommand } from './cmd-tools.js';
import { UsageError } from './usage.js';

export interface ExtOptions {
  map?: string;
  programType?: boolean;
  helper?: boolean;
  mapType?: string;
  keySize?: string;
  valueSize?: string;
  maxEntries?: string;
  progType?: string;
  noFaults?: boolean;
  verbose?: boolean;
  json?: boolean;
  value?: string;
}

/** What the templates are rendered with. */
export interface ScaffoldSpec {
  name: string;
  base: 'hash' | 'array';
  programType: boolean;
  helper: boolean;
}

/** The templates' folder in this package. */
function templatesDir(): string {
  return join(dirname(packageRequire.resolve('@bpfhost/api/package.json')), 'templates', 'ext');
}

/** A stable number in [0, range) from the name: the ids the scaffold picks. */
function nameHash(name: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h >>> 0;
}

/** The template values for `spec`. */
export function scaffoldValues(spec: ScaffoldSpec): Record<string, string> {
  // Offsets from 4096 up: clear of the small ids samples and tests use.
  const mapOffset = 4096 + (nameHash(spec.name, 1) % 57344);
  const progOffset = 4096 + (nameHash(spec.name, 2) % 57344);
  const helperOffset = 1000 + (nameHash(spec.name, 3) % 60000);
  const id = nameHash(spec.name, 4);
  const bytes = Array.from({ length: 8 }, (_, i) => `0x${((nameHash(spec.name, 10 + i) & 0xff) >>> 0).toString(16).padStart(2, '0')}`);
  return {
    name: spec.name,
    NAME: spec.name.toUpperCase(),
    base: spec.base,
    BASE: spec.base.toUpperCase(),
    MAP_OFFSET: String(mapOffset),
    MAP_TYPE: String(4096 + mapOffset),
    PROG_OFFSET: String(progOffset),
    PROG_TYPE: String(4096 + progOffset),
    HELPER_OFFSET: String(helperOffset),
    MODULE_ID: `{ 0x${id.toString(16).padStart(8, '0')}, 0x6578, 0x0001, { ${bytes.join(', ')} } }`,
  };
}

/**
 * Renders a template: `{{key}}` values, `{{#flag}}...{{/flag}}` kept when the
 * flag is set, `{{^flag}}...{{/flag}}` when it is not; a marker alone on its
 * line takes the line with it.
 */
export function render(text: string, values: Record<string, string>, flags: Record<string, boolean>): string {
  let out = text.replace(/^[ \t]*(\{\{[#^/]\w+\}\})[ \t]*\n/gm, '$1');
  const section = /\{\{([#^])(\w+)\}\}((?:(?!\{\{[#^]\2\}\})[\s\S])*?)\{\{\/\2\}\}/;
  for (let m = section.exec(out); m; m = section.exec(out)) {
    const [all, kind, flag, body] = m as unknown as [string, string, string, string];
    if (!(flag in flags)) throw new Error(`template: unknown section '${flag}'`);
    const keep = kind === '#' ? flags[flag] : !flags[flag];
    out = out.replace(all, keep ? body : '');
  }
  return out.replace(/\{\{(\w+)\}\}/g, (all, key: string) => {
    if (!(key in values)) throw new Error(`template: unknown value '${key}'`);
    return values[key] as string;
  });
}

/** Writes the project for `spec` into `dir` (which must not exist or be empty); returns the files written. */
export function scaffold(dir: string, spec: ScaffoldSpec): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`ext new: ${dir} exists and is not empty`, 'ext');
  const values = scaffoldValues(spec);
  const flags = { hash: spec.base === 'hash', array: spec.base === 'array', program_type: spec.programType, helper: spec.helper };
  const root = templatesDir();
  const written: string[] = [];
  const walk = (from: string): void => {
    for (const entry of readdirSync(from).sort()) {
      const src = join(from, entry);
      if (statSync(src).isDirectory()) {
        walk(src);
        continue;
      }
      if (!entry.endsWith('.tmpl')) continue;
      const rel = relative(root, src).replace(/\.tmpl$/, '').replace(/NAME/g, spec.name);
      const dst = join(dir, rel);
      mkdirSync(dirname(dst), { recursive: true });
      writeFileSync(dst, render(readFileSync(src, 'utf8'), values, flags));
      written.push(rel);
    }
  };
  walk(root);
  return written;
}

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(v) || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`ext check: --${name} expects a number, got '${v}'`, 'ext');
  return n;
}

function newCommand(out: Output, args: readonly string[], opts: ExtOptions): void {
  if (args.length !== 1) throw new UsageError('ext new: expected one NAME', 'ext');
  const name = args[0] as string;
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(name)) throw new UsageError(`ext new: NAME must be a C identifier in lower case (a-z, 0-9, _; up to 40), got '${name}'`, 'ext');
  const base = opts.map ?? 'hash';
  if (base !== 'hash' && base !== 'array') throw new UsageError(`ext new: --map is hash or array, got '${base}'`, 'ext');
  // A helper belongs to a program type (extension.h): --helper brings one.
  const spec: ScaffoldSpec = { name, base, programType: opts.programType === true || opts.helper === true, helper: opts.helper === true };
  const dir = resolve(name);
  const files = scaffold(dir, spec);
  const values = scaffoldValues(spec);
  out.document({ dir, files, mapType: Number(values.MAP_TYPE), ...(spec.programType ? { programType: Number(values.PROG_TYPE) } : {}) });
  out.line(`wrote ${dir}:`);
  for (const f of files) out.line(`  ${f}`);
  out.line(`map type ${values.MAP_TYPE} (${base} base)${spec.programType ? `, program type ${values.PROG_TYPE}` : ''}${spec.helper ? `, helper ${name}_limit` : ''}`);
  out.line(`next: cd ${name} && npm install --save-dev @bpfhost/api @bpfhost/sdk && npm test`);
}

function checkCommand(out: Output, args: readonly string[], opts: ExtOptions): void {
  if (args.length !== 1) throw new UsageError('ext check: expected one MODULE.so', 'ext');
  const mapType = number('map-type', opts.mapType);
  if (mapType === undefined) throw new UsageError('ext check: --map-type N is required', 'ext');
  const copts: CheckOptions = {
    mapType,
    keySize: number('key-size', opts.keySize),
    valueSize: number('value-size', opts.valueSize),
    maxEntries: number('max-entries', opts.maxEntries),
    progType: number('prog-type', opts.progType),
    noFaults: opts.noFaults,
  };
  if (opts.value !== undefined) {
    if (!/^([0-9a-f]{2})+$/i.test(opts.value)) throw new UsageError(`ext check: --value expects hex bytes (e.g. 2a00000000000000), got '${opts.value}'`, 'ext');
    copts.value = Buffer.from(opts.value, 'hex');
  }
  const args2 = checkArguments(args[0] as string, copts);
  if (opts.json) args2.push('--json');
  if (opts.verbose) args2.push('--verbose');
  const r = spawnSync(checkTool(), args2, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1) throw Object.assign(new Error(`${r.stdout}${r.stderr}`.trim() || `bpfhost-check: ${r.signal ?? r.status}`), { code: 'ECHECK' });
  if (opts.json) {
    out.document(JSON.parse(r.stdout) as CheckReport);
  } else {
    for (const line of r.stdout.trimEnd().split('\n')) out.line(line);
  }
  if (r.status === 1) throw Object.assign(new Error('ext check: the provider failed the conformance kit (see the report)'), { code: 'ECHECK' });
}

/** `bpfhost ext new|check|load|list`. */
export function extCommands(session: Session, out: Output, args: readonly string[], opts: ExtOptions): void {
  const [sub, ...rest] = args;
  if (sub === 'new') return newCommand(out, rest, opts);
  if (sub === 'check') return checkCommand(out, rest, opts);
  return extCommand(session, out, args);
}
