// The ring buffer consumer: records written by a program, consumed now or
// awaited off the JS thread while the event loop keeps running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { b, MAP, PROG_SOCKET_FILTER, frame, u32, throwsErrno } from './helpers.mjs';

/** A ring buffer and a socket filter that emits the u32 (big-endian) at frame offset 18 as a u64 record. */
function setup() {
  const rb = b.mapCreate(MAP.RINGBUF, 'events', 0, 0, 4096);
  const src = `
    mov %r6, %r1
    ldabsw 4
    stxdw [%r10-8], %r0
    lddw %r1, map_fd ${rb}
    mov %r2, %r10
    add %r2, -8
    mov %r3, 8
    mov %r4, 0
    call 130
    exit`;
  const prog = b.progLoad(PROG_SOCKET_FILTER, 'emit', 'GPL', b.asm(src));
  const emit = (tag) => {
    const f = frame(64);
    f.writeUInt32BE(tag, 14 + 4);
    assert.equal(b.progTestRun(prog, { data: f }).retval, 0, 'ringbuf_output returned 0');
  };
  const tagOf = (rec) => rec.readUInt32LE(0);
  return { rb, prog, emit, tagOf, done: () => { b.close(prog); b.close(rb); } };
}

test('consume: records in order, max, copies', () => {
  const { rb, emit, tagOf, done } = setup();
  const c = new b.RingBufferConsumer(rb);
  assert.deepEqual(c.consume(), []);
  for (let i = 1; i <= 5; i++) emit(i);
  const two = c.consume(2);
  assert.equal(two.length, 2);
  assert.deepEqual(c.consume().map(tagOf), [3, 4, 5]);
  assert.equal(two[0].length, 8);
  assert.equal(tagOf(two[0]), 1);
  emit(6);
  assert.equal(tagOf(two[1]), 2, 'a record is a copy: later writes leave it alone');
  // The consumer holds its own handle: the caller's may close.
  done();
  assert.deepEqual(c.consume().map(tagOf), [6]);
  c.close();
});

test('poll: timeout, woken by a program run, event loop stays responsive', async () => {
  const { rb, emit, tagOf, done } = setup();
  const c = new b.RingBufferConsumer(rb);
  let t0 = Date.now();
  assert.deepEqual(await c.poll(100), []);
  assert.ok(Date.now() - t0 >= 95, 'waited the timeout');

  emit(7);
  assert.deepEqual((await c.poll(1000)).map(tagOf), [7], 'records already there');

  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  let timerFired = false;
  setTimeout(() => { timerFired = true; }, 10);
  setTimeout(() => emit(8), 150);
  t0 = Date.now();
  const recs = await c.poll(10000);
  const waited = Date.now() - t0;
  clearInterval(iv);
  assert.deepEqual(recs.map(tagOf), [8]);
  assert.ok(waited >= 140 && waited < 5000, `woken by the run after ${waited} ms`);
  assert.ok(timerFired, 'a timer fired while poll waited');
  assert.ok(ticks >= 10, `the event loop ran (${ticks} ticks) while poll waited`);
  c.close();
  done();
});

test('close while a poll waits, then calls after close', async () => {
  const { rb, emit, done } = setup();
  const start = b.handleCount();
  const c = new b.RingBufferConsumer(rb);
  assert.equal(b.handleCount(), start + 1, 'the consumer has its own map handle');
  const pending = c.poll(-1);
  await sleep(30);
  const t0 = Date.now();
  c.close();
  c.close();
  assert.deepEqual(await pending, [], 'a closed consumer settles its poll with no records');
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(b.handleCount(), start, 'its handle is closed once the poll settled');
  emit(1);
  throwsErrno(() => c.consume(), 'EBADF', 9, /RingBufferConsumer.consume: the consumer is closed/);
  assert.throws(() => c.poll(0), { code: 'EBADF', errno: 9 });
  done();
});

test('many polls in flight do not starve the thread pool', async () => {
  const { rb, emit, tagOf, done } = setup();
  const consumers = Array.from({ length: 6 }, () => new b.RingBufferConsumer(rb));
  const polls = consumers.map((c) => c.poll(3000));
  // libuv's pool (4 threads) still serves file system work meanwhile.
  const { readFile } = await import('node:fs/promises');
  const t0 = Date.now();
  await readFile(new URL(import.meta.url));
  assert.ok(Date.now() - t0 < 1000, 'fs work ran while six polls waited');
  emit(9);
  const got = (await Promise.all(polls)).flat();
  assert.ok(got.length >= 1 && got.every((r) => tagOf(r) === 9));
  consumers.forEach((c) => c.close());
  done();
});

test('constructor refusals', () => {
  throwsErrno(() => new b.RingBufferConsumer(9999), 'EBADF', 9);
  const h = b.mapCreate(MAP.HASH, 'notring', 4, 4, 4);
  throwsErrno(() => new b.RingBufferConsumer(h), 'EINVAL', 22, /map 'notring'.*not a ring buffer/);
  b.close(h);
  assert.equal(typeof u32, 'function');
});
