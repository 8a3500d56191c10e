import type { Logger } from 'pino';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { z } from 'zod';
import {
  database,
  environment,
  readDatabase,
  redis as redisFields,
  requireRedisNodesOutsideStandalone,
} from '../config/service';
import { integer, port, url } from '../config/fields';
import { loadConfig, type ConfigRule } from '../config/load';
import {
  refuseDevelopmentKeysInProduction,
  serviceKeys,
  type ServiceSigning,
} from '../config/service-keys';
import type { ReplayGuard } from '../context/replay-guard';
import type { RequestContext } from '../context/request-context';
import {
  exitOnSignals,
  listenOptions,
  startServiceServer,
  type RequestHandler,
  type RunningService,
} from '../http/service-server';
import { type ReadinessCheck } from '../http/readiness';
import type { InternalClient } from '../internal-calls/client';
import { createLogger } from '../observability/logger';
import {
  createServiceMetrics,
  type HttpRoute,
  type ServiceMetrics,
} from '../observability/metrics';
import { startTracing } from '../observability/tracing';
import { closeRedis, type RedisClient } from '../redis/connection';
import type { SubgraphName } from '../paths';
import { askTenancyIfLive, tenantPurgeRoute, type PurgeTable } from './routes/tenant-purge.route';
import { tenantPurgeCall } from '../contracts/subgraphs/tenant-purge';
import { retentionPurgeCall } from '../contracts/subgraphs/retention-purge';
import { retentionPurgeRoute, type RetentionPurgeHandlers } from './routes/retention-purge.route';
import { startSubgraphApollo, subgraphGraphqlRoute } from './subgraph-graphql';
import { openSubgraphRuntime } from './subgraph-runtime';

export function subgraphConfigShape(name: SubgraphName, defaultPort: number) {
  return {
    ...environment,
    ...serviceKeys(name),
    ...database(name),
    ...readDatabase(name),
    ...redisFields,
    PORT: port(defaultPort).describe('`0` picks a free port (logged).'),
    // Entity batches from the gateway can be large; client bodies are limited at the gateway.
    SUBGRAPH_BODY_LIMIT_BYTES: integer(8 * 1024 * 1024, 1024, 100 * 1024 * 1024).describe(
      'Largest request body the subgraph reads (the gateway limits clients itself).',
    ),
    AUTH_INTERNAL_URL: url(['http', 'https'], 'http://127.0.0.1:4001').describe(
      'Where the auth process serves its internal routes (API key owners, verified emails...).',
    ),
    TENANCY_INTERNAL_URL: url(['http', 'https'], 'http://127.0.0.1:4002').describe(
      'Where the tenancy process serves its internal routes (tenant status, roles...).',
    ),
  };
}

type BaseShape = ReturnType<typeof subgraphConfigShape>;
export type SubgraphConfig = z.infer<z.ZodObject<BaseShape>>;

/** What a subgraph's context factory and readiness checks can use. */
export interface SubgraphRuntime<TConfig extends SubgraphConfig = SubgraphConfig> {
  config: TConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  dataSource: DataSource;
  redis: RedisClient;
  /** This process's key: signs what it calls, verifies what it serves. */
  signing: ServiceSigning;
  /** Claims the nonces of signed requests that change something. */
  replayGuard: ReplayGuard;
  /** Calls other processes' internal routes (platform/contracts/). */
  internal: InternalClient;
}

/** The long-lived parts a subgraph builds once per process (caches, key sets, background loops). */
export interface SubgraphServices<TServices> {
  services: TServices;
  /** Extra HTTP routes of this process, by exact path (internal endpoints, JWKS). */
  routes?: Partial<Record<string, RequestHandler>>;
  /** Extra HTTP routes for every path under a prefix ending in `/` (blob uploads/downloads). */
  prefixRoutes?: Partial<Record<string, { route: HttpRoute; handle: RequestHandler }>>;
  /** Told the process's own URL once it listens (with PORT=0 the port is known only then). */
  onListening?: (url: string) => void;
  readiness?: ReadinessCheck[];
  /** Stops background work; runs on shutdown before the pools close. */
  close?: () => Promise<void>;
}

export interface SubgraphDefinition<
  TContext extends object,
  TShape extends z.ZodRawShape = Record<never, never>,
  TServices = undefined,
> {
  name: SubgraphName;
  defaultPort: number;
  /** Environment variables of this subgraph alone, validated together with the common ones. */
  config?: { shape: TShape; rules?: ConfigRule<SubgraphConfig & z.infer<z.ZodObject<TShape>>>[] };
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  resolvers: object;
  /**
   * The subgraph's tenant-owned tables, emptied in this order for a deleted tenant by its
   * `POST /internal/purge-tenant` route (platform/contracts/subgraphs/tenant-purge.ts), once
   * tenancy says the tenant is no longer live.
   */
  purgeTables?: readonly PurgeTable[];
  /**
   * Deletes the rows of each retention purge target this subgraph owns, for the worker's
   * retention jobs, through `POST /internal/retention-purge` (see platform/contracts/jobs/purge-targets.ts).
   */
  retentionPurge?: (
    runtime: SubgraphRuntime<SubgraphConfig & z.infer<z.ZodObject<TShape>>>,
    services: TServices,
  ) => RetentionPurgeHandlers;
  setup?: (
    runtime: SubgraphRuntime<SubgraphConfig & z.infer<z.ZodObject<TShape>>>,
  ) => SubgraphServices<TServices> | Promise<SubgraphServices<TServices>>;
  /** Builds the per-request context (services, DataLoaders) from the verified request context. */
  createContext(
    request: RequestContext,
    runtime: SubgraphRuntime<SubgraphConfig & z.infer<z.ZodObject<TShape>>>,
    services: TServices,
  ): TContext;
}

/**
 * The common and the subgraph's own variables as one schema, so every problem is reported
 * in one go (and deployment tests can check an environment the same way the process does).
 */
export function subgraphConfigSchema<TShape extends z.ZodRawShape>(definition: {
  name: SubgraphName;
  defaultPort: number;
  config?: { shape: TShape; rules?: readonly ConfigRule<never>[] };
}) {
  return {
    shape: {
      ...subgraphConfigShape(definition.name, definition.defaultPort),
      ...definition.config?.shape,
    },
    rules: [
      refuseDevelopmentKeysInProduction(definition.name),
      requireRedisNodesOutsideStandalone,
      ...(definition.config?.rules ?? []),
    ] as ConfigRule<z.infer<z.ZodObject<z.ZodRawShape>>>[],
  };
}

export interface RunningSubgraph<TServices = unknown> extends RunningService {
  runtime: SubgraphRuntime;
  services: TServices;
}

/**
 * Starts one subgraph process: config, logs, metrics, database pool, Redis, the Apollo
 * subgraph schema from `schema/<name>.graphql`, and the HTTP frame. Only requests carrying a
 * valid gateway signature reach a resolver.
 */
export async function startSubgraph<
  TContext extends object,
  TShape extends z.ZodRawShape,
  TServices,
>(
  definition: SubgraphDefinition<TContext, TShape, TServices>,
  env?: NodeJS.ProcessEnv,
): Promise<RunningSubgraph<TServices>> {
  type Config = SubgraphConfig & z.infer<z.ZodObject<TShape>>;
  const { shape, rules } = subgraphConfigSchema(definition);
  const config = loadConfig(shape, rules, env) as Config;
  const logger = createLogger(definition.name, config.LOG_LEVEL);
  const tracing = await startTracing(definition.name, config);
  const metrics = createServiceMetrics(definition.name);
  const { runtime, readReplica } = await openSubgraphRuntime(definition, config, logger, metrics);
  const { dataSource, redis } = runtime;
  const setup: SubgraphServices<TServices> = definition.setup
    ? await definition.setup(runtime)
    : { services: undefined as TServices };
  const apollo = await startSubgraphApollo<TContext>(
    definition.name,
    definition.resolvers,
    config.NODE_ENV === 'production',
    logger,
    metrics,
  );
  const graphql = subgraphGraphqlRoute(
    apollo,
    runtime,
    config.SUBGRAPH_BODY_LIMIT_BYTES,
    (request) => definition.createContext(request, runtime, setup.services),
  );

  const running = await startServiceServer({
    name: definition.name,
    ...listenOptions(config),
    logger,
    metrics,
    readiness: [
      { name: 'postgres', check: () => dataSource.query('SELECT 1') },
      { name: 'redis', check: () => redis.ping() },
      ...(setup.readiness ?? []),
    ],
    prefixRoutes: setup.prefixRoutes,
    routes: {
      ...internalRoutes(definition, runtime, setup),
      '/graphql': { route: 'graphql', handle: graphql },
    },
    onShutdown: async () => {
      await apollo.stop();
      await setup.close?.();
      await runtime.internal.close();
      await tracing.shutdown();
      await readReplica?.stop();
      await dataSource.destroy();
      await closeRedis(redis);
    },
  });
  setup.onListening?.(running.url);
  return { ...running, runtime, services: setup.services };
}

/** The maintenance routes the definition asks for (tenant purge, retention purge), and its own. */
function internalRoutes<TShape extends z.ZodRawShape, TServices>(
  definition: SubgraphDefinition<object, TShape, TServices>,
  runtime: SubgraphRuntime<SubgraphConfig & z.infer<z.ZodObject<TShape>>>,
  setup: SubgraphServices<TServices>,
): Record<string, { route: 'internal'; handle: RequestHandler }> {
  const routes: Partial<Record<string, RequestHandler>> = {
    ...(definition.purgeTables && {
      [tenantPurgeCall.path]: tenantPurgeRoute(runtime, {
        tables: definition.purgeTables,
        guard: askTenancyIfLive(runtime.internal),
      }),
    }),
    ...(definition.retentionPurge && {
      [retentionPurgeCall.path]: retentionPurgeRoute(
        runtime,
        definition.retentionPurge(runtime, setup.services),
      ),
    }),
    ...setup.routes,
  };
  return Object.fromEntries(
    Object.entries(routes).map(([path, handle]) => [
      path,
      { route: 'internal' as const, handle: handle! },
    ]),
  );
}

/** The `main` of a subgraph process: start, drain on SIGTERM, exit 1 if it cannot start. */
export function runSubgraphProcess<
  TContext extends object,
  TShape extends z.ZodRawShape,
  TServices,
>(definition: SubgraphDefinition<TContext, TShape, TServices>): void {
  startSubgraph(definition).then(
    (running) => exitOnSignals(running, running.runtime.logger),
    (error: unknown) => {
      process.stderr.write(
        `${definition.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
