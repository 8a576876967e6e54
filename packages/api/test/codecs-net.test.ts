// Network byte order codecs (big-endian integers, ipv4, ipv6, mac) and defineCodec, exported for hand-written codecs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CodecError, defineCodec, i16be, i32be, i64be, ipv4, ipv6, mac, struct, u16be, u32be, u64be, u8 } from '@bpfhost/api';

describe('network byte order codecs', () => {
  it('big-endian integers put the most significant byte first', () => {
    assert.deepEqual(u16be.encode(0x0102), Buffer.from([1, 2]));
    assert.deepEqual(u32be.encode(0x01020304), Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(u64be.encode(0x0102030405060708n), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.equal(u32be.decode(Buffer.from([0xc0, 0xa8, 0, 1])), 0xc0a80001);
    assert.equal(i16be.decode(Buffer.from([0xff, 0xfe])), -2);
    assert.equal(i32be.decode(i32be.encode(-5)), -5);
    assert.equal(i64be.decode(i64be.encode(-(1n << 62n))), -(1n << 62n));
    assert.throws(() => u16be.encode(0x10000), CodecError);
    assert.throws(() => u64be.encode(-1n), CodecError);
    assert.equal(u32be.size, 4);
    assert.equal(u32be.align, 4);
  });

  it('ipv4: dotted text <-> 4 bytes in network order', () => {
    assert.deepEqual(ipv4.encode('10.0.0.1'), Buffer.from([10, 0, 0, 1]));
    assert.equal(ipv4.decode(Buffer.from([192, 168, 1, 254])), '192.168.1.254');
    for (const bad of ['10.0.0', '10.0.0.256', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', 42]) {
      assert.throws(() => ipv4.encode(bad as string), CodecError, String(bad));
    }
  });

  it('ipv6: text (with ::, embedded IPv4) <-> 16 bytes, decoded as RFC 5952', () => {
    const one = ipv6.encode('2001:db8::1');
    assert.deepEqual(one, Buffer.from('20010db8000000000000000000000001', 'hex'));
    assert.equal(ipv6.decode(one), '2001:db8::1');
    assert.equal(ipv6.decode(ipv6.encode('2001:0DB8:0:0:1:0:0:1')), '2001:db8::1:0:0:1', 'the first of two equal zero runs');
    assert.equal(ipv6.decode(ipv6.encode('::')), '::');
    assert.equal(ipv6.decode(ipv6.encode('::1')), '::1');
    assert.equal(ipv6.decode(ipv6.encode('fe80::')), 'fe80::');
    assert.equal(ipv6.decode(ipv6.encode('1:2:3:4:5:6:7:8')), '1:2:3:4:5:6:7:8');
    assert.equal(ipv6.decode(ipv6.encode('1:0:3:4:5:6:7:8')), '1:0:3:4:5:6:7:8', 'one zero group stays');
    assert.deepEqual(ipv6.encode('::ffff:10.0.0.1').subarray(10), Buffer.from([0xff, 0xff, 10, 0, 0, 1]));
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':::', '1:2:3:4:5:6:7', 'g::1', '::1.2.3.256']) {
      assert.throws(() => ipv6.encode(bad), CodecError, bad);
    }
  });

  it('mac: colon or dash text <-> 6 bytes, decoded lower case with colons', () => {
    assert.deepEqual(mac.encode('02:00:5E:10:00:01'), Buffer.from([2, 0, 0x5e, 0x10, 0, 1]));
    assert.equal(mac.decode(mac.encode('02-00-5e-10-00-01')), '02:00:5e:10:00:01');
    for (const bad of ['02:00:5e:10:00', '02:00-5e:10:00:01', 'zz:00:5e:10:00:01']) assert.throws(() => mac.encode(bad), CodecError, bad);
  });

  it('in a struct: a network header with defineCodec for a custom field', () => {
    const flags = defineCodec<string[]>({
      name: 'tcp_flags',
      size: 1,
      align: 1,
      write(v, buf, off) {
        buf.writeUInt8((v.includes('syn') ? 2 : 0) | (v.includes('ack') ? 16 : 0), off);
      },
      read: (buf, off) => [...(buf[off]! & 2 ? ['syn'] : []), ...(buf[off]! & 16 ? ['ack'] : [])],
    });
    const key = struct({ saddr: ipv4, daddr: ipv4, sport: u16be, dport: u16be, proto: u8, flags });
    const v = { saddr: '10.0.0.1', daddr: '10.0.0.2', sport: 1234, dport: 80, proto: 6, flags: ['syn', 'ack'] };
    const b = key.encode(v);
    assert.equal(b.length, 16);
    assert.deepEqual(b.subarray(8, 12), Buffer.from([0x04, 0xd2, 0x00, 0x50]));
    assert.deepEqual(key.decode(b), v);
  });
});
