// Changesets: `changeset status` and `changeset version` work without network on a copy of the
// repository's package manifests and pending changesets (in a temporary git repository, never
// the working tree): every package named in a changeset gets its new version and a CHANGELOG,
// the binding and its per-platform package move together (a fixed group), and @bpfhost/api's
// range on the binding follows.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { apiRoot } from './support.js';

const workspace = join(apiRoot, '..', '..');
const changesetBin = join(workspace, 'node_modules', '@changesets', 'cli', 'bin.js');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Package directories of the root's workspaces globs (`packages/*`, `packages/bindings/npm/*`). */
function workspaceDirs(): string[] {
  const root = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.flatMap((glob) => {
    assert.match(glob, /^[\w./-]+\/\*$/, `a workspaces glob this test understands: ${glob}`);
    const base = glob.slice(0, -2);
    if (!existsSync(join(workspace, base))) return [];
    return readdirSync(join(workspace, base), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(workspace, base, d.name, 'package.json')))
      .map((d) => `${base}/${d.name}`);
  });
}

/** What the pending changesets ask for: package name -> the changeset files naming it. */
function pending(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, '.changeset', f), 'utf8'));
    for (const m of (front?.[1] ?? '').matchAll(/^"([^"]+)":\s*(major|minor|patch)\s*$/gm)) {
      out.set(m[1] as string, [...(out.get(m[1] as string) ?? []), f]);
    }
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-changeset-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** `unshare -n` (no network namespace) when this machine allows it, else nothing. */
const noNet: string[] = spawnSync('unshare', ['-n', 'true']).status === 0 ? ['unshare', '-n'] : [];

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=changeset test', '-c', 'user.email=test@bpfhost.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'ignore' });
}

function changeset(dir: string, ...args: string[]): { status: number | null; out: string } {
  const cmd = [...noNet, process.execPath, changesetBin, ...args];
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function manifest(dir: string, pkgDir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, pkgDir, 'package.json'), 'utf8')) as Manifest;
}

describe(`changesets without network${noNet.length ? ' (unshare -n)' : ' (unshare not allowed here: network not cut)'}`, () => {
  const repo = join(tmp, 'repo');
  const dirs = workspaceDirs();

  it('changeset version on a copy of the manifests and pending changesets', () => {
    // The copy: root manifest, .changeset/, every workspace manifest; node_modules linked for the changelog module.
    mkdirSync(join(repo, '.changeset'), { recursive: true });
    copyFileSync(join(workspace, 'package.json'), join(repo, 'package.json'));
    for (const f of readdirSync(join(workspace, '.changeset'))) copyFileSync(join(workspace, '.changeset', f), join(repo, '.changeset', f));
    for (const d of dirs) {
      mkdirSync(join(repo, d), { recursive: true });
      copyFileSync(join(workspace, d, 'package.json'), join(repo, d, 'package.json'));
    }
    copyFileSync(join(workspace, 'packages/bindings/Cargo.toml'), join(repo, 'packages/bindings/Cargo.toml'));
    copyFileSync(join(workspace, 'Cargo.lock'), join(repo, 'Cargo.lock'));
    symlinkSync(join(workspace, 'node_modules'), join(repo, 'node_modules'));
    writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'copy');

    const before = new Map(dirs.map((d) => [d, manifest(repo, d)]));
    const asked = pending(repo);
    const byName = new Map(dirs.map((d) => [manifest(repo, d).name, d]));
    for (const name of asked.keys()) assert.ok(byName.has(name), `a changeset names ${name}, which is no workspace package`);

    const status = changeset(repo, 'status');
    assert.equal(status.status, 0, status.out);
    const t0 = Date.now();
    const version = changeset(repo, 'version');
    assert.equal(version.status, 0, version.out);
    assert.ok(Date.now() - t0 < 30_000, 'fast');

    assert.deepEqual(pending(repo), new Map(), 'every changeset consumed');
    for (const [name, files] of asked) {
      const d = byName.get(name) as string;
      const was = before.get(d) as Manifest;
      const now = manifest(repo, d);
      assert.notEqual(now.version, was.version, `${name} versioned`);
      const log = readFileSync(join(repo, d, 'CHANGELOG.md'), 'utf8');
      assert.match(log, new RegExp(`^# ${name.replace(/[/@]/g, '\\$&')}\\n\\n## ${now.version.replace(/\./g, '\\.')}\\n`), `${name} changelog`);
      for (const f of files) {
        const summary = readFileSync(join(workspace, '.changeset', f), 'utf8').replace(/^---[\s\S]*?---\s*/, '').split('\n')[0] as string;
        assert.ok(log.includes(summary.slice(0, 60)), `${name}'s changelog has ${f}`);
      }
    }
    const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
    assert.equal(root.version, '0.0.0', 'the private root is not versioned');

    const bindings = manifest(repo, 'packages/bindings');
    const platform = manifest(repo, 'packages/bindings/npm/linux-x64-gnu');
    assert.equal(platform.version, bindings.version, 'the binding and its platform package share a version');
    assert.equal(bindings.optionalDependencies?.['@bpfhost/bindings-linux-x64-gnu'], platform.version);
    assert.equal(manifest(repo, 'packages/api').dependencies?.['@bpfhost/bindings'], `^${bindings.version}`);

    // The crate follows the npm package (tools/sync-cargo-version.mjs, run after `changeset version`).
    const sync = spawnSync(process.execPath, [join(workspace, 'tools', 'sync-cargo-version.mjs'), repo], { encoding: 'utf8' });
    assert.equal(sync.status, 0, sync.stderr);
    assert.match(readFileSync(join(repo, 'packages/bindings/Cargo.toml'), 'utf8'), new RegExp(`^\\[package\\]\\nname = "bpfhost-bindings"\\nversion = "${bindings.version.replace(/\./g, '\\.')}"`, 'm'));
    assert.match(readFileSync(join(repo, 'Cargo.lock'), 'utf8'), new RegExp(`name = "bpfhost-bindings"\\nversion = "${bindings.version.replace(/\./g, '\\.')}"`));
  });

  it('a changeset for the binding alone moves its platform package too (fixed group)', () => {
    const was = manifest(repo, 'packages/bindings').version;
    writeFileSync(join(repo, '.changeset', 'binding-fix.md'), '---\n"@bpfhost/bindings": patch\n---\n\nA fix in the binding.\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'versioned; a binding fix');
    const r = changeset(repo, 'version');
    assert.equal(r.status, 0, r.out);
    const bindings = manifest(repo, 'packages/bindings');
    const platform = manifest(repo, 'packages/bindings/npm/linux-x64-gnu');
    const [maj, min, pat] = was.split('.').map(Number) as [number, number, number];
    assert.equal(bindings.version, `${maj}.${min}.${pat + 1}`);
    assert.equal(platform.version, bindings.version);
    assert.equal(bindings.optionalDependencies?.['@bpfhost/bindings-linux-x64-gnu'], bindings.version);
    assert.match(readFileSync(join(repo, 'packages/bindings/npm/linux-x64-gnu', 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${bindings.version.replace(/\./g, '\\.')}`));
    assert.match(readFileSync(join(repo, 'packages/bindings', 'CHANGELOG.md'), 'utf8'), /A fix in the binding\./);
  });
});
