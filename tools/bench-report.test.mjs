// SPDX-License-Identifier: MIT
// node:test for tools/bench-report.mjs: fixtures of JSON records -> the expected README table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadRuns, parseRun, range, renderHelpers, replaceSection } from './bench-report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fx = (name) => join(here, 'fixtures/bench-report', name);
const runA = fx('run-a.json');
const runB = fx('run-b.json');

test('two runs on different days and machines give the expected table, whatever the file order', () => {
  const expected = readFileSync(fx('expected-helpers.md'), 'utf8').trimEnd();
  assert.equal(renderHelpers(loadRuns([runB, runA])), expected);
  assert.equal(renderHelpers(loadRuns([runA, runB])), expected);
});

test('figures are ranges over the runs; equal ends collapse', () => {
  const table = renderHelpers(loadRuns([runA, runB]));
  const hash = table.split('\n').find((l) => l.startsWith('| HASH read |'));
  // 1 CPU: bpfhost 121.4 and 95.5 ns, kernel 112 and 110, medians 1.084 and 0.868,
  // batch pairs 0.61..1.34 and 0.80..0.95; one run over 1.00.
  assert.equal(hash, '| HASH read | 95.5-121 | 110-112 | 0.87-1.08x | 0.61-1.34 | 209 | 160 | 1.52x | 1.31-1.97 | **no** in 1 of 2 runs |');
  assert.equal(range([13.04, 13.01], (v) => v.toFixed(1)), '13.0');
  assert.equal(range([0.5, 2], (v) => v.toFixed(2)), '0.50-2.00');
});

test('one run: its own figures, its row verdicts, its date, machine and commit', () => {
  const table = renderHelpers(loadRuns([runA]));
  assert.match(table, /^\| empty \| 13\.0 \| 34\.0 \| 0\.38x \| 0\.37-0\.40 \| 13\.0 \| 34\.5 \| 0\.38x \| 0\.37-0\.39 \| yes \|$/m);
  assert.match(table, /^\| HASH read \| 121 \| 112 \| 1\.08x \| 0\.61-1\.34 \| .* \| \*\*no\*\* \|$/m);
  assert.match(table, /^1\. 2026-12-01 10:00 UTC: Test CPU A, 2 CPUs, Linux 6\.1\.0, commit `aaaaaaaaaaaa`/m);
  assert.doesNotMatch(table, /LPM_TRIE/);
});

test('a row whose r0 did not match in some run says so', () => {
  assert.match(renderHelpers(loadRuns([runA, runB])), /^\| LPM_TRIE read 1M \(r0 mismatch in a run\) \|/m);
});

test('only the text between the markers changes', () => {
  const before = readFileSync(fx('README.in.md'), 'utf8');
  const after = replaceSection(before, 'helpers', 'NEW');
  assert.equal(after, before.replace('| an old | table |', 'NEW'));
  assert.equal(replaceSection(after, 'helpers', 'NEW'), after);
  assert.throws(() => replaceSection('no markers', 'helpers', 'x'), /markers .* not found/);
  assert.throws(() => replaceSection('<!-- bench:helpers:end --><!-- bench:helpers:begin -->', 'helpers', 'x'), /not found/);
});

test('records that are not the bench\'s are refused with the file named', () => {
  assert.throws(() => parseRun('{', 'x.json'), /x\.json: not JSON/);
  assert.throws(() => parseRun('{"bench":"other","version":1}', 'y.json'), /y\.json: not a helpers bench record/);
  assert.throws(() => parseRun('{"bench":"helpers","version":1,"date":"d","commit":"c","machine":{},"rows":[{"name":"r","cpus":3,"bpfhost_ns":1}]}', 'z.json'), /z\.json: row 0/);
  assert.throws(() => renderHelpers([]), /no runs/);
});

test('the command rewrites a README in place, and --check tells whether it is current', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  try {
    const readme = join(dir, 'README.md');
    const script = join(here, 'bench-report.mjs');
    writeFileSync(readme, readFileSync(fx('README.in.md'), 'utf8'));
    assert.throws(() => execFileSync('node', [script, '--readme', readme, '--check', runA, runB], { stdio: 'pipe' }));
    execFileSync('node', [script, '--readme', readme, runA, runB], { stdio: 'pipe' });
    const text = readFileSync(readme, 'utf8');
    assert.ok(text.includes(readFileSync(fx('expected-helpers.md'), 'utf8').trimEnd()));
    assert.ok(text.startsWith('# Title\n\nProse before.\n\n<!-- bench:helpers:begin -->\n'));
    assert.ok(text.endsWith('<!-- bench:helpers:end -->\n\nProse after, left alone.\n'));
    execFileSync('node', [script, '--readme', readme, '--check', runA, runB], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
