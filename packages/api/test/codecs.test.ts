// Codecs: round trips, ranges, C layouts (checked against the C compiler where one is present).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  BpfError,
  CodecError,
  array,
  bool,
  bytes,
  cstring,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  none,
  perCpu,
  struct,
  u16,
  u32,
  u64,
  u8,
  type Codec,
  type Infer,
} from '@bpfhost/api';

function roundTrip<T>(c: Codec<T>, v: T): Buffer {
  const buf = c.encode(v);
  assert.equal(buf.length, c.size);
  assert.deepEqual(c.decode(buf), v);
  return buf;
}

function refused(fn: () => unknown, pattern: RegExp): CodecError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CodecError, `expected a CodecError, got ${String(caught)}`);
  assert.ok(caught instanceof BpfError);
  assert.equal(caught.code, 'EINVAL');
  assert.equal(caught.errno, 22);
  assert.match(caught.message, pattern);
  return caught;
}

describe('integer codecs', () => {
  const cases: Array<[Codec<number>, number, number, number]> = [
    [u8, 1, 0, 255],
    [u16, 2, 0, 65535],
    [u32, 4, 0, 4294967295],
    [i8, 1, -128, 127],
    [i16, 2, -32768, 32767],
    [i32, 4, -2147483648, 2147483647],
  ];
  for (const [c, size, min, max] of cases) {
    it(`${c.name}: size ${size}, round trips ${min}..${max}, refuses beyond`, () => {
      assert.equal(c.size, size);
      assert.equal(c.align, size);
      for (const v of [min, max, 0, 1, Math.floor((min + max) / 3)]) roundTrip(c, v);
      refused(() => c.encode(max + 1), new RegExp(`expected an integer in ${min}\\.\\.${max} \\(codec ${c.name}\\), got ${max + 1}`));
      refused(() => c.encode(min - 1), /expected an integer/);
      refused(() => c.encode(1.5), /got 1\.5/);
      refused(() => c.encode(Number.NaN), /got NaN/);
      refused(() => c.encode('1' as unknown as number), /got the string "1"/);
      refused(() => c.encode(1n as unknown as number), /got 1n/);
    });
  }

  it('little-endian bytes (host order)', () => {
    assert.deepEqual([...u32.encode(0x01020304)], [4, 3, 2, 1]);
    assert.deepEqual([...i16.encode(-2)], [0xfe, 0xff]);
    assert.deepEqual([...u64.encode(0x0102030405060708n)], [8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('u64 and i64 are bigints with full range', () => {
    for (const v of [0n, 1n, 2n ** 64n - 1n, 2n ** 53n + 1n]) roundTrip(u64, v);
    for (const v of [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n]) roundTrip(i64, v);
    refused(() => u64.encode(2n ** 64n), /expected a bigint in 0\.\.18446744073709551615 \(codec u64\), got 18446744073709551616n/);
    refused(() => u64.encode(-1n), /got -1n/);
    refused(() => i64.encode(2n ** 63n), /codec i64/);
    refused(() => u64.encode(5 as unknown as bigint), /expected a bigint .* got 5$/);
    assert.equal(u64.size, 8);
    assert.equal(u64.align, 8);
  });
});

describe('float and bool codecs', () => {
  it('f64 round trips any number', () => {
    for (const v of [0, -0, 1.5, Math.PI, -1e300, Number.MAX_VALUE, Infinity]) roundTrip(f64, v);
    assert.ok(Number.isNaN(f64.decode(f64.encode(Number.NaN))));
    refused(() => f64.encode('x' as unknown as number), /expected a number/);
  });

  it('f32 rounds to single precision and refuses finite overflow', () => {
    assert.equal(f32.decode(f32.encode(1.5)), 1.5);
    assert.equal(f32.decode(f32.encode(0.1)), Math.fround(0.1));
    assert.equal(f32.decode(f32.encode(-Infinity)), -Infinity);
    refused(() => f32.encode(1e39), /codec f32/);
  });

  it('bool is one byte; any non-zero byte is true', () => {
    assert.deepEqual([...bool.encode(true)], [1]);
    assert.deepEqual([...bool.encode(false)], [0]);
    assert.equal(bool.decode(Buffer.from([7])), true);
    refused(() => bool.encode(1 as unknown as boolean), /expected a boolean \(codec bool\), got 1/);
  });
});

describe('bytes and cstring', () => {
  it('bytes(n) takes exactly n bytes and decodes to a copy', () => {
    const c = bytes(4);
    const src = Buffer.from([1, 2, 3, 4]);
    const enc = c.encode(new Uint8Array(src) as Buffer); // any Uint8Array is accepted at run time
    assert.deepEqual(enc, src);
    const out = c.decode(enc);
    out[0] = 9;
    assert.equal(enc[0], 1, 'decode copies');
    refused(() => c.encode(Buffer.alloc(3)), /expected 4 bytes \(codec bytes\(4\)\), got 3 bytes/);
    refused(() => c.encode([1, 2, 3, 4] as unknown as Buffer), /got an array of 4/);
  });

  it('cstring(n) holds at most n-1 UTF-8 bytes and stops at NUL', () => {
    const c = cstring(8);
    assert.equal(c.name, 'char[8]');
    const enc = roundTrip(c, 'hello');
    assert.deepEqual([...enc], [104, 101, 108, 108, 111, 0, 0, 0]);
    roundTrip(c, '');
    roundTrip(c, 'seven77');
    roundTrip(c, 'é€'); // 5 bytes
    refused(() => c.encode('eight888'), /at most 7 UTF-8 bytes/);
    refused(() => c.encode('a\0b'), /without NUL/);
    assert.equal(c.decode(Buffer.from('ab\0cdefg')), 'ab');
    assert.equal(c.decode(Buffer.from('abcdefgh')), 'abcdefgh', 'no NUL: all n bytes');
  });

  it('lengths must be integers in [1, 2^31-1]', () => {
    const range = /expected a length \(an integer in \[1, 2147483647\]\)/;
    refused(() => bytes(0), range);
    refused(() => cstring(-1), range);
    refused(() => array(u8, 1.5), range);
    refused(() => bytes(2 ** 31), /got 2147483648$/);
    refused(() => bytes(Number.NaN), /got NaN$/);
    refused(() => array(u8, '4' as unknown as number), /got the string "4"$/);
    assert.equal(bytes(2 ** 31 - 1).size, 2 ** 31 - 1);
  });
});

describe('arrays and structs', () => {
  it('array(codec, n) needs exactly n elements; errors name the index', () => {
    const c = array(u16, 3);
    assert.equal(c.name, 'u16[3]');
    assert.equal(c.size, 6);
    assert.equal(c.align, 2);
    assert.equal(c.length, 3);
    assert.equal(c.element, u16);
    roundTrip(c, [1, 2, 65535]);
    refused(() => c.encode([1, 2]), /expected an array of 3 \(codec u16\[3\]\), got an array of 2/);
    const e = refused(() => c.encode([1, 70000, 3]), /^\[1\]: expected an integer in 0\.\.65535 \(codec u16\), got 70000$/);
    assert.equal(e.path, '[1]');
  });

  it('struct { u8 a; u64 b; u16 c; }: offsets 0, 8, 16, size 24, padding zero', () => {
    const c = struct({ a: u8, b: u64, c: u16 });
    assert.deepEqual(c.fields.map((f) => [f.name, f.offset]), [['a', 0], ['b', 8], ['c', 16]]);
    assert.equal(c.size, 24);
    assert.equal(c.align, 8);
    assert.equal(c.name, 'struct { a: u8, b: u64, c: u16 }');
    const buf = roundTrip(c, { a: 0xff, b: 0x1122334455667788n, c: 0xabcd });
    assert.deepEqual([...buf.subarray(1, 8)], [0, 0, 0, 0, 0, 0, 0], 'padding after a');
    assert.deepEqual([...buf.subarray(18, 24)], [0, 0, 0, 0, 0, 0], 'tail padding');
    assert.equal(buf.readBigUInt64LE(8), 0x1122334455667788n);
    assert.equal(buf.readUInt16LE(16), 0xabcd);
  });

  it('nested structs and arrays align as C does', () => {
    const inner = struct({ x: u8, y: u32 });
    assert.equal(inner.size, 8);
    const c = struct({ a: u8, s: inner, arr: array(u16, 3), d: u8 });
    assert.deepEqual(c.fields.map((f) => f.offset), [0, 4, 12, 18]);
    assert.equal(c.size, 20);
    assert.equal(c.align, 4);
    roundTrip(c, { a: 1, s: { x: 2, y: 3 }, arr: [4, 5, 6], d: 7 });
  });

  it('packed structs have no padding', () => {
    const c = struct({ a: u8, b: u64, c: u16 }, { packed: true });
    assert.deepEqual(c.fields.map((f) => f.offset), [0, 1, 9]);
    assert.equal(c.size, 11);
    assert.equal(c.align, 1);
    assert.match(c.name, /packed$/);
    roundTrip(c, { a: 1, b: 2n, c: 3 });
  });

  it('struct errors name the member path and refuse unknown or missing members', () => {
    const c = struct({ a: u32, s: struct({ v: array(i8, 2) }) }, { name: 'struct thing' });
    assert.equal(c.name, 'struct thing');
    const e = refused(() => c.encode({ a: 1, s: { v: [1, 200] } }), /^s\.v\[1\]: expected an integer in -128\.\.127 \(codec i8\), got 200$/);
    assert.equal(e.path, '.s.v[1]');
    assert.equal(e.codec, 'i8');
    assert.equal(e.expected, 'an integer in -128..127');
    assert.equal(e.got, '200');
    refused(() => c.encode({ a: 1, s: { v: [1, 2] }, z: 3 } as never), /only the members a, s .*got a member 'z'/);
    refused(() => c.encode({ a: 1 } as never), /^s: expected an object with v/);
    refused(() => c.encode(null as never), /expected an object with a, s/);
    refused(() => c.encode([1, 2] as never), /got an array of 2/);
  });

  it('decode wants exactly size bytes', () => {
    const c = struct({ a: u32, b: u16 });
    refused(() => c.decode(Buffer.alloc(6)), /expected 8 bytes \(codec struct \{ a: u32, b: u16 \}\), got 6 bytes/);
    refused(() => u32.decode(Buffer.alloc(8)), /expected 4 bytes/);
    refused(() => u32.decode('abcd' as unknown as Buffer), /got the string "abcd"/);
    // A Uint8Array view works (no copy needed).
    const u = new Uint8Array([0, 9, 0, 0, 0, 0]);
    assert.equal(u32.decode(u.subarray(1, 5)), 9);
  });

  it('inferred types are precise', () => {
    const c = struct({ a: u8, b: u64, name: cstring(16), raw: bytes(2), xs: array(f32, 2), ok: bool });
    type T = Infer<typeof c>;
    const v: T = { a: 1, b: 2n, name: 'n', raw: Buffer.alloc(2), xs: [1, 2], ok: true };
    const back: { a: number; b: bigint; name: string; raw: Buffer; xs: number[]; ok: boolean } = c.decode(c.encode(v));
    assert.deepEqual(back, v);
  });
});

describe('perCpu and none', () => {
  it('perCpu(codec, n) lays out one 8-byte-aligned slot per CPU', () => {
    const c = perCpu(u32, 3);
    assert.equal(c.size, 24);
    assert.equal(c.cpus, 3);
    assert.equal(c.element, u32);
    const buf = roundTrip(c, [1, 2, 3]);
    assert.equal(buf.readUInt32LE(8), 2);
    assert.equal(buf.readUInt32LE(12), 0);
    assert.equal(perCpu(struct({ a: u64, b: u8 }), 2).size, 32);
    assert.equal(perCpu(bytes(9), 2).size, 32);
    refused(() => c.encode([1, 2]), /an array of 3 values \(one per possible CPU\)/);
    refused(() => c.encode([1, -1, 3]), /^\[1\]: expected an integer/);
  });

  it('none is the zero-size key of keyless maps', () => {
    assert.equal(none.size, 0);
    assert.equal(none.encode(undefined).length, 0);
    assert.equal(none.decode(Buffer.alloc(0)), undefined);
    refused(() => none.encode(1 as never), /the map has no keys/);
  });
});

/** struct layouts as the C compiler computes them, to compare with the codecs'. */
describe('layouts against the C compiler', () => {
  const cc = ['cc', 'gcc', 'clang-19'].find((c) => {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  it('matches offsetof/sizeof for several structs', { skip: cc ? false : 'no C compiler (cc, gcc, clang-19) found' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfhost-api-layout-'));
    try {
      writeFileSync(
        join(dir, 'layout.c'),
        `#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
struct s1 { uint8_t a; uint64_t b; uint16_t c; };
struct in { uint8_t x; uint32_t y; };
struct s2 { uint8_t a; struct in s; uint16_t arr[3]; uint8_t d; };
struct s3 { uint16_t a; double b; uint8_t c[3]; float d; int64_t e; char name[5]; };
struct __attribute__((packed)) s4 { uint8_t a; uint64_t b; uint16_t c; };
struct s5 { uint32_t a; uint8_t b; };
#define P(S, F) printf("%zu ", offsetof(struct S, F))
int main(void) {
  P(s1, a); P(s1, b); P(s1, c); printf("%zu\\n", sizeof(struct s1));
  P(s2, a); P(s2, s); P(s2, arr); P(s2, d); printf("%zu\\n", sizeof(struct s2));
  P(s3, a); P(s3, b); P(s3, c); P(s3, d); P(s3, e); P(s3, name); printf("%zu\\n", sizeof(struct s3));
  P(s4, a); P(s4, b); P(s4, c); printf("%zu\\n", sizeof(struct s4));
  P(s5, a); P(s5, b); printf("%zu\\n", sizeof(struct s5));
  return 0;
}
`,
      );
      execFileSync(cc as string, ['-o', join(dir, 'layout'), join(dir, 'layout.c')]);
      const lines = execFileSync(join(dir, 'layout'), { encoding: 'utf8' }).trim().split('\n');
      const codecs = [
        struct({ a: u8, b: u64, c: u16 }),
        struct({ a: u8, s: struct({ x: u8, y: u32 }), arr: array(u16, 3), d: u8 }),
        struct({ a: u16, b: f64, c: bytes(3), d: f32, e: i64, name: cstring(5) }),
        struct({ a: u8, b: u64, c: u16 }, { packed: true }),
        struct({ a: u32, b: u8 }),
      ];
      codecs.forEach((c, i) => {
        assert.equal([...c.fields.map((f) => f.offset), c.size].join(' '), lines[i], c.name);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
