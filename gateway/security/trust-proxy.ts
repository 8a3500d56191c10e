import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { parseCidr } from '../../platform/outbound/address-filter';

/**
 * Which X-Forwarded-For entries the gateway believes, as Express's `trust proxy` (proxy-addr)
 * reads them: walking from the socket's peer towards the left of the header, each hop that is
 * trusted is skipped, and the first one that is not is the client. `hops` trusts that many
 * hops nearest the gateway; `proxies` trusts the hops whose address it contains.
 */
export type TrustProxy = { hops: number } | { proxies: BlockList };

export const NO_PROXY: TrustProxy = { hops: 0 };

/** proxy-addr's names for the ranges proxies usually live in. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
const MAX_HOPS = 32;
const NEVER = ['false', '0', 'no', 'off'];
/** The old boolean's "trust every hop" words; `1` is a hop count now, as in Express. */
const EVERY_HOP = ['true', 'yes', 'on'];

/**
 * `GATEWAY_TRUST_PROXY`: `false` (the default), a hop count, or a comma-separated list of
 * proxy addresses, CIDRs and proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`).
 * `true` is refused: it used to mean "the left-most entry", which the client writes.
 */
export const trustProxySetting = z
  .string()
  .default('false')
  .transform((value, context): TrustProxy => {
    const setting = value.trim().toLowerCase();
    if (NEVER.includes(setting)) return NO_PROXY;
    if (EVERY_HOP.includes(setting)) {
      context.addIssue({
        code: 'custom',
        message:
          'true trusted every hop, so a client could choose its IP: give the number of proxies in front of the gateway (e.g. 1) or their addresses as CIDRs',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(setting)) {
      const hops = Number(setting);
      if (hops <= MAX_HOPS) return { hops };
      context.addIssue({ code: 'custom', message: `at most ${MAX_HOPS} hops` });
      return z.NEVER;
    }
    const proxies = new BlockList();
    for (const entry of setting.split(',').map((part) => part.trim())) {
      const ranges = NAMED_RANGES[entry] ?? [isIP(entry) ? hostCidr(entry) : entry];
      for (const range of ranges) {
        const cidr = parseCidr(range);
        if (!cidr) {
          context.addIssue({
            code: 'custom',
            message: `"${entry}" is not a hop count, an IP address, a CIDR, or loopback, linklocal or uniquelocal`,
          });
          return z.NEVER;
        }
        proxies.addSubnet(cidr.address, cidr.prefix, cidr.family);
      }
    }
    return { proxies };
  });

/**
 * The caller's address: the socket's peer, or the X-Forwarded-For entry that the last
 * trusted proxy appended. Entries left of it are the client's own words and never read.
 */
export function clientIp(req: IncomingMessage, trust: TrustProxy): string | null {
  const peer = req.socket.remoteAddress;
  if (!peer) return null;
  const forwarded = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Nearest hop first: the socket's peer, then the entry it appended, and so on leftwards.
  const hops = [unmapped(peer), ...entries.reverse()];
  let client = 0;
  while (client < hops.length - 1 && trusts(trust, hops[client]!, client)) client += 1;
  return hops[client]!.slice(0, 64);
}

function trusts(trust: TrustProxy, address: string, index: number): boolean {
  if ('hops' in trust) return index < trust.hops;
  const ip = unmapped(address);
  const family = isIP(ip);
  return family !== 0 && trust.proxies.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) as the IPv4 address it is. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function hostCidr(ip: string): string {
  return `${ip}/${isIP(ip) === 4 ? 32 : 128}`;
}
