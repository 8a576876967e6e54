// Maps through the binding: every map call with its effect read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { b, MAP, BPF_NOEXIST, BPF_EXIST, u32, u64 } from './helpers.mjs';

test('hash map: update, lookup, next key, delete, info', () => {
  const fd = b.mapCreate(MAP.HASH, 'h', 4, 8, 16);
  assert.ok(fd > 0);
  for (let i = 1; i <= 3; i++) b.mapUpdateElem(fd, u32(i), u64(i * 100));
  assert.deepEqual(b.mapLookupElem(fd, u32(2), 8), u64(200));
  b.mapUpdateElem(fd, u32(2), u64(222), BPF_EXIST);
  assert.deepEqual(b.mapLookupElem(fd, u32(2), 8, 0n), u64(222));

  const keys = [];
  for (let k = b.mapGetNextKey(fd, null, 4); k !== null; k = b.mapGetNextKey(fd, k, 4)) keys.push(k.readUInt32LE());
  assert.deepEqual(keys.sort(), [1, 2, 3]);

  const out = Buffer.alloc(8);
  assert.equal(b.mapLookupElemInto(fd, u32(2), out), true);
  assert.deepEqual(out, u64(222), 'written into the caller Buffer');
  assert.equal(b.mapLookupElemInto(fd, u32(99), out, 0n), false, 'a missing key is false, not a throw');

  b.mapDeleteElem(fd, u32(1));
  assert.throws(() => b.mapLookupElem(fd, u32(1), 8), { code: 'ENOENT' });
  assert.deepEqual(b.mapLookupAndDeleteElem(fd, u32(3), 8), u64(300));
  assert.throws(() => b.mapLookupElem(fd, u32(3), 8), { code: 'ENOENT' });

  const info = b.mapGetInfo(fd);
  assert.deepEqual({ ...info, id: 0 }, { type: MAP.HASH, id: 0, keySize: 4, valueSize: 8, maxEntries: 16, mapFlags: 0, name: 'h', ringbufAbandoned: 0 });
  assert.ok(info.id > 0);
  b.close(fd);
});

test('array map: zero-filled values, freeze', () => {
  const fd = b.mapCreate(MAP.ARRAY, 'a', 4, 4, 4, { mapFlags: 0 });
  assert.deepEqual(b.mapLookupElem(fd, u32(3), 4), u32(0));
  b.mapUpdateElem(fd, u32(3), u32(7));
  assert.deepEqual(b.mapLookupElem(fd, u32(3), 4), u32(7));
  b.mapFreeze(fd);
  assert.throws(() => b.mapUpdateElem(fd, u32(3), u32(8)), { code: 'EPERM' });
  assert.deepEqual(b.mapLookupElem(fd, u32(3), 4), u32(7), 'frozen value kept');
  b.close(fd);
});

test('batches: update, lookup in pages, lookup-and-delete, delete', () => {
  const fd = b.mapCreate(MAP.HASH, 'batch', 4, 8, 64);
  const n = 10;
  const keys = Buffer.concat(Array.from({ length: n }, (_, i) => u32(i + 1)));
  const values = Buffer.concat(Array.from({ length: n }, (_, i) => u64((i + 1) * 3)));
  assert.equal(b.mapUpdateBatch(fd, keys, values, n), n);

  const seen = new Map();
  let token = null;
  for (let pages = 0; pages < 10; pages++) {
    const r = b.mapLookupBatch(fd, token, 4, 8, 4);
    assert.equal(r.keys.length, r.count * 4);
    assert.equal(r.values.length, r.count * 8);
    for (let i = 0; i < r.count; i++) seen.set(r.keys.readUInt32LE(i * 4), r.values.readBigUInt64LE(i * 8));
    if (r.done) {
      assert.equal(r.outBatch, null);
      break;
    }
    token = r.outBatch;
  }
  assert.equal(seen.size, n);
  for (const [k, v] of seen) assert.equal(v, BigInt(k * 3));

  assert.equal(b.mapDeleteBatch(fd, keys.subarray(0, 8), 2), 2);
  assert.throws(() => b.mapLookupElem(fd, u32(1), 8), { code: 'ENOENT' });
  const all = b.mapLookupBatch(fd, null, 4, 8, 64, { andDelete: true });
  assert.equal(all.count, n - 2);
  assert.equal(all.done, true);
  assert.equal(b.mapGetNextKey(fd, null, 4), null, 'lookup-and-delete batch emptied the map');
  b.close(fd);
});

test('per-CPU maps: round_up(value_size, 8) x possible CPUs', () => {
  const cpus = b.numPossibleCpus();
  assert.ok(cpus >= 1);
  const fd = b.mapCreate(MAP.PERCPU_ARRAY, 'pc', 4, 4, 2);
  const size = 8 * cpus;
  const v = Buffer.alloc(size);
  for (let c = 0; c < cpus; c++) v.writeUInt32LE(c + 10, c * 8);
  b.mapUpdateElem(fd, u32(1), v);
  assert.deepEqual(b.mapLookupElem(fd, u32(1), size), v);
  assert.throws(() => b.mapLookupElem(fd, u32(1), 4), (e) => e.code === 'EINVAL' && /per-CPU/.test(e.message) && e.message.includes(`${size} bytes`));
  const r = b.mapLookupBatch(fd, null, 4, size, 2);
  assert.equal(r.count, 2);
  assert.deepEqual(r.values.subarray(size), v);
  b.close(fd);

  const h = b.mapCreate(MAP.PERCPU_HASH, 'ph', 4, 12, 4);
  const hv = Buffer.alloc(16 * cpus, 0xab);
  b.mapUpdateElem(h, u32(9), hv);
  assert.deepEqual(b.mapLookupElem(h, u32(9), 16 * cpus), hv);
  b.close(h);
});

test('queue and stack: push with a null key, pop with lookup-and-delete', () => {
  const q = b.mapCreate(MAP.QUEUE, 'q', 0, 4, 8);
  const s = b.mapCreate(MAP.STACK, 's', 0, 4, 8);
  for (const v of [1, 2, 3]) {
    b.mapUpdateElem(q, null, u32(v));
    b.mapUpdateElem(s, null, u32(v));
  }
  assert.deepEqual(b.mapLookupElem(q, null, 4), u32(1), 'peek');
  assert.deepEqual([1, 2, 3].map(() => b.mapLookupAndDeleteElem(q, null, 4).readUInt32LE()), [1, 2, 3]);
  assert.deepEqual([1, 2, 3].map(() => b.mapLookupAndDeleteElem(s, null, 4).readUInt32LE()), [3, 2, 1]);
  assert.throws(() => b.mapLookupAndDeleteElem(q, null, 4), { code: 'ENOENT' });
  b.close(q);
  b.close(s);
});

test('LPM trie, LRU hash, options', () => {
  const t = b.mapCreate(MAP.LPM_TRIE, 'lpm', 8, 4, 8, { mapFlags: 1 /* BPF_F_NO_PREALLOC */ });
  const key = (len, a, b2, c, d) => Buffer.from([len, 0, 0, 0, a, b2, c, d]);
  b.mapUpdateElem(t, key(8, 10, 0, 0, 0), u32(8));
  b.mapUpdateElem(t, key(24, 10, 1, 2, 0), u32(24));
  assert.equal(b.mapLookupElem(t, key(32, 10, 1, 2, 3), 4).readUInt32LE(), 24);
  assert.equal(b.mapLookupElem(t, key(32, 10, 9, 9, 9), 4).readUInt32LE(), 8);
  b.close(t);

  const lru = b.mapCreate(MAP.LRU_HASH, 'lru', 4, 4, 4);
  for (let i = 0; i < 32; i++) b.mapUpdateElem(lru, u32(i), u32(i));
  let n = 0;
  for (let k = b.mapGetNextKey(lru, null, 4); k; k = b.mapGetNextKey(lru, k, 4)) n++;
  assert.ok(n <= 4 + b.numPossibleCpus() * 4, 'evicted down to its size');
  b.close(lru);

  const big = b.mapCreate(MAP.HASH, 'x', 4, 4, 4, { mapExtra: 0n, numaNode: 0 });
  b.close(big);
  assert.throws(() => b.mapCreate(MAP.HASH, 'x', 4, 4, 4, { mapExtra: -1n }), { code: 'EINVAL' });
});

test('map-in-map: inner map by handle, ids back', () => {
  const inner = b.mapCreate(MAP.ARRAY, 'inner', 4, 4, 1);
  const outer = b.mapCreate(13 /* HASH_OF_MAPS */, 'outer', 4, 4, 4, { innerMapFd: inner });
  b.mapUpdateElem(outer, u32(1), u32(inner));
  const id = b.mapLookupElem(outer, u32(1), 4).readUInt32LE();
  assert.equal(id, b.mapGetInfo(inner).id);
  b.close(outer);
  b.close(inner);
});

test('ids and handles: next id, fd by id, pins', () => {
  const fd = b.mapCreate(MAP.ARRAY, 'ided', 4, 4, 1);
  const { id } = b.mapGetInfo(fd);
  const ids = [];
  for (let i = b.mapGetNextId(0); i !== null; i = b.mapGetNextId(i)) ids.push(i);
  assert.ok(ids.includes(id));
  assert.equal(b.mapGetNextId(Math.max(...ids)), null, "null past the last id");
  const fd2 = b.mapGetFdById(id);
  b.mapUpdateElem(fd2, u32(0), u32(5));
  assert.equal(b.mapLookupElem(fd, u32(0), 4).readUInt32LE(), 5, 'same map through both handles');

  const start = b.handleCount();
  b.objPin(fd, '/sys/fs/bpf/bindings-test-map');
  const fd3 = b.objGet('/sys/fs/bpf/bindings-test-map');
  assert.equal(b.mapGetInfo(fd3).id, id);
  assert.equal(b.handleCount(), start + 1);
  b.objUnpin('/sys/fs/bpf/bindings-test-map');
  assert.throws(() => b.objGet('/sys/fs/bpf/bindings-test-map'), { code: 'ENOENT' });
  for (const h of [fd, fd2, fd3]) b.close(h);
  assert.throws(() => b.mapGetFdById(id), { code: 'ENOENT' });
});
