/**
 * @module platform/http/ip-prefix
 *
 * What the server remembers of a client address:
 * - `ipPrefix`: coarse network location for session lists and audit events, the IPv4 /24 or
 *   IPv6 /48 a client came from. Enough to notice "that was not my network", not enough to
 *   locate a person.
 * - `networkOf`: the unit abuse limits count by, one IPv4 address or one IPv6 /64 (a single
 *   subscriber's allocation, so rotating through its addresses does not escape the limit).
 */
import net from 'node:net';

/** The eight groups of an IPv6 address, lower case without leading zeros. */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

function unmapIPv4(address: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

export function ipPrefix(address: string | undefined): string {
  if (!address) return 'unknown';
  const ip = unmapIPv4(address);
  if (net.isIPv4(ip)) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (net.isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 3).join(':')}::/48`;
  return 'unknown';
}

export function networkOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const ip = unmapIPv4(address);
  if (net.isIPv4(ip)) return ip;
  if (net.isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
  return 'unknown';
}
