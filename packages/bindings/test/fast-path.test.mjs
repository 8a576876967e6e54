// The raw N-API fast paths of mapLookupElemInto and mapUpdateElem (src/fast.rs):
// every case they do not handle themselves must end exactly as the #[napi]
// functions they fall back to, and they must work in every env (worker threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

import { b, MAP, BPF_NOEXIST, BPF_EXIST, u32, u64, throwsErrno } from './helpers.mjs';

test('fast path: found, missing, flags, unbound calls', () => {
  const fd = b.mapCreate(MAP.HASH, 'fast', 4, 8, 4);
  const out = Buffer.alloc(8);
  const lookup = b.mapLookupElemInto;
  const update = b.mapUpdateElem;
  assert.equal(update(fd, u32(1), u64(11)), undefined, 'update returns undefined');
  assert.equal(lookup(fd, u32(1), out), true);
  assert.deepEqual(out, u64(11));
  assert.equal(lookup(fd, u32(2), out), false, 'missing key');
  assert.equal(lookup(fd, u32(1), out, undefined), true, 'flags undefined');
  assert.equal(lookup(fd, u32(1), out, 0n), true, 'flags 0n');
  update(fd, u32(1), u64(12), BPF_EXIST);
  update(fd, new Uint8Array(u32(3)), new Uint8Array(u64(33)), BPF_NOEXIST);
  assert.equal(lookup(fd, new Uint8Array(u32(3)), out), true, 'Uint8Array keys');
  assert.deepEqual(out, u64(33));
  throwsErrno(() => update(fd, u32(1), u64(1), BPF_NOEXIST), 'EEXIST', 17, /fast/);
  throwsErrno(() => update(fd, u32(9), u64(1), BPF_EXIST), 'ENOENT', 2);
  update(fd, u32(4), u64(4));
  update(fd, u32(5), u64(5));
  throwsErrno(() => update(fd, u32(6), u64(6)), 'E2BIG', 7, /fast/);
  b.close(fd);
});

test('fast path: wrong sizes and types fall back to the checked path', () => {
  const fd = b.mapCreate(MAP.HASH, 'sizes', 4, 8, 4);
  const out = Buffer.alloc(8);
  b.mapUpdateElem(fd, u32(1), u64(1));
  throwsErrno(() => b.mapLookupElemInto(fd, Buffer.alloc(3), out), 'EINVAL', 22, /map 'sizes'/);
  throwsErrno(() => b.mapLookupElemInto(fd, u32(1), Buffer.alloc(9)), 'EINVAL', 22, /8 bytes, got a Buffer of 9/);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), Buffer.alloc(4)), 'EINVAL', 22, /8 bytes, got a Buffer of 4/);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u64(1), 1n << 64n), 'EINVAL', 22, /flags/);
  assert.throws(() => b.mapLookupElemInto(fd, 1, out), 'a number is not a key');
  assert.throws(() => b.mapLookupElemInto(fd, u32(1)), 'no value Buffer');
  assert.throws(() => b.mapUpdateElem(fd, u32(1), u64(1), 1), 'flags must be a bigint');
  assert.throws(() => b.mapLookupElemInto('x', u32(1), out), 'fd must be a number');
  throwsErrno(() => b.mapLookupElemInto(fd, null, out), 'EFAULT', 14, /key or value pointer is NULL/);
  // Nothing a refused call touched changed.
  assert.equal(b.mapLookupElemInto(fd, u32(1), out), true);
  assert.deepEqual(out, u64(1));
  b.close(fd);
  throwsErrno(() => b.mapLookupElemInto(fd, u32(1), out), 'EBADF', 9);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u64(1)), 'EBADF', 9);
});

test('fast path: per-CPU values hold one 8-byte slot per possible CPU', () => {
  const n = b.numPossibleCpus();
  const fd = b.mapCreate(MAP.PERCPU_HASH, 'pcpu', 4, 4, 4);
  const all = Buffer.alloc(8 * n);
  for (let c = 0; c < n; c++) all.writeUInt32LE(c + 100, 8 * c);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u32(7)), 'EINVAL', 22);
  b.mapUpdateElem(fd, u32(1), all);
  const out = Buffer.alloc(8 * n);
  assert.equal(b.mapLookupElemInto(fd, u32(1), out), true);
  assert.deepEqual(out, all);
  b.close(fd);
});

test('fast path: queue maps (no key) go through the checked path', () => {
  const q = b.mapCreate(MAP.QUEUE, 'q', 0, 4, 4);
  b.mapUpdateElem(q, null, u32(5));
  const out = Buffer.alloc(4);
  assert.equal(b.mapLookupElemInto(q, null, out), true, 'peek');
  assert.equal(out.readUInt32LE(), 5);
  b.close(q);
});

test('fast path: works in a worker thread (its own env)', async () => {
  const src = `
    const { parentPort } = require('node:worker_threads');
    const b = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const fd = b.mapCreate(1, 'w', 4, 8, 8);
    const k = Buffer.alloc(4), v = Buffer.alloc(8), out = Buffer.alloc(8);
    let found = 0;
    for (let i = 0; i < 1000; i++) { k.writeUInt32LE(i % 8); v.writeBigUInt64LE(BigInt(i)); b.mapUpdateElem(fd, k, v); }
    for (let i = 0; i < 16; i++) { k.writeUInt32LE(i); if (b.mapLookupElemInto(fd, k, out)) found++; }
    let code = '';
    try { b.mapUpdateElem(fd, Buffer.alloc(2), v); } catch (e) { code = e.code; }
    b.close(fd);
    parentPort.postMessage({ found, code });`;
  const w = new Worker(src, { eval: true });
  const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await w.terminate();
  assert.deepEqual(msg, { found: 8, code: 'EINVAL' });
  // The main thread's fast paths still work after the worker's env went.
  const fd = b.mapCreate(MAP.HASH, 'after', 4, 8, 2);
  b.mapUpdateElem(fd, u32(1), u64(2));
  const out = Buffer.alloc(8);
  assert.equal(b.mapLookupElemInto(fd, u32(1), out), true);
  b.close(fd);
});
