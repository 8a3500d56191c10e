import { isIP } from 'node:net';
import { z } from 'zod';
import { list } from '../../../platform/config/fields';
import { type ConfigRule } from '../../../platform/config/load';

/** A WebAuthn RP ID is a domain (never an IP address, a port or a URL), lower case. */
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const rpId = (fallback: string) =>
  z
    .string()
    .regex(DOMAIN, 'must be a lower-case domain name such as example.com (no scheme or port)')
    .refine((value) => isIP(value) === 0, 'must be a domain name, not an IP address')
    .default(fallback);

/** `https://app.example.com` or `http://localhost:3000`: exactly what browsers send as origin. */
const origin = z.string().refine((value) => {
  try {
    const parsed = new URL(value);
    return ['http:', 'https:'].includes(parsed.protocol) && parsed.origin === value;
  } catch {
    return false;
  }
}, 'every entry must be an origin: scheme, host and optional port, no path or trailing slash');

export const origins = (fallback: string) =>
  list(origin, fallback).pipe(
    z
      .array(z.string())
      .min(1, 'must list at least one origin')
      .max(20, 'must list at most 20 origins'),
  );

const isLocalhost = (hostname: string) =>
  hostname === 'localhost' || hostname.endsWith('.localhost');

/**
 * Browsers only run WebAuthn where the RP ID is the origin's host or a parent domain of it,
 * and only on secure origins (https, or http on localhost). An origin outside that rule would
 * make every ceremony from it fail in the browser, so it is refused at start instead.
 */
export const requireOriginsWithinRpId: ConfigRule<{
  WEBAUTHN_RP_ID: string;
  WEBAUTHN_ORIGINS: string[];
}> = (config) =>
  config.WEBAUTHN_ORIGINS.flatMap((value) => {
    const { hostname, protocol } = new URL(value);
    const problems: { variable: string; message: string }[] = [];
    if (hostname !== config.WEBAUTHN_RP_ID && !hostname.endsWith(`.${config.WEBAUTHN_RP_ID}`)) {
      problems.push({
        variable: 'WEBAUTHN_ORIGINS',
        message: `${value} is not on WEBAUTHN_RP_ID (${config.WEBAUTHN_RP_ID}) or a subdomain of it`,
      });
    }
    if (protocol === 'http:' && !isLocalhost(hostname)) {
      problems.push({
        variable: 'WEBAUTHN_ORIGINS',
        message: `${value} must use https (plain http is allowed only on localhost)`,
      });
    }
    return problems;
  });
