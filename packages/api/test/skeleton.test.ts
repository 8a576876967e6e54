// Typed skeletons: generateSkeleton and `bpfhost gen skeleton` on api_test.bpf.o, the checked-in skeleton
// (test/fixtures/api_test.skel.ts) driving the object, hand-written codecs checked against the map's BTF,
// and btf.codec('struct name').
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { BpfError, BpfObject, CodecError, ProgramType, generateSkeleton, struct, u16, u32, u64, u8, type ProgramOfType } from '@bpfhost/api';

import { ApiTestSkeleton, codecs, proto, type flow_stats } from './fixtures/api_test.skel.js';
import { apiRoot, apiTestObject, bpfFixture, frame, noClang, noSample, sampleObject } from './support.js';

const checkedIn = join(apiRoot, 'test', 'fixtures', 'api_test.skel.ts');
const bin = join(apiRoot, 'bin', 'bpfhost.js');
const tmp = mkdtempSync(join(tmpdir(), 'bpfhost-skel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('typed skeletons (api_test.bpf.o)', { skip: noClang }, () => {
  it('generateSkeleton is what is checked in (and deterministic)', () => {
    const text = generateSkeleton(apiTestObject(), { types: ['struct event'] });
    assert.equal(text, readFileSync(checkedIn, 'utf8'), 'regenerate test/fixtures/api_test.skel.ts with bpfhost gen skeleton');
    assert.equal(generateSkeleton(readFileSync(apiTestObject()), { types: ['struct event'], sourceName: 'api_test.bpf.o' }), text, 'from bytes too');
    assert.match(text, /export interface flow_key \{[^}]*saddr: number;[^}]*port: number;[^}]*proto: number;/s, 'C member names');
    assert.match(text, /export type proto = "PROTO_TCP" \| "PROTO_UDP" \| "PROTO_OTHER" \| number;/);
    assert.match(text, /flows: BpfMap<flow_key, flow_stats>;/);
    assert.match(text, /pcpu: BpfMap<number, bigint\[\]>;/);
    assert.match(text, /lengths: BpfMap<undefined, number>;/);
    assert.match(text, /count_packets: ProgramOfType<'socket_filter'>;/, 'programs typed by program type');
    assert.match(text, /count_packets: o\.program\("count_packets"\)\.ofType\(1\),/, 'and checked when read');
    assert.throws(() => generateSkeleton(apiTestObject(), { types: ['struct nope'] }), (e: unknown) => e instanceof CodecError && /a type named 'struct nope'/.test(e.message));
  });

  it('the skeleton drives the object: open phase, typed maps, programs and codecs', () => {
    using skel = ApiTestSkeleton.open(apiTestObject());
    assert.equal(skel.rodata.limit, 7);
    skel.rodata.limit = 9;
    skel.data.multiplier = 2;
    skel.configureMap('counts', { maxEntries: 8 });
    skel.load();
    assert.equal(skel.programs.count_packets.testRun({ data: frame(64) }).retval, 50 * 2 + 9);
    // The program's type is its program type's literal: a socket filter is not an XDP program.
    const filter: ProgramOfType<'socket_filter'> = skel.programs.count_packets;
    const literal: 1 = filter.type;
    assert.equal(literal, ProgramType.socket_filter);
    // @ts-expect-error a socket filter is not a ProgramOfType<'xdp'>
    const notXdp: ProgramOfType<'xdp'> = skel.programs.count_packets;
    assert.equal(notXdp.typeName, 'socket_filter');
    assert.throws(
      () => skel.object.program('count_packets').ofType(ProgramType.xdp),
      (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /program 'count_packets' is of type socket_filter, not xdp; regenerate the skeleton/.test(e.message),
    );
    assert.equal(skel.bss.packets_seen, 1n);
    assert.equal(skel.maps.counts.maxEntries, 8);
    assert.equal(skel.maps.counts.get(0), 1n);
    const stats: flow_stats | undefined = skel.maps.flows.get({ saddr: 0x0a000001, port: 80, proto: proto.PROTO_TCP });
    assert.equal(stats?.packets, 1n);
    assert.equal(stats?.last, 'PROTO_UDP');
    assert.equal(stats?.tag, 'new');
    assert.deepEqual([stats?.seen, stats?.level, stats?.delta], [1, 5, -3], 'bitfields');
    assert.equal(skel.maps.lengths.pop(), 50);
    assert.equal(skel.maps.pcpu.get(0)?.reduce((a, b) => a + b, 0n), 1n);
    using rb = skel.object.ringBuffer('events', codecs.event);
    assert.deepEqual(rb.consume().map((e) => [e.seq, e.len, e.cookie]), [[1, 50, 0xfeedn]]);
    assert.throws(() => {
      skel.rodata.limit = 1;
    }, (e: unknown) => e instanceof BpfError && e.code === 'EPERM');
  });

  it('bpfhost gen skeleton: print, write, --check', () => {
    const obj = apiTestObject();
    const printed = cli('gen', 'skeleton', obj, '--type', 'struct event');
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stdout, readFileSync(checkedIn, 'utf8'));
    const file = join(tmp, 'skel.ts');
    assert.equal(cli('gen', 'skeleton', obj, '-o', file).status, 0);
    const ok = cli('gen', 'skeleton', obj, '-o', file, '--check');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /skel\.ts matches/);
    const stale = cli('gen', 'skeleton', obj, '-o', file, '--check', '--type', 'struct event');
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /skel\.ts does not match .*first difference at line \d+.*regenerate it with: bpfhost gen skeleton .* --type 'struct event'/);
    writeFileSync(file, readFileSync(file, 'utf8').replace('saddr: number', 'saddr: string'));
    assert.equal(cli('gen', 'skeleton', obj, '-o', file, '--check').status, 1, 'a hand edit is stale too');
    const missing = cli('gen', 'skeleton', obj, '-o', join(tmp, 'none.ts'), '--check');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read the checked-in skeleton/);
    const usage = cli('gen', 'skeleton', obj, '--check');
    assert.equal(usage.status, 1);
    assert.match(usage.stderr, /--check: give the checked-in skeleton with -o FILE\.ts/);
    assert.equal(cli('gen', 'nothing').status, 1);
  });

  it("hand-written struct codecs are checked against the map's BTF", () => {
    using obj = BpfObject.open(apiTestObject()).load();
    // The right layout passes (as before).
    obj.map('flows', { key: struct({ saddr: u32, port: u16, proto: u8 }), value: codecs.flow_stats });
    // Two members swapped: the same size, every offset wrong.
    assert.throws(
      () => obj.map('flows', { key: struct({ port: u16, proto: u8, saddr: u32 }), value: codecs.flow_stats }),
      (e: unknown) => {
        assert.ok(e instanceof CodecError);
        assert.equal(e.role, 'key');
        assert.equal(e.map, 'flows');
        assert.deepEqual(e.mismatches, [
          '.saddr is at offset 4 in the codec, 0 in the BTF',
          '.port is at offset 0 in the codec, 4 in the BTF',
          '.proto is at offset 2 in the codec, 6 in the BTF',
        ]);
        assert.match(e.message, /key: expected the layout of struct flow_key in the map's BTF/);
        return true;
      },
    );
    // A missing and a misnamed member, and a wrong size.
    assert.throws(
      () => obj.map('flows', { key: struct({ saddr: u32, dport: u16, proto: u8 }), value: codecs.flow_stats }),
      (e: unknown) =>
        e instanceof CodecError &&
        e.mismatches.join('\n') === ['.port (offset 4, 2 bytes) is missing from the codec', '.dport is not a member of struct flow_key'].join('\n'),
    );
    assert.throws(
      () => obj.map('pcpu_events', { key: u32, value: struct({ seq: u32, len: u32, cookie: u64 }) }),
      (e: unknown) => e instanceof CodecError && /perCpu/.test(e.message),
      'per-CPU rules still apply first',
    );
  });

  it("btf.codec('struct name') and by bare name", () => {
    using obj = BpfObject.open(apiTestObject());
    const btf = obj.btf;
    assert.ok(btf);
    assert.equal(btf.codec('struct flow_key').size, 8);
    assert.equal(btf.codec('flow_key'), btf.codec('struct flow_key'));
    assert.equal(btf.codec('enum proto').decode(Buffer.from([17, 0, 0, 0])), 'PROTO_UDP');
    assert.equal(btf.codec('__u64').size, 8);
    assert.throws(() => btf.codec('union flow_key'), CodecError);
  });
});

describe("the demo's skeleton (demo/sample_maps.skel.ts)", { skip: noSample }, () => {
  it('matches the sample object (what nx run api:skeleton-check runs)', () => {
    const r = cli('gen', 'skeleton', sampleObject, '-o', join(apiRoot, 'demo', 'sample_maps.skel.ts'), '--check');
    assert.equal(r.status, 0, `${r.stderr}regenerate it: node bin/bpfhost.js gen skeleton ${sampleObject} -o demo/sample_maps.skel.ts`);
  });
});

describe('skeleton names and resized data sections (skel_names.bpf.o)', { skip: noClang }, () => {
  it('renames C types that would clash, keeps member names', () => {
    const text = generateSkeleton(bpfFixture('skel_names'));
    assert.match(text, /export interface struct_string \{\n[^}]*\n {2}a: number;/);
    assert.match(text, /export type enum_codecs = "CODECS_ONE" \| number;/);
    assert.match(text, /export interface struct_SkelNamesMaps \{/);
    assert.match(text, /export interface point_t \{\n[^}]*x: number;[^}]*__anon1: Buffer;/s, 'a typedef names its anonymous struct; an anonymous union is raw bytes');
    assert.match(text, /export interface value \{[^}]*s: struct_string;[^}]*c: enum_codecs;[^}]*m: struct_SkelNamesMaps;[^}]*p: point_t;/s);
    assert.match(text, /things: BpfMap<number, value>;/);
    assert.match(text, /export interface SkelNamesDataSlots \{\n[^}]*slots: number\[\];/);
    assert.match(text, /get data_slots\(\): SkelNamesDataSlots/);
  });

  it('a .data.* array resized before load: the variable and its map follow', () => {
    using obj = BpfObject.open(bpfFixture('skel_names'));
    assert.deepEqual(obj.variables.slots, [5, 6]);
    obj.configureMap('.data.slots', { valueSize: 16 });
    assert.deepEqual(obj.variables.slots, [5, 6, 0, 0], 'the BTF array grew with the map');
    obj.variables.slots = [1, 2, 3, 4];
    obj.load();
    assert.equal(obj.maps.find((m) => m.name === '.data.slots')?.valueSize, 16);
    assert.equal(obj.program('use').testRun({ data: frame(64) }).retval, 2);
    assert.deepEqual(obj.variables.slots, [1, 2, 3, 4], 'read back from the live map');
  });
});
