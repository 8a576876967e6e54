// Per-CPU maps, queues, and maps created outside any object.
// Run from a directory holding packets.bpf.o.
import {
  BpfMap,
  BpfObject,
  cstring,
  numPossibleCpus,
  perCpu,
  u32,
  u64,
} from '@bpfhost/api';

using obj = BpfObject.open('packets.bpf.o').load();
const classify = obj.program('classify');
for (const size of [60, 100, 70]) {
  classify.testRun({ data: Buffer.alloc(size) });
}

// #region percpu
// One u64 per possible CPU: the value is a bigint[].
const seen = obj.map('seen', { key: u32, value: perCpu(u64) });
const counts = seen.get(0) ?? [];
console.log('one per CPU:', counts.length === numPossibleCpus());
const total = counts.reduce((a, b) => a + b, 0n);
console.log('packets seen on all CPUs:', total);
// #endregion percpu

// #region queue
// A queue has no keys: give only the value codec.
const recent = obj.map('recent', { value: u32 });
console.log('oldest length:', recent.peek());
const lengths: number[] = [];
for (let len = recent.pop(); len !== undefined; len = recent.pop()) {
  lengths.push(len);
}
console.log('recent lengths:', lengths);
recent.push(1000);
console.log('after a push:', recent.peek());
// #endregion queue

// #region create
// A map of its own, outside any object: yours to close (here: `using`).
using names = BpfMap.create({
  type: 'hash',
  key: u32,
  value: cstring(16),
  maxEntries: 64,
  name: 'names',
});
names.set(1, 'ada').set(2, 'grace');
console.log('names:', [...names].sort(([a], [b]) => a - b));
console.log('info:', names.info());
// #endregion create
