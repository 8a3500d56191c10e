/**
 * A tenant's settings as every process reads them: retention overrides (the purges), the
 * session cap (auth) and the browser origins the gateway's CORS admits. Tenancy stores them in
 * `tenancy.tenant_settings`, where NULL means "the platform default" below, so a default can
 * change later without rewriting rows.
 */

/** Days a tenant's rows are kept by each retention purge, unless the tenant overrides it. */
export const DEFAULT_RETENTION_DAYS = {
  events: 90,
  webhookDeliveries: 30,
  deletedAssets: 30,
  sessions: 30,
} as const;
export type RetentionTarget = keyof typeof DEFAULT_RETENTION_DAYS;
export const RETENTION_TARGETS = Object.keys(DEFAULT_RETENTION_DAYS) as RetentionTarget[];

/** The same bounds as the CHECKs on tenancy.tenant_settings: a day to ten years. */
export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 3650;

export const MAX_SESSIONS_PER_USER_MIN = 1;
export const MAX_SESSIONS_PER_USER_MAX = 1000;

/** Enough for every frontend a tenant runs (staging, regions), few enough to check quickly. */
export const MAX_ALLOWED_ORIGINS = 50;
/** Longer than any real origin; the DNS limit is 253 for the host alone. */
export const MAX_ORIGIN_LENGTH = 300;

const ORIGIN_SHAPE = /^(https?):\/\/([^/?#@\s*\\]+)$/i;

/**
 * The origin a browser would send for `raw` (`https://app.example.com`, `http://localhost:3000`):
 * scheme and host lower-cased, IDN hosts in punycode, a default port dropped. Null when `raw`
 * is not exactly `scheme://host[:port]`: no path (not even `/`), query, fragment, credentials
 * or wildcard; `http` only when `allowHttp`.
 */
export function normalizeOrigin(raw: string, options: { allowHttp: boolean }): string | null {
  const value = raw.trim();
  if (value.length === 0 || value.length > MAX_ORIGIN_LENGTH) return null;
  const shape = ORIGIN_SHAPE.exec(value);
  if (!shape) return null;
  const scheme = shape[1]!.toLowerCase();
  if (scheme === 'http' && !options.allowHttp) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (!url.hostname || url.hostname.endsWith('.')) return null;
  return url.origin;
}
