// "Your first custom map in ten minutes" (docs/extensions/first-custom-map.md), run as a reader would:
// the page's scaffold command in a temporary folder, its C edits applied to the generated module
// (```c edit=FILE replace=SYMBOL or before=SYMBOL), the module compiled against the repository's
// extension.h (what the SDK's CMake package does), the page's script run with node, and its output
// compared with the page's ```text output block; then the conformance kit on the module.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { findCSymbol } from '../src/remark/includeSource';
import { codeBlocks, plainEnv, repoRoot, siteDir } from './fixtures';

const page = 'docs/extensions/first-custom-map.md';
const blocks = codeBlocks(readFileSync(path.join(siteDir, page), 'utf8'));
const bin = path.join(repoRoot, 'node_modules/.bin');
const kit = path.join(repoRoot, 'packages/sample-ext/build/kernel/check/bpfhost-check');
const tmp = mkdtempSync(path.join(tmpdir(), 'bpfhost-first-map-'));
const project = path.join(tmp, 'max_map');
const moduleSo = path.join(project, 'build', 'max_map.so');

function attr(meta: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}=(\\S+)`).exec(meta)?.[1];
}

describe(`${page}: the page's steps work`, () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('scaffolds with the command the page shows', () => {
    const sh = blocks.find((b) => b.lang === 'sh' && b.body.some((l) => l.includes('ext new')));
    assert.ok(sh, 'a sh block with bpfhost ext new');
    const args = sh.body.find((l) => l.includes('ext new'))!.trim().split(/\s+/).slice(2); // drop "npx bpfhost"
    execFileSync(path.join(bin, 'bpfhost'), args, { cwd: tmp, env: plainEnv() });
    assert.ok(existsSync(path.join(project, 'src/max_map.c')));
  });

  it('applies the C edits and builds the module warning-free', () => {
    const edits = blocks.filter((b) => b.lang === 'c' && attr(b.meta, 'edit'));
    assert.equal(edits.length, 4, 'four edits');
    for (const e of edits) {
      const file = path.join(project, attr(e.meta, 'edit')!);
      const lines = readFileSync(file, 'utf8').split('\n');
      const name = attr(e.meta, 'replace') ?? attr(e.meta, 'before');
      assert.ok(name, `${page}:${e.line}: replace= or before=`);
      const span = findCSymbol(lines, name);
      assert.ok(span, `${page}:${e.line}: ${name} is not in ${file}`);
      if (attr(e.meta, 'replace')) lines.splice(span.start, span.end - span.start, ...e.body);
      else lines.splice(span.start, 0, ...e.body, '');
      writeFileSync(file, lines.join('\n'));
    }
    mkdirSync(path.dirname(moduleSo), { recursive: true });
    execFileSync('cc', [
      '-shared', '-fPIC', '-fvisibility=hidden', '-std=gnu11', '-Wall', '-Wextra', '-Werror',
      '-Wno-missing-field-initializers', `-I${path.join(repoRoot, 'packages/kernel/include')}`,
      `-I${path.join(project, 'src')}`, path.join(project, 'src/max_map.c'), '-o', moduleSo,
    ], { cwd: project, stdio: 'pipe' });
    assert.ok(existsSync(moduleSo));
  });

  it('the script prints what the page says', () => {
    const script = blocks.find((b) => b.lang === 'js' && attr(b.meta, 'run'));
    const output = blocks.find((b) => b.lang === 'text' && attr(b.meta, 'output') === attr(script?.meta ?? '', 'run'));
    assert.ok(script && output, 'a ```js run=NAME block and its ```text output=NAME');
    // Next to the compiled tests, so that '@bpfhost/api' resolves from the workspace.
    const file = path.join(siteDir, 'build-test', 'first-custom-map-try.mjs');
    writeFileSync(file, `${script.body.join('\n')}\n`);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, env: plainEnv({ MAX_MAP_SO: moduleSo }) });
    assert.equal(r.status, 0, `the script failed:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), output.body);
  });

  it('the conformance kit passes the module', { skip: existsSync(kit) ? false : `${kit} is missing: run npx nx run sample-ext:build` }, () => {
    const cmd = blocks.find((b) => b.lang === 'sh' && b.body.some((l) => l.includes('ext check')))!;
    const args = cmd.body.find((l) => l.includes('ext check'))!.trim().split(/\s+/).slice(4); // drop "npx bpfhost ext check"
    const r = spawnSync(kit, args, { cwd: project, encoding: 'utf8', timeout: 600_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /max_map passed: 11 phases ran/);
  });
});
