// Programs loaded from assembler text, test runs, verifier refusals, links, hooks, the trace log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BpfError,
  BpfMap,
  ClosedError,
  LoadError,
  NotFoundError,
  Program,
  RingBuffer,
  TcAction,
  VerifierError,
  XdpAction,
  assemble,
  disassemble,
  handleCount,
  programTypeBySection,
  programTypeHelpers,
  trace,
  triggerHook,
  u32,
  unpin,
} from '@bpfhost/api';

import { frame } from './support.js';

describe('Program', () => {
  it('assemble and disassemble', () => {
    const insns = assemble('mov %r0, 7\nexit');
    assert.equal(insns.length, 16);
    assert.equal(disassemble(insns).trim(), 'mov %r0, 7\nexit');
    assert.throws(() => assemble('bogus'), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /unknown mnemonic 'bogus'/.test(e.message));
  });

  it('load from assembler text, test run, info, close', () => {
    const before = handleCount();
    const p = Program.load({ type: 'socket_filter', name: 'seven', insns: 'mov %r0, 7\nexit' });
    assert.equal(p.name, 'seven');
    assert.equal(p.type, 1);
    assert.equal(p.typeName, 'socket_filter');
    assert.equal(p.insnCount, 2);
    assert.equal(handleCount(), before + 1);
    const r = p.testRun({ data: frame(), repeat: 10 });
    assert.equal(r.retval, 7);
    assert.ok(Buffer.isBuffer(r.data));
    assert.equal(r.ctx, undefined);
    assert.ok(r.durationNs >= 0);
    assert.equal(p.info().insnCount, 2);
    assert.ok([...Program.ids()].includes(p.id));
    p.pin('/api-test/seven');
    unpin('/api-test/seven');
    using again = Program.fromId(p.id);
    assert.equal(again.testRun({ data: frame() }).retval, 7);
    p.close();
    assert.throws(() => p.testRun({ data: frame() }), (e: unknown) => e instanceof ClosedError && e.message === "program 'seven': testRun: the program is closed");
    assert.equal(handleCount(), before + 1, 'fromId holds its own handle');
  });

  it('testRunAsync: the same result off the JS thread; errors and closed programs reject', async () => {
    using p = Program.load({ type: 'socket_filter', name: 'eight', insns: 'mov %r0, 8\nexit' });
    const r = await p.testRunAsync({ data: frame(), repeat: 5 });
    assert.equal(r.retval, 8);
    assert.deepEqual(r.data, p.testRun({ data: frame() }).data);
    await assert.rejects(p.testRunAsync({ data: frame(), dataSizeOut: 4 }), (e: unknown) => e instanceof BpfError && e.code === 'ENOSPC' && /program 'eight': testRunAsync/.test(e.message));
    p.close();
    await assert.rejects(p.testRunAsync({ data: frame() }), ClosedError);
  });

  it('retval is the 32-bit r0 as the core reports it', () => {
    using p = Program.load({ type: 'socket_filter', insns: 'mov %r0, -2\nexit' });
    assert.equal(p.testRun({ data: frame() }).retval, 0xfffffffe);
    assert.equal(p.testRun({ data: frame() }).retval | 0, -2);
  });

  it('a program using a map by index (fd array)', () => {
    using m = BpfMap.create({ type: 'array', key: u32, value: u32, maxEntries: 1 });
    m.set(0, 41);
    // r0 = *(u32 *)lookup(map, &0) + 1
    const src = [
      'mov %r1, 0',
      'stxw [%r10-4], %r1',
      'lddw %r1, map_idx 0',
      'mov %r2, %r10',
      'add %r2, -4',
      'call 1',
      'jeq %r0, 0, +2',
      'ldxw %r0, [%r0+0]',
      'add %r0, 1',
      'exit',
    ].join('\n');
    using prog = Program.load({ type: 'socket_filter', insns: src, maps: [m] });
    assert.equal(prog.testRun({ data: frame() }).retval, 42);
    // instructions(): what was loaded, as handed to the core (map_idx 0 stays an index into maps).
    const loaded = prog.instructions();
    assert.deepEqual(loaded, assemble(src));
    assert.equal(loaded.length, prog.info().insnCount * 8);
    prog.close();
    assert.throws(() => prog.instructions(), ClosedError);
  });

  it('XdpAction and TcAction name the verdicts a test run returns', () => {
    const pkt = frame(64);
    for (const [name, code] of Object.entries(XdpAction)) {
      using p = Program.load({ type: 'xdp', insns: `mov %r0, ${code}\nexit` });
      assert.equal(p.testRun({ data: pkt }).retval, XdpAction[name as keyof typeof XdpAction], name);
    }
    assert.deepEqual(Object.values(XdpAction), [0, 1, 2, 3, 4], 'enum xdp_action');
    using shot = Program.load({ type: 'sched_cls', insns: 'mov %r0, 2\nexit' });
    assert.equal(shot.testRun({ data: pkt }).retval, TcAction.shot);
    using unspec = Program.load({ type: 'sched_cls', insns: 'mov %r0, -1\nexit' });
    assert.equal(unspec.testRun({ data: pkt }).retval, TcAction.unspec, 'TC_ACT_UNSPEC is -1 as a u32');
    assert.deepEqual(
      [TcAction.ok, TcAction.reclassify, TcAction.shot, TcAction.pipe, TcAction.stolen, TcAction.queued, TcAction.repeat, TcAction.redirect],
      [0, 1, 2, 3, 4, 5, 6, 7],
      'TC_ACT_*',
    );
  });

  it('a redirect verdict reports its target', async () => {
    using toNine = Program.load({ type: 'xdp', insns: 'mov %r1, 9\nmov %r2, 0\ncall 23\nexit' });
    const r = toNine.testRun({ data: frame(64) });
    assert.equal(r.retval, XdpAction.redirect);
    assert.deepEqual(r.redirect, { kind: 'ifindex', ifindex: 9, flags: 0 });
    using dev = BpfMap.create({ type: 'devmap', key: u32, value: u32, maxEntries: 4 });
    dev.set(3, 42);
    using cpus = BpfMap.create({ type: 'cpumap', key: u32, value: u32, maxEntries: 2 });
    cpus.set(1, 128);
    const viaMap = (flags: number) => ['lddw %r1, map_idx 0', 'mov %r2, 3', `mov %r3, ${flags}`, 'call 51', 'exit'].join('\n');
    using port = Program.load({ type: 'xdp', insns: viaMap(0), maps: [dev] });
    assert.deepEqual(port.testRun({ data: frame(64) }).redirect, { kind: 'map', mapId: dev.id, key: 3, ifindex: 42, flags: 0 });
    using bcast = Program.load({ type: 'xdp', insns: viaMap(0x8), maps: [dev] });
    assert.deepEqual(bcast.testRun({ data: frame(64) }).redirect, { kind: 'broadcast', mapId: dev.id, flags: 8 });
    using cpu = Program.load({ type: 'xdp', insns: 'lddw %r1, map_idx 0\nmov %r2, 1\nmov %r3, 0\ncall 51\nexit', maps: [cpus] });
    assert.deepEqual(cpu.testRun({ data: frame(64) }).redirect, { kind: 'cpu', mapId: cpus.id, cpu: 1, flags: 0 });
    using pass = Program.load({ type: 'xdp', insns: 'mov %r1, 9\nmov %r2, 0\ncall 23\nmov %r0, 2\nexit' });
    assert.equal(pass.testRun({ data: frame(64) }).redirect, undefined, 'XDP_PASS after bpf_redirect: no redirect');
    using tc = Program.load({ type: 'sched_cls', insns: 'mov %r1, 5\nmov %r2, 1\ncall 23\nexit' });
    const res = await tc.testRunAsync({ data: frame(64) });
    assert.equal(res.retval, TcAction.redirect);
    assert.deepEqual(res.redirect, { kind: 'ifindex', ifindex: 5, flags: 1 }, 'BPF_F_INGRESS, through testRunAsync too');
  });

  it('verifier refusals are VerifierError with the log', () => {
    assert.throws(
      () => Program.load({ type: 'socket_filter', name: 'bad', insns: 'exit' }),
      (e: unknown) =>
        e instanceof VerifierError &&
        e instanceof LoadError &&
        e.code === 'EINVAL' &&
        e.program === 'bad' &&
        e.log.some((l) => /r0 is read before any instruction writes it/.test(l)) &&
        e.message === "program 'bad': load: insn 0: r0 is read before any instruction writes it",
    );
    assert.throws(() => Program.load({ type: 'tracing' as 'xdp', insns: 'exit' }), /unknown program type 'tracing'/);
  });

  it('attach: unknown hooks are refused; links detach once', () => {
    using p = Program.load({ type: 'socket_filter', name: 'p', insns: 'mov %r0, 0\nexit' });
    assert.throws(() => p.attach(9999), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && e.program === 'p' && /no hook provides attach type 9999/.test(e.message));
    assert.throws(() => p.attach({ attachType: 9999 }), BpfError);
  });

  it('triggerHook on a missing hook, programTypeBySection, trace', () => {
    assert.throws(() => triggerHook(9999, Buffer.alloc(4)), (e: unknown) => e instanceof NotFoundError && /no hook provides attach type 9999/.test(e.message));
    assert.deepEqual(programTypeBySection('socket'), { type: 1, expectedAttachType: 0 });
    assert.throws(() => programTypeBySection('nope'), NotFoundError);
    assert.equal(typeof trace(), 'string');
  });

  it('programTypeHelpers: by name or number, ids ascending with their names; refusals', () => {
    const sf = programTypeHelpers('socket_filter');
    assert.deepEqual(programTypeHelpers(1), sf);
    assert.ok(sf.some((h) => h.id === 1 && h.name === 'bpf_map_lookup_elem'));
    assert.ok(sf.some((h) => h.id === 26 && h.name === 'bpf_skb_load_bytes'));
    assert.ok(!sf.some((h) => h.id === 44), 'no XDP helper');
    for (let i = 1; i < sf.length; i++) assert.ok((sf[i]?.id ?? 0) > (sf[i - 1]?.id ?? 0));
    assert.ok(programTypeHelpers('xdp').some((h) => h.id === 44 && h.name === 'bpf_xdp_adjust_head'));
    // Not listed: BPF_PROG_LOAD refuses the call by the helper's name.
    assert.throws(() => Program.load({ type: 'socket_filter', insns: 'call 44\nmov %r0, 0\nexit', testUnverified: true }), /bpf_xdp_adjust_head/);
    assert.throws(() => programTypeHelpers(2), (e: unknown) => e instanceof BpfError && e.code === 'EOPNOTSUPP' && e.op === 'programTypeHelpers');
    assert.throws(() => programTypeHelpers('nope' as 'xdp'), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /unknown program type 'nope'/.test(e.message));
  });
});

describe('instruction budget (insnBudget)', () => {
  /** The core's message for a run stopped at `budget`, at instruction `insn`. */
  const exhausted = (insn: number, budget: number): RegExp => new RegExp(`: insn ${insn}: instruction budget of ${budget} exhausted`);

  it('a program that never ends stops at the budget with ELOOP naming it and the budget', () => {
    using p = Program.load({ type: 'socket_filter', name: 'spin', insns: 'ja -1\nexit', testUnverified: true });
    assert.throws(
      () => p.testRun({ data: frame(), insnBudget: 1000 }),
      (e: unknown) =>
        e instanceof BpfError &&
        e.code === 'ELOOP' &&
        e.errno === 40 &&
        e.program === 'spin' &&
        e.message.startsWith("program 'spin': testRun: insn 0: instruction budget of 1000 exhausted"),
    );
    // Repeats do not multiply it: the first run that goes past the budget ends the test run.
    assert.throws(() => p.testRun({ data: frame(), insnBudget: 1000, repeat: 2 ** 32 - 1 }), exhausted(0, 1000));
    // Without a budget, the core's default (BPFHOST_INSN_BUDGET_DEFAULT) ends it too.
    assert.throws(() => p.testRun({ data: frame() }), exhausted(0, 16777216));
    assert.throws(() => p.testRun({ data: frame(), insnBudget: 0 }), exhausted(0, 16777216), '0 is the default');
  });

  it('the budget counts every instruction executed: 2 lets a 2-instruction program finish, 1 does not', () => {
    using p = Program.load({ type: 'socket_filter', name: 'two', insns: 'mov %r0, 3\nexit' });
    assert.equal(p.testRun({ data: frame(), insnBudget: 2 }).retval, 3);
    assert.throws(() => p.testRun({ data: frame(), insnBudget: 1 }), (e: unknown) => e instanceof BpfError && e.code === 'ELOOP' && exhausted(1, 1).test(e.message));
    // mov, 10 x (add, jlt), exit: 22 instructions. With 21 the exit is one too many; with 18
    // the ninth backward jump is.
    using loop = Program.load({ type: 'socket_filter', name: 'loop', insns: 'mov %r0, 0\nadd %r0, 1\njlt %r0, 10, -2\nexit' });
    assert.equal(loop.testRun({ data: frame(), insnBudget: 22 }).retval, 10);
    assert.throws(() => loop.testRun({ data: frame(), insnBudget: 21 }), exhausted(3, 21));
    assert.throws(() => loop.testRun({ data: frame(), insnBudget: 18 }), exhausted(2, 18));
  });

  it('testRunAsync: rejects with ELOOP, and the event loop runs meanwhile', async () => {
    using p = Program.load({ type: 'socket_filter', name: 'spin_async', insns: 'ja -1\nexit', testUnverified: true });
    await assert.rejects(p.testRunAsync({ data: frame(), insnBudget: 50 }), (e: unknown) => e instanceof BpfError && e.code === 'ELOOP' && /program 'spin_async': testRunAsync: insn 0: instruction budget of 50 exhausted/.test(e.message));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // The default budget: about 16M instructions, milliseconds of work off the JS thread.
      await assert.rejects(p.testRunAsync({ data: frame(), repeat: 1000 }), (e: unknown) => e instanceof BpfError && e.code === 'ELOOP');
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0, 'timers fired while the run was going on');
  });
});

describe('ring buffer records a program leaves behind', () => {
  it('are discarded as the run ends, counted in info(), and never block the ring', () => {
    using rb = BpfMap.create({ type: 'ringbuf', maxEntries: 4096, name: 'left' });
    const reserveOnly = ['lddw %r1, map_idx 0', 'mov %r2, 16', 'mov %r3, 0', 'call 131', 'mov %r0, 0', 'exit'];
    const output = [
      'stdw [%r10-8], 42',
      'lddw %r1, map_idx 0',
      'mov %r2, %r10',
      'add %r2, -8',
      'mov %r3, 8',
      'mov %r4, 0',
      'call 130',
      'exit',
    ];
    // The verifier refuses a record left reserved; loaded without it, the run's end discards the record.
    assert.throws(
      () => Program.load({ type: 'socket_filter', name: 'leak', insns: reserveOnly.join('\n'), maps: [rb] }),
      (e: unknown) => e instanceof BpfError && /neither submitted nor discarded/.test(e.message),
    );
    using leak = Program.load({ type: 'socket_filter', name: 'leak', insns: reserveOnly.join('\n'), maps: [rb], testUnverified: true });
    using out = Program.load({ type: 'socket_filter', name: 'out', insns: output.join('\n'), maps: [rb] });
    using consumer = new RingBuffer(rb);
    assert.equal(rb.info().ringbufAbandoned, 0);
    leak.testRun({ data: frame(), repeat: 3 });
    assert.equal(rb.info().ringbufAbandoned, 3, 'each run discarded its record');
    assert.equal(out.testRun({ data: frame() }).retval, 0, 'output succeeds');
    const got = consumer.consume();
    assert.equal(got.length, 1, 'and is delivered: the discarded records do not block it');
    assert.equal(Buffer.from(got[0] as Buffer).readBigUInt64LE(0), 42n);
  });
});
