// Error classes: hierarchy, codes, messages with context.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BpfError, ClosedError, CodecError, ExistsError, LoadError, NotFoundError, VerifierError, struct, u16 } from '@bpfhost/api';

describe('errors', () => {
  it('subclasses carry code, errno and context', () => {
    const nf = new NotFoundError('no such key', { map: 'counts', op: 'delete' });
    assert.ok(nf instanceof BpfError && nf instanceof Error);
    assert.equal(nf.code, 'ENOENT');
    assert.equal(nf.errno, 2);
    assert.equal(nf.map, 'counts');
    assert.equal(nf.op, 'delete');
    assert.equal(nf.reason, 'no such key');
    assert.equal(nf.message, "map 'counts': delete: no such key");
    assert.equal(nf.name, 'NotFoundError');

    const ex = new ExistsError('key exists', { object: 'x.o', map: 'm', op: 'set' });
    assert.equal(ex.code, 'EEXIST');
    assert.equal(ex.errno, 17);
    assert.equal(ex.message, "object 'x.o', map 'm': set: key exists");

    const cl = new ClosedError('map', { map: 'm', op: 'get' });
    assert.equal(cl.code, 'EBADF');
    assert.equal(cl.kind, 'map');
    assert.equal(cl.message, "map 'm': get: the map is closed");
  });

  it('LoadError and VerifierError carry the log', () => {
    const v = new VerifierError('EACCES', 13, 'invalid access', ['0: r0 = *(u64 *)(r1 + 0)', 'invalid access'], { program: 'p', op: 'load' });
    assert.ok(v instanceof LoadError && v instanceof BpfError);
    assert.deepEqual(v.log, ['0: r0 = *(u64 *)(r1 + 0)', 'invalid access']);
    assert.equal(v.program, 'p');
    assert.equal(v.name, 'VerifierError');
  });

  it('CodecError says where, what was expected and what came; context can be added', () => {
    const c = struct({ a: u16 });
    let err: unknown;
    try {
      c.encode({ a: -1 });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof CodecError);
    assert.equal(err.message, 'a: expected an integer in 0..65535 (codec u16), got -1');
    const ctx = err.withContext({ map: 'm', op: 'set', role: 'value' });
    assert.equal(ctx.message, "map 'm': set: value.a: expected an integer in 0..65535 (codec u16), got -1");
    assert.equal(ctx.role, 'value');
    assert.equal(ctx.path, '.a');
    assert.equal(ctx.code, 'EINVAL');
  });
});
