// The user guide's examples (apps/docs/examples/*.ts), run for real against the runtime: each must
// exit 0 and print what its page says. The pages' ```text output=NAME blocks hold lines example NAME
// prints (in any order: hash maps iterate in a random order), and the specific checks below say
// what each example must show.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { codeBlocks, examplesDir, plainEnv, siteDir, workDir } from './fixtures';

const outputs = new Map<string, string[]>();

/** Runs example `name` once (from the working directory with the guide's objects); its stdout lines. */
function run(name: string): string[] {
  const cached = outputs.get(name);
  if (cached) return cached;
  const r = spawnSync(process.execPath, [path.join(examplesDir, `${name}.js`)], { cwd: workDir(), encoding: 'utf8', timeout: 60_000, env: plainEnv() });
  assert.equal(r.status, 0, `${name} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.stderr, '', `${name} wrote to stderr`);
  const lines = r.stdout.split('\n').map((l) => l.trimEnd());
  outputs.set(name, lines);
  return lines;
}

// Generated skeletons (*.skel.ts) are modules the examples import, not examples (skeleton.test.ts checks them).
const exampleNames = readdirSync(path.join(siteDir, 'examples'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.skel.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const guideDir = path.join(siteDir, 'docs/user-guide');
const pagesDir = path.join(siteDir, 'src/pages');
// The user guide, and the partials the site's own pages show (the landing page's quick start).
const pages = [
  ...readdirSync(guideDir)
    .filter((f) => /\.mdx?$/.test(f))
    .map((f) => ({ file: `docs/user-guide/${f}`, text: readFileSync(path.join(guideDir, f), 'utf8') })),
  ...readdirSync(pagesDir)
    .filter((f) => /^_.*\.mdx?$/.test(f))
    .map((f) => ({ file: `src/pages/${f}`, text: readFileSync(path.join(pagesDir, f), 'utf8') })),
];

describe('the examples print what the guide says', () => {
  it('load-and-read-maps: specs before load, test runs, a map typed from BTF', () => {
    const out = run('load-and-read-maps');
    assert.ok(out.includes('map buckets: hash, __u32 -> struct bucket_stats, max 32'));
    assert.ok(out.includes('program classify: section socket, type socket_filter'));
    assert.ok(out.includes('100-byte frame: the filter keeps 86 bytes'));
    assert.deepEqual(out.filter((l) => l.startsWith('bucket ')).sort(), [
      'bucket 0 { packets: 2n, bytes: 102n, min_len: 46, max_len: 56 }',
      'bucket 1 { packets: 1n, bytes: 86n, min_len: 86, max_len: 86 }',
    ]);
  });

  it('typed-maps: codecs, flags, batches, BTF, globals', () => {
    const out = run('typed-maps');
    assert.ok(out.includes('bucket 9 is there: false -> undefined'));
    assert.ok(out.includes('deleted bucket 9: true') && out.includes('deleted it again: false'));
    assert.ok(out.includes('deleted 2 entries'));
    assert.ok(out.includes('a 200-byte frame now keeps 0 bytes'), 'writing packets.data changed what the program sees');
  });

  it('map-kinds: per-CPU sums, a queue, a map of its own', () => {
    const out = run('map-kinds');
    assert.ok(out.includes('one per CPU: true'));
    assert.ok(out.includes('packets seen on all CPUs: 3n'));
    assert.ok(out.includes('recent lengths: [ 46, 86, 56 ]'));
    assert.ok(out.includes("names: [ [ 1, 'ada' ], [ 2, 'grace' ] ]"));
    assert.ok(out.some((l) => l.includes("name: 'names'")) && out.some((l) => l.includes("typeName: 'hash'")));
  });

  it('custom-maps: the accumulator adds up, the object hash keeps a copy', () => {
    const out = run('custom-maps');
    assert.ok(out.includes('totals: custom(4098)'));
    assert.ok(out.includes('totals[0]: 60n'));
    assert.ok(out.includes('custom(4097): names[1] = ada'));
  });

  it('ring-buffer: records now, then as they come', () => {
    const out = run('ring-buffer');
    assert.deepEqual(
      out.filter((l) => /^(now|later):/.test(l)).map((l) => l.replace(/^\w+: /, '')),
      [
        '{ seq: 1n, len: 46, bucket: 0 }',
        '{ seq: 2n, len: 86, bucket: 1 }',
        '{ seq: 3n, len: 286, bucket: 4 }',
        '{ seq: 4n, len: 386, bucket: 6 }',
        '{ seq: 5n, len: 486, bucket: 7 }',
      ],
    );
    assert.ok(out.includes('within 50 ms: []'));
  });

  it('test-run: retval, the trace log, a program from assembler text', () => {
    const out = run('test-run');
    assert.ok(out.includes('retval: 114 data out: 128'));
    assert.ok(out.includes('mean ns per run: number'));
    assert.ok(out.includes("[ 'classify: 114 bytes, bucket 1', 'classify: 114 bytes, bucket 1' ]"));
    assert.ok(out.includes('seven socket_filter -> 7'));
    const mov = out.indexOf('mov %r0, 7');
    assert.ok(mov > 0 && out[mov + 1] === 'exit', 'the disassembly');
    assert.ok(out.some((l) => l.startsWith("ELOOP program 'spin': testRun: insn 0: instruction budget of 1000 exhausted")), 'a loop stops at its budget');
    assert.ok(out.includes('within budget: 114'));
  });

  it('hooks: attach, trigger, detach, a refused and a clean unload', () => {
    const out = run('hooks');
    assert.deepEqual(out.slice(0, 4), [
      'attached count_event to attach type 4097',
      'key 1: 1 program ran, returned 1',
      'key 2: 1 program ran, returned 1',
      'key 1: 1 program ran, returned 2',
    ]);
    assert.ok(out.includes('after detach: { programs: 0, retval: 0 }'));
    assert.ok(out.includes('unload refused: EBUSY'));
    assert.ok(out.includes('unloaded: true'));
  });

  it('quick-start (the landing page): a test run and the map it wrote', () => {
    const out = run('quick-start');
    assert.deepEqual(out.filter((l) => l !== ''), ['kept 86 bytes', 'bucket 1 { packets: 1n, bytes: 86n, min_len: 86, max_len: 86 }']);
  });

  it('node-test: the socket filter tests (through the generated skeleton) pass under node:test, every one of them', () => {
    const out = run('node-test');
    assert.equal(out.filter((l) => /^\s*ok \d+ - /.test(l)).length, 7, 'six tests and their suite');
    assert.ok(out.includes('# pass 6') && out.includes('# fail 0') && out.includes('# skipped 0'));
    assert.ok(!out.some((l) => /^\s*not ok/.test(l)));
  });

  it('xdp-tc-node-test: the XDP and TC tests pass under node:test, every one of them', () => {
    const out = run('xdp-tc-node-test');
    assert.equal(out.filter((l) => /^\s*ok \d+ - /.test(l)).length, 12, 'nine tests and their three suites');
    assert.ok(out.includes('# pass 9') && out.includes('# fail 0') && out.includes('# skipped 0'));
    assert.ok(!out.some((l) => /^\s*not ok/.test(l)));
  });

  it('perf-buffer: the samples of two test runs, decoded, none lost', () => {
    const out = run('perf-buffer');
    assert.deepEqual(out.filter((l) => l.startsWith('sample:')), ['sample: 60 800', 'sample: 42 806']);
    assert.ok(out.includes('lost: 0n'));
  });

  it('errors: each class with its code and context', () => {
    const out = run('errors');
    assert.ok(out.some((l) => l.startsWith("ENOENT: object 'packets': map: no map 'flows'")));
    assert.ok(out.includes('ExistsError: map counts, op set, errno 17'));
    assert.ok(out.includes('expected an integer in 0..4294967295, got -1'));
    assert.ok(out.includes('ArgumentError: create: maxEntries must be an integer in [1, 4294967295], got 1.5'));
    assert.ok(out.includes('repeat [0, 4294967295] -1'));
    assert.ok(out.includes("program 'bad': load: insn 0: r0 is read before any instruction writes it"));
    assert.ok(out.includes("  log: program 'bad': insn 0: r0 is read before any instruction writes it"));
    assert.ok(out.includes("ClosedError: object 'packets', map 'recent': pop: the map is closed"));
    assert.ok(out.includes('no such file: missing.bpf.o'));
  });

  it('verifier: refusals with their instruction and reason, the fixed programs load, the log, unprivileged, test-only', () => {
    const out = run('verifier');
    assert.ok(out.includes('insn: 7 line: undefined'));
    assert.ok(out.includes('  6: (85) call bpf_map_lookup_elem#1'), 'the failing path in the log');
    for (const loaded of ['checked', 'checked packet', 'counted loop', 'privileged']) assert.ok(out.includes(`${loaded}: loaded`), loaded);
    for (const refused of ['past the value', 'unchecked packet', 'endless loop', 'return the context', 'unprivileged', 'unwritten stack']) {
      assert.ok(out.some((l) => l.startsWith(`${refused}: insn `)), refused);
    }
    assert.ok(out.includes('  from a branch to 3:'), 'the level 2 log walks both sides of the branch');
    assert.ok(out.some((l) => l.startsWith("ELOOP program 'spin': testRun: insn 0: instruction budget of 1000 exhausted")));
  });
});

describe('the guide shows the examples and their real output', () => {
  it('every example has a check above and is included by a page', () => {
    const included = new Set(pages.flatMap((p) => [...p.text.matchAll(/file=apps\/docs\/examples\/([\w-]+)\.ts/g)].map((m) => m[1])));
    assert.deepEqual(exampleNames.filter((n) => !included.has(n)), [], 'examples no page shows');
  });

  for (const page of pages) {
    const blocks = codeBlocks(page.text).filter((b) => /(?:^|\s)output=/.test(b.meta));
    if (blocks.length === 0) continue;
    it(`${page.file}: its output blocks are lines the examples print`, () => {
      for (const b of blocks) {
        const name = /output=([\w-]+)/.exec(b.meta)![1]!;
        assert.ok(exampleNames.includes(name), `${page.file}:${b.line}: no example '${name}'`);
        const out = run(name);
        for (const line of b.body) {
          assert.ok(out.includes(line.trimEnd()), `${page.file}:${b.line}: example ${name} does not print:\n  ${line}\nIt printed:\n${out.join('\n')}`);
        }
      }
    });
  }
});
