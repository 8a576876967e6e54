// The scaffold as an author outside this repository gets it: `npm pack` the packages into a
// temporary folder (nothing is left in the work tree), install the tarballs offline into a fresh
// project outside the workspace, run its `bpfhost ext new` (default hash, an array, and one with a
// program type and a helper), build with the SDK's CMake package, run the generated node:test
// test, and run the conformance kit on the module (`bpfhost ext check` and checkProvider()). No
// compile line may name a path of this repository.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { apiRoot } from './support.js';

const workspace = join(apiRoot, '..', '..');
const packages = {
  bindings: join(workspace, 'packages', 'bindings'),
  platform: join(workspace, 'packages', 'bindings', 'npm', 'linux-x64-gnu'),
  api: apiRoot,
  sdk: join(workspace, 'packages', 'sdk'),
};

function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  // The generated project's own `node --test` is a run of its own, not a child of this one.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function run(cmd: string, args: string[], cwd: string): { status: number | null; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}

function ok(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd}:\n${r.out}`);
  return r.stdout;
}

/** What the generated CMakeLists needs for the BPF program. */
const toolchain = existsSync('/usr/include/bpf/bpf_helpers.h') && (run('clang-19', ['--version'], '/').status === 0 || run('clang', ['--version'], '/').status === 0);
const skip = toolchain ? false : 'needs clang and libbpf-dev (tools/install-deps.sh --for test)';

const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-scaffold-'));
let app = '';

describe('bpfhost ext new, outside the repository', { skip }, () => {
  before(() => {
    assert.ok(relative(workspace, tmp).startsWith('..'), `the project must be outside the workspace (${tmp})`);
    assert.ok(existsSync(join(packages.sdk, 'dist', 'bin', 'bpfhost-check')), 'the SDK is built with the kit (npx nx run sdk:build)');
    const files: string[] = [];
    for (const dir of Object.values(packages)) {
      const [info] = JSON.parse(ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], dir)) as Array<{ filename: string }>;
      assert.ok(info);
      files.push(join(tmp, info.filename));
    }
    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'scaffold-app', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
    ok('npm', ['install', '--offline', '--no-audit', '--no-fund', ...files], app);
    // No tarball in the work tree.
    for (const dir of Object.values(packages)) assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tgz')), `no .tgz left in ${dir}`);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [name, flags] of [
    ['counters', []],
    ['slots', ['--map', 'array']],
    ['typed', ['--program-type', '--helper']],
  ] as const) {
    it(`ext new ${name} ${flags.join(' ')}: builds with the SDK, its test passes, the kit passes it`, () => {
      const bin = join(app, 'node_modules', '.bin', 'bpfhost');
      const made = JSON.parse(ok(bin, ['ext', 'new', name, ...flags, '--json'], app)) as { dir: string; files: string[]; mapType: number; programType?: number };
      assert.equal(made.dir, join(app, name));
      assert.deepEqual(made.files.sort(), ['CMakeLists.txt', 'README.md', `bpf/${name}.bpf.c`, 'package.json', `src/${name}.c`, `src/${name}.h`, `test/${name}.test.mjs`].sort());
      const project = made.dir;
      // The project finds the packages the app installed (as `npm install` in it would).
      writeFileSync(join(project, '.npmrc'), '');
      execFileSync('ln', ['-s', join(app, 'node_modules'), join(project, 'node_modules')]);

      // The generated test builds the module and the BPF object, loads, drives and test-runs.
      const test = run(process.execPath, ['--test', 'test/'], project);
      assert.equal(test.status, 0, test.out);
      assert.match(test.out, /# pass 2\n# fail 0/);

      // Nothing of this repository on a compile or link line.
      const build = join(project, 'build');
      const commands = ok('ninja', ['-C', build, '-t', 'commands'], project);
      assert.ok(!commands.includes(workspace), `a build line names the workspace:\n${commands}`);
      assert.ok(commands.includes(join(app, 'node_modules', '@bpfhost', 'sdk', 'dist', 'include')), 'the headers come from the installed SDK');

      // The conformance kit: the CLI's report, and the same from TypeScript.
      const args = ['ext', 'check', join(build, `${name}.so`), '--map-type', String(made.mapType), '--no-faults'];
      if (made.programType !== undefined) args.push('--prog-type', String(made.programType));
      const report = ok(bin, args, project);
      assert.match(report, new RegExp(`${name} passed: 9 phases ran, no invariant broken`));
      const script = `import { checkProvider } from '@bpfhost/api';\nconst r = checkProvider(${JSON.stringify(join(build, `${name}.so`))}, { mapType: ${made.mapType}${made.programType !== undefined ? `, progType: ${made.programType}` : ''} });\nconsole.log(JSON.stringify(r));\n`;
      writeFileSync(join(project, 'check.mjs'), script);
      const r = JSON.parse(ok(process.execPath, ['check.mjs'], project)) as { failed: number; base: string; phases: Array<{ name: string; status: string }> };
      assert.equal(r.failed, 0);
      assert.equal(r.base, flags.includes('array' as never) ? 'array' : 'hash');
      assert.deepEqual(r.phases.map((p) => p.status), r.phases.map(() => 'pass'), JSON.stringify(r.phases));
      assert.equal(r.phases.length, 11);
      assert.match(readFileSync(join(project, 'src', `${name}.c`), 'utf8'), /bpfhost_extension_entry/);
    });
  }

  it('ext new refuses a bad name, an unknown base and an existing folder', () => {
    const bin = join(app, 'node_modules', '.bin', 'bpfhost');
    assert.match(run(bin, ['ext', 'new', 'Bad-Name'], app).out, /NAME must be a C identifier in lower case/);
    assert.match(run(bin, ['ext', 'new', 'x1', '--map', 'lru'], app).out, /--map is hash or array, got 'lru'/);
    mkdirSync(join(app, 'taken'));
    writeFileSync(join(app, 'taken', 'f'), '');
    assert.match(run(bin, ['ext', 'new', 'taken'], app).out, /taken exists and is not empty/);
  });
});
