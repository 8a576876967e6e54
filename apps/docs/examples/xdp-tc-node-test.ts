// Unit tests of the guide's XDP parser and TC rewriter with node:test: each
// test loads net.bpf.o afresh, test-runs a program on Ethernet frames it
// builds, and checks the verdict, the frame the program left (data out), the
// context out and the maps. Run from a directory holding net.bpf.o:
// `node --test` (or `node xdp-tc-node-test.js`).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { BpfObject, struct, u32, u64 } from '@bpfhost/api';

// #region frames
// Linux's verdicts (linux/bpf.h, linux/pkt_cls.h).
const XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2;
const XDP_REDIRECT = 4;
const TC_ACT_OK = 0, TC_ACT_SHOT = 2;

/** The ones' complement sum of `bytes` (16-bit big-endian words), folded. */
function sum16(bytes: Buffer, initial = 0): number {
  let s = initial;
  for (let i = 0; i < bytes.length; i += 2) {
    s += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  }
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The UDP checksum of an IPv4 frame's datagram: 0 when it is intact. */
function udpCheck(frame: Buffer, l3 = 14): number {
  const ip = frame.subarray(l3, l3 + 20), udp = frame.subarray(l3 + 20);
  const pseudo = Buffer.concat([
    ip.subarray(12, 20), Buffer.from([0, 17]), udp.subarray(4, 6),
  ]);
  return ~sum16(udp, sum16(pseudo)) & 0xffff;
}

/**
 * An Ethernet / IPv4 / UDP frame with valid checksums and 16 bytes of
 * payload; `vlan` inserts an 802.1Q tag after the MAC addresses.
 */
function udpFrame(
  opts: { dport: number; ttl?: number; vlan?: number; saddr?: number },
): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + 16);
  // MACs, IPv4, version 4, IHL 5
  Buffer.from('02000000000102000000000208004500', 'hex').copy(f);
  f.writeUInt16BE(f.length - 14, 16); // total length
  f[22] = opts.ttl ?? 64;
  f[23] = 17; // UDP
  const saddr = [10, 0, 0, opts.saddr ?? 1], daddr = [10, 0, 0, 2];
  Buffer.from([...saddr, ...daddr]).copy(f, 26);
  f.writeUInt16BE(~sum16(f.subarray(14, 34)) & 0xffff, 24);
  f.writeUInt16BE(40000, 34);
  f.writeUInt16BE(opts.dport, 36);
  f.writeUInt16BE(24, 38);
  f.fill('payload!', 42);
  f.writeUInt16BE(udpCheck(f), 40);
  if (opts.vlan === undefined) return f;
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(0x8100, 0);
  tag.writeUInt16BE(opts.vlan, 2);
  return Buffer.concat([f.subarray(0, 12), tag, f.subarray(12)]);
}
// #endregion frames

// #region xdp
// struct xdp_md: data and data_end are offsets in a test run's ctx in.
const xdpMd = struct({
  data: u32, data_end: u32, data_meta: u32,
  ingress_ifindex: u32, rx_queue_index: u32, egress_ifindex: u32,
});

describe('xdp_filter', () => {
  let obj: BpfObject;
  beforeEach(() => {
    obj = BpfObject.open('net.bpf.o').load();
  });
  afterEach(() => obj.close());
  const xdp = (frame: Buffer) =>
    obj.program('xdp_filter').testRun({ data: frame });

  it('drops UDP to the blocked port and passes the rest', () => {
    assert.equal(xdp(udpFrame({ dport: 9 })).retval, XDP_DROP);
    assert.equal(xdp(udpFrame({ dport: 53 })).retval, XDP_PASS);
    const arp = udpFrame({ dport: 9 });
    arp.writeUInt16BE(0x0806, 12);
    assert.equal(xdp(arp).retval, XDP_PASS, 'not IPv4');
    const short = udpFrame({ dport: 9 }).subarray(0, 30);
    assert.equal(xdp(short).retval, XDP_ABORTED, 'a truncated IPv4 header');
  });

  it('strips an 802.1Q tag: data out is the untagged frame', () => {
    const r = xdp(udpFrame({ dport: 53, vlan: 7 }));
    assert.equal(r.retval, XDP_PASS);
    assert.deepEqual(r.data, udpFrame({ dport: 53 }));
  });
  // #endregion xdp

  // #region xdp-maps
  it('counts IPv4 packets per protocol and per queue (ctx in)', () => {
    const frame = udpFrame({ dport: 53 });
    const ctx = xdpMd.encode({
      data: 0, data_end: frame.length, data_meta: 0,
      ingress_ifindex: 1, rx_queue_index: 2, egress_ifindex: 0,
    });
    const r = obj.program('xdp_filter').testRun({ data: frame, ctx });
    assert.equal(xdpMd.decode(r.ctx!).rx_queue_index, 2);
    xdp(udpFrame({ dport: 9, vlan: 1 }));
    const protocols = obj.map('protocols', { key: u32, value: u64 });
    assert.deepEqual([...protocols.entries()], [[17, 2n]]);
    const queues = obj.map('queues', { key: u32, value: u64 });
    assert.deepEqual([...queues.values()], [1n, 0n, 1n, 0n],
      'queue 0 without a ctx in');
  });
  // #endregion xdp-maps

  // #region config
  it('blocks the port set before load', () => {
    obj.close();
    obj = BpfObject.open('net.bpf.o');
    obj.variables.blocked_port = 53;
    obj.load();
    assert.equal(xdp(udpFrame({ dport: 53 })).retval, XDP_DROP);
    assert.equal(xdp(udpFrame({ dport: 9 })).retval, XDP_PASS);
  });
});
// #endregion config

// #region redirect
describe('xdp_balance', () => {
  it('redirects by source address to the slot\'s device', () => {
    using obj = BpfObject.open('net.bpf.o').load();
    const backends = obj.map('backends', { key: u32, value: u32 });
    backends.set(1, 11);
    backends.set(2, 12);
    const balance = (saddr: number) => obj.program('xdp_balance')
      .testRun({ data: udpFrame({ dport: 53, saddr }) });
    const r = balance(6);
    assert.equal(r.retval, XDP_REDIRECT);
    assert.deepEqual(r.redirect, {
      kind: 'map', mapId: backends.id, key: 2, ifindex: 12, flags: XDP_PASS,
    });
    const empty = balance(3);
    assert.equal(empty.retval, XDP_PASS, 'slot 3 is empty');
    assert.equal(empty.redirect, undefined);
  });
});
// #endregion redirect

// #region tc
// The start of struct __sk_buff (192 bytes): a ctx in may set mark and
// priority (not len, pkt_type, ...), and the ctx out gives them back. As in
// Linux, the ctx out needs room for the whole struct (else ENOSPC).
const skb = struct({
  len: u32, pkt_type: u32, mark: u32, queue_mapping: u32,
  protocol: u32, vlan_present: u32, vlan_tci: u32, vlan_proto: u32,
  priority: u32,
});
const noSkb = {
  len: 0, pkt_type: 0, mark: 0, queue_mapping: 0, protocol: 0,
  vlan_present: 0, vlan_tci: 0, vlan_proto: 0, priority: 0,
};

describe('tc_rewrite', () => {
  let obj: BpfObject;
  beforeEach(() => {
    obj = BpfObject.open('net.bpf.o').load();
  });
  afterEach(() => obj.close());
  const tc = (frame: Buffer, ctx = noSkb) => {
    const r = obj.program('tc_rewrite').testRun({
      data: frame, ctx: skb.encode(ctx), ctxSizeOut: 192,
    });
    return { verdict: r.retval, frame: r.data!, skb: skb.read(r.ctx!, 0) };
  };

  it('sends 8080 to port 80, fixes the checksum, marks the packet', () => {
    const r = tc(udpFrame({ dport: 8080 }));
    assert.equal(r.verdict, TC_ACT_OK);
    assert.equal(r.frame.readUInt16BE(36), 80);
    assert.equal(udpCheck(r.frame), 0, 'the checksum matches the new port');
    assert.deepEqual(r.frame, udpFrame({ dport: 80 }),
      'the same bytes as a frame sent to port 80');
    assert.equal(r.skb.mark, 80);
  });

  it('leaves other packets as they came, the ctx in too', () => {
    const frame = udpFrame({ dport: 53 });
    const r = tc(frame, { ...noSkb, mark: 5, priority: 3 });
    assert.equal(r.verdict, TC_ACT_OK);
    assert.deepEqual(r.frame, frame);
    assert.deepEqual([r.skb.mark, r.skb.priority], [5, 3]);
  });

  it('shoots packets whose TTL ran out', () => {
    assert.equal(tc(udpFrame({ dport: 8080, ttl: 1 })).verdict, TC_ACT_SHOT);
  });
  // #endregion tc

  // #region errors
  it('refuses a ctx in that sets a field a test run may not', () => {
    assert.throws(() => tc(udpFrame({ dport: 80 }), { ...noSkb, len: 100 }),
      { name: 'BpfError', code: 'EINVAL' });
  });
  // #endregion errors
});
