// The SDK as an author outside this repository gets it: `npm pack` of this
// package, unpacked into a temporary folder (the prefix), and the fixture
// project (test/fixture) copied beside it. Built with CMake
// (find_package(bpfhost) + bpfhost_add_extension) and with pkg-config, each
// module is loaded by C hosts linked against the shipped libbpfhost (shared
// and static), and no path of this repository reaches a compile or link line.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const sdkRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const workspace = join(sdkRoot, '..', '..');
const fixture = join(sdkRoot, 'test', 'fixture');
const version = JSON.parse(readFileSync(join(sdkRoot, 'package.json'), 'utf8')).version;

/** npm without the npm_* variables of an enclosing `npm test`. */
function npmEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return env;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}

function ok(cmd, args, opts = {}) {
  const r = run(cmd, args, opts);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.out}`);
  return r.stdout;
}

/** Dynamic symbols a shared object defines (names only). */
function exported(file) {
  return ok('nm', ['-D', '--defined-only', file])
    .split('\n')
    .map((l) => /^[0-9a-f]* +[B-Zb-z] ([^ @]+)/.exec(l)?.[1])
    .filter(Boolean);
}

/** What the fixture's CMakeLists needs to build its BPF object. */
const haveBpfToolchain = existsSync('/usr/include/bpf/bpf_helpers.h') && (run('clang-19', ['--version']).status === 0 || run('clang', ['--version']).status === 0);

const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-sdk-'));
const prefix = join(tmp, 'package', 'dist');
let packed = [];

describe('@bpfhost/sdk, packed and used outside the repository', () => {
  before(() => {
    assert.ok(relative(workspace, tmp).startsWith('..'), `the temporary folder must be outside the workspace (${tmp})`);
    assert.ok(existsSync(join(sdkRoot, 'dist', 'lib', 'cmake', 'bpfhost', 'bpfhostConfig.cmake')), 'dist/ is built (npx nx run sdk:build)');
    const out = ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: sdkRoot, env: npmEnv() });
    const [info] = JSON.parse(out);
    packed = info.files.map((f) => f.path);
    ok('tar', ['-xzf', join(tmp, info.filename), '-C', tmp]);
    cpSync(fixture, join(tmp, 'src'), { recursive: true });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the tarball ships the install layout, and nothing of the sources', () => {
    for (const f of [
      'dist/include/bpfhost/extension.h',
      'dist/include/bpfhost/bpfhost.h',
      'dist/include/bpfhost/bpf.h',
      'dist/include/bpfhost/libbpf.h',
      'dist/lib/libbpfhost.a',
      'dist/lib/libbpfhost.so',
      `dist/lib/libbpfhost.so.${version.split('.').slice(0, 2).join('.')}`,
      'dist/lib/cmake/bpfhost/bpfhostConfig.cmake',
      'dist/lib/cmake/bpfhost/bpfhostConfigVersion.cmake',
      'dist/lib/cmake/bpfhost/bpfhostTargets.cmake',
      'dist/lib/cmake/bpfhost/bpfhostExtension.cmake',
      'dist/lib/cmake/bpfhost/bpfhost_extension.map',
      'dist/lib/pkgconfig/bpfhost.pc',
      'dist/lib/pkgconfig/bpfhost-extension.pc',
      'dist/include/bpfhost/check.h',
      'dist/lib/libbpfhost_check.so',
      'dist/bin/bpfhost-check',
      'index.js',
      'index.d.ts',
      'package.json',
    ]) assert.ok(packed.includes(f), `the tarball has ${f}`);
    assert.ok(!packed.some((f) => f.startsWith('test/') || f.startsWith('scripts/')), 'no tests or build scripts');
    // npm pack drops symlinks: the SONAME file must be a real file.
    const soname = /SONAME\)\s+Library soname: \[(.+)\]/.exec(ok('readelf', ['-d', join(prefix, 'lib', 'libbpfhost.so')]))?.[1];
    assert.equal(soname, `libbpfhost.so.${version.split('.').slice(0, 2).join('.')}`);
    assert.ok(lstatSync(join(prefix, 'lib', soname)).isFile());
  });

  it('CMake: find_package(bpfhost) + bpfhost_add_extension, loaded by hosts on bpfhost::bpfhost and bpfhost::bpfhost_static', () => {
    const src = join(tmp, 'src');
    const build = join(tmp, 'build-cmake');
    ok('cmake', ['-S', src, '-B', build, '-G', 'Ninja', `-DCMAKE_PREFIX_PATH=${prefix}`, '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON']);
    ok('cmake', ['--build', build]);

    // Nothing of the repository on any compile line: the headers came from the package.
    const commands = readFileSync(join(build, 'compile_commands.json'), 'utf8');
    assert.ok(!commands.includes(workspace), `a compile line names the workspace:\n${commands}`);
    assert.ok(commands.includes(`-isystem ${prefix}/include `), 'the headers come from the package (an imported target: -isystem)');
    assert.ok(!ok('ninja', ['-C', build, '-t', 'commands']).includes(workspace), 'no link line names the workspace');

    // The module: no lib prefix, one export; the helper marked visible stays local too.
    const module = join(build, 'doubling_map.so');
    assert.deepEqual(exported(module), ['bpfhost_extension_entry']);
    assert.deepEqual(exported(join(build, 'leaky_map.so')), ['bpfhost_extension_entry']);

    // The shared host finds libbpfhost.so.<soname> in the package (its RUNPATH) and prints what the map stored.
    const needed = ok('readelf', ['-d', join(build, 'host')]);
    assert.match(needed, /NEEDED\)\s+Shared library: \[libbpfhost\.so\./);
    assert.equal(ok(join(build, 'host'), [module]), 'ok 42\n');
    assert.doesNotMatch(ok('readelf', ['-d', join(build, 'host_static')]), /libbpfhost/);
    assert.equal(ok(join(build, 'host_static'), [module]), 'ok 42\n');

    // The BPF object (clang with libbpf-dev and the SDK's bpfhost/ext_ids.h): its map gets the module's type.
    const object = join(build, 'doubled.bpf.o');
    if (haveBpfToolchain) {
      assert.ok(existsSync(object), 'the fixture built doubled.bpf.o');
      assert.equal(ok(join(build, 'host'), [module, object]), 'ok 42\nobject ok 42\n');
      assert.equal(ok(join(build, 'host_static'), [module, object]), 'ok 42\nobject ok 42\n');
    } else {
      assert.ok(!existsSync(object));
      console.log('# no clang-19/clang or /usr/include/bpf/bpf_helpers.h (libbpf-dev): the BPF object part did not run');
    }

    // The leaky module loads its entry, which refuses: the error reaches the host.
    const leaky = run(join(build, 'host'), [join(build, 'leaky_map.so')]);
    assert.equal(leaky.status, 1);
    assert.match(leaky.out, /bpfhost_extension_load failed: -95/);
  });

  it('CMake: a misspelt entry point fails the module build with a message saying what to define', () => {
    const build = join(tmp, 'build-typo');
    ok('cmake', ['-S', join(tmp, 'src'), '-B', build, '-G', 'Ninja', `-DCMAKE_PREFIX_PATH=${prefix}`, '-DSDK_FIXTURE_TYPO=ON']);
    const r = run('cmake', ['--build', build, '--target', 'typo_map']);
    assert.notEqual(r.status, 0, 'the build fails');
    assert.match(r.out.replace(/\s+/g, ' '), /typo_map\.so does not export the function bpfhost_extension_entry: define it with BPFHOST_EXTENSION_EXPORT/);
  });

  it('CMake: find_package refuses an incompatible version request', () => {
    const dir = join(tmp, 'src-version');
    mkdirSync(dir);
    const [maj, min] = version.split('.').map(Number);
    const wanted = maj === 0 ? `0.${min + 1}` : `${maj + 1}.0`;
    cpSync(join(tmp, 'src', 'CMakeLists.txt'), join(dir, 'CMakeLists.txt'));
    const cml = readFileSync(join(dir, 'CMakeLists.txt'), 'utf8').replace(/find_package\(bpfhost [0-9.]+ /, `find_package(bpfhost ${wanted} `);
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', join(dir, 'CMakeLists.txt')], { input: cml });
    const r = run('cmake', ['-S', dir, '-B', join(tmp, 'build-version'), '-G', 'Ninja', `-DCMAKE_PREFIX_PATH=${prefix}`]);
    assert.notEqual(r.status, 0);
    assert.match(r.out.replace(/\s+/g, ' '), new RegExp(`compatible with requested version "${wanted.replace(/\./g, '\\.')}".*bpfhostConfig\\.cmake, version: ${version.replace(/\./g, '\\.')}`));
  });

  it('every shipped header compiles on its own, as C11 and as C++', () => {
    const dir = join(prefix, 'include', 'bpfhost');
    const headers = readdirSync(dir).filter((f) => f.endsWith('.h'));
    assert.ok(headers.includes('extension.h') && headers.length >= 5, headers.join(' '));
    const out = join(tmp, 'headers');
    mkdirSync(out);
    const cxx = run('c++', ['--version']).status === 0;
    for (const h of headers) {
      const file = join(out, `${h}.c`);
      writeFileSync(file, `#include <bpfhost/${h}>\n`);
      ok('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', `-I${join(prefix, 'include')}`, file]);
      if (cxx) ok('c++', ['-x', 'c++', '-std=c++17', '-Wall', '-Werror', '-fsyntax-only', `-I${join(prefix, 'include')}`, file]);
    }
  });

  it('pkg-config: bpfhost-extension builds the module, bpfhost the host', () => {
    const src = join(tmp, 'src');
    const out = join(tmp, 'build-pc');
    mkdirSync(out);
    const env = { ...process.env, PKG_CONFIG_PATH: join(prefix, 'lib', 'pkgconfig') };
    const pc = (...args) => ok('pkg-config', args, { env }).trim().split(/\s+/).filter(Boolean);
    assert.equal(ok('pkg-config', ['--modversion', 'bpfhost'], { env }).trim(), version);
    const cflags = [...pc('--cflags', 'bpfhost-extension'), ...pc('--cflags', 'bpfhost')];
    assert.ok(!cflags.join(' ').includes(workspace), 'pkg-config points into the package');

    const module = join(out, 'doubling_map.so');
    ok('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', ...pc('--cflags', 'bpfhost-extension'), join(src, 'doubling_map.c'), ...pc('--libs', 'bpfhost-extension'), '-o', module]);
    assert.deepEqual(exported(module), ['bpfhost_extension_entry']);

    const libdir = ok('pkg-config', ['--variable=libdir', 'bpfhost'], { env }).trim();
    const host = join(out, 'host');
    ok('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', ...pc('--cflags', 'bpfhost'), join(src, 'host.c'), ...pc('--libs', 'bpfhost'), `-Wl,-rpath,${libdir}`, '-o', host]);
    assert.equal(ok(host, [module]), 'ok 42\n');
  });
});
