import { isIP } from 'node:net';
import { MinerError } from '../util/index.js';

export interface EncodedIp {
  ip: bigint;
  ipType: 4 | 6;
}

/** 1.2.3.4 -> 16909060n. */
export function ipv4ToInt(ip: string): bigint {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new MinerError('CONFIG_INVALID', `axon.externalIp: "${ip}" is not an IPv4 address`);
  }
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

/** Expands an IPv6 address (with ::, and an embedded IPv4 tail) to its 128-bit big-endian value. */
export function ipv6ToInt(ip: string): bigint {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new MinerError('CONFIG_INVALID', `axon.externalIp: "${ip}" is not an IPv6 address`);
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) {
    throw new MinerError('CONFIG_INVALID', `axon.externalIp: "${ip}" is not an IPv6 address`);
  }
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return groups.reduce((acc, g) => {
    if (!/^[0-9a-f]{1,4}$/.test(g)) throw new MinerError('CONFIG_INVALID', `axon.externalIp: "${ip}" is not an IPv6 address`);
    return (acc << 16n) | BigInt(parseInt(g, 16));
  }, 0n);
}

/** The chain's (ip u128, ip_type) for an address string. */
export function encodeIp(ip: string): EncodedIp {
  const kind = isIP(ip.split('%')[0] ?? '');
  if (kind === 4) return { ip: ipv4ToInt(ip), ipType: 4 };
  if (kind === 6) return { ip: ipv6ToInt(ip), ipType: 6 };
  throw new MinerError('CONFIG_INVALID', `axon.externalIp: "${ip}" is not an IPv4 or IPv6 address`);
}

/** The address string for the chain's (ip, ip_type); IPv6 in its canonical compressed form. */
export function decodeIp(ip: bigint, ipType: number): string {
  if (ipType === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((ip >> s) & 0xffn).toString()).join('.');
  }
  if (ipType === 6) {
    const groups: string[] = [];
    for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip >> s) & 0xffffn).toString(16));
    return compressIpv6(groups);
  }
  return ip === 0n ? '0.0.0.0' : ip.toString();
}

/** RFC 5952: the longest run (2+) of zero groups becomes ::. */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
