import { isIPv6 } from 'node:net';

/**
 * What the link page's tries are counted under for a client address: an IPv6 address by its /64
 * (one subscriber usually holds a whole /64, so counting single addresses would be no limit), an
 * IPv4-mapped one as IPv4, any other address (IPv4, or whatever a proxy wrote) as it is.
 */
export function tryAddressOf(address: string): string {
  const bare = address.replace(/^\[|\](:\d+)?$/g, '').replace(/%.*$/, '');
  if (!isIPv6(bare)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!; // an IPv4 client, as IPv4
  return `${ipv6Groups(bare).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (lowercase, no leading zeros); an embedded IPv4 tail is two groups. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const groups = (part: string) => (part ? part.split(':').flatMap(ipv4Tail) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}

/** `1.2.3.4` at the end of an IPv6 address as its two hex groups; any other group as it is. */
function ipv4Tail(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
