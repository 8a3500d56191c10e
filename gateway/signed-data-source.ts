import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Histogram } from 'prom-client';
import { signContext, type RequestContext } from '../platform/context';
import { ErrorCode, isPublicErrorCode } from '../platform/errors';
import {
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
  traceCarrier,
} from '../platform/observability/tracing';

export interface GatewayContext {
  request: RequestContext;
  /** Set when the gateway runs an operation to deliver a subscription's event. */
  delivery?: boolean;
}

/** Sends every subgraph request with the signed request context and nothing from the client. */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly signingSecret: string,
    /** Times each fetch (see subgraph-fetch-metrics.ts), labelled with `subgraph`. */
    private readonly fetches?: { subgraph: string; duration: Histogram<'subgraph' | 'outcome'> },
  ) {
    super({ url });
  }

  override process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    const request = 'request' in options.context ? options.context.request : undefined;
    const subgraph = this.fetches?.subgraph ?? 'unknown';
    return inSpan(
      `subgraph.fetch ${subgraph}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'tessera.subgraph': subgraph,
          ...(request && { [REQUEST_ID_ATTRIBUTE]: request.requestId }),
        },
      },
      () => this.timed(options),
    );
  }

  private async timed(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    if (!this.fetches) return super.process(options);
    const { subgraph, duration } = this.fetches;
    const stop = duration.startTimer({ subgraph });
    try {
      const response = await super.process(options);
      stop({ outcome: response.errors?.length ? 'error' : 'ok' });
      return response;
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const requestContext = 'request' in context ? context.request : undefined;
    if (!requestContext) return; // health checks and schema loading carry no request
    const headers = signContext(requestContext, this.signingSecret);
    for (const [name, value] of Object.entries(headers)) request.http?.headers.set(name, value);
    request.http?.headers.set('x-request-id', requestContext.requestId);
    // The fetch's span as the subgraph's parent (W3C traceparent); nothing when tracing is off.
    for (const [name, value] of Object.entries(traceCarrier())) {
      request.http?.headers.set(name, value);
    }
  }

  /**
   * A subgraph answers some client mistakes with an HTTP error status and a coded GraphQL
   * error (e.g. a variable that is not a valid DateTime: 400 BAD_USER_INPUT). Keep that error
   * rather than Apollo's generic "400: Bad Request", which would be masked as internal.
   */
  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0],
  ) {
    const copy = response.clone();
    try {
      const body = (await copy.json()) as {
        errors?: { message?: unknown; extensions?: { code?: unknown } }[];
      };
      const first = body.errors?.[0];
      const code = first?.extensions?.code;
      if (
        typeof first?.message === 'string' &&
        isPublicErrorCode(code) &&
        code !== ErrorCode.INTERNAL_SERVER_ERROR
      ) {
        return new GraphQLError(first.message, { extensions: { code } });
      }
    } catch {
      // not a GraphQL error body: the generic error below
    }
    return super.errorFromResponse(response);
  }
}
