// Maps with codecs: the same map typed from BTF and from explicit codecs,
// updates with flags, batches, and a global variable.
// Run from a directory holding packets.bpf.o.
import { BpfObject, struct, u32, u64, type Infer } from '@bpfhost/api';

using obj = BpfObject.open('packets.bpf.o').load();
const classify = obj.program('classify');
for (const size of [60, 100, 70, 200]) {
  classify.testRun({ data: Buffer.alloc(size) });
}

// #region codecs
// struct bucket_stats: u64 fields are bigints, u32 fields numbers.
const bucketStats = struct({
  packets: u64,
  bytes: u64,
  min_len: u32,
  max_len: u32,
});
type BucketStats = Infer<typeof bucketStats>;

const buckets = obj.map('buckets', { key: u32, value: bucketStats });
const first: BucketStats | undefined = buckets.get(0);
console.log('bucket 0:', first);
console.log('bucket 9 is there:', buckets.has(9), '->', buckets.get(9));
// #endregion codecs

// #region update
const empty = { packets: 0n, bytes: 0n, min_len: 0, max_len: 0 };
buckets.set(9, empty, { flags: 'noexist' }); // create only
buckets.set(9, { ...empty, packets: 1n }, { flags: 'exist' }); // replace only
console.log('deleted bucket 9:', buckets.delete(9));
console.log('deleted it again:', buckets.delete(9));
// #endregion update

// #region batch
const all = buckets.getMany(); // every [key, value] pair, in batches
const inUse = all.map(([bucket]) => bucket).sort((a, b) => a - b);
console.log('buckets in use:', inUse);
console.log('bucket 2, then 5:', buckets.getMany([2, 5]));

const big = { packets: 1n, bytes: 1300n, min_len: 1300, max_len: 1300 };
buckets.setMany([
  [20, big],
  [21, big],
]);
console.log('deleted', buckets.deleteMany([20, 21]), 'entries');
// #endregion batch

// #region btf
const untyped = obj.map('buckets'); // values decoded as BTF describes them
console.log('from BTF:', untyped.get(1));
// #endregion btf

// #region globals
// Global variables live in maps named after the object:
// packets.data, packets.bss and packets.rodata.
const data = obj.map('packets.data');
console.log('globals:', data.get(0), obj.map('packets.bss').get(0));

data.set(0, { max_len: 100 });
const kept = classify.testRun({ data: Buffer.alloc(200) }).retval;
console.log('a 200-byte frame now keeps', kept, 'bytes');
// #endregion globals
