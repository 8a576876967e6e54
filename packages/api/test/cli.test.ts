// The `bpfhost` CLI (bin/bpfhost.js) against the sample extension and object, run as a
// separate process each time: output (plain and JSON), exit codes, error messages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { apiRoot, apiTestObject, noClang, noSample, sampleExtension, sampleObject } from './support.js';

const bin = join(apiRoot, 'bin', 'bpfhost.js');
const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI with --json and parses its one document. */
function cliJson(...args: string[]): { status: number | null; doc: any; stderr: string } {
  const r = cli('--json', ...args);
  return { status: r.status, doc: JSON.parse(r.stdout), stderr: r.stderr };
}

/** An event of the sample hook: struct sample_event { u32 key; u32 flags; u64 value; }. */
function event(key: number): string {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(key, 0);
  return b.toString('hex');
}

function batchFile(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const loadSample = ['--ext', sampleExtension, '--obj', sampleObject];

describe('bpfhost CLI: help, version, usage errors', () => {
  it('--help exits 0 and says the core is in-process', () => {
    const r = cli('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: bpfhost \[OPTIONS\] COMMAND/);
    assert.match(r.stdout, /map dump MAP/);
    assert.match(r.stdout, /The core is in-process/);
    assert.match(r.stdout, /what THIS process\s+loaded/);
  });

  it('COMMAND --help prints that command help', () => {
    const r = cli('map', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: bpfhost map list/);
    assert.match(r.stdout, /key hex 07 00 00 00/);
  });

  it('no command exits 1 with the overview', () => {
    const r = cli();
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^Usage:/);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(apiRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(cli('--version').stdout, `bpfhost ${pkg.version}\n`);
    assert.deepEqual(cliJson('-V').doc, { version: pkg.version });
  });

  it('unknown commands, subcommands and options exit 1 with a hint', () => {
    for (const args of [['frobnicate'], ['map', 'frob'], ['prog'], ['--bogus', 'map', 'list'], ['map', 'list', '--hook', '4097']]) {
      const r = cli(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Error: .+\nRun 'bpfhost (\w+ )?--help' for usage\.\n$/, args.join(' '));
    }
    assert.match(cli('map', 'list', '--hook', '4097').stderr, /'map' does not take --hook/);
  });

  it('errors in JSON mode are one {"error"} document on stdout', () => {
    const r = cliJson('map', 'frob');
    assert.equal(r.status, 1);
    assert.match(r.doc.error, /map: unknown subcommand 'frob'/);
    assert.equal(r.stderr, '');
  });
});

describe('bpfhost CLI: asm and disasm', () => {
  const source = join(tmp, 'prog.asm');
  const raw = join(tmp, 'prog.bin');
  writeFileSync(source, 'mov %r0, 7\nadd %r0, 3\nexit\n');

  it('asm prints the instructions as hex, one per line', () => {
    const r = cli('asm', source);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'b7 00 00 00 07 00 00 00\n07 00 00 00 03 00 00 00\n95 00 00 00 00 00 00 00\n');
  });

  it('asm -o writes raw instructions that disasm reads back', () => {
    const w = cli('asm', source, '-o', raw);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout, `wrote 3 instructions (24 bytes) to ${raw}\n`);
    assert.equal(readFileSync(raw).length, 24);
    const d = cli('disasm', raw);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(d.stdout, 'mov %r0, 7\nadd %r0, 3\nexit\n');
    assert.deepEqual(cliJson('disasm', raw).doc, { insns: 3, lines: ['mov %r0, 7', 'add %r0, 3', 'exit'] });
  });

  it('asm of bad text fails with the assembler message', () => {
    const bad = join(tmp, 'bad.asm');
    writeFileSync(bad, 'frobnicate %r0\n');
    const r = cliJson('asm', bad);
    assert.equal(r.status, 1);
    assert.equal(r.doc.code, 'EINVAL');
    assert.match(r.doc.error, /assemble/);
  });

  it('disasm refuses an ELF object and a partial instruction', () => {
    writeFileSync(join(tmp, 'odd.bin'), Buffer.alloc(12));
    const odd = cli('disasm', join(tmp, 'odd.bin'));
    assert.equal(odd.status, 1);
    assert.match(odd.stderr, /has 12 bytes, not a whole number of 8-byte instructions/);
    if (!noSample) {
      const elf = cli('disasm', sampleObject);
      assert.equal(elf.status, 1);
      assert.match(elf.stderr, /is an ELF object; disasm takes raw instructions/);
    }
  });
});

describe('bpfhost CLI: the sample extension and object', { skip: noSample }, () => {
  it('run prints the maps and programs of the object', () => {
    const r = cli('run', sampleObject, '--ext', sampleExtension);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^loaded sample_maps: 5 maps, 7 programs\n/);
    assert.match(r.stdout, /\n {2}id \| name {9}\| type {9}\| key \| value \| max_entries \| btf\n/);
    assert.match(r.stdout, /\| counters +\| custom\(4099\) \| 4B +\| 8B +\| +64 \| __u32 -> __u64\n/);
    assert.match(r.stdout, /\| objects +\| custom\(4097\) \| 4B +\| 16B +\| +16 \| __u32 -> char\[16\]\n/);
    assert.match(r.stdout, /\| count_event +\| sample\/count +\| ext\(4097\) \| +4097 \|/);
  });

  it('run --hook attaches, fires one event per --data and dumps the maps', () => {
    const r = cliJson('run', sampleObject, '--ext', sampleExtension, '--hook', '4097', '--prog', 'count_event',
      '--data', event(1), '--data', event(2), '--data', event(1), '--data', event(1));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.doc.object, 'sample_maps');
    assert.deepEqual(r.doc.links.map((l: { program: string }) => l.program), ['count_event']);
    assert.deepEqual(r.doc.events.map((e: { programs: number; retval: number }) => [e.programs, e.retval]), [[1, 1], [1, 1], [1, 2], [1, 3]]);
    const counts = Object.fromEntries(r.doc.dumps.counters.map((e: { formatted: { key: number; value: number } }) => [e.formatted.key, e.formatted.value]));
    assert.deepEqual(counts, { 1: 3, 2: 1 });
    assert.deepEqual(r.doc.dumps.counters_alt, []);
    assert.equal(r.doc.dumps.totals.length, 4);
  });

  it('run --hook attaches the --prog programs in order; plain output shows the events', () => {
    const r = cli('run', sampleObject, '--ext', sampleExtension, '--hook', '4097', '--prog', 'get_object', '--prog', 'count_event', '--data', event(5));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\nattached to hook 4097: get_object \(link \d+\), count_event \(link \d+\)\n/);
    // get_object finds no object 5 (-ENOENT) and the hook's result is the first non-zero one.
    assert.match(r.stdout, /\nevent 1 \(16 bytes\): 2 programs ran, result -2\n/);
    assert.match(r.stdout, /\nmap counters \(custom\(4099\)\): 1 entry\n {2}key: 5 {2}value: 1\n/);
  });

  it('run --hook without --prog attaches every program whose section implies the hook', () => {
    const r = cliJson('run', sampleObject, '--ext', sampleExtension, '--hook', '4097');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.doc.links.length, 7);
    assert.equal(r.doc.events.length, 1);
    assert.equal(r.doc.events[0].data, null);
  });

  it('run without the extension fails with the loader message', () => {
    const r = cli('run', sampleObject);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error: .*program 'count_event' \(section 'sample\/count'\): no program type for this section name/);
  });

  it('map list and prog list show what this process loaded (bpftool lines and JSON)', () => {
    const maps = cliJson('map', 'list', ...loadSample);
    assert.equal(maps.status, 0, maps.stderr);
    assert.deepEqual(maps.doc.map((m: { name: string }) => m.name), ['counters', 'objects', 'totals', 'config', 'counters_alt']);
    assert.deepEqual(maps.doc[0], { id: maps.doc[0].id, type: 'custom(4099)', name: 'counters', flags: 0, bytes_key: 4, bytes_value: 8, max_entries: 64 });
    const plain = cli('map', 'list', ...loadSample);
    assert.match(plain.stdout, /^\d+: custom\(4099\) {2}name counters {2}flags 0x0\n\tkey 4B {2}value 8B {2}max_entries 64\n/);

    const progs = cliJson('prog', 'list', ...loadSample);
    assert.equal(progs.status, 0, progs.stderr);
    assert.equal(progs.doc.length, 7);
    const count = progs.doc.find((p: { name: string }) => p.name === 'count_event');
    assert.equal(count.type, 'ext(4097)');
    assert.match(count.tag, /^[0-9a-f]{16}$/);
    assert.deepEqual(count.map_ids, [maps.doc[0].id]);
    const show = cli('prog', 'show', 'name', 'count_event', ...loadSample);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^\d+: ext\(4097\) {2}name count_event {2}tag [0-9a-f]{16}\n\txlated \d+B {2}insns \d+ {2}map_ids \d+ {2}run_cnt 0 {2}run_time_ns 0\n$/);
  });

  it('with nothing loaded, lists are empty and lookups say the core is in-process', () => {
    assert.deepEqual(cliJson('map', 'list').doc, []);
    assert.equal(cli('prog', 'list').stdout, '');
    const r = cli('map', 'dump', 'counters');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no map named 'counters' in this process \(the core is in-process: load an object first with --obj OBJ\.o/);
    assert.match(cli('map', 'dump', 'id', '3').stderr, /no map with id 3 in this process/);
  });

  it('map update/lookup/dump/delete in a batch: typed literals and bpftool byte lists', () => {
    const file = batchFile('maps.batch', [
      '# the sample maps, typed from BTF',
      'map update objects key 1 value ada',
      'map update objects key hex 02 00 00 00 value \'"grace"\' noexist',
      'map update totals key 0 value 5',
      'map update totals key 0x00 0x00 0x00 0x00 value 0x07 0 0 0 0 0 0 0',
      'map lookup totals key 0',
      'map dump objects',
      'map update counters key hex 03000000 value 16',
      'map delete objects key 1',
      'map dump name objects',
    ]);
    const r = cli('batch', file, ...loadSample);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    // A hash map's order is its own (as bpftool's dump): compare the first dump as a set.
    assert.deepEqual([lines[0], [lines[1], lines[2]].sort(), ...lines.slice(3)], [
      'key: 0  value: 12',
      ['key: 1  value: "ada"', 'key: 2  value: "grace"'],
      'Found 2 elements',
      'key: 2  value: "grace"',
      'Found 1 element',
      '',
    ]);
    assert.match(r.stderr, /processed 9 commands/);

    // --json: the batch is one array, one element per command (null for updates and deletes).
    const docs = JSON.parse(cli('--json', 'batch', file, ...loadSample).stdout);
    assert.equal(docs.length, 9);
    assert.deepEqual(docs[4], {
      key: ['0x00', '0x00', '0x00', '0x00'],
      value: ['0x0c', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00'],
      formatted: { key: 0, value: 12 },
    });
  });

  it('map errors: typed codes and messages naming the map, exit 1 at the failing line', () => {
    const exists = batchFile('exists.batch', ['map update counters key 3 value 1', 'map update counters key 3 value 2 noexist', 'map dump counters']);
    const b = cli('--json', 'batch', exists, ...loadSample);
    assert.equal(b.status, 1);
    const docs = JSON.parse(b.stdout);
    assert.equal(docs.length, 2);
    assert.equal(docs[0], null);
    const r = { doc: docs[1] };
    assert.equal(r.doc.code, 'EEXIST');
    assert.equal(r.doc.errno, 17);
    assert.match(r.doc.error, /exists\.batch:2: object 'sample_maps', map 'counters': set: /);

    const missing = cli('map', 'lookup', 'counters', 'key', '9', ...loadSample);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, "Error: map 'counters': lookup: key 9 not found (ENOENT)\n");

    const range = cliJson('map', 'update', 'totals', 'key', '0', 'value', '-1', ...loadSample);
    assert.equal(range.status, 1);
    assert.match(range.doc.error, /put '--' before values|values that start with '-'/);
    const neg = cliJson(...loadSample, 'map', 'update', 'totals', 'key', '0', 'value', '--', '-1');
    assert.equal(neg.status, 1);
    assert.equal(neg.doc.code, 'EINVAL');
    assert.equal(neg.doc.codec, '__u64');
    assert.match(neg.doc.error, /^object 'sample_maps', map 'totals': update: value: expected /);

    const big = cliJson('map', 'update', 'objects', 'key', '1', 'value', 'a-name-longer-than-15', ...loadSample);
    assert.equal(big.status, 1);
    assert.match(big.doc.error, /map 'objects'.*value: expected a string of at most 15 UTF-8 bytes/);

    const bytes = cli('map', 'lookup', 'config', 'key', '1', '2', ...loadSample);
    assert.equal(bytes.status, 1);
    assert.match(bytes.stderr, /^Error: key: expected 4 bytes or a __u32 literal: cannot parse '1 2'/);

    const arr = cli('map', 'delete', 'totals', 'key', '0', ...loadSample);
    assert.equal(arr.status, 1);
    assert.match(arr.stderr, /\(EINVAL\)/);
  });

  it('prog test-run runs a program of an object on hex data', () => {
    const peek = cli('prog', 'test-run', sampleObject, 'peek_counter', '--data', event(1), '--ext', sampleExtension);
    assert.equal(peek.status, 0, peek.stderr);
    assert.match(peek.stdout, /^Return value: -2 \(0xfffffffe\), duration: \d+ns\ndata_out: 01 00 00 00( 00){12}\n$/);
    const total = cliJson('prog', 'test-run', sampleObject, 'read_total', '--data', event(0), '--repeat', '10', '--ext', sampleExtension);
    assert.equal(total.status, 0, total.stderr);
    assert.equal(total.doc.retval, 0);
    assert.equal(total.doc.repeat, 10);
    assert.equal(total.doc.data_out.length, 16);
    const bad = cli('prog', 'test-run', sampleObject, 'nope', '--ext', sampleExtension);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /no program 'nope' \(the object has 'count_event', /);
    assert.match(cli('prog', 'test-run', sampleObject, 'read_total', '--data', 'xyz', '--ext', sampleExtension).stderr, /--data: expected hex bytes/);
  });

  it('--insn-budget bounds each run (prog test-run, run --hook); numbers out of range are usage errors', () => {
    const data = ['--data', event(1), '--ext', sampleExtension];
    const ok = cliJson('prog', 'test-run', sampleObject, 'read_total', ...data, '--insn-budget', '100000');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.doc.insn_budget, 100000);
    const stopped = cli('prog', 'test-run', sampleObject, 'read_total', ...data, '--insn-budget', '1');
    assert.equal(stopped.status, 1);
    assert.match(stopped.stderr, /^Error: object 'sample_maps', program 'read_total': testRun: insn \d+: instruction budget of 1 exhausted .*\(ELOOP\)\n$/);
    const hooked = cliJson('run', sampleObject, '--ext', sampleExtension, '--hook', '4097', '--prog', 'count_event', '--data', event(1), '--insn-budget', '0x100000');
    assert.equal(hooked.status, 0, hooked.stderr);
    assert.equal(hooked.doc.links[0].insn_budget, 0x100000);
    const hookStopped = cliJson('run', sampleObject, '--ext', sampleExtension, '--hook', '4097', '--prog', 'count_event', '--data', event(1), '--insn-budget', '1');
    assert.equal(hookStopped.status, 1);
    assert.equal(hookStopped.doc.code, 'ELOOP');
    assert.match(hookStopped.doc.error, /program 'count_event': insn \d+: instruction budget of 1 exhausted/);
    for (const [args, message] of [
      [['prog', 'test-run', sampleObject, 'read_total', '--repeat', '1.5'], "--repeat must be an integer in [1, 4294967295], got '1.5'"],
      [['prog', 'test-run', sampleObject, 'read_total', '--repeat', '0'], "--repeat must be an integer in [1, 4294967295], got '0'"],
      [['prog', 'test-run', sampleObject, 'read_total', '--repeat', '1000000000000'], "--repeat must be an integer in [1, 4294967295], got '1000000000000'"],
      [['prog', 'test-run', sampleObject, 'read_total', '--insn-budget', '0'], "--insn-budget must be an integer in [1, 4294967295], got '0'"],
      [['prog', 'test-run', sampleObject, 'read_total', '--insn-budget', '4294967296'], "--insn-budget must be an integer in [1, 4294967295], got '4294967296'"],
      [['prog', 'test-run', sampleObject, 'read_total', '--insn-budget', 'lots'], "--insn-budget must be an integer in [1, 4294967295], got 'lots'"],
      [['run', sampleObject, '--hook', '0x100000000'], "--hook must be an integer in [0, 4294967295], got '0x100000000'"],
      [['run', sampleObject, '--insn-budget', '5'], 'run: --prog, --data and --insn-budget need --hook ATTACH_TYPE'],
      [['map', 'show', 'id', '4294967296'], "an id must be an integer in [1, 4294967295], got '4294967296'"],
      [['prog', 'show', 'id', '0'], "an id must be an integer in [1, 4294967295], got '0'"],
    ] as const) {
      const r = cli(...args, '--ext', sampleExtension);
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stderr.split('\n')[0], `Error: ${message}`, args.join(' '));
    }
  });

  it('ext load and ext list', () => {
    const r = cli('ext', 'load', sampleExtension);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^loaded .*sample_ext\.so \(module \d+\)\n$/);
    const list = cliJson('ext', 'list', '--ext', sampleExtension);
    assert.equal(list.doc.length, 1);
    assert.equal(list.doc[0].path, sampleExtension);
    const missing = cliJson('ext', 'load', join(tmp, 'missing.so'));
    assert.equal(missing.status, 1);
    assert.equal(missing.doc.code, 'ENOENT');
    const notModule = cliJson('ext', 'load', sampleObject);
    assert.equal(notModule.status, 1);
    assert.notEqual(notModule.doc.code, undefined);
  });

  it('--progress reports dumps on stderr', () => {
    const r = cli('map', 'dump', 'counters', '--progress', ...loadSample);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'Found 0 elements\n');
    assert.match(r.stderr, /^dumping map 'counters': 0 of at most 64 entries \(0%\), \d+ ms\n$/);
    assert.equal(cli('map', 'dump', 'counters', ...loadSample).stderr, '');
  });
});

describe('bpfhost CLI: typed keys and values from BTF (clang-compiled object)', { skip: noClang || noSample }, () => {
  it('struct keys and values, enums, bitfields, u64 past 2^53', () => {
    const obj = apiTestObject();
    const file = batchFile('flows.batch', [
      `map update flows key '{saddr: 0x0a000001, port: 80, proto: 6}' value '{packets: 3, bytes: 18446744073709551615, last: PROTO_UDP, hist: [1, 2, 3], tag: "abc", seen: 1, level: 5, delta: -3}'`,
      'map dump flows',
      'map lookup raw key 1 2 3',
    ]);
    const r = cli('batch', file, '--obj', obj);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.split('\n')[0], 'key: {saddr: 167772161, port: 80, proto: 6}  value: {packets: 3, bytes: 18446744073709551615, last: "PROTO_UDP", hist: [1, 2, 3], tag: "abc", seen: 1, level: 5, delta: -3}');
    assert.match(r.stderr, /flows\.batch:3: map 'raw': lookup: key 01 02 03 not found \(ENOENT\)/);

    const j = cli('--json', 'batch', file, '--obj', obj);
    const dumped = JSON.parse(j.stdout)[1];
    assert.deepEqual(dumped[0].formatted.key, { saddr: 167772161, port: 80, proto: 6 });
    assert.equal(dumped[0].formatted.value.last, 'PROTO_UDP');
    assert.match(j.stdout, /"bytes":18446744073709551615,/); // every digit of the u64 in the JSON text
  });

  it('queues: push, peek, pop (bpftool map push/peek/pop); dump refuses a map without keys', () => {
    const file = batchFile('queue.batch', ['map push lengths value 5', 'map push lengths value 0x06 0 0 0', 'map peek lengths', 'map pop lengths', 'map pop lengths', 'map pop lengths']);
    const r = cli('batch', file, '--obj', apiTestObject());
    assert.equal(r.status, 1);
    assert.equal(r.stdout, 'value: 5\nvalue: 5\nvalue: 6\n');
    assert.match(r.stderr, /queue\.batch:6: map 'lengths': pop: the queue is empty \(ENOENT\)/);
    const dump = cli('map', 'dump', 'lengths', '--obj', apiTestObject());
    assert.equal(dump.status, 1);
    assert.match(dump.stderr, /a queue map has no keys to iterate .*use push\/pop\/peek/);
  });

  it('per-CPU values: one per CPU, typed from BTF', () => {
    const r = cliJson('map', 'dump', 'pcpu', '--obj', apiTestObject());
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.doc.length, 2);
    assert.deepEqual(r.doc[0].formatted.key, 0);
    assert.ok(r.doc[0].values.length >= 1);
    assert.deepEqual(r.doc[0].values[0], { cpu: 0, value: ['0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00'] });
  });

  it('a map without BTF takes bytes only, and says so', () => {
    const r = cli('map', 'update', 'raw', 'key', '7', 'value', '1', '--obj', apiTestObject());
    assert.equal(r.status, 1);
    assert.match(r.stderr, /key: expected 3 bytes .*no BTF type/);
  });
});
