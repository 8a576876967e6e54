/**
 * {@link BpfMap}: a live map with codecs for its keys and values.
 *
 * @module
 */
import type { BtfValue } from './btf.js';
import { bytes, describe, isDenseCodec, isPerCpuCodec, none, perCpu, type Codec } from './codecs.js';
import { ArgumentError, BpfError, ClosedError, CodecError, Errno, fromNative, nativeCode, type ErrorContext } from './errors.js';
import { nativeBinding, nativeElementOps, type NativeBinding, type NativeMapInfo } from './native.js';
import { Resource } from './resource.js';
import { scalarArray, scalarOf, type ScalarArray } from './scalar.js';
import {
  isKeylessMapType,
  isPerCpuMapType,
  mapTypeName,
  MapType,
  toMapType,
  toUpdateFlags,
  UpdateFlags,
  type MapTypeName,
  type UpdateFlag,
} from './uapi.js';
import { optional, u32, u64 } from './validate.js';

/** A map whose codecs come from BTF or are raw bytes: keys and values are {@link BtfValue}s. */
export type UntypedMap = BpfMap<BtfValue, BtfValue>;

/** Options of {@link BpfMap.set}, {@link BpfMap.setMany} and {@link BpfMap.push}. */
export interface SetOptions {
  /** `'any'` (default: create or replace), `'noexist'` (create only), `'exist'` (replace only), `'lock'`, or raw flags. */
  flags?: UpdateFlag | number | bigint;
}

/** What the core says about a map (`BPF_OBJ_GET_INFO_BY_FD`). */
export interface MapInfo {
  id: number;
  name: string;
  type: number;
  /** `'hash'`, `'percpu_array'`, `'custom(4097)'`, ... */
  typeName: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /**
   * Ring buffer maps: records the core discarded because the program that
   * reserved them ended without submitting or discarding them (0 otherwise).
   */
  ringbufAbandoned: number;
}

/** Codecs for a map's keys and values. Omit `key` for maps without keys (queue, stack). */
export interface MapCodecs<K, V> {
  key?: Codec<K>;
  value: Codec<V>;
}

/** Options of {@link BpfMap.create}. */
export interface CreateMapOptions<K, V> {
  /** `'hash'`, `'array'`, `'percpu_hash'`, `'queue'`, ... or a type id (custom map types: 4096 and up). */
  type: MapTypeName | number;
  /** Key codec; omit for keyless maps (queue, stack, ring buffer) or give `keySize` for raw Buffer keys. */
  key?: Codec<K>;
  /** Value codec (wrap it in `perCpu()` for per-CPU types); omit for ring buffers or give `valueSize` for raw Buffer values. */
  value?: Codec<V>;
  /** Key size when `key` is omitted (keys are then Buffers): an integer in [0, 2^32-1]; if `key` is given too, its size. */
  keySize?: number;
  /** Value size when `value` is omitted (values are then Buffers): an integer in [0, 2^32-1]; if `value` is given too, its size (per CPU). */
  valueSize?: number;
  /** Capacity (entries; bytes for a ring buffer): an integer in [1, 2^32-1] (the core refuses 0 for every map type, as Linux for these types). */
  maxEntries: number;
  /** Up to 15 characters. */
  name?: string;
  /** `BPF_F_*` map flags: an integer in [0, 2^32-1]. */
  flags?: number;
  /** Template inner map for `array_of_maps` / `hash_of_maps`. */
  innerMap?: BpfMap<any, any>;
  /** `map_extra` (bloom filter hash count): a bigint, or a number up to 2^53-1. */
  mapExtra?: bigint | number;
  /** `numa_node` (taken with `BPF_F_NUMA_NODE`, as Linux). */
  numaNode?: number;
}

/** @internal How a BpfMap is made. */
export interface MapInit<K, V> {
  fd: number;
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  key: Codec<K>;
  value: Codec<V>;
  /** Close `fd` when the map is closed (false for maps of an object). */
  owned: boolean;
  owner?: Resource;
  object?: string;
}

const BATCH_CHUNK = 256;

function isNotFound(e: unknown): boolean {
  return nativeCode(e).code === 'ENOENT';
}

function isNotSupported(e: unknown): boolean {
  const { code } = nativeCode(e);
  return code === 'ENOTSUPP' || code === 'EOPNOTSUPP';
}

/**
 * Checks that `codec` fits a map's `size`-byte keys or values, wrapping a
 * per-CPU map's raw value codec. Throws {@link CodecError}.
 */
function fitCodec<T>(codec: Codec<T>, size: number, role: 'key' | 'value', type: number, ctx: ErrorContext): Codec<T> {
  if (role === 'value' && isPerCpuMapType(type)) {
    if (!isPerCpuCodec(codec)) {
      throw new CodecError({
        ...ctx,
        role,
        codec: codec.name,
        expected: `a perCpu(...) codec (map type ${mapTypeName(type)} has one value per possible CPU)`,
        got: 'a codec of one value',
      });
    }
    if (codec.element.size !== size) {
      throw new CodecError({ ...ctx, role, codec: codec.element.name, expected: `a ${size}-byte codec per CPU`, got: `${codec.element.size} bytes` });
    }
    return codec;
  }
  if (isPerCpuCodec(codec)) {
    throw new CodecError({ ...ctx, role, codec: codec.name, expected: `a codec of one ${size}-byte ${role} (the map is not per-CPU)`, got: 'a perCpu codec' });
  }
  if (codec.size !== size) {
    throw new CodecError({ ...ctx, role, codec: codec.name, expected: `a ${size}-byte codec`, got: `${codec.size} bytes` });
  }
  return codec;
}

/** The raw codec of `size`-byte keys/values of a map of `type`: Buffers, `none` for size 0, one Buffer per CPU for per-CPU values. */
export function rawCodec(size: number, role: 'key' | 'value', type: number): Codec<BtfValue> {
  if (size === 0) return none as unknown as Codec<BtfValue>;
  const c = bytes(size) as Codec<BtfValue>;
  return role === 'value' && isPerCpuMapType(type) ? (perCpu(c) as Codec<BtfValue>) : c;
}

/**
 * A live map. Keys and values go through codecs; `get` returns `undefined`
 * for a missing key; iteration yields `[key, value]` pairs; per-CPU maps
 * have arrays as values (see `perCpu`); queues and stacks use `push`, `pop`
 * and `peek`. Maps of a {@link BpfObject} live as long as the object; maps
 * from {@link BpfMap.create}, `fromId` or `fromPin` own their handle and
 * should be closed (or `using`).
 *
 * Every method throws {@link ClosedError} once the map (or its object) is
 * closed, {@link CodecError} for keys/values that do not fit the codecs, and
 * {@link BpfError} (subclass by `code`) for refusals by the core.
 */
export class BpfMap<K, V> extends Resource implements Iterable<[K, V]> {
  /** The handle (file-descriptor-like number) of the map in the core. */
  readonly fd: number;
  readonly name: string;
  /** Map type id (`MapType.hash`, custom types from 4096). */
  readonly type: number;
  readonly keySize: number;
  /** Size of one value (one CPU's value for per-CPU maps). */
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly key: Codec<K>;
  /** The codec of a whole user-space value (per-CPU: all CPUs). */
  readonly value: Codec<V>;
  readonly #owned: boolean;
  readonly #object: string | undefined;
  #noBatch = false;
  /** The codecs write every byte and decode to fresh values: scratch Buffers need no zeroing. */
  private readonly denseKey: boolean;
  private readonly denseValue: boolean;

  /** @internal Use {@link BpfObject.map}, {@link BpfMap.create}, {@link BpfMap.fromId} or {@link BpfMap.fromPin}. */
  constructor(init: MapInit<K, V>) {
    super(init.owner);
    this.fd = init.fd;
    this.name = init.name;
    this.type = init.type;
    this.keySize = init.keySize;
    this.valueSize = init.valueSize;
    this.maxEntries = init.maxEntries;
    this.flags = init.flags;
    this.#owned = init.owned;
    this.#object = init.object;
    const ctx = this.context;
    this.key = fitCodec(init.key, init.keySize, 'key', init.type, ctx);
    this.value = fitCodec(init.value, init.valueSize, 'value', init.type, ctx);
    this.denseKey = isDenseCodec(this.key);
    this.denseValue = isDenseCodec(this.value);
    this.#keySlot = scratchSlot(this.key);
    this.#valueSlot = scratchSlot(this.value);
    this.#outSlot = this.denseValue ? scratchSlot(this.value) : undefined;
  }

  /**
   * Creates a map that is not part of an object. The caller closes it.
   * Every size, count and flag is checked first: a number that is not an
   * integer in its range (or not a number) throws {@link ArgumentError}
   * naming the option.
   */
  static create<K = Buffer, V = Buffer>(opts: CreateMapOptions<K, V>): BpfMap<K, V> {
    const name = opts.name ?? '';
    const ctx: ErrorContext = { map: name || undefined, op: 'create' };
    const type = toMapType(opts.type, ctx);
    const keyless = isKeylessMapType(type);
    const keySizeOpt = optional(opts.keySize, (v) => u32('keySize', v, ctx));
    const valueSizeOpt = optional(opts.valueSize, (v) => u32('valueSize', v, ctx));
    const maxEntries = u32('maxEntries', opts.maxEntries, ctx, 1);
    const flags = optional(opts.flags, (v) => u32('flags', v, ctx)) ?? 0;
    const mapExtra = optional(opts.mapExtra, (v) => u64('mapExtra', v, ctx));
    const numaNode = optional(opts.numaNode, (v) => u32('numaNode', v, ctx));
    const inner = opts.innerMap;
    if (inner !== undefined && !(inner instanceof BpfMap)) {
      throw new ArgumentError({ ...ctx, parameter: 'innerMap', expected: 'a BpfMap', got: describe(inner) });
    }
    if (inner?.closed) throw new ClosedError('map', { ...ctx, map: inner.name || undefined, op: 'create (innerMap)' });
    const keySize = opts.key?.size ?? keySizeOpt ?? 0;
    let valueSize = valueSizeOpt ?? 0;
    if (opts.value) valueSize = isPerCpuCodec(opts.value) ? opts.value.element.size : opts.value.size;
    let key: Codec<K>;
    let value: Codec<V>;
    try {
      key = (opts.key ?? (keySize === 0 ? none : bytes(keySize))) as Codec<K>;
      value = (opts.value ?? (valueSize === 0 ? none : rawCodec(valueSize, 'value', type))) as Codec<V>;
    } catch (e) {
      // Raw Buffer codecs take sizes up to 2^31-1.
      throw e instanceof CodecError ? e.withContext(ctx) : e;
    }
    // A codec and a size that disagree: say so rather than pick one.
    if (opts.key && keySizeOpt !== undefined && keySizeOpt !== keySize) {
      throw new CodecError({ ...ctx, role: 'key', codec: key.name, expected: `a ${keySizeOpt}-byte codec (keySize)`, got: `${keySize} bytes` });
    }
    if (opts.value && valueSizeOpt !== undefined && valueSizeOpt !== valueSize) {
      throw new CodecError({ ...ctx, role: 'value', codec: value.name, expected: `a ${valueSizeOpt}-byte codec (valueSize)`, got: `${valueSize} bytes` });
    }
    if (keyless && keySize !== 0) {
      throw new CodecError({ ...ctx, role: 'key', codec: key.name, expected: `no key codec (a ${mapTypeName(type)} map has no keys)`, got: `${keySize} bytes` });
    }
    const b = nativeBinding();
    let fd: number;
    try {
      fd = b.mapCreate(type, name || null, keySize, valueSize, maxEntries, {
        mapFlags: flags,
        ...(inner ? { innerMapFd: inner.fd } : {}),
        ...(numaNode !== undefined ? { numaNode } : {}),
        ...(mapExtra !== undefined ? { mapExtra } : {}),
      });
    } catch (e) {
      throw fromNative(e, ctx);
    }
    try {
      return new BpfMap<K, V>({ fd, name, type, keySize, valueSize, maxEntries, flags, key, value, owned: true });
    } catch (e) {
      b.close(fd);
      throw e;
    }
  }

  /**
   * Opens the map with id `id` (see {@link BpfMap.ids}), raw or with codecs.
   * The caller closes it. Throws {@link NotFoundError} when no map has that
   * id, {@link ArgumentError} for an id that is not an integer in [0, 2^32-1].
   */
  static fromId(id: number): UntypedMap;
  static fromId<K, V>(id: number, codecs: MapCodecs<K, V>): BpfMap<K, V>;
  static fromId(id: number, codecs?: MapCodecs<unknown, unknown>): BpfMap<unknown, unknown> {
    u32('id', id, { op: 'open map by id' });
    const fd = call({ op: `open map id ${id}` }, (b) => b.mapGetFdById(id));
    return BpfMap.fromFd(fd, codecs);
  }

  /** Opens the map pinned at `path`, raw or with codecs. The caller closes it. */
  static fromPin(path: string): UntypedMap;
  static fromPin<K, V>(path: string, codecs: MapCodecs<K, V>): BpfMap<K, V>;
  static fromPin(path: string, codecs?: MapCodecs<unknown, unknown>): BpfMap<unknown, unknown> {
    const fd = call({ op: `open pin '${path}'` }, (b) => b.objGet(path));
    return BpfMap.fromFd(fd, codecs);
  }

  private static fromFd(fd: number, codecs?: MapCodecs<unknown, unknown>): BpfMap<unknown, unknown> {
    const b = nativeBinding();
    try {
      const info: NativeMapInfo = call({ op: 'info' }, () => b.mapGetInfo(fd));
      const key = codecs?.key ?? rawCodec(info.keySize, 'key', info.type);
      const value = codecs?.value ?? rawCodec(info.valueSize, 'value', info.type);
      return new BpfMap({ fd, name: info.name, type: info.type, keySize: info.keySize, valueSize: info.valueSize, maxEntries: info.maxEntries, flags: info.mapFlags, key, value, owned: true });
    } catch (e) {
      b.close(fd);
      throw e;
    }
  }

  /** Ids of every map in the core, in order. */
  static *ids(): IterableIterator<number> {
    let id = 0;
    for (;;) {
      const next = call({ op: 'list maps' }, (b) => b.mapGetNextId(id));
      if (next === null) return;
      yield next;
      id = next;
    }
  }

  protected get kind(): string {
    return 'map';
  }

  protected get context(): ErrorContext {
    const map = this.name || undefined;
    return this.#object === undefined ? { map } : { object: this.#object, map };
  }

  protected release(): void {
    if (this.#owned) nativeBinding().close(this.fd);
  }

  /** True for per-CPU maps (values are arrays, one per possible CPU). */
  get perCpu(): boolean {
    return isPerCpuMapType(this.type);
  }

  /** `'hash'`, `'array'`, `'custom(4097)'`, ... */
  get typeName(): string {
    return mapTypeName(this.type);
  }

  /** What the core says about the map now. */
  info(): MapInfo {
    const i = this.native('info', (b) => b.mapGetInfo(this.fd));
    return { id: i.id, name: i.name, type: i.type, typeName: mapTypeName(i.type), keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, flags: i.mapFlags, ringbufAbandoned: i.ringbufAbandoned };
  }

  /** The map's id in the core. */
  get id(): number {
    return this.info().id;
  }

  /** The value of `key`, or `undefined` if the map has no such key. */
  get(key: K): V | undefined {
    // The hot path: no closure, no allocation for dense codecs (see #outSlot).
    const k = this.encodeScratchKey(key, 'get');
    const out = this.#outSlot;
    const v = out ? out.buf : Buffer.allocUnsafe(this.value.size);
    let found: boolean;
    try {
      found = nativeElementOps().lookupInto(this.fd, k, v);
    } catch (e) {
      throw fromNative(e, { ...this.context, op: 'get' });
    }
    if (!found) return undefined;
    return out?.view ? (out.view[0] as V) : this.readAt(this.value, v, 0, 'get', 'value');
  }

  /** True if the map has `key`. */
  has(key: K): boolean {
    const k = this.encodeScratchKey(key, 'has');
    const v = this.#outSlot?.buf ?? Buffer.allocUnsafe(this.value.size);
    return this.native('has', (b) => b.mapLookupElemInto(this.fd, k, v));
  }

  /**
   * Stores `value` under `key`. With `flags: 'noexist'` a present key throws
   * {@link ExistsError}; with `'exist'` a missing one throws {@link NotFoundError};
   * a full map throws `E2BIG`.
   */
  set(key: K, value: V, opts: SetOptions = {}): this {
    const k = this.encodeScratchKey(key, 'set');
    const v = this.encodeScratchValue(value, 'set');
    const flags = opts.flags === undefined ? undefined : toUpdateFlags(opts.flags, { ...this.context, op: 'set' });
    try {
      nativeElementOps().update(this.fd, k, v, flags);
    } catch (e) {
      throw fromNative(e, { ...this.context, op: 'set' });
    }
    return this;
  }

  /** Deletes `key`. Returns false if it was not there. Arrays refuse deletes (`EINVAL`). */
  delete(key: K): boolean {
    const k = this.encodeKey(key, 'delete');
    return this.lookup('delete', (b) => {
      b.mapDeleteElem(this.fd, k as Buffer);
      return true;
    }) ?? false;
  }

  /** Deletes `key` and returns the value it had, or `undefined` if it was not there. */
  getAndDelete(key: K): V | undefined {
    const k = this.encodeKey(key, 'getAndDelete');
    const v = this.lookup('getAndDelete', (b) => b.mapLookupAndDeleteElem(this.fd, k, this.value.size));
    return v === undefined ? undefined : this.decodeValue(v, 'getAndDelete');
  }

  /** Keys, in the map's order. Deleting the current key while iterating is safe. */
  *keys(): IterableIterator<K> {
    for (const k of this.rawKeys('keys')) yield this.decodeKey(k, 'keys');
  }

  /** Values, in the map's order. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /**
   * `[key, value]` pairs, read with batch lookups where the map type has
   * them (one key at a time otherwise). Entries deleted meanwhile are skipped.
   */
  *entries(): IterableIterator<[K, V]> {
    this.requireKeys('entries');
    const chunks = this.batchChunksOrNull('entries');
    if (chunks) {
      const ks = this.keySize;
      const vs = this.value.size;
      for (const c of chunks) {
        for (let i = 0; i < c.count; i++) {
          yield [this.readAt(this.key, c.keys, i * ks, 'entries', 'key'), this.readAt(this.value, c.values, i * vs, 'entries', 'value')];
        }
      }
      return;
    }
    for (const k of this.rawKeys('entries')) {
      const v = this.lookup('entries', (b) => b.mapLookupElem(this.fd, k, this.value.size));
      if (v !== undefined) yield [this.decodeKey(k, 'entries'), this.decodeValue(v, 'entries')];
    }
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Every entry (batch lookups), or the values of `keys` (`undefined` where missing). */
  getMany(): Array<[K, V]>;
  getMany(keys: Iterable<K>): Array<V | undefined>;
  getMany(keys?: Iterable<K>): Array<[K, V]> | Array<V | undefined> {
    if (keys === undefined) return this.allEntries();
    return Array.from(keys, (k) => this.get(k));
  }

  /**
   * Stores many entries with one batch update (one update per entry where
   * the map type has no batch update, and for `'noexist'`/`'exist'`, which
   * batch updates do not take). Returns how many were stored; on a refusal
   * the entries before the refused one are stored.
   */
  setMany(entries: Iterable<readonly [K, V]>, opts: SetOptions = {}): number {
    const op = 'setMany';
    this.ensureOpen(op);
    const list = Array.isArray(entries) ? (entries as ReadonlyArray<readonly [K, V]>) : Array.from(entries);
    const n = list.length;
    if (n === 0) return 0;
    const ks = this.keySize;
    const vs = this.value.size;
    // Dense codecs write every byte: no zeroing needed.
    const keys = this.denseKey ? Buffer.allocUnsafeSlow(n * ks) : Buffer.alloc(n * ks);
    const values = this.denseValue ? Buffer.allocUnsafeSlow(n * vs) : Buffer.alloc(n * vs);
    const key = this.key;
    const value = this.value;
    let i = 0;
    let role: 'key' | 'value' = 'key';
    // Built-in scalar codecs: store through typed arrays; the first value that does not fit
    // ends this loop and the codec loop below refuses it with its message.
    const keyScalar = scalarOf(key);
    const valueScalar = scalarOf(value);
    const kv = keyScalar && scalarArray(keyScalar, keys, n);
    const vv = valueScalar && scalarArray(valueScalar, values, n);
    if (kv && vv) {
      const kFits = keyScalar.fits;
      const vFits = valueScalar.fits;
      for (; i < n; i++) {
        const e = list[i] as readonly [K, V];
        if (!kFits(e[0]) || !vFits(e[1])) break;
        kv[i] = e[0] as number | bigint;
        vv[i] = e[1] as number | bigint;
      }
    }
    try {
      for (; i < n; i++) {
        const e = list[i] as readonly [K, V];
        role = 'key';
        key.write(e[0], keys, i * ks);
        role = 'value';
        value.write(e[1], values, i * vs);
      }
    } catch (e) {
      throw e instanceof CodecError ? e.withContext({ ...this.context, op: `${op} (entry ${i})`, role }) : e;
    }
    const flags = toUpdateFlags(opts.flags, { ...this.context, op });
    // Batch updates take BPF_F_LOCK only (as Linux); 'noexist'/'exist' go one by one.
    if (!this.#noBatch && (flags & ~BigInt(UpdateFlags.lock)) === 0n) {
      try {
        return nativeBinding().mapUpdateBatch(this.fd, keys, values, n, { elemFlags: flags });
      } catch (e) {
        if (!isNotSupported(e)) throw fromNative(e, { ...this.context, op });
        this.#noBatch = true;
      }
    }
    for (let i = 0; i < n; i++) {
      const k = ks === 0 ? null : keys.subarray(i * ks, (i + 1) * ks);
      const v = values.subarray(i * vs, (i + 1) * vs);
      this.native(`${op} (entry ${i})`, (b) => b.mapUpdateElem(this.fd, k, v, flags));
    }
    return n;
  }

  /**
   * Deletes many keys with one batch delete (one delete per key where the
   * map type has no batch delete). As Linux's batch delete, a missing key
   * stops it with {@link NotFoundError} (the keys before it are deleted).
   * Returns how many were deleted.
   */
  deleteMany(keys: Iterable<K>): number {
    const op = 'deleteMany';
    this.ensureOpen(op);
    this.requireKeys(op);
    const list = Array.from(keys);
    const n = list.length;
    if (n === 0) return 0;
    const ks = this.keySize;
    const buf = Buffer.alloc(n * ks);
    list.forEach((k, i) => this.writeCodec(this.key, k, buf, i * ks, `${op} (entry ${i})`, 'key'));
    if (!this.#noBatch) {
      try {
        return nativeBinding().mapDeleteBatch(this.fd, buf, n);
      } catch (e) {
        if (!isNotSupported(e)) throw fromNative(e, { ...this.context, op });
        this.#noBatch = true;
      }
    }
    for (let i = 0; i < n; i++) {
      const k = buf.subarray(i * ks, (i + 1) * ks);
      this.native(`${op} (entry ${i})`, (b) => b.mapDeleteElem(this.fd, k));
    }
    return n;
  }

  /**
   * Queue/stack: adds `value`. When full, `flags: 'exist'` drops the oldest
   * element instead of throwing `E2BIG`.
   */
  push(value: V, opts: SetOptions = {}): this {
    this.requireKeyless('push');
    const v = this.encodeValue(value, 'push');
    const flags = toUpdateFlags(opts.flags, { ...this.context, op: 'push' });
    this.native('push', (b) => b.mapUpdateElem(this.fd, null, v, flags));
    return this;
  }

  /** Queue/stack: removes and returns the next element (`undefined` when empty). */
  pop(): V | undefined {
    this.requireKeyless('pop');
    const v = this.lookup('pop', (b) => b.mapLookupAndDeleteElem(this.fd, null, this.value.size));
    return v === undefined ? undefined : this.decodeValue(v, 'pop');
  }

  /** Queue/stack: the next element without removing it (`undefined` when empty). */
  peek(): V | undefined {
    this.requireKeyless('peek');
    const v = Buffer.allocUnsafe(this.value.size);
    if (!this.native('peek', (b) => b.mapLookupElemInto(this.fd, null, v))) return undefined;
    return this.decodeValue(v, 'peek');
  }

  /** Makes the map read-only for user space (programs may still write). */
  freeze(): void {
    this.native('freeze', (b) => b.mapFreeze(this.fd));
  }

  /** Pins the map at `path` in the core's path namespace (see {@link BpfMap.fromPin}). */
  pin(path: string): void {
    this.native(`pin '${path}'`, (b) => b.objPin(this.fd, path));
  }

  /* -------------------------------------------------------------------- */

  /** Runs a binding call with the map's error context. */
  private native<T>(op: string, fn: (b: NativeBinding) => T): T {
    this.ensureOpen(op);
    try {
      return fn(nativeBinding());
    } catch (e) {
      throw fromNative(e, { ...this.context, op });
    }
  }

  /** As {@link native}, with `ENOENT` answered by `undefined`. */
  private lookup<T>(op: string, fn: (b: NativeBinding) => T): T | undefined {
    this.ensureOpen(op);
    try {
      return fn(nativeBinding());
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw fromNative(e, { ...this.context, op });
    }
  }

  private writeCodec<T>(codec: Codec<T>, v: T, buf: Buffer, off: number, op: string, role: 'key' | 'value'): void {
    try {
      codec.write(v, buf, off);
    } catch (e) {
      throw e instanceof CodecError ? e.withContext({ ...this.context, op, role }) : e;
    }
  }

  private encodeKey(key: K, op: string): Buffer | null {
    this.ensureOpen(op);
    if (this.keySize === 0) return null;
    const buf = Buffer.alloc(this.keySize);
    this.writeCodec(this.key, key, buf, 0, op, 'key');
    return buf;
  }

  /*
   * Per-map scratch Buffers for the single-element calls, which hand them to
   * the binding and are done with them before returning (the binding copies):
   * no allocation per call.
   */
  readonly #keySlot: ScratchSlot;
  readonly #valueSlot: ScratchSlot;
  /*
   * Where a lookup writes the value when the value codec is dense (its decode
   * copies); otherwise each lookup gets a new Buffer, since a user's codec may
   * return a view of the bytes.
   */
  readonly #outSlot: ScratchSlot | undefined;

  private encodeScratchKey(key: K, op: string): Buffer | null {
    this.ensureOpen(op);
    if (this.keySize === 0) return null;
    const slot = this.#keySlot;
    // Not shared with the value's twin below: one call site per role stays monomorphic
    // (a shared helper measured 5-10 ns slower per get/set).
    if (slot.view && slot.fits!(key)) {
      slot.view[0] = key as number | bigint;
      return slot.buf;
    }
    if (!this.denseKey) slot.buf.fill(0);
    this.writeCodec(this.key, key, slot.buf, 0, op, 'key');
    return slot.buf;
  }

  private encodeScratchValue(value: V, op: string): Buffer {
    const slot = this.#valueSlot;
    if (slot.view && slot.fits!(value)) {
      slot.view[0] = value as number | bigint;
      return slot.buf;
    }
    if (!this.denseValue) slot.buf.fill(0);
    this.writeCodec(this.value, value, slot.buf, 0, op, 'value');
    return slot.buf;
  }

  private encodeValue(value: V, op: string): Buffer {
    const buf = Buffer.alloc(this.value.size);
    this.writeCodec(this.value, value, buf, 0, op, 'value');
    return buf;
  }

  private decode<T>(codec: Codec<T>, buf: Buffer, op: string, role: 'key' | 'value'): T {
    try {
      return codec.decode(buf);
    } catch (e) {
      throw e instanceof CodecError ? e.withContext({ ...this.context, op, role }) : e;
    }
  }

  private decodeKey(buf: Buffer, op: string): K {
    return this.decode(this.key, buf, op, 'key');
  }

  private decodeValue(buf: Buffer, op: string): V {
    return this.decode(this.value, buf, op, 'value');
  }

  private requireKeys(op: string): void {
    this.ensureOpen(op);
    if (this.keySize === 0) {
      const how = this.type === MapType.ringbuf ? 'consume its records with a RingBuffer: obj.ringBuffer(name) or new RingBuffer(map)' : 'use push/pop/peek';
      throw new BpfError('EINVAL', Errno.EINVAL, `a ${this.typeName} map has no keys to iterate or delete (${how})`, { ...this.context, op });
    }
  }

  private requireKeyless(op: string): void {
    this.ensureOpen(op);
    if (this.keySize !== 0) {
      throw new BpfError('EINVAL', Errno.EINVAL, `${op} is for queues and stacks; a ${this.typeName} map has keys (use get/set/delete)`, { ...this.context, op });
    }
  }

  /** Raw keys, fetching the next one before handing out the current one. */
  private *rawKeys(op: string): IterableIterator<Buffer> {
    this.requireKeys(op);
    let cur = this.native(op, (b) => b.mapGetNextKey(this.fd, null, this.keySize));
    while (cur) {
      const prev: Buffer = cur;
      const next = this.native(op, (b) => b.mapGetNextKey(this.fd, prev, this.keySize));
      yield prev;
      cur = next;
    }
  }

  /** Entries through `BPF_MAP_LOOKUP_BATCH`, a chunk at a time. */
  /** Every entry in one array: the batch chunks decoded in place, no generator per element. */
  private allEntries(): Array<[K, V]> {
    this.requireKeys('getMany');
    const chunks = this.batchChunksOrNull('getMany');
    if (!chunks) return [...this.entries()];
    const out: Array<[K, V]> = [];
    const ks = this.keySize;
    const vs = this.value.size;
    const keyScalar = scalarOf(this.key);
    const valueScalar = scalarOf(this.value);
    for (const c of chunks) {
      // Built-in scalar codecs: read the packed keys and values through typed arrays.
      const kv = keyScalar && scalarArray(keyScalar, c.keys, c.count);
      const vv = valueScalar && scalarArray(valueScalar, c.values, c.count);
      if (kv && vv) {
        for (let i = 0; i < c.count; i++) out.push([kv[i] as K, vv[i] as V]);
        continue;
      }
      for (let i = 0; i < c.count; i++) {
        out.push([this.readAt(this.key, c.keys, i * ks, 'getMany', 'key'), this.readAt(this.value, c.values, i * vs, 'getMany', 'value')]);
      }
    }
    return out;
  }

  /**
   * The map's entries as batch lookup chunks, or null when the map type has no
   * batch lookup (then callers go one key at a time). The first chunk is read
   * here, so that refusal shows before anything was yielded.
   */
  private batchChunksOrNull(op: string): Iterable<BatchChunk> | null {
    if (this.#noBatch) return null;
    const it = this.batchChunks(op);
    let first: IteratorResult<BatchChunk>;
    try {
      first = it.next();
    } catch (e) {
      if (!(e instanceof BpfError && (e.code === 'ENOTSUPP' || e.code === 'EOPNOTSUPP'))) throw e;
      this.#noBatch = true;
      return null;
    }
    return (function* () {
      if (first.done) return;
      yield first.value;
      yield* it;
    })();
  }

  private *batchChunks(op: string): IterableIterator<BatchChunk> {
    const ks = this.keySize;
    const vs = this.value.size;
    let token: Buffer | null = null;
    let count = Math.max(1, Math.min(BATCH_CHUNK, this.maxEntries));
    for (;;) {
      this.ensureOpen(op);
      let r: ReturnType<NativeBinding['mapLookupBatch']>;
      try {
        r = nativeBinding().mapLookupBatch(this.fd, token, ks, vs, count);
      } catch (e) {
        const { code } = nativeCode(e);
        // A hash bucket holds more entries than the chunk: ask for more at once.
        if (code === 'ENOSPC' && count < 1 << 20) {
          count *= 2;
          continue;
        }
        if (code === 'ENOENT') return;
        throw fromNative(e, { ...this.context, op });
      }
      if (r.count > 0) yield r;
      if (r.done || !r.outBatch) return;
      token = r.outBatch;
    }
  }

  /**
   * Decodes one key or value where it sits in a batch Buffer (no subarray per
   * element). Each batch Buffer is new, so a codec returning a view is safe.
   */
  private readAt<T>(codec: Codec<T>, buf: Buffer, off: number, op: string, role: 'key' | 'value'): T {
    try {
      return codec.read(buf, off);
    } catch (e) {
      throw e instanceof CodecError ? e.withContext({ ...this.context, op, role }) : e;
    }
  }
}

/** A scratch Buffer of one codec's size, with a typed view of it when the codec is a scalar. */
interface ScratchSlot {
  readonly buf: Buffer;
  readonly view: ScalarArray | undefined;
  readonly fits: ((value: unknown) => boolean) | undefined;
}

function scratchSlot(codec: Codec<unknown>): ScratchSlot {
  const ab = new ArrayBuffer(codec.size); // its own ArrayBuffer: offset 0, aligned for the view
  const scalar = scalarOf(codec);
  return { buf: Buffer.from(ab), view: scalar && new scalar.type(ab, 0, 1), fits: scalar?.fits };
}

/** One batch lookup's result: `count` keys and values, packed. */
interface BatchChunk {
  readonly count: number;
  readonly keys: Buffer;
  readonly values: Buffer;
}

/** Runs a binding call outside any map, translating its errors. */
function call<T>(ctx: ErrorContext, fn: (b: NativeBinding) => T): T {
  const b = nativeBinding();
  try {
    return fn(b);
  } catch (e) {
    throw fromNative(e, ctx);
  }
}
