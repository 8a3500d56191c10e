import { z } from 'zod';
import { boolean, integer } from '../../platform/config/fields';
import { type ConfigRule } from '../../platform/config/load';

/** Browsers on a local frontend dev server, allowed by default outside production. */
export const DEVELOPMENT_ORIGINS = ['http://localhost:3000', 'http://127.0.0.1:3000'];

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'] as const;

/** A boolean whose default depends on NODE_ENV: undefined when unset, resolved later. */
const environmentBoolean = () =>
  z
    .enum(BOOLEAN_WORDS, { error: 'must be true or false' })
    .optional()
    .transform((value) =>
      value === undefined ? undefined : ['true', '1', 'yes', 'on'].includes(value),
    );

/** `scheme://host[:port]`, exactly as a browser sends it in the Origin header. */
function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

const origins = z
  .string()
  .optional()
  .transform((value) =>
    value === undefined
      ? undefined
      : value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .refine(
            (value) => value === '*' || isExactOrigin(value),
            'each origin must be scheme://host[:port] with no path or trailing slash, or *',
          ),
      )
      .optional(),
  );

/** The gateway's security edge: CORS, query limits, rate limits, dev tooling switches. */
/** Every gateway rate limit is per minute: a sliding window of 60 s. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

export const securityConfigShape = {
  GATEWAY_SANDBOX: environmentBoolean().describe(
    'Apollo Sandbox for browsers; on in development and test, off in production.',
  ),
  GATEWAY_INTROSPECTION: environmentBoolean().describe(
    'Introspection queries; on in development and test, off in production.',
  ),
  CORS_ALLOWED_ORIGINS: origins.describe(
    "Exact origins browsers may call from (tenants' own origins come on top). Unset: the local dev server's origins outside production, none in production.",
  ),
  CORS_ALLOW_CREDENTIALS: boolean(true).describe(
    'Let browsers send cookies cross-origin (cookie sessions from another origin need it).',
  ),
  CORS_MAX_AGE_SECONDS: integer(600, 0, 86_400).describe(
    'How long a browser may reuse a preflight answer.',
  ),
  CORS_TENANT_ORIGIN_TTL_SECONDS: integer(60, 1, 3_600).describe(
    'How long a pod reuses tenancy\'s "a tenant allows this origin" (tenancy\'s announcements usually drop it sooner); "no tenant does" is reused for the negative TTL (at most this).',
  ),
  CORS_TENANT_ORIGIN_DENY_TTL_SECONDS: integer(10, 1, 3_600).describe(
    'How long it reuses "no tenant allows it" (at most the TTL).',
  ),
  CORS_TENANT_ORIGIN_CACHE_SIZE: integer(10_000, 100, 1_000_000).describe(
    'Origins each pod remembers at once (least recently used dropped first).',
  ),
  CORS_TENANT_ORIGIN_TIMEOUT_MS: integer(1_000, 50, 10_000).describe(
    'How long an origin lookup may take before the origin is refused this time.',
  ),
  GATEWAY_MAX_DEPTH: integer(12, 1, 100).describe('Deepest field nesting of an operation.'),
  GATEWAY_MAX_ALIASES: integer(30, 0, 1_000).describe('Aliases per operation, fragments expanded.'),
  GATEWAY_MAX_DIRECTIVES: integer(50, 0, 1_000).describe(
    'Directives per operation, fragments expanded.',
  ),
  GATEWAY_MAX_TOKENS: integer(5_000, 10, 1_000_000).describe(
    'Lexical tokens of a query, counted before it is parsed.',
  ),
  GATEWAY_MAX_COST: integer(5_000, 1, 10_000_000).describe(
    'Estimated cost of an operation, before it runs (docs/security.md, query limits).',
  ),
  GATEWAY_RATE_LIMIT_PER_IP: integer(600, 1, 1_000_000).describe(
    'Requests per minute per client IP, across every gateway pod.',
  ),
  GATEWAY_RATE_LIMIT_PER_USER: integer(1_200, 1, 1_000_000).describe(
    'Requests per minute per signed-in user.',
  ),
  GATEWAY_RATE_LIMIT_PER_TENANT: integer(6_000, 1, 10_000_000).describe(
    'Tenant-scoped operations per minute per tenant, all its users and keys together.',
  ),
  GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: integer(60, 1, 1_000_000).describe(
    'graphql-ws connection attempts per minute per client IP.',
  ),
  GATEWAY_RATE_LIMIT_LEASE_MS: integer(30_000, 1_000, RATE_LIMIT_WINDOW_MS).describe(
    "How long a pod may spend the units it took of a limit's window at once (docs/security.md, rate limits); at most the window, 60 s.",
  ),
};

type ParsedSecurityConfig = z.infer<z.ZodObject<typeof securityConfigShape>>;
type EnvironmentDefaulted = 'GATEWAY_SANDBOX' | 'GATEWAY_INTROSPECTION' | 'CORS_ALLOWED_ORIGINS';

/** Browsers must never get `*` together with credentials: any site could act as the user. */
export const refuseWildcardOriginWithCredentials: ConfigRule<{
  CORS_ALLOWED_ORIGINS?: string[];
  CORS_ALLOW_CREDENTIALS: boolean;
}> = (config) =>
  config.CORS_ALLOW_CREDENTIALS && config.CORS_ALLOWED_ORIGINS?.includes('*')
    ? [
        {
          variable: 'CORS_ALLOWED_ORIGINS',
          message: '* is refused while CORS_ALLOW_CREDENTIALS=true: list the exact origins',
        },
      ]
    : [];

/**
 * Fills in the defaults that depend on NODE_ENV; values set explicitly always win.
 * Development tooling (Sandbox, introspection, the local dev server's origins) is on
 * everywhere but production.
 */
export function withEnvironmentDefaults<
  C extends Pick<ParsedSecurityConfig, EnvironmentDefaulted> & { NODE_ENV: string },
>(
  config: C,
): Omit<C, EnvironmentDefaulted> & {
  GATEWAY_SANDBOX: boolean;
  GATEWAY_INTROSPECTION: boolean;
  CORS_ALLOWED_ORIGINS: string[];
} {
  const production = config.NODE_ENV === 'production';
  return {
    ...config,
    GATEWAY_SANDBOX: config.GATEWAY_SANDBOX ?? !production,
    GATEWAY_INTROSPECTION: config.GATEWAY_INTROSPECTION ?? !production,
    CORS_ALLOWED_ORIGINS: config.CORS_ALLOWED_ORIGINS ?? (production ? [] : DEVELOPMENT_ORIGINS),
  };
}
