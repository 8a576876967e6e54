// Perf buffers: read the samples a program writes with bpf_perf_event_output.
// Run from a directory holding net.bpf.o.
import { BpfObject, struct, u16, u32 } from '@bpfhost/api';

using obj = BpfObject.open('net.bpf.o').load();
const sample = obj.program('xdp_sample');
const frame = (size: number, etherType: number) => {
  const f = Buffer.alloc(size);
  f.writeUInt16BE(etherType, 12);
  return f;
};

// #region perf
// struct frame_sample { __u32 len; __u16 proto; __u16 pad; }
const frameSample = struct({ len: u32, proto: u16, pad: u16 });
using samples = obj.perfBuffer('samples', frameSample);

sample.testRun({ data: frame(60, 0x0800) });
sample.testRun({ data: frame(42, 0x0806) });
for (const { data } of samples.consume()) {
  console.log('sample:', data.len, data.proto.toString(16));
}
console.log('lost:', samples.lost);
// #endregion perf
