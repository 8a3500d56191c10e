import { randomUUID } from 'node:crypto';
import { randomToken } from '../../../platform/crypto';
import { ValidationError } from '../../../platform/errors';
import type { OutboundPolicy, Resolver } from '../../../platform/outbound';
import { sendWebhook } from './webhook-request';

export const VERIFICATION_EVENT_TYPE = 'webhook.endpoint.verification';
/** A challenge answer is a few bytes of JSON; nothing more is read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The ownership challenge: POSTs `{ type: "webhook.endpoint.verification", challenge, … }`,
 * signed like any delivery, and requires a 2xx answer whose JSON body is
 * `{ "challenge": "<the same value>" }` within the webhook timeout. Throws BAD_USER_INPUT
 * saying what went wrong; returns when the endpoint proved it is the tenant's.
 */
export async function runVerificationChallenge(
  endpoint: { id: string; url: string },
  secrets: readonly string[],
  policy: OutboundPolicy,
  resolve?: Resolver,
): Promise<void> {
  const challenge = randomToken(24);
  const body = JSON.stringify({
    type: VERIFICATION_EVENT_TYPE,
    challenge,
    timestamp: new Date().toISOString(),
    data: { endpointId: endpoint.id },
  });
  const response = await sendWebhook(
    endpoint.url,
    { id: randomUUID(), body, secrets },
    { ...policy, maxResponseBytes: MAX_ANSWER_BYTES },
    resolve,
  );
  const fail = (reason: string, detail: string) =>
    new ValidationError(`Endpoint verification failed: ${detail}`, { field: 'url', reason });
  if (response.statusCode === null) {
    throw fail(response.failure ?? 'no-answer', response.error ?? 'no answer');
  }
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw fail(
      'status',
      `the endpoint answered HTTP ${response.statusCode}; it must answer 2xx with {"challenge": "<the challenge>"}` +
        (response.statusCode >= 300 && response.statusCode < 400
          ? ' (redirects are not followed)'
          : ''),
    );
  }
  let answer: unknown;
  try {
    answer = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw fail('not-json', 'the answer is not JSON; it must be {"challenge": "<the challenge>"}');
  }
  if (
    typeof answer !== 'object' ||
    answer === null ||
    (answer as { challenge?: unknown }).challenge !== challenge
  ) {
    throw fail('challenge-mismatch', 'the answer does not echo the challenge');
  }
}
