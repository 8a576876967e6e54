// Custom map types from TypeScript: the sample extension's maps, used like
// any other. Run from a directory holding sample_ext.so and sample_maps.bpf.o.
import {
  BpfMap,
  BpfObject,
  cstring,
  loadExtension,
  u32,
  u64,
} from '@bpfhost/api';

// #region custom
// The extension adds the map types 4097, 4098 and 4099.
using ext = loadExtension('./sample_ext.so');
using obj = BpfObject.open('sample_maps.bpf.o').load();
for (const m of obj.maps) console.log(`${m.name}: ${m.typeName}`);

// The accumulator array (4098): an update adds to the element's sum.
const totals = obj.map('totals', { key: u32, value: u64 });
for (const add of [10n, 20n, 30n]) totals.set(0, add);
console.log('totals[0]:', totals.get(0));

// The object hash (4097), outside any object: the extension keeps a copy
// of each value in an object it allocates.
using names = BpfMap.create({
  type: 4097,
  key: u32,
  value: cstring(16),
  maxEntries: 8,
  name: 'names',
});
names.set(1, 'ada');
console.log(`${names.typeName}: names[1] = ${names.get(1)}`);
// #endregion custom
