// The skeleton the node:test page uses (examples/packets.skel.ts) is the one `bpfhost gen skeleton`
// makes from the guide's packets.bpf.o today: `gen skeleton --check` (what a user's CI runs) passes on
// the checked-in file and fails on a stale one, and the page shows the command that made it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { plainEnv, repoRoot, siteDir, workDir } from './fixtures';

const skeleton = path.join(siteDir, 'examples/packets.skel.ts');
const bpfhost = path.join(repoRoot, 'packages/api/bin/bpfhost.js');

/** `bpfhost gen skeleton packets.bpf.o ARGS...` from the directory holding the guide's objects. */
function gen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bpfhost, 'gen', 'skeleton', 'packets.bpf.o', ...args], {
    cwd: workDir(),
    encoding: 'utf8',
    env: plainEnv(),
  });
}

describe('the node:test page\'s skeleton', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bpfhost-docs-skel-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('gen skeleton --check passes on the checked-in examples/packets.skel.ts', () => {
    const r = gen('-o', skeleton, '--check');
    assert.equal(r.status, 0, `examples/packets.skel.ts is stale: regenerate it with bpfhost gen skeleton packets.bpf.o -o examples/packets.skel.ts\n${r.stdout}${r.stderr}`);
    assert.equal(gen().stdout, readFileSync(skeleton, 'utf8'), 'what gen prints is the file');
  });

  it('and fails on a stale one (a hand edit), leaving it as it was', () => {
    const stale = path.join(scratch, 'packets.skel.ts');
    copyFileSync(skeleton, stale);
    const edited = readFileSync(stale, 'utf8').replace('max_len: number;', 'max_len: bigint;');
    assert.notEqual(edited, readFileSync(skeleton, 'utf8'), 'the edit applies');
    writeFileSync(stale, edited);
    const r = gen('-o', stale, '--check');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(readFileSync(stale, 'utf8'), edited, '--check writes nothing');
  });

  it('the page says how the skeleton is made and checked', () => {
    const page = readFileSync(path.join(siteDir, 'docs/user-guide/testing.md'), 'utf8');
    assert.ok(page.includes('bpfhost gen skeleton packets.bpf.o -o packets.skel.ts'), 'the command');
    assert.ok(page.includes('--check'), 'the CI check');
  });
});
