// The docs snapshot script (scripts/version-docs.ts), run in a temporary copy of the site: the real
// `docusaurus docs:version`, the frozen code blocks, pruning, and a build of the copy with a released
// version next to the current one.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { freezePage, pruneVersions, versionDocs } from '../scripts/version-docs';

const siteDir = path.resolve(__dirname, '../..');
const repoRoot = path.resolve(siteDir, '../..');

describe('freezePage', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'freeze-'));
  writeFileSync(path.join(root, 'ex.ts'), "import x from 'y';\n// #region main\nconst a = 1;\n// #endregion main\n");
  after(() => rmSync(root, { recursive: true, force: true }));

  it('inlines included blocks and drops twoslash, leaving other blocks alone', () => {
    const page = [
      '# Page',
      '',
      '```ts twoslash file=ex.ts region=main',
      '```',
      '',
      '- item',
      '',
      '  ```c title="kept"',
      '  int x;',
      '  ```',
      '',
      '```ts twoslash',
      'const b = 2;',
      '```',
    ].join('\n');
    const { text, changed } = freezePage(page, root, 'page.md');
    assert.equal(changed, 2);
    assert.equal(
      text,
      ['# Page', '', '```ts title="ex.ts"', 'const a = 1;', '```', '', '- item', '', '  ```c title="kept"', '  int x;', '  ```', '', '```ts', 'const b = 2;', '```'].join('\n'),
    );
  });
});

describe('pruneVersions', () => {
  it('keeps the newest versions and removes the files of the others', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prune-'));
    try {
      const versions = ['1.2.0', '1.1.0', '1.0.0'];
      writeFileSync(path.join(dir, 'versions.json'), JSON.stringify(versions));
      for (const v of versions) {
        mkdirSync(path.join(dir, 'versioned_docs', `version-${v}`), { recursive: true });
        mkdirSync(path.join(dir, 'versioned_sidebars'), { recursive: true });
        writeFileSync(path.join(dir, 'versioned_sidebars', `version-${v}-sidebars.json`), '{}');
      }
      assert.deepEqual(pruneVersions(dir, 2), ['1.0.0']);
      assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'versions.json'), 'utf8')), ['1.2.0', '1.1.0']);
      assert.ok(!existsSync(path.join(dir, 'versioned_docs/version-1.0.0')));
      assert.ok(!existsSync(path.join(dir, 'versioned_sidebars/version-1.0.0-sidebars.json')));
      assert.ok(existsSync(path.join(dir, 'versioned_docs/version-1.1.0')));
      assert.deepEqual(pruneVersions(dir, 2), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('versionDocs in a copy of the site', () => {
  let tmp: string;
  let copy: string;
  const apiVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'packages/api/package.json'), 'utf8')) as { version: string }).version;

  before(() => {
    // tmp/apps/docs is a copy of the site; tmp/packages and tmp/node_modules point at the real ones.
    tmp = mkdtempSync(path.join(tmpdir(), 'docs-version-'));
    copy = path.join(tmp, 'apps/docs');
    const skip = new Set(['node_modules', 'build', 'build-test', '.docusaurus', 'test-results', 'playwright-report', 'versioned_docs', 'versioned_sidebars', 'versions.json']);
    cpSync(siteDir, copy, {
      recursive: true,
      filter: (src) => !skip.has(path.basename(src)) && !src.startsWith(path.join(siteDir, 'docs/api')),
    });
    symlinkSync(path.join(repoRoot, 'packages'), path.join(tmp, 'packages'));
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tmp, 'node_modules'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("snapshots the docs under @bpfhost/api's version, frozen", () => {
    const lines: string[] = [];
    const result = versionDocs({ siteDir: copy, log: (l) => lines.push(l) });
    assert.equal(result.version, apiVersion);
    assert.equal(result.created, true);
    assert.deepEqual(JSON.parse(readFileSync(path.join(copy, 'versions.json'), 'utf8')), [apiVersion]);
    const snap = path.join(copy, 'versioned_docs', `version-${apiVersion}`);
    assert.ok(existsSync(path.join(snap, 'intro.md')));
    assert.ok(existsSync(path.join(snap, 'api/classes/BpfMap.md')), 'the API reference is part of the snapshot');
    assert.ok(existsSync(path.join(copy, 'versioned_sidebars', `version-${apiVersion}-sidebars.json`)));
    const grep = spawnSync('grep', ['-rlE', '^\\s*```.*(file=|twoslash)', snap], { encoding: 'utf8' });
    assert.equal(grep.stdout, '', 'no include or twoslash block is left in the snapshot');
    assert.ok(lines.some((l) => l.includes(`snapshotting the docs as ${apiVersion}`)));
    // A second run is a no-op.
    assert.equal(versionDocs({ siteDir: copy, log: () => {} }).created, false);
  });

  it('builds with the released version as the default and the current one under /docs/next', () => {
    const build = spawnSync('npx', ['--no-install', 'docusaurus', 'build'], { cwd: copy, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr.slice(-3000));
    const released = readFileSync(path.join(copy, 'build/docs/intro/index.html'), 'utf8');
    const next = readFileSync(path.join(copy, 'build/docs/next/intro/index.html'), 'utf8');
    assert.match(released, new RegExp(`>${apiVersion.replace(/\./g, '\\.')}<`), 'the versions dropdown shows the release');
    assert.match(next, />Next</);
    assert.ok(existsSync(path.join(copy, `build/docs/api/classes/BpfMap/index.html`)));
  });

  // The same copy, as a place to break things: the docs build must fail, naming the page, on a type
  // error in an included example and on an include that points nowhere (even right after a good build).
  const failingBuild = (): string => {
    const build = spawnSync('npx', ['--no-install', 'docusaurus', 'build'], { cwd: copy, encoding: 'utf8' });
    assert.notEqual(build.status, 0, 'the build must fail');
    return `${build.stdout}${build.stderr}`;
  };

  it('a type error in an included example fails the build', () => {
    const example = path.join(copy, 'examples/hooks.ts');
    const good = readFileSync(example, 'utf8');
    writeFileSync(example, good.replace('// #endregion detach', "const wrong: string = link.attachType;\n// #endregion detach"));
    try {
      const out = failingBuild();
      assert.match(out, /user-guide\/hooks\.md/);
      assert.match(out, /2322|not assignable to type 'string'/);
    } finally {
      writeFileSync(example, good);
    }
  });

  it('an include of a missing region fails the build, naming the page', () => {
    const page = path.join(copy, 'docs/user-guide/test-runs.md');
    const good = readFileSync(page, 'utf8');
    writeFileSync(page, good.replace('region=trace', 'region=no-such-region'));
    try {
      assert.match(failingBuild(), /includeSource: apps\/docs\/docs\/user-guide\/test-runs\.md:\d+: file=apps\/docs\/examples\/test-run\.ts region=no-such-region: region 'no-such-region' not found/);
    } finally {
      writeFileSync(page, good);
    }
  });
});
