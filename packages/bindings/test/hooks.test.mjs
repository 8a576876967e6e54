// Extensions and hooks: packages/sample-ext's module, its object with custom
// maps, a program linked to its hook and fired from JS.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { b, needSampleExt, sampleExt, u32, u64, throwsErrno } from './helpers.mjs';

const SAMPLE_ATTACH = 4097;
const SAMPLE_PROG_TYPE = 4097;
const COUNTER_HASH = 4099;

/** struct sample_event { u32 key; u32 flags; u64 value; } */
const event = (key) => Buffer.concat([u32(key), u32(0), u64(0)]);

test('load the sample extension, link a program to its hook, fire it', (t) => {
  if (!needSampleExt(t)) return;
  const start = b.handleCount();
  const mod = b.extensionLoad(sampleExt.module);
  assert.ok(mod > 0);
  assert.deepEqual(b.progTypeBySection('sample/count'), { progType: SAMPLE_PROG_TYPE, expectedAttachType: SAMPLE_ATTACH });

  const obj = b.NativeObject.openFile(sampleExt.object);
  obj.load();
  const counters = obj.maps().find((m) => m.name === 'counters');
  assert.equal(counters.type, COUNTER_HASH);
  const prog = obj.programs().find((p) => p.sectionName === 'sample/count');
  assert.equal(prog.type, SAMPLE_PROG_TYPE);

  const link = b.linkCreate(prog.fd, SAMPLE_ATTACH);
  const info = b.linkGetInfo(link);
  assert.equal(info.attachType, SAMPLE_ATTACH);
  assert.equal(info.progId, b.progGetInfo(prog.fd).id);
  assert.equal(b.linkGetNextId(0), info.id);
  const link2 = b.linkGetFdById(info.id);
  b.close(link2);

  assert.deepEqual(b.hookTrigger(SAMPLE_ATTACH, event(5)), { progCnt: 1, retval: 1 });
  assert.deepEqual(b.hookTrigger(SAMPLE_ATTACH, event(5)), { progCnt: 1, retval: 2 });
  assert.deepEqual(b.mapLookupElem(counters.fd, u32(5), 8), u64(2), 'the custom map counted both events');
  b.mapUpdateElem(counters.fd, u32(6), u64(10));
  assert.deepEqual(b.hookTrigger(SAMPLE_ATTACH, event(6)).retval, 11);

  b.linkDetach(link);
  assert.deepEqual(b.hookTrigger(SAMPLE_ATTACH, event(5)), { progCnt: 0, retval: 0 });
  b.close(link);

  // Maps of its types hold the module: a plain unload is refused.
  throwsErrno(() => b.extensionUnload(mod), 'EBUSY', 16, /counters/);
  obj.close();
  b.extensionUnload(mod);
  throwsErrno(() => b.extensionUnload(mod), 'EBADF', 9);
  throwsErrno(() => b.hookTrigger(SAMPLE_ATTACH, event(5)), 'ENOENT', 2);
  assert.equal(b.handleCount(), start);
});

test('forced unload orphans live maps', (t) => {
  if (!needSampleExt(t)) return;
  const mod = b.extensionLoad(sampleExt.module);
  const fd = b.mapCreate(COUNTER_HASH, 'orphan', 4, 8, 4);
  b.mapUpdateElem(fd, u32(1), u64(1));
  b.extensionUnload(mod, true);
  throwsErrno(() => b.mapLookupElem(fd, u32(1), 8), 'ENODEV', 19);
  b.close(fd);
  throwsErrno(() => b.mapCreate(COUNTER_HASH, 'gone', 4, 8, 4), 'EOPNOTSUPP', 95);
});
