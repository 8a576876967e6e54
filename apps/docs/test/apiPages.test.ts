// The check that every name @bpfhost/api exports has a page in the generated API reference.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { checkApiPages, findMissingPages, listApiExports, listPages } from '../src/plugins/apiPagesCheck';

const siteDir = path.resolve(__dirname, '../..');
const indexFile = path.resolve(siteDir, '../../packages/api/src/index.ts');

describe('apiPagesCheck', () => {
  it('lists the names packages/api/src/index.ts exports, values and types', () => {
    const names = listApiExports(indexFile);
    for (const name of ['BpfObject', 'BpfMap', 'loadExtension', 'u32', 'struct', 'RingBuffer', 'Infer', 'MapCodecs', 'VerifierError'])
      assert.ok(names.includes(name), name);
  });

  it('reports names without a page', () => {
    assert.deepEqual(findMissingPages(['BpfMap', 'u32', 'U32', 'gone'], ['BpfMap', 'u32', 'U32-1', 'index']), ['gone']);
  });

  it('throws naming the missing pages', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-pages-'));
    try {
      mkdirSync(path.join(dir, 'classes'));
      writeFileSync(path.join(dir, 'classes/BpfMap.md'), '# BpfMap\n');
      assert.deepEqual(listPages(dir), ['BpfMap']);
      assert.throws(() => checkApiPages({ indexFile, apiDir: dir }), /have no page under .*: .*BpfObject.*loadExtension/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes on the reference the docs build generated', (t) => {
    const apiDir = path.join(siteDir, 'docs/api');
    if (!existsSync(apiDir)) return t.skip('docs/api not generated (run nx run docs:build)');
    const n = checkApiPages({ indexFile, apiDir });
    assert.ok(n > 50, `${n} names checked`);
  });
});
