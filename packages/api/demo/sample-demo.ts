// The bpfhost demo in TypeScript (`npm start`), written against @bpfhost/api: loads the sample
// extension, opens its BPF object with custom hash and array maps, fills two maps from user
// space, attaches two programs to the sample hook (attach type 4097), fires the hook with event
// data, runs a third program, and prints the custom maps as tables.
//
// Usage: node dist-scripts/demo/sample-demo.js [path/to/sample_ext.so [path/to/sample_maps.bpf.o]]
// (defaults: packages/sample-ext/build, where `nx run sample-ext:build` puts them).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { BpfError, cstring, loadExtension, struct, triggerHook, u32, u64 } from '@bpfhost/api';

// Generated from the object's BTF by `bpfhost gen skeleton` (nx run api:skeleton-check keeps it current).
import { SampleMapsSkeleton } from './sample_maps.skel.js';
import { table } from './table.js';

/** The sample extension's hook (SAMPLE_EXT_ATTACH_TYPE in sample_ext.h). */
export const SAMPLE_HOOK = 4097;

/** struct sample_event (sample_progs.h): what the hook hands each program as data. */
const sampleEvent = struct({ key: u32, flags: u32, value: u64 });
/** The object hash's values: char[16] (SAMPLE_PROGS_OBJECT_SIZE). */
const name16 = cstring(16);

/** Where `nx run sample-ext:build` puts the module and the BPF objects. */
const sampleBuild = fileURLToPath(new URL('../../../sample-ext/build/', import.meta.url));

export interface DemoOptions {
  extension?: string;
  object?: string;
  /** Where the demo writes its lines (default: console.log). */
  print?: (line: string) => void;
}

/** What the demo did, for its test. */
export interface DemoResult {
  events: Array<{ key: number; programs: number; retval: number }>;
  counters: Array<[number, bigint]>;
  objects: Array<[number, string]>;
  totals: Array<[number, bigint]>;
  /** read_total's view of totals[0], through the extension's helper. */
  total0: bigint;
  /** The code of the refused unload while the object was loaded ('EBUSY'). */
  busyUnload: string | undefined;
}

const byKey = <T>(a: [number, T], b: [number, T]): number => a[0] - b[0];

export function runDemo(opts: DemoOptions = {}): DemoResult {
  const print = opts.print ?? ((line: string) => console.log(line));
  const extPath = opts.extension ?? `${sampleBuild}sample_ext.so`;
  const objPath = opts.object ?? `${sampleBuild}bpf/sample_maps.bpf.o`;

  print('bpfhost sample extension demo (TypeScript, @bpfhost/api)');
  print('');

  // 1. The extension adds the custom map types, the 'sample' program type and its hook.
  const ext = loadExtension(extPath);
  print(`loaded ${extPath} (module ${ext.handle})`);

  let busyUnload: string | undefined;
  const result: DemoResult = { events: [], counters: [], objects: [], totals: [], total0: 0n, busyUnload };
  try {
    // 2. The object: clang-compiled programs and BTF-defined maps of the extension's types.
    using skel = SampleMapsSkeleton.open(objPath).load();
    const obj = skel.object;
    print(`opened and loaded ${obj.name}: ${obj.maps.length} maps, ${obj.programs.length} programs`);
    for (const l of table(
      ['map', 'type', 'key -> value', 'max_entries'],
      obj.maps.map((m) => [m.name, m.typeName, `${m.keyType ?? '?'} -> ${m.valueType ?? '?'}`, m.maxEntries]),
    )) print(l);
    print('');

    // The custom maps, typed by the skeleton: counters and totals are BpfMap<number, bigint>
    // (counter hash 4099, accumulator array 4098), objects BpfMap<number, string> (object hash 4097).
    const { counters, objects, totals } = skel.maps;

    // 3. User space fills the object hash and adds to the accumulator (an update adds up).
    objects.setMany([[1, 'ada'], [2, 'grace'], [3, 'linus']]);
    print('objects: set 1 = "ada", 2 = "grace", 3 = "linus"');
    for (const add of [10n, 20n, 30n]) totals.set(0, add);
    totals.set(2, 5n);
    print('totals: add 10, 20, 30 to index 0 and 5 to index 2');
    print('');

    // 4. Attach two programs to the hook: get_object reads the object hash through the
    //    extension's helper (its result is the event's), count_event counts keys in place.
    using getObject = skel.programs.get_object.attach(SAMPLE_HOOK);
    using countEvent = skel.programs.count_event.attach(SAMPLE_HOOK);
    print(`attached ${getObject.program} and ${countEvent.program} to the sample hook (attach type ${SAMPLE_HOOK})`);

    // 5. Fire the hook: one event per key; room after the event for the object get_object copies.
    for (const key of [1, 2, 1, 1, 3, 7]) {
      const data = Buffer.concat([sampleEvent.encode({ key, flags: 0, value: 0n }), Buffer.alloc(name16.size)]);
      const r = triggerHook(SAMPLE_HOOK, data);
      const retval = r.retval | 0; // the hook's 32-bit result: a size, or a negative errno
      result.events.push({ key, programs: r.programs, retval });
      const what = retval === -2 ? `-ENOENT, no object ${key}` : `get_object read a ${retval}-byte object`;
      print(`  event for key ${key}: ${r.programs} programs ran, result ${retval} (${what})`);
    }
    print('');

    // 6. A test run of read_total: the extension's helper reads the accumulator's sum.
    const run = skel.programs.read_total.testRun({ data: sampleEvent.encode({ key: 0, flags: 0, value: 0n }) });
    result.total0 = sampleEvent.decode(run.data ?? Buffer.alloc(sampleEvent.size)).value;
    print(`test run of read_total for index 0: sum ${result.total0} (through sample_accumulator_read)`);

    // 7. The extension cannot go while its maps are alive.
    try {
      ext.unload();
    } catch (e) {
      if (!(e instanceof BpfError)) throw e;
      result.busyUnload = e.code;
      print(`unload while the object is loaded: ${e.code}`);
    }
    print('');

    // 8. The custom maps as tables.
    result.counters = [...counters].sort(byKey);
    result.objects = [...objects].sort(byKey);
    result.totals = [...totals].sort(byKey);
    print('counters (counter hash: what count_event counted)');
    for (const l of table(['key', 'count'], result.counters)) print(l);
    print('');
    print('objects (object hash: the provider keeps each value in an object of its own)');
    for (const l of table(['key', 'name'], result.objects)) print(l);
    print('');
    print('totals (accumulator array: updates add up)');
    for (const l of table(['index', 'sum'], result.totals)) print(l);
    print('');
    // Leaving the block detaches the links and closes the object (`using`).
  } finally {
    if (!ext.closed) ext.unload();
  }
  print(`unloaded the extension; done`);
  return result;
}

// Run as a program: `node sample-demo.js [EXT.so [OBJ.o]]`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [extension, object] = process.argv.slice(2);
  for (const p of [extension ?? `${sampleBuild}sample_ext.so`, object ?? `${sampleBuild}bpf/sample_maps.bpf.o`]) {
    if (!existsSync(p)) {
      // The BPF objects are built only where clang-19 and libbpf-dev are (sample-ext's CMakeLists.txt).
      const why = p.endsWith('.bpf.o') ? 'the sample\'s BPF objects need clang-19 and libbpf-dev: `bash tools/install-deps.sh --for start`, then ' : '';
      console.error(`error: ${p} not found (${why}build the sample extension: npx nx run sample-ext:build)`);
      process.exit(1);
    }
  }
  try {
    runDemo({ ...(extension ? { extension } : {}), ...(object ? { object } : {}) });
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
