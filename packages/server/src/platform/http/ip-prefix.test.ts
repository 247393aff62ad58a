/**
 * What is kept of a client address: a coarse prefix for people to read, and the network abuse
 * limits count by (one IPv4 address, one IPv6 /64, IPv4-mapped IPv6 as IPv4).
 */
import { describe, expect, it } from 'vitest';
import { ipPrefix, networkOf } from './ip-prefix.ts';

describe('ipPrefix', () => {
  it('keeps an IPv4 /24 and an IPv6 /48', () => {
    expect(ipPrefix('198.51.100.7')).toBe('198.51.100.0/24');
    expect(ipPrefix('::ffff:198.51.100.7')).toBe('198.51.100.0/24');
    expect(ipPrefix('2001:0db8:0001:0002::a')).toBe('2001:db8:1::/48');
    expect(ipPrefix(undefined)).toBe('unknown');
  });
});

describe('networkOf', () => {
  it('is the whole IPv4 address, mapped or not', () => {
    expect(networkOf('198.51.100.7')).toBe('198.51.100.7');
    expect(networkOf('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('is the IPv6 /64, however the address is written', () => {
    expect(networkOf('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:0DB8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8:1:3::a')).not.toBe(networkOf('2001:db8:1:2::a'));
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
  });

  it('is `unknown` for anything else', () => {
    expect(networkOf(undefined)).toBe('unknown');
    expect(networkOf('not an address')).toBe('unknown');
  });
});
