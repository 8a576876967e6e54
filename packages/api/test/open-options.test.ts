// BpfObject.open options: kconfig values for __kconfig externs (text or an object) and
// btfCustomPath, the BTF CO-RE relocations are resolved against.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { BpfError, BpfObject } from '@bpfhost/api';

import { bpfFixture, frame, noClang } from './support.js';

describe('BpfObject.open options', { skip: noClang }, () => {
  const run = (obj: BpfObject, prog: string) => obj.program(prog).testRun({ data: frame(60) }).retval;
  /** Opened with `opts`, loaded without core_offset (its relocation needs btfCustomPath). */
  const kconfigOnly = (source: string | Buffer, opts: Parameters<typeof BpfObject.open>[1]) => {
    const obj = BpfObject.open(source, opts);
    obj.configureProgram('core_offset', { autoload: false });
    return obj.load();
  };

  it('kconfig as text and as an object give the externs their values (a weak one absent: 0)', () => {
    using a = kconfigOnly(bpfFixture('open_opts'), {
      kconfig: 'LINUX_KERNEL_VERSION=0x60100\nCONFIG_HZ=250\nCONFIG_BPFHOST_TEST_FLAG=y',
    });
    assert.equal(run(a, 'kconfig_sum'), 6 * 100000 + 2500 + 1);
    using b = kconfigOnly(readFileSync(bpfFixture('open_opts')), {
      name: 'mem',
      kconfig: { LINUX_KERNEL_VERSION: 0x50a00, CONFIG_HZ: 1000n, CONFIG_BPFHOST_TEST_FLAG: false },
    });
    assert.equal(run(b, 'kconfig_sum'), 5 * 100000 + 10000);
  });

  it('an extern no value is given for is refused, naming it', () => {
    assert.throws(
      () => kconfigOnly(bpfFixture('open_opts'), { kconfig: { CONFIG_BPFHOST_TEST_FLAG: true } }),
      (e: unknown) => e instanceof BpfError && /CONFIG_HZ/.test(e.message),
    );
    assert.throws(() => BpfObject.open(bpfFixture('open_opts'), { kconfig: { 'not an id': 1 } }), /'not an id' is not a C identifier/);
    assert.throws(() => BpfObject.open(bpfFixture('open_opts'), { kconfig: { CONFIG_HZ: 1.5 } }), /CONFIG_HZ must be an integer, got 1.5/);
  });

  it('btfCustomPath: CO-RE offsets come from the BTF given', () => {
    const kconfig = { LINUX_KERNEL_VERSION: 0x60100, CONFIG_HZ: 100, CONFIG_BPFHOST_TEST_FLAG: true };
    using obj = BpfObject.open(bpfFixture('open_opts'), { kconfig, btfCustomPath: bpfFixture('open_opts_btf') }).load();
    assert.equal(run(obj, 'core_offset'), 8, 'b follows an 8-byte long in the target');
    assert.throws(
      () => BpfObject.open(bpfFixture('open_opts'), { kconfig }).load(),
      (e: unknown) => e instanceof BpfError && /CO-RE relocation byte_off .* could not be resolved/.test(e.message),
      'without it, bpfhost\'s own BTF has no struct open_opts_target',
    );
    assert.throws(
      () => BpfObject.open(bpfFixture('open_opts'), { kconfig, btfCustomPath: '/nonexistent/vmlinux' }).load(),
      (e: unknown) => e instanceof BpfError && /\/nonexistent\/vmlinux/.test(e.message),
    );
  });
});
