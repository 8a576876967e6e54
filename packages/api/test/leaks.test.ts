// No native handle leaks: 10,000 objects and maps opened and closed, and failed loads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { BpfMap, BpfObject, LoadError, handleCount, u32, u64 } from '@bpfhost/api';

import { apiTestObject, noClang, noSample, sampleObject } from './support.js';

describe('handles', () => {
  it('10,000 maps created, used and closed', () => {
    const start = handleCount();
    for (let i = 0; i < 10_000; i++) {
      using m = BpfMap.create({ type: i % 2 ? 'hash' : 'array', key: u32, value: u64, maxEntries: 4 });
      m.set(1, BigInt(i));
    }
    assert.equal(handleCount(), start);
  });

  it('10,000 objects opened, loaded and closed', { skip: noClang }, () => {
    const image = readFileSync(apiTestObject());
    const start = handleCount();
    for (let i = 0; i < 10_000; i++) {
      using obj = BpfObject.open(image, { name: 'leak' });
      if (i % 10 === 0) {
        obj.load();
        obj.map('counts', { key: u32, value: u64 }).set(0, 1n);
      }
    }
    assert.equal(handleCount(), start);
  });

  it('a failed load closes the object', { skip: noSample }, () => {
    const start = handleCount();
    for (let i = 0; i < 100; i++) {
      const obj = BpfObject.open(sampleObject);
      assert.throws(() => obj.load(), LoadError);
      assert.equal(obj.closed, true);
    }
    assert.equal(handleCount(), start);
  });
});
