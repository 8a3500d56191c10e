import type { Histogram } from 'prom-client';
import { signContext } from '../platform/context';
import {
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
  traceCarrier,
} from '../platform/observability/tracing';
import type { FederatedGatewayOptions } from './federation/federated-gateway';
import type { GatewayContext } from './gateway-context';
import { REQUEST_ID_HEADER } from './request-context';

type Hooks = Pick<FederatedGatewayOptions<GatewayContext>, 'requestHeaders' | 'aroundFetch'>;

/**
 * What every subgraph fetch carries: the signed request context (the only identity subgraphs
 * trust; nothing of the client's request is forwarded) and the request id; and around each
 * fetch, its span (whose traceparent the subgraph continues) and its duration.
 */
export function subgraphRequestHooks(
  signingSecret: string,
  duration: Histogram<'subgraph' | 'outcome'>,
): Hooks {
  return {
    requestHeaders: ({ request }) => ({
      ...signContext(request, signingSecret),
      [REQUEST_ID_HEADER]: request.requestId,
    }),
    aroundFetch: (subgraph, { request }, send) =>
      inSpan(
        `subgraph.fetch ${subgraph}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'tessera.subgraph': subgraph, [REQUEST_ID_ATTRIBUTE]: request.requestId },
        },
        async () => {
          const stop = duration.startTimer({ subgraph });
          try {
            const result = await send(traceCarrier());
            stop({ outcome: result.errors?.length ? 'error' : 'ok' });
            return result;
          } catch (error) {
            stop({ outcome: 'failed' });
            throw error;
          }
        },
      ),
  };
}
