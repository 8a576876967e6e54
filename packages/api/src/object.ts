/**
 * {@link BpfObject}: a BPF ELF object (clang `-target bpf -g` output) opened,
 * loaded, and the typed maps and programs in it.
 *
 * @module
 */
import { Btf, type BtfValue } from './btf.js';
import { perCpu, u32, type Codec } from './codecs.js';
import { BpfError, CodecError, Errno, NotFoundError, fromNative, type ErrorContext } from './errors.js';
import { BpfMap, rawCodec, type UntypedMap } from './map.js';
import { nativeBinding, type NativeObject, type NativeObjectMap, type NativeObjectProgram } from './native.js';
import { Program } from './program.js';
import { Resource } from './resource.js';
import { RingBuffer, type RingBufferOptions } from './ringbuf.js';
import { MapType, isPerCpuMapType, mapTypeName, programTypeName } from './uapi.js';

/** A map as the object declares it (plain data; `fd` is -1 before `load()`). */
export interface MapSpec {
  name: string;
  type: number;
  /** `'hash'`, `'array'`, `'custom(4097)'`, ... */
  typeName: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** True for the maps of `.data`, `.rodata`, `.bss` (and `.kconfig`). */
  internal: boolean;
  /** BTF type ids of key and value (0: none). */
  btfKeyTypeId: number;
  btfValueTypeId: number;
  /** C names of key and value types from BTF (`'__u32'`, `'struct event'`), when the object has them. */
  keyType: string | undefined;
  valueType: string | undefined;
}

/** A program as the object declares it (plain data). */
export interface ProgramSpec {
  name: string;
  /** ELF section, e.g. `'sample/count'`, `'xdp'`. */
  section: string;
  type: number;
  /**
   * `'xdp'`, `'ext(4097)'`, ...; for a section no program type claims (type 0,
   * its extension not loaded yet), `"no type claims section 'sample/count'"`.
   */
  typeName: string;
  expectedAttachType: number;
  insnCount: number;
}

/** Options of {@link BpfObject.open}. */
export interface OpenOptions {
  /** Name of an object opened from memory (default `'memory'`); it prefixes messages. */
  name?: string;
}

/** Map types whose keys are u32 indexes (used when BTF says nothing about the key). */
const INDEX_KEYED = new Set<number>([MapType.array, MapType.percpu_array, MapType.prog_array, MapType.array_of_maps]);
/** Map types whose values are u32 handles/ids. */
const HANDLE_VALUED = new Set<number>([MapType.prog_array, MapType.array_of_maps, MapType.hash_of_maps]);

/**
 * A BPF object: `open()` parses it (maps and programs are known as specs),
 * `load()` creates its maps and loads its programs, then `map()` and
 * `program()` give the live ones. Closing the object closes its maps,
 * programs and ring buffers; links made from its programs stay until closed.
 *
 * @example
 * using obj = BpfObject.open('prog.bpf.o').load();
 * const counts = obj.map('counts', { key: u32, value: u64 }); // BpfMap<number, bigint>
 * const events = obj.map('events');                           // typed from BTF
 */
export class BpfObject extends Resource {
  readonly #native: NativeObject;
  readonly #name: string;
  #loaded = false;
  #maps: readonly NativeObjectMap[];
  #programs: readonly NativeObjectProgram[];
  #btf: Btf | null | undefined;
  readonly #ringBuffers = new Set<RingBuffer<unknown>>();

  private constructor(native: NativeObject) {
    super();
    this.#native = native;
    this.#name = native.name;
    this.#maps = native.maps();
    this.#programs = native.programs();
  }

  /**
   * Opens (parses) an object from a file path or from its bytes. Nothing is
   * created in the core until {@link load}. Throws {@link NotFoundError} for
   * a missing file, `EINVAL` for something that is not a BPF ELF object.
   */
  static open(source: string | Uint8Array, opts: OpenOptions = {}): BpfObject {
    const label = typeof source === 'string' ? source : opts.name ?? 'memory';
    let native: NativeObject;
    try {
      const b = nativeBinding();
      native =
        typeof source === 'string'
          ? b.NativeObject.openFile(source)
          : b.NativeObject.openMem(Buffer.from(source.buffer, source.byteOffset, source.byteLength), opts.name ?? 'memory');
    } catch (e) {
      throw fromNative(e, { object: label, op: 'open' });
    }
    try {
      return new BpfObject(native);
    } catch (e) {
      native.close();
      throw fromNative(e, { object: label, op: 'open' });
    }
  }

  protected get kind(): string {
    return 'object';
  }

  protected get context(): ErrorContext {
    return { object: this.#name };
  }

  protected release(): void {
    for (const rb of this.#ringBuffers) rb.close();
    this.#ringBuffers.clear();
    this.#native.close();
  }

  /** The object's name (its file name without the directory, or the name given for memory). */
  get name(): string {
    return this.#name;
  }

  /** True once {@link load} succeeded. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * Creates the maps and loads the programs. Returns the object (so
   * `BpfObject.open(path).load()` reads well). Throws
   * {@link VerifierError} or {@link LoadError} with the log when a program
   * is refused, `EOPNOTSUPP` for a custom map type no extension provides.
   * A failed load closes the object (it cannot be loaded again, as in
   * libbpf), so `BpfObject.open(path).load()` leaks nothing when it throws.
   */
  load(): this {
    this.ensureOpen('load');
    if (this.#loaded) throw new BpfError('EINVAL', Errno.EINVAL, 'the object is loaded already', { ...this.context, op: 'load' });
    try {
      this.#native.load();
    } catch (e) {
      // As in libbpf, a failed load cannot be retried: release what the object holds.
      this.close();
      throw fromNative(e, { ...this.context, op: 'load', kind: 'load' });
    }
    this.#loaded = true;
    this.#maps = this.#native.maps();
    this.#programs = this.#native.programs();
    return this;
  }

  /** The object's BTF (type table and codecs), if it has any. */
  get btf(): Btf | undefined {
    this.ensureOpen('btf');
    if (this.#btf === undefined) {
      const types = this.#native.btfTypes();
      this.#btf = types && types.length > 0 ? new Btf(types) : null;
    }
    return this.#btf ?? undefined;
  }

  /** The object's maps as specs (available before `load()`). */
  get maps(): readonly MapSpec[] {
    this.ensureOpen('maps');
    const btf = this.btf;
    const typeName = (id: number): string | undefined => (btf && id ? btf.typeName(id) : undefined);
    return this.#maps.map((m) => ({
      name: m.name,
      type: m.type,
      typeName: mapTypeName(m.type),
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
      flags: m.mapFlags,
      internal: m.internal,
      btfKeyTypeId: m.btfKeyTypeId,
      btfValueTypeId: m.btfValueTypeId,
      keyType: typeName(m.btfKeyTypeId),
      valueType: typeName(m.btfValueTypeId),
    }));
  }

  /** The object's programs as specs (available before `load()`). */
  get programs(): readonly ProgramSpec[] {
    this.ensureOpen('programs');
    return this.#programs.map((p) => ({
      name: p.name,
      section: p.sectionName,
      type: p.type,
      typeName: p.type === 0 ? `no type claims section '${p.sectionName}'` : programTypeName(p.type),
      expectedAttachType: p.expectedAttachType,
      insnCount: p.insnCnt,
    }));
  }

  private requireLoaded(op: string): void {
    this.ensureOpen(op);
    if (!this.#loaded) {
      throw new BpfError('EINVAL', Errno.EINVAL, 'the object is not loaded (call load() first)', { ...this.context, op });
    }
  }

  private findMap(name: string, op: string): NativeObjectMap {
    this.requireLoaded(op);
    const m = this.#maps.find((x) => x.name === name);
    if (!m) {
      throw new NotFoundError(`no map '${name}' (the object has ${this.#maps.map((x) => `'${x.name}'`).join(', ') || 'no maps'})`, {
        ...this.context,
        op,
      });
    }
    return m;
  }

  /** The codec BTF gives type `id` if it is `size` bytes, else the raw (or index/handle) codec. */
  private derive(m: NativeObjectMap, role: 'key' | 'value'): Codec<BtfValue> {
    const id = role === 'key' ? m.btfKeyTypeId : m.btfValueTypeId;
    const size = role === 'key' ? m.keySize : m.valueSize;
    const btf = this.btf;
    let c: Codec<BtfValue> | undefined;
    if (btf && id && size) {
      try {
        c = btf.codec(id);
      } catch (e) {
        throw e instanceof CodecError ? e.withContext({ ...this.context, map: m.name, op: 'map', role }) : e;
      }
      if (c.size !== size) c = undefined;
    }
    if (!c && size === 4 && (role === 'key' ? INDEX_KEYED : HANDLE_VALUED).has(m.type)) c = u32 as Codec<BtfValue>;
    if (!c) return rawCodec(size, role, m.type);
    return role === 'value' && isPerCpuMapType(m.type) ? (perCpu(c) as Codec<BtfValue>) : c;
  }

  /**
   * The live map `name`.
   *
   * - `map(name)`: keys and values typed from the object's BTF
   *   ({@link BtfValue}s; raw Buffers where there is no BTF).
   * - `map(name, { key, value })`: explicit codecs, precisely typed (for
   *   per-CPU maps wrap the value codec: `perCpu(u64)`). Codecs must match
   *   the map's key and value sizes ({@link CodecError} otherwise).
   * - `map(name, { value })`: a queue or stack (no keys).
   *
   * Throws {@link NotFoundError} for an unknown name, `EINVAL` before `load()`.
   */
  map(name: string): UntypedMap;
  map<V>(name: string, codecs: { value: Codec<V> }): BpfMap<undefined, V>;
  map<K, V>(name: string, codecs: { key: Codec<K>; value: Codec<V> }): BpfMap<K, V>;
  map(name: string, codecs?: { key?: Codec<unknown>; value: Codec<unknown> }): BpfMap<unknown, unknown> {
    const m = this.findMap(name, 'map');
    const key = codecs?.key ?? (codecs ? rawCodec(m.keySize, 'key', m.type) : this.derive(m, 'key'));
    const value = codecs?.value ?? this.derive(m, 'value');
    return new BpfMap<unknown, unknown>({
      fd: m.fd,
      name: m.name,
      type: m.type,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
      flags: m.mapFlags,
      key,
      value,
      owned: false,
      owner: this,
      object: this.#name,
    });
  }

  /** The live program `name` (its function name). Throws {@link NotFoundError}, `EINVAL` before `load()`. */
  program(name: string): Program {
    const op = 'program';
    this.requireLoaded(op);
    const p = this.#programs.find((x) => x.name === name);
    if (!p) {
      throw new NotFoundError(`no program '${name}' (the object has ${this.#programs.map((x) => `'${x.name}'`).join(', ') || 'no programs'})`, {
        ...this.context,
        op,
      });
    }
    return new Program({
      fd: p.fd,
      name: p.name,
      section: p.sectionName,
      type: p.type,
      expectedAttachType: p.expectedAttachType,
      insnCount: p.insnCnt,
      owned: false,
      owner: this,
      object: this.#name,
    });
  }

  /**
   * A consumer of the ring buffer map `name`, its records decoded with
   * `codec` (Buffers without one). Closed with the object.
   */
  ringBuffer(name: string): RingBuffer<Buffer>;
  ringBuffer<T>(name: string, codec: Codec<T>, opts?: RingBufferOptions): RingBuffer<T>;
  ringBuffer<T>(name: string, codec?: Codec<T>, opts?: RingBufferOptions): RingBuffer<T | Buffer> {
    const map = this.map(name);
    const rb = new RingBuffer<T | Buffer>(map, codec, opts);
    this.#ringBuffers.add(rb as RingBuffer<unknown>);
    return rb;
  }
}
