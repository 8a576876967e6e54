/**
 * `bpfhost feature [probe]`: what this build of the core supports, found as
 * bpftool's `feature probe` finds it: by loading a minimal program of each
 * program type and creating a small map of each map type (Linux's numbers),
 * plus the extension modules this process loaded (--ext), whose program and
 * map types are then probed too. For each program type found, the helpers
 * its programs may call, by name (the core's table), as bpftool lists them.
 *
 * @module
 */
import { BpfError, BpfMap, Program, mapTypeName, programTypeHelpers, programTypeName } from '../index.js';

import type { Output } from './output.js';
import type { Session } from './session.js';
import { UsageError } from './usage.js';

/** Linux's program and map types go up to here (BPF_PROG_TYPE_NETFILTER 32, BPF_MAP_TYPE_ARENA 33). */
const LINUX_PROG_TYPES = 32;
const LINUX_MAP_TYPES = 33;
/** Extension types are probed from 4096 up to this many (the sample extension's are 4097-4099). */
const EXT_BASE = 4096;
const EXT_PROBED = 64;

/** Creation parameters a type needs to be created at all (others: a u32 key and a u64 value). */
const MAP_PROBE: Record<number, { keySize: number; valueSize: number; maxEntries?: number; flags?: number; inner?: boolean }> = {
  3: { keySize: 4, valueSize: 4 }, // prog_array: values are program handles
  4: { keySize: 4, valueSize: 4 }, // perf_event_array
  11: { keySize: 8, valueSize: 8, flags: 1 }, // lpm_trie: u32 prefix + data, BPF_F_NO_PREALLOC
  12: { keySize: 4, valueSize: 4, inner: true }, // array_of_maps
  13: { keySize: 4, valueSize: 4, inner: true }, // hash_of_maps
  22: { keySize: 0, valueSize: 4 }, // queue
  23: { keySize: 0, valueSize: 4 }, // stack
  27: { keySize: 0, valueSize: 0, maxEntries: 4096 }, // ringbuf: a power-of-2 number of bytes
  30: { keySize: 0, valueSize: 4 }, // bloom_filter
};

/** The core's refusal: with parameters valid for every type it has, it means the type is not there. */
function refused(e: unknown): boolean {
  return e instanceof BpfError;
}

function probeProgramType(type: number): boolean {
  try {
    Program.load({ type, insns: 'mov %r0, 0\nexit' }).close();
    return true;
  } catch (e) {
    if (refused(e)) return false;
    throw e;
  }
}

function probeMapType(type: number, inner: BpfMap<Buffer, Buffer>): boolean {
  const p = MAP_PROBE[type] ?? { keySize: 4, valueSize: 8 };
  try {
    BpfMap.create({
      type,
      keySize: p.keySize,
      valueSize: p.valueSize,
      maxEntries: p.maxEntries ?? 1,
      ...(p.flags !== undefined ? { flags: p.flags } : {}),
      ...(p.inner ? { innerMap: inner } : {}),
    }).close();
    return true;
  } catch (e) {
    if (refused(e)) return false;
    throw e;
  }
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

export function featureCommand(session: Session, out: Output, args: readonly string[]): void {
  const rest = args[0] === 'probe' ? args.slice(1) : args;
  if (rest.length > 0) throw new UsageError(`feature: unexpected '${rest.join(' ')}'`, 'feature');
  const candidates = (linux: number) => [...range(1, linux), ...(session.extensions.length > 0 ? range(EXT_BASE, EXT_PROBED) : [])];
  const programTypes = candidates(LINUX_PROG_TYPES).filter(probeProgramType);
  const inner = session.hold(BpfMap.create({ type: 'array', keySize: 4, valueSize: 4, maxEntries: 1 }));
  const mapTypes = candidates(LINUX_MAP_TYPES).filter((t) => probeMapType(t, inner));
  const named = (types: number[], name: (t: number) => string) => types.map((type) => ({ type, name: name(type) }));
  const helpers = programTypes.map((type) => ({ type, helpers: programTypeHelpers(type) }));
  out.document({
    program_types: named(programTypes, programTypeName),
    map_types: named(mapTypes, mapTypeName),
    // bpftool's key: "<type>_available_helpers", the names in id order.
    helpers: Object.fromEntries(helpers.map((h) => [`${programTypeName(h.type)}_available_helpers`, h.helpers.map((x) => x.name)])),
    extensions: session.extensions.map((e) => ({ handle: e.handle, path: e.path })),
  });
  out.line(`program types: ${programTypes.map((t) => `${programTypeName(t)} (${t})`).join(', ')}`);
  out.line(`map types: ${mapTypes.map((t) => `${mapTypeName(t)} (${t})`).join(', ')}`);
  for (const h of helpers) {
    out.line(`eBPF helpers supported for program type ${programTypeName(h.type)}:`);
    for (const x of h.helpers) out.line(`\t- ${x.name}`);
  }
  out.line(`extensions: ${session.extensions.length > 0 ? session.extensions.map((e) => `${e.path} (module ${e.handle})`).join(', ') : '(none; --ext MODULE loads one)'}`);
}
