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
import { currentContext, runWithContext, type RequestContext } from '../context/request-context';
import { DomainError } from '../errors/domain-errors';
import { maskError } from '../errors/mask';
import { parseJsonBody, readBody } from '../http/body';
import { sendGraphQLError, sendJson } from '../http/respond';
import type { RequestHandler } from '../http/service-server';
import { verifySignedBody, verifySignedHeaders } from '../http/signed-json-route';
import type { ServiceMetrics } from '../observability/metrics';
import {
  annotateActiveSpan,
  contextFromCarrier,
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
} from '../observability/tracing';
import { subgraphSchemaPath, type SubgraphName } from '../paths';
import { apolloLogger } from '../graphql/apollo-logger';
import { executeApollo } from '../graphql/apollo-http';
import { enforceFieldPolicies } from '../graphql/field-policy';
import { metricsPlugin } from '../graphql/metrics-plugin';
import type { SubgraphRuntime } from './subgraph-service';
import { tracingPlugin } from '../graphql/tracing-plugin';

/** The one caller of every subgraph's /graphql. */
const GRAPHQL_CALLERS = ['gateway'] as const;

/** Apollo Server over the subgraph schema from `schema/<name>.graphql`; started. */
export async function startSubgraphApollo<TContext extends object>(
  name: SubgraphName,
  resolvers: object,
  production: boolean,
  logger: Logger,
  metrics: ServiceMetrics,
): Promise<ApolloServer<TContext>> {
  const typeDefs = parse(readFileSync(subgraphSchemaPath(name), 'utf8'));
  const apollo = new ApolloServer<TContext>({
    // The resolver map is typed per subgraph by codegen; Apollo's own type is looser.
    schema: enforceFieldPolicies(
      buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]),
    ),
    logger: apolloLogger(logger),
    introspection: !production,
    // Without introspection, validation errors name no field, type or value the query did not.
    hideSchemaDetailsFromClientErrors: production,
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
  return apollo;
}

/**
 * `POST /graphql`: only the gateway calls it, and each request is signed over its own body.
 * A child of the gateway's fetch span when the request carries its `traceparent`.
 */
export function subgraphGraphqlRoute<TContext extends object>(
  apollo: ApolloServer<TContext>,
  runtime: SubgraphRuntime,
  bodyLimitBytes: number,
  createContext: (request: RequestContext) => TContext,
): RequestHandler {
  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let requestId = String(req.headers['x-request-id'] ?? 'none').slice(0, 128);
    try {
      const verified = verifySignedHeaders(runtime, req, GRAPHQL_CALLERS, '/graphql');
      const request = verified.context;
      requestId = request.requestId;
      annotateActiveSpan({ [REQUEST_ID_ATTRIBUTE]: requestId });
      await runWithContext(request, async () => {
        const raw = await readBody(req, bodyLimitBytes);
        const body = parseJsonBody(raw, req.headers['content-type']);
        await verifySignedBody(runtime, verified, req, raw, {
          mutating: mayChangeData(body),
          route: '/graphql',
        });
        await executeApollo(apollo, req, res, body, createContext(request));
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      req.resume();
      sendGraphQLError(res, error, requestId);
    }
  };
  const handleGraphQL = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    inSpan(
      'graphql.request',
      { kind: SpanKind.SERVER, parent: contextFromCarrier(req.headers) },
      () => serveGraphQL(req, res),
    );
  return (req, res) =>
    req.method === 'POST'
      ? handleGraphQL(req, res)
      : Promise.resolve(sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' }));
}

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
