// Installable: `npm pack` the packages (@bpfhost/bindings, its per-platform package, @bpfhost/api,
// @bpfhost/sdk), install the tarballs offline into a fresh project outside the workspace,
// type-check a small TypeScript program against them with `tsc --noEmit --strict`, compile and
// run it, and run the installed `bpfhost` bin (`bpfhost sdk` with and without the SDK).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { apiRoot } from './support.js';

const workspace = join(apiRoot, '..', '..');
const tsc = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');
const typeRoots = join(workspace, 'node_modules', '@types');
const fixture = join(apiRoot, 'test', 'fixtures', 'install');
const packages = {
  bindings: join(workspace, 'packages', 'bindings'),
  platform: join(workspace, 'packages', 'bindings', 'npm', 'linux-x64-gnu'),
  api: apiRoot,
  sdk: join(workspace, 'packages', 'sdk'),
};

/**
 * The environment for npm: without the npm_* variables of an enclosing `npm test` (its
 * npm_config_local_prefix would point the install at the workspace).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

function npm(cwd: string, args: string[]): string {
  return execFileSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Packed {
  filename: string;
  files: string[];
}

const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-install-'));
const tarballs: Record<keyof typeof packages, Packed> = {} as Record<keyof typeof packages, Packed>;

/** A fresh project in the temporary directory with `tarballs` installed offline. */
function project(name: string, which: Array<keyof typeof packages>): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `bpfhost-${name}`, version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
  npm(dir, ['install', '--offline', '--no-audit', '--no-fund', ...which.map((k) => join(tmp, tarballs[k].filename))]);
  return dir;
}

describe('installable: npm pack, offline install outside the workspace, tsc --strict, run', () => {
  before(() => {
    assert.ok(!relative(workspace, tmp).match(/^[^.]/), `the project must be outside the workspace (${tmp})`);
    for (const [key, dir] of Object.entries(packages) as Array<[keyof typeof packages, string]>) {
      const out = npm(dir, ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp]);
      const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
      assert.ok(info, `npm pack ${dir}`);
      tarballs[key] = { filename: info.filename, files: info.files.map((f) => f.path) };
    }
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the tarballs hold what each package needs', () => {
    assert.deepEqual(tarballs.platform.files.sort(), ['bindings.linux-x64-gnu.node', 'package.json']);
    for (const f of ['index.js', 'index.d.ts', 'package.json']) assert.ok(tarballs.bindings.files.includes(f), f);
    assert.ok(!tarballs.bindings.files.some((f) => f.endsWith('.node')), 'the .node ships in the platform package only');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/bpfhost.js', 'package.json']) assert.ok(tarballs.api.files.includes(f), f);
    assert.ok(!tarballs.api.files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('dist-')), 'no sources or tests');
  });

  it('installs offline, type-checks under --strict and runs', () => {
    // The per-platform package is not on any registry: it is installed with the others (TOOLCHAIN.md §2).
    const dir = project('app', ['platform', 'bindings', 'api']);
    for (const p of ['api', 'bindings', 'bindings-linux-x64-gnu']) {
      const installed = join(dir, 'node_modules', '@bpfhost', p);
      assert.ok(lstatSync(installed).isDirectory() && !lstatSync(installed).isSymbolicLink(), `${p} is a real copy, not a workspace link`);
    }
    for (const f of ['check.mts', 'tsconfig.json']) copyFileSync(join(fixture, f), join(dir, f));

    const check = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '-p', 'tsconfig.json', '--typeRoots', typeRoots], { cwd: dir, encoding: 'utf8' });
    assert.equal(check.status, 0, `tsc --noEmit --strict:\n${check.stdout}${check.stderr}`);

    // A mistake the types must catch: a string key on a u32 map.
    writeFileSync(join(dir, 'wrong.mts'), "import { BpfMap, u32, u64 } from '@bpfhost/api';\nBpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 1 }).set('1', 1n);\n");
    const wrong = spawnSync(process.execPath, [tsc, '--ignoreConfig', '--pretty', 'false', '--noEmit', '--strict', '--module', 'nodenext', '--types', 'node', '--typeRoots', typeRoots, '--lib', 'es2023,esnext.disposable', 'wrong.mts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(wrong.status, 2, wrong.stdout);
    assert.match(wrong.stdout, /wrong\.mts\(2,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);

    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--typeRoots', typeRoots], { cwd: dir });
    const run = spawnSync(process.execPath, [join(dir, 'out', 'check.mjs')], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(r.counts, [[1, '10'], [2, '20'], [7, '42']]);
    assert.deepEqual(r.flow, { packets: '2', bytes: '128', flags: 3 });
    assert.equal(r.exists, 'EEXIST');
    assert.match(String(r.codec), /^map 'counts': has: key: expected an integer in 0\.\.4294967295 \(codec u32\), got the string "7"$/);
    assert.equal(r.disasm, 'mov %r0, 42\nexit\n');
    assert.equal(r.retval, 42);
    assert.equal(r.handlesBack, true);
    assert.equal(r.cpus, true);
    assert.equal(r.resolved, join(dir, 'node_modules', '@bpfhost', 'bindings', 'index.js'));
  });

  it('the installed bpfhost bin runs', () => {
    const dir = join(tmp, 'app');
    const bin = join(dir, 'node_modules', '.bin', 'bpfhost');
    assert.ok(existsSync(bin), 'npm linked the bin');
    const pkg = JSON.parse(readFileSync(join(apiRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(execFileSync(bin, ['--version'], { cwd: dir, encoding: 'utf8' }), `bpfhost ${pkg.version}\n`);
    writeFileSync(join(dir, 'p.asm'), 'mov %r0, 1\nexit\n');
    assert.equal(execFileSync(bin, ['asm', 'p.asm'], { cwd: dir, encoding: 'utf8' }), 'b7 00 00 00 01 00 00 00\n95 00 00 00 00 00 00 00\n');
  });

  it('bpfhost sdk finds @bpfhost/sdk installed beside @bpfhost/api', () => {
    const dir = project('with-sdk', ['platform', 'bindings', 'api', 'sdk']);
    const r = spawnSync(join(dir, 'node_modules', '.bin', 'bpfhost'), ['sdk', '--cmake-prefix', '--pkg-config-path'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const prefix = join(dir, 'node_modules', '@bpfhost', 'sdk', 'dist');
    assert.equal(r.stdout, `${prefix}\n${join(prefix, 'lib', 'pkgconfig')}\n`);
    for (const f of ['lib/cmake/bpfhost/bpfhostConfig.cmake', 'lib/pkgconfig/bpfhost.pc', 'lib/libbpfhost.so', 'include/bpfhost/extension.h']) {
      assert.ok(existsSync(join(prefix, f)), `the installed SDK has ${f}`);
    }
  });

  it('bpfhost sdk without @bpfhost/sdk installed: an error naming the package', () => {
    const dir = join(tmp, 'app');
    const r = spawnSync(join(dir, 'node_modules', '.bin', 'bpfhost'), ['sdk', '--cmake-prefix'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /the SDK package @bpfhost\/sdk is not installed .*npm install --save-dev @bpfhost\/sdk/);
  });

  it('without the per-platform package the API says the binding cannot load (EBINDING)', () => {
    const dir = project('no-platform', ['bindings', 'api']);
    assert.ok(!existsSync(join(dir, 'node_modules', '@bpfhost', 'bindings-linux-x64-gnu')));
    const script = "import { BpfMap, u32 } from '@bpfhost/api'; try { BpfMap.create({ type: 'array', key: u32, value: u32, maxEntries: 1 }); } catch (e) { console.log(e.name, e.code); }";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.stdout, 'BpfError EBINDING\n', r.stderr);
  });
});
