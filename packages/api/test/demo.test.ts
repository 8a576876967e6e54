// The TypeScript demo (`npm start`, demo/sample-demo.ts): its flow run in this process (what it
// did to the maps) and as the program `nx run api:demo` runs (exit code, the printed tables).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

import { handleCount } from '@bpfhost/api';

import { apiRoot, noSample, sampleExtension, sampleObject } from './support.js';

/** The compiled demo (tsconfig.scripts.json; the test target compiles it). */
const demoJs = join(apiRoot, 'dist-scripts', 'demo', 'sample-demo.js');

interface DemoResult {
  events: Array<{ key: number; programs: number; retval: number }>;
  counters: Array<[number, bigint]>;
  objects: Array<[number, string]>;
  totals: Array<[number, bigint]>;
  total0: bigint;
  busyUnload: string | undefined;
}

const skip = noSample || (existsSync(demoJs) ? false : `${demoJs} not built (tsc -p tsconfig.scripts.json)`);

describe('the TypeScript demo', { skip }, () => {
  it('runs its flow: events through the hook, the custom maps filled as expected', async () => {
    const { runDemo } = (await import(pathToFileURL(demoJs).href)) as { runDemo(o: object): DemoResult };
    const lines: string[] = [];
    const before = handleCount();
    const r = runDemo({ extension: sampleExtension, object: sampleObject, print: (l: string) => lines.push(l) });
    assert.equal(handleCount(), before, 'the demo closes every handle it opened');

    // get_object's result is the event's: the object's size, or -ENOENT for key 7.
    assert.deepEqual(r.events, [1, 2, 1, 1, 3, 7].map((key) => ({ key, programs: 2, retval: key === 7 ? -2 : 16 })));
    assert.deepEqual(r.counters, [[1, 3n], [2, 1n], [3, 1n], [7, 1n]]);
    assert.deepEqual(r.objects, [[1, 'ada'], [2, 'grace'], [3, 'linus']]);
    assert.deepEqual(r.totals, [[0, 60n], [1, 0n], [2, 5n], [3, 0n]]);
    assert.equal(r.total0, 60n);
    assert.equal(r.busyUnload, 'EBUSY');
    assert.ok(lines.includes('unload while the object is loaded: EBUSY'));
  });

  it('prints the custom maps as tables and exits 0 (as `npm start` runs it)', () => {
    const p = spawnSync(process.execPath, [demoJs], { encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    assert.equal(p.stderr, '');
    const out = p.stdout;
    assert.match(out, /^bpfhost sample extension demo \(TypeScript, @bpfhost\/api\)\n/);
    assert.match(out, /\n {4}counters {5}\| custom\(4099\) \| __u32 -> __u64 {4}\| {10}64\n/);
    assert.match(out, /\n {2}event for key 7: 2 programs ran, result -2 \(-ENOENT, no object 7\)\n/);
    assert.match(out, /\ntest run of read_total for index 0: sum 60 \(through sample_accumulator_read\)\n/);
    assert.ok(out.includes([
      'counters (counter hash: what count_event counted)',
      '    key | count',
      '    ----+------',
      '      1 |     3',
      '      2 |     1',
      '      3 |     1',
      '      7 |     1',
      '',
      'objects (object hash: the provider keeps each value in an object of its own)',
      '    key | name',
      '    ----+------',
      '      1 | ada',
      '      2 | grace',
      '      3 | linus',
      '',
      'totals (accumulator array: updates add up)',
      '    index | sum',
      '    ------+----',
      '        0 |  60',
      '        1 |   0',
      '        2 |   5',
      '        3 |   0',
      '',
      'unloaded the extension; done',
      '',
    ].join('\n')), out);
  });

  it('says what to build when the sample extension is missing, exit 1', () => {
    const p = spawnSync(process.execPath, [demoJs, join(apiRoot, 'no-such-ext.so')], { encoding: 'utf8' });
    assert.equal(p.status, 1);
    assert.match(p.stderr, /no-such-ext\.so not found \(build the sample extension: npx nx run sample-ext:build\)/);
  });

  it('a missing BPF object (no clang-19 or libbpf-dev when it was built) points to the install script, exit 1', () => {
    const p = spawnSync(process.execPath, [demoJs, sampleExtension, join(apiRoot, 'no-such.bpf.o')], { encoding: 'utf8' });
    assert.equal(p.status, 1);
    assert.match(p.stderr, /no-such\.bpf\.o not found \(the sample's BPF objects need clang-19 and libbpf-dev: `bash tools\/install-deps\.sh --for start`, then build the sample extension: npx nx run sample-ext:build\)/);
  });
});
