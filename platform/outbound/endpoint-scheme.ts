import { isIP } from 'node:net';

/**
 * Why an endpoint that a tenant or a discovery document names (an OAuth authorization,
 * token or user-info URL, an OIDC issuer) may not be used, or null when it may. Browsers are
 * sent to some of these and client secrets and codes go to others, so they must be https.
 * Plain http is only for a provider on the developer's own machine: a loopback host, and
 * only where `allowLoopbackHttp` (outside production).
 */
export function endpointSchemeProblem(value: string, allowLoopbackHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return null;
  return allowLoopbackHttp
    ? 'must be an https URL (http only on a loopback host)'
    : 'must be an https URL';
}

/**
 * `localhost`, 127.0.0.0/8 or ::1, as the WHATWG parser leaves a hostname (odd IPv4
 * spellings already rewritten to dotted quads, IPv6 in brackets).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
