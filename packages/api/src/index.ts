/**
 * `@bpfhost/api`: the typed TypeScript API of bpfhost, the embeddable
 * user-mode eBPF core.
 *
 * ```ts
 * import { BpfObject, loadExtension, struct, triggerHook, u32, u64 }
 *   from '@bpfhost/api';
 *
 * using ext = loadExtension('./sample_ext.so');
 * using obj = BpfObject.open('sample_maps.bpf.o').load();
 * using link = obj.program('count_event').attach();
 *
 * // struct sample_event { __u32 key; __u32 flags; __u64 value; }
 * const event = struct({ key: u32, flags: u32, value: u64 });
 * triggerHook(link.attachType, event.encode({ key: 7, flags: 0, value: 0n }));
 *
 * const counters = obj.map('counters', { key: u32, value: u64 });
 * for (const [key, count] of counters) console.log(key, count); // 7 1n
 * ```
 *
 * @packageDocumentation
 */
export {
  array,
  bool,
  bytes,
  cstring,
  defineCodec,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  none,
  perCpu,
  struct,
  u16,
  u32,
  u64,
  u8,
  type ArrayCodec,
  type Codec,
  type CodecSpec,
  type FieldCodecs,
  type Infer,
  type PerCpuCodec,
  type StructCodec,
  type StructField,
  type StructOf,
  type StructOptions,
} from './codecs.js';
export { i16be, i32be, i64be, ipv4, ipv6, mac, u16be, u32be, u64be } from './codecs-net.js';
export { Btf, type BtfType, type BtfValue } from './btf.js';
export {
  ArgumentError,
  BpfError,
  ClosedError,
  CodecError,
  ExistsError,
  LoadError,
  NotFoundError,
  VerifierError,
  parseRefusal,
  type ArgumentErrorOptions,
  type ErrorContext,
  type VerifierErrorOptions,
  type VerifierRefusal,
} from './errors.js';
export { checkProvider, type CheckOptions, type CheckPhase, type CheckReport } from './check.js';
export { Extension, loadExtension, type UnloadOptions } from './extension.js';
export {
  BpfMap,
  type CreateMapOptions,
  type MapCodecs,
  type MapInfo,
  type SetOptions,
  type UntypedMap,
} from './map.js';
export { handleCount, numPossibleCpus } from './native.js';
export {
  BpfObject,
  type LoadOptions,
  type MapSettings,
  type MapSpec,
  type OpenOptions,
  type ProgramSettings,
  type ProgramSpec,
  type VariableSpec,
} from './object.js';
export { unpin } from './pin.js';
export {
  Link,
  Program,
  assemble,
  disassemble,
  programTypeBySection,
  programTypeHelpers,
  type HelperInfo,
  trace,
  triggerHook,
  type AttachOptions,
  type Hook,
  type HookResult,
  type LinkInfo,
  type LoadProgramOptions,
  type LogLevel,
  type ProgramInfo,
  type SourceLine,
  type ProgramOfType,
  type TestRunOptions,
  type TestRunRedirect,
  type TestRunResult,
} from './program.js';
export { PerfBuffer, type PerfBufferOptions, type PerfSample } from './perfbuf.js';
export { RingBuffer, type RingBufferOptions } from './ringbuf.js';
export { generateSkeleton, type SkeletonOptions } from './skeleton.js';
export {
  ATTACH_TYPE_EXT_BASE,
  MAP_TYPE_EXT_BASE,
  MapType,
  PROG_TYPE_EXT_BASE,
  ProgramType,
  TcAction,
  UpdateFlags,
  XdpAction,
  mapTypeName,
  programTypeName,
  type MapTypeName,
  type PerCpuMapTypeName,
  type ProgramTypeName,
  type UpdateFlag,
} from './uapi.js';
