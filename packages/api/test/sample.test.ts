// The demo's flow: load the sample extension, open its BPF object, attach programs to its hook
// (attach type 4097), fire events, read the custom maps; then extension lifetime rules.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  BpfError,
  BpfMap,
  BpfObject,
  ClosedError,
  Extension,
  LoadError,
  NotFoundError,
  Program,
  cstring,
  handleCount,
  loadExtension,
  struct,
  triggerHook,
  u32,
  u64,
} from '@bpfhost/api';

import {
  SAMPLE_ATTACH_TYPE,
  SAMPLE_MAP_ACCUMULATOR_ARRAY,
  SAMPLE_MAP_COUNTER_HASH,
  SAMPLE_MAP_OBJECT_HASH,
  SAMPLE_PROGRAM_TYPE,
  noSample,
  sampleExtension,
  sampleObject,
} from './support.js';

/** struct sample_event (sample_progs.h). */
const sampleEvent = struct({ key: u32, flags: u32, value: u64 });

describe('sample extension flow', { skip: noSample }, () => {
  it('load the extension, open the object, attach to hook 4097, fire events, read the custom maps', () => {
    const handles = handleCount();
    {
      using ext = loadExtension(sampleExtension);
      assert.equal(ext.path, sampleExtension);
      using obj = BpfObject.open(sampleObject).load();
      const specs = new Map(obj.maps.map((m) => [m.name, m]));
      assert.equal(specs.get('counters')?.type, SAMPLE_MAP_COUNTER_HASH);
      assert.equal(specs.get('counters')?.typeName, `custom(${SAMPLE_MAP_COUNTER_HASH})`);
      assert.equal(specs.get('objects')?.type, SAMPLE_MAP_OBJECT_HASH);
      assert.equal(specs.get('totals')?.type, SAMPLE_MAP_ACCUMULATOR_ARRAY);
      const count = obj.program('count_event');
      assert.equal(count.type, SAMPLE_PROGRAM_TYPE);
      assert.equal(count.expectedAttachType, SAMPLE_ATTACH_TYPE);
      assert.equal(count.typeName, `ext(${SAMPLE_PROGRAM_TYPE})`);

      using link = count.attach(); // the section's attach type: the sample hook
      assert.equal(link.attachType, SAMPLE_ATTACH_TYPE);
      assert.equal(link.info().attachType, SAMPLE_ATTACH_TYPE);
      for (const key of [1, 2, 1, 1, 3]) {
        const r = triggerHook(SAMPLE_ATTACH_TYPE, sampleEvent.encode({ key, flags: 0, value: 0n }));
        assert.equal(r.programs, 1);
        assert.ok(r.retval >= 1);
      }

      // The counter hash (a custom map type) like any map: typed explicitly or from BTF.
      const counters = obj.map('counters', { key: u32, value: u64 });
      assert.deepEqual(new Map(counters), new Map([[1, 3n], [2, 1n], [3, 1n]]));
      assert.deepEqual(new Map(obj.map('counters')), new Map([[1, 3n], [2, 1n], [3, 1n]]));
      assert.equal(counters.get(1), 3n);
      counters.set(9, 90n);
      assert.deepEqual(counters.getMany([9, 8]), [90n, undefined]);
      assert.equal(counters.delete(9), true);

      // The object hash: values copied into provider objects (char[16] from BTF is a string).
      const objects = obj.map('objects', { key: u32, value: cstring(16) });
      objects.set(1, 'ada').set(2, 'grace');
      assert.equal(objects.get(1), 'ada');
      assert.equal(obj.map('objects').get(2), 'grace');
      assert.deepEqual([...objects.keys()].sort(), [1, 2]);
      assert.equal(objects.getAndDelete(2), 'grace');

      // The accumulator array: updates add up, batches too; deletes are refused (array base).
      const totals = obj.map('totals', { key: u32, value: u64 });
      totals.set(0, 10n).set(0, 20n);
      totals.setMany([[0, 30n], [3, 1n]]);
      assert.equal(totals.get(0), 60n);
      assert.deepEqual(totals.getMany(), [[0, 60n], [1, 0n], [2, 0n], [3, 1n]]);
      assert.throws(() => totals.delete(0), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL');

      // A second program on the same hook; the hook runs both.
      using link2 = obj.program('get_object').attach(SAMPLE_ATTACH_TYPE);
      const r = triggerHook(SAMPLE_ATTACH_TYPE, sampleEvent.encode({ key: 1, flags: 0, value: 0n }));
      assert.equal(r.programs, 2);
      link2.detach();
      assert.equal(link2.closed, true);
      assert.throws(() => link2.detach(), ClosedError);
      assert.equal(triggerHook(SAMPLE_ATTACH_TYPE, sampleEvent.encode({ key: 1, flags: 0, value: 0n })).programs, 1);

      // Test run of a sample program: the event comes back with the value written.
      const run = obj.program('read_total').testRun({ data: sampleEvent.encode({ key: 0, flags: 0, value: 0n }) });
      assert.equal(run.retval, 60);
      assert.ok(run.data);
      assert.equal(sampleEvent.decode(run.data).value, 60n);

      // The extension cannot go while the object's maps hold it.
      assert.throws(() => ext.unload(), (e: unknown) => e instanceof BpfError && e.code === 'EBUSY' && /counters/.test(e.message));
      assert.equal(ext.closed, false);
    }
    // `using` closed link, object and extension in reverse order.
    assert.equal(handleCount(), handles);
    assert.throws(() => triggerHook(SAMPLE_ATTACH_TYPE, Buffer.alloc(16)), NotFoundError);
  });

  it('custom map types through BpfMap.create; forced unload orphans them', () => {
    const ext = loadExtension(sampleExtension);
    assert.ok(ext instanceof Extension);
    const names = BpfMap.create({ type: SAMPLE_MAP_OBJECT_HASH, key: u32, value: cstring(16), maxEntries: 8, name: 'names' });
    names.set(1, 'ken');
    assert.equal(names.get(1), 'ken');
    assert.throws(() => ext.unload(), (e: unknown) => e instanceof BpfError && e.code === 'EBUSY' && /names/.test(e.message));
    ext.unload({ force: true });
    assert.equal(ext.closed, true);
    assert.throws(() => names.get(1), (e: unknown) => e instanceof BpfError && e.code === 'ENODEV');
    assert.throws(() => ext.unload(), (e: unknown) => e instanceof ClosedError && e.message.endsWith('the extension is closed'));
    names.close();
    ext.close();
  });

  it('custom map types need their extension', () => {
    assert.throws(
      () => BpfMap.create({ type: SAMPLE_MAP_COUNTER_HASH, key: u32, value: u64, maxEntries: 4, name: 'c' }),
      (e: unknown) => e instanceof BpfError && e.code === 'EOPNOTSUPP' && e.map === 'c',
    );
    assert.throws(
      () => BpfObject.open(sampleObject).load(),
      (e: unknown) =>
        e instanceof LoadError &&
        e.object === 'sample_maps' &&
        e.message.startsWith("object 'sample_maps': load: program 'count_event' (section 'sample/count'): no program type for this section name"),
    );
  });

  it('loading what is not an extension', () => {
    assert.throws(() => loadExtension('/nonexistent/x.so'), (e: unknown) => e instanceof NotFoundError && e.object === '/nonexistent/x.so');
    assert.throws(() => loadExtension(sampleObject), (e: unknown) => e instanceof BpfError && e.code === 'ENOEXEC');
    // A real shared object that does not export the entry point (libm is on every glibc system).
    const libm = '/lib/x86_64-linux-gnu/libm.so.6';
    if (existsSync(libm))
      assert.throws(
        () => loadExtension(libm),
        (e: unknown) =>
          e instanceof BpfError && e.code === 'ENOEXEC' && e.object === libm && /does not export bpfhost_extension_entry/.test(e.message),
      );
  });
});

describe('instruction budget of a link (attach({ insnBudget }))', { skip: noSample }, () => {
  it('each run on the hook is bounded by its link\'s budget; a run past it fails the trigger with ELOOP', () => {
    using ext = loadExtension(sampleExtension);
    const event = sampleEvent.encode({ key: 1, flags: 0, value: 0n });
    using spin = Program.load({ type: SAMPLE_PROGRAM_TYPE, name: 'spin', insns: 'ja -1\nexit', testUnverified: true });
    {
      using link = spin.attach({ attachType: SAMPLE_ATTACH_TYPE, insnBudget: 100 });
      assert.equal(link.attachType, SAMPLE_ATTACH_TYPE);
      assert.throws(
        () => triggerHook(SAMPLE_ATTACH_TYPE, event),
        (e: unknown) => e instanceof BpfError && e.code === 'ELOOP' && e.errno === 40 && /program 'spin': insn 0: instruction budget of 100 exhausted/.test(e.message),
      );
    }
    {
      // Without a budget the link has the core's default: the hook returns too.
      using link = spin.attach(SAMPLE_ATTACH_TYPE);
      assert.throws(() => triggerHook(SAMPLE_ATTACH_TYPE, event), /program 'spin': insn 0: instruction budget of 16777216 exhausted/);
      assert.ok(link.info().id > 0);
    }
    // Exactly enough (2 instructions) runs; one less does not: the budget reaches the link as given.
    using nine = Program.load({ type: SAMPLE_PROGRAM_TYPE, name: 'nine', insns: 'mov %r0, 9\nexit' });
    {
      using link = nine.attach({ attachType: SAMPLE_ATTACH_TYPE, insnBudget: 2 });
      assert.deepEqual(triggerHook(SAMPLE_ATTACH_TYPE, event), { programs: 1, retval: 9 });
    }
    {
      using link = nine.attach({ attachType: SAMPLE_ATTACH_TYPE, insnBudget: 1 });
      assert.throws(() => triggerHook(SAMPLE_ATTACH_TYPE, event), /program 'nine': insn 1: instruction budget of 1 exhausted/);
    }
    assert.equal(ext.closed, false);
  });
});
