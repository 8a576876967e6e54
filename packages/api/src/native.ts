/**
 * The one door to the native binding, `@bpfhost/bindings`. It is loaded on
 * first use, so codecs and BTF work (and their tests run) without it. The
 * interface below is the binding's surface as the API uses it; the binding
 * is thin and 1:1 with the C library, so policy (defaults, fallbacks, error
 * types) lives in this package.
 *
 * @module
 */

import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

import type * as RealBinding from '@bpfhost/bindings';

import type { BtfType } from './btf.js';
import { setPossibleCpus } from './codecs.js';
import { BpfError, Errno } from './errors.js';
import packageRequire from './require.cjs';

export interface NativeMapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags: number;
  name: string;
  ringbufAbandoned: number;
}

export interface NativeObjectMap {
  name: string;
  fd: number;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  internal: boolean;
  pinPath?: string;
}

export interface NativeObjectProgram {
  name: string;
  sectionName: string;
  type: number;
  expectedAttachType: number;
  fd: number;
  insnCnt: number;
  autoload: boolean;
}

export interface NativeObjectSourceLine {
  insn: number;
  file: string;
  line: number;
  col: number;
  text: string;
}

export interface NativeObjectVariable {
  map: string;
  btfTypeId: number;
  bytes: Buffer;
}

export interface NativeProgLoadOptions {
  expectedAttachType?: number;
  fdArray?: number[];
  unprivileged?: boolean;
  testUnverified?: boolean;
  logLevel?: number;
}

export interface NativeObject {
  load(): void;
  close(): void;
  readonly name: string;
  maps(): NativeObjectMap[];
  programs(): NativeObjectProgram[];
  btfTypes(): BtfType[] | null;
  setProgramType(name: string, type: number): void;
  setProgramExpectedAttachType(name: string, attachType: number): void;
  setProgramAutoload(name: string, autoload: boolean): void;
  setProgramLogLevel(name: string, level: number): void;
  programLog(name: string): string;
  programSourceLines(name: string): NativeObjectSourceLine[];
  setMapMaxEntries(name: string, maxEntries: number): void;
  setMapValueSize(name: string, size: number): void;
  setMapFlags(name: string, flags: number): void;
  setMapInnerMapFd(name: string, fd: number): void;
  setMapPinPath(name: string, path: string | null): void;
  mapInitialValue(name: string): Buffer | null;
  setMapInitialValue(name: string, value: Buffer): void;
  variable(name: string): NativeObjectVariable | null;
  setVariable(name: string, value: Buffer): void;
}

export interface NativeObjectClass {
  openFile(path: string, opts?: NativeOpenOptions): NativeObject;
  openMem(buf: Buffer, name?: string, opts?: NativeOpenOptions): NativeObject;
}

export interface NativeOpenOptions {
  kconfig?: string;
  btfCustomPath?: string;
}

export interface NativeRingBufferConsumer {
  consume(max?: number): Buffer[];
  poll(timeoutMs: number): Promise<Buffer[]>;
  close(): void;
}

export interface NativePerfBatch {
  samples: Array<{ cpu: number; data: Buffer }>;
  lost: Array<{ cpu: number; count: bigint }>;
}

export interface NativePerfBufferConsumer {
  consume(): NativePerfBatch;
  poll(timeoutMs: number): Promise<NativePerfBatch>;
  close(): void;
}

export interface NativeProgInfo {
  type: number;
  id: number;
  name: string;
  tag: Buffer;
  insnCnt: number;
  mapIds: number[];
  runCnt: bigint;
  runTimeNs: bigint;
}

/** What `@bpfhost/bindings` exports (the part the API uses). */
export interface NativeBinding {
  mapCreate(
    type: number,
    name: string | null,
    keySize: number,
    valueSize: number,
    maxEntries: number,
    opts?: { mapFlags?: number; innerMapFd?: number; numaNode?: number; mapExtra?: bigint },
  ): number;
  mapLookupElem(fd: number, key: Buffer | null, valueSize: number, flags?: bigint): Buffer;
  /** Lookup into `value`: true when found, false for a missing key (no exception). */
  mapLookupElemInto(fd: number, key: Buffer | null, value: Buffer, flags?: bigint): boolean;
  mapUpdateElem(fd: number, key: Buffer | null, value: Buffer, flags?: bigint): void;
  mapDeleteElem(fd: number, key: Buffer): void;
  mapGetNextKey(fd: number, key: Buffer | null, keySize: number): Buffer | null;
  mapLookupAndDeleteElem(fd: number, key: Buffer | null, valueSize: number): Buffer;
  mapFreeze(fd: number): void;
  mapLookupBatch(
    fd: number,
    inBatch: Buffer | null,
    keySize: number,
    valueSize: number,
    count: number,
    opts?: { elemFlags?: bigint; flags?: bigint; andDelete?: boolean },
  ): { keys: Buffer; values: Buffer; count: number; outBatch: Buffer | null; done: boolean };
  mapUpdateBatch(fd: number, keys: Buffer, values: Buffer, count: number, opts?: { elemFlags?: bigint; flags?: bigint }): number;
  mapDeleteBatch(fd: number, keys: Buffer, count: number): number;
  mapGetInfo(fd: number): NativeMapInfo;
  numPossibleCpus(): number;
  progLoad(
    type: number,
    name: string | null,
    license: string,
    insns: Buffer,
    opts?: NativeProgLoadOptions,
  ): number;
  progLoadWithLog(
    type: number,
    name: string | null,
    license: string,
    insns: Buffer,
    opts?: NativeProgLoadOptions,
  ): { fd: number; log: string };
  progTestRun(
    fd: number,
    opts?: { data?: Buffer; ctx?: Buffer; repeat?: number; dataSizeOut?: number; ctxSizeOut?: number; insnBudget?: number },
  ): NativeTestRunResult;
  progTestRunAsync(
    fd: number,
    opts?: { data?: Buffer; ctx?: Buffer; repeat?: number; dataSizeOut?: number; ctxSizeOut?: number; insnBudget?: number },
  ): Promise<NativeTestRunResult>;
  progGetInfo(fd: number): NativeProgInfo;
  progGetXlated(fd: number): Buffer;
  linkCreate(progFd: number, attachType: number, targetFd?: number, opts?: { insnBudget?: number }): number;
  linkDetach(linkFd: number): void;
  linkGetInfo(fd: number): { id: number; progId: number; attachType: number };
  hookTrigger(attachType: number, data: Buffer | null): { progCnt: number; retval: number };
  progTypeBySection(section: string): { progType: number; expectedAttachType: number };
  progTypeHelpers(type: number): Array<{ id: number; name: string }>;
  traceRead(): string;
  objPin(fd: number, path: string): void;
  objGet(path: string): number;
  objUnpin(path: string): void;
  progGetNextId(startId: number): number | null;
  mapGetNextId(startId: number): number | null;
  linkGetNextId(startId: number): number | null;
  progGetFdById(id: number): number;
  mapGetFdById(id: number): number;
  linkGetFdById(id: number): number;
  close(fd: number): void;
  handleCount(): number;
  extensionLoad(path: string): number;
  extensionUnload(handle: number, force?: boolean): void;
  NativeObject: NativeObjectClass;
  RingBufferConsumer: new (mapFd: number) => NativeRingBufferConsumer;
  PerfBufferConsumer: new (mapFd: number, pageCnt: number) => NativePerfBufferConsumer;
  asm(source: string): Buffer;
  disasm(insns: Buffer): string;
}

/** What a native test run returns (`redirect` is null unless the verdict redirects). */
export interface NativeTestRunResult {
  retval: number;
  data: Buffer | null;
  ctx: Buffer | null;
  durationNs: number;
  redirect: { kind: number; target: number; mapId: number; key: number; flags: number } | null;
}

/** Compile-time check: the binding as built provides everything this interface names. */
type Fits<T extends true> = T;
export type BindingFitsApi = Fits<typeof RealBinding extends NativeBinding ? true : false>;

let binding: NativeBinding | undefined;

/**
 * The native binding, loaded on first call. Throws a {@link BpfError} with
 * code `'EBINDING'` when it cannot be loaded, saying why: `@bpfhost/bindings`
 * not installed, no platform package for this platform installed (naming the
 * package and the platform), or the platform package failing to load.
 */
export function nativeBinding(): NativeBinding {
  if (binding) return binding;
  try {
    binding = packageRequire('@bpfhost/bindings') as NativeBinding;
  } catch (err) {
    throw new BpfError('EBINDING', Errno.EOPNOTSUPP, `cannot load the native binding: ${bindingLoadProblem(err)}`, { cause: err });
  }
  return binding;
}

/**
 * napi-rs' name for this platform, the suffix of the platform packages
 * (`linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64-msvc`).
 */
export function platformTriple(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === 'win32') return `${base}-msvc`;
  if (process.platform !== 'linux') return base;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const libc = report?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
  return process.arch === 'arm' ? `${base}-${libc}eabihf` : `${base}-${libc}`;
}

/** Why `require('@bpfhost/bindings')` failed, and what installs the missing piece. */
function bindingLoadProblem(err: unknown): string {
  let bindingsPath: string;
  try {
    bindingsPath = packageRequire.resolve('@bpfhost/bindings');
  } catch {
    return '@bpfhost/bindings is not installed (it is a dependency of @bpfhost/api: `npm install @bpfhost/api` installs it)';
  }
  // The platform packages are the binding's optional dependencies: resolve them from there.
  const fromBindings = createRequire(bindingsPath);
  const manifest = fromBindings('./package.json') as { version?: string; optionalDependencies?: Record<string, string> };
  const triple = platformTriple();
  const pkg = `@bpfhost/bindings-${triple}`;
  const published = Object.keys(manifest.optionalDependencies ?? {});
  let pkgJson: string | undefined;
  try {
    pkgJson = fromBindings.resolve(`${pkg}/package.json`);
  } catch {
    if (!published.includes(pkg)) {
      const platforms = published.map((p) => p.replace('@bpfhost/bindings-', '')).join(', ');
      return `no binary of @bpfhost/bindings for this platform (${triple}): binaries exist for ${platforms || 'no platform'}`;
    }
    const version = manifest.optionalDependencies?.[pkg] ?? manifest.version ?? 'latest';
    return `the platform package ${pkg} (the binary for ${triple}) is not installed: \`npm install ${pkg}@${version}\``;
  }
  const causes: string[] = [];
  for (let e: unknown = (err as Error)?.cause ?? err; e instanceof Error && causes.length < 4; e = e.cause) causes.push(e.message);
  const dir = realpathSync(dirname(pkgJson));
  // Outside node_modules it is the repository's workspace package, whose binary a build writes.
  const build = dir.includes(`${sep}node_modules${sep}`) ? '' : ' (a bpfhost checkout: `npx nx run bindings:build` builds it)';
  return `${pkg} is installed (${dir}) but its binary did not load${build}: ${causes.join('; ') || String(err)}`;
}

/** Tests may substitute a binding (for example to count calls). Pass `undefined` to reload the real one. */
export function setNativeBinding(b: NativeBinding | undefined): void {
  binding = b;
  elementOps = undefined;
}

/** The single-element map calls, as a small object (the binding's exports are many: slow property loads). */
export interface ElementOps {
  readonly lookupInto: NativeBinding['mapLookupElemInto'];
  readonly update: NativeBinding['mapUpdateElem'];
}

let elementOps: ElementOps | undefined;

/** {@link nativeBinding}'s element calls, for the hot paths of BpfMap get/set. */
export function nativeElementOps(): ElementOps {
  if (elementOps) return elementOps;
  const b = nativeBinding();
  elementOps = { lookupInto: b.mapLookupElemInto, update: b.mapUpdateElem };
  return elementOps;
}

let cpus: number | undefined;

/** The number of possible CPUs: the length of a per-CPU map's values (cached). */
export function numPossibleCpus(): number {
  cpus ??= nativeBinding().numPossibleCpus();
  return cpus;
}

setPossibleCpus(numPossibleCpus);

/** How many handles (maps, programs, links, ...) the core has open: for leak checks. */
export function handleCount(): number {
  return nativeBinding().handleCount();
}
