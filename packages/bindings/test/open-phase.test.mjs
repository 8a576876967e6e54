// The open phase through the binding: variables read and written by name,
// map and program settings before load reach the core, and every setter
// fails with EBUSY (the library's message) after load.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { b, MAP, compileBpf, frame, u32, throwsErrno } from './helpers.mjs';

test('variables and settings before load, EBUSY after', (t) => {
  const path = compileBpf('probe', t);
  if (!path) return;
  const start = b.handleCount();
  const obj = b.NativeObject.openFile(path);
  const answer = obj.variable('answer');
  assert.equal(answer.map, 'probe.rodata');
  assert.deepEqual(answer.bytes, u32(42));
  const types = obj.btfTypes();
  assert.equal(types[answer.btfTypeId].kind, 'const', 'const volatile __u32');
  assert.equal(obj.variable('no_such'), null, 'an unknown name is null');
  throwsErrno(() => obj.setVariable('answer', Buffer.alloc(2)), 'EINVAL', 22, /variable 'answer' is 4 bytes, not 2/);
  throwsErrno(() => obj.setVariable('no_such', u32(1)), 'ENOENT', 2, /no global variable 'no_such'/);
  obj.setVariable('answer', u32(7));
  assert.deepEqual(obj.variable('answer').bytes, u32(7));
  assert.deepEqual(obj.mapInitialValue('probe.rodata'), u32(7), 'the same bytes as the map initial value');
  assert.equal(obj.mapInitialValue('pairs'), null, 'no initial value for a BTF map');

  obj.setMapMaxEntries('pairs', 4);
  obj.setMapFlags('pairs', 1); // BPF_F_NO_PREALLOC
  obj.setMapPinPath('pairs', null);
  throwsErrno(() => obj.setMapMaxEntries('nope', 1), 'ENOENT', 2);
  throwsErrno(() => obj.setMapMaxEntries('pairs', -1), 'EINVAL', 22, /maxEntries must be an integer/);
  throwsErrno(() => obj.setMapInnerMapFd('pairs', 1), 'EINVAL', 22, /an inner map is for array or hash of maps/);
  obj.setProgramAutoload('probe', false);
  assert.equal(obj.programs()[0].autoload, false);
  obj.setProgramAutoload('probe', true);
  obj.setProgramType('probe', 1);
  obj.setProgramExpectedAttachType('probe', 0);
  const pairs = obj.maps().find((m) => m.name === 'pairs');
  assert.equal(pairs.maxEntries, 4);
  assert.equal(pairs.mapFlags, 1);
  assert.equal(pairs.pinPath, undefined, 'not pinned');

  obj.load();
  const maps = Object.fromEntries(obj.maps().map((m) => [m.name, m]));
  const info = b.mapGetInfo(maps.pairs.fd);
  assert.equal(info.maxEntries, 4, 'created with max_entries 4');
  assert.equal(info.mapFlags, 1, 'and BPF_F_NO_PREALLOC');
  assert.equal(b.progTestRun(obj.programs()[0].fd, { data: frame(64) }).retval, 7, 'the program reads answer = 7');
  assert.deepEqual(b.mapLookupElem(maps['probe.rodata'].fd, u32(0), 4), u32(7));

  throwsErrno(() => obj.setVariable('answer', u32(1)), 'EBUSY', 16, /variable 'answer': only before load/);
  throwsErrno(() => obj.setMapMaxEntries('pairs', 8), 'EBUSY', 16, /map 'pairs': set_max_entries only before load/);
  throwsErrno(() => obj.setMapValueSize('pairs', 8), 'EBUSY', 16);
  throwsErrno(() => obj.setMapFlags('pairs', 0), 'EBUSY', 16);
  throwsErrno(() => obj.setMapPinPath('pairs', '/x'), 'EBUSY', 16);
  throwsErrno(() => obj.setMapInitialValue('probe.rodata', u32(1)), 'EBUSY', 16);
  throwsErrno(() => obj.setProgramType('probe', 1), 'EBUSY', 16, /program 'probe': set_type only before load/);
  throwsErrno(() => obj.setProgramExpectedAttachType('probe', 0), 'EBUSY', 16);
  throwsErrno(() => obj.setProgramAutoload('probe', false), 'EBUSY', 16);
  obj.close();
  throwsErrno(() => obj.variable('answer'), 'EBADF', 9, /NativeObject.variable: object 'probe' is closed/);
  assert.equal(b.handleCount(), start);
});

test('an inner map given by handle', (t) => {
  const path = compileBpf('probe', t);
  if (!path) return;
  const obj = b.NativeObject.openFile(path);
  const inner = b.mapCreate(MAP.ARRAY, 'inner', 4, 4, 1);
  // probe has no map-in-map: the library refuses, naming the map.
  throwsErrno(() => obj.setMapInnerMapFd('pairs', inner), 'EINVAL', 22, /map 'pairs'/);
  obj.close();
  b.close(inner);
});
