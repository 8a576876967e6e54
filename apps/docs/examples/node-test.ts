// @filename: examples/node-test.ts
// (The line above is for the docs' type-checker (twoslash): the file's place, so that
// ./packets.skel.js resolves to the skeleton next to it.)
// Unit tests of the guide's socket filter with node:test, through the skeleton `bpfhost gen skeleton`
// generated from packets.bpf.o (packets.skel.ts, checked in next to this file): each test loads the
// object afresh, runs `classify` on frames it builds, and checks the return value, the typed maps
// and the ring buffer. Run from a directory holding packets.bpf.o: `node --test` (or `node node-test.js`).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { struct, u32, u64 } from '@bpfhost/api';

import { PacketsSkeleton } from './packets.skel.js';

// #region setup
// struct packet_event { __u64 seq; __u32 len; __u32 bucket; }:
// a ring buffer record. No map or global has its type, so BTF
// does not name it and its codec is written here.
const packetEvent = struct({ seq: u64, len: u32, bucket: u32 });

/** An Ethernet frame of `size` bytes: skb->len is size - 14. */
const frame = (size: number) => Buffer.alloc(size);

describe('classify', () => {
  let skel: PacketsSkeleton;
  // A fresh object per test: maps start empty, globals at their defaults.
  beforeEach(() => {
    skel = PacketsSkeleton.open('packets.bpf.o').load();
  });
  afterEach(() => skel.close());
  const run = (size: number) =>
    skel.programs.classify.testRun({ data: frame(size) }).retval;
  // #endregion setup

  // #region retval
  it('keeps the whole packet up to max_len', () => {
    assert.equal(run(100), 86);
    assert.equal(run(1514), 1500);
  });

  it('drops packets longer than max_len (a global)', () => {
    assert.equal(run(1515), 0);
    skel.data.max_len = 64; // typed: a number
    assert.equal(run(100), 0);
    assert.equal(run(78), 64);
  });

  it('takes max_len set in the open phase, before load', () => {
    using s = PacketsSkeleton.open('packets.bpf.o');
    s.data.max_len = 100;
    s.load();
    const len = (size: number) =>
      s.programs.classify.testRun({ data: frame(size) }).retval;
    assert.equal(len(114), 100);
    assert.equal(len(115), 0);
  });
  // #endregion retval

  // #region maps
  it('counts packets and bytes per 64-byte bucket', () => {
    run(60);
    run(70);
    run(100);
    const buckets = skel.maps.buckets; // BpfMap<number, bucket_stats>
    assert.deepEqual(buckets.get(0), {
      packets: 2n, bytes: 102n, min_len: 46, max_len: 56,
    });
    assert.deepEqual(buckets.get(1), {
      packets: 1n, bytes: 86n, min_len: 86, max_len: 86,
    });
    assert.equal(buckets.get(2), undefined);
    assert.equal(skel.bss.next_seq, 3n, 'one sequence number a packet');
  });
  // #endregion maps

  // #region ringbuf
  it('reports each packet on the ring buffer, in order', () => {
    using events = skel.object.ringBuffer('events', packetEvent);
    run(100);
    run(300);
    assert.deepEqual(events.consume(), [
      { seq: 1n, len: 86, bucket: 1 },
      { seq: 2n, len: 286, bucket: 4 },
    ]);
    assert.deepEqual(events.consume(), []);
  });
  // #endregion ringbuf

  // #region errors
  it('refuses a frame shorter than an Ethernet header', () => {
    assert.throws(() => run(10), { name: 'BpfError', code: 'EINVAL' });
  });
  // #endregion errors
});
