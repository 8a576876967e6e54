// The landing page's example: load a clang-compiled object, run its socket
// filter on a frame, read the map it wrote. Run from a directory holding
// packets.bpf.o (see the user guide's installing page).
import { BpfObject } from '@bpfhost/api';

using obj = BpfObject.open('packets.bpf.o').load();

const run = obj.program('classify').testRun({ data: Buffer.alloc(100) });
console.log('kept', run.retval, 'bytes');

for (const [bucket, stats] of obj.map('buckets')) {
  console.log('bucket', bucket, stats);
}
