// The verifier: programs it refuses (and what it says), the fixed ones it
// accepts, its log, the unprivileged rules and the test-only flag. Programs
// from assembler text, so the instructions are plain to see.
import { BpfError, BpfMap, Program, VerifierError, u32, u64, type LoadProgramOptions } from '@bpfhost/api';

/**
 * Loads a program of `insns` (a socket filter using `counts`, unless `opts`
 * says otherwise); prints `name: insn N: reason` if the verifier refuses it,
 * `name: loaded` if not.
 */
function tryLoad(name: string, insns: string[], opts: Partial<LoadProgramOptions> = {}): void {
  try {
    Program.load({ type: 'socket_filter', maps: [counts], ...opts, insns: insns.join('\n') }).close();
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
const zero = ['mov %r0, 0', 'exit']; // return 0
// Memory: NULL checks, bounds of map values and of the stack. `value(ld)`
// runs `ld` on the looked-up value, or returns 0 when the lookup gave NULL.
const value = (ld: string) => [...lookup, 'jeq %r0, 0, +2', ld, 'exit', ...zero];
tryLoad('checked', value('ldxdw %r0, [%r0+0]'));
tryLoad('past the value', value('ldxdw %r0, [%r0+8]'));
tryLoad('below the frame', ['mov %r0, 0', 'stxdw [%r10-520], %r0', 'exit']);
tryLoad('scalar as pointer', ['mov %r1, 4096', 'ldxdw %r0, [%r1+0]', 'exit']);

// Packets: a read needs a comparison with data_end that covers it.
const xdp = { type: 'xdp' } as const;
// r2 = ctx->data, r3 = ctx->data_end
const packet = ['ldxw %r2, [%r1+0]', 'ldxw %r3, [%r1+4]', 'mov %r0, 1'];
const byte12 = ['ldxb %r0, [%r2+12]', 'exit'];
tryLoad('unchecked packet', [...packet, ...byte12], xdp);
// if (data + 14 > data_end) return 1;
const check14 = ['mov %r4, %r2', 'add %r4, 14', 'jgt %r4, %r3, +1'];
tryLoad('checked packet', [...packet, ...check14, ...byte12], xdp);

// The context: per program type, which fields may be read or written.
tryLoad('skb->data in a socket filter', ['ldxw %r0, [%r1+76]', 'exit']);
tryLoad('write skb->len', ['mov %r0, 0', 'stxw [%r1+0], %r0', 'exit']);

// Helpers: by prototype, program type and map type.
const push = ['mov %r3, 0', 'call 87', 'mov %r0, 0', 'exit'];
tryLoad('push on an array', [...lookup.slice(0, 5), ...push]);
tryLoad('xdp helper in a socket filter', ['call 44', 'mov %r0, 0', 'exit']);

// Termination: loops must end within the limit, every instruction be reachable.
const endless = ['mov %r0, 0', 'ldxw %r2, [%r1+0]', 'jne %r2, 0, -1', 'exit'];
tryLoad('endless loop', endless);
const counted = ['mov %r2, 10', 'add %r0, %r2', 'sub %r2, 1', 'jne %r2, 0, -3'];
tryLoad('counted loop', ['mov %r0, 0', ...counted, 'exit']);
tryLoad('dead code', ['mov %r0, 0', 'exit', 'mov %r0, 1', 'exit']);

// Exit: r0 is the program's result, a number.
tryLoad('return the context', ['mov %r0, %r1', 'exit']);
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
const compare = ['mov %r0, 0', 'jne %r1, %r10, +1', 'mov %r0, 1', 'exit'];
tryLoad('privileged', compare);
tryLoad('unprivileged', compare, { unprivileged: true });
// A stack pointer stored into a map value; a read of stack nothing wrote.
const store = [...lookup, 'jeq %r0, 0, +1', 'stxdw [%r0+0], %r10'];
tryLoad('pointer into a map', [...store, ...zero], { unprivileged: true });
const unwritten = ['ldxdw %r0, [%r10-8]', 'exit'];
tryLoad('unwritten stack', unwritten, { unprivileged: true });
// #endregion unprivileged

// #region unverified
// Test-only: no verifier, so that a test reaches the run-time checks.
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
// #endregion unverified
