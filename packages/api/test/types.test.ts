// Compile-time checks of the API's types (tsc fails on an unused @ts-expect-error); the bodies never run.
import assert from 'node:assert/strict';
import { it } from 'node:test';

import {
  BpfMap,
  BpfObject,
  array,
  cstring,
  perCpu,
  struct,
  u16,
  u32,
  u64,
  type BtfValue,
  type Infer,
  type RingBuffer,
  type UntypedMap,
} from '@bpfhost/api';

function typeChecks(obj: BpfObject): void {
  const counts = obj.map('counts', { key: u32, value: u64 });
  const n: bigint | undefined = counts.get(1);
  counts.set(1, 2n);
  // @ts-expect-error u64 values are bigints
  counts.set(1, 2);
  // @ts-expect-error u32 keys are numbers
  counts.get('1');
  for (const [k, v] of counts) {
    const kk: number = k;
    const vv: bigint = v;
    void kk;
    void vv;
  }
  const pc = obj.map('hits', { key: u32, value: perCpu(u64) });
  const perCpuValues: bigint[] | undefined = pc.get(0);
  // @ts-expect-error per-CPU values are arrays
  pc.set(0, 1n);
  const q = obj.map('queue', { value: u16 });
  const popped: number | undefined = q.pop();
  const untyped: UntypedMap = obj.map('flows');
  const bv: BtfValue | undefined = untyped.get({ saddr: 1 });
  const flow = struct({ a: u32, tags: array(cstring(4), 2) });
  type Flow = Infer<typeof flow>;
  const f: Flow = { a: 1, tags: ['x', 'y'] };
  // @ts-expect-error members are checked
  const g: Flow = { a: 1, tags: ['x', 'y'], b: 2 };
  const m = BpfMap.create({ type: 'hash', key: flow, value: u64, maxEntries: 1 });
  m.set(f, 1n);
  const rb: RingBuffer<Flow> = obj.ringBuffer('events', flow);
  const raw: RingBuffer<Buffer> = obj.ringBuffer('events');
  void [n, perCpuValues, popped, bv, g, rb, raw];
}

it('the API types compile as documented', () => {
  assert.equal(typeof typeChecks, 'function');
});
