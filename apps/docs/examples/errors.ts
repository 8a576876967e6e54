// Errors: every failure is a BpfError with a code, and subclasses for the
// common ones. Run from a directory holding packets.bpf.o.
import {
  ArgumentError,
  BpfError,
  BpfMap,
  BpfObject,
  ClosedError,
  CodecError,
  ExistsError,
  NotFoundError,
  Program,
  VerifierError,
  u16,
  u32,
  u64,
} from '@bpfhost/api';

const obj = BpfObject.open('packets.bpf.o').load();
const recent = obj.map('recent', { value: u32 });

// #region catch
try {
  obj.map('flows');
} catch (e) {
  if (e instanceof NotFoundError) console.log(`${e.code}: ${e.message}`);
}

using counts = BpfMap.create({
  type: 'hash',
  key: u32,
  value: u64,
  maxEntries: 4,
  name: 'counts',
});
counts.set(1, 1n);
try {
  counts.set(1, 2n, { flags: 'noexist' }); // create only
} catch (e) {
  if (e instanceof ExistsError) {
    console.log(`${e.name}: map ${e.map}, op ${e.op}, errno ${e.errno}`);
  }
}
// #endregion catch

// #region codec
try {
  recent.push(-1);
} catch (e) {
  if (e instanceof CodecError) {
    console.log(`expected ${e.expected}, got ${e.got}`);
  }
}
try {
  obj.map('recent', { value: u16 });
} catch (e) {
  if (e instanceof CodecError) console.log(e.message);
}
// #endregion codec

// #region argument
try {
  BpfMap.create({ type: 'hash', key: u32, value: u64, maxEntries: 1.5 });
} catch (e) {
  if (e instanceof ArgumentError) console.log(`${e.name}: ${e.message}`);
}
using seven = Program.load({
  type: 'socket_filter',
  insns: 'mov %r0, 7\nexit',
});
try {
  seven.testRun({ data: Buffer.alloc(64), repeat: -1 });
} catch (e) {
  if (e instanceof ArgumentError) {
    const range = e.expected.slice('an integer in '.length);
    console.log(e.parameter, range, e.got);
  }
}
// #endregion argument

// #region verifier
try {
  Program.load({ type: 'socket_filter', name: 'bad', insns: 'exit' });
} catch (e) {
  if (e instanceof VerifierError) {
    console.log(e.message);
    for (const line of e.log) console.log(`  log: ${line}`);
  }
}
// #endregion verifier

// #region code
obj.close();
try {
  recent.pop();
} catch (e) {
  if (e instanceof ClosedError) console.log(`${e.name}: ${e.message}`);
}
try {
  BpfObject.open('missing.bpf.o');
} catch (e) {
  if (!(e instanceof BpfError)) throw e;
  switch (e.code) {
    case 'ENOENT':
      console.log(`no such file: ${e.object}`);
      break;
    default:
      throw e;
  }
}
// #endregion code
