// BpfMap against the real binding: every method on hash, array, per-CPU, LRU, LPM, queue and stack maps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BpfError,
  BpfMap,
  ClosedError,
  CodecError,
  ExistsError,
  MapType,
  NotFoundError,
  array,
  bytes,
  cstring,
  type Codec,
  handleCount,
  numPossibleCpus,
  perCpu,
  struct,
  u16,
  u32,
  u64,
  u8,
  f64,
  i16,
  i32,
  i64,
  i8,
  unpin,
} from '@bpfhost/api';

const cpus = numPossibleCpus();

describe('hash map', () => {
  it('get/set/has/delete with flags', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 8, name: 'h' });
    assert.equal(m.name, 'h');
    assert.equal(m.type, MapType.hash);
    assert.equal(m.typeName, 'hash');
    assert.equal(m.keySize, 4);
    assert.equal(m.valueSize, 8);
    assert.equal(m.maxEntries, 8);
    assert.equal(m.perCpu, false);
    assert.equal(m.get(1), undefined);
    assert.equal(m.has(1), false);
    m.set(1, 10n).set(2, 20n);
    assert.equal(m.get(1), 10n);
    assert.equal(m.has(2), true);
    m.set(1, 11n);
    assert.equal(m.get(1), 11n);
    assert.throws(() => m.set(1, 12n, { flags: 'noexist' }), (e: unknown) => e instanceof ExistsError && e.code === 'EEXIST' && e.map === 'h' && e.op === 'set');
    assert.throws(() => m.set(3, 1n, { flags: 'exist' }), NotFoundError);
    m.set(1, 13n, { flags: 'exist' });
    m.set(3, 30n, { flags: 1 });
    assert.equal(m.get(3), 30n);
    assert.equal(m.delete(3), true);
    assert.equal(m.delete(3), false);
    assert.equal(m.getAndDelete(2), 20n);
    assert.equal(m.getAndDelete(2), undefined);
    assert.equal(m.get(1), 13n);
  });

  it('a full map refuses with E2BIG', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u8, maxEntries: 2 });
    m.set(1, 1).set(2, 2);
    assert.throws(() => m.set(3, 3), (e: unknown) => e instanceof BpfError && e.code === 'E2BIG' && e.errno === 7);
  });

  it('iterates keys, values and entries (including while deleting)', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u32, maxEntries: 600 });
    const want = new Map<number, number>();
    for (let i = 0; i < 500; i++) want.set(i * 7, i);
    assert.equal(m.setMany(want), 500);
    assert.deepEqual(new Map(m), want, 'for..of gives entries');
    assert.deepEqual(new Map(m.entries()), want);
    assert.deepEqual([...m.keys()].sort((a, b) => a - b), [...want.keys()]);
    assert.deepEqual([...m.values()].sort((a, b) => a - b), [...want.values()]);
    assert.equal(m.getMany().length, 500);
    for (const k of m.keys()) if (k % 2 === 0) m.delete(k);
    assert.equal([...m.keys()].length, 250);
    assert.ok([...m.keys()].every((k) => k % 2 === 1));
  });

  it('getMany(keys), setMany and deleteMany', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 16 });
    assert.equal(m.setMany([[1, 1n], [2, 2n], [3, 3n]]), 3);
    assert.deepEqual(m.getMany([3, 4, 1]), [3n, undefined, 1n]);
    assert.throws(() => m.setMany([[1, 9n]], { flags: 'noexist' }), ExistsError);
    assert.equal(m.setMany([]), 0);
    assert.equal(m.deleteMany([1, 2]), 2);
    assert.deepEqual([...m], [[3, 3n]]);
    assert.throws(() => m.deleteMany([3, 99]), NotFoundError);
    assert.equal(m.get(3), undefined, 'keys before the missing one are deleted');
    assert.equal(m.deleteMany([]), 0);
  });

  it('struct keys and values with padding', () => {
    const key = struct({ saddr: u32, port: u16, proto: u8 });
    const value = struct({ packets: u64, tag: cstring(8), hist: array(u16, 3) });
    assert.equal(key.size, 8);
    assert.equal(value.size, 24);
    using m = BpfMap.create({ type: 'hash', key, value, maxEntries: 4 });
    const k = { saddr: 0x0a000001, port: 443, proto: 6 };
    m.set(k, { packets: 5n, tag: 'tls', hist: [1, 2, 3] });
    assert.deepEqual(m.get({ ...k }), { packets: 5n, tag: 'tls', hist: [1, 2, 3] });
    assert.deepEqual([...m.keys()], [k]);
  });

  it('codec errors name the map, the operation and the member', () => {
    using m = BpfMap.create({ type: 'hash', key: struct({ a: u8 }), value: u16, maxEntries: 4, name: 'cm' });
    assert.throws(
      () => m.set({ a: 300 }, 1),
      (e: unknown) =>
        e instanceof CodecError &&
        e.message === "map 'cm': set: key.a: expected an integer in 0..255 (codec u8), got 300" &&
        e.map === 'cm' &&
        e.role === 'key' &&
        e.path === '.a',
    );
    assert.throws(() => m.set({ a: 1 }, -1), /map 'cm': set: value: expected an integer in 0\.\.65535 \(codec u16\), got -1/);
    assert.throws(() => m.get({ b: 1 } as never), /get: key: expected only the members a/);
    assert.throws(() => m.setMany([[{ a: 1 }, 1], [{ a: 2 }, 70000]]), /setMany \(entry 1\): value: expected an integer in 0\.\.65535/);
  });

  it('codecs must fit the map', () => {
    assert.throws(
      () => BpfMap.create({ type: 'percpu_hash', key: u32, value: u64, maxEntries: 4, name: 'pc' }),
      (e: unknown) => e instanceof CodecError && /map 'pc': value: expected a perCpu\(\.\.\.\) codec/.test(e.message),
    );
    assert.throws(() => BpfMap.create({ type: 'hash', key: u32, value: perCpu(u64), maxEntries: 4 }), /the map is not per-CPU/);
    assert.throws(() => BpfMap.create({ type: 'queue', key: u32, value: u32, maxEntries: 4 }), /no key codec \(a queue map has no keys\)/);
  });

  it('core refusals keep the map context', () => {
    assert.throws(
      () => BpfMap.create({ type: 'hash', key: u32, value: u32, maxEntries: 0, name: 'zero' }),
      (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && e.map === 'zero' && e.op === 'create',
    );
    assert.throws(() => BpfMap.create({ type: 'nope' as 'hash', key: u32, value: u32, maxEntries: 1 }), /unknown map type 'nope'/);
    assert.throws(() => BpfMap.create({ type: 4242, key: u32, value: u32, maxEntries: 1 }), (e: unknown) => e instanceof BpfError && e.code === 'EOPNOTSUPP');
  });

  it('LRU hash evicts instead of refusing', () => {
    using m = BpfMap.create({ type: 'lru_hash', key: u32, value: u32, maxEntries: 4 });
    for (let i = 0; i < 64; i++) m.set(i, i);
    assert.ok([...m.keys()].length <= 64);
    assert.equal(m.get(63), 63);
  });

  it('LPM trie: longest prefix match', () => {
    const key = struct({ prefixlen: u32, addr: bytes(4) });
    using m = BpfMap.create({ type: 'lpm_trie', key, value: u32, maxEntries: 8, flags: 1 /* BPF_F_NO_PREALLOC */ });
    m.set({ prefixlen: 8, addr: Buffer.from([10, 0, 0, 0]) }, 8);
    m.set({ prefixlen: 24, addr: Buffer.from([10, 1, 2, 0]) }, 24);
    assert.equal(m.get({ prefixlen: 32, addr: Buffer.from([10, 1, 2, 3]) }), 24);
    assert.equal(m.get({ prefixlen: 32, addr: Buffer.from([10, 9, 9, 9]) }), 8);
    assert.equal(m.get({ prefixlen: 32, addr: Buffer.from([11, 0, 0, 0]) }), undefined);
  });
});

describe('array maps', () => {
  it('every index exists; delete is refused; deleteMany too', () => {
    using m = BpfMap.create({ type: 'array', key: u32, value: u64, maxEntries: 4 });
    assert.equal(m.get(3), 0n);
    assert.equal(m.get(4), undefined);
    m.set(2, 5n);
    assert.deepEqual([...m], [[0, 0n], [1, 0n], [2, 5n], [3, 0n]]);
    assert.throws(() => m.delete(2), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && e.op === 'delete');
    assert.throws(() => m.deleteMany([1]), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL');
    assert.throws(() => m.set(4, 1n), BpfError);
    assert.equal(m.setMany([[0, 1n], [1, 2n]]), 2);
    assert.deepEqual(m.getMany([0, 1, 9]), [1n, 2n, undefined]);
    m.freeze();
    assert.throws(() => m.set(0, 1n), (e: unknown) => e instanceof BpfError && e.code === 'EPERM');
  });
});

describe('per-CPU maps', () => {
  it(`percpu_array values are one per possible CPU (${cpus})`, () => {
    using m = BpfMap.create({ type: 'percpu_array', key: u32, value: perCpu(u32), maxEntries: 2 });
    assert.equal(m.perCpu, true);
    assert.equal(m.valueSize, 4);
    assert.equal(m.value.size, 8 * cpus, 'round_up(4, 8) x CPUs');
    assert.deepEqual(m.get(0), new Array(cpus).fill(0));
    const v = Array.from({ length: cpus }, (_, i) => i + 1);
    m.set(1, v);
    assert.deepEqual(m.get(1), v);
    assert.deepEqual(m.getMany(), [[0, new Array(cpus).fill(0)], [1, v]]);
    assert.throws(() => m.set(0, [1]), new RegExp(`value: expected an array of ${cpus} values`));
  });

  it('percpu_hash with struct values, batches', () => {
    const value = struct({ a: u64, b: u8 });
    using m = BpfMap.create({ type: 'percpu_hash', key: u32, value: perCpu(value), maxEntries: 8 });
    const v = (n: number) => Array.from({ length: cpus }, (_, i) => ({ a: BigInt(n * 100 + i), b: i }));
    assert.equal(m.setMany([[1, v(1)], [2, v(2)]]), 2);
    assert.deepEqual(m.get(2), v(2));
    assert.deepEqual(new Map(m), new Map([[1, v(1)], [2, v(2)]]));
    assert.equal(m.deleteMany([1]), 1);
    assert.deepEqual([...m.keys()], [2]);
  });
});

describe('queue and stack', () => {
  it('queue: push/pop/peek in FIFO order; full queues refuse or overwrite', () => {
    using q = BpfMap.create({ type: 'queue', value: u32, maxEntries: 3 });
    assert.equal(q.keySize, 0);
    assert.equal(q.peek(), undefined);
    assert.equal(q.pop(), undefined);
    q.push(1).push(2).push(3);
    assert.throws(() => q.push(4), (e: unknown) => e instanceof BpfError && e.code === 'E2BIG');
    q.push(4, { flags: 'exist' });
    assert.equal(q.peek(), 2);
    assert.deepEqual([q.pop(), q.pop(), q.pop(), q.pop()], [2, 3, 4, undefined]);
    assert.throws(() => [...q], /a queue map has no keys to iterate/);
  });

  it('stack: LIFO', () => {
    using s = BpfMap.create({ type: 'stack', value: u64, maxEntries: 4 });
    s.push(1n).push(2n);
    assert.equal(s.peek(), 2n);
    assert.equal(s.pop(), 2n);
    assert.equal(s.pop(), 1n);
    assert.equal(s.pop(), undefined);
  });

  it('push/pop/peek refuse maps with keys', () => {
    using h = BpfMap.create({ type: 'hash', key: u32, value: u32, maxEntries: 1 });
    assert.throws(() => h.push(1), /push is for queues and stacks; a hash map has keys/);
    assert.throws(() => h.pop(), /pop is for queues and stacks/);
  });
});

describe('map lifetime', () => {
  it('closed maps throw ClosedError; close is idempotent; the handle is released', () => {
    const before = handleCount();
    const m = BpfMap.create({ type: 'hash', key: u32, value: u32, maxEntries: 1, name: 'gone' });
    assert.equal(handleCount(), before + 1);
    m.close();
    m.close();
    assert.equal(m.closed, true);
    assert.equal(handleCount(), before);
    for (const f of [() => m.get(1), () => m.set(1, 1), () => m.delete(1), () => [...m], () => m.info(), () => m.setMany([[1, 1]])]) {
      assert.throws(f, (e: unknown) => e instanceof ClosedError && e.code === 'EBADF' && e.message.startsWith("map 'gone': ") && e.message.endsWith('the map is closed'));
    }
  });

  it('info, ids, fromId and pins', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u16, maxEntries: 3, name: 'info_me' });
    const info = m.info();
    assert.deepEqual({ ...info, id: 0 }, { id: 0, name: 'info_me', type: 1, typeName: 'hash', keySize: 4, valueSize: 2, maxEntries: 3, flags: 0, ringbufAbandoned: 0 });
    assert.ok([...BpfMap.ids()].includes(info.id));
    m.set(7, 77);
    using raw = BpfMap.fromId(info.id);
    assert.equal(raw.name, 'info_me');
    assert.deepEqual([...raw], [[Buffer.from([7, 0, 0, 0]), Buffer.from([77, 0])]]);
    using typed = BpfMap.fromId(info.id, { key: u32, value: u16 });
    assert.equal(typed.get(7), 77);
    m.pin('/api-test/pinned');
    using again = BpfMap.fromPin('/api-test/pinned', { key: u32, value: u16 });
    assert.equal(again.get(7), 77);
    assert.throws(() => BpfMap.fromPin('/api-test/none'), NotFoundError);
    unpin('/api-test/pinned');
    assert.throws(() => BpfMap.fromPin('/api-test/pinned'), NotFoundError);
    assert.throws(() => unpin('/api-test/pinned'), NotFoundError);
    assert.equal(again.get(7), 77, 'the handle keeps the map');
    assert.throws(() => BpfMap.fromId(0x7ffffff0), NotFoundError);
    assert.throws(() => BpfMap.fromId(info.id, { key: u16, value: u16 }), /key: expected a 4-byte codec \(codec u16\), got 2 bytes/);
  });
});

describe('single-element calls reuse scratch Buffers safely', () => {
  it('dense codecs: values read back are fresh copies, not views of a reused Buffer', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: bytes(8), maxEntries: 4 });
    m.set(1, Buffer.from('aaaaaaaa'));
    m.set(2, Buffer.from('bbbbbbbb'));
    const a = m.get(1);
    const b = m.get(2);
    assert.equal(a?.toString(), 'aaaaaaaa', 'the first value survives the second get');
    assert.equal(b?.toString(), 'bbbbbbbb');
  });

  it("a user's codec that decodes to a view still gets its own Buffer per get", () => {
    const view: Codec<Buffer> = {
      name: 'view(4)',
      size: 4,
      align: 1,
      write: (v, buf, off) => void buf.set(v, off),
      read: (buf, off) => buf.subarray(off, off + 4),
      encode: (v) => Buffer.from(v),
      decode: (b) => Buffer.from(b),
    };
    using m = BpfMap.create({ type: 'hash', key: u32, value: view, maxEntries: 4 });
    m.set(1, Buffer.from('xxxx'));
    m.set(2, Buffer.from('yyyy'));
    const a = m.get(1);
    m.get(2);
    assert.equal(a?.toString(), 'xxxx');
  });

  it('padding of a struct key or value is zero whatever was written before', () => {
    const padded = struct({ a: u8, b: u32 }); // 3 padding bytes
    using m = BpfMap.create({ type: 'hash', key: padded, value: padded, maxEntries: 4 });
    m.set({ a: 1, b: 2 }, { a: 3, b: 4 });
    m.set({ a: 1, b: 2 }, { a: 5, b: 6 }, { flags: 'exist' });
    const raw = BpfMap.fromId(m.id);
    try {
      const [[k, v]] = [...raw.entries()] as Array<[Buffer, Buffer]>;
      assert.deepEqual([...k], [1, 0, 0, 0, 2, 0, 0, 0]);
      assert.deepEqual([...v], [5, 0, 0, 0, 6, 0, 0, 0]);
    } finally {
      raw.close();
    }
  });
});

describe('scalar codecs on the typed-array fast path', () => {
  const cases: Array<[string, Codec<any>, unknown[], unknown[]]> = [
    ['u8', u8, [0, 255], [256, -1, 1.5, 1n]],
    ['u16', u16, [0, 65535], [65536, -1]],
    ['u32', u32, [0, 0xffffffff, -0], [2 ** 32, -1, '1']],
    ['i8', i8, [-128, 127], [128, -129]],
    ['i16', i16, [-32768, 32767], [32768]],
    ['i32', i32, [-(2 ** 31), 2 ** 31 - 1], [2 ** 31, NaN]],
    ['u64', u64, [0n, (1n << 64n) - 1n], [1n << 64n, -1n, 1]],
    ['i64', i64, [-(1n << 63n), (1n << 63n) - 1n], [1n << 63n, 0]],
    ['f64', f64, [0, -1.5, Number.MAX_VALUE, Infinity], ['x', 1n]],
  ];
  for (const [name, codec, good, bad] of cases) {
    it(`${name}: keys and values round-trip at the edges; refusals name the map`, () => {
      using m = BpfMap.create({ type: 'hash', key: codec, value: codec, maxEntries: 8, name: `s_${name}` });
      for (const v of good) {
        m.set(v, v);
        assert.ok(m.has(v), `${name} has ${String(v)}`);
        assert.equal(Object.is(m.get(v), v) || m.get(v) === v, true, `${name} get ${String(v)}`);
      }
      // What the typed view stored is what the codec would have written.
      for (const [k, v] of m) assert.deepEqual(codec.encode(v), codec.encode(k));
      for (const v of bad) {
        assert.throws(() => m.set(v, good[0]), (e: unknown) => e instanceof CodecError && /s_/.test((e as Error).message), `${name} key ${String(v)}`);
        assert.throws(() => m.set(good[0], v), CodecError, `${name} value ${String(v)}`);
        assert.throws(() => m.get(v), CodecError, `${name} get ${String(v)}`);
      }
      assert.equal(m.get(good[0]), good[0] === -0 ? 0 : good[0], 'a refused set changed nothing');
    });
  }
});

describe('batches of scalar codecs (typed-array encode and decode)', () => {
  it('setMany/getMany round-trip u32 -> u64 and refuse a bad entry by its index, storing nothing', () => {
    using m = BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 4096, name: 'batch_scalars' });
    const entries: Array<[number, bigint]> = Array.from({ length: 3000 }, (_, i) => [i * 7, BigInt(i) << 40n]);
    assert.equal(m.setMany(entries), 3000);
    const all = new Map(m.getMany());
    assert.equal(all.size, 3000);
    for (const [k, v] of entries) assert.equal(all.get(k), v);
    const bad: Array<[number, bigint]> = [[5000, 1n], [5001, -1n], [5002, 2n]];
    assert.throws(() => m.setMany(bad), (e: unknown) => e instanceof CodecError && /entry 1/.test((e as Error).message) && /batch_scalars/.test((e as Error).message));
    assert.equal(m.has(5000), false, 'nothing of the refused batch was stored');
    assert.throws(() => m.setMany([[1.5, 1n]]), /entry 0/);
  });
});
