// The binding's surface: every export of the issue 4 contract is there, and
// the generated index.d.ts matches its snapshot, so an API change shows up
// as a diff (refresh with BPFHOST_UPDATE_SNAPSHOTS=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { b, here } from './helpers.mjs';

const FUNCTIONS = [
  'mapCreate', 'mapLookupElem', 'mapUpdateElem', 'mapDeleteElem', 'mapGetNextKey',
  'mapLookupAndDeleteElem', 'mapFreeze', 'mapLookupBatch', 'mapUpdateBatch', 'mapDeleteBatch',
  'mapGetInfo', 'numPossibleCpus', 'progLoad', 'progTestRun', 'progGetInfo', 'linkCreate',
  'linkDetach', 'linkGetInfo', 'hookTrigger', 'progTypeBySection', 'traceRead', 'objPin', 'objGet',
  'objUnpin', 'progGetNextId', 'mapGetNextId', 'linkGetNextId', 'progGetFdById', 'mapGetFdById',
  'linkGetFdById', 'close', 'handleCount', 'extensionLoad', 'extensionUnload', 'asm', 'disasm',
  // Beyond the contract: a lookup into the caller's Buffer, for hot paths.
  'mapLookupElemInto',
  // For bpfhost prog dump xlated.
  'progGetXlated',
];

test('every contract function and class is exported', () => {
  for (const name of FUNCTIONS) assert.equal(typeof b[name], 'function', name);
  assert.equal(typeof b.NativeObject.openFile, 'function');
  assert.equal(typeof b.NativeObject.openMem, 'function');
  for (const m of ['load', 'close', 'maps', 'programs', 'btfTypes']) assert.equal(typeof b.NativeObject.prototype[m], 'function', m);
  for (const m of ['consume', 'poll', 'close']) assert.equal(typeof b.RingBufferConsumer.prototype[m], 'function', m);
  for (const m of ['consume', 'poll', 'close']) assert.equal(typeof b.PerfBufferConsumer.prototype[m], 'function', m);
});

test('index.d.ts matches its snapshot', () => {
  const dts = readFileSync(join(here, '..', 'index.d.ts'), 'utf8');
  const snap = join(here, 'snapshots', 'index.d.ts.snap');
  if (process.env.BPFHOST_UPDATE_SNAPSHOTS === '1') writeFileSync(snap, dts);
  assert.equal(dts, readFileSync(snap, 'utf8'), 'the generated typings changed: review, then refresh the snapshot');
});
