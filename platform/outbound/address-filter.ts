import { BlockList, isIP } from 'node:net';
import type { OutboundPolicy } from './policy';

type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  address: string;
  prefix: number;
  family: Family;
}

/**
 * Addresses that hand out cloud credentials. They stay refused even inside an exception
 * CIDR, and production config refuses exceptions that contain them.
 */
export const CLOUD_METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean
  '169.254.170.2', // AWS ECS task credentials
  'fd00:ec2::254', // AWS instance metadata over IPv6
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
];

const FORBIDDEN_IPV4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", including the unspecified address
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the 255.255.255.255 broadcast
];

// `::` and `::1` are not listed: they lie in ::/96 and unwrap to 0.0.0.0/8, refused above.
const FORBIDDEN_IPV6: [string, number][] = [
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local: deprecated, still routed inside some networks
  ['ff00::', 8], // multicast
];

function blockList(ranges: [string, number][], family: Family): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of ranges) list.addSubnet(address, prefix, family);
  return list;
}

const forbiddenIpv4 = blockList(FORBIDDEN_IPV4, 'ipv4');
const forbiddenIpv6 = blockList(FORBIDDEN_IPV6, 'ipv6');
// Everything outside global unicast is reserved, unallocated or special, so an IPv6 address
// must be inside it (fail closed for ranges nobody listed yet).
const globalUnicastIpv6 = blockList([['2000::', 3]], 'ipv6');
const metadata = new BlockList();
for (const address of CLOUD_METADATA_ADDRESSES) metadata.addAddress(address, familyOf(address));

/** Zone ids (`fe80::1%eth0`) are refused: they only name link-local interfaces. */
function familyOf(ip: string): Family | undefined {
  if (ip.includes('%')) return undefined;
  const version = isIP(ip);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/**
 * The eight 16-bit groups of a valid IPv6 address. The WHATWG serializer rewrites any
 * spelling (dotted tail, leading zeros, upper case) to compressed lowercase hex, so what is
 * split here is always plain hex groups around at most one `::`.
 */
function ipv6Groups(ip: string): number[] {
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const groups = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const gap = canonical.indexOf('::');
  if (gap < 0) return groups(canonical);
  const head = groups(canonical.slice(0, gap));
  const tail = groups(canonical.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

interface EmbeddedIpv4 {
  ipv4: string;
  /**
   * IPv4-mapped addresses are the IPv4 host itself (the kernel connects over IPv4), so the
   * exceptions apply to them. Every other embedding reaches the IPv4 host through something
   * else (a NAT64 or 6to4 gateway, a translator), so its IPv4 address must be public.
   */
  sameHost: boolean;
}

function embeddedIpv4(ip: string): EmbeddedIpv4 | undefined {
  const groups = ipv6Groups(ip);
  const g = (index: number) => groups[index] ?? 0;
  const zero = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  const ipv4 = (high: number, low: number) =>
    [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  // ::ffff:a.b.c.d (mapped)
  if (zero(0, 5) && g(5) === 0xffff) return { ipv4: ipv4(g(6), g(7)), sameHost: true };
  // ::a.b.c.d (compatible, deprecated; also `::` and `::1`)
  if (zero(0, 6)) return { ipv4: ipv4(g(6), g(7)), sameHost: false };
  // ::ffff:0:a.b.c.d (SIIT translated)
  if (zero(0, 4) && g(4) === 0xffff && g(5) === 0)
    return { ipv4: ipv4(g(6), g(7)), sameHost: false };
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (g(0) === 0x64 && g(1) === 0xff9b && zero(2, 6))
    return { ipv4: ipv4(g(6), g(7)), sameHost: false };
  // 2002:aabb:ccdd::/48 (6to4)
  if (g(0) === 0x2002) return { ipv4: ipv4(g(1), g(2)), sameHost: false };
  return undefined;
}

/** Parses `address/prefix` strictly: no bare addresses, no `08`, no zone ids. */
export function parseCidr(value: string): Cidr | undefined {
  const slash = value.indexOf('/');
  if (slash < 0 || slash !== value.lastIndexOf('/')) return undefined;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = familyOf(address);
  const prefix = Number(bits);
  if (!family || !Number.isInteger(prefix) || String(prefix) !== bits) return undefined;
  if (prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
  return { address, prefix, family };
}

const exceptionLists = new WeakMap<readonly string[], BlockList>();

function exceptionsOf(allowedCidrs: readonly string[]): BlockList {
  let list = exceptionLists.get(allowedCidrs);
  if (list) return list;
  list = new BlockList();
  for (const value of allowedCidrs) {
    const cidr = parseCidr(value);
    // A policy built in code with a typo must fail loudly, not quietly allow nothing or all.
    if (!cidr) throw new TypeError(`allowedCidrs: "${value}" is not a CIDR`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  exceptionLists.set(allowedCidrs, list);
  return list;
}

const NO_EXCEPTIONS: readonly string[] = [];

/**
 * True when Tessera must not connect to `ip`: anything that is not a public unicast address,
 * unless an exception CIDR in the policy covers it, and cloud metadata addresses always.
 * Anything that is not an IP address is refused too (fail closed).
 */
export function isForbiddenAddress(
  ip: string,
  policy: Pick<OutboundPolicy, 'allowedCidrs'>,
): boolean {
  return forbidden(ip, policy.allowedCidrs);
}

function forbidden(ip: string, allowedCidrs: readonly string[]): boolean {
  const family = familyOf(ip);
  if (!family) return true;
  const embedded = family === 'ipv6' ? embeddedIpv4(ip) : undefined;
  if (metadata.check(ip, family) || (embedded && metadata.check(embedded.ipv4, 'ipv4'))) {
    return true;
  }
  if (exceptionsOf(allowedCidrs).check(ip, family)) return false;
  if (family === 'ipv4') return forbiddenIpv4.check(ip, 'ipv4');
  if (embedded) return forbidden(embedded.ipv4, embedded.sameHost ? allowedCidrs : NO_EXCEPTIONS);
  return !globalUnicastIpv6.check(ip, 'ipv6') || forbiddenIpv6.check(ip, 'ipv6');
}

/** The cloud metadata addresses that some of these CIDRs contain (for config checks). */
export function metadataAddressesIn(cidrs: readonly string[]): string[] {
  return CLOUD_METADATA_ADDRESSES.filter((address) =>
    cidrs.some((value) => {
      const cidr = parseCidr(value);
      if (!cidr) return false;
      const list = new BlockList();
      list.addSubnet(cidr.address, cidr.prefix, cidr.family);
      return list.check(address, familyOf(address));
    }),
  );
}
