import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ForbiddenError } from '../../platform/errors/domain-errors';

/** The access token of a browser session kept in a cookie (HttpOnly, set by the frontend's host). */
export const ACCESS_COOKIE = 'tessera_access';
/** The double-submit token: readable by the page's own scripts, echoed in {@link CSRF_HEADER}. */
export const CSRF_COOKIE = 'tessera_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Shorter tokens are guessable or constants; either defeats the double submit. */
export const MIN_CSRF_TOKEN_LENGTH = 16;

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Cookies of the request by name. The first occurrence of a name wins: browsers send the
 * cookie with the most specific path first, so a cookie tossed in from a wider path loses.
 */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return cookies;
  for (const pair of text.split(';')) {
    const index = pair.indexOf('=');
    if (index < 0) continue;
    const name = pair.slice(0, index).trim();
    if (!COOKIE_NAME.test(name) || cookies.has(name)) continue;
    let value = pair.slice(index + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/**
 * The access token of a cookie session, or null when the request has none. A browser sends
 * cookies with any request to the gateway, including one a foreign page triggers, so the
 * cookie counts only together with the double-submit token: the `x-csrf-token` header equal
 * to the `tessera_csrf` cookie, which a foreign page can neither read nor set. A cookie
 * session without it is refused, never downgraded to anonymous.
 */
export function credentialFromCookies(req: IncomingMessage): { token: string } | null {
  const cookies = parseCookies(req.headers.cookie);
  const token = cookies.get(ACCESS_COOKIE);
  if (!token) return null;
  const fromCookie = cookies.get(CSRF_COOKIE);
  const fromHeader = headerValue(req, CSRF_HEADER);
  if (!fromCookie || !fromHeader) {
    throw new ForbiddenError(
      `A cookie session needs the ${CSRF_HEADER} header, equal to the ${CSRF_COOKIE} cookie`,
    );
  }
  if (fromCookie.length < MIN_CSRF_TOKEN_LENGTH) {
    throw new ForbiddenError(
      `The ${CSRF_COOKIE} cookie must be a random value of at least ${MIN_CSRF_TOKEN_LENGTH} characters`,
    );
  }
  if (!sameSecret(fromCookie, fromHeader)) {
    throw new ForbiddenError(`The ${CSRF_HEADER} header does not match the ${CSRF_COOKIE} cookie`);
  }
  return { token };
}

/** Constant-time comparison; hashing first hides the lengths as well. */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}
