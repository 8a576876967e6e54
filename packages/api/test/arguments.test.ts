// Integer parameters: every one is checked for type and range before anything reaches the core,
// and the ArgumentError names the parameter, the allowed range and the value; values in range
// reach the core unchanged (no rounding, no wrapping to 32 bits).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ArgumentError,
  BpfError,
  BpfMap,
  MapType,
  NotFoundError,
  Program,
  RingBuffer,
  handleCount,
  triggerHook,
  u32,
} from '@bpfhost/api';

import { frame } from './support.js';

const U32 = '[0, 4294967295]';
const U32_FROM_1 = '[1, 4294967295]';
const HANDLE = '[0, 2147483647]';
const U64 = '[0, 18446744073709551615] (a bigint, or a number up to 9007199254740991)';

/** Values no 32-bit unsigned parameter takes, with how the error spells them. */
const NOT_U32: ReadonlyArray<[unknown, string]> = [
  [1.5, '1.5'],
  [-5, '-5'],
  [-1, '-1'],
  [2 ** 32, '4294967296'],
  [2 ** 40, '1099511627776'],
  [1e12, '1000000000000'],
  [Number.NaN, 'NaN'],
  [Infinity, 'Infinity'],
  [-Infinity, '-Infinity'],
  ['4', 'the string "4"'],
  [4n, '4n'],
  [null, 'null'],
  [{}, 'an object'],
];

/** As NOT_U32, without strings (where a string is a name: map and program types). */
const NOT_U32_NUMBER = NOT_U32.filter(([v]) => typeof v !== 'string');

/** Values no handle takes (handles are ints, and never negative). */
const NOT_HANDLE: ReadonlyArray<[unknown, string]> = [
  [1.5, '1.5'],
  [-1, '-1'],
  [2 ** 31, '2147483648'],
  [2 ** 32 + 3, '4294967299'],
  [Number.NaN, 'NaN'],
  ['3', 'the string "3"'],
];

/** Values no 64-bit unsigned parameter takes. */
const NOT_U64: ReadonlyArray<[unknown, string]> = [
  [-1, '-1'],
  [-1n, '-1n'],
  [1.5, '1.5'],
  [2 ** 53, '9007199254740992'],
  [2n ** 64n, '18446744073709551616n'],
  [Number.NaN, 'NaN'],
  ['1', 'the string "1"'],
];

/** Asserts that `fn` throws the ArgumentError of `parameter` with `range` and `got`, with `prefix` (the context) before it. */
function refused(fn: () => unknown, parameter: string, range: string, got: string, prefix: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArgumentError, `an ArgumentError, got ${String(e)}`);
    assert.ok(e instanceof BpfError);
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.errno, 22);
    assert.equal(e.parameter, parameter);
    assert.equal(e.got, got);
    assert.equal(e.message, `${prefix}${parameter} must be an integer in ${range}, got ${got}`);
    return true;
  });
}

async function rejected(p: Promise<unknown>, parameter: string, range: string, got: string, prefix: string): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  refused(() => {
    if (err) throw err;
  }, parameter, range, got, prefix);
}

describe('integer parameters of BpfMap.create', () => {
  const base = { type: 'hash' as const, keySize: 4, valueSize: 8, maxEntries: 4, name: 'v' };
  const cases: ReadonlyArray<[string, string, ReadonlyArray<[unknown, string]>, (v: unknown) => unknown]> = [
    ['type', U32, NOT_U32_NUMBER, (v) => BpfMap.create({ ...base, type: v as number })],
    ['keySize', U32, NOT_U32, (v) => BpfMap.create({ ...base, keySize: v as number })],
    ['valueSize', U32, NOT_U32, (v) => BpfMap.create({ ...base, valueSize: v as number })],
    ['maxEntries', U32_FROM_1, [...NOT_U32, [0, '0']], (v) => BpfMap.create({ ...base, maxEntries: v as number })],
    ['flags', U32, NOT_U32, (v) => BpfMap.create({ ...base, flags: v as number })],
    ['numaNode', U32, NOT_U32, (v) => BpfMap.create({ ...base, numaNode: v as number })],
    ['mapExtra', U64, NOT_U64, (v) => BpfMap.create({ ...base, mapExtra: v as bigint })],
  ];
  for (const [parameter, range, bad, create] of cases) {
    it(`${parameter}: an integer in ${range}; nothing is created otherwise`, () => {
      const before = handleCount();
      for (const [v, got] of bad) refused(() => create(v), parameter, range, got, "map 'v': create: ");
      assert.equal(handleCount(), before);
    });
  }

  it('innerMap must be an open BpfMap', () => {
    assert.throws(
      () => BpfMap.create({ type: 'array_of_maps', keySize: 4, valueSize: 4, maxEntries: 1, innerMap: { fd: 3 } as unknown as BpfMap<Buffer, Buffer> }),
      (e: unknown) => e instanceof ArgumentError && e.message === 'create: innerMap must be a BpfMap, got an object',
    );
    const inner = BpfMap.create({ type: 'array', key: u32, value: u32, maxEntries: 1, name: 'inner' });
    inner.close();
    assert.throws(() => BpfMap.create({ type: 'array_of_maps', keySize: 4, valueSize: 4, maxEntries: 1, innerMap: inner }), /map 'inner': create \(innerMap\): the map is closed/);
  });

  it('a key codec and a keySize that disagree are refused', () => {
    assert.throws(() => BpfMap.create({ type: 'hash', key: u32, keySize: 8, valueSize: 4, maxEntries: 1 }), /create: key: expected a 8-byte codec \(keySize\) \(codec u32\), got 4 bytes/);
    assert.throws(() => BpfMap.create({ type: 'hash', keySize: 4, value: u32, valueSize: 2, maxEntries: 1 }), /create: value: expected a 2-byte codec \(valueSize\)/);
    using agree = BpfMap.create({ type: 'hash', key: u32, keySize: 4, value: u32, valueSize: 4, maxEntries: 1 });
    assert.equal(agree.keySize, 4);
  });

  it('info() reports what was asked', () => {
    const asked: ReadonlyArray<{ type: keyof typeof MapType; keySize: number; valueSize: number; maxEntries: number; flags?: number; name: string }> = [
      { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 7, name: 'h' },
      { type: 'hash', keySize: 16, valueSize: 1, maxEntries: 1, flags: 1 /* BPF_F_NO_PREALLOC */, name: 'h_noprealloc' },
      { type: 'array', keySize: 4, valueSize: 12, maxEntries: 3, name: 'a' },
      { type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 2, name: 'pa' },
      { type: 'queue', keySize: 0, valueSize: 4, maxEntries: 5, name: 'q' },
      { type: 'stack', keySize: 0, valueSize: 2, maxEntries: 9, name: 's' },
      { type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, name: 'rb' },
      { type: 'lru_hash', keySize: 8, valueSize: 8, maxEntries: 16, name: 'lru' },
    ];
    for (const a of asked) {
      using m = BpfMap.create(a);
      const i = m.info();
      assert.deepEqual(
        { type: i.typeName, keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, flags: i.flags, name: i.name },
        { type: a.type, keySize: a.keySize, valueSize: a.valueSize, maxEntries: a.maxEntries, flags: a.flags ?? 0, name: a.name },
        a.name,
      );
      assert.deepEqual([m.keySize, m.valueSize, m.maxEntries, m.flags], [i.keySize, i.valueSize, i.maxEntries, i.flags], `${a.name}: the BpfMap says the same`);
    }
  });

  it('the ends of the u32 range reach the core unchanged (its own limits answer)', () => {
    // 2^32-1 is not wrapped: the core's E2BIG names the very number.
    assert.throws(() => BpfMap.create({ ...base, maxEntries: 2 ** 32 - 1 }), (e: unknown) => e instanceof BpfError && !(e instanceof ArgumentError) && e.code === 'E2BIG' && /max_entries 4294967295 is over the limit/.test(e.message));
    assert.throws(() => BpfMap.create({ ...base, keySize: 2 ** 31 - 1 }), (e: unknown) => e instanceof BpfError && e.code === 'E2BIG' && /key_size 2147483647 is over/.test(e.message));
    // Buffer keys and values (no codec given) are at most 2^31-1 bytes.
    assert.throws(() => BpfMap.create({ ...base, keySize: 2 ** 32 - 1 }), /^CodecError: map 'v': create: expected a length \(an integer in \[1, 2147483647\]\) \(codec bytes\(4294967295\)\), got 4294967295$/);
    // -0 is 0.
    using q = BpfMap.create({ type: 'queue', keySize: -0, valueSize: 4, maxEntries: 1 });
    assert.ok(Object.is(q.keySize, 0));
  });
});

describe('integer parameters of map operations', () => {
  it('update flags (set, setMany, push): u64, as a number or a bigint', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u32, maxEntries: 4, name: 'f' });
    using q = BpfMap.create({ type: 'queue', value: u32, maxEntries: 4, name: 'fq' });
    for (const [v, got] of NOT_U64) {
      if (typeof v === 'string') continue; // strings are flag names ('noexist')
      const flags = v as number;
      refused(() => m.set(1, 1, { flags }), 'flags', U64, got, "map 'f': set: ");
      refused(() => m.setMany([[1, 1]], { flags }), 'flags', U64, got, "map 'f': setMany: ");
      refused(() => q.push(1, { flags }), 'flags', U64, got, "map 'fq': push: ");
    }
    assert.equal(m.has(1), false, 'nothing was stored');
    assert.equal(q.peek(), undefined);
    m.set(1, 1, { flags: 1 }).set(1, 2, { flags: 2n });
    assert.equal(m.get(1), 2);
  });

  it('ids (BpfMap.fromId, Program.fromId): u32; a free id in range is NotFoundError', () => {
    for (const [v, got] of NOT_U32) {
      refused(() => BpfMap.fromId(v as number), 'id', U32, got, 'open map by id: ');
      refused(() => Program.fromId(v as number), 'id', U32, got, 'open program by id: ');
    }
    assert.throws(() => BpfMap.fromId(2 ** 32 - 1), (e: unknown) => e instanceof NotFoundError && /no map with id 4294967295/.test(e.message));
    assert.throws(() => Program.fromId(2 ** 32 - 1), NotFoundError);
  });

  it('ring buffers: consume max u32, poll timeout in [-1, 2^31-1], pollIntervalMs in [1, 2^31-1]', async () => {
    using m = BpfMap.create({ type: 'ringbuf', maxEntries: 4096, name: 'rb' });
    for (const [v, got] of [[0, '0'], [-1, '-1'], [1.5, '1.5'], [2 ** 31, '2147483648'], ['5', 'the string "5"']] as const) {
      refused(() => new RingBuffer(m, undefined, { pollIntervalMs: v as number }), 'pollIntervalMs', '[1, 2147483647]', got, "map 'rb': open ring buffer: ");
    }
    using rb = new RingBuffer(m);
    for (const [v, got] of NOT_U32) refused(() => rb.consume(v as number), 'max', U32, got, "map 'rb': consume: ");
    for (const [v, got] of [[-2, '-2'], [1.5, '1.5'], [2 ** 31, '2147483648'], [Number.NaN, 'NaN'], ['1', 'the string "1"']] as const) {
      await rejected(rb.poll(v as number), 'timeoutMs', '[-1, 2147483647]', got, "map 'rb': poll: ");
    }
    assert.deepEqual(rb.consume(0), []);
    assert.deepEqual(await rb.poll(0), []);
  });
});

describe('integer parameters of programs', () => {
  it('Program.load: type, expectedAttachType, maps[i].fd', () => {
    const before = handleCount();
    for (const [v, got] of NOT_U32_NUMBER) refused(() => Program.load({ type: v as number, insns: 'mov %r0, 0\nexit', name: 'p' }), 'type', U32, got, "program 'p': load: ");
    for (const [v, got] of NOT_U32) {
      refused(() => Program.load({ type: 'socket_filter', insns: 'mov %r0, 0\nexit', name: 'p', expectedAttachType: v as number }), 'expectedAttachType', U32, got, "program 'p': load: ");
    }
    using m = BpfMap.create({ type: 'array', key: u32, value: u32, maxEntries: 1 });
    for (const [v, got] of NOT_HANDLE) {
      refused(() => Program.load({ type: 'socket_filter', insns: 'mov %r0, 0\nexit', name: 'p', maps: [m, { fd: v as number }] }), 'maps[1].fd', HANDLE, got, "program 'p': load: ");
    }
    assert.equal(handleCount(), before + 1, 'only the map');
  });

  it('testRun and testRunAsync: repeat, dataSizeOut, ctxSizeOut, insnBudget are u32', async () => {
    using p = Program.load({ type: 'socket_filter', name: 'tr', insns: 'mov %r0, 1\nexit' });
    for (const parameter of ['repeat', 'dataSizeOut', 'ctxSizeOut', 'insnBudget'] as const) {
      for (const [v, got] of NOT_U32) {
        refused(() => p.testRun({ data: frame(), [parameter]: v }), parameter, U32, got, "program 'tr': testRun: ");
        await rejected(p.testRunAsync({ data: frame(), [parameter]: v }), parameter, U32, got, "program 'tr': testRunAsync: ");
      }
    }
    // dataSizeOut 2^32 used to become 0 (data: undefined); now the room is what was asked.
    const r = p.testRun({ data: frame(64), dataSizeOut: 100, repeat: 0 });
    assert.equal(r.data?.length, 64);
  });

  it('attach: attachType, target, insnBudget', () => {
    using p = Program.load({ type: 'socket_filter', name: 'at', insns: 'mov %r0, 0\nexit' });
    for (const [v, got] of NOT_U32_NUMBER) {
      if (typeof v !== 'object' || v === null) refused(() => p.attach(v as number), 'attachType', U32, got, "program 'at': attach: "); // {} is the options form
      refused(() => p.attach({ attachType: v as number }), 'attachType', U32, got, "program 'at': attach: ");
      refused(() => p.attach({ attachType: 4097, insnBudget: v as number }), 'insnBudget', U32, got, "program 'at': attach: ");
    }
    for (const [v, got] of NOT_HANDLE) refused(() => p.attach({ attachType: 4097, target: v as number }), 'target', HANDLE, got, "program 'at': attach: ");
    for (const [v, got] of NOT_U32_NUMBER) refused(() => triggerHook(v as number), 'attachType', U32, got, 'trigger hook: ');
    // In range, the core answers: no hook has attach type 2^32-1.
    assert.throws(() => p.attach(2 ** 32 - 1), (e: unknown) => e instanceof BpfError && !(e instanceof ArgumentError) && /4294967295/.test(e.message));
  });
});
