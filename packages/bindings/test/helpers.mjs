// Shared by the binding's tests: the binding itself, Linux constants, BPF
// objects compiled on the fly with clang-19, and the sample extension.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
export const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..', '..');

/** The binding, as a user loads it (the generated loader, then the .node). */
export const b = require('../index.js');

export const MAP = {
  HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERCPU_HASH: 5, PERCPU_ARRAY: 6, LRU_HASH: 9,
  LRU_PERCPU_HASH: 10, LPM_TRIE: 11, QUEUE: 22, STACK: 23, RINGBUF: 27,
};
export const PROG_SOCKET_FILTER = 1;
export const BPF_ANY = 0n;
export const BPF_NOEXIST = 1n;
export const BPF_EXIST = 2n;

export const u32 = (v) => { const x = Buffer.alloc(4); x.writeUInt32LE(v); return x; };
export const u64 = (v) => { const x = Buffer.alloc(8); x.writeBigUInt64LE(BigInt(v)); return x; };

/** Asserts that fn throws a binding error with this code (and errno), message matching re. */
export function throwsErrno(fn, code, errno, re) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, 'an Error');
    assert.equal(e.code, code, `code of: ${e.message}`);
    assert.equal(e.errno, errno, 'errno');
    if (re) assert.match(e.message, re);
    return true;
  });
}

/** An Ethernet + IPv4 frame of n bytes (socket filters see n - 14 from the network header). */
export function frame(n = 64) {
  const f = Buffer.alloc(n);
  f[12] = 0x08; // ETH_P_IP
  f[14] = 0x45;
  for (let i = 15; i < n; i++) f[i] = i & 0xff;
  return f;
}

const clang = (() => {
  try {
    execFileSync('clang-19', ['--version'], { stdio: 'ignore' });
    return 'clang-19';
  } catch {
    return null;
  }
})();
const helpersHeader = ['/usr/include/bpf/bpf_helpers.h'].every(existsSync);

/**
 * Compiles test/fixtures/NAME.bpf.c as a user would (clang-19 -target bpf
 * -O2 -g). Returns the object's path, or null with the reason in skip().
 */
export function compileBpf(name, t) {
  if (!clang || !helpersHeader) {
    const why = !clang ? 'clang-19 is not installed' : 'libbpf-dev (bpf/bpf_helpers.h) is not installed';
    t.skip(`${why}: cannot compile ${name}.bpf.c`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bpfhost-bindings-'));
  const out = join(dir, `${name}.bpf.o`);
  execFileSync(clang, ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-Wall', '-Werror',
    '-I/usr/include/x86_64-linux-gnu', '-c', join(here, 'fixtures', `${name}.bpf.c`), '-o', out]);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return out;
}

/** packages/sample-ext's build outputs (Nx builds them before these tests). */
export const sampleExt = {
  module: join(repo, 'packages', 'sample-ext', 'build', 'sample_ext.so'),
  object: join(repo, 'packages', 'sample-ext', 'build', 'bpf', 'sample_maps.bpf.o'),
};

export function needSampleExt(t) {
  for (const p of [sampleExt.module, sampleExt.object]) {
    if (!existsSync(p)) {
      t.skip(`${p} is not built (nx run sample-ext:build)`);
      return false;
    }
  }
  return true;
}
