// Test runs: run a program on bytes you give it, read what it returned and
// wrote, and the trace log. Run from a directory holding packets.bpf.o.
import { BpfError, BpfObject, Program, disassemble, trace } from '@bpfhost/api';

using obj = BpfObject.open('packets.bpf.o').load();

// #region run
const classify = obj.program('classify');
const frame = Buffer.alloc(128);
const result = classify.testRun({ data: frame });
console.log('retval:', result.retval, 'data out:', result.data?.length);

const timed = classify.testRun({ data: frame, repeat: 1000 });
console.log('mean ns per run:', typeof timed.durationNs);
// #endregion run

// #region trace
console.log(trace().split('\n').slice(0, 2));
// #endregion trace

// #region load
// A program from assembler text, without an object: yours to close.
using seven = Program.load({
  type: 'socket_filter',
  name: 'seven',
  insns: 'mov %r0, 7\nexit',
});
const { retval } = seven.testRun({ data: Buffer.alloc(64) });
console.log(seven.name, seven.typeName, '->', retval);

const insns = Buffer.from([
  0xb7, 0, 0, 0, 7, 0, 0, 0, // mov %r0, 7
  0x95, 0, 0, 0, 0, 0, 0, 0, // exit
]);
console.log(disassemble(insns));
// #endregion load

// #region budget
// `ja -1` jumps to itself: a run that would never end. The verifier
// refuses it at load; `testUnverified` (test-only) loads it anyway
// to show the budget at work.
using spin = Program.load({
  type: 'socket_filter',
  name: 'spin',
  insns: 'ja -1\nexit',
  testUnverified: true,
});
try {
  spin.testRun({ data: Buffer.alloc(64), insnBudget: 1000 });
} catch (e) {
  if (e instanceof BpfError) console.log(e.code, e.message);
}
// Enough for the 85 instructions of classify, and then some.
const budgeted = classify.testRun({ data: frame, insnBudget: 10_000 });
console.log('within budget:', budgeted.retval);
// #endregion budget
