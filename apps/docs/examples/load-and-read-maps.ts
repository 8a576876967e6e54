// Objects and programs: open the guide's object, list what it declares,
// load it, run its program on a few frames and read a map.
// Run from a directory holding packets.bpf.o.
import { BpfObject } from '@bpfhost/api';

// #region open
using obj = BpfObject.open('packets.bpf.o');
for (const m of obj.maps) {
  const types = `${m.keyType ?? '-'} -> ${m.valueType ?? '-'}`;
  console.log(`map ${m.name}: ${m.typeName}, ${types}, max ${m.maxEntries}`);
}
for (const p of obj.programs) {
  console.log(`program ${p.name}: section ${p.section}, type ${p.typeName}`);
}
// #endregion open

// #region load
obj.load();
const classify = obj.program('classify');
for (const size of [60, 100, 70]) {
  const { retval } = classify.testRun({ data: Buffer.alloc(size) });
  console.log(`${size}-byte frame: the filter keeps ${retval} bytes`);
}

const buckets = obj.map('buckets'); // typed from the object's BTF
for (const [bucket, stats] of buckets) {
  console.log('bucket', bucket, stats);
}
// #endregion load
