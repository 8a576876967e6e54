// Integer arguments: napi's own u32/i32 conversions wrap (2^32 becomes 0, -5 becomes 4294967291,
// 1.5 becomes 1), so the binding takes them as numbers and refuses anything that is not an integer
// in the C parameter's range with EINVAL naming the function, the argument, the range and the value.
// Values in range reach the C library unchanged. And the instruction budget option of test runs
// and links.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { b, MAP, PROG_SOCKET_FILTER, frame, needSampleExt, sampleExt, u32, u64, throwsErrno } from './helpers.mjs';

const U32 = '[0, 4294967295]';
const I32 = '[-2147483648, 2147483647]';

/** Numbers no u32 argument takes, as the messages spell them. */
const NOT_U32 = [[1.5, '1.5'], [-5, '-5'], [2 ** 32, '4294967296'], [2 ** 40, '1099511627776'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']];
/** Numbers no int argument (handles, timeouts) takes. */
const NOT_I32 = [[0.5, '0.5'], [2 ** 31, '2147483648'], [-(2 ** 31) - 1, '-2147483649'], [2 ** 32 + 3, '4294967299'], [NaN, 'NaN'], [-Infinity, '-Infinity']];

function refused(fn, fnName, arg, range, got) {
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  throwsErrno(fn, 'EINVAL', 22, new RegExp(`^${escape(`${fnName}: ${arg} must be an integer in ${range}, got ${got}`)}$`));
}

test('every u32 and int argument is checked, not wrapped', (t) => {
  const m = b.mapCreate(MAP.HASH, 'nums', 4, 8, 4);
  const prog = b.progLoad(PROG_SOCKET_FILTER, 'nums', 'GPL', b.asm('mov %r0, 0\nexit'));
  const rb = b.mapCreate(MAP.RINGBUF, 'nums_rb', 0, 0, 4096);
  const consumer = new b.RingBufferConsumer(rb);
  t.after(() => {
    consumer.close();
    for (const fd of [m, prog, rb]) b.close(fd);
  });
  const before = b.handleCount();
  const k = u32(1);
  const v = u64(1);
  // [function, argument, range, call with the bad value x]
  const u32Args = [
    ['mapCreate', 'mapType', (x) => b.mapCreate(x, 'n', 4, 8, 1)],
    ['mapCreate', 'keySize', (x) => b.mapCreate(MAP.HASH, 'n', x, 8, 1)],
    ['mapCreate', 'valueSize', (x) => b.mapCreate(MAP.HASH, 'n', 4, x, 1)],
    ['mapCreate', 'maxEntries', (x) => b.mapCreate(MAP.HASH, 'n', 4, 8, x)],
    ['mapCreate', 'mapFlags', (x) => b.mapCreate(MAP.HASH, 'n', 4, 8, 1, { mapFlags: x })],
    ['mapCreate', 'numaNode', (x) => b.mapCreate(MAP.HASH, 'n', 4, 8, 1, { numaNode: x })],
    ['mapLookupElem', 'valueSize', (x) => b.mapLookupElem(m, k, x)],
    ['mapGetNextKey', 'keySize', (x) => b.mapGetNextKey(m, null, x)],
    ['mapLookupAndDeleteElem', 'valueSize', (x) => b.mapLookupAndDeleteElem(m, k, x)],
    ['mapLookupBatch', 'keySize', (x) => b.mapLookupBatch(m, null, x, 8, 4)],
    ['mapLookupBatch', 'valueSize', (x) => b.mapLookupBatch(m, null, 4, x, 4)],
    ['mapLookupBatch', 'count', (x) => b.mapLookupBatch(m, null, 4, 8, x)],
    ['mapUpdateBatch', 'count', (x) => b.mapUpdateBatch(m, k, v, x)],
    ['mapDeleteBatch', 'count', (x) => b.mapDeleteBatch(m, k, x)],
    ['progLoad', 'progType', (x) => b.progLoad(x, 'n', 'GPL', b.asm('exit'))],
    ['progLoad', 'expectedAttachType', (x) => b.progLoad(PROG_SOCKET_FILTER, 'n', 'GPL', b.asm('exit'), { expectedAttachType: x })],
    ['progTestRun', 'repeat', (x) => b.progTestRun(prog, { data: frame(), repeat: x })],
    ['progTestRun', 'dataSizeOut', (x) => b.progTestRun(prog, { data: frame(), dataSizeOut: x })],
    ['progTestRun', 'ctxSizeOut', (x) => b.progTestRun(prog, { data: frame(), ctxSizeOut: x })],
    ['progTestRun', 'insnBudget', (x) => b.progTestRun(prog, { data: frame(), insnBudget: x })],
    ['progTestRunAsync', 'repeat', (x) => b.progTestRunAsync(prog, { data: frame(), repeat: x })],
    ['linkCreate', 'attachType', (x) => b.linkCreate(prog, x)],
    ['linkCreate', 'insnBudget', (x) => b.linkCreate(prog, 4097, undefined, { insnBudget: x })],
    ['hookTrigger', 'attachType', (x) => b.hookTrigger(x, null)],
    ['progGetNextId', 'startId', (x) => b.progGetNextId(x)],
    ['mapGetNextId', 'startId', (x) => b.mapGetNextId(x)],
    ['linkGetNextId', 'startId', (x) => b.linkGetNextId(x)],
    ['progGetFdById', 'id', (x) => b.progGetFdById(x)],
    ['mapGetFdById', 'id', (x) => b.mapGetFdById(x)],
    ['linkGetFdById', 'id', (x) => b.linkGetFdById(x)],
    ['RingBufferConsumer.consume', 'max', (x) => consumer.consume(x)],
  ];
  for (const [fn, arg, call] of u32Args) {
    for (const [x, got] of NOT_U32) refused(() => call(x), fn, arg, U32, got);
  }
  const i32Args = [
    ['mapCreate', 'innerMapFd', (x) => b.mapCreate(MAP.HASH, 'n', 4, 8, 1, { innerMapFd: x })],
    ['mapLookupElem', 'fd', (x) => b.mapLookupElem(x, k, 8)],
    ['mapLookupElemInto', 'fd', (x) => b.mapLookupElemInto(x, k, Buffer.alloc(8))],
    ['mapUpdateElem', 'fd', (x) => b.mapUpdateElem(x, k, v)],
    ['mapDeleteElem', 'fd', (x) => b.mapDeleteElem(x, k)],
    ['mapGetNextKey', 'fd', (x) => b.mapGetNextKey(x, null, 4)],
    ['mapLookupAndDeleteElem', 'fd', (x) => b.mapLookupAndDeleteElem(x, k, 8)],
    ['mapFreeze', 'fd', (x) => b.mapFreeze(x)],
    ['mapLookupBatch', 'fd', (x) => b.mapLookupBatch(x, null, 4, 8, 4)],
    ['mapUpdateBatch', 'fd', (x) => b.mapUpdateBatch(x, k, v, 1)],
    ['mapDeleteBatch', 'fd', (x) => b.mapDeleteBatch(x, k, 1)],
    ['mapGetInfo', 'fd', (x) => b.mapGetInfo(x)],
    ['progLoad', 'fdArray[1]', (x) => b.progLoad(PROG_SOCKET_FILTER, 'n', 'GPL', b.asm('exit'), { fdArray: [m, x] })],
    ['progTestRun', 'fd', (x) => b.progTestRun(x, { data: frame() })],
    ['progTestRunAsync', 'fd', (x) => b.progTestRunAsync(x, { data: frame() })],
    ['progGetInfo', 'fd', (x) => b.progGetInfo(x)],
    ['linkCreate', 'progFd', (x) => b.linkCreate(x, 4097)],
    ['linkCreate', 'targetFd', (x) => b.linkCreate(prog, 4097, x)],
    ['linkDetach', 'linkFd', (x) => b.linkDetach(x)],
    ['linkGetInfo', 'fd', (x) => b.linkGetInfo(x)],
    ['objPin', 'fd', (x) => b.objPin(x, '/nums/pin')],
    ['close', 'fd', (x) => b.close(x)],
    ['extensionUnload', 'handle', (x) => b.extensionUnload(x)],
    ['RingBufferConsumer', 'mapFd', (x) => new b.RingBufferConsumer(x)],
    ['RingBufferConsumer.poll', 'timeoutMs', (x) => consumer.poll(x)],
  ];
  for (const [fn, arg, call] of i32Args) {
    for (const [x, got] of NOT_I32) refused(() => call(x), fn, arg, I32, got);
  }
  assert.equal(b.handleCount(), before, 'nothing was created or closed');
});

test('a handle past 2^32 is not the handle it wraps to (fast paths included)', () => {
  const m = b.mapCreate(MAP.HASH, 'alias', 4, 8, 4);
  b.mapUpdateElem(m, u32(1), u64(7));
  const alias = 2 ** 32 + m; // napi_get_value_int32 would make this m
  const out = Buffer.alloc(8);
  throwsErrno(() => b.mapUpdateElem(alias, u32(1), u64(8)), 'EINVAL', 22, /^mapUpdateElem: fd must be an integer/);
  throwsErrno(() => b.mapLookupElemInto(alias, u32(1), out), 'EINVAL', 22, /^mapLookupElemInto: fd must be an integer/);
  throwsErrno(() => b.close(alias), 'EINVAL', 22);
  assert.equal(b.mapLookupElemInto(m, u32(1), out), true, 'still open');
  assert.deepEqual(out, u64(7), 'and unchanged');
  b.close(m);
  // -0 is 0.
  const q = b.mapCreate(MAP.QUEUE, 'zero', -0, 4, 1);
  assert.equal(b.mapGetInfo(q).keySize, 0);
  b.close(q);
});

test('values at the ends of the ranges reach the core unchanged', () => {
  throwsErrno(() => b.mapCreate(MAP.HASH, 'k', 4, 8, 2 ** 32 - 1), 'E2BIG', 7, /max_entries 4294967295 is over the limit/);
  throwsErrno(() => b.mapCreate(MAP.HASH, 'k', 2 ** 32 - 1, 8, 1), 'E2BIG', 7, /key_size 4294967295 is over/);
  throwsErrno(() => b.mapGetFdById(2 ** 32 - 1), 'ENOENT', 2, /4294967295/);
  throwsErrno(() => b.close(2 ** 31 - 1), 'EBADF', 9);
  throwsErrno(() => b.close(-(2 ** 31)), 'EBADF', 9);
  assert.equal(b.progGetNextId(2 ** 32 - 1), null);
});

test('a huge dataSizeOut fails with ENOMEM or runs; it never aborts the process', () => {
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'room', 'GPL', b.asm('mov %r0, 1\nexit'));
  // calloc'd room costs nothing until written: the program writes the frame's 64 bytes only.
  try {
    const r = b.progTestRun(fd, { data: frame(), dataSizeOut: 2 ** 32 - 1 });
    assert.equal(r.data.length, 64);
  } catch (e) {
    assert.equal(e.code, 'ENOMEM');
    assert.match(e.message, /cannot allocate 4294967295 bytes for the data out/);
  }
  b.close(fd);
});

test('insnBudget: a test run stops at it with ELOOP; 0 is the core default', async () => {
  const spin = b.progLoad(PROG_SOCKET_FILTER, 'spin', 'GPL', b.asm('ja -1\nexit'), { testUnverified: true });
  throwsErrno(() => b.progTestRun(spin, { data: frame(), insnBudget: 100 }), 'ELOOP', 40, /^program 'spin': insn 0: instruction budget of 100 exhausted/);
  throwsErrno(() => b.progTestRun(spin, { data: frame(), insnBudget: 0 }), 'ELOOP', 40, /instruction budget of 16777216 exhausted/);
  await assert.rejects(b.progTestRunAsync(spin, { data: frame(), insnBudget: 7, repeat: 1000 }), (e) => e.code === 'ELOOP' && /budget of 7 exhausted/.test(e.message));
  const two = b.progLoad(PROG_SOCKET_FILTER, 'two', 'GPL', b.asm('mov %r0, 5\nexit'));
  assert.equal(b.progTestRun(two, { data: frame(), insnBudget: 2 }).retval, 5);
  throwsErrno(() => b.progTestRun(two, { data: frame(), insnBudget: 1 }), 'ELOOP', 40, /insn 1: instruction budget of 1/);
  b.close(two);
  b.close(spin);
});

test('insnBudget of a link: each run on the hook is bounded by it', (t) => {
  if (!needSampleExt(t)) return;
  const mod = b.extensionLoad(sampleExt.module);
  const event = Buffer.concat([u32(1), u32(0), u64(0)]);
  const nine = b.progLoad(4097, 'nine', 'GPL', b.asm('mov %r0, 9\nexit'));
  const enough = b.linkCreate(nine, 4097, undefined, { insnBudget: 2 });
  assert.deepEqual(b.hookTrigger(4097, event), { progCnt: 1, retval: 9 });
  b.close(enough);
  const short = b.linkCreate(nine, 4097, undefined, { insnBudget: 1 });
  throwsErrno(() => b.hookTrigger(4097, event), 'ELOOP', 40, /program 'nine': insn 1: instruction budget of 1 exhausted/);
  b.close(short);
  const dflt = b.linkCreate(nine, 4097, null, {});
  assert.deepEqual(b.hookTrigger(4097, event), { progCnt: 1, retval: 9 });
  b.close(dflt);
  b.close(nine);
  b.extensionUnload(mod);
});
