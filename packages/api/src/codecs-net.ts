/**
 * Codecs of network byte order: big-endian integers (`__be16`, `__be32`,
 * `__be64`) and addresses as people write them (`ipv4`, `ipv6`, `mac`).
 * Packet headers and `__be32` map keys are the common case.
 *
 * @module
 */
import { defineCodec, refuse, type Codec } from './codecs.js';

function beInt(name: string, size: 2 | 4, signed: boolean): Codec<number> {
  const bits = size * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const expected = `an integer in ${min}..${max}`;
  return defineCodec<number>({
    name,
    size,
    align: size,
    write(value, buf, off) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) refuse(name, expected, value);
      if (size === 2) {
        if (signed) buf.writeInt16BE(value, off);
        else buf.writeUInt16BE(value, off);
      } else if (signed) buf.writeInt32BE(value, off);
      else buf.writeUInt32BE(value, off);
    },
    read(buf, off) {
      if (size === 2) return signed ? buf.readInt16BE(off) : buf.readUInt16BE(off);
      return signed ? buf.readInt32BE(off) : buf.readUInt32BE(off);
    },
  });
}

function beBig(name: string, signed: boolean): Codec<bigint> {
  const min = signed ? -(1n << 63n) : 0n;
  const max = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  return defineCodec<bigint>({
    name,
    size: 8,
    align: 8,
    write(value, buf, off) {
      if (typeof value !== 'bigint' || value < min || value > max) refuse(name, `a bigint in ${min}..${max}`, value);
      if (signed) buf.writeBigInt64BE(value, off);
      else buf.writeBigUInt64BE(value, off);
    },
    read: (buf, off) => (signed ? buf.readBigInt64BE(off) : buf.readBigUInt64BE(off)),
  });
}

/** `__be16`: an unsigned 16-bit integer in network byte order. */
export const u16be: Codec<number> = beInt('u16be', 2, false);
/** `__be32`: an unsigned 32-bit integer in network byte order. */
export const u32be: Codec<number> = beInt('u32be', 4, false);
/** `__be64`: an unsigned 64-bit integer in network byte order. */
export const u64be: Codec<bigint> = beBig('u64be', false);
/** A signed 16-bit integer in network byte order. */
export const i16be: Codec<number> = beInt('i16be', 2, true);
/** A signed 32-bit integer in network byte order. */
export const i32be: Codec<number> = beInt('i32be', 4, true);
/** A signed 64-bit integer in network byte order. */
export const i64be: Codec<bigint> = beBig('i64be', true);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 address (`'10.0.0.1'`) as 4 bytes in network order (a `__be32`, `struct in_addr`). */
export const ipv4: Codec<string> = defineCodec<string>({
  name: 'ipv4',
  size: 4,
  align: 4,
  write(value, buf, off) {
    if (typeof value !== 'string' || !IPV4.test(value)) refuse('ipv4', "a dotted IPv4 address ('10.0.0.1')", value);
    value.split('.').forEach((p, i) => buf.writeUInt8(Number(p), off + i));
  },
  read: (buf, off) => `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`,
});

/** The 8 groups of an IPv6 address, or null when `s` is not one (embedded IPv4 allowed). */
function ipv6Groups(s: string): number[] | null {
  let text = s;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!IPV4.test(v4[2] as string)) return null;
    const b = (v4[2] as string).split('.').map(Number) as [number, number, number, number];
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    text = (v4[1] as string).endsWith('::') ? (v4[1] as string) : (v4[1] as string).slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] as string);
  const rest = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1) return given === 8 ? [...head, ...tail] : null;
  if (given > 7) return null;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as `::`. */
function ipv6Text(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** An IPv6 address (`'2001:db8::1'`) as 16 bytes in network order (`struct in6_addr`); decodes to RFC 5952 text. */
export const ipv6: Codec<string> = defineCodec<string>({
  name: 'ipv6',
  size: 16,
  align: 4,
  write(value, buf, off) {
    const groups = typeof value === 'string' ? ipv6Groups(value) : null;
    if (!groups) refuse('ipv6', "an IPv6 address ('2001:db8::1')", value);
    groups.forEach((g, i) => buf.writeUInt16BE(g, off + 2 * i));
  },
  read(buf, off) {
    const groups: number[] = [];
    for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(off + 2 * i));
    return ipv6Text(groups);
  },
});

const MAC = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;

/** A MAC address (`'02:00:00:00:00:01'`, `-` also accepted) as 6 bytes; decodes to lower-case `:` text. */
export const mac: Codec<string> = defineCodec<string>({
  name: 'mac',
  size: 6,
  align: 1,
  write(value, buf, off) {
    if (typeof value !== 'string' || !MAC.test(value)) refuse('mac', "a MAC address ('02:00:00:00:00:01')", value);
    value.split(/[:-]/).forEach((p, i) => buf.writeUInt8(parseInt(p, 16), off + i));
  },
  read: (buf, off) => [...buf.subarray(off, off + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
});
