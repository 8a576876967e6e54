// Hooks: load an extension, attach a program to its hook, fire the hook,
// detach, unload. Run from a directory holding sample_ext.so and
// sample_maps.bpf.o.
import {
  BpfError,
  BpfObject,
  loadExtension,
  struct,
  triggerHook,
  u32,
  u64,
} from '@bpfhost/api';

// #region attach
const ext = loadExtension('./sample_ext.so');
const obj = BpfObject.open('sample_maps.bpf.o').load();

// struct sample_event: what the sample hook hands each program.
const event = struct({ key: u32, flags: u32, value: u64 });

// The hook its ELF section implies: attach type 4097.
const link = obj.program('count_event').attach();
console.log(`attached ${link.program} to attach type ${link.attachType}`);
for (const key of [1, 2, 1]) {
  const data = event.encode({ key, flags: 0, value: 0n });
  const { programs, retval } = triggerHook(link.attachType, data);
  console.log(`key ${key}: ${programs} program ran, returned ${retval}`);
}
// #endregion attach

// #region detach
link.detach();
const data = event.encode({ key: 1, flags: 0, value: 0n });
console.log('after detach:', triggerHook(4097, data));
// #endregion detach

// #region unload
try {
  ext.unload(); // the object's maps are of the extension's types
} catch (e) {
  if (!(e instanceof BpfError)) throw e;
  console.log(`unload refused: ${e.code}`);
}
obj.close();
ext.unload();
console.log('unloaded:', ext.closed);
// #endregion unload
