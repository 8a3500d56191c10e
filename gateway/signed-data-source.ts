import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { signContext, type RequestContext } from '../platform/context';

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
  ) {
    super({ url });
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
  }
}
