// The `bpfhost` CLI on an object whose program the verifier refuses: the error names the object,
// the program, the instruction and the rule; --verbose adds the verifier's log; --json carries
// insn, reason and the log as fields.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { apiRoot, bpfFixture, noClang } from './support.js';

const bin = join(apiRoot, 'bin', 'bpfhost.js');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bpfhost CLI: refused loads', { skip: noClang }, () => {
  // The object's first program (null_deref) reads a map value without a NULL check.
  // The core ends the reason with the C line when the object has line info (.BTF.ext).
  const reason = "R0 may be NULL (map 'counts' lookup at insn 6) when read with size 8; check it against 0 first";
  const line = ' (at verifier_refused.bpf.c:24: return (int)*v;)';
  const refusal = `Error: object 'verifier_refused', program 'null_deref': load: insn 7: ${reason}${line}`;

  it('prints the program, the instruction and the reason, and points to --verbose', () => {
    const r = cli('prog', 'list', '--obj', bpfFixture('verifier_refused'));
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], refusal);
    assert.match(lines.at(-1)!, /^ {2}\(--verbose prints the verifier's log: \d+ lines\)$/);
    assert.ok(!r.stderr.includes('call bpf_map_lookup_elem'), 'no log without --verbose');
  });

  it('--verbose adds the log of the failing path', () => {
    for (const flag of ['--verbose', '-v']) {
      const r = cli(flag, 'prog', 'list', '--obj', bpfFixture('verifier_refused'));
      assert.equal(r.status, 1);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines[0], refusal);
      assert.equal(lines[1], '  at verifier_refused.bpf.c:24: return (int)*v;', 'the C line');
      assert.equal(lines[2], "  the verifier's log:");
      assert.ok(lines.includes('    6: (85) call bpf_map_lookup_elem#1'), r.stderr);
      assert.match(lines.at(-1)!, /^ {4}program 'null_deref': insn 7: R0 may be NULL/);
    }
  });

  it('--json: insn, reason, program and the log as fields', () => {
    const r = cli('--json', 'run', bpfFixture('verifier_refused'));
    assert.equal(r.status, 1);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(doc.error, refusal.slice('Error: '.length));
    assert.equal(doc.code, 'EACCES');
    assert.equal(doc.program, 'null_deref');
    assert.equal(doc.insn, 7);
    assert.equal(doc.reason, reason, "the reason, without the source suffix");
    assert.ok(Array.isArray(doc.log) && (doc.log as string[]).includes('6: (85) call bpf_map_lookup_elem#1'));
  });

  it('--help lists --verbose', () => {
    assert.match(cli('--help').stdout, /-v, --verbose {7}a program the verifier refuses: print its log too/);
  });
});
