/**
 * Numbers of the Linux UAPI that bpfhost keeps (map types, program types,
 * update flags), with the names the API accepts in their place.
 *
 * @module
 */
import { BpfError, Errno, type ErrorContext } from './errors.js';
import { u32, u64 } from './validate.js';

/** Map types by name (Linux numbering). Custom map types of extensions take ids from {@link MAP_TYPE_EXT_BASE}. */
export const MapType = {
  hash: 1,
  array: 2,
  prog_array: 3,
  perf_event_array: 4,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  lru_percpu_hash: 10,
  lpm_trie: 11,
  array_of_maps: 12,
  hash_of_maps: 13,
  devmap: 14,
  cpumap: 16,
  xskmap: 17,
  queue: 22,
  stack: 23,
  devmap_hash: 25,
  ringbuf: 27,
  bloom_filter: 30,
} as const;

/** A map type's name: `'hash'`, `'percpu_array'`, ... */
export type MapTypeName = keyof typeof MapType;

/** Names of the per-CPU map types (their values are one per possible CPU). */
export type PerCpuMapTypeName = 'percpu_hash' | 'percpu_array' | 'lru_percpu_hash';

/** First id of custom map types (extensions register theirs from here). */
export const MAP_TYPE_EXT_BASE = 4096;
/** First id of extension program types. */
export const PROG_TYPE_EXT_BASE = 4096;
/** First id of extension attach types (hooks). */
export const ATTACH_TYPE_EXT_BASE = 4096;

/** Program types by name (Linux numbering); extensions add theirs from {@link PROG_TYPE_EXT_BASE}. */
export const ProgramType = {
  socket_filter: 1,
  kprobe: 2,
  sched_cls: 3,
  sched_act: 4,
  tracepoint: 5,
  xdp: 6,
} as const;

/** A program type's name. */
export type ProgramTypeName = keyof typeof ProgramType;

/** XDP verdicts (Linux's `enum xdp_action`), what an XDP program returns. */
export const XdpAction = { aborted: 0, drop: 1, pass: 2, tx: 3, redirect: 4 } as const;

/**
 * TC verdicts (Linux's `TC_ACT_*`), what a `sched_cls` / `sched_act` program returns. `unspec` is
 * `TC_ACT_UNSPEC` (-1) as a test run's 32-bit `retval` reports it.
 */
export const TcAction = { unspec: 0xffffffff, ok: 0, reclassify: 1, shot: 2, pipe: 3, stolen: 4, queued: 5, repeat: 6, redirect: 7 } as const;

/** Flags of a map update (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`, `BPF_F_LOCK`). */
export const UpdateFlags = { any: 0, noexist: 1, exist: 2, lock: 4 } as const;

/** `'any'` (create or replace), `'noexist'` (create only), `'exist'` (replace only), `'lock'`. */
export type UpdateFlag = keyof typeof UpdateFlags;

const mapTypeNames = new Map<number, string>(Object.entries(MapType).map(([k, v]) => [v, k]));
const progTypeNames = new Map<number, string>(Object.entries(ProgramType).map(([k, v]) => [v, k]));

/** The name of map type `type` (`'hash'`), `'custom(4097)'` for extension types, else the number as a string. */
export function mapTypeName(type: number): string {
  return mapTypeNames.get(type) ?? (type >= MAP_TYPE_EXT_BASE ? `custom(${type})` : String(type));
}

/** The name of program type `type` (`'xdp'`), `'ext(4097)'` for extension types, else the number as a string. */
export function programTypeName(type: number): string {
  return progTypeNames.get(type) ?? (type >= PROG_TYPE_EXT_BASE ? `ext(${type})` : String(type));
}

/** True for the per-CPU map types (one value per possible CPU). */
export function isPerCpuMapType(type: number): boolean {
  return type === MapType.percpu_hash || type === MapType.percpu_array || type === MapType.lru_percpu_hash;
}

/** True for map types without keys (queue, stack, bloom filter, ring buffer). */
export function isKeylessMapType(type: number): boolean {
  return type === MapType.queue || type === MapType.stack || type === MapType.bloom_filter || type === MapType.ringbuf;
}

/**
 * A map type given by name or number, as a number. Unknown names throw a
 * `BpfError` (`EINVAL`), numbers outside u32 an {@link ArgumentError}.
 */
export function toMapType(type: MapTypeName | number, ctx: ErrorContext = {}): number {
  if (typeof type !== 'string') return u32('type', type, ctx);
  const n = (MapType as Record<string, number>)[type];
  if (n === undefined) throw new BpfError('EINVAL', Errno.EINVAL, `unknown map type '${type}' (one of ${Object.keys(MapType).join(', ')}, or a number)`, ctx);
  return n;
}

/**
 * Update flags given by name or number, as the bigint the binding takes.
 * Numbers and bigints outside u64 throw an {@link ArgumentError}.
 */
export function toUpdateFlags(flags: UpdateFlag | number | bigint | undefined, ctx: ErrorContext = {}): bigint {
  if (flags === undefined) return 0n;
  if (typeof flags !== 'string') return u64('flags', flags, ctx);
  const n = (UpdateFlags as Record<string, number>)[flags];
  if (n === undefined) throw new BpfError('EINVAL', Errno.EINVAL, `unknown update flag '${flags}' (one of any, noexist, exist, lock, or a number)`, ctx);
  return BigInt(n);
}
