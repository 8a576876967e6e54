// Ring buffers: read the records a program submits, now or as they come.
// Run from a directory holding packets.bpf.o.
import { BpfObject, struct, u32, u64 } from '@bpfhost/api';

using obj = BpfObject.open('packets.bpf.o').load();
const classify = obj.program('classify');

// #region consume
// struct packet_event { __u64 seq; __u32 len; __u32 bucket; }
const packetEvent = struct({ seq: u64, len: u32, bucket: u32 });
using events = obj.ringBuffer('events', packetEvent);

for (const size of [60, 100]) classify.testRun({ data: Buffer.alloc(size) });
for (const ev of events.consume()) console.log('now:', ev);
console.log('nothing more:', events.consume());
// #endregion consume

// #region iterate
// Records as they come: the loop waits off the JavaScript thread.
setTimeout(() => {
  for (const size of [300, 400, 500]) classify.testRun({ data: Buffer.alloc(size) });
}, 10);
let count = 0;
for await (const ev of events) {
  console.log('later:', ev);
  if (++count === 3) break; // breaking out leaves the ring buffer open
}
console.log('within 50 ms:', await events.poll(50));
// #endregion iterate
