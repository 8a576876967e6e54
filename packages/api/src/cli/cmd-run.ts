/**
 * `bpfhost run OBJ.o`: loads an object (after the --ext modules), prints its
 * maps and programs, and optionally attaches programs to a hook, fires it
 * with data and dumps the maps.
 *
 * @module
 */
import { triggerHook, type BpfObject, type MapInfo, type Program } from '../index.js';

import { dumpEntries, type EntryView } from './cmd-map.js';
import { parseInsnBudget } from './cmd-prog.js';
import { parseUint } from './numbers.js';
import type { Output } from './output.js';
import type { Session } from './session.js';
import { formatTable } from './table.js';
import { UsageError } from './usage.js';
import { hexByteList, parseHexData } from './values.js';

/** What `run` takes besides OBJ.o. */
export interface RunArgs {
  hook: string | undefined;
  prog: string[];
  data: string[];
  insnBudget: string | undefined;
}

/** An attach type: an integer in [0, 2^32-1] (the sample extension's hook is 4097). */
function parseAttachType(text: string): number {
  return parseUint(text, '--hook', { command: 'run' });
}

/** The programs to attach: those named, in order, or every one whose section implies `attachType`. */
function chosen(obj: BpfObject, names: readonly string[], attachType: number): Program[] {
  if (names.length > 0) return names.map((n) => obj.program(n));
  const progs = obj.programs.filter((p) => p.expectedAttachType === attachType).map((p) => obj.program(p.name));
  if (progs.length === 0) throw new UsageError(`run: no program of ${obj.name} attaches to ${attachType} by its section; name them with --prog`, 'run');
  return progs;
}

export function runCommand(session: Session, out: Output, args: readonly string[], opts: RunArgs): void {
  const [path, ...rest] = args;
  if (path === undefined) throw new UsageError('run: expected a BPF object (OBJ.o)', 'run');
  if (rest.length > 0) throw new UsageError(`run: unexpected '${rest.join(' ')}'`, 'run');
  if (opts.hook === undefined && (opts.prog.length > 0 || opts.data.length > 0 || opts.insnBudget !== undefined)) {
    throw new UsageError('run: --prog, --data and --insn-budget need --hook ATTACH_TYPE', 'run');
  }
  const hook = opts.hook === undefined ? undefined : parseAttachType(opts.hook);
  const insnBudget = parseInsnBudget(opts.insnBudget, 'run');
  const events = opts.data.map((d) => parseHexData(d));

  const obj = session.loadObject(path);
  const maps: MapInfo[] = obj.maps.map((m) => obj.map(m.name).info());
  const specs = new Map(obj.maps.map((m) => [m.name, m]));
  const programs = obj.programs.map((p) => ({ ...p, id: obj.program(p.name).id }));

  out.line(`loaded ${obj.name}: ${maps.length} map${maps.length === 1 ? '' : 's'}, ${programs.length} program${programs.length === 1 ? '' : 's'}`);
  out.line();
  out.line('maps');
  for (const l of formatTable(
    ['id', 'name', 'type', 'key', 'value', 'max_entries', 'btf'],
    maps.map((m) => {
      const s = specs.get(m.name);
      const btf = s?.keyType || s?.valueType ? `${s.keyType ?? '-'} -> ${s.valueType ?? '-'}` : '';
      return [String(m.id), m.name, m.typeName, `${m.keySize}B`, `${m.valueSize}B`, String(m.maxEntries), btf];
    }),
  )) out.line(l);
  out.line();
  out.line('programs');
  for (const l of formatTable(
    ['id', 'name', 'section', 'type', 'attach', 'insns'],
    programs.map((p) => [String(p.id), p.name, p.section, p.typeName, String(p.expectedAttachType), String(p.insnCount)]),
  )) out.line(l);

  const doc: Record<string, unknown> = {
    object: obj.name,
    maps: maps.map((m) => ({ id: m.id, name: m.name, type: m.typeName, bytes_key: m.keySize, bytes_value: m.valueSize, max_entries: m.maxEntries, key_type: specs.get(m.name)?.keyType ?? null, value_type: specs.get(m.name)?.valueType ?? null })),
    programs: programs.map((p) => ({ id: p.id, name: p.name, section: p.section, type: p.typeName, expected_attach_type: p.expectedAttachType, insns: p.insnCount })),
  };

  if (hook !== undefined) {
    const attached = chosen(obj, opts.prog, hook).map((p) => ({ program: p.name, link: session.attach(p, hook, insnBudget) }));
    out.line();
    out.line(`attached to hook ${hook}: ${attached.map((a) => `${a.program} (link ${a.link.info().id})`).join(', ')}`);
    const fired = (events.length > 0 ? events : [undefined]).map((data, n) => {
      const r = triggerHook(hook, data);
      const retval = r.retval | 0;
      out.line(`event ${n + 1}${data ? ` (${data.length} bytes)` : ''}: ${r.programs} program${r.programs === 1 ? '' : 's'} ran, result ${retval}`);
      return { data: data ? hexByteList(data) : null, programs: r.programs, retval };
    });
    doc.links = attached.map((a) => ({ program: a.program, id: a.link.info().id, attach_type: hook, ...(insnBudget ? { insn_budget: insnBudget } : {}) }));
    doc.events = fired;
    const dumps: Record<string, unknown> = {};
    for (const m of maps) {
      const spec = specs.get(m.name);
      if (!spec || spec.internal || m.keySize === 0) continue;
      const views: EntryView[] = dumpEntries(obj.map(m.name), out);
      dumps[m.name] = views.map((v) => v.json);
      out.line();
      out.line(`map ${m.name} (${m.typeName}): ${views.length} entr${views.length === 1 ? 'y' : 'ies'}`);
      for (const v of views) for (const l of v.lines) out.line(`  ${l}`);
    }
    doc.dumps = dumps;
  }
  out.document(doc);
}
