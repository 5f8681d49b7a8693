import { describe, expect, it } from 'vitest';
import { decodeIp, encodeIp, ipv4ToInt, ipv6ToInt } from '../../../src/chain/ipEncoding.js';
import { MinerError } from '../../../src/util/index.js';

describe('IP encoding for serve_axon', () => {
  it('encodes IPv4 as a big-endian integer', () => {
    expect(ipv4ToInt('1.2.3.4')).toBe(16909060n);
    expect(ipv4ToInt('10.0.0.1')).toBe(167772161n);
    expect(ipv4ToInt('255.255.255.255')).toBe(4294967295n);
    expect(encodeIp('0.0.0.0')).toEqual({ ip: 0n, ipType: 4 });
  });

  it('encodes IPv6 as a 128-bit big-endian integer, with :: and embedded IPv4', () => {
    expect(ipv6ToInt('::1')).toBe(1n);
    expect(ipv6ToInt('2001:db8::1')).toBe(0x20010db8000000000000000000000001n);
    expect(ipv6ToInt('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe((1n << 128n) - 1n);
    expect(ipv6ToInt('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(ipv6ToInt('fe80::1%eth0')).toBe(0xfe800000000000000000000000000001n);
    expect(encodeIp('2001:db8::1').ipType).toBe(6);
  });

  it('decodes back to canonical strings', () => {
    expect(decodeIp(16909060n, 4)).toBe('1.2.3.4');
    expect(decodeIp(0x20010db8000000000000000000000001n, 6)).toBe('2001:db8::1');
    expect(decodeIp(1n, 6)).toBe('::1');
    expect(decodeIp(0x20010db8000100000000000000000000n, 6)).toBe('2001:db8:1::');
    expect(decodeIp(0x00010000000100000000000000010000n, 6)).toBe('1:0:1::1:0');
    for (const ip of ['192.168.1.20', '8.8.4.4']) expect(decodeIp(encodeIp(ip).ip, 4)).toBe(ip);
  });

  it('rejects what is not an address, with a config error naming the key', () => {
    for (const bad of ['1.2.3', '1.2.3.256', 'example.com', '', '1::2::3', '12345::1']) {
      expect(() => encodeIp(bad)).toThrow(MinerError);
    }
    try {
      encodeIp('nope');
    } catch (e) {
      expect((e as MinerError).code).toBe('CONFIG_INVALID');
      expect((e as MinerError).message).toContain('axon.externalIp');
    }
  });
});
