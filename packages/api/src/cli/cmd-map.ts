/**
 * `bpfhost map list|dump|lookup|update|delete`, after bpftool's map commands.
 *
 * @module
 */
import { BpfError, BpfMap, CodecError, MapType, NotFoundError, RingBuffer, type BtfValue, type MapInfo, type MapTypeName, type SetOptions, type UntypedMap } from '../index.js';

import { parseUint } from './numbers.js';
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
  let views: EntryView[];
  try {
    views = dumpEntries(map, out);
  } catch (e) {
    // The API says how to consume a ring buffer in code; here, say the command.
    if (!(e instanceof BpfError) || map.type !== MapType.ringbuf) throw e;
    const ref = args.slice(0, used).join(' ');
    throw new BpfError(e.code, e.errno, `a ringbuf map has no entries to dump: consume its records with 'bpfhost map consume ${ref}' after the programs that submit them ran (later in the same batch, or with 'run --hook')`, { map: map.name, op: 'dump' });
  }
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

/** `map consume MAP [count N]`: the records a ring buffer holds now (oldest first), each as bytes. */
function consume(session: Session, out: Output, args: readonly string[]): void {
  const { map, used } = session.findMap(args);
  const rest = args.slice(used);
  let max: number | undefined;
  if (rest[0] === 'count') {
    if (rest[1] === undefined) throw new UsageError("map consume: expected a number after 'count'", 'map');
    max = parseUint(rest[1], 'count', { min: 1, command: 'map' });
    noMore(rest.slice(2), 'map consume');
  } else {
    noMore(rest, 'map consume');
  }
  const rb = session.hold(new RingBuffer(map));
  const records = rb.consume(max);
  out.document(records.map((r) => ({ bytes: r.length, data: hexByteList(r) })));
  for (const r of records) out.line(`record (${r.length} bytes): ${hexBytes(r)}`);
  out.line(`Consumed ${records.length} record${records.length === 1 ? '' : 's'}`);
}

/** The words of `map create` (bpftool's order is free; each is a keyword and its value). */
const CREATE_WORDS = ['type', 'key', 'value', 'entries', 'name', 'flags'] as const;

/**
 * `map create PATH type TYPE key KEY_SIZE value VALUE_SIZE entries N [name NAME] [flags FLAGS]`,
 * as bpftool: creates the map and pins it at PATH (in this process's pin namespace), so
 * later lines of a batch find it by 'pinned PATH', its name or its id.
 */
function create(session: Session, out: Output, args: readonly string[]): void {
  const [path, ...rest] = args;
  if (path === undefined || CREATE_WORDS.includes(path as (typeof CREATE_WORDS)[number])) {
    throw new UsageError('map create: expected the pin PATH first (map create PATH type TYPE key N value N entries N [name NAME] [flags N])', 'map');
  }
  const words: Partial<Record<(typeof CREATE_WORDS)[number], string>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const w = rest[i] as string;
    const v = rest[i + 1];
    if (!CREATE_WORDS.includes(w as (typeof CREATE_WORDS)[number])) throw new UsageError(`map create: unknown word '${w}' (one of ${CREATE_WORDS.join(', ')})`, 'map');
    if (v === undefined) throw new UsageError(`map create: expected a value after '${w}'`, 'map');
    if (words[w as (typeof CREATE_WORDS)[number]] !== undefined) throw new UsageError(`map create: '${w}' given twice`, 'map');
    words[w as (typeof CREATE_WORDS)[number]] = v;
  }
  for (const w of ['type', 'entries'] as const) if (words[w] === undefined) throw new UsageError(`map create: expected '${w}'`, 'map');
  const type: MapTypeName | number = /^(0x[0-9a-f]+|\d+)$/i.test(words.type as string) ? parseUint(words.type as string, 'type', { command: 'map' }) : (words.type as MapTypeName);
  const map = session.hold(BpfMap.create({
    type,
    keySize: words.key === undefined ? 0 : parseUint(words.key, 'key', { command: 'map' }),
    valueSize: words.value === undefined ? 0 : parseUint(words.value, 'value', { command: 'map' }),
    maxEntries: parseUint(words.entries as string, 'entries', { min: 1, command: 'map' }),
    ...(words.name !== undefined ? { name: words.name } : {}),
    ...(words.flags !== undefined ? { flags: parseUint(words.flags, 'flags', { command: 'map' }) } : {}),
  }));
  map.pin(path);
  const i = map.info();
  out.document({ ...mapJson(i), pinned: path });
  for (const l of mapLines(i)) out.line(l);
  out.line(`\tpinned ${path}`);
}

/** `map pin MAP PATH`: pins the map in this process's pin namespace. */
function pin(session: Session, out: Output, args: readonly string[]): void {
  const { map, used } = session.findMap(args);
  const [path, ...rest] = args.slice(used);
  if (path === undefined) throw new UsageError('map pin: expected a PATH after the map', 'map');
  noMore(rest, 'map pin');
  map.pin(path);
  out.document({ id: map.id, name: map.name, pinned: path });
  out.line(`pinned map ${map.id} (${map.name}) at ${path}`);
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
    case 'consume':
      return consume(session, out, rest);
    case 'create':
      return create(session, out, rest);
    case 'pin':
      return pin(session, out, rest);
    default:
      throw new UsageError(sub === undefined ? "map: expected a subcommand (list, show, dump, lookup, update, delete, push, pop, peek, consume, create, pin)" : `map: unknown subcommand '${sub}'`, 'map');
  }
}
