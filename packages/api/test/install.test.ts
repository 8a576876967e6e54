// Installable: `npm pack` the packages (@bpfhost/bindings, its per-platform package, @bpfhost/api,
// @bpfhost/sdk), install the tarballs offline into fresh projects outside the workspace, an ES
// module project (`import`) and a CommonJS one (`require`, as `npm init -y` makes it), type-check a
// small TypeScript program in each with `tsc --strict` under module node16 and nodenext, compile and
// run it, and run the installed `bpfhost` bin (`bpfhost sdk` with and without the SDK).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { apiRoot } from './support.js';

const workspace = join(apiRoot, '..', '..');
const tsc = join(workspace, 'node_modules', 'typescript', 'bin', 'tsc');
const typeRoots = join(workspace, 'node_modules', '@types');
const fixture = join(apiRoot, 'test', 'fixtures', 'install');
const cjsFixture = join(apiRoot, 'test', 'fixtures', 'install-cjs');
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

/**
 * `tsc --strict` of the project's tsconfig.json under `module` (node16 or nodenext), listing the
 * files it read: returns the path of the `@bpfhost/api` declarations it used.
 */
function typeCheck(dir: string, module: 'node16' | 'nodenext'): string {
  const args = [tsc, '--noEmit', '--strict', '-p', 'tsconfig.json', '--typeRoots', typeRoots, '--module', module, '--moduleResolution', module, '--listFiles'];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc --noEmit --strict --module ${module}:\n${r.stdout}${r.stderr}`);
  const api = r.stdout.split('\n').filter((f) => /node_modules\/@bpfhost\/api\/dist\/(cjs\/)?index\.d\.ts$/.test(f));
  assert.equal(api.length, 1, `one @bpfhost/api entry point:\n${r.stdout}`);
  return relative(dir, api[0]!);
}

/** A fresh project in the temporary directory with `tarballs` installed offline. */
function project(name: string, which: Array<keyof typeof packages>, type: 'module' | 'commonjs' = 'module'): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const manifest = { name: `bpfhost-${name}`, version: '0.0.0', private: true, ...(type === 'module' ? { type } : {}) };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
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
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/require.cjs', 'bin/bpfhost.js', 'package.json']) assert.ok(tarballs.api.files.includes(f), f);
    // The CommonJS build, marked as such for Node and TypeScript.
    for (const f of ['dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/cjs/require.cjs', 'dist/cjs/cli/main.js']) assert.ok(tarballs.api.files.includes(f), f);
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

    // `import` resolves through the "import" condition: the ESM build's declarations.
    for (const module of ['node16', 'nodenext'] as const) assert.equal(typeCheck(dir, module), 'node_modules/@bpfhost/api/dist/index.d.ts');

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

  it('a CommonJS project: require() works, typed from the CommonJS declarations under node16 and nodenext', () => {
    const dir = project('cjs-app', ['platform', 'bindings', 'api'], 'commonjs');
    assert.equal((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type, undefined, 'no "type": CommonJS');
    // Plain JavaScript, as the user who found ERR_PACKAGE_PATH_NOT_EXPORTED wrote it.
    copyFileSync(join(cjsFixture, 'plain.js'), join(dir, 'plain.js'));
    const plain = spawnSync(process.execPath, ['plain.js'], { cwd: dir, encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout, '5\n');

    for (const f of ['check.ts', 'tsconfig.json']) copyFileSync(join(cjsFixture, f), join(dir, f));
    // `import` in a CommonJS file is `require`: the "require" condition and its declarations.
    for (const module of ['node16', 'nodenext'] as const) assert.equal(typeCheck(dir, module), 'node_modules/@bpfhost/api/dist/cjs/index.d.ts');

    // The CommonJS declarations are the real types, not `any`.
    writeFileSync(join(dir, 'wrong.ts'), "import { BpfMap, u32, u64 } from '@bpfhost/api';\nBpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 1 }).set('1', 1n);\n");
    const wrong = spawnSync(process.execPath, [tsc, '--ignoreConfig', '--pretty', 'false', '--noEmit', '--strict', '--module', 'nodenext', '--types', 'node', '--typeRoots', typeRoots, '--lib', 'es2023,esnext.disposable', 'wrong.ts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(wrong.status, 2, wrong.stdout);
    assert.match(wrong.stdout, /wrong\.ts\(2,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);

    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--typeRoots', typeRoots], { cwd: dir });
    assert.match(readFileSync(join(dir, 'out', 'check.js'), 'utf8'), /require\("@bpfhost\/api"\)/, 'compiled to require()');
    const run = spawnSync(process.execPath, [join(dir, 'out', 'check.js')], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      exists: 'EEXIST',
      value: '42',
      flags: 1,
      retval: 7,
      format: 'commonjs',
      resolved: join(dir, 'node_modules', '@bpfhost', 'api', 'dist', 'cjs', 'index.js'),
    });
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
    const script = "import { BpfMap, u32 } from '@bpfhost/api'; try { BpfMap.create({ type: 'array', key: u32, value: u32, maxEntries: 1 }); } catch (e) { console.log(JSON.stringify([e.name, e.code, e.message])); }";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    const [name, code, message] = JSON.parse(r.stdout) as string[];
    assert.deepEqual([name, code], ['BpfError', 'EBINDING'], r.stderr);
    const version = (JSON.parse(readFileSync(join(packages.platform, 'package.json'), 'utf8')) as { version: string }).version;
    // The package to install and the platform it is for; nothing that only works in the repository,
    // nothing of napi-rs' generic advice.
    assert.equal(message, `cannot load the native binding: the platform package @bpfhost/bindings-linux-x64-gnu (the binary for linux-x64-gnu) is not installed: \`npm install @bpfhost/bindings-linux-x64-gnu@${version}\``);
    // The same from CommonJS.
    const cjs = spawnSync(process.execPath, ['-e', "try { require('@bpfhost/api').BpfMap.create({ type: 'array', key: require('@bpfhost/api').u32, value: require('@bpfhost/api').u32, maxEntries: 1 }); } catch (e) { console.log(e.code, e.message); }"], { cwd: dir, encoding: 'utf8' });
    assert.equal(cjs.stdout, `EBINDING ${message}\n`, cjs.stderr);
  });

  it('a platform package whose binary does not load: named, with where it is and the loader\'s reason', () => {
    const dir = join(tmp, 'no-platform');
    const fake = join(dir, 'node_modules', '@bpfhost', 'bindings-linux-x64-gnu');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: '@bpfhost/bindings-linux-x64-gnu', version: '0.1.0', main: 'bindings.linux-x64-gnu.node' }));
    writeFileSync(join(fake, 'bindings.linux-x64-gnu.node'), 'not an ELF object');
    const script = "import { BpfMap, u32 } from '@bpfhost/api'; try { BpfMap.create({ type: 'array', key: u32, value: u32, maxEntries: 1 }); } catch (e) { console.log(JSON.stringify([e.code, e.message])); }";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    const [code, message] = JSON.parse(r.stdout) as string[];
    assert.equal(code, 'EBINDING', r.stderr);
    assert.ok(message!.startsWith(`cannot load the native binding: @bpfhost/bindings-linux-x64-gnu is installed (${realpathSync(fake)}) but its binary did not load: `), message);
    assert.match(message!, /bindings\.linux-x64-gnu\.node: (invalid ELF header|file too short)/);
    assert.doesNotMatch(message!, /nx run|npm has a bug/);
  });
});
