/**
 * {@link BpfObject}: a BPF ELF object (clang `-target bpf -g` output) opened,
 * loaded, and the typed maps and programs in it.
 *
 * @module
 */
import { Btf, type BtfValue } from './btf.js';
import { isPerCpuCodec, perCpu, u32, type Codec } from './codecs.js';
import { BpfError, CodecError, Errno, NotFoundError, fromNative, type ErrorContext } from './errors.js';
import { BpfMap, rawCodec, type UntypedMap } from './map.js';
import { nativeBinding, type NativeObject, type NativeObjectMap, type NativeObjectProgram } from './native.js';
import { Program, logLevel, verifierLogLines, type LogLevel } from './program.js';
import { Resource } from './resource.js';
import { PerfBuffer, type PerfBufferOptions } from './perfbuf.js';
import { RingBuffer, type RingBufferOptions } from './ringbuf.js';
import { MapType, isPerCpuMapType, mapTypeName, programTypeName } from './uapi.js';
import { optional } from './validate.js';

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
  /** Where `load()` pins the map (`LIBBPF_PIN_BY_NAME` or {@link MapSettings.pinPath}), if anywhere. */
  pinPath: string | undefined;
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
  /** Whether `load()` loads it ({@link ProgramSettings.autoload}). */
  autoload: boolean;
}

/** A global variable of `.data`, `.rodata`, `.bss` (or `.data.*`...) as the object's BTF places it. */
export interface VariableSpec {
  name: string;
  /** The global data map that holds it (`'obj.rodata'`). */
  map: string;
  /** Its ELF section (`'.rodata'`). */
  section: string;
  offset: number;
  size: number;
  /** The BTF type of its value. */
  btfTypeId: number;
  /** C name of its type (`'const volatile __u32'`). */
  typeName: string;
  /** In `.rodata*`: frozen at load. */
  readonly: boolean;
}

/** What can be set on a map before {@link BpfObject.load} (libbpf's `bpf_map__set_*`). */
export interface MapSettings {
  maxEntries?: number;
  /**
   * Value size in bytes. A global data map (`.data.name`) may be resized when
   * its last variable is an array: the array's length follows.
   */
  valueSize?: number;
  /** `BPF_F_*` creation flags. */
  flags?: number;
  /** For array/hash of maps: a map (or handle) whose shape the inner maps take; it must stay open until `load()`. */
  innerMap?: { readonly fd: number } | number;
  /** Pin at this path on load (reusing a compatible pinned map); `null`: no pinning. */
  pinPath?: string | null;
  /** Initial value of a global data map (its whole section). */
  initialValue?: Uint8Array;
}

/** What can be set on a program before {@link BpfObject.load}. */
export interface ProgramSettings {
  /** Program type (overrides what the section name selects). */
  type?: number;
  expectedAttachType?: number;
  /** `false` leaves the program unloaded. */
  autoload?: boolean;
  /**
   * The verifier log to keep for this program when the load succeeds
   * ({@link Program.verifierLog}): 1 (statistics) or 2 (every instruction
   * walked, with states; cut at 64 KiB). Overrides {@link LoadOptions.logLevel}.
   */
  logLevel?: LogLevel;
}

/** Options of {@link BpfObject.load}. */
export interface LoadOptions {
  /**
   * The verifier log level of every program (except those given their own with
   * {@link BpfObject.configureProgram}): 1 or 2 keep the log of a load that
   * succeeds as {@link Program.verifierLog}; 0 and the default keep none. A
   * refusal carries its log ({@link VerifierError.log}) whatever the level.
   */
  logLevel?: LogLevel;
}

/** Options of {@link BpfObject.open}. */
export interface OpenOptions {
  /** Name of an object opened from memory (default `'memory'`); it prefixes messages. */
  name?: string;
  /**
   * Values of the object's `__kconfig` externs, as libbpf's `kconfig` open
   * option: its text (`"CONFIG_HZ=250\nCONFIG_X=y"`), or an object whose
   * values are written as `y`/`n` (booleans), decimal numbers (numbers and
   * bigints) or quoted strings (strings; give the text form for a tristate
   * `m`). `LINUX_KERNEL_VERSION` may be set too. An extern not given is
   * refused at open unless it is `__weak` (then 0).
   */
  kconfig?: string | Record<string, boolean | number | bigint | string>;
  /**
   * The BTF that CO-RE relocations are resolved against (libbpf's
   * `btf_custom_path`): a raw BTF file or an ELF with a `.BTF` section, e.g.
   * a kernel's `/sys/kernel/btf/vmlinux`. Default: bpfhost's own BTF of the
   * context and UAPI types its program types provide.
   */
  btfCustomPath?: string;
}

/** The kconfig text of {@link OpenOptions.kconfig}. */
function kconfigText(k: OpenOptions['kconfig'], ctx: ErrorContext): string | undefined {
  if (k === undefined || typeof k === 'string') return k;
  return Object.entries(k)
    .map(([name, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new BpfError('EINVAL', Errno.EINVAL, `kconfig: '${name}' is not a C identifier`, ctx);
      }
      if (typeof v === 'boolean') return `${name}=${v ? 'y' : 'n'}`;
      if (typeof v === 'bigint') return `${name}=${v}`;
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) throw new BpfError('EINVAL', Errno.EINVAL, `kconfig: ${name} must be an integer, got ${v}`, ctx);
        return `${name}=${v}`;
      }
      if (typeof v === 'string') return `${name}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      throw new BpfError('EINVAL', Errno.EINVAL, `kconfig: ${name} must be a boolean, number, bigint or string`, ctx);
    })
    .join('\n');
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
  #variableSpecs: Map<string, VariableSpec> | undefined;
  #variablesView: Record<string, BtfValue> | undefined;
  readonly #ringBuffers = new Set<RingBuffer<unknown>>();
  readonly #perfBuffers = new Set<PerfBuffer<unknown>>();
  /** Programs given a log level of their own (configureProgram). */
  readonly #logLevels = new Set<string>();

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
      const kconfig = kconfigText(opts.kconfig, { object: label, op: 'open' });
      const nopts = {
        ...(kconfig !== undefined && { kconfig }),
        ...(opts.btfCustomPath !== undefined && { btfCustomPath: opts.btfCustomPath }),
      };
      native =
        typeof source === 'string'
          ? b.NativeObject.openFile(source, nopts)
          : b.NativeObject.openMem(Buffer.from(source.buffer, source.byteOffset, source.byteLength), opts.name ?? 'memory', nopts);
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
    for (const pb of this.#perfBuffers) pb.close();
    this.#perfBuffers.clear();
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
  load(opts: LoadOptions = {}): this {
    this.ensureOpen('load');
    if (this.#loaded) throw new BpfError('EINVAL', Errno.EINVAL, 'the object is loaded already', { ...this.context, op: 'load' });
    const level = optional(opts.logLevel, (v) => logLevel(v, { ...this.context, op: 'load' }));
    if (level !== undefined) {
      for (const p of this.#programs) if (!this.#logLevels.has(p.name)) this.configureProgram(p.name, { logLevel: level });
    }
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
      pinPath: m.pinPath ?? undefined,
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
      autoload: p.autoload,
    }));
  }

  /* ---------------------------------------------------------------------- */
  /* The open phase                                                          */

  /** Calls the binding with this object's context on errors, then rereads the specs. */
  private configure(op: string, ctx: ErrorContext, fn: () => void): void {
    this.ensureOpen(op);
    try {
      fn();
    } catch (e) {
      throw fromNative(e, { ...this.context, ...ctx, op });
    } finally {
      this.#maps = this.#native.maps();
      this.#programs = this.#native.programs();
    }
  }

  /**
   * Sets map `name`'s definition before {@link load} (libbpf's
   * `bpf_map__set_*`). Throws {@link NotFoundError} for an unknown map,
   * `EBUSY` after load, `EINVAL` for a setting the map cannot take (the
   * message says why).
   *
   * @example
   * const obj = BpfObject.open('prog.bpf.o');
   * obj.configureMap('flows', { maxEntries: 65536 });
   * obj.load();
   */
  configureMap(name: string, settings: MapSettings): this {
    this.configure('configureMap', { map: name }, () => {
      if (!this.#maps.some((m) => m.name === name)) throw this.noSuch('map', name, this.#maps);
      const n = this.#native;
      if (settings.maxEntries !== undefined) n.setMapMaxEntries(name, settings.maxEntries);
      if (settings.flags !== undefined) n.setMapFlags(name, settings.flags);
      if (settings.valueSize !== undefined) {
        n.setMapValueSize(name, settings.valueSize);
        // A resized data section changes the BTF (a new array type).
        this.#btf = undefined;
        this.#variableSpecs = undefined;
      }
      if (settings.innerMap !== undefined) {
        n.setMapInnerMapFd(name, typeof settings.innerMap === 'number' ? settings.innerMap : settings.innerMap.fd);
      }
      if (settings.pinPath !== undefined) n.setMapPinPath(name, settings.pinPath);
      if (settings.initialValue !== undefined) {
        const v = settings.initialValue;
        n.setMapInitialValue(name, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      }
    });
    return this;
  }

  /**
   * Sets program `name`'s type, attach type or autoload before {@link load}.
   * Throws {@link NotFoundError} for an unknown program, `EBUSY` after load.
   */
  configureProgram(name: string, settings: ProgramSettings): this {
    this.configure('configureProgram', { program: name }, () => {
      if (!this.#programs.some((p) => p.name === name)) throw this.noSuch('program', name, this.#programs);
      const n = this.#native;
      if (settings.type !== undefined) n.setProgramType(name, settings.type);
      if (settings.expectedAttachType !== undefined) n.setProgramExpectedAttachType(name, settings.expectedAttachType);
      if (settings.autoload !== undefined) n.setProgramAutoload(name, settings.autoload);
      if (settings.logLevel !== undefined) {
        n.setProgramLogLevel(name, logLevel(settings.logLevel, { ...this.context, program: name, op: 'configureProgram' }));
        this.#logLevels.add(name);
      }
    });
    return this;
  }

  private noSuch(kind: 'map' | 'program' | 'variable', name: string, all: readonly { name: string }[]): NotFoundError {
    const list = all.map((x) => `'${x.name}'`).join(', ') || `no ${kind}s`;
    return new NotFoundError(`no ${kind} '${name}' (the object has ${list})`, { ...this.context, op: kind });
  }

  /**
   * The global variables of the object's data sections, from the DATASEC
   * types of its BTF (empty without BTF). When two sections hold a static
   * variable of the same name, the first (in map order) is the one found.
   */
  get variableSpecs(): readonly VariableSpec[] {
    return [...this.variableTable().values()];
  }

  private variableTable(): Map<string, VariableSpec> {
    this.ensureOpen('variables');
    if (this.#variableSpecs) return this.#variableSpecs;
    const table = new Map<string, VariableSpec>();
    const btf = this.btf;
    for (const m of btf ? this.#maps : []) {
      if (!m.internal || !m.btfValueTypeId || !btf) continue;
      const ds = btf.type(m.btfValueTypeId);
      if (ds.kind !== 'datasec') continue;
      for (const v of ds.vars ?? []) {
        const vt = btf.type(v.type);
        if (vt.kind !== 'var' || vt.type === undefined || table.has(vt.name)) continue;
        table.set(vt.name, {
          name: vt.name,
          map: m.name,
          section: ds.name,
          offset: v.offset,
          size: v.size,
          btfTypeId: vt.type,
          typeName: btf.typeName(vt.type),
          readonly: ds.name.startsWith('.rodata'),
        });
      }
    }
    this.#variableSpecs = table;
    return table;
  }

  private variableSpec(name: string, op: string): VariableSpec {
    const v = this.variableTable().get(name);
    if (!v) {
      const list = [...this.variableTable().keys()].map((x) => `'${x}'`).join(', ') || 'no variables (or no BTF)';
      throw new NotFoundError(`no global variable '${name}' (the object has ${list})`, { ...this.context, op });
    }
    return v;
  }

  /** The live global data map's value (after load). */
  private liveSection(v: VariableSpec): { fd: number; value: Buffer } {
    const m = this.#maps.find((x) => x.name === v.map);
    if (!m || m.fd < 0) throw new BpfError('ENOENT', Errno.ENOENT, `map '${v.map}' was not created`, { ...this.context, map: v.map });
    const key = Buffer.alloc(4);
    try {
      return { fd: m.fd, value: nativeBinding().mapLookupElem(m.fd, key, m.valueSize) };
    } catch (e) {
      throw fromNative(e, { ...this.context, map: v.map, op: 'variable' });
    }
  }

  /**
   * Global variable `name`, decoded with the codec its BTF type gives
   * (`const volatile` configuration, counters in `.bss`...). Before load:
   * the value load will write; after load: the live map's. Throws
   * {@link NotFoundError} for an unknown name.
   */
  getVariable(name: string): BtfValue {
    const v = this.variableSpec(name, 'getVariable');
    const codec = this.variableCodec(v);
    if (!this.#loaded) {
      let found;
      try {
        found = this.#native.variable(name);
      } catch (e) {
        throw fromNative(e, { ...this.context, op: 'getVariable' });
      }
      if (!found) throw this.noSuch('variable', name, this.variableSpecs);
      return codec.decode(found.bytes);
    }
    return codec.read(this.liveSection(v).value, v.offset);
  }

  /**
   * Sets global variable `name`. Before load it is the value load writes
   * (for `.rodata`, the only time it can be set: the map is frozen at load,
   * and setting it afterwards throws `EPERM`). After load a `.data`/`.bss`
   * variable is written into the live map (a read-modify-write of the
   * section's value: a program writing another variable of the same section
   * at that moment may lose its write). Throws {@link CodecError} for a
   * value that does not fit its type.
   */
  setVariable(name: string, value: BtfValue): void {
    const v = this.variableSpec(name, 'setVariable');
    const bytes = this.variableCodec(v).encode(value);
    if (!this.#loaded) {
      this.configure('setVariable', {}, () => this.#native.setVariable(name, bytes));
      return;
    }
    this.ensureOpen('setVariable');
    if (v.readonly) {
      throw new BpfError('EPERM', Errno.EPERM, `variable '${name}' is in ${v.section}, frozen at load: set it between open() and load()`, {
        ...this.context,
        op: 'setVariable',
      });
    }
    const live = this.liveSection(v);
    bytes.copy(live.value, v.offset);
    try {
      nativeBinding().mapUpdateElem(live.fd, Buffer.alloc(4), live.value);
    } catch (e) {
      throw fromNative(e, { ...this.context, map: v.map, op: 'setVariable' });
    }
  }

  private variableCodec(v: VariableSpec): Codec<BtfValue> {
    const btf = this.btf;
    if (!btf) throw new BpfError('EINVAL', Errno.EINVAL, 'the object has no BTF', { ...this.context, op: 'variable' });
    const c = btf.codec(v.btfTypeId);
    if (c.size !== v.size) {
      throw new CodecError({ codec: c.name, expected: `${v.size} bytes (variable '${v.name}')`, got: `${c.size} bytes` });
    }
    return c;
  }

  /**
   * The global variables as properties: `obj.variables.max_flows = 1024`
   * sets one (see {@link setVariable}), reading one decodes it (see
   * {@link getVariable}). Values are {@link BtfValue}s; a generated skeleton
   * gives them precise types.
   */
  get variables(): Record<string, BtfValue> {
    this.ensureOpen('variables');
    this.#variablesView ??= new Proxy({} as Record<string, BtfValue>, {
      get: (_t, prop) => (typeof prop === 'string' && this.variableTable().has(prop) ? this.getVariable(prop) : undefined),
      set: (_t, prop, value) => {
        if (typeof prop !== 'string') return false;
        this.setVariable(prop, value as BtfValue);
        return true;
      },
      has: (_t, prop) => typeof prop === 'string' && this.variableTable().has(prop),
      ownKeys: () => [...this.variableTable().keys()],
      getOwnPropertyDescriptor: (_t, prop) =>
        typeof prop === 'string' && this.variableTable().has(prop)
          ? { enumerable: true, configurable: true, writable: true, value: this.getVariable(prop) }
          : undefined,
    });
    return this.#variablesView;
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
    if (codecs?.key) this.checkAgainstBtf(m, 'key', codecs.key);
    if (codecs?.value) this.checkAgainstBtf(m, 'value', codecs.value);
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

  /**
   * A hand-written struct codec must lay its members out as the map's BTF
   * type does (names, offsets, sizes): a swapped or missing member would
   * otherwise read garbage while the total size still fits.
   */
  private checkAgainstBtf(m: NativeObjectMap, role: 'key' | 'value', codec: Codec<unknown>): void {
    const id = role === 'key' ? m.btfKeyTypeId : m.btfValueTypeId;
    const btf = this.btf;
    if (!btf || !id) return;
    const c = isPerCpuCodec(codec) ? codec.element : codec;
    const mismatches = btf.layoutMismatches(c, id);
    if (mismatches.length === 0) return;
    throw new CodecError({
      ...this.context,
      map: m.name,
      op: 'map',
      role,
      codec: c.name,
      expected: `the layout of ${btf.typeName(id)} in the map's BTF`,
      got: mismatches.join('; '),
      mismatches,
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
      verifierLog: p.fd >= 0 ? verifierLogLines(this.#native.programLog(p.name)) : [],
      sourceLines: () => {
        this.ensureOpen('sourceLines');
        return this.#native.programSourceLines(p.name).map((l) => ({ insn: l.insn, file: l.file, line: l.line, column: l.col, text: l.text }));
      },
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

  /**
   * A {@link PerfBuffer} on perf event array map `name` (what
   * `bpf_perf_event_output` writes), closed with the object. Samples are
   * Buffers, or decoded with `codec`.
   */
  perfBuffer(name: string, codec?: undefined, opts?: PerfBufferOptions): PerfBuffer<Buffer>;
  perfBuffer<T>(name: string, codec: Codec<T>, opts?: PerfBufferOptions): PerfBuffer<T>;
  perfBuffer<T>(name: string, codec?: Codec<T>, opts?: PerfBufferOptions): PerfBuffer<T | Buffer> {
    const map = this.map(name);
    const pb = new PerfBuffer<T | Buffer>(map, codec, opts);
    this.#perfBuffers.add(pb as PerfBuffer<unknown>);
    return pb;
  }
}
