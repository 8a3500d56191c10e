import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isForbiddenAddress } from './address-filter';
import { OutboundRequestError } from './errors';
import type { OutboundPolicy } from './policy';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Turns a hostname into every address it has; `safeFetch` checks all of them. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true });

export interface VettedUrl {
  url: URL;
  /** The hostname without IPv6 brackets: what TLS (SNI) and the Host header name. */
  hostname: string;
  /** Every address the name resolved to, all allowed by the policy. */
  addresses: ResolvedAddress[];
}

/**
 * Parses with the WHATWG parser, which also rewrites odd IPv4 spellings (`2130706433`,
 * `0x7f.1`, `017700000001`, `127.1`) to dotted quads, so they are checked as the address they
 * are. Messages never repeat the URL: its path, query or user-info may hold secrets.
 */
function parseOutboundUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OutboundRequestError('invalid-url', 'not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRequestError(
      'invalid-url',
      `only http and https URLs are allowed (got ${url.protocol})`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundRequestError('invalid-url', 'the URL must not carry credentials');
  }
  if (url.hostname === '') throw new OutboundRequestError('invalid-url', 'the URL has no host');
  return url;
}

async function resolveWithin(
  resolve: Resolver,
  url: URL,
  hostname: string,
  timeoutMs: number,
): Promise<ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new OutboundRequestError(
            'timeout',
            `${url.origin}: DNS did not answer within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  const answers = Promise.resolve()
    .then(() => resolve(hostname))
    .catch((error: NodeJS.ErrnoException) => {
      throw new OutboundRequestError(
        'dns-failure',
        `${url.origin}: ${hostname} could not be resolved (${error.code ?? 'error'})`,
        { cause: error },
      );
    });
  try {
    return await Promise.race([answers, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Parses the URL, resolves its host and checks every address. A name with several answers is
 * refused if any one is forbidden, so a public answer cannot smuggle a private one through.
 */
export async function vetUrl(
  input: string | URL,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
  timeoutMs: number = policy.timeoutMs,
): Promise<VettedUrl> {
  const url = parseOutboundUrl(input);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(hostname);
  const addresses = literal
    ? [{ address: hostname, family: literal }]
    : await resolveWithin(resolve, url, hostname, timeoutMs);
  if (addresses.length === 0) {
    throw new OutboundRequestError('dns-failure', `${url.origin}: ${hostname} has no address`);
  }
  if (addresses.some(({ address }) => isForbiddenAddress(address, policy))) {
    // The resolved address is left out: telling a tenant what an internal name points at
    // would map the private network for them.
    throw new OutboundRequestError(
      'blocked-address',
      literal
        ? `${url.origin}: the address is not allowed (private, loopback, link-local, reserved or cloud metadata)`
        : `${url.origin}: ${hostname} resolves to an address that is not allowed (private, loopback, link-local, reserved or cloud metadata)`,
    );
  }
  return { url, hostname, addresses };
}

/**
 * Checks a URL the way `safeFetch` would before connecting, without sending anything: for
 * refusing a bad URL when a tenant saves it. `safeFetch` checks again at send time, because
 * DNS may answer differently by then.
 */
export async function assertSafeUrl(
  url: string | URL,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<void> {
  await vetUrl(url, policy, resolve);
}
