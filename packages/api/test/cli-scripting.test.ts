// The `bpfhost` CLI as a script runs it, after bpftool: test-run of a program loaded earlier in
// the session (by id and name), frames from files, a --json batch as one array, map create and
// pins, ring buffers consumed (not dumped), btf dump (against bpftool), feature, a program whose
// section no type claims.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { BpfObject, Program, programTypeHelpers } from '@bpfhost/api';

import { apiRoot, apiTestObject, bpfFixture, frame, noClang, noSample, sampleExtension, sampleObject } from './support.js';

const bin = join(apiRoot, 'bin', 'bpfhost.js');
const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-cli-script-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

/** An event of the sample hook: struct sample_event { u32 key; u32 flags; u64 value; }. */
function event(key: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(key, 0);
  return b;
}

const loadSample = ['--ext', sampleExtension, '--obj', sampleObject];

describe('bpfhost CLI scripting: the sample object', { skip: noSample }, () => {
  it('a batch updates a map, then test-runs the loaded program that reads it, by name and by id', () => {
    const ids = JSON.parse(cli('--json', 'prog', 'list', ...loadSample).stdout) as Array<{ id: number; name: string }>;
    const peek = ids.find((p) => p.name === 'peek_counter');
    assert.ok(peek, 'peek_counter is loaded by --obj');
    const batch = file('peek.batch', [
      'map update counters key 1 value 5',
      `prog test-run name peek_counter --data ${event(1).toString('hex')}`,
      'map update counters key 1 value 9',
      `prog test-run id ${peek.id} --data ${event(1).toString('hex')}`,
    ].join('\n'));
    const plain = cli('batch', batch, ...loadSample);
    assert.equal(plain.status, 0, plain.stderr);
    // peek_counter returns the counter of the event's key: what the earlier lines stored.
    assert.match(plain.stdout, /^Return value: 5, duration: \d+ns\ndata_out: 01( 00){7} 05( 00){7}\nReturn value: 9, duration: \d+ns\n/);

    const json = cli('--json', 'batch', batch, ...loadSample);
    assert.equal(json.status, 0, json.stderr);
    const docs = JSON.parse(json.stdout);
    assert.ok(Array.isArray(docs), 'one JSON document: an array');
    assert.equal(docs.length, 4, 'one element per command');
    assert.deepEqual([docs[0], docs[2]], [null, null]);
    assert.deepEqual([docs[1].program, docs[1].retval, docs[1].id], ['peek_counter', 5, peek.id]);
    assert.deepEqual([docs[3].program, docs[3].retval, docs[3].id], ['peek_counter', 9, peek.id]);
  });

  it('--data-in and --ctx-in read raw bytes from files (- is stdin); --data-out writes them', () => {
    const input = file('event.bin', event(3));
    const output = join(tmp, 'event.out');
    const r = cli('--json', 'prog', 'test-run', 'name', 'count_event', '--data-in', input, '--data-out', output, ...loadSample);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.retval, 1, 'count_event returns the new count of key 3');
    assert.equal(doc.bytes_data_out, 16);
    assert.equal(doc.data_out, undefined, 'the bytes went to the file, not into the document');
    assert.deepEqual(readFileSync(output), event(3));

    const stdin = spawnSync(process.execPath, [bin, 'prog', 'test-run', sampleObject, 'peek_counter', '--data-in', '-', '--ext', sampleExtension], { input: event(3), encoding: 'utf8' });
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.match(stdin.stdout, /^Return value: -2 \(0xfffffffe\), duration: \d+ns\ndata_out: 03( 00){15}\n$/);

    const both = cli('prog', 'test-run', 'name', 'count_event', '--data', '00', '--data-in', input, ...loadSample);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /^Error: prog test-run: give --data HEX or --data-in FILE, not both\n/);
    const dash = cli('prog', 'test-run', 'name', 'count_event', '--data-in', input, '--data-out', '-', ...loadSample);
    assert.equal(dash.status, 1);
    assert.match(dash.stderr, /--data-out takes a file/);
    const missing = cli('--json', 'prog', 'test-run', 'name', 'count_event', '--ctx-in', join(tmp, 'nope.bin'), ...loadSample);
    assert.equal(missing.status, 1);
    assert.equal(JSON.parse(missing.stdout).code, 'ENOENT');
  });

  it('test-run of a program that is not loaded says what is', () => {
    const r = cli('prog', 'test-run', 'name', 'nope', ...loadSample);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no program named 'nope' in this process \(loaded: sample_maps\)/);
    const none = cli('prog', 'test-run', 'id', '99999');
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no program with id 99999 in this process \(the core is in-process: load an object first/);
    assert.match(cli('prog', 'test-run', 'name').stderr, /expected a value after 'name'/);
  });

  it('a failing batch line ends the --json array with its error', () => {
    const batch = file('fail.batch', 'map update counters key 2 value 1\nprog test-run name missing\nmap dump counters\n');
    const r = cli('--json', 'batch', batch, ...loadSample);
    assert.equal(r.status, 1);
    const docs = JSON.parse(r.stdout);
    assert.equal(docs.length, 2, 'the line after the failure did not run');
    assert.equal(docs[0], null);
    assert.equal(docs[1].code, 'ENOENT');
    assert.match(docs[1].error, /fail\.batch:2: find program: no program named 'missing'/);
    // A line that does not parse is numbered too.
    const bad = cli('--json', 'batch', file('bad.batch', 'map list\nmap list --bogus\n'), ...loadSample);
    assert.equal(bad.status, 1);
    const badDocs = JSON.parse(bad.stdout);
    assert.equal(badDocs.length, 2);
    assert.match(badDocs[1].error, /bad\.batch:2: .*--bogus/);
  });

  it('map create pins a new map; map pin and prog pin name loaded ones; pinned maps are found later', () => {
    const batch = file('pins.batch', [
      'map create /cli/queue type queue value 4 entries 2 name lens',
      'map push pinned /cli/queue value 7 0 0 0',
      'map update counters key 4 value 2',
      'map pin counters /cli/counters',
      'map lookup pinned /cli/counters key 4 0 0 0',
      'prog pin name count_event /cli/count',
      'map pop name lens',
    ].join('\n'));
    const r = cli('--json', 'batch', batch, ...loadSample);
    assert.equal(r.status, 0, r.stdout);
    const docs = JSON.parse(r.stdout);
    assert.equal(docs.length, 7);
    assert.deepEqual({ ...docs[0], id: 0 }, { id: 0, type: 'queue', name: 'lens', flags: 0, bytes_key: 0, bytes_value: 4, max_entries: 2, pinned: '/cli/queue' });
    assert.deepEqual(docs[3].pinned, '/cli/counters');
    assert.deepEqual(docs[4].value, ['0x02', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00']);
    assert.equal(docs[5].name, 'count_event');
    assert.deepEqual(docs[6].value, ['0x07', '0x00', '0x00', '0x00']);

    for (const [args, message] of [
      [['map', 'create', 'type', 'hash'], /map create: expected the pin PATH first/],
      [['map', 'create', '/x', 'type', 'hash', 'key', '4', 'value', '4'], /map create: expected 'entries'/],
      [['map', 'create', '/x', 'type', 'hash', 'entries', '4', 'colour', 'red'], /map create: unknown word 'colour'/],
      [['map', 'create', '/x', 'type', 'hash', 'entries', '0'], /entries must be an integer in \[1, 4294967295\], got '0'/],
      [['map', 'create', '/x', 'type', 'nosuch', 'key', '4', 'value', '4', 'entries', '1'], /unknown map type 'nosuch'/],
      [['map', 'pin', 'counters', ...loadSample], /map pin: expected a PATH after the map/],
    ] as const) {
      const e = cli(...args);
      assert.equal(e.status, 1, args.join(' '));
      assert.match(e.stderr, message, args.join(' '));
    }
  });
});

describe('bpfhost CLI scripting: a socket filter with a ring buffer (clang-compiled object)', { skip: noClang || noSample }, () => {
  it('map consume prints the records test-runs left; map dump of a ring buffer points to it', () => {
    const obj = apiTestObject();
    const pkt = file('frame.bin', frame(64));
    const batch = file('ring.batch', [
      `prog test-run name count_packets --data-in ${pkt}`,
      `prog test-run name count_packets --data-in ${pkt}`,
      'map consume events count 1',
      'map consume events',
      'map consume events',
    ].join('\n'));
    const r = cli('--json', 'batch', batch, '--obj', obj);
    assert.equal(r.status, 0, r.stdout);
    const docs = JSON.parse(r.stdout);
    // count_packets returns len * multiplier + limit; a socket filter's skb->len excludes the
    // 14-byte Ethernet header, as Linux's test run: (64 - 14) * 3 + 7.
    assert.deepEqual([docs[0].retval, docs[1].retval], [157, 157]);
    const record = (seq: number): string[] => {
      const b = Buffer.alloc(16);
      b.writeUInt32LE(seq, 0);
      b.writeUInt32LE(50, 4);
      b.writeBigUInt64LE(0xfeedn, 8);
      return [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`);
    };
    assert.deepEqual(docs[2], [{ bytes: 16, data: record(1) }], 'count 1 takes the oldest record only');
    assert.deepEqual(docs[3], [{ bytes: 16, data: record(2) }]);
    assert.deepEqual(docs[4], []);

    const plain = cli('batch', file('ring1.batch', `prog test-run name count_packets --data-in ${pkt}\nmap consume events\n`), '--obj', obj);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /\nrecord \(16 bytes\): 01 00 00 00 32 00 00 00 ed fe 00 00 00 00 00 00\nConsumed 1 record\n$/);

    const dump = cli('--json', 'map', 'dump', 'events', '--obj', obj);
    assert.equal(dump.status, 1);
    const err = JSON.parse(dump.stdout);
    assert.equal(err.code, 'EINVAL');
    assert.match(err.error, /a ringbuf map has no entries to dump: consume its records with 'bpfhost map consume events'/);
    assert.doesNotMatch(err.error, /push\/pop\/peek/);
    const notRing = cli('map', 'consume', 'counts', '--obj', obj);
    assert.equal(notRing.status, 1);
    assert.match(notRing.stderr, /a array map is not a ring buffer|map is not a ring buffer/);
  });

  it('the API says how to consume a ring buffer when asked for its entries', () => {
    using o = BpfObject.open(apiTestObject()).load();
    assert.throws(() => [...o.map('events').keys()], (e: Error) => /no keys to iterate or delete \(consume its records with a RingBuffer/.test(e.message));
  });
});

describe('bpfhost prog test-run: a redirect verdict names its target (clang-compiled XDP)', { skip: noClang }, () => {
  it('plain and --json, through a devmap entry and to an ifindex', () => {
    const obj = bpfFixture('xdp_redirect');
    const odd = file('odd.bin', Buffer.from([1, ...Buffer.alloc(63)]));
    const batch = file('redirect.batch', [
      'map update ports key 2 0 0 0 value 42 0 0 0',
      `prog test-run name to_port --data-in ${odd}`,
      `prog test-run name to_ifindex --data-in ${odd}`,
    ].join('\n'));
    const r = cli('--json', 'batch', batch, '--obj', obj);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const docs = JSON.parse(r.stdout);
    assert.equal(docs[1].retval, 4, 'XDP_REDIRECT');
    assert.deepEqual({ ...docs[1].redirect, map_id: 0 }, { kind: 'map', map_id: 0, key: 2, ifindex: 42, flags: 2 });
    assert.ok(docs[1].redirect.map_id > 0, 'the devmap\'s id');
    assert.deepEqual(docs[2].redirect, { kind: 'ifindex', ifindex: 7, flags: 0 });
    const plain = cli('batch', batch, '--obj', obj);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /Redirect: through map id \d+ key 2 to ifindex 42 flags 0x2 \(a test run sends nothing\)\n/);
    assert.match(plain.stdout, /Redirect: to ifindex 7 \(a test run sends nothing\)\n/);
    // Key 1 has no entry: the flags' verdict (XDP_PASS), no redirect.
    const even = cli('--json', 'prog', 'test-run', 'name', 'to_port', '--data', '00'.repeat(64), '--obj', obj);
    assert.equal(even.status, 0, even.stderr);
    const doc = JSON.parse(even.stdout);
    assert.equal(doc.retval, 2);
    assert.equal(doc.redirect, undefined);
  });
});

describe('bpfhost: a program whose section no type claims', { skip: noSample }, () => {
  it('shows its section as its type name (before the extension that claims it is loaded)', () => {
    using obj = BpfObject.open(sampleObject);
    const count = obj.programs.find((p) => p.name === 'count_event');
    assert.ok(count);
    assert.equal(count.type, 0);
    assert.equal(count.typeName, "no type claims section 'sample/count'");
  });
});

/** bpftool (the BTF oracle; tools/install-deps.sh installs it), or why not. */
const bpftool = ['/usr/sbin/bpftool', '/usr/bin/bpftool'].find((p) => existsSync(p));

describe('bpfhost btf dump', { skip: noClang ? noClang : bpftool ? false : 'bpftool not installed (tools/install-deps.sh --for test)' }, () => {
  it("prints bpftool's raw dump of the same file, DATASECs as the loader laid them out", () => {
    const obj = apiTestObject();
    const ours = cli('btf', 'dump', 'file', obj);
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = execFileSync(bpftool as string, ['btf', 'dump', 'file', obj], { encoding: 'utf8' });
    // clang leaves each DATASEC's size and its variables' offsets 0; the loader (as libbpf's
    // open) sets them from the ELF sections. Everything else is bpftool's, line for line.
    const zeroDatasec = (text: string): string[] =>
      text.trimEnd().split('\n').map((l) => l.replace(/^(\[\d+\] DATASEC '[^']*') size=\d+/, '$1 size=0').replace(/^(\ttype_id=\d+) offset=\d+ (size=\d+ \(VAR )/, '$1 offset=0 $2'));
    assert.deepEqual(zeroDatasec(ours.stdout), zeroDatasec(theirs));
    assert.ok(theirs.split('\n').length > 150, 'a dump of the whole table');
    // Where the two differ, ours has the real layout: .rodata holds limit (4 bytes) then the format string.
    assert.match(ours.stdout, /\] DATASEC '\.rodata' size=23 vlen=2\n\ttype_id=\d+ offset=0 size=4 \(VAR 'limit'\)\n\ttype_id=\d+ offset=4 size=19 /);
    assert.match(ours.stdout, /\n\t'seen' type_id=\d+ bits_offset=272 bitfield_size=1\n/);

    const json = JSON.parse(cli('--json', 'btf', 'dump', 'file', obj).stdout);
    const flowKey = json.types.find((t: { name: string }) => t.name === 'flow_key');
    assert.equal(flowKey.kind, 'STRUCT');
    assert.deepEqual(flowKey.members.map((m: { name: string }) => m.name), ['saddr', 'port', 'proto']);
  });

  it('refuses an object without BTF, a file that is not one and a missing file', () => {
    const src = file('nobtf.c', 'int f(void *ctx) { return 0; }\nchar LICENSE[] __attribute__((section("license"))) = "GPL";\n');
    const obj = join(tmp, 'nobtf.o');
    const clang = ['clang-19', 'clang-22'].find((c) => spawnSync(c, ['--version']).status === 0) as string;
    execFileSync(clang, ['-target', 'bpf', '-O2', '-c', src, '-o', obj]); // no -g: no BTF
    const none = cli('btf', 'dump', 'file', obj);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^Error: btf dump: .*nobtf\.o has no BTF \(compile it with clang -g\)\n/);
    const raw = cli('btf', 'dump', 'file', file('raw.bin', Buffer.alloc(8)));
    assert.equal(raw.status, 1);
    assert.match(raw.stderr, /too short for an ELF header/);
    const missing = cli('--json', 'btf', 'dump', 'file', join(tmp, 'missing.o'));
    assert.equal(missing.status, 1);
    assert.equal(JSON.parse(missing.stdout).code, 'ENOENT');
    assert.match(cli('btf', 'dump').stderr, /btf dump: expected 'file OBJ\.o'/);
  });
});

describe('bpfhost feature', { skip: noSample }, () => {
  it('lists the program and map types the core provides, and an extension adds its own', () => {
    const bare = cli('--json', 'feature');
    assert.equal(bare.status, 0, bare.stderr);
    const core = JSON.parse(bare.stdout);
    const names = (list: Array<{ name: string }>) => list.map((t) => t.name);
    assert.ok(names(core.program_types).includes('socket_filter') && names(core.program_types).includes('xdp'));
    for (const m of ['hash', 'array', 'percpu_hash', 'lru_hash', 'lpm_trie', 'array_of_maps', 'queue', 'stack', 'ringbuf', 'prog_array']) {
      assert.ok(names(core.map_types).includes(m), `map type ${m}`);
    }
    assert.ok(!core.program_types.some((t: { type: number }) => t.type >= 4096), 'no extension types without --ext');
    assert.deepEqual(core.extensions, []);

    const ext = JSON.parse(cli('--json', 'feature', 'probe', '--ext', sampleExtension).stdout);
    assert.deepEqual(ext.program_types.filter((t: { type: number }) => t.type >= 4096), [{ type: 4097, name: 'ext(4097)' }]);
    assert.deepEqual(ext.map_types.filter((t: { type: number }) => t.type >= 4096).map((t: { type: number }) => t.type), [4097, 4098, 4099, 4100]);
    assert.equal(ext.extensions[0].path, sampleExtension);

    const plain = cli('feature');
    assert.match(plain.stdout, /^program types: socket_filter \(1\), .*xdp \(6\)\nmap types: hash \(1\), array \(2\), .*\n(?:eBPF helpers supported for program type \w+:\n(?:\t- bpf_\w+\n)+)+extensions: \(none; --ext MODULE loads one\)\n$/);
  });

  it('lists the helpers of each program type by name, as the core loads them; an extension type adds its own', () => {
    const core = JSON.parse(cli('--json', 'feature').stdout);
    const helpers = core.helpers as Record<string, string[]>;
    assert.deepEqual(Object.keys(helpers), core.program_types.map((t: { name: string }) => `${t.name}_available_helpers`), 'one list per type');
    for (const [type, list] of Object.entries(helpers)) {
      assert.ok(list.includes('bpf_map_lookup_elem') && list.includes('bpf_ringbuf_output'), `${type}: the core's map and ring buffer helpers`);
      assert.deepEqual(list, programTypeHelpers(core.program_types.find((t: { name: string }) => `${t.name}_available_helpers` === type).type).map((h) => h.name));
    }
    assert.ok(helpers.socket_filter_available_helpers?.includes('bpf_skb_load_bytes'));
    assert.ok(!helpers.socket_filter_available_helpers?.includes('bpf_xdp_adjust_head'), 'an XDP helper is not a socket filter one');
    assert.ok(helpers.xdp_available_helpers?.includes('bpf_xdp_adjust_head'));
    // Every listed helper of a socket filter is one BPF_PROG_LOAD takes (the verifier off: the helper alone is judged).
    for (const h of programTypeHelpers('socket_filter')) {
      Program.load({ type: 'socket_filter', insns: `mov %r2, 0\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncall ${h.id}\nmov %r0, 0\nexit`, testUnverified: true }).close();
    }

    const ext = JSON.parse(cli('--json', 'feature', '--ext', sampleExtension).stdout);
    const own = (ext.helpers['ext(4097)_available_helpers'] as string[]).filter((n) => !n.startsWith('bpf_'));
    assert.deepEqual(own, ['sample_get_object_value', 'sample_accumulator_read'], "the sample type's own, by their registered names");

    const plain = cli('feature').stdout;
    assert.match(plain, /\neBPF helpers supported for program type socket_filter:\n(?:\t- bpf_\w+\n)*\t- bpf_skb_load_bytes\n/);
    assert.match(plain, /\neBPF helpers supported for program type xdp:\n(?:\t- bpf_\w+\n)*\t- bpf_xdp_adjust_head\n/);
  });
});

/** llvm-objdump of LLVM 19 (the disassembly oracle; tools/install-deps.sh installs it with llvm-19). */
const objdump = ['llvm-objdump-19', 'llvm-objdump-22'].find((c) => spawnSync(c, ['--version']).status === 0);

describe('bpfhost prog dump xlated', { skip: noClang ? noClang : objdump ? false : 'llvm-objdump-19 not installed' }, () => {
  it("prints the loaded instructions: llvm-objdump's bytes, with map references resolved", () => {
    const obj = apiTestObject();
    const r = cli('--json', 'prog', 'dump', 'xlated', 'name', 'count_packets', '--obj', obj);
    assert.equal(r.status, 0, r.stdout);
    const lines = JSON.parse(r.stdout) as Array<{ pc: number; disasm: string; opcodes: string[] }>;
    // llvm-objdump -d: "  pc:\tHEX BYTES\ttext" per instruction of the ELF section, before relocation.
    const elf = new Map<number, string[]>();
    for (const m of execFileSync(objdump as string, ['-d', obj], { encoding: 'utf8' }).matchAll(/^\s*(\d+):\t((?:[0-9a-f]{2} ?)+)\t/gm)) {
      elf.set(Number(m[1]), (m[2] as string).trim().split(' ').map((b) => `0x${b}`));
    }
    assert.equal(lines.length, elf.size, 'one line per instruction (a 16-byte lddw is one)');
    let maps = 0;
    for (const l of lines) {
      const bytes = elf.get(l.pc);
      assert.ok(bytes, `instruction ${l.pc} is in the ELF`);
      if (bytes[0] === '0x18' && /map_fd|map_value/.test(l.disasm)) {
        // The loader put the map's handle (and the global's offset) in the immediates, and
        // BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE in src_reg.
        maps++;
        assert.deepEqual(l.opcodes.slice(0, 1), bytes.slice(0, 1));
        continue;
      }
      assert.deepEqual(l.opcodes, bytes, `instruction ${l.pc}: ${l.disasm}`);
    }
    assert.ok(maps >= 8, `count_packets refers to its maps and globals (${maps} lddw)`);
    assert.ok(lines.some((l) => l.disasm === 'exit'));

    const plain = cli('prog', 'dump', 'xlated', 'name', 'count_packets', '--obj', obj);
    assert.match(plain.stdout, /^ {1,2}0: \S.*\n/);
    assert.match(plain.stdout, /\n\s*\d+: lddw %r1, map_fd \d+\n/);
    assert.match(plain.stdout, /\n\s*\d+: lddw %r\d, map_value \d+\+?\d*.*\n/);
    assert.match(cli('prog', 'dump', 'jited', 'name', 'count_packets', '--obj', obj).stderr, /unknown kind 'jited' \(bpfhost has no JIT: only 'xlated'\)/);
  });

  it("linum: each run of instructions after its C line, as bpftool's '; TEXT [file:F line_num:N line_col:C]'", () => {
    const obj = apiTestObject();
    const src = readFileSync(join(apiRoot, 'test', 'fixtures', 'api_test.bpf.c'), 'utf8').split('\n');
    const plain = cli('prog', 'dump', 'xlated', 'name', 'count_packets', 'linum', '--obj', obj);
    assert.equal(plain.status, 0, plain.stderr);
    const out = plain.stdout.trimEnd().split('\n');
    assert.match(out[0] as string, /^; .+ \[file:\S*api_test\.bpf\.c line_num:\d+ line_col:\d+\]$/, 'the entry starts with its line');
    let sources = 0;
    for (const [i, l] of out.entries()) {
      const m = /^; (.*) \[file:(\S+) line_num:(\d+) line_col:(\d+)\]$/.exec(l);
      if (!m) {
        assert.match(l, /^\s*\d+: \S/, `an instruction: ${l}`);
        continue;
      }
      sources++;
      assert.equal(m[1], (src[Number(m[3]) - 1] as string).trimStart(), `line ${m[3]}: the file's text`);
      assert.match(out[i + 1] as string, /^\s*\d+: \S/, 'an instruction follows each source line');
    }
    assert.ok(sources >= 10, `count_packets spans many C lines (${sources})`);
    assert.ok(out.some((l) => l.startsWith('; bpf_ringbuf_output(&events, &ev, sizeof(ev), 0); [file:')), 'the ring buffer output line is there');
    // The instructions are those of the dump without linum, in the same order.
    const bare = cli('prog', 'dump', 'xlated', 'name', 'count_packets', '--obj', obj).stdout.trimEnd().split('\n');
    assert.deepEqual(out.filter((l) => !l.startsWith('; ')), bare);

    const json = cli('--json', 'prog', 'dump', 'xlated', 'name', 'count_packets', 'linum', '--obj', obj);
    const doc = JSON.parse(json.stdout) as Array<{ pc: number; src?: string; file?: string; line_num?: number; line_col?: number }>;
    const withSrc = doc.filter((d) => d.src !== undefined);
    assert.equal(withSrc.length, sources);
    assert.equal(withSrc[0]?.pc, 0);
    for (const d of withSrc) assert.equal(d.src, (src[(d.line_num as number) - 1] as string).trimStart());

    assert.match(cli('prog', 'dump', 'xlated', 'name', 'count_packets', 'visual', '--obj', obj).stderr, /unexpected 'visual' \(the only option is 'linum'\)/);
  });
});
