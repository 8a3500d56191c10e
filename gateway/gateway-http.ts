import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BLOB_PATH_PREFIX } from '../platform/contracts/assets/blob-path';
import { runWithContext, type RequestContext } from '../platform/context/request-context';
import { DomainError } from '../platform/errors/domain-errors';
import { executeApollo } from '../platform/graphql/apollo-http';
import { parseJsonBody, readBody } from '../platform/http/body';
import { sendGraphQLError } from '../platform/http/respond';
import type { RequestHandler, ServiceServerOptions } from '../platform/http/service-server';
import {
  AUDIT_EXPORT_PATH,
  AUDIT_EXPORT_PATH_PREFIX,
} from '../platform/contracts/observability/audit-export-path';
import {
  annotateActiveSpan,
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
} from '../platform/observability/tracing';
import { admitRequest, type Admission } from './auth/admission';
import { blobProxy, pathProxy } from './http/blob-proxy';
import { internalUrl, type GatewayConfig } from './config';
import type { GatewayApollo } from './gateway-apollo';
import type { GatewayContext } from './gateway-context';
import type { GatewayServices } from './gateway-services';
import { buildRequestContext, REQUEST_ID_HEADER, requestIdFor } from './http/request-context';

/**
 * HTTP GraphQL: CORS, admission (API key or session, rate limits), then the body, inside the
 * caller's async context. Each request is a trace of its own (the public edge does not continue
 * a client's trace); subgraph fetches and the jobs they enqueue become its children.
 */
export function graphqlHandler(
  config: GatewayConfig,
  { apollo, passThrough }: Pick<GatewayApollo, 'apollo' | 'passThrough'>,
  { auth, edge, usage }: GatewayServices,
): RequestHandler {
  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdFor(req);
    annotateActiveSpan({ [REQUEST_ID_ATTRIBUTE]: requestId });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (await edge.cors(req, res, requestId)) return;
    let request: RequestContext;
    let admission: Admission | undefined;
    try {
      request = buildRequestContext(req, requestId, { trustProxy: config.GATEWAY_TRUST_PROXY });
      if (auth && edge.rateLimits) {
        admission = await admitRequest(req, request, {
          rateLimits: edge.rateLimits,
          authenticators: auth.authenticators,
          roles: auth.roles,
        });
        request = admission.request;
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      req.resume();
      return sendGraphQLError(res, error, requestId, req.headers.accept);
    }
    await runWithContext(request, async () => {
      let body: unknown;
      try {
        const raw =
          req.method === 'POST'
            ? await readBody(req, config.GATEWAY_BODY_LIMIT_BYTES)
            : Buffer.alloc(0);
        body = parseJsonBody(raw, req.headers['content-type']);
        edge.checkTokens(req, body);
      } catch (error) {
        if (error instanceof DomainError)
          return sendGraphQLError(res, error, requestId, req.headers.accept);
        throw error;
      }
      const counted: NonNullable<GatewayContext['usage']> = {};
      const context: GatewayContext = { request, usage: counted, admission };
      const passed = await passThrough?.(req, body, context);
      let bytes: number;
      if (passed && 'answer' in passed) {
        // As Apollo Server writes a JSON answer (apollo-http.ts).
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(passed.answer);
        bytes = passed.answer.length;
      } else {
        bytes = await executeApollo(apollo, req, res, body, passed?.context ?? context);
      }
      if (counted.tenantId) usage?.responseBytes(counted.tenantId, bytes);
    });
  };
  return (req, res) =>
    inSpan('graphql.request', { kind: SpanKind.SERVER }, () => serveGraphQL(req, res));
}

type Routes = Pick<ServiceServerOptions, 'routes' | 'prefixRoutes'>;

/** GraphQL on `/` and `/graphql`, auth's JWKS routes, and (with policies on) the proxies. */
export function gatewayRoutes(
  config: GatewayConfig,
  supergraphSdl: string,
  handleGraphQL: RequestHandler,
  { auth }: GatewayServices,
  logger: Logger,
): Routes {
  return {
    routes: {
      ...Object.fromEntries(
        Object.entries(auth?.routes ?? {}).map(([path, handle]) => [
          path,
          { route: 'jwks' as const, handle },
        ]),
      ),
      '/': { route: 'graphql', handle: handleGraphQL },
      '/graphql': { route: 'graphql', handle: handleGraphQL },
    },
    // The assets process's signed upload and download URLs, served on the public port.
    prefixRoutes:
      config.GATEWAY_POLICIES === 'on'
        ? {
            [BLOB_PATH_PREFIX]: {
              route: 'blobs',
              handle: blobProxy(internalUrl(config, supergraphSdl, 'assets'), logger),
            },
            // Platform administrators' signed audit export URLs, streamed from observability.
            [AUDIT_EXPORT_PATH_PREFIX]: {
              route: 'audit-exports',
              handle: pathProxy(internalUrl(config, supergraphSdl, 'observability'), logger, {
                path: AUDIT_EXPORT_PATH,
                what: 'Audit export',
                service: 'observability',
              }),
            },
          }
        : undefined,
  };
}
