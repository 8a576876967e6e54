// Ring buffers: read the records a program submits, now or as they come.
// Run from a directory holding packets.bpf.o.
import { BpfObject, struct, u32, u64 } from '@bpfhost/api';

using obj = BpfObject.open('packets.bpf.o').load();
const classify = obj.program('classify');
const run = (size: number) => classify.testRun({ data: Buffer.alloc(size) });

// #region consume
// struct packet_event { __u64 seq; __u32 len; __u32 bucket; }
const packetEvent = struct({ seq: u64, len: u32, bucket: u32 });
using events = obj.ringBuffer('events', packetEvent);

run(60);
run(100);
for (const ev of events.consume()) console.log('now:', ev);
console.log('nothing more:', events.consume());
// #endregion consume

// #region iterate
// Records as they come: the loop waits off the JavaScript thread.
setTimeout(() => [300, 400, 500].forEach(run), 10);
let count = 0;
for await (const ev of events) {
  console.log('later:', ev);
  if (++count === 3) break; // leaves the ring buffer open
}
console.log('within 50 ms:', await events.poll(50));
// #endregion iterate
