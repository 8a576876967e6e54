// The example at the top of the API reference (src/index.ts's @packageDocumentation block) is real
// code: it is cut out of the comment, type-checked, compiled and run against the sample extension, and must print
// what its last comment says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import ts from 'typescript';

import { apiRoot, noSample, sampleExtension, sampleObject } from './support.js';

/** The ```ts block of the first doc comment of src/index.ts, without the ` * ` margins. */
function indexExample(): string {
  const text = readFileSync(join(apiRoot, 'src', 'index.ts'), 'utf8');
  const m = /^ \* ```ts\n([\s\S]*?)^ \* ```$/m.exec(text);
  assert.ok(m, 'src/index.ts has a ```ts block in its first comment');
  return (m[1] as string).split('\n').map((l) => l.replace(/^ \*( |$)/, '')).join('\n');
}

describe('the API reference index example', { skip: noSample }, () => {
  const dir = mkdtempSync(join(apiRoot, 'dist-test', 'index-example-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks and prints what it says', () => {
    const source = indexExample();
    const expected = /\/\/ (.+)\n?$/.exec(source.trimEnd())?.[1];
    assert.ok(expected, 'the example ends with a comment saying what it prints');
    // Type-checked as a user's strict ESM file would be, beside the package (so '@bpfhost/api'
    // resolves), in a folder with the files it names.
    const file = join(dir, 'example.mts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
    program.emit();
    symlinkSync(sampleExtension, join(dir, 'sample_ext.so'));
    symlinkSync(sampleObject, join(dir, 'sample_maps.bpf.o'));
    // Plain output whatever the runner's environment (Nx sets FORCE_COLOR for its children).
    const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
    const r = spawnSync(process.execPath, [join(dir, 'example.mjs')], { cwd: dir, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `${expected}\n`);
  });
});
