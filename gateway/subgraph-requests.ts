import type { Histogram } from 'prom-client';
import {
  CONTEXT_HEADER,
  encodeContext,
  type RequestSigner,
} from '../platform/context/signed-request';
import { isServiceName } from '../platform/context/service-keys';
import {
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
  traceCarrier,
} from '../platform/observability/tracing';
import type { FederatedGatewayOptions } from './federation/federated-gateway';
import type { GatewayContext } from './gateway-context';
import { REQUEST_ID_HEADER } from './http/request-context';

type Hooks = Pick<
  FederatedGatewayOptions<GatewayContext>,
  'requestHeaders' | 'fetchHeaders' | 'aroundFetch'
>;

/**
 * What every subgraph fetch carries: the request context (the only identity subgraphs trust;
 * nothing of the client's request is forwarded), encoded once per request, with a signature
 * of its own over this fetch's subgraph, path and body (none without a signer: policies off);
 * the request id; and around each fetch, its span (whose traceparent the subgraph continues)
 * and its duration.
 */
export function subgraphRequestHooks(
  signer: RequestSigner | undefined,
  duration: Histogram<'subgraph' | 'outcome'>,
): Hooks {
  return {
    requestHeaders: ({ request }) => ({
      ...(signer && { [CONTEXT_HEADER]: encodeContext(request) }),
      [REQUEST_ID_HEADER]: request.requestId,
    }),
    fetchHeaders: signer
      ? ({ subgraph, path, body }, headers) => {
          if (!isServiceName(subgraph)) throw new Error(`${subgraph} is not a Tessera service`);
          return signer.sign(
            { audience: subgraph, method: 'POST', path, body },
            headers[CONTEXT_HEADER]!,
          );
        }
      : undefined,
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
            stop({ outcome: 'errors' in result && result.errors?.length ? 'error' : 'ok' });
            return result;
          } catch (error) {
            stop({ outcome: 'failed' });
            throw error;
          }
        },
      ),
  };
}
