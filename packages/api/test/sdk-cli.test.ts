// `bpfhost sdk`: resolves the installed @bpfhost/sdk (here: the workspace's package, built
// by sdk:build) and prints its paths; the printed prefix holds the CMake package and the
// flags name real folders. Run as a separate process, from inside and outside the workspace.
// (The error without the package is in install.test.ts, where @bpfhost/api is installed alone.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { apiRoot } from './support.js';

const bin = join(apiRoot, 'bin', 'bpfhost.js');
const workspace = realpathSync(join(apiRoot, '..', '..'));
const sdkDist = join(workspace, 'packages', 'sdk', 'dist');
const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-sdk-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bpfhost sdk', () => {
  it('--cmake-prefix prints the installed package\'s prefix, which holds bpfhostConfig.cmake', () => {
    for (const cwd of [workspace, tmp]) {
      const r = cli(cwd, 'sdk', '--cmake-prefix');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${sdkDist}\n`, `from ${cwd}`);
      assert.ok(existsSync(join(r.stdout.trim(), 'lib', 'cmake', 'bpfhost', 'bpfhostConfig.cmake')));
    }
  });

  it('--cflags, --libs and --pkg-config-path: one line each, in that order, naming the package\'s folders', () => {
    const r = cli(tmp, 'sdk', '--pkg-config-path', '--libs', '--cflags');
    assert.equal(r.status, 0, r.stderr);
    const lib = join(sdkDist, 'lib');
    assert.deepEqual(r.stdout.split('\n'), [
      `-I${join(sdkDist, 'include')}`,
      `-L${lib} -Wl,-rpath,${lib} -lbpfhost -pthread -ldl`,
      join(lib, 'pkgconfig'),
      '',
    ]);
    assert.ok(existsSync(join(sdkDist, 'include', 'bpfhost', 'extension.h')));
    assert.ok(existsSync(join(lib, 'libbpfhost.so')));
    assert.ok(existsSync(join(lib, 'pkgconfig', 'bpfhost.pc')));
  });

  it('without options: every path; --json: one document', () => {
    const r = cli(tmp, 'sdk');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^@bpfhost\/sdk \d+\.\d+\.\d+\n/);
    assert.ok(r.stdout.includes(`cmake prefix     ${sdkDist}\n`));
    const j = cli(tmp, '--json', 'sdk');
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as Record<string, string>;
    assert.equal(doc.prefix, sdkDist);
    assert.equal(doc.cmakeDir, join(sdkDist, 'lib', 'cmake', 'bpfhost'));
    assert.equal(doc.pkgconfigDir, join(sdkDist, 'lib', 'pkgconfig'));
  });

  it('usage errors: a stray argument, an option of another command', () => {
    const extra = cli(tmp, 'sdk', 'extra');
    assert.equal(extra.status, 1);
    assert.match(extra.stderr, /sdk: unexpected 'extra'/);
    const other = cli(tmp, 'sdk', '--data', '00');
    assert.equal(other.status, 1);
    assert.match(other.stderr, /'sdk' does not take --data/);
  });
});
