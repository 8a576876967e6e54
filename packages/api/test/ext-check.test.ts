// `ext new`'s template rendering and ids, and the conformance kit from TypeScript (checkProvider)
// and the CLI (`bpfhost ext check`) on providers in this repository: the sample's map types pass;
// the kit's deliberately leaky test provider fails, and the report says what leaked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { checkProvider } from '@bpfhost/api';

import { SAMPLE_MAP_COUNTER_HASH, SAMPLE_MAP_OBJECT_HASH, SAMPLE_PROGRAM_TYPE, apiRoot, noSample, sampleExtension } from './support.js';

const kitBuild = join(apiRoot, '..', 'kernel', 'build', 'check');

/** The installed `bpfhost` command. */
function cli(argv: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(apiRoot, 'bin', 'bpfhost.js'), ...argv], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Spec {
  name: string;
  base: 'hash' | 'array';
  programType: boolean;
  helper: boolean;
}
/** The scaffold's functions (dist/cli/cmd-ext.js: not part of the package's API). */
const { render, scaffold, scaffoldValues } = (await import(pathToFileURL(join(apiRoot, 'dist', 'cli', 'cmd-ext.js')).href)) as {
  render(text: string, values: Record<string, string>, flags: Record<string, boolean>): string;
  scaffold(dir: string, spec: Spec): string[];
  scaffoldValues(spec: Spec): Record<string, string>;
};

describe('ext new: templates', () => {
  it('render: values, kept and dropped sections, marker lines vanish, unknown names throw', () => {
    const text = 'a {{x}}\n{{#on}}\nkept {{x}}\n{{/on}}\n{{^on}}\ndropped\n{{/on}}\n{{#off}}gone{{/off}}{{^off}}inline{{/off}} end\n';
    assert.equal(render(text, { x: 'X' }, { on: true, off: false }), 'a X\nkept X\ninline end\n');
    assert.equal(render('{{#a}}1{{#b}}2{{/b}}3{{/a}}', {}, { a: true, b: false }), '13');
    assert.throws(() => render('{{y}}', {}, {}), /unknown value 'y'/);
    assert.throws(() => render('{{#z}}{{/z}}', {}, {}), /unknown section 'z'/);
  });

  it('ids: from the name, stable, in the extension ranges and clear of the small ones', () => {
    const v = scaffoldValues({ name: 'max_map', base: 'hash', programType: true, helper: true });
    assert.deepEqual(scaffoldValues({ name: 'max_map', base: 'hash', programType: true, helper: true }), v);
    for (const id of [Number(v.MAP_TYPE), Number(v.PROG_TYPE)]) assert.ok(id >= 8192 && id < 65536, String(id));
    assert.notEqual(scaffoldValues({ name: 'other_map', base: 'hash', programType: false, helper: false }).MAP_TYPE, v.MAP_TYPE);
    assert.equal(v.NAME, 'MAX_MAP');
    assert.match(v.MODULE_ID as string, /^\{ 0x[0-9a-f]{8}, 0x6578, 0x0001, \{ (0x[0-9a-f]{2}, ){7}0x[0-9a-f]{2} \} \}$/);
  });

  it('writes every template, with nothing left unrendered, and each variant says what it has', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-ext-new-'));
    after(() => rmSync(tmp, { recursive: true, force: true }));
    const plain = scaffold(join(tmp, 'plain'), { name: 'plain', base: 'array', programType: false, helper: false });
    const typed = scaffold(join(tmp, 'typed'), { name: 'typed', base: 'hash', programType: true, helper: true });
    assert.equal(plain.length, 7);
    for (const [dir, files] of [['plain', plain], ['typed', typed]] as const) {
      for (const f of files) assert.doesNotMatch(readFileSync(join(tmp, dir, f), 'utf8'), /\{\{|\}\}/, `${dir}/${f} is fully rendered`);
    }
    const plainC = readFileSync(join(tmp, 'plain', 'src', 'plain.c'), 'utf8');
    assert.match(plainC, /BPFHOST_BASE_MAP_TYPE_ARRAY/);
    assert.doesNotMatch(plainC, /BPFHOST_NPI_PROGRAM_INFO/);
    assert.match(readFileSync(join(tmp, 'plain', 'bpf', 'plain.bpf.c'), 'utf8'), /SEC\("socket"\)/);
    const typedC = readFileSync(join(tmp, 'typed', 'src', 'typed.c'), 'utf8');
    assert.match(typedC, /BPFHOST_NPI_PROGRAM_INFO/);
    assert.match(typedC, /\.helper_id = TYPED_HELPER_LIMIT/);
    assert.match(readFileSync(join(tmp, 'typed', 'bpf', 'typed.bpf.c'), 'utf8'), /SEC\("typed"\)[\s\S]*typed_limit\(\)/);
    assert.deepEqual(readdirSync(join(tmp, 'typed', 'src')).sort(), ['typed.c', 'typed.h']);
  });

  it('the CLI refuses a bad name and an unknown base; --helper brings the program type', () => {
    assert.match(cli(['ext', 'new', '9lives']).err, /NAME must be a C identifier/);
    assert.match(cli(['ext', 'new', 'ok_name', '--map', 'queue']).err, /--map is hash or array/);
    assert.match(cli(['ext', 'check', 'x.so']).err, /--map-type N is required/);
    assert.match(cli(['ext', 'check', 'x.so', '--map-type', '4099', '--value', 'xyz']).err, /--value expects hex bytes/);
  });
});

describe('the conformance kit from TypeScript and the CLI', { skip: noSample }, () => {
  it("checkProvider: the sample's counter hash passes every phase", () => {
    const r = checkProvider(sampleExtension, { mapType: SAMPLE_MAP_COUNTER_HASH, progType: SAMPLE_PROGRAM_TYPE });
    assert.equal(r.failed, 0, JSON.stringify(r.phases));
    assert.equal(r.name, 'sample_ext');
    assert.equal(r.base, 'hash');
    assert.equal(r.updatesOriginalValue, false);
    assert.deepEqual(r.phases.filter((p) => p.status !== 'pass'), []);
    assert.ok((r.calls['postprocess_map_delete_element/0x3'] ?? 0) > 0, 'program updates displaced values (UPDATE|HELPER)');
  });

  it('checkProvider: the leaky provider fails, with what leaked and where', () => {
    const leaky = join(kitBuild, 'kit_map_leak.so');
    assert.ok(existsSync(leaky), `${leaky} is built (the kernel's build)`);
    const r = checkProvider(leaky, { mapType: 4600, noFaults: true });
    assert.ok(r.failed > 0);
    const failed = r.phases.filter((p) => p.status === 'fail');
    assert.ok(failed.some((p) => p.name === 'full map and the undo path'));
    assert.match(failed[0]!.failures.join('\n'), /epoch allocations? of the provider never freed .*free what a value owns in the delete callback/);
    assert.equal(r.phases.find((p) => p.name.startsWith('fault injection'))?.status, 'skipped');
  });

  it('checkProvider: a map type the module does not provide throws with its types', () => {
    assert.throws(() => checkProvider(sampleExtension, { mapType: 4200 }), /registers no provider of map type 4200 \(its map types: .*4097/);
  });

  it('bpfhost ext check: the report, exit 0 when it passes and 1 (ECHECK) when it fails', () => {
    const pass = cli(['ext', 'check', sampleExtension, '--map-type', String(SAMPLE_MAP_OBJECT_HASH), '--prog-type', String(SAMPLE_PROGRAM_TYPE), '--no-faults']);
    assert.equal(pass.code, 0, pass.err);
    assert.match(pass.out, /^bpfhost ext check: sample_ext .* map type 4097: hash base, updates_original_value/);
    assert.match(pass.out, /sample_ext passed: 9 phases ran, no invariant broken/);
    const fail = cli(['ext', 'check', join(kitBuild, 'kit_map_leak.so'), '--map-type', '4600', '--no-faults', '--json']);
    assert.equal(fail.code, 1);
    // In JSON mode: the report, then the error, one document a line.
    const [report, error] = fail.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok((report?.failed as number) > 0);
    assert.deepEqual(error, { error: 'ext check: the provider failed the conformance kit (see the report)', code: 'ECHECK' });
  });
});
