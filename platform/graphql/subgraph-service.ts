import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Lexer, parse, Source, TokenKind } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { z } from 'zod';
import {
  database,
  environment,
  readDatabase,
  integer,
  loadConfig,
  port,
  type ConfigRule,
  redis as redisFields,
  refuseDevelopmentKeysInProduction,
  requireRedisNodesOutsideStandalone,
  serviceKeys,
  serviceSigning,
  url,
  type ServiceKeysConfig,
  type ServiceSigning,
} from '../config';
import { currentContext, ReplayGuard, runWithContext, type RequestContext } from '../context';
import { connect, createDataSource } from '../db';
import { startReadReplica } from '../db/start-read-replica';
import { maskError, DomainError } from '../errors';
import {
  exitOnSignals,
  parseJsonBody,
  readBody,
  sendGraphQLError,
  sendJson,
  startServiceServer,
  verifySignedBody,
  verifySignedHeaders,
  type ReadinessCheck,
  type RequestHandler,
  type RunningService,
} from '../http';
import { InternalClient } from '../internal-calls';
import { createLogger } from '../observability/logger';
import {
  createServiceMetrics,
  type HttpRoute,
  type ServiceMetrics,
} from '../observability/metrics';
import {
  annotateActiveSpan,
  contextFromCarrier,
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
  startTracing,
} from '../observability/tracing';
import { closeRedis, createRedis, type RedisClient } from '../redis';
import { subgraphSchemaPath, type SubgraphName } from '../paths';
import { apolloLogger } from './apollo-logger';
import { executeApollo } from './apollo-http';
import { enforceFieldPolicies } from './field-policy';
import { metricsPlugin } from './metrics-plugin';
import { tracingPlugin } from './tracing-plugin';
import { askTenancyIfLive, tenantPurgeRoute, type PurgeTable } from './tenant-purge-route';
import { tenantPurgeCall } from '../contracts/subgraphs/tenant-purge';
import { retentionPurgeCall } from '../contracts/subgraphs/retention-purge';
import { retentionPurgeRoute, type RetentionPurgeHandlers } from './retention-purge-route';

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
   * retention jobs, through `POST /internal/retention-purge` (see platform/retention/).
   */
  retentionPurge?: (
    runtime: SubgraphRuntime<SubgraphConfig & z.infer<z.ZodObject<TShape>>>,
    services: TServices,
  ) => RetentionPurgeHandlers;
  setup?: (
    runtime: SubgraphRuntime<SubgraphConfig & z.infer<z.ZodObject<TShape>>>,
  ) => Promise<SubgraphServices<TServices>>;
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
      refuseDevelopmentKeysInProduction(definition.name) as ConfigRule<ServiceKeysConfig>,
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
  const dataSource = await connect(
    createDataSource(config, {
      applicationName: `tessera-${definition.name}`,
      entities: definition.entities,
      logger,
      registry: metrics.registry,
    }),
  );
  const redis = createRedis(config, logger, { name: `${definition.name}:main` });
  const readReplica = await startReadReplica(config, {
    primary: dataSource,
    redis,
    applicationName: `tessera-${definition.name}`,
    entities: definition.entities,
    logger,
    registry: metrics.registry,
  });
  const signing = serviceSigning(config, definition.name);
  const runtime: SubgraphRuntime<Config> = {
    config,
    logger,
    metrics,
    dataSource,
    redis,
    signing,
    replayGuard: new ReplayGuard(redis, config.REDIS_PREFIX, config.CONTEXT_MAX_AGE_SECONDS),
    internal: new InternalClient({
      signer: signing.signer,
      urls: { auth: config.AUTH_INTERNAL_URL, tenancy: config.TENANCY_INTERNAL_URL },
      logger,
    }),
  };
  const setup: SubgraphServices<TServices> = definition.setup
    ? await definition.setup(runtime)
    : { services: undefined as TServices };

  const typeDefs = parse(readFileSync(subgraphSchemaPath(definition.name), 'utf8'));
  const apollo = new ApolloServer<TContext>({
    // The resolver map is typed per subgraph by codegen; Apollo's own type is looser.
    schema: enforceFieldPolicies(
      buildSubgraphSchema([{ typeDefs, resolvers: definition.resolvers as never }]),
    ),
    logger: apolloLogger(logger),
    introspection: config.NODE_ENV !== 'production',
    // Without introspection, validation errors name no field, type or value the query did not.
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
    includeStacktraceInErrorResponses: false,
    // Our own drain stops Apollo; its handlers would re-raise the signal as a second one.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) =>
      // formatError runs inside the request's async context.
      maskError(formatted, error, currentContext()?.requestId, logger),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      metricsPlugin<TContext>(metrics),
      tracingPlugin<TContext>(),
    ],
  });
  await apollo.start();

  // A child of the gateway's fetch span when the request carries its `traceparent`.
  const handleGraphQL = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    inSpan(
      'graphql.request',
      { kind: SpanKind.SERVER, parent: contextFromCarrier(req.headers) },
      () => serveGraphQL(req, res),
    );
  // Only the gateway calls /graphql; each request is signed over its own body.
  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let requestId = String(req.headers['x-request-id'] ?? 'none').slice(0, 128);
    try {
      const verified = verifySignedHeaders(runtime, req, GRAPHQL_CALLERS, '/graphql');
      const request = verified.context;
      requestId = request.requestId;
      annotateActiveSpan({ [REQUEST_ID_ATTRIBUTE]: requestId });
      await runWithContext(request, async () => {
        const raw = await readBody(req, config.SUBGRAPH_BODY_LIMIT_BYTES);
        const body = parseJsonBody(raw, req.headers['content-type']);
        await verifySignedBody(runtime, verified, req, raw, {
          mutating: mayChangeData(body),
          route: '/graphql',
        });
        await executeApollo(
          apollo,
          req,
          res,
          body,
          definition.createContext(request, runtime, setup.services),
        );
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      req.resume();
      sendGraphQLError(res, error, requestId);
    }
  };

  const readiness: ReadinessCheck[] = [
    { name: 'postgres', check: () => dataSource.query('SELECT 1') },
    { name: 'redis', check: () => redis.ping() },
    ...(setup.readiness ?? []),
  ];
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
  const extraRoutes = Object.fromEntries(
    Object.entries(routes).map(([path, handle]) => [
      path,
      { route: 'internal' as const, handle: handle! },
    ]),
  );

  const running = await startServiceServer({
    name: definition.name,
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    logger,
    metrics,
    readiness,
    prefixRoutes: setup.prefixRoutes,
    routes: {
      ...extraRoutes,
      '/graphql': {
        route: 'graphql',
        handle: (req, res) =>
          req.method === 'POST'
            ? handleGraphQL(req, res)
            : Promise.resolve(sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' })),
      },
    },
    onShutdown: async () => {
      await apollo.stop();
      await setup.close?.();
      await tracing.shutdown();
      await readReplica?.stop();
      await dataSource.destroy();
      await closeRedis(redis);
    },
  });
  setup.onListening?.(running.url);
  return { ...running, runtime: runtime as SubgraphRuntime, services: setup.services };
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

/** The one caller of every subgraph's /graphql. */
const GRAPHQL_CALLERS = ['gateway'] as const;

/**
 * Whether a subgraph request may change data, so its nonce must be claimed: anything whose
 * document does not start with a query (the gateway sends one operation per fetch). Replaying
 * a query only repeats an answer; a mutation must run once.
 */
function mayChangeData(body: unknown): boolean {
  const query = (body as { query?: unknown } | null)?.query;
  if (typeof query !== 'string') return true;
  try {
    const first = new Lexer(new Source(query)).advance();
    return !(
      first.kind === TokenKind.BRACE_L ||
      (first.kind === TokenKind.NAME && first.value === 'query')
    );
  } catch {
    return true;
  }
}
