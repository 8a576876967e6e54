// Objects: a clang-compiled object opened from a file and from memory, its
// maps, programs and BTF before and after load, close and use after close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { b, MAP, PROG_SOCKET_FILTER, compileBpf, frame, u32, throwsErrno } from './helpers.mjs';

test('open, inspect, load, run, close', (t) => {
  const path = compileBpf('probe', t);
  if (!path) return;
  const start = b.handleCount();
  const obj = b.NativeObject.openFile(path);
  assert.equal(obj.name, 'probe');
  const before = obj.maps();
  assert.deepEqual(before.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.internal, m.fd]), [
    ['pairs', MAP.HASH, 4, 16, 16, false, -1],
    ['events', MAP.RINGBUF, 0, 0, 4096, false, -1],
    ['probe.bss', MAP.ARRAY, 4, 8, 1, true, -1],
    ['probe.rodata', MAP.ARRAY, 4, 4, 1, true, -1],
    ['probe.data', MAP.ARRAY, 4, 4, 1, true, -1],
  ]);
  assert.ok(before[0].btfKeyTypeId > 0 && before[0].btfValueTypeId > 0);
  const [prog] = obj.programs();
  assert.deepEqual({ ...prog, insnCnt: 0 }, { name: 'probe', sectionName: 'socket', type: PROG_SOCKET_FILTER, expectedAttachType: 0, fd: -1, insnCnt: 0, autoload: true });
  assert.ok(prog.insnCnt > 10);
  assert.equal(b.handleCount(), start, 'opening creates nothing in the core');

  obj.load();
  const maps = Object.fromEntries(obj.maps().map((m) => [m.name, m]));
  for (const m of Object.values(maps)) assert.ok(m.fd > 0, `${m.name} has a handle`);
  const pfd = obj.programs()[0].fd;
  assert.ok(pfd > 0);
  assert.equal(b.handleCount(), start + 6);

  const r = b.progTestRun(pfd, { data: frame(64) });
  assert.equal(r.retval, 42, 'answer from .rodata');
  const pair = b.mapLookupElem(maps.pairs.fd, u32(50), 16);
  assert.equal(pair.readUInt32LE(0), 42);
  assert.equal(pair.readBigUInt64LE(8), 1n, 'hits after one run');
  assert.equal(b.mapLookupElem(maps['probe.bss'].fd, u32(0), 8).readBigUInt64LE(), 1n);
  assert.equal(b.mapLookupElem(maps['probe.data'].fd, u32(0), 4).readInt32LE(), -3, 'last_color = BLUE');
  assert.equal(b.mapGetInfo(maps['probe.rodata'].fd).mapFlags & 0x80, 0x80, '.rodata is read-only for programs');
  const rb = new b.RingBufferConsumer(maps.events.fd);
  assert.deepEqual(rb.consume(), [u32(50)]);
  rb.close();
  assert.equal(b.progGetInfo(pfd).mapIds.length, 5, "pairs, events, .bss, .rodata, .data");

  throwsErrno(() => obj.load(), 'EINVAL', 22);
  obj.close();
  obj.close();
  assert.equal(b.handleCount(), start, 'close releases every handle');
  throwsErrno(() => obj.maps(), 'EBADF', 9, /NativeObject.maps: object 'probe' is closed/);
  throwsErrno(() => obj.programs(), 'EBADF', 9);
  throwsErrno(() => obj.btfTypes(), 'EBADF', 9);
  throwsErrno(() => obj.load(), 'EBADF', 9);
  assert.equal(obj.name, 'probe');
});

test('programSourceLines: the C lines of the loaded instructions, from .BTF.ext', (t) => {
  const path = compileBpf('probe', t);
  if (!path) return;
  const obj = b.NativeObject.openFile(path);
  t.after(() => obj.close());
  obj.load();
  const lines = obj.programSourceLines('probe');
  const src = readFileSync(new URL('./fixtures/probe.bpf.c', import.meta.url), 'utf8').split('\n');
  assert.ok(lines.length >= 4, `one entry per source position, got ${lines.length}`);
  assert.equal(lines[0].insn, 0, 'the first record is at the entry');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (i > 0) assert.ok(l.insn > lines[i - 1].insn, 'in instruction order, one entry per run');
    assert.ok(l.insn < obj.programs()[0].insnCnt);
    assert.match(l.file, /probe\.bpf\.c$/);
    // The text is the file's line as compiled (clang keeps it verbatim).
    assert.equal(l.text, src[l.line - 1], `line ${l.line}`);
    assert.ok(l.col >= 0 && l.col < 1024);
  }
  const texts = lines.map((l) => l.text.trim());
  for (const want of ['__u32 key = skb->len;', 'bpf_ringbuf_output(&events, &key, sizeof(key), 0);', 'return answer;']) {
    assert.ok(texts.includes(want), `names '${want}': ${JSON.stringify(texts)}`);
  }
  throwsErrno(() => obj.programSourceLines('nope'), 'ENOENT', 2);
});

test('BTF types: structs, enums, datasecs', (t) => {
  const path = compileBpf('probe', t);
  if (!path) return;
  const obj = b.NativeObject.openMem(readFileSync(path), 'mem');
  assert.equal(obj.name, 'mem');
  const types = obj.btfTypes();
  assert.ok(Array.isArray(types));
  types.forEach((ty, i) => assert.equal(ty.id, i, 'index = id'));
  assert.equal(types[0].kind, 'void');
  const pair = types.find((ty) => ty.kind === 'struct' && ty.name === 'pair');
  assert.equal(pair.size, 16);
  assert.deepEqual(pair.members.map((m) => [m.name, m.bitOffset]), [['a', 0], ['b', 64]]);
  const a = types[pair.members[0].type];
  assert.equal(a.kind, 'typedef');
  let base = a;
  while (base.kind === 'typedef') base = types[base.type];
  assert.deepEqual(base.intEncoding, { signed: false, char: false, bool: false, bits: 32, offset: 0 });
  const color = types.find((ty) => ty.kind === 'enum' && ty.name === 'color');
  assert.deepEqual(color.values, [{ name: 'RED', value: 1n }, { name: 'GREEN', value: 2n }, { name: 'BLUE', value: -3n }]);
  const bss = types.find((ty) => ty.kind === 'datasec' && ty.name === '.bss');
  assert.equal(bss.vars.length, 1);
  assert.equal(types[bss.vars[0].type].name, 'hits');
  assert.equal(types[bss.vars[0].type].kind, 'var');
  const pairsMap = obj.maps().find((m) => m.name === 'pairs');
  assert.equal(types[pairsMap.btfValueTypeId].name, 'pair');
  assert.ok(types.some((ty) => ty.kind === 'func' && ty.name === 'probe'));
  obj.close();
});

test('bad objects: not ELF, missing file, refused program', (t) => {
  throwsErrno(() => b.NativeObject.openMem(Buffer.from('not an elf object at all, just text......................................')), 'EINVAL', 22, /not an ELF file/);
  throwsErrno(() => b.NativeObject.openMem(Buffer.alloc(0)), 'EINVAL', 22);
  throwsErrno(() => b.NativeObject.openFile('/nonexistent/x.bpf.o'), 'ENOENT', 2);
  const path = compileBpf('probe', t);
  if (!path) return;
  // Cut the object short: a malformed ELF, not a crash.
  const dir = mkdtempSync(join(tmpdir(), 'bpfhost-cut-'));
  const cut = join(dir, 'cut.bpf.o');
  writeFileSync(cut, readFileSync(path).subarray(0, 200));
  assert.throws(() => b.NativeObject.openFile(cut), (e) => e.code === 'EINVAL' && e.errno === 22);
  rmSync(dir, { recursive: true, force: true });
});
