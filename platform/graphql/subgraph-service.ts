import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import {
  contextSigning,
  database,
  environment,
  integer,
  loadConfig,
  port,
  redis as redisFields,
  refuseDevelopmentSecretInProduction,
  requireRedisNodesOutsideStandalone,
} from '../config';
import {
  ContextRejectedError,
  currentContext,
  runWithContext,
  verifyContext,
  type RequestContext,
} from '../context';
import { connect, createDataSource } from '../db';
import { maskError, UnauthenticatedError, DomainError } from '../errors';
import {
  exitOnSignals,
  parseJsonBody,
  readBody,
  sendGraphQLError,
  sendJson,
  startServiceServer,
  type ReadinessCheck,
  type RunningService,
} from '../http';
import { createLogger } from '../observability/logger';
import { createServiceMetrics, type ServiceMetrics } from '../observability/metrics';
import { closeRedis, createRedis, type RedisClient } from '../redis';
import { subgraphSchemaPath, type SubgraphName } from '../paths';
import { apolloLogger } from './apollo-logger';
import { executeApollo } from './apollo-http';
import { metricsPlugin } from './metrics-plugin';

export function subgraphConfigShape(defaultPort: number) {
  return {
    ...environment,
    ...contextSigning,
    ...database,
    ...redisFields,
    PORT: port(defaultPort),
    /** Entity batches from the gateway can be large; client bodies are limited at the gateway. */
    SUBGRAPH_BODY_LIMIT_BYTES: integer(8 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  };
}

export type SubgraphConfig = ReturnType<typeof loadSubgraphConfig>;

function loadSubgraphConfig(defaultPort: number, env?: NodeJS.ProcessEnv) {
  return loadConfig(
    subgraphConfigShape(defaultPort),
    [refuseDevelopmentSecretInProduction, requireRedisNodesOutsideStandalone],
    env,
  );
}

/** What a subgraph's context factory and readiness checks can use. */
export interface SubgraphRuntime {
  config: SubgraphConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  dataSource: DataSource;
  redis: RedisClient;
}

export interface SubgraphDefinition<TContext extends object> {
  name: SubgraphName;
  defaultPort: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  resolvers: object;
  /** Builds the per-request context (services, DataLoaders) from the verified request context. */
  createContext(request: RequestContext, runtime: SubgraphRuntime): TContext;
}

export interface RunningSubgraph extends RunningService {
  runtime: SubgraphRuntime;
}

/**
 * Starts one subgraph process: config, logs, metrics, database pool, Redis, the Apollo
 * subgraph schema from `schema/<name>.graphql`, and the HTTP frame. Only requests carrying a
 * valid gateway signature reach a resolver.
 */
export async function startSubgraph<TContext extends object>(
  definition: SubgraphDefinition<TContext>,
  env?: NodeJS.ProcessEnv,
): Promise<RunningSubgraph> {
  const config = loadSubgraphConfig(definition.defaultPort, env);
  const logger = createLogger(definition.name, config.LOG_LEVEL);
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
  const runtime: SubgraphRuntime = { config, logger, metrics, dataSource, redis };

  const typeDefs = parse(readFileSync(subgraphSchemaPath(definition.name), 'utf8'));
  const apollo = new ApolloServer<TContext>({
    // The resolver map is typed per subgraph by codegen; Apollo's own type is looser.
    schema: buildSubgraphSchema([{ typeDefs, resolvers: definition.resolvers as never }]),
    logger: apolloLogger(logger),
    introspection: config.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) =>
      // formatError runs inside the request's async context.
      maskError(formatted, error, currentContext()?.requestId, logger),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      metricsPlugin<TContext>(metrics),
    ],
  });
  await apollo.start();

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let request: RequestContext;
    try {
      request = verifyContext(
        req.headers,
        config.CONTEXT_SIGNING_SECRETS,
        config.CONTEXT_MAX_AGE_SECONDS,
      );
    } catch (error) {
      if (!(error instanceof ContextRejectedError)) throw error;
      logger.warn(
        { reason: error.reason, ip: req.socket.remoteAddress },
        'service context rejected',
      );
      req.resume();
      return sendGraphQLError(
        res,
        new UnauthenticatedError('Missing or invalid service context'),
        String(req.headers['x-request-id'] ?? 'none'),
      );
    }
    await runWithContext(request, async () => {
      let body: unknown;
      try {
        body = parseJsonBody(
          await readBody(req, config.SUBGRAPH_BODY_LIMIT_BYTES),
          req.headers['content-type'],
        );
      } catch (error) {
        if (error instanceof DomainError) return sendGraphQLError(res, error, request.requestId);
        throw error;
      }
      await executeApollo(apollo, req, res, body, definition.createContext(request, runtime));
    });
  };

  const readiness: ReadinessCheck[] = [
    { name: 'postgres', check: () => dataSource.query('SELECT 1') },
    { name: 'redis', check: () => redis.ping() },
  ];

  const running = await startServiceServer({
    name: definition.name,
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    logger,
    metrics,
    readiness,
    routes: {
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
      await dataSource.destroy();
      await closeRedis(redis);
    },
  });
  return { ...running, runtime };
}

/** The `main` of a subgraph process: start, drain on SIGTERM, exit 1 if it cannot start. */
export function runSubgraphProcess<TContext extends object>(
  definition: SubgraphDefinition<TContext>,
): void {
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
