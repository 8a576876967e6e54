// The verifier: programs it refuses (and what it says), the fixed ones it
// accepts, its log, the unprivileged rules and the test-only flag. Programs
// from assembler text, so the instructions are plain to see.
import { BpfError, BpfMap, Program, VerifierError, u32, u64, type LoadProgramOptions } from '@bpfhost/api';

/** Loads `opts`; prints `name: insn N: reason` if the verifier refuses it, `name: loaded` if not. */
function tryLoad(name: string, opts: LoadProgramOptions): void {
  try {
    Program.load(opts).close();
    console.log(`${name}: loaded`);
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    console.log(`${name}: insn ${e.insn}: ${e.reason}`);
  }
}

using counts = BpfMap.create({ type: 'array', key: u32, value: u64, maxEntries: 4, name: 'counts' });
// r0 = bpf_map_lookup_elem(&counts, &key), with key = 0 on the stack: insns 0 to 6 (lddw takes two).
const lookup = ['mov %r1, 0', 'stxw [%r10-4], %r1', 'lddw %r1, map_idx 0', 'mov %r2, %r10', 'add %r2, -4', 'call 1'];

// #region refusal
try {
  Program.load({
    type: 'socket_filter',
    name: 'count',
    maps: [counts],
    insns: [...lookup, 'ldxdw %r0, [%r0+0]', 'exit'].join('\n'), // no NULL check
  });
} catch (e) {
  if (e instanceof VerifierError) {
    console.log(e.message);
    console.log('insn:', e.insn, 'line:', e.line);
    console.log('reason:', e.reason);
    for (const line of e.log) console.log(`  ${line}`);
  }
}
// #endregion refusal

// #region checks
const socket = { type: 'socket_filter' as const, maps: [counts] };
// Memory: NULL checks, bounds of map values and of the stack.
tryLoad('checked', { ...socket, insns: [...lookup, 'jeq %r0, 0, +2', 'ldxdw %r0, [%r0+0]', 'exit', 'mov %r0, 0', 'exit'].join('\n') });
tryLoad('past the value', { ...socket, insns: [...lookup, 'jeq %r0, 0, +2', 'ldxdw %r0, [%r0+8]', 'exit', 'mov %r0, 0', 'exit'].join('\n') });
tryLoad('below the frame', { ...socket, insns: 'mov %r0, 0\nstxdw [%r10-520], %r0\nexit' });
tryLoad('scalar as pointer', { ...socket, insns: 'mov %r1, 4096\nldxdw %r0, [%r1+0]\nexit' });
// Packets: a read needs a comparison with data_end that covers it.
const xdp = { type: 'xdp' as const };
tryLoad('unchecked packet', { ...xdp, insns: 'ldxw %r2, [%r1+0]\nldxb %r0, [%r2+12]\nexit' });
tryLoad('checked packet', {
  ...xdp,
  insns: ['ldxw %r2, [%r1+0]', 'ldxw %r3, [%r1+4]', 'mov %r0, 1', 'mov %r4, %r2', 'add %r4, 14', 'jgt %r4, %r3, +1', 'ldxb %r0, [%r2+12]', 'exit'].join('\n'),
});
// The context: per program type, which fields may be read or written.
tryLoad('skb->data in a socket filter', { ...socket, insns: 'ldxw %r0, [%r1+76]\nexit' });
tryLoad('write skb->len', { ...socket, insns: 'mov %r0, 0\nstxw [%r1+0], %r0\nexit' });
// Helpers: by prototype, program type and map type.
tryLoad('push on an array', { ...socket, insns: [...lookup.slice(0, 5), 'mov %r3, 0', 'call 87', 'mov %r0, 0', 'exit'].join('\n') });
tryLoad('xdp helper in a socket filter', { ...socket, insns: 'call 44\nmov %r0, 0\nexit' });
// Termination: loops must end within the limit, and every instruction be reachable.
tryLoad('endless loop', { ...socket, insns: 'mov %r0, 0\nldxw %r2, [%r1+0]\njne %r2, 0, -1\nexit' });
tryLoad('counted loop', { ...socket, insns: 'mov %r0, 0\nmov %r2, 10\nadd %r0, %r2\nsub %r2, 1\njne %r2, 0, -3\nexit' });
tryLoad('dead code', { ...socket, insns: 'mov %r0, 0\nexit\nmov %r0, 1\nexit' });
// Exit: r0 is the program's result, a number.
tryLoad('return the context', { ...socket, insns: 'mov %r0, %r1\nexit' });
// #endregion checks

// #region log
using sum = Program.load({
  type: 'socket_filter',
  name: 'sum',
  insns: 'mov %r0, 1\njeq %r1, 0, +1\nmov %r0, 2\nexit',
  logLevel: 2, // 1: the statistics only
});
for (const line of sum.verifierLog) console.log(`  ${line}`);
// #endregion log

// #region unprivileged
// Compares the context pointer with the frame pointer: fine for a trusted
// author, a way to learn host addresses for an untrusted one.
const compare = 'mov %r0, 0\njne %r1, %r10, +1\nmov %r0, 1\nexit';
tryLoad('privileged', { type: 'socket_filter', insns: compare });
tryLoad('unprivileged', { type: 'socket_filter', insns: compare, unprivileged: true });
// A stack pointer stored into a map value; a read of stack nothing wrote.
const store = [...lookup, 'jeq %r0, 0, +1', 'stxdw [%r0+0], %r10', 'mov %r0, 0', 'exit'].join('\n');
tryLoad('pointer into a map', { ...socket, insns: store, unprivileged: true });
tryLoad('unwritten stack', { type: 'socket_filter', insns: 'ldxdw %r0, [%r10-8]\nexit', unprivileged: true });
// #endregion unprivileged

// #region unverified
// Test-only: no verifier, so that a test reaches the run-time checks.
using spin = Program.load({ type: 'socket_filter', name: 'spin', insns: 'ja -1\nexit', testUnverified: true });
try {
  spin.testRun({ data: Buffer.alloc(64), insnBudget: 1000 });
} catch (e) {
  if (e instanceof BpfError) console.log(e.code, e.message);
}
// #endregion unverified
