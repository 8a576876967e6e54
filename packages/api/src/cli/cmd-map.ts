/**
 * `bpfhost map list|dump|lookup|update|delete`, after bpftool's map commands.
 *
 * @module
 */
import { BpfMap, CodecError, NotFoundError, type BtfValue, type MapInfo, type SetOptions, type UntypedMap } from '../index.js';

import type { Output } from './output.js';
import type { FoundMap, Session } from './session.js';
import { UsageError } from './usage.js';
import { formatValue, hexByteList, hexBytes, isRawCodec, parseEntryPart } from './values.js';

/** bpftool's JSON shape of a map. */
function mapJson(i: MapInfo): Record<string, unknown> {
  return { id: i.id, type: i.typeName, name: i.name, flags: i.flags, bytes_key: i.keySize, bytes_value: i.valueSize, max_entries: i.maxEntries };
}

/** bpftool's plain shape of a map: two lines. */
export function mapLines(i: MapInfo): string[] {
  return [
    `${i.id}: ${i.typeName}  name ${i.name || '(none)'}  flags 0x${i.flags.toString(16)}`,
    `\tkey ${i.keySize}B  value ${i.valueSize}B  max_entries ${i.maxEntries}`,
  ];
}

function list(out: Output): void {
  const infos: MapInfo[] = [];
  for (const id of BpfMap.ids()) {
    const m = BpfMap.fromId(id);
    try {
      infos.push(m.info());
    } finally {
      m.close();
    }
  }
  out.document(infos.map(mapJson));
  for (const i of infos) for (const l of mapLines(i)) out.line(l);
}

function show(session: Session, out: Output, args: readonly string[]): void {
  const { map, used } = session.findMap(args);
  noMore(args.slice(used), 'map show');
  const i = map.info();
  out.document(mapJson(i));
  for (const l of mapLines(i)) out.line(l);
}

/** One entry as bpftool prints it: bytes, plus the typed form when the map has BTF. */
export interface EntryView {
  json: Record<string, unknown>;
  lines: string[];
}

/** How one entry reads, in JSON and in plain lines. */
export function entryView(map: UntypedMap, key: unknown, value: unknown): EntryView {
  const typed = !isRawCodec(map.key) || !isRawCodec(map.perCpu ? perCpuElement(map) : map.value);
  const keyBytes = map.keySize > 0 ? map.key.encode(key as never) : Buffer.alloc(0);
  const json: Record<string, unknown> = { key: hexByteList(keyBytes) };
  const lines: string[] = [];
  if (map.perCpu) {
    const values = value as unknown[];
    const elem = perCpuElement(map);
    json.values = values.map((v, cpu) => ({ cpu, value: hexByteList(elem.encode(v as never)) }));
    if (typed) json.formatted = { key, values: values.map((v, cpu) => ({ cpu, value: v })) };
    lines.push(`key: ${typed ? formatValue(key) : hexBytes(keyBytes)}`);
    values.forEach((v, cpu) => lines.push(`value (CPU ${String(cpu).padStart(2, '0')}): ${typed ? formatValue(v) : hexBytes(elem.encode(v as never))}`));
    return { json, lines };
  }
  const valueBytes = map.value.encode(value as never);
  json.value = hexByteList(valueBytes);
  if (typed) json.formatted = { key, value };
  lines.push(typed ? `key: ${formatValue(key)}  value: ${formatValue(value)}` : `key: ${hexBytes(keyBytes)}  value: ${hexBytes(valueBytes)}`);
  return { json, lines };
}

/** The codec of one CPU's value of a per-CPU map. */
function perCpuElement(map: UntypedMap): UntypedMap['value'] {
  return (map.value as unknown as { element: UntypedMap['value'] }).element;
}

/** Every entry of `map`, with progress on stderr for large maps. */
export function dumpEntries(map: UntypedMap, out: Output): EntryView[] {
  const views: EntryView[] = [];
  const progress = out.progress(`dumping map '${map.name}'`, map.maxEntries);
  for (const [k, v] of map.entries()) {
    views.push(entryView(map, k, v));
    progress.tick(views.length);
  }
  progress.done(views.length);
  return views;
}

function dump(session: Session, out: Output, args: readonly string[]): void {
  const { map, used } = session.findMap(args);
  noMore(args.slice(used), 'map dump');
  const views = dumpEntries(map, out);
  out.document(views.map((v) => v.json));
  for (const v of views) for (const l of v.lines) out.line(l);
  out.line(`Found ${views.length} element${views.length === 1 ? '' : 's'}`);
}

/** Splits `key K... [value V...] [flag]` into its parts. */
function entryArgs(args: readonly string[], withValue: boolean, cmd: string): { key: string[]; value: string[]; flag: string | undefined } {
  if (args[0] !== 'key') throw new UsageError(`${cmd}: expected 'key' and the key's bytes after the map`, 'map');
  const v = args.indexOf('value');
  if (withValue && v < 0) throw new UsageError(`${cmd}: expected 'value' and the value's bytes after the key`, 'map');
  if (!withValue && v >= 0) throw new UsageError(`${cmd}: takes no value`, 'map');
  const key = args.slice(1, withValue ? v : undefined);
  let value = withValue ? args.slice(v + 1) : [];
  let flag: string | undefined;
  const last = value[value.length - 1];
  if (last !== undefined && ['any', 'noexist', 'exist'].includes(last)) {
    flag = last;
    value = value.slice(0, -1);
  }
  return { key, value, flag };
}

/** A key or value of `map` from the command line; codec errors name the map and the side. */
function parsePart(found: FoundMap, tokens: readonly string[], role: 'key' | 'value', op: string): BtfValue {
  const { map, object } = found;
  try {
    return parseEntryPart(tokens, role === 'key' ? map.key : map.value, role);
  } catch (e) {
    throw e instanceof CodecError ? e.withContext({ ...(object !== undefined ? { object } : {}), map: map.name, op, role }) : e;
  }
}

function lookup(session: Session, out: Output, args: readonly string[]): void {
  const found = session.findMap(args);
  const { map, used } = found;
  const { key: keyTokens } = entryArgs(args.slice(used), false, 'map lookup');
  const key = parsePart(found, keyTokens, 'key', 'lookup');
  const value = map.get(key);
  if (value === undefined) throw new NotFoundError(`key ${formatValue(key)} not found`, { map: map.name, op: 'lookup' });
  const view = entryView(map, key, value);
  out.document(view.json);
  for (const l of view.lines) out.line(l);
}

function update(session: Session, out: Output, args: readonly string[]): void {
  const found = session.findMap(args);
  const { map, used } = found;
  const { key: keyTokens, value: valueTokens, flag } = entryArgs(args.slice(used), true, 'map update');
  const key = parsePart(found, keyTokens, 'key', 'update');
  const value = parsePart(found, valueTokens, 'value', 'update');
  const opts: SetOptions = flag ? { flags: flag as NonNullable<SetOptions['flags']> } : {};
  map.set(key, value, opts);
  out.document(null);
}

function remove(session: Session, out: Output, args: readonly string[]): void {
  const found = session.findMap(args);
  const { map, used } = found;
  const { key: keyTokens } = entryArgs(args.slice(used), false, 'map delete');
  const key = parsePart(found, keyTokens, 'key', 'delete');
  if (!map.delete(key)) throw new NotFoundError(`key ${formatValue(key)} not found`, { map: map.name, op: 'delete' });
  out.document(null);
}

/** A value view of a queue or stack element (no key). */
function valueView(map: UntypedMap, value: unknown): EntryView {
  const bytes = map.value.encode(value as never);
  const typed = !isRawCodec(map.value);
  return {
    json: { value: hexByteList(bytes), ...(typed ? { formatted: { value } } : {}) },
    lines: [`value: ${typed ? formatValue(value) : hexBytes(bytes)}`],
  };
}

/** `map push MAP value V...`, `map pop MAP`, `map peek MAP`: queues and stacks, as bpftool. */
function queueOp(session: Session, out: Output, op: 'push' | 'pop' | 'peek', args: readonly string[]): void {
  const found = session.findMap(args);
  const { map, used } = found;
  const rest = args.slice(used);
  if (op === 'push') {
    if (rest[0] !== 'value') throw new UsageError("map push: expected 'value' and the value's bytes after the map", 'map');
    map.push(parsePart(found, rest.slice(1), 'value', 'push'));
    out.document(null);
    return;
  }
  noMore(rest, `map ${op}`);
  const v = op === 'pop' ? map.pop() : map.peek();
  if (v === undefined) throw new NotFoundError(`the ${map.typeName} is empty`, { map: map.name, op });
  const view = valueView(map, v);
  out.document(view.json);
  for (const l of view.lines) out.line(l);
}

function noMore(rest: readonly string[], cmd: string): void {
  if (rest.length > 0) throw new UsageError(`${cmd}: unexpected '${rest.join(' ')}'`, 'map');
}

/** Runs `map SUBCOMMAND ARGS...`. */
export function mapCommand(session: Session, out: Output, args: readonly string[]): void {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      noMore(rest, 'map list');
      return list(out);
    case 'show':
      return rest.length === 0 ? list(out) : show(session, out, rest);
    case 'dump':
      return dump(session, out, rest);
    case 'lookup':
      return lookup(session, out, rest);
    case 'update':
      return update(session, out, rest);
    case 'delete':
      return remove(session, out, rest);
    case 'push':
    case 'enqueue':
      return queueOp(session, out, 'push', rest);
    case 'pop':
    case 'dequeue':
      return queueOp(session, out, 'pop', rest);
    case 'peek':
      return queueOp(session, out, 'peek', rest);
    default:
      throw new UsageError(sub === undefined ? "map: expected a subcommand (list, show, dump, lookup, update, delete, push, pop, peek)" : `map: unknown subcommand '${sub}'`, 'map');
  }
}
