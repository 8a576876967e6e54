// `nx run api:bench`: map get/set on a 64K-entry HASH map (u32 key, u64 value) through
// @bpfhost/api, through the raw binding (@bpfhost/bindings) and through the C library directly
// (bench/map_c_bench.c), one element at a time and in batches, with a Node Map<number, bigint>
// as a familiar baseline and the Linux kernel's HASH map through bpf(2) where allowed. All in
// one run, rounds interleaved (C, binding, API, Map), medians; ns per element and M ops/s, and
// the ratios against the targets of PERFORMANCE.md. Figures only: nothing is asserted.
//
// Each side's round runs in a fresh Node process (after a warm-up round there), as the C side
// runs in its own: one side's heap and JIT state do not weigh on another's figures.
//
// Environment: BPFHOST_BENCH_ROUNDS (default 7), BPFHOST_BENCH_PASSES (default 4).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { BpfMap, u32, u64 } from '@bpfhost/api';

import { table } from '../demo/table.js';
import { buildCPeer, runCPeer, type CRound } from './c-peer.js';

type Binding = typeof import('@bpfhost/bindings');
const native = createRequire(import.meta.url)('@bpfhost/bindings') as Binding;

const ENTRIES = 65536;
const ROUNDS = Number(process.env.BPFHOST_BENCH_ROUNDS ?? 7);
const PASSES = Number(process.env.BPFHOST_BENCH_PASSES ?? 4);
/** Unrecorded rounds each child process runs first. */
const WARMUP_ROUNDS = 2;
const HASH = 1;

/** The i-th key: the same permutation of 0..ENTRIES-1 as map_c_bench.c's key_at(). */
const keyAt = (i: number): number => Math.imul(i, 40503) & (ENTRIES - 1);

/** The operations measured, each in ns per element. */
type Op = 'set' | 'get' | 'setMany' | 'getMany' | 'getAlloc' | 'floor';
type Side = 'c' | 'binding' | 'api' | 'map';
type Samples = Record<Side, Partial<Record<Op, number[]>>>;

const samples: Samples = { c: {}, binding: {}, api: {}, map: {} };
const kernel: { update: number[]; lookup: number[]; skipped?: string } = { update: [], lookup: [] };
let sink = 0n;

function record(side: Side, op: Op, ns: number): void {
  (samples[side][op] ??= []).push(ns);
}

/** ns per element of `fn`, which does `elements` element operations. */
function time(elements: number, fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / elements;
}

function bindingRound(): void {
  const fd = native.mapCreate(HASH, 'bench', 4, 8, ENTRIES);
  try {
    const key = Buffer.alloc(4);
    const value = Buffer.alloc(8);
    for (let i = 0; i < ENTRIES; i++) {
      key.writeUInt32LE(keyAt(i));
      value.writeBigUInt64LE(BigInt(i));
      native.mapUpdateElem(fd, key, value);
    }
    const n = PASSES * ENTRIES;
    record('binding', 'set', time(n, () => {
      for (let p = 0; p < PASSES; p++) {
        for (let i = 0; i < ENTRIES; i++) {
          key.writeUInt32LE(keyAt(i));
          value.writeUInt32LE(i + p); // the u64's low half (the high one stays 0): no BigInt per call
          native.mapUpdateElem(fd, key, value);
        }
      }
    }));
    record('binding', 'get', time(n, () => {
      for (let p = 0; p < PASSES; p++) {
        for (let i = 0; i < ENTRIES; i++) {
          key.writeUInt32LE(keyAt(i));
          if (native.mapLookupElemInto(fd, key, value)) sink += value.readBigUInt64LE();
        }
      }
    }));
    record('binding', 'getAlloc', time(n, () => {
      for (let p = 0; p < PASSES; p++) {
        for (let i = 0; i < ENTRIES; i++) {
          key.writeUInt32LE(keyAt(i));
          sink += native.mapLookupElem(fd, key, 8).readBigUInt64LE();
        }
      }
    }));
    // The floor of any binding call: one that does no work (numPossibleCpus).
    record('binding', 'floor', time(n, () => {
      for (let i = 0; i < n; i++) native.numPossibleCpus();
    }));
    const keys = Buffer.alloc(ENTRIES * 4);
    const values = Buffer.alloc(ENTRIES * 8);
    for (let i = 0; i < ENTRIES; i++) {
      keys.writeUInt32LE(keyAt(i), i * 4);
      values.writeBigUInt64LE(BigInt(i), i * 8);
    }
    record('binding', 'setMany', time(n, () => {
      for (let p = 0; p < PASSES; p++) native.mapUpdateBatch(fd, keys, values, ENTRIES);
    }));
    record('binding', 'getMany', time(n, () => {
      for (let p = 0; p < PASSES; p++) {
        let token: Buffer | null = null;
        let total = 0;
        while (total < ENTRIES) {
          const r = native.mapLookupBatch(fd, token, 4, 8, ENTRIES - total);
          total += r.count;
          if (r.count > 0) sink += r.values.readBigUInt64LE((r.count - 1) * 8);
          if (r.done || !r.outBatch) break;
          token = r.outBatch;
        }
        if (total !== ENTRIES) throw new Error(`binding lookup batch: ${total} of ${ENTRIES}`);
      }
    }));
  } finally {
    native.close(fd);
  }
}

function apiRound(): void {
  using map = BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: ENTRIES, name: 'bench' });
  for (let i = 0; i < ENTRIES; i++) map.set(keyAt(i), BigInt(i));
  const n = PASSES * ENTRIES;
  record('api', 'set', time(n, () => {
    for (let p = 0; p < PASSES; p++) for (let i = 0; i < ENTRIES; i++) map.set(keyAt(i), BigInt(i + p));
  }));
  record('api', 'get', time(n, () => {
    for (let p = 0; p < PASSES; p++) for (let i = 0; i < ENTRIES; i++) sink += map.get(keyAt(i)) ?? 0n;
  }));
  const entries: Array<[number, bigint]> = Array.from({ length: ENTRIES }, (_, i) => [keyAt(i), BigInt(i)]);
  record('api', 'setMany', time(n, () => {
    for (let p = 0; p < PASSES; p++) map.setMany(entries);
  }));
  record('api', 'getMany', time(n, () => {
    for (let p = 0; p < PASSES; p++) {
      const all = map.getMany();
      if (all.length !== ENTRIES) throw new Error(`getMany: ${all.length} of ${ENTRIES}`);
      sink += all[ENTRIES - 1]?.[1] ?? 0n;
    }
  }));
}

function nodeMapRound(): void {
  const map = new Map<number, bigint>();
  for (let i = 0; i < ENTRIES; i++) map.set(keyAt(i), BigInt(i));
  const n = PASSES * ENTRIES;
  record('map', 'set', time(n, () => {
    for (let p = 0; p < PASSES; p++) for (let i = 0; i < ENTRIES; i++) map.set(keyAt(i), BigInt(i + p));
  }));
  record('map', 'get', time(n, () => {
    for (let p = 0; p < PASSES; p++) for (let i = 0; i < ENTRIES; i++) sink += map.get(keyAt(i)) ?? 0n;
  }));
}

function cRound(exe: string, withKernel: boolean): void {
  const out = runCPeer(exe, { entries: ENTRIES, passes: PASSES, rounds: 1, kernel: withKernel });
  const r = out.rounds[0] as CRound;
  record('c', 'set', r.update);
  record('c', 'get', r.lookup);
  record('c', 'setMany', r.updateBatch);
  record('c', 'getMany', r.lookupBatch);
  if (r.kernelUpdate !== undefined && r.kernelLookup !== undefined) {
    kernel.update.push(r.kernelUpdate);
    kernel.lookup.push(r.kernelLookup);
  }
  if (out.kernelSkipped) kernel.skipped = out.kernelSkipped;
}

function median(v: readonly number[] | undefined): number | undefined {
  if (!v || v.length === 0) return undefined;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const fmt = (ns: number | undefined): string => (ns === undefined ? '-' : `${ns < 100 ? ns.toFixed(1) : ns.toFixed(0)} ns (${(1000 / ns).toFixed(2)} M/s)`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);
const judge = (a: number | undefined, c: number | undefined, limit: number): string => {
  if (a === undefined || c === undefined) return '-';
  return a / c <= limit ? `met (<= ${limit}x)` : `MISSED (<= ${limit}x)`;
};

function report(): void {
  const m = (side: Side, op: Op): number | undefined => median(samples[side][op]);
  const rows: Array<[string, Op, number]> = [
    ['set (update existing key)', 'set', 3],
    ['get (lookup)', 'get', 3],
    ['setMany (batch update), per element', 'setMany', 1.5],
    ['getMany (batch lookup of the map), per element', 'getMany', 1.5],
  ];
  console.log('');
  console.log(`per element, median of ${ROUNDS} rounds (${PASSES} passes over ${ENTRIES} keys each)`);
  for (const l of table(
    ['operation', 'C library', 'raw binding', '@bpfhost/api', 'Node Map', 'binding/C', 'api/C', 'binding target', 'api target'],
    rows.map(([label, op, limit]) => [
      label,
      fmt(m('c', op)),
      fmt(m('binding', op)),
      fmt(m('api', op)),
      fmt(m('map', op)),
      ratio(m('binding', op), m('c', op)),
      ratio(m('api', op), m('c', op)),
      judge(m('binding', op), m('c', op), limit),
      judge(m('api', op), m('c', op), limit),
    ]),
    '  ',
  )) console.log(l);
  console.log('');
  console.log(`  a binding call that does nothing (numPossibleCpus), the N-API floor: ${fmt(m('binding', 'floor'))}`);
  console.log(`  get through the binding's mapLookupElem (a new Buffer per call): ${fmt(m('binding', 'getAlloc'))}, ${ratio(m('binding', 'getAlloc'), m('c', 'get'))} C`);
  const kl = median(kernel.lookup);
  const ku = median(kernel.update);
  if (kl !== undefined && ku !== undefined) {
    const api = m('api', 'get');
    console.log(`  Linux kernel HASH map through bpf(2) (C): lookup ${fmt(kl)}, update ${fmt(ku)}`);
    console.log(`  bpf(2) lookup time / @bpfhost/api get time: ${ratio(kl, api)} (target >= 4x: ${api !== undefined && kl / api >= 4 ? 'met' : 'MISSED'}); raw binding get ${ratio(kl, m('binding', 'get'))}; bpf(2) update / api set ${ratio(ku, m('api', 'set'))}`);
  } else {
    console.log(`  Linux kernel map through bpf(2): skipped (${kernel.skipped ?? 'not measured'})`);
  }
}

/** The CPUs this process may run on (Cpus_allowed_list of /proc/self/status), e.g. '1' or '0-1'. */
function allowedCpus(): string {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

const ROUNDS_OF: Record<Exclude<Side, 'c'>, () => void> = { binding: bindingRound, api: apiRound, map: nodeMapRound };

/** In a child process: warm-up rounds (JIT, caches, page faults), then one recorded round, as JSON. */
function childRound(side: Exclude<Side, 'c'>): void {
  for (let w = 0; w < WARMUP_ROUNDS; w++) ROUNDS_OF[side]();
  samples[side] = {};
  ROUNDS_OF[side]();
  process.stdout.write(JSON.stringify(samples[side]));
}

/** Runs one round of `side` in a fresh Node process (pinned as this one) and records its figures. */
function forkRound(side: Exclude<Side, 'c'>): void {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${side}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const [op, values] of Object.entries(JSON.parse(out) as Partial<Record<Op, number[]>>)) {
    for (const v of values ?? []) record(side, op as Op, v);
  }
}

function main(): void {
  const child = /^--child=(binding|api|map)$/.exec(process.argv[2] ?? '');
  if (child) {
    childRound(child[1] as Exclude<Side, 'c'>);
    return;
  }
  const cpus = allowedCpus();
  console.log(`api:bench: HASH map of ${ENTRIES} entries (u32 -> u64), the same key permutation on every side; ${ROUNDS} rounds, interleaved, each in a fresh process`);
  console.log(`affinity: ${/^\d+$/.test(cpus) ? `CPU ${cpus} (pinned)` : `CPUs ${cpus} (not pinned: figures are noisier)`}; node ${process.version}`);
  let exe: string;
  try {
    exe = buildCPeer();
  } catch (e) {
    console.log(`C side: cannot build bench/map_c_bench.c (${(e as Error).message.split('\n')[0]}); its column is skipped`);
    exe = '';
  }
  for (let r = 0; r < ROUNDS; r++) {
    if (exe) cRound(exe, r < 3); // the kernel's map: 3 rounds are enough at ~1 us per operation
    forkRound('binding');
    forkRound('api');
    forkRound('map');
    if (process.stderr.isTTY) process.stderr.write(`\rround ${r + 1} of ${ROUNDS}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  report();
  if (sink === -1n) console.log('');
}

main();
