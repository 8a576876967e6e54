// Programs, links, hooks without an extension, the trace log and the assembler.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { b, MAP, PROG_SOCKET_FILTER, frame, u32, u64, throwsErrno } from './helpers.mjs';

test('asm and disasm round trip', () => {
  const src = 'mov %r0, 42\nadd %r0, 1\nexit';
  const insns = b.asm(src);
  assert.equal(insns.length, 24);
  assert.equal(insns[0], 0xb7, 'mov64 imm opcode');
  const text = b.disasm(insns);
  assert.match(text, /mov %r0, 42\nadd %r0, 1\nexit/);
  assert.deepEqual(b.asm(text), insns);
  assert.equal(b.asm('').length, 0);
  assert.equal(b.disasm(Buffer.alloc(0)), '');
});

test('load, test run (retval, data out, repeat), info', () => {
  // r0 = skb->len (frame length from the network header) + 1
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'lenplus', 'GPL', b.asm('ldxw %r0, [%r1+0]\nadd %r0, 1\nexit'));
  const f = frame(64);
  const r = b.progTestRun(fd, { data: f, repeat: 10 });
  assert.equal(r.retval, 64 - 14 + 1);
  assert.deepEqual(r.data, f, 'data out is the frame');
  assert.equal(r.ctx, null);
  assert.equal(typeof r.durationNs, 'number');
  const big = b.progTestRun(fd, { data: f, dataSizeOut: 128 });
  assert.equal(big.data.length, 64, 'data out trimmed to what was written');
  throwsErrno(() => b.progTestRun(fd, { data: f, dataSizeOut: 10 }), 'ENOSPC', 28);

  const info = b.progGetInfo(fd);
  assert.equal(info.type, PROG_SOCKET_FILTER);
  assert.equal(info.name, 'lenplus');
  assert.equal(info.insnCnt, 3);
  assert.equal(info.tag.length, 8);
  assert.deepEqual(info.mapIds, []);
  assert.equal(typeof info.runCnt, 'bigint');
  assert.equal(typeof info.runTimeNs, 'bigint');
  const ids = [];
  for (let i = b.progGetNextId(0); i !== null; i = b.progGetNextId(i)) ids.push(i);
  assert.ok(ids.includes(info.id));
  const fd2 = b.progGetFdById(info.id);
  assert.equal(b.progTestRun(fd2, { data: f }).retval, 51);
  b.close(fd2);
  b.close(fd);
});

test('progGetXlated: the instructions as loaded; other handles are refused', () => {
  const insns = b.asm('ldxw %r0, [%r1+0]\nadd %r0, 1\nexit');
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'xlated', 'GPL', insns);
  assert.deepEqual(b.progGetXlated(fd), insns);
  const m = b.mapCreate(MAP.ARRAY, 'notprog', 4, 4, 1);
  assert.throws(() => b.progGetXlated(m), /progGetXlated: handle \d+ is not a program/);
  b.close(m);
  b.close(fd);
  throwsErrno(() => b.progGetXlated(fd), 'EBADF', 9);
});

test('a program writing a map: the map ids and the value', () => {
  const m = b.mapCreate(MAP.ARRAY, 'out', 4, 8, 1);
  const src = `
    stw [%r10-4], 0
    lddw %r1, map_fd ${m}
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, +2
    stdw [%r0+0], 77
    mov %r0, 1
    exit`;
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'writer', 'GPL', b.asm(src));
  assert.equal(b.progTestRun(fd, { data: frame() }).retval, 1);
  assert.deepEqual(b.mapLookupElem(m, u32(0), 8), u64(77));
  assert.deepEqual(b.progGetInfo(fd).mapIds, [b.mapGetInfo(m).id]);
  b.close(fd);
  b.close(m);
});

test('refused loads: the message and log name the instruction', () => {
  assert.throws(() => b.progLoad(PROG_SOCKET_FILTER, 'bad', 'GPL', b.asm('exit')), (e) => {
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.errno, 22);
    assert.match(e.message, /program 'bad': insn 0: r0 is read before any instruction writes it/);
    assert.match(e.log, /insn 0/);
    return true;
  });
  throwsErrno(() => b.progLoad(PROG_SOCKET_FILTER, 'helper', 'GPL', b.asm('call 99999\nexit')), 'EINVAL', 22);
  throwsErrno(() => b.progLoad(999, 'type', 'GPL', b.asm('mov %r0, 0\nexit')), 'EINVAL', 22);
});

test('progLoadWithLog: the verifier log of a load that succeeds, at logLevel 0, 1 or 2', () => {
  const insns = b.asm('mov %r0, 1\njeq %r1, 0, +1\nmov %r0, 2\nexit');
  const none = b.progLoadWithLog(PROG_SOCKET_FILTER, 'none', 'GPL', insns);
  assert.equal(none.log, '');
  const stats = b.progLoadWithLog(PROG_SOCKET_FILTER, 'stats', 'GPL', insns, { logLevel: 1 });
  assert.match(stats.log, /^processed \d+ insns \(limit 1000000\)[^\n]*$/);
  const all = b.progLoadWithLog(PROG_SOCKET_FILTER, 'all', 'GPL', insns, { logLevel: 2 });
  assert.match(all.log, /^1: \(15\) if r1 == 0x0 goto pc\+1$/m);
  assert.match(all.log, /\nprocessed \d+ insns/);
  for (const r of [none, stats, all]) {
    assert.equal(b.progTestRun(r.fd, { data: frame(64) }).retval, 2, 'r1 (the context) is never 0');
    b.close(r.fd);
  }
  throwsErrno(() => b.progLoadWithLog(PROG_SOCKET_FILTER, 'x', 'GPL', insns, { logLevel: 3 }), 'EINVAL', 22);
  // A refusal at level 2 carries everything walked before it in `log`.
  assert.throws(() => b.progLoadWithLog(PROG_SOCKET_FILTER, 'bad', 'GPL', b.asm('mov %r0, 0\nldxdw %r0, [%r0+0]\nexit'), { logLevel: 2 }), (e) => {
    assert.equal(e.code, 'EACCES');
    assert.match(e.log, /^0: \(b7\) r0 = 0$/m);
    assert.match(e.message, /program 'bad': insn 1: /);
    return true;
  });
});

test('progTypeHelpers: the helpers a type may call, by id and name, as loads take them', () => {
  const helpers = b.progTypeHelpers(PROG_SOCKET_FILTER);
  assert.ok(helpers.length >= 20);
  for (let i = 1; i < helpers.length; i++) assert.ok(helpers[i].id > helpers[i - 1].id, 'ascending');
  const byId = new Map(helpers.map((h) => [h.id, h.name]));
  assert.equal(byId.get(1), 'bpf_map_lookup_elem');
  assert.equal(byId.get(26), 'bpf_skb_load_bytes');
  assert.equal(byId.has(44), false, 'bpf_xdp_adjust_head is XDP only');
  assert.ok(helpers.every((h) => /^bpf_[a-z0-9_]+$/.test(h.name)), 'names from the core table');
  // Each listed helper loads (the verifier off), one not listed is refused by its name.
  const call = (id) => b.asm(`mov %r2, 0\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncall ${id}\nmov %r0, 0\nexit`);
  for (const h of helpers) b.close(b.progLoad(PROG_SOCKET_FILTER, 'h', 'GPL', call(h.id), { testUnverified: true }));
  throwsErrno(() => b.progLoad(PROG_SOCKET_FILTER, 'h', 'GPL', call(44), { testUnverified: true }), 'EINVAL', 22, /bpf_xdp_adjust_head/);
  assert.ok(b.progTypeHelpers(6).some((h) => h.id === 44 && h.name === 'bpf_xdp_adjust_head'));
  throwsErrno(() => b.progTypeHelpers(2), 'EOPNOTSUPP', 95, /program type 2 is not provided/);
  throwsErrno(() => b.progTypeHelpers(-1), 'EINVAL', 22);
});

test('trace log, section types, pins of programs', () => {
  assert.deepEqual(b.progTypeBySection('socket'), { progType: PROG_SOCKET_FILTER, expectedAttachType: 0 });
  // bpf_trace_printk("hi %d\n", 7, 42): the format on the stack.
  const src = `
    stdw [%r10-8], 0
    stw [%r10-8], 0x25206968
    sth [%r10-4], 0x0a64
    mov %r1, %r10
    add %r1, -8
    mov %r2, 7
    mov %r3, 42
    call 6
    mov %r0, 0
    exit`;
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'printer', 'GPL', b.asm(src));
  b.traceRead();
  b.progTestRun(fd, { data: frame() });
  b.progTestRun(fd, { data: frame() });
  const log = b.traceRead();
  assert.equal(log.match(/hi 42/g)?.length, 2, log);
  assert.equal(b.traceRead(), '', 'drained');

  b.objPin(fd, '/sys/fs/bpf/bindings-prog');
  const again = b.objGet('/sys/fs/bpf/bindings-prog');
  assert.equal(b.progGetInfo(again).name, 'printer');
  b.objUnpin('/sys/fs/bpf/bindings-prog');
  b.close(again);
  b.close(fd);
});

test('links without a hook provider are refused', () => {
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'p', 'GPL', b.asm('mov %r0, 0\nexit'));
  throwsErrno(() => b.linkCreate(fd, 4097), 'EINVAL', 22);
  throwsErrno(() => b.hookTrigger(4097, Buffer.alloc(4)), 'ENOENT', 2);
  assert.equal(b.linkGetNextId(0), null);
  throwsErrno(() => b.linkGetFdById(1), 'ENOENT', 2);
  throwsErrno(() => b.linkDetach(fd), 'EINVAL', 22);
  b.close(fd);
});

test('progTestRunAsync: the same results as progTestRun, off the JS thread', async () => {
  const fd = b.progLoad(PROG_SOCKET_FILTER, 'lenplus_a', 'GPL', b.asm('ldxw %r0, [%r1+0]\nadd %r0, 1\nexit'));
  const f = frame(64);
  const pending = b.progTestRunAsync(fd, { data: f, repeat: 10 });
  assert.ok(pending instanceof Promise);
  const r = await pending;
  assert.deepEqual({ ...r, durationNs: 0 }, { ...b.progTestRun(fd, { data: f, repeat: 10 }), durationNs: 0 });
  assert.equal(r.retval, 64 - 14 + 1);
  await assert.rejects(b.progTestRunAsync(fd, { data: f, dataSizeOut: 10 }), (e) => e.code === 'ENOSPC' && e.errno === 28 && /lenplus_a|ENOSPC|data/.test(e.message));
  await assert.rejects(b.progTestRunAsync(12345), (e) => e.code === 'EBADF');

  // A long run (a loop of 2^16 iterations, within what the verifier explores, 3200 times) leaves
  // the event loop free: a timer fires before the run settles.
  const loop = b.progLoad(PROG_SOCKET_FILTER, 'spin', 'GPL', b.asm('mov %r0, 0\nmov %r2, 0\nloop:\nadd %r2, 1\njlt %r2, 65536, loop\nexit'));
  let settled = false;
  let timerFiredBeforeSettle = false;
  const run = b.progTestRunAsync(loop, { data: f, repeat: 3200 }).then((x) => { settled = true; return x; });
  await new Promise((resolve) => setTimeout(resolve, 1));
  timerFiredBeforeSettle = !settled;
  assert.equal((await run).retval, 0);
  assert.ok(timerFiredBeforeSettle, 'the event loop ran a timer while the program ran');
  b.close(loop);
  b.close(fd);
});
