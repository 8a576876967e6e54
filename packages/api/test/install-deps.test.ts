// tools/install-deps.sh, the one list of Debian packages that `npm start`, `npm test` and .ci/run
// install: run against fakes of dpkg-query, id, apt-get and sudo (a PATH of nothing else), so a
// machine without clang-19, libbpf-dev or chromium is simulated on any machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { apiRoot } from './support.js';

const workspace = join(apiRoot, '..', '..');
const script = join(workspace, 'tools', 'install-deps.sh');
const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-install-deps-'));

const START = ['cmake', 'ninja-build', 'gcc', 'make', 'pkg-config', 'clang-19', 'libbpf-dev', 'linux-libc-dev'];
const TEST_ONLY = ['llvm-19', 'bpftool', 'libclang-rt-19-dev', 'chromium'];

/** Fakes: dpkg-query reports FAKE_MISSING (space-separated, or `*`) as not installed, as Debian's does. */
const fakes: Record<string, string> = {
  'dpkg-query': `for p; do :; done
case " $FAKE_MISSING " in *" $p "*|" * ") echo "dpkg-query: no packages found matching $p" >&2; exit 1 ;; esac
printf 'install ok installed'`,
  id: 'echo "$FAKE_UID"',
  'apt-get': 'echo "apt-get $*" >> "$FAKE_LOG"; exit "${FAKE_APT_RC:-0}"',
  sudo: 'echo "sudo $*" >> "$FAKE_LOG"; exit "${FAKE_APT_RC:-0}"',
};

interface Run {
  status: number | null;
  stderr: string;
  log: string[];
}

let runs = 0;
/** Runs the script with only the fakes named in `tools` on PATH. */
function run(args: string[], opts: { missing: string; uid: number; tools?: string[]; aptRc?: number }): Run {
  const dir = join(tmp, `run${++runs}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of opts.tools ?? ['dpkg-query', 'id', 'apt-get']) {
    writeFileSync(join(bin, name), `#!/bin/bash\n${fakes[name]}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const log = join(dir, 'log');
  const r = spawnSync('/bin/bash', [script, ...args], {
    encoding: 'utf8',
    env: { PATH: bin, FAKE_MISSING: opts.missing, FAKE_UID: String(opts.uid), FAKE_LOG: log, FAKE_APT_RC: String(opts.aptRc ?? 0) },
  });
  return { status: r.status, stderr: r.stderr, log: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
}

/** The packages a failed run names as missing (its first line). */
function named(stderr: string, purpose: RegExp): string[] {
  const m = stderr.match(new RegExp(`missing Debian packages for ${purpose.source}: (.*)`));
  assert.ok(m, stderr);
  return m[1]!.split(' ');
}

describe('tools/install-deps.sh on a simulated machine', () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('--check names exactly the missing packages and the command that installs them, and exits 1', () => {
    const r = run(['--for', 'start', '--check'], { missing: 'clang-19 libbpf-dev chromium', uid: 1000 });
    assert.equal(r.status, 1, r.stderr);
    // chromium is missing too, but `npm start` does not need it.
    assert.deepEqual(named(r.stderr, /`npm start` \(build and run the demo\)/), ['clang-19', 'libbpf-dev']);
    assert.ok(r.stderr.includes('\n  apt-get update && apt-get install -y --no-install-recommends clang-19 libbpf-dev\n'), r.stderr);
    assert.deepEqual(r.log, [], 'check mode installs nothing');
  });

  it('not root and no sudo: names the packages and the command, installs nothing, exits 1', () => {
    const r = run(['--for', 'test'], { missing: 'chromium bpftool', uid: 1000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /not root and no sudo: cannot install/);
    assert.deepEqual(named(r.stderr, /`npm test`/), ['bpftool', 'chromium']);
    assert.ok(r.stderr.includes('apt-get install -y --no-install-recommends bpftool chromium\n'), r.stderr);
    assert.deepEqual(r.log, []);
  });

  it('as root: apt-get installs what is missing, and only that', () => {
    const r = run(['--for', 'start'], { missing: 'clang-19 libbpf-dev', uid: 0 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.log, ['apt-get update', 'apt-get install -y --no-install-recommends clang-19 libbpf-dev']);
  });

  it('with sudo: through sudo, non-interactively', () => {
    const r = run([], { missing: 'llvm-19', uid: 1000, tools: ['dpkg-query', 'id', 'apt-get', 'sudo'] });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.log, ['sudo env DEBIAN_FRONTEND=noninteractive apt-get update', 'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends llvm-19']);
  });

  it('a failing apt-get (or sudo) ends in the same explanation and exit 1', () => {
    const r = run(['--for', 'start'], { missing: 'cmake', uid: 0, aptRc: 100 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /apt-get failed/);
    assert.deepEqual(named(r.stderr, /`npm start` \(build and run the demo\)/), ['cmake']);
  });

  it('the lists: start is the build and the BPF toolchain; test adds llvm-19, bpftool, libclang-rt-19-dev, chromium', () => {
    assert.deepEqual(named(run(['--for', 'start', '--check'], { missing: '*', uid: 0 }).stderr, /`npm start` \(build and run the demo\)/), START);
    assert.deepEqual(named(run(['--check'], { missing: '*', uid: 0 }).stderr, /`npm test`/), [...START, ...TEST_ONLY]);
  });

  it('all present: exits 0 and installs nothing', () => {
    const r = run(['--for', 'test'], { missing: '', uid: 0 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /all present for `npm test`/);
    assert.deepEqual(r.log, []);
  });

  it('bad arguments exit 2 with the usage', () => {
    const r = run(['--for', 'demo'], { missing: '', uid: 0 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown mode 'demo'[\s\S]*usage: tools\/install-deps\.sh \[--for start\|test\] \[--check\]/);
  });

  it('npm start, npm test and .ci/run all go through it (no second package list)', () => {
    const pkg = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start!, /^bash tools\/install-deps\.sh --for start && /);
    assert.match(pkg.scripts.test!, /^bash tools\/install-deps\.sh --for test && /);
    const ci = readFileSync(join(workspace, '.ci', 'run'), 'utf8');
    assert.match(ci, /\nbash tools\/install-deps\.sh --for test\n/);
    assert.doesNotMatch(ci, /apt-get|dpkg-query/);
  });
});
