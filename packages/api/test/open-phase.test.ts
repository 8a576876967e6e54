// The open phase: variables typed from BTF and map/program settings between open() and load(); after load,
// .rodata is frozen, .data/.bss variables read and write the live maps, and settings throw EBUSY.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BpfError, BpfObject, CodecError, NotFoundError } from '@bpfhost/api';

import { apiTestObject, frame, noClang } from './support.js';

describe('BpfObject open phase (api_test.bpf.o)', { skip: noClang }, () => {
  it('variables and settings before load reach the programs and maps', () => {
    using obj = BpfObject.open(apiTestObject());
    assert.deepEqual(
      obj.variableSpecs.map((v) => [v.name, v.map, v.size, v.typeName, v.readonly]),
      [
        ['packets_seen', 'api_test.bss', 8, '__u64', false],
        ['multiplier', 'api_test.data', 4, '__u32', false],
        ['limit', 'api_test.rodata', 4, 'const volatile __u32', true],
        // bpf_printk's format string: a static variable of .rodata.
        ['count_packets.____fmt', 'api_test.rodata', 19, 'const char[19]', true],
      ],
    );
    assert.deepEqual(Object.keys(obj.variables), ['packets_seen', 'multiplier', 'limit', 'count_packets.____fmt']);
    assert.equal(obj.variables['count_packets.____fmt'], 'api_test packet %u');
    assert.equal(obj.variables.limit, 7);
    assert.equal(obj.getVariable('packets_seen'), 0n);
    obj.variables.limit = 100;
    obj.setVariable('multiplier', 2);
    assert.equal(obj.variables.limit, 100, 'reads back before load');
    assert.throws(() => obj.setVariable('limit', -1), CodecError);
    assert.throws(() => obj.setVariable('nope', 1), (e: unknown) => e instanceof NotFoundError && /no global variable 'nope'/.test(e.message));

    obj.configureMap('counts', { maxEntries: 8 }).configureMap('flows', { flags: 1 });
    assert.throws(() => obj.configureMap('nope', { maxEntries: 1 }), NotFoundError);
    assert.throws(
      () => obj.configureMap('counts', { innerMap: 1 }),
      (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /an inner map is for array or hash of maps/.test(e.message),
    );
    obj.configureProgram('count_packets', { autoload: false });
    assert.equal(obj.programs[0]?.autoload, false);
    obj.configureProgram('count_packets', { autoload: true, type: 1 });
    const counts = obj.maps.find((m) => m.name === 'counts');
    assert.equal(counts?.maxEntries, 8);
    assert.equal(obj.maps.find((m) => m.name === 'flows')?.flags, 1);

    obj.load();
    assert.equal(obj.map('counts').maxEntries, 8, 'created with the new size');
    const run = (): number => obj.program('count_packets').testRun({ data: frame(64) }).retval;
    assert.equal(run(), 50 * 2 + 100, 'len * multiplier + limit with the values set before load');
    assert.equal(obj.variables.limit, 100, 'read from the live .rodata');
    assert.equal(obj.variables.packets_seen, 1n, 'the program counted in .bss');
    obj.variables.multiplier = 4;
    assert.equal(run(), 50 * 4 + 100, '.data written into the live map');
    assert.throws(
      () => {
        obj.variables.limit = 1;
      },
      (e: unknown) => e instanceof BpfError && e.code === 'EPERM' && /frozen at load/.test(e.message),
    );
    assert.throws(
      () => obj.configureMap('counts', { maxEntries: 2 }),
      (e: unknown) => e instanceof BpfError && e.code === 'EBUSY' && /set_max_entries only before load/.test(e.message),
    );
    assert.throws(() => obj.configureProgram('count_packets', { autoload: false }), (e: unknown) => e instanceof BpfError && e.code === 'EBUSY');
  });

  it('a global data map initial value and pin path setting', () => {
    using obj = BpfObject.open(apiTestObject());
    const init = Buffer.alloc(4);
    init.writeUInt32LE(9);
    obj.configureMap('api_test.data', { initialValue: init });
    assert.equal(obj.variables.multiplier, 9);
    obj.configureMap('counts', { pinPath: null });
    assert.equal(obj.maps.find((m) => m.name === 'counts')?.pinPath, undefined);
    assert.throws(
      () => obj.configureMap('api_test.data', { initialValue: Buffer.alloc(3) }),
      (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /exactly 4 bytes/.test(e.message),
    );
  });
});
