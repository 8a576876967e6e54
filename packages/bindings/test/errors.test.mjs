// Errors: every failure is an Error with code (errno name), errno and the
// library's message; Buffers of the wrong size are refused before the C
// library could read or write past their end.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { b, MAP, BPF_NOEXIST, BPF_EXIST, u32, u64, throwsErrno } from './helpers.mjs';

test('ENOENT, EEXIST, E2BIG, EBADF with the core messages', () => {
  const fd = b.mapCreate(MAP.HASH, 'errs', 4, 8, 2);
  throwsErrno(() => b.mapLookupElem(fd, u32(1), 8), 'ENOENT', 2, /map 'errs'.*no such key/);
  throwsErrno(() => b.mapDeleteElem(fd, u32(1)), 'ENOENT', 2);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u64(1), BPF_EXIST), 'ENOENT', 2);
  b.mapUpdateElem(fd, u32(1), u64(1), BPF_NOEXIST);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u64(1), BPF_NOEXIST), 'EEXIST', 17, /errs/);
  b.mapUpdateElem(fd, u32(2), u64(2));
  throwsErrno(() => b.mapUpdateElem(fd, u32(3), u64(3)), 'E2BIG', 7, /errs/);
  b.close(fd);
  throwsErrno(() => b.mapLookupElem(fd, u32(1), 8), 'EBADF', 9, new RegExp(`mapLookupElem: handle ${fd} is not open`));
  throwsErrno(() => b.close(fd), 'EBADF', 9);
  throwsErrno(() => b.mapGetInfo(12345), 'EBADF', 9);
  throwsErrno(() => b.progTestRun(12345), 'EBADF', 9);
  throwsErrno(() => b.mapCreate(MAP.HASH, 'big', 4, 8, 0), 'EINVAL', 22, /max_entries/);
  throwsErrno(() => b.mapCreate(77777, 'nope', 4, 8, 1), 'EINVAL', 22);
  throwsErrno(() => b.mapCreate(MAP.HASH, 'k', 4, 8, 0xffffffff), 'E2BIG', 7, /max_entries 4294967295 is over the limit/);
});

test('wrong key and value sizes: EINVAL naming the map and the size expected', () => {
  const fd = b.mapCreate(MAP.HASH, 'sized', 8, 16, 4);
  const k = Buffer.alloc(8);
  const v = Buffer.alloc(16);
  b.mapUpdateElem(fd, k, v);
  const short = Buffer.alloc(3);
  for (const [name, fn] of [
    ['lookup', () => b.mapLookupElem(fd, short, 16)],
    ['update', () => b.mapUpdateElem(fd, short, v)],
    ['delete', () => b.mapDeleteElem(fd, short)],
    ['next key', () => b.mapGetNextKey(fd, short, 8)],
    ['lookup and delete', () => b.mapLookupAndDeleteElem(fd, short, 16)],
    ['longer key', () => b.mapLookupElem(fd, Buffer.alloc(9), 16)],
    ['lookup into', () => b.mapLookupElemInto(fd, short, Buffer.alloc(16))],
  ]) {
    throwsErrno(fn, 'EINVAL', 22, /map 'sized' keys are 8 bytes, got a \d+-byte Buffer/);
    assert.ok(name);
  }
  throwsErrno(() => b.mapUpdateElem(fd, k, Buffer.alloc(15)), 'EINVAL', 22, /map 'sized' values are 16 bytes, got a Buffer of 15/);
  throwsErrno(() => b.mapLookupElem(fd, k, 4), 'EINVAL', 22, /values are 16 bytes, got valueSize 4/);
  throwsErrno(() => b.mapLookupElemInto(fd, k, Buffer.alloc(8)), 'EINVAL', 22, /mapLookupElemInto: map 'sized' values are 16 bytes, got a Buffer of 8/);
  throwsErrno(() => b.mapLookupAndDeleteElem(fd, k, 32), 'EINVAL', 22, /values are 16 bytes/);
  throwsErrno(() => b.mapGetNextKey(fd, null, 4), 'EINVAL', 22, /keys are 8 bytes, got keySize 4/);
  throwsErrno(() => b.mapLookupBatch(fd, null, 8, 8, 4), 'EINVAL', 22, /values are 16 bytes/);
  throwsErrno(() => b.mapLookupBatch(fd, Buffer.alloc(2), 8, 16, 4), 'EINVAL', 22, /batch tokens are 8 bytes/);
  throwsErrno(() => b.mapUpdateBatch(fd, Buffer.alloc(16), Buffer.alloc(16), 2), 'EINVAL', 22, /2 values of 16 bytes need a 32-byte Buffer, got 16/);
  throwsErrno(() => b.mapUpdateBatch(fd, Buffer.alloc(8), Buffer.alloc(32), 2), 'EINVAL', 22, /2 keys of 8 bytes need a 16-byte Buffer, got 8/);
  throwsErrno(() => b.mapDeleteBatch(fd, Buffer.alloc(7), 1), 'EINVAL', 22, /1 keys of 8 bytes/);
  assert.deepEqual(b.mapLookupElem(fd, k, 16), v, 'the map is intact');
  b.close(fd);

  const q = b.mapCreate(MAP.QUEUE, 'q', 0, 4, 4);
  throwsErrno(() => b.mapUpdateElem(q, u32(1), u32(1)), 'EINVAL', 22, /map 'q' has no keys \(key_size 0\): pass null/);
  b.close(q);
});

test('a handle of another kind is not a map', () => {
  const prog = b.progLoad(1, 'p', 'GPL', b.asm('mov %r0, 0\nexit'));
  throwsErrno(() => b.mapLookupElem(prog, u32(0), 4), 'EINVAL', 22, new RegExp(`handle ${prog} is a program, not a map`));
  throwsErrno(() => b.mapGetInfo(prog), 'EINVAL', 22, /is a program, not a map/);
  const fd = b.mapCreate(MAP.ARRAY, 'a', 4, 4, 1);
  throwsErrno(() => b.progGetInfo(fd), 'EINVAL', 22, /is not a program/);
  throwsErrno(() => b.linkGetInfo(fd), 'EINVAL', 22, /is not a link/);
  b.close(fd);
  b.close(prog);
});

test('bad values: bigint ranges, NUL in strings, instruction sizes', () => {
  const fd = b.mapCreate(MAP.HASH, 'h', 4, 4, 4);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u32(1), -1n), 'EINVAL', 22, /flags must be a bigint in 0 \.\. 2\^64-1/);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u32(1), 1n << 64n), 'EINVAL', 22);
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u32(1), 1n << 40n), 'EINVAL', 22, /flags/);
  b.close(fd);
  throwsErrno(() => b.mapCreate(MAP.HASH, 'a\0b', 4, 4, 4), 'EINVAL', 22, /name contains a NUL/);
  throwsErrno(() => b.progLoad(1, 'p', 'GPL', Buffer.alloc(12)), 'EINVAL', 22, /8 bytes each, got a 12-byte Buffer/);
  throwsErrno(() => b.disasm(Buffer.alloc(3)), 'EINVAL', 22, /8 bytes each/);
  throwsErrno(() => b.asm('mov %r11, 1'), 'EINVAL', 22, /line 1/);
  throwsErrno(() => b.extensionLoad('/nonexistent/ext.so'), 'ENOENT', 2);
  throwsErrno(() => b.extensionUnload(999), 'EBADF', 9);
  throwsErrno(() => b.progTypeBySection('no_such_section/x'), 'ENOENT', 2);
  // A JS type mismatch is napi's own argument check (its status, not an errno).
  assert.throws(() => b.mapLookupElem('x', null, 4), { code: 'NumberExpected' });
  assert.throws(() => b.mapLookupElem(1, 5, 4), { code: 'InvalidArg' });
});

test('errors carry no stale message from an earlier call', () => {
  const fd = b.mapCreate(MAP.HASH, 'fresh', 4, 4, 4);
  assert.throws(() => b.mapLookupElem(fd, u32(1), 4), { code: 'ENOENT' });
  b.mapUpdateElem(fd, u32(1), u32(1));
  throwsErrno(() => b.mapUpdateElem(fd, u32(1), u32(1), BPF_NOEXIST), 'EEXIST', 17);
  b.close(fd);
});
