// BTF-derived codecs from hand-written type tables (the shape NativeObject.btfTypes() returns).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Btf, BpfError, CodecError, type BtfType, type BtfValue } from '@bpfhost/api';

const int = (id: number, name: string, size: number, signed = false, extra: Partial<NonNullable<BtfType['intEncoding']>> = {}): BtfType => ({
  id,
  kind: 'int',
  name,
  size,
  intEncoding: { signed, char: false, bool: false, bits: size * 8, offset: 0, ...extra },
});
const member = (name: string, type: number, bitOffset: number, bitfieldSize = 0) => ({ name, type, bitOffset, bitfieldSize });

/*
 * enum color { RED, GREEN, BLUE = 7 };
 * struct event {                      // 40 bytes
 *   __u32 pid;                        // 0
 *   unsigned int flags : 3;           // bit 32
 *   enum color kind : 4;              // bit 35
 *   int delta : 5;                    // bit 39 (crosses a byte)
 *   _Bool on : 1;                     // bit 44
 *   __u64 ts;                         // 8
 *   char comm[8];                     // 16
 *   unsigned char mac[4];             // 24
 *   const volatile short vals[2];     // 28
 *   struct { __u16 x; __u16 y; };     // 32 (anonymous: flattened)
 *   union { __u32 a; float f; } u;    // 36
 * };
 */
const types: BtfType[] = [
  { id: 0, kind: 'void', name: '' },
  int(1, 'unsigned int', 4),
  int(2, 'long long unsigned int', 8),
  int(3, 'char', 1, true),
  { id: 4, kind: 'array', name: '', array: { elemType: 3, indexType: 1, nelems: 8 } },
  { id: 5, kind: 'enum', name: 'color', size: 4, values: [{ name: 'RED', value: 0n }, { name: 'GREEN', value: 1n }, { name: 'BLUE', value: 7n }] },
  {
    id: 6,
    kind: 'struct',
    name: 'event',
    size: 40,
    members: [
      member('pid', 7, 0),
      member('flags', 1, 32, 3),
      member('kind', 5, 35, 4),
      member('delta', 9, 39, 5),
      member('on', 13, 44, 1),
      member('ts', 18, 64),
      member('comm', 4, 128),
      member('mac', 15, 192),
      member('vals', 19, 224),
      member('', 20, 256),
      member('u', 11, 288),
    ],
  },
  { id: 7, kind: 'typedef', name: '__u32', type: 1 },
  { id: 8, kind: 'const', name: '', type: 7 },
  int(9, 'int', 4, true),
  { id: 10, kind: 'ptr', name: '', type: 6 },
  { id: 11, kind: 'union', name: '', size: 4, members: [member('a', 1, 0), member('f', 12, 0)] },
  { id: 12, kind: 'float', name: 'float', size: 4 },
  int(13, '_Bool', 1, false, { bool: true }),
  int(14, 'unsigned char', 1),
  { id: 15, kind: 'array', name: '', array: { elemType: 14, indexType: 1, nelems: 4 } },
  int(16, 'short', 2, true),
  { id: 17, kind: 'volatile', name: '', type: 16 },
  { id: 18, kind: 'typedef', name: '__u64', type: 2 },
  { id: 19, kind: 'array', name: '', array: { elemType: 21, indexType: 1, nelems: 2 } },
  { id: 20, kind: 'struct', name: '', size: 4, members: [member('x', 22, 0), member('y', 22, 16)] },
  { id: 21, kind: 'const', name: '', type: 17 },
  int(22, 'unsigned short', 2),
  { id: 23, kind: 'enum64', name: 'big', size: 8, values: [{ name: 'HUGE', value: 1n << 40n }, { name: 'NEG', value: -1n }] },
  { id: 24, kind: 'fwd', name: 'opaque' },
  { id: 25, kind: 'func_proto', name: '', type: 9 },
  { id: 26, kind: 'type_tag', name: 'user', type: 2 },
  { id: 27, kind: 'restrict', name: '', type: 10 },
  { id: 28, kind: 'float', name: 'double', size: 8 },
  int(29, '__int128', 16, true),
  { id: 30, kind: 'struct', name: 'bad', size: 8, members: [member('s', 20, 0, 3)] },
  { id: 31, kind: 'typedef', name: 'loop', type: 32 },
  { id: 32, kind: 'typedef', name: 'loop2', type: 31 },
  { id: 33, kind: 'array', name: '', array: { elemType: 6, indexType: 1, nelems: 2 } },
  // Old-style bitfield: the int's own encoding says 4 bits at offset 2.
  { id: 34, kind: 'struct', name: 'old', size: 4, members: [member('b', 35, 0)] },
  int(35, 'unsigned int', 4, false, { bits: 4, offset: 2 }),
  { id: 36, kind: 'datasec', name: '.bss', size: 12, vars: [{ type: 37, offset: 0, size: 8 }, { type: 38, offset: 8, size: 1 }] },
  { id: 37, kind: 'var', name: 'counter', type: 18 },
  { id: 38, kind: 'var', name: 'ready', type: 13 },
  { id: 39, kind: 'float', name: 'long double', size: 16 },
  { id: 40, kind: 'array', name: '', array: { elemType: 1, indexType: 1, nelems: 0 } },
];

const btf = new Btf(types);

function refused(fn: () => unknown, pattern: RegExp): CodecError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.ok(e instanceof BpfError);
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail('expected a CodecError');
}

describe('BTF-derived codecs', () => {
  it('ints: signedness and size pick number or bigint; bool is boolean', () => {
    assert.equal(btf.codec(1).decode(Buffer.from([0xff, 0xff, 0xff, 0xff])), 4294967295);
    assert.equal(btf.codec(9).decode(Buffer.from([0xff, 0xff, 0xff, 0xff])), -1);
    assert.equal(btf.codec(2).decode(Buffer.alloc(8, 0xff)), 2n ** 64n - 1n);
    assert.equal(btf.codec(3).decode(Buffer.from([0x80])), -128);
    assert.equal(btf.codec(13).decode(Buffer.from([1])), true);
    const i128 = btf.codec(29);
    assert.equal(i128.size, 16);
    assert.equal(i128.decode(i128.encode(-(2n ** 100n))), -(2n ** 100n));
    assert.equal(i128.decode(Buffer.alloc(16, 0xff)), -1n);
    refused(() => btf.codec(1).encode(-1), /expected an integer in 0\.\.4294967295 \(codec unsigned int\), got -1/);
  });

  it('typedef, const, volatile, restrict, type_tag resolve to the type they name', () => {
    assert.equal(btf.codec(7).name, '__u32');
    assert.equal(btf.codec(8).size, 4);
    assert.equal(btf.codec(8).decode(Buffer.from([5, 0, 0, 0])), 5);
    assert.equal(btf.codec(26).decode(Buffer.alloc(8, 1)), 0x0101010101010101n);
    assert.equal(btf.resolve(8).name, 'unsigned int');
    assert.equal(btf.resolve(21).name, 'short');
    assert.equal(btf.typeName(8), 'const __u32');
    assert.equal(btf.typeName(10), 'struct event *');
    assert.equal(btf.typeName(4), 'char[8]');
    assert.equal(btf.typeName(11), 'union <anon>');
  });

  it('ptr is a 64-bit bigint', () => {
    const c = btf.codec(27);
    assert.equal(c.size, 8);
    assert.equal(c.decode(c.encode(0xffff800000001000n)), 0xffff800000001000n);
  });

  it('enums decode to names (numbers when unnamed) and encode names or numbers', () => {
    const c = btf.codec(5);
    assert.equal(c.name, 'enum color');
    assert.equal(c.decode(Buffer.from([7, 0, 0, 0])), 'BLUE');
    assert.equal(c.decode(Buffer.from([3, 0, 0, 0])), 3);
    assert.deepEqual([...c.encode('GREEN')], [1, 0, 0, 0]);
    assert.deepEqual([...c.encode(9)], [9, 0, 0, 0]);
    refused(() => c.encode('PURPLE'), /expected one of RED, GREEN, BLUE or an integer in 0\.\.4294967295 \(codec enum color\), got the string "PURPLE"/);
    const e64 = btf.codec(23);
    assert.equal(e64.size, 8);
    assert.equal(e64.decode(e64.encode('HUGE')), 'HUGE');
    assert.equal(e64.decode(e64.encode(-1n)), 'NEG');
    assert.equal(e64.decode(e64.encode(5n)), 5n, 'enum64 values without a name are bigints');
  });

  it('floats: 4 and 8 bytes are numbers, others raw bytes', () => {
    assert.equal(btf.codec(12).decode(btf.codec(12).encode(1.5)), 1.5);
    assert.equal(btf.codec(28).decode(btf.codec(28).encode(Math.PI)), Math.PI);
    const ld = btf.codec(39);
    assert.equal(ld.size, 16);
    assert.ok(Buffer.isBuffer(ld.decode(Buffer.alloc(16))));
  });

  it('arrays: char[] is a string, unsigned char[] a Buffer, others arrays', () => {
    assert.equal(btf.codec(4).decode(Buffer.from('abc\0\0\0\0\0')), 'abc');
    assert.deepEqual(btf.codec(15).decode(Buffer.from([1, 2, 3, 4])), Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(btf.codec(19).decode(Buffer.from([0xff, 0xff, 2, 0])), [-1, 2]);
    assert.equal(btf.codec(40).size, 0);
    assert.deepEqual(btf.codec(40).decode(Buffer.alloc(0)), []);
    const two = btf.codec(33);
    assert.equal(two.size, 80);
  });

  it('struct event: members at their BTF offsets, bitfields bit-exact, anonymous struct flattened, union raw', () => {
    const c = btf.codec(6);
    assert.equal(c.name, 'struct event');
    assert.equal(c.size, 40);
    const value: BtfValue = {
      pid: 4242,
      flags: 5,
      kind: 'BLUE',
      delta: -9,
      on: true,
      ts: 123456789012345n,
      comm: 'bash',
      mac: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      vals: [-2, 300],
      x: 17,
      y: 65535,
      u: Buffer.from([1, 0, 0, 0]),
    };
    const buf = c.encode(value);
    // Hand-computed bytes: bits 32.. hold flags=5 (3 bits), kind=7 (4 bits at 35), delta=-9 (5 bits at 39), on=1 (bit 44).
    const bits = 5n | (7n << 3n) | (BigInt.asUintN(5, -9n) << 7n) | (1n << 12n);
    assert.equal(BigInt(buf.readUInt32LE(4)), bits);
    assert.equal(buf.readUInt32LE(0), 4242);
    assert.equal(buf.readBigUInt64LE(8), 123456789012345n);
    assert.equal(buf.toString('latin1', 16, 20), 'bash');
    assert.equal(buf.readUInt32BE(24), 0xdeadbeef);
    assert.equal(buf.readInt16LE(28), -2);
    assert.equal(buf.readUInt16LE(32), 17);
    assert.equal(buf.readUInt16LE(34), 65535);
    assert.deepEqual(c.decode(buf), value);
  });

  it('struct members left out encode as zero; unknown members and bad bitfield values are refused', () => {
    const c = btf.codec(6);
    const buf = c.encode({ pid: 1 });
    assert.equal(buf.readUInt32LE(0), 1);
    assert.equal(buf.subarray(4).every((b) => b === 0), true);
    refused(() => c.encode({ pid: 1, pdi: 2 }), /only the members pid, flags, kind, delta, on, ts, comm, mac, vals, x, y, u .*got a member 'pdi'/);
    refused(() => c.encode({ flags: 8 }), /^flags: expected an integer in 0\.\.7 \(3 bits\) \(codec unsigned int:3\), got 8$/);
    refused(() => c.encode({ delta: -17 }), /^delta: expected an integer in -16\.\.15 \(5 bits\)/);
    refused(() => c.encode({ kind: 'PINK' }), /^kind: expected an enumerator or an integer in 0\.\.15/);
    refused(() => c.encode({ on: 1 }), /^on: expected a boolean/);
    refused(() => c.encode({ comm: 'much too long' }), /^comm: expected a string of at most 7 UTF-8 bytes/);
    refused(() => c.encode({ vals: [1, 2, 3] }), /^vals: expected an array of 2/);
    refused(() => c.encode(7), /expected an object with members pid/);
    // Neighbouring bitfields are kept when one is written over the other's bytes.
    const both = c.decode(c.encode({ flags: 7, kind: 'GREEN', delta: 15, on: false })) as Record<string, BtfValue>;
    assert.deepEqual([both.flags, both.kind, both.delta, both.on], [7, 'GREEN', 15, false]);
  });

  it('old-style bitfields (int encoding bits/offset) and datasec variables', () => {
    const old = btf.codec(34);
    const buf = old.encode({ b: 9 });
    assert.equal(buf.readUInt32LE(0), 9 << 2);
    assert.deepEqual(old.decode(buf), { b: 9 });
    const bss = btf.codec(36);
    assert.equal(bss.size, 12);
    assert.deepEqual(bss.decode(bss.encode({ counter: 3n, ready: true })), { counter: 3n, ready: true });
  });

  it('types without a size, bitfields of structs, loops and unknown ids are refused clearly', () => {
    refused(() => btf.codec(0), /expected a BTF type with a size \(codec void\), got void/);
    refused(() => btf.codec(24), /got a 'fwd' \(type 24\)/);
    refused(() => btf.codec(25), /got a 'func_proto' \(type 25\)/);
    refused(() => btf.codec(30), /^s: expected bitfields of ints, bools or enums only \(codec struct bad\), got a 3-bit struct <anon> at bit 0$/);
    refused(() => btf.codec(31), /nested at most 64 deep|typedefs that ends/);
    refused(() => btf.resolve(31), /a chain of typedefs that ends/);
    refused(() => btf.codec(99), /expected a BTF type id below 41/);
    assert.equal(btf.sizeOf(24), 0);
    assert.equal(btf.sizeOf(6), 40);
  });

  it('codecs are memoized per type id', () => {
    assert.equal(btf.codec(6), btf.codec(6));
  });
});
