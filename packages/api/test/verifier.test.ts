// VerifierError: programs the static verifier refuses (a NULL dereference, a packet read past what
// was checked, a loop that never ends), loaded from instructions and from a clang-compiled object:
// the instruction, the reason, the program and the log; the log of a load that succeeds (logLevel);
// the source line when the message or the log names one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ArgumentError,
  BpfError,
  BpfMap,
  BpfObject,
  LoadError,
  Program,
  VerifierError,
  parseRefusal,
  u32,
  u64,
} from '@bpfhost/api';

import { bpfFixture, noClang } from './support.js';

/** The error `fn` throws (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}

/** A VerifierError (asserted), typed. */
function verifierError(fn: () => unknown): VerifierError {
  const e = thrown(fn);
  assert.ok(e instanceof VerifierError, `not a VerifierError: ${String(e)}`);
  assert.ok(e instanceof LoadError && e instanceof BpfError);
  return e;
}

// r0 = *(u64 *)lookup(counts, &key): no NULL check between the call (insn 5) and the read (insn 6).
const nullDeref = [
  'mov %r1, 0',
  'stxw [%r10-4], %r1',
  'lddw %r1, map_idx 0',
  'mov %r2, %r10',
  'add %r2, -4',
  'call 1',
  'ldxdw %r0, [%r0+0]',
  'exit',
].join('\n');

describe('VerifierError from Program.load', () => {
  it('a map value read without a NULL check: insn, reason, program, log', () => {
    using counts = BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 4, name: 'counts' });
    const e = verifierError(() => Program.load({ type: 'socket_filter', name: 'count', insns: nullDeref, maps: [counts] }));
    assert.equal(e.code, 'EACCES');
    assert.equal(e.program, 'count');
    assert.equal(e.op, 'load');
    // lddw takes two slots: the call is insn 6, the read insn 7.
    assert.equal(e.insn, 7);
    assert.match(e.reason, /^R0 may be NULL \(map 'counts' lookup at insn 6\) when read with size 8; check it against 0 first$/);
    assert.equal(e.message, `program 'count': load: insn 7: ${e.reason}`);
    assert.equal(e.line, undefined, 'instructions without line info name no source line');
    // Level 1: the failing path, instruction by instruction, then the refusal.
    assert.ok(e.log.includes('6: (85) call bpf_map_lookup_elem#1'), e.log.join('\n'));
    assert.equal(e.log.at(-1), `program 'count': insn 7: ${e.reason}`);
  });

  it('a packet byte read before any data_end comparison', () => {
    const e = verifierError(() =>
      Program.load({ type: 'xdp', name: 'parse', insns: ['ldxw %r2, [%r1+0]', 'ldxb %r0, [%r2+12]', 'exit'].join('\n') }),
    );
    assert.equal(e.insn, 1);
    assert.equal(e.reason, 'R2 invalid read of the packet, off=12 size=1, proven range 0; compare `ptr + 13 > data_end` before the access');
    assert.ok(e.log.includes('1: (71) r0 = *(u8 *)(r2 +12)'));
  });

  it('a loop that never ends (the same state comes back), and one never left', () => {
    // while (skb->len != 0) {}: nothing in the loop changes r2.
    const e = verifierError(() => Program.load({ type: 'socket_filter', name: 'spin', insns: 'mov %r0, 0\nldxw %r2, [%r1+0]\njne %r2, 0, -1\nexit' }));
    assert.equal(e.program, 'spin');
    assert.match(e.reason, /^infinite loop: the path comes back to insn 2 in the same state/);
    assert.equal(e.insn, 2);
    // `ja -1` with nothing after it but an exit nobody reaches: refused before the walk, still an insn.
    const u = verifierError(() => Program.load({ type: 'socket_filter', name: 'stuck', insns: 'mov %r0, 0\nja -1\nexit' }));
    assert.equal(u.insn, 2);
    assert.match(u.reason, /^unreachable insn 2: no path from insn 0 reaches it/);
  });

  it('load errors that are not about an instruction stay LoadError', () => {
    const e = thrown(() => Program.load({ type: 9999, name: 'x', insns: 'mov %r0, 0\nexit' }));
    assert.ok(e instanceof LoadError && !(e instanceof VerifierError), String(e));
  });

  it('logLevel: the log of a load that succeeds', () => {
    const src = 'mov %r0, 1\njeq %r1, 0, +1\nmov %r0, 2\nexit';
    using quiet = Program.load({ type: 'socket_filter', insns: src });
    assert.deepEqual(quiet.verifierLog, []);
    using stats = Program.load({ type: 'socket_filter', insns: src, logLevel: 1 });
    assert.equal(stats.verifierLog.length, 1);
    assert.match(stats.verifierLog[0]!, /^processed \d+ insns \(limit 1000000\)/);
    using all = Program.load({ type: 'socket_filter', insns: src, logLevel: 2 });
    // Both sides of the branch, with the register states.
    assert.ok(all.verifierLog.includes('1: (15) if r1 == 0x0 goto pc+1'), all.verifierLog.join('\n'));
    assert.ok(all.verifierLog.includes('3: R0=2 R1=ctx(off=0) R10=fp0(off=0)'));
    assert.ok(all.verifierLog.includes('3: R0=1 R1=ctx(off=0) R10=fp0(off=0)'));
    assert.match(all.verifierLog.at(-1)!, /^processed \d+ insns/);
    for (const bad of [3, -1, 1.5, '2']) {
      assert.throws(
        () => Program.load({ type: 'socket_filter', insns: src, logLevel: bad as 1 }),
        (e: unknown) => e instanceof ArgumentError && e.parameter === 'logLevel' && e.expected === 'an integer in [0, 2]',
      );
    }
  });

  it('logLevel 2 on a refusal: everything walked before it', () => {
    using counts = BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 4 });
    const e = verifierError(() => Program.load({ type: 'socket_filter', name: 'count', insns: nullDeref, maps: [counts], logLevel: 2 }));
    assert.equal(e.insn, 7);
    assert.ok(e.log.some((l) => /^7: R0=map_value_or_null/.test(l)), e.log.join('\n'));
  });
});

describe('parseRefusal: the instruction, the reason and the source line', () => {
  it('from the message', () => {
    assert.deepEqual(parseRefusal("insn 7: R0 may be NULL; check it against 0 first (at count.bpf.c:21: return *v;)"), {
      insn: 7,
      reason: 'R0 may be NULL; check it against 0 first',
      line: 21,
      file: 'count.bpf.c',
      source: 'return *v;',
    });
    assert.deepEqual(parseRefusal('insn 3: division by the constant zero (at a.c:9)'), {
      insn: 3, reason: 'division by the constant zero', line: 9, file: 'a.c', source: undefined,
    });
  });

  it("from the log's last source line, as Linux's log names them", () => {
    const log = ['; int key = 0; @ count.bpf.c:18', '0: (b7) r1 = 0', '; return *v; @ count.bpf.c:21', '7: (79) r0 = *(u64 *)(r0 +0)'];
    const r = parseRefusal('insn 7: R0 may be NULL', log);
    assert.equal(r.line, 21);
    assert.equal(r.file, 'count.bpf.c');
    assert.equal(r.source, 'return *v;');
  });

  it('without an instruction or a source', () => {
    assert.deepEqual(parseRefusal('unreachable insn 2: no path reaches it'), {
      insn: 2, reason: 'unreachable insn 2: no path reaches it', line: undefined, file: undefined, source: undefined,
    });
    assert.equal(parseRefusal('something else').insn, undefined);
  });

  it('the constructor parses what it is not told', () => {
    const e = new VerifierError('EACCES', 13, 'insn 4: R1 is a scalar (at p.c:3: x = *q;)', ['4: (79) r1 = *(u64 *)(r1 +0)'], { program: 'p', op: 'load' });
    assert.equal(e.insn, 4);
    assert.equal(e.reason, 'R1 is a scalar');
    assert.equal(e.line, 3);
    assert.equal(e.message, "program 'p': load: insn 4: R1 is a scalar (at p.c:3: x = *q;)");
    const told = new VerifierError('EACCES', 13, 'R1 is a scalar', [], { insn: 9, line: 12, file: 'q.c' });
    assert.equal(told.insn, 9);
    assert.equal(told.line, 12);
  });
});

describe('VerifierError from BpfObject.load (clang-compiled verifier_refused.bpf.o)', { skip: noClang }, () => {
  const programs = ['null_deref', 'packet_oob', 'spin', 'checked'];

  /** Opens the object with only `name` to be loaded. */
  function only(name: string): BpfObject {
    const obj = BpfObject.open(bpfFixture('verifier_refused'));
    for (const p of programs) if (p !== name) obj.configureProgram(p, { autoload: false });
    return obj;
  }

  const cases: Array<[string, number, RegExp]> = [
    ['null_deref', 7, /^R0 may be NULL \(map 'counts' lookup at insn 6\) when read with size 8; check it against 0 first/],
    ['packet_oob', 1, /^R1 invalid read of the packet, off=12 size=1, proven range 0/],
    ['spin', 0, /^infinite loop: the path comes back to insn 0 in the same state/],
  ];
  for (const [name, insn, reason] of cases) {
    it(`${name}: refused, naming the object, the program (full name), the instruction and the rule`, () => {
      const obj = only(name);
      const e = verifierError(() => obj.load());
      assert.equal(e.object, 'verifier_refused');
      assert.equal(e.program, name);
      assert.equal(e.insn, insn);
      assert.match(e.reason, reason);
      assert.ok(e.message.startsWith(`object 'verifier_refused', program '${name}': load: insn ${insn}: `), e.message);
      // The log's last line is the core's refusal: the reason, then the C line when the object has one.
      assert.ok(e.log.length > 0 && e.log.at(-1)!.includes(e.reason), e.log.join('\n'));
      assert.equal(obj.closed, true, 'a failed load closes the object');
      if (e.line !== undefined) assert.ok(e.line > 0 && e.file === 'verifier_refused.bpf.c');
    });
  }

  it('logLevel: the log of each program that loads, per object or per program', () => {
    using obj = only('checked');
    obj.load({ logLevel: 2 });
    const log = obj.program('checked').verifierLog;
    assert.ok(log.includes('6: (85) call bpf_map_lookup_elem#1'), log.join('\n'));
    assert.match(log.at(-1)!, /^processed \d+ insns/);

    using one = only('checked');
    one.configureProgram('checked', { logLevel: 1 });
    one.load({ logLevel: 2 });
    assert.equal(one.program('checked').verifierLog.length, 1, 'configureProgram wins over load');

    using none = only('checked');
    none.load();
    assert.deepEqual(none.program('checked').verifierLog, []);
    using bad = only('checked');
    assert.throws(() => bad.load({ logLevel: 7 as 2 }), ArgumentError);
  });
});
