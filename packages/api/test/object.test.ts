// BpfObject on a clang-compiled object: specs, BTF-typed and explicitly typed maps, programs, ring buffers, globals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import {
  BpfError,
  BpfObject,
  ClosedError,
  CodecError,
  LoadError,
  NotFoundError,
  Program,
  RingBuffer,
  array,
  cstring,
  handleCount,
  numPossibleCpus,
  perCpu,
  struct,
  trace,
  u16,
  u32,
  u64,
  u8,
  type BtfValue,
} from '@bpfhost/api';

import { apiTestObject, frame, noClang } from './support.js';

const flowKey = struct({ saddr: u32, port: u16, proto: u8 });
const event = struct({ seq: u32, len: u32, cookie: u64 });

describe('BpfObject (clang-compiled api_test.bpf.o)', { skip: noClang }, () => {
  let path = '';
  let obj: BpfObject;

  before(() => {
    path = apiTestObject();
    obj = BpfObject.open(path);
  });
  after(() => obj?.close());

  it('open: specs of maps and programs before load', () => {
    assert.equal(obj.name, 'api_test');
    assert.equal(obj.loaded, false);
    const maps = new Map(obj.maps.map((m) => [m.name, m]));
    assert.deepEqual(
      [...maps.keys()].sort(),
      ['api_test.bss', 'api_test.data', 'api_test.rodata', 'counts', 'events', 'flows', 'lengths', 'pcpu', 'pcpu_events', 'raw', 'stack'],
    );
    const flows = maps.get('flows');
    assert.ok(flows);
    assert.equal(flows.typeName, 'hash');
    assert.equal(flows.keySize, 8);
    assert.equal(flows.valueSize, 40);
    assert.equal(flows.maxEntries, 64);
    assert.equal(flows.keyType, 'struct flow_key');
    assert.equal(flows.valueType, 'struct flow_stats');
    assert.equal(maps.get('counts')?.keyType, '__u32');
    assert.equal(maps.get('api_test.bss')?.internal, true);
    assert.equal(maps.get('raw')?.keyType, undefined);
    assert.deepEqual(obj.programs, [{ name: 'count_packets', section: 'socket', type: 1, typeName: 'socket_filter', expectedAttachType: 0, insnCount: obj.programs[0]?.insnCount, autoload: true }]);
    assert.throws(() => obj.map('flows'), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /not loaded \(call load\(\) first\)/.test(e.message));
    assert.ok(obj.btf);
    assert.equal(obj.btf.typeName(flows.btfValueTypeId), 'struct flow_stats');
  });

  it('load, then a test run touches every map', () => {
    assert.equal(obj.load(), obj);
    assert.equal(obj.loaded, true);
    assert.throws(() => obj.load(), /loaded already/);
    trace();
    const prog = obj.program('count_packets');
    assert.equal(prog.section, 'socket');
    assert.equal(prog.typeName, 'socket_filter');
    const r = prog.testRun({ data: frame(64) });
    assert.equal(r.retval, 50 * 3 + 7, 'skb->len leaves out the 14-byte Ethernet header');
    assert.equal(typeof r.durationNs, 'number');
    prog.testRun({ data: frame(100), repeat: 2 });
    assert.match(trace(), /api_test packet 50\n/);
    const info = prog.info();
    assert.equal(info.name, 'count_packets');
    assert.equal(typeof info.runCount, 'bigint');
    assert.match(info.tag, /^[0-9a-f]{16}$/);
    assert.ok(info.mapIds.length >= 5);
  });

  it('explicit codecs: precise types', () => {
    const counts = obj.map('counts', { key: u32, value: u64 });
    const c: bigint | undefined = counts.get(0);
    assert.equal(c, 3n);
    assert.deepEqual([...counts], [[0, 3n], [1, 0n], [2, 0n], [3, 0n]]);
    const flows = obj.map('flows', {
      key: flowKey,
      value: struct({ packets: u64, bytes: u64, last: u32, hist: array(u16, 3), tag: cstring(8), bits: u16 }), // the bitfields share the 4-byte unit at 32 (bits 272..)
    });
    const fs = flows.get({ saddr: 0x0a000001, port: 80, proto: 6 });
    assert.ok(fs);
    assert.equal(fs.packets, 3n);
    assert.equal(fs.bytes, 50n + 2n * 86n);
    assert.equal(fs.last, 17);
    assert.deepEqual(fs.hist, [0, 7, 0]);
    assert.equal(fs.tag, 'new');
    // Byte 35 (the u16's high byte) is the struct's tail padding, which the program's
    // initializer leaves unwritten: only the low byte holds the bitfields.
    assert.equal(fs.bits & 0xff, 1 | (5 << 1) | (((-3) & 0xf) << 4));
    assert.throws(() => obj.map('counts', { key: u16, value: u64 }), (e: unknown) => e instanceof CodecError && /object 'api_test', map 'counts': key: expected a 4-byte codec \(codec u16\), got 2 bytes/.test(e.message));
  });

  it('BTF-derived codecs: struct key/value with an enum, an array, a char array and bitfields', () => {
    const flows = obj.map('flows');
    const entries = [...flows];
    assert.equal(entries.length, 1);
    const [k, v] = entries[0] as [BtfValue, BtfValue];
    assert.deepEqual(k, { saddr: 0x0a000001, port: 80, proto: 6 });
    assert.deepEqual(v, { packets: 3n, bytes: 222n, last: 'PROTO_UDP', hist: [0, 7, 0], tag: 'new', seen: 1, level: 5, delta: -3 });
    flows.set({ saddr: 1, port: 2, proto: 17 }, { packets: 1n, last: 'PROTO_OTHER', tag: 'x', level: 7, delta: 7 });
    assert.deepEqual(flows.get({ saddr: 1, port: 2, proto: 17 }), { packets: 1n, bytes: 0n, last: 'PROTO_OTHER', hist: [0, 0, 0], tag: 'x', seen: 0, level: 7, delta: 7 });
    assert.throws(() => flows.set({ saddr: 1, port: 2, proto: 17 }, { level: 8 }), /map 'flows': set: value\.level: expected an integer in 0\.\.7 \(3 bits\)/);
    assert.throws(() => flows.set({ saddr: 1, port: 2, proto: 17 }, { last: 'PROTO_SCTP' }), /value\.last: expected one of PROTO_TCP, PROTO_UDP, PROTO_OTHER/);
    assert.equal(flows.delete({ saddr: 1, port: 2, proto: 17 }), true);
    // Plain u32 -> u64 from BTF typedefs.
    assert.equal(obj.map('counts').get(0), 3n);
    // Legacy sizes without BTF: raw Buffers.
    const raw = obj.map('raw');
    raw.set(Buffer.from([1, 2, 3]), Buffer.from('hello'));
    assert.deepEqual(raw.get(Buffer.from([1, 2, 3])), Buffer.from('hello'));
  });

  it('globals: .bss, .data and .rodata as objects of their variables', () => {
    const bss = obj.map('api_test.bss');
    assert.deepEqual(bss.get(0), { packets_seen: 3n });
    const data = obj.map('api_test.data');
    assert.deepEqual(data.get(0), { multiplier: 3 });
    data.set(0, { multiplier: 5 });
    assert.equal(obj.program('count_packets').testRun({ data: frame(64) }).retval, 50 * 5 + 7);
    data.set(0, { multiplier: 3 });
    const ro = obj.map('api_test.rodata').get(0) as Record<string, BtfValue>;
    assert.equal(ro.limit, 7);
    assert.throws(() => obj.map('api_test.rodata').set(0, { limit: 1 }), (e: unknown) => e instanceof BpfError && e.code === 'EPERM');
  });

  it('per-CPU maps: BTF-derived and explicit', () => {
    const cpus = numPossibleCpus();
    const pcpu = obj.map('pcpu', { key: u32, value: perCpu(u64) });
    const v = pcpu.get(0);
    assert.ok(v);
    assert.equal(v.length, cpus);
    assert.equal(v.reduce((a, b) => a + b, 0n), 4n);
    const derived = obj.map('pcpu').get(0) as bigint[];
    assert.deepEqual(derived, v);
    assert.throws(() => obj.map('pcpu', { key: u32, value: u64 }), /expected a perCpu\(\.\.\.\) codec/);
    const pe = obj.map('pcpu_events');
    const row = Array.from({ length: cpus }, (_, i) => ({ seq: i, len: 2 * i, cookie: BigInt(i) }));
    pe.set(9, row);
    assert.deepEqual(pe.get(9), row);
  });

  it('queue and stack from the object', () => {
    const lengths = obj.map('lengths', { value: u32 });
    assert.equal(lengths.keySize, 0);
    assert.deepEqual([lengths.pop(), lengths.pop(), lengths.pop(), lengths.pop(), lengths.pop()], [50, 86, 86, 50, undefined]);
    const stack = obj.map('stack');
    stack.push(5n);
    assert.equal(stack.peek(), 5n);
    assert.equal(stack.pop(), 5n);
  });

  it('ring buffer: consume and async iteration of decoded records', async () => {
    using rb = obj.ringBuffer('events', event);
    const now = rb.consume();
    assert.deepEqual(now.map((e) => e.len), [50, 86, 86, 50]);
    assert.deepEqual(now.map((e) => e.seq), [1, 2, 3, 4]);
    assert.ok(now.every((e) => e.cookie === 0xfeedn));
    assert.deepEqual(rb.consume(), []);
    assert.deepEqual(await rb.poll(1), []);
    const prog = obj.program('count_packets');
    const got: number[] = [];
    setTimeout(() => {
      prog.testRun({ data: frame(70) });
      prog.testRun({ data: frame(71) });
    }, 20);
    for await (const e of rb) {
      got.push(e.len);
      if (got.length === 2) break;
    }
    assert.deepEqual(got, [56, 57]);
    const raw = new RingBuffer(obj.map('events'));
    prog.testRun({ data: frame(72) });
    const [rec] = raw.consume();
    assert.ok(Buffer.isBuffer(rec));
    assert.equal(rec.length, 16);
    raw.close();
    assert.throws(() => raw.consume(), ClosedError);
    assert.throws(() => new RingBuffer(obj.map('counts')), /a array map is not a ring buffer/);
  });

  it('ring buffer iteration ends as soon as the ring buffer is closed', async () => {
    const rb = obj.ringBuffer('events', event, { pollIntervalMs: 5000 });
    rb.consume();
    const start = Date.now();
    setTimeout(() => rb.close(), 30);
    const seen: unknown[] = [];
    for await (const e of rb) seen.push(e);
    assert.deepEqual(seen, []);
    assert.ok(Date.now() - start < 2000, 'close() wakes the waiting poll');
    await assert.rejects(rb.poll(1), ClosedError);
  });

  it('sourceLines: the C line of each run of loaded instructions (clang -g line info)', () => {
    const o = BpfObject.open(path).load();
    try {
      const p = o.program('count_packets');
      const lines = p.sourceLines();
      const src = readFileSync(new URL('../test/fixtures/api_test.bpf.c', import.meta.url), 'utf8').split('\n');
      assert.equal(lines[0]?.insn, 0, 'the entry has a line');
      const slots = p.instructions().length / 8;
      for (const [i, l] of lines.entries()) {
        assert.ok(l.insn < slots, `insn ${l.insn} is one of the ${slots} loaded`);
        if (i > 0) assert.ok(l.insn > (lines[i - 1]?.insn ?? -1), 'in instruction order');
        assert.match(l.file, /api_test\.bpf\.c$/);
        assert.equal(l.text, src[l.line - 1], `line ${l.line} is the file's`);
      }
      const texts = lines.map((l) => l.text.trim());
      for (const want of ['c = bpf_map_lookup_elem(&counts, &zero);', 'bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);', 'fs->bytes += len;']) {
        assert.ok(texts.includes(want), `names '${want}'`);
      }
      // A program loaded from instructions has no line info.
      using bare = Program.load({ type: 'socket_filter', insns: 'mov %r0, 0\nexit' });
      assert.deepEqual(bare.sourceLines(), []);
      o.close();
      assert.throws(() => p.sourceLines(), ClosedError);
    } finally {
      o.close();
    }
  });

  it('lookups of unknown names say what there is', () => {
    assert.throws(() => obj.map('nope'), (e: unknown) => e instanceof NotFoundError && /no map 'nope' \(the object has 'counts', 'pcpu'/.test(e.message));
    assert.throws(() => obj.program('nope'), /no program 'nope' \(the object has 'count_packets'\)/);
  });

  it('closing the object closes its maps, programs and ring buffers', () => {
    const o = BpfObject.open(readFileSync(path), { name: 'in-memory' }).load();
    const m = o.map('counts', { key: u32, value: u64 });
    const p = o.program('count_packets');
    const rb = o.ringBuffer('events');
    assert.equal(o.name, 'in-memory');
    o.close();
    assert.equal(m.closed, true);
    assert.equal(rb.closed, true);
    assert.throws(() => m.get(0), (e: unknown) => e instanceof ClosedError && e.message === "object 'in-memory', map 'counts': get: the map is closed");
    assert.throws(() => p.testRun(), ClosedError);
    assert.throws(() => o.maps, ClosedError);
    o.close();
  });

  it('bad input: a missing file, not an ELF object, a program the verifier refuses', () => {
    assert.throws(() => BpfObject.open('/nonexistent/x.o'), (e: unknown) => e instanceof NotFoundError && e.object === '/nonexistent/x.o' && e.op === 'open');
    assert.throws(() => BpfObject.open(Buffer.from('not an ELF file at all'), { name: 'junk' }), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && e.object === 'junk');
    const start = handleCount();
    for (let i = 0; i < 3; i++) {
      const o = BpfObject.open(path);
      o.close();
    }
    assert.equal(handleCount(), start);
    assert.ok(LoadError);
  });
});
