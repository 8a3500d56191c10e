import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { boolean, integer, optionalPort, port, url } from '../platform/config/fields';
import { environment, redis, requireRedisNodesOutsideStandalone } from '../platform/config/service';
import { loadConfig, type ConfigRule } from '../platform/config/load';
import { refuseDevelopmentKeysInProduction, serviceKeys } from '../platform/config/service-keys';
import { SUBGRAPH_NAMES, supergraphPath, type SubgraphName } from '../platform/paths';
import {
  refuseWildcardOriginWithCredentials,
  securityConfigShape,
  withEnvironmentDefaults,
} from './security/config';
import { trustProxySetting } from './security/trust-proxy';

const MAX_WORKERS = 64;
const WORKERS_MESSAGE = `must be auto or a whole number between 1 and ${MAX_WORKERS}`;

/** `auto` is the CPUs this process may use (capped), so a container's CPU limit is honoured. */
const workerCount = z
  .string()
  .default('1')
  .transform((value) =>
    value === 'auto' ? String(Math.min(availableParallelism(), MAX_WORKERS)) : value,
  )
  .pipe(
    z.coerce
      .number<string>({ error: WORKERS_MESSAGE })
      .int(WORKERS_MESSAGE)
      .min(1, WORKERS_MESSAGE)
      .max(MAX_WORKERS, WORKERS_MESSAGE),
  );

export const gatewayConfigShape = {
  ...environment,
  ...serviceKeys('gateway'),
  PORT: port(4000).describe('`0` picks a free port (logged).'),
  GATEWAY_METRICS_PORT: optionalPort().describe(
    'A listener of its own for /metrics (and /healthz, /readyz), on a network Prometheus reaches and clients do not; the public port then serves no /metrics.',
  ),
  GATEWAY_METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('A bearer token /metrics asks for, wherever it is served.'),
  GATEWAY_WORKERS: workerCount.describe(
    'Gateway processes sharing the port (node:cluster); 1 runs the gateway in this process.',
  ),
  GATEWAY_SUPERGRAPH_PATH: z
    .string()
    .default(supergraphPath())
    .describe('The composed supergraph to serve.'),
  GATEWAY_POLICIES: z
    .enum(['on', 'off'])
    .default('on')
    .describe("`off` serves any supergraph with none of Tessera's tenancy and auth checks."),
  GATEWAY_BODY_LIMIT_BYTES: integer(1024 * 1024, 1024, 64 * 1024 * 1024).describe(
    'Larger request bodies get 413 `PAYLOAD_TOO_LARGE`.',
  ),
  GATEWAY_SUBGRAPH_CONNECTIONS: integer(32, 1, 1_024).describe(
    'Keep-alive connections the gateway opens to each subgraph.',
  ),
  GATEWAY_SUBGRAPH_PIPELINING: integer(1, 1, 100).describe(
    'Requests in flight per subgraph connection (HTTP/1.1 pipelining; 1 turns it off).',
  ),
  GATEWAY_SUBGRAPH_TIMEOUT_MS: integer(30_000, 100, 600_000).describe(
    "Longest wait for a subgraph's answer (headers, then body) before the fetch fails.",
  ),
  GATEWAY_SUBGRAPH_MAX_RESPONSE_BYTES: integer(64 * 1024 * 1024, 1024, 1024 * 1024 * 1024).describe(
    'Largest subgraph answer accepted; a larger one fails its fetch.',
  ),
  GATEWAY_BREAKER_FAILURE_THRESHOLD: integer(5, 1, 1_000).describe(
    "Consecutive failed or timed-out calls to one target (a subgraph, or auth's or tenancy's internal routes) that open its circuit: calls are then refused at once.",
  ),
  GATEWAY_BREAKER_COOL_DOWN_MS: integer(10_000, 100, 600_000).describe(
    'How long an open circuit refuses calls before one probe call is let through.',
  ),
  GATEWAY_BULKHEAD_MAX_CONCURRENT: integer(128, 1, 100_000).describe(
    'Calls in flight at once to one target (per gateway process).',
  ),
  GATEWAY_BULKHEAD_MAX_QUEUED: integer(64, 0, 100_000).describe(
    'Calls waiting for one of those slots; one more is refused at once.',
  ),
  GATEWAY_USAGE_FLUSH_MS: integer(5_000, 100, 600_000).describe(
    'How often the gateway reports its usage counts (per tenant and day) to observability.',
  ),
  GATEWAY_USAGE_QUOTA_MODULE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A JavaScript module whose `createUsageQuota()` returns the quota consulted for every operation in a tenant (docs/usage.md); unset admits everything.',
    ),
  GATEWAY_PLAN_CACHE_SIZE: integer(1_000, 1, 1_000_000).describe(
    'Distinct documents whose query plan and compiled result shape are kept (LRU).',
  ),
  GATEWAY_DEDUPLICATE_QUERIES: boolean(true).describe(
    'Identical queries (document, variables, caller) that overlap in time run once and share the answer.',
  ),
  GATEWAY_PASS_THROUGH: boolean(true).describe(
    "A query planned as one fetch whose answer is the client's answer is answered with the subgraph's answer as it is: the same checks and signed fetch, without Apollo Server's pipeline (not deduplicated).",
  ),
  GATEWAY_DOCUMENT_CACHE_MIB: integer(30, 1, 4_096).describe(
    "Memory for parsed and validated documents, by their text (Apollo Server's LRU).",
  ),
  /** CORS, query limits, rate limits, Sandbox and introspection (gateway/security/config.ts). */
  ...securityConfigShape,
  GATEWAY_TRUST_PROXY: trustProxySetting.describe(
    'Which X-Forwarded-For hops to believe for the client IP: `false` (none), a hop count, or comma-separated proxy addresses and CIDRs (`loopback`, `linklocal`, `uniquelocal` too); `true` is refused.',
  ),
  SUBGRAPH_AUTH_URL: url(['http', 'https'])
    .optional()
    .describe("The auth subgraph's GraphQL URL; by default the one in the supergraph."),
  SUBGRAPH_TENANCY_URL: url(['http', 'https'])
    .optional()
    .describe("The tenancy subgraph's GraphQL URL; by default the one in the supergraph."),
  SUBGRAPH_ASSETS_URL: url(['http', 'https'])
    .optional()
    .describe("The assets subgraph's GraphQL URL; by default the one in the supergraph."),
  SUBGRAPH_JOBS_URL: url(['http', 'https'])
    .optional()
    .describe("The jobs subgraph's GraphQL URL; by default the one in the supergraph."),
  SUBGRAPH_OBSERVABILITY_URL: url(['http', 'https'])
    .optional()
    .describe("The observability subgraph's GraphQL URL; by default the one in the supergraph."),
  /** Redis: session revocations, API key changes, rate limits (unused with policies off). */
  ...redis,
  AUTH_INTERNAL_URL: url(['http', 'https'])
    .optional()
    .describe(
      "The auth process's base URL for its JWKS and API key checks; by default the origin of the auth subgraph's URL.",
    ),
  TENANCY_INTERNAL_URL: url(['http', 'https'])
    .optional()
    .describe(
      "The tenancy process's base URL for role lookups; by default its subgraph URL's origin.",
    ),
  ROLE_CACHE_TTL_SECONDS: integer(60, 1, 3600).describe(
    "How long a caller's role in a tenant is cached (membership changes invalidate at once).",
  ),
  JWT_ISSUER: z
    .string()
    .min(1)
    .max(100)
    .default('tessera')
    .describe("Must equal the auth service's JWT_ISSUER."),
  API_KEY_RATE_LIMIT_PER_MINUTE: integer(600, 1, 1_000_000).describe(
    'Requests per minute per API key.',
  ),
  SUBSCRIPTION_MAX_BUFFERED_EVENTS: integer(1000, 10, 100_000).describe(
    'Events a subscriber may fall behind by before its socket is closed with 4429.',
  ),
  RATE_LIMIT_FAIL_MODE: z
    .enum(['open', 'closed'])
    .default('open')
    .describe(
      'When Redis cannot answer, rate limits admit (`open`) or refuse (`closed`) requests.',
    ),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

type ParsedGatewayConfig = z.infer<z.ZodObject<typeof gatewayConfigShape>>;

/**
 * With policies off the gateway fronts subgraphs that check no signature, so a production run
 * needs no key of its own. Nothing is weakened: Tessera's own subgraphs refuse the development
 * keys in production, so a request it signs is never accepted there.
 */
const refuseDevelopmentKeysWithPolicies: ConfigRule<ParsedGatewayConfig> = (config) =>
  config.GATEWAY_POLICIES === 'off' ? [] : refuseDevelopmentKeysInProduction('gateway')(config);

/**
 * /metrics names operations and shows every tenant's traffic: in production it is never served
 * to anyone on the public port.
 */
const keepMetricsOffThePublicPort: ConfigRule<ParsedGatewayConfig> = (config) => {
  const port = config.GATEWAY_METRICS_PORT;
  if (port !== undefined && port !== 0 && port === config.PORT) {
    return [{ variable: 'GATEWAY_METRICS_PORT', message: 'must differ from PORT' }];
  }
  if (config.NODE_ENV !== 'production' || port !== undefined || config.GATEWAY_METRICS_TOKEN) {
    return [];
  }
  return [
    {
      variable: 'GATEWAY_METRICS_PORT',
      message:
        'production keeps /metrics off the public port: set GATEWAY_METRICS_PORT (a port Prometheus reaches and clients do not) or GATEWAY_METRICS_TOKEN (a bearer token for the scrape)',
    },
  ];
};

export const gatewayConfigRules: ConfigRule<ParsedGatewayConfig>[] = [
  refuseDevelopmentKeysWithPolicies,
  requireRedisNodesOutsideStandalone,
  refuseWildcardOriginWithCredentials,
  keepMetricsOffThePublicPort,
];

export function loadGatewayConfig(env?: NodeJS.ProcessEnv) {
  return withEnvironmentDefaults(loadConfig(gatewayConfigShape, gatewayConfigRules, env));
}

/** Subgraph URL overrides by subgraph name; names missing here use the supergraph's URL. */
export function subgraphUrlOverrides(config: GatewayConfig): Partial<Record<string, string>> {
  const byName: Record<SubgraphName, string | undefined> = {
    auth: config.SUBGRAPH_AUTH_URL,
    tenancy: config.SUBGRAPH_TENANCY_URL,
    assets: config.SUBGRAPH_ASSETS_URL,
    jobs: config.SUBGRAPH_JOBS_URL,
    observability: config.SUBGRAPH_OBSERVABILITY_URL,
  };
  return Object.fromEntries(
    SUBGRAPH_NAMES.filter((name) => byName[name]).map((name) => [name, byName[name]]),
  );
}

/**
 * Where a subgraph process serves its routes beside GraphQL (auth: JWKS and API key checks,
 * tenancy: role lookups, assets: blobs, observability: audit exports and usage reports): the
 * configured URL, else its subgraph URL's origin.
 */
export function internalUrl(
  config: GatewayConfig,
  supergraphSdl: string,
  name: 'auth' | 'tenancy' | 'assets' | 'observability',
): string {
  const configured = {
    auth: config.AUTH_INTERNAL_URL,
    tenancy: config.TENANCY_INTERNAL_URL,
    assets: undefined,
    observability: undefined,
  }[name];
  if (configured) return configured;
  const subgraphUrl =
    subgraphUrlOverrides(config)[name] ??
    new RegExp(`join__graph\\(name: "${name}", url: "([^"]+)"\\)`).exec(supergraphSdl)?.[1];
  if (!subgraphUrl) {
    throw new Error(`cannot tell where ${name} is: set ${name.toUpperCase()}_INTERNAL_URL`);
  }
  return new URL(subgraphUrl).origin;
}
