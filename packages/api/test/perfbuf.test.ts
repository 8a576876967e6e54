// PerfBuffer on a clang-compiled program that calls bpf_perf_event_output: samples with their slot,
// decoded or raw, async iteration, lost samples of a full slot, closing, refusals.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { BpfError, BpfObject, ClosedError, PerfBuffer, numPossibleCpus, struct, u32 } from '@bpfhost/api';
import { bpfFixture, frame, noClang } from './support.js';

const sample = struct({ seq: u32, len: u32 });

describe('PerfBuffer', { skip: noClang }, () => {
  let obj: BpfObject;
  beforeEach(() => {
    obj = BpfObject.open(bpfFixture('perf_events')).load();
  });
  afterEach(() => obj.close());

  it('consume: the samples there now, decoded, with the slot they went to', () => {
    using pb = obj.perfBuffer('events', sample);
    const report = obj.program('report');
    for (const len of [60, 70, 80]) assert.equal(report.testRun({ data: frame(len) }).retval, 0);
    const got = pb.consume();
    assert.deepEqual(got.map((s) => s.data), [
      { seq: 1, len: 46 },
      { seq: 2, len: 56 },
      { seq: 3, len: 66 },
    ]);
    const cpus = Math.min(numPossibleCpus(), 128);
    assert.ok(got.every((s) => Number.isInteger(s.cpu) && s.cpu >= 0 && s.cpu < cpus), 'a slot per CPU');
    assert.deepEqual(pb.consume(), []);
    assert.equal(pb.lost, 0n);
    assert.equal(obj.map('events').maxEntries, numPossibleCpus(), 'no max_entries: a slot per possible CPU, as libbpf');
  });

  it('async iteration yields samples as programs write them', async () => {
    using pb = obj.perfBuffer('events', sample, { pollIntervalMs: 20 });
    const report = obj.program('report');
    setTimeout(() => {
      report.testRun({ data: frame(100) });
      report.testRun({ data: frame(101) });
    }, 20);
    const seen: number[] = [];
    for await (const s of pb) {
      seen.push(s.data.len);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [86, 87]);
    assert.deepEqual(await pb.poll(1), [], 'a timeout gives no samples');
  });

  it('a full slot drops samples and reports how many before the next one that fits', () => {
    const reports: Array<[number, bigint]> = [];
    using pb = obj.perfBuffer('events', undefined, { pageCount: 1, onLost: (cpu, n) => reports.push([cpu, n]) });
    const big = obj.program('big');
    const written = Array.from({ length: 10 }, () => big.testRun({ data: frame(60) }).retval).filter((r) => r === 0).length;
    const kept = pb.consume();
    assert.ok(kept.length > 0 && kept.length < 10, `some samples fit one page, not ten (${kept.length})`);
    assert.equal(kept.length, written, 'the helper failed for the others');
    assert.ok(kept.every((s) => s.data.length === 1024));
    assert.deepEqual(kept.map((s) => s.data[0]), kept.map((_, i) => i + 1), 'the first ones, in order');
    assert.equal(pb.lost, 0n, 'not reported before a sample fits again');
    assert.equal(obj.program('report').testRun({ data: frame(60) }).retval, 0);
    const next = pb.consume();
    assert.deepEqual(next.map((s) => s.data.length), [8]);
    assert.equal(pb.lost, BigInt(10 - kept.length), 'every sample is kept or counted lost');
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0], [next[0]!.cpu, pb.lost]);
  });

  it('closing ends a waiting iteration; closed buffers and wrong maps are refused', async () => {
    const pb = obj.perfBuffer('events', sample, { pollIntervalMs: 5000 });
    const start = Date.now();
    setTimeout(() => pb.close(), 30);
    const seen: unknown[] = [];
    for await (const s of pb) seen.push(s);
    assert.deepEqual(seen, []);
    assert.ok(Date.now() - start < 2000, 'the waiting poll settles soon after close()');
    assert.throws(() => pb.consume(), ClosedError);
    await assert.rejects(pb.poll(1), ClosedError);
    assert.throws(() => obj.perfBuffer('events', sample, { pageCount: 3 }), (e: unknown) => e instanceof BpfError && e.code === 'EINVAL' && /power of two, got 3/.test(e.message));
    assert.throws(() => obj.perfBuffer('perf_eve.bss'), /a array map is not a perf event array/);
    const raw = new PerfBuffer(obj.map('events'));
    obj.program('report').testRun({ data: frame(60) });
    assert.deepEqual(raw.consume().map((s) => s.data.length), [8], 'raw samples are Buffers');
    raw.close();
  });
});
