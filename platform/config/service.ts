import { z } from 'zod';
import { serviceRole, type DatabaseService } from '../db/roles';
import { boolean, integer, list, url } from './fields';
import type { ConfigRule } from './load';
import { tracing } from './tracing';

export const environment = {
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe(
      '`production` refuses every development key and secret, and requires the settings a deployment must choose (MAIL_TRANSPORT, a metrics port or token...).',
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('The least severe level logged (pino levels); `silent` logs nothing.'),
  HOST: z
    .string()
    .default('127.0.0.1')
    .describe('Interface to listen on (`0.0.0.0` in containers).'),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 120_000).describe(
    'How long SIGTERM waits for in-flight requests and jobs.',
  ),
  HTTP_REQUEST_TIMEOUT_MS: integer(60_000, 1_000, 3_600_000).describe(
    'A request (body included) must be done within this; raise it for large uploads.',
  ),
  /** OpenTelemetry tracing: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  ...tracing,
};

/**
 * The database variables of a process that connects as `service`'s own role: the default URL
 * names it, and a URL naming another role (another service's, or a superuser) is refused.
 */
export const database = (service: DatabaseService) => ({
  DATABASE_URL: serviceDatabaseUrl(service)
    .default(`postgres://${serviceRole(service)}@127.0.0.1:5432/tessera`)
    .describe(
      "This process's PostgreSQL URL, connecting as its own role (`tessera_<process>`); a URL naming another role is refused.",
    ),
  DATABASE_POOL_MAX: integer(10, 1, 200).describe('Connections per process.'),
  DATABASE_CONNECT_TIMEOUT_MS: integer(5_000, 100, 60_000).describe(
    'Waiting for a connection fails after this.',
  ),
  DATABASE_IDLE_TIMEOUT_MS: integer(30_000, 1_000, 600_000).describe(
    'Idle connections close after this.',
  ),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(10_000, 100, 600_000).describe(
    'PostgreSQL cancels statements running longer.',
  ),
  DATABASE_LOG_QUERIES: boolean(false).describe(
    'Log every statement at debug level (never parameters).',
  ),
  DATABASE_SLOW_QUERY_MS: integer(500, 1, 600_000).describe(
    'Statements slower than this are logged as `slow sql`.',
  ),
});

/**
 * The optional read replica of a process (docs/read-replicas.md): reads that may lag go there
 * when it is set and keeps up. It connects as the same role as DATABASE_URL, so grants and
 * row-level security hold on it as on the primary.
 */
export const readDatabase = (service: DatabaseService) => ({
  READ_DATABASE_URL: serviceDatabaseUrl(service)
    .optional()
    .describe(
      'A read replica for reads that may lag (docs/read-replicas.md), connecting as the same role as DATABASE_URL; unset: every read goes to the primary.',
    ),
  READ_DATABASE_MAX_LAG_SECONDS: integer(10, 1, 3_600).describe(
    'A replica further behind the primary than this serves no reads until it catches up.',
  ),
});

/**
 * One replica URL for several processes (the launcher's READ_DATABASE_URL), made a process's
 * own: the user and password of its primary URL `own`, the replica's server and database.
 */
export function replicaUrlAs(replica: string, own: string): string {
  const result = new URL(replica);
  const role = new URL(own);
  result.username = role.username;
  result.password = role.password;
  return result.toString();
}

/** A PostgreSQL URL that connects as the service's own role. */
export function serviceDatabaseUrl(service: DatabaseService) {
  const role = serviceRole(service);
  const protocols = ['postgres', 'postgresql'];
  return url(protocols).refine((value) => {
    // A value that is no PostgreSQL URL at all is url()'s one problem to report.
    const parsed = URL.parse(value);
    if (!parsed || !protocols.includes(parsed.protocol.slice(0, -1))) return true;
    return decodeURIComponent(parsed.username) === role;
  }, `must connect as ${role}, the ${service} process's own role`);
}

export const redis = {
  REDIS_MODE: z
    .enum(['standalone', 'sentinel', 'cluster'])
    .default('standalone')
    .describe(
      'How Redis is reached: one server at REDIS_URL (`standalone`), or Sentinel or Cluster through REDIS_NODES.',
    ),
  REDIS_URL: url(['redis', 'rediss'], 'redis://127.0.0.1:6379').describe('Standalone Redis.'),
  REDIS_NODES: list(
    z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each node must be host:port'),
    '',
  ).describe('host:port pairs, for REDIS_MODE=sentinel or cluster.'),
  REDIS_SENTINEL_NAME: z.string().default('mymaster').describe('The Sentinel master name.'),
  REDIS_COMMAND_TIMEOUT_MS: integer(1_000, 50, 60_000).describe(
    'How long a command of a non-blocking connection (request paths, caches, the relay) waits for its answer, queued through an outage included, before it fails and the caller degrades. BullMQ workers and subscribers wait out an outage instead.',
  ),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/i, 'must be 1-32 letters, digits, _ or -')
    .default('tessera')
    .describe('Namespaces every key, so several deployments (or test files) can share one Redis.'),
};

/** Sentinel and Cluster modes are reached through a node list, not REDIS_URL. */
export const requireRedisNodesOutsideStandalone: ConfigRule<{
  REDIS_MODE: string;
  REDIS_NODES: string[];
}> = (config) =>
  config.REDIS_MODE !== 'standalone' && config.REDIS_NODES.length === 0
    ? [{ variable: 'REDIS_NODES', message: `is required when REDIS_MODE=${config.REDIS_MODE}` }]
    : [];
