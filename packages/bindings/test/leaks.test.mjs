// No handle leaks: 10,000 maps and 10,000 objects opened, used (failures
// included) and closed leave the core's handle count where it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { b, MAP, compileBpf, frame, u32, u64 } from './helpers.mjs';

const N = 10_000;

test(`${N} maps: create, update, failed lookups, close`, () => {
  const start = b.handleCount();
  for (let i = 0; i < N; i++) {
    const fd = b.mapCreate(MAP.HASH, `m${i % 100}`, 4, 8, 4);
    b.mapUpdateElem(fd, u32(i), u64(i));
    assert.throws(() => b.mapLookupElem(fd, u32(i + 1), 8), { code: 'ENOENT' });
    assert.throws(() => b.mapLookupElem(fd, Buffer.alloc(2), 8), { code: 'EINVAL' });
    b.close(fd);
  }
  assert.equal(b.handleCount(), start);
});

test(`${N} objects: open from memory, load, run, close (and some left to the GC)`, (t) => {
  const path = compileBpf('probe', t);
  if (!path) return;
  const image = readFileSync(path);
  const start = b.handleCount();
  for (let i = 0; i < N; i++) {
    const obj = b.NativeObject.openMem(image);
    if (i % 10 === 0) {
      obj.load();
      const [prog] = obj.programs();
      assert.equal(b.progTestRun(prog.fd, { data: frame() }).retval, 42);
      if (i % 100 === 0) {
        const rb = new b.RingBufferConsumer(obj.maps().find((m) => m.name === 'events').fd);
        assert.equal(rb.consume().length, 1);
        rb.close();
      }
    }
    obj.close();
  }
  assert.equal(b.handleCount(), start);
});

test('objects and consumers dropped without close are freed by the GC', { skip: typeof globalThis.gc !== 'function' && 'run node with --expose-gc' }, async () => {
  const start = b.handleCount();
  for (let i = 0; i < 100; i++) {
    const rb = b.mapCreate(MAP.RINGBUF, 'r', 0, 0, 4096);
    new b.RingBufferConsumer(rb); // eslint-disable-line no-new
    b.close(rb);
  }
  assert.ok(b.handleCount() > start);
  for (let i = 0; i < 10 && b.handleCount() > start; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(b.handleCount(), start);
});
