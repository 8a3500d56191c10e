import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { inSpan, REQUEST_ID_ATTRIBUTE, SpanKind } from '../../../../platform/observability/tracing';
import type { WebhookDeliveryJob } from '../../webhooks/delivery-job';
import type { WebhookResponse } from '../../webhooks/webhook-request';
import type { DeliveryOutcome } from './webhook-metrics';

/**
 * One delivery attempt as a span, a child of the delivery job's (which continues the trace of
 * the request behind the delivery): the signed POST and its recording, so a trace shows each
 * try of a webhook, its HTTP status and how it ended. Nothing when tracing is off.
 */
export function inAttemptSpan<T>(
  data: WebhookDeliveryJob,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  return inSpan(
    'webhook.attempt',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'tessera.webhook.delivery_id': data.deliveryId,
        'tessera.webhook.endpoint_id': data.endpointId,
        'tessera.webhook.event_id': data.eventId,
        ...(data.requestId && { [REQUEST_ID_ATTRIBUTE]: data.requestId }),
      },
    },
    fn,
  );
}

/** What the attempt came to: the answer's status (or why there was none) and the outcome. */
export function describeAttempt(
  span: Span | undefined,
  response: Pick<WebhookResponse, 'statusCode' | 'error' | 'durationMs'>,
  recorded: { outcome: DeliveryOutcome; attempt?: number },
): void {
  if (!span) return;
  span.setAttributes({
    'tessera.webhook.outcome': recorded.outcome,
    ...(recorded.attempt !== undefined && { 'tessera.webhook.attempt': recorded.attempt }),
    ...(response.statusCode !== null && { 'http.response.status_code': response.statusCode }),
  });
  // A receiver that refused or never answered is the attempt's failure, not the worker's.
  if (recorded.outcome === 'failed' || recorded.outcome === 'dead') {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message:
        response.statusCode === null
          ? (response.error ?? 'no answer')
          : `HTTP ${response.statusCode}`,
    });
  }
}
