import { randomUUID, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../../../platform/crypto/tokens';
import { ValidationError } from '../../../platform/errors/domain-errors';
import type { OutboundPolicy } from '../../../platform/outbound/policy';
import type { Resolver } from '../../../platform/outbound/vet-url';
import { challengeProof } from './signature';
import { sendWebhook } from './webhook-request';

export const VERIFICATION_EVENT_TYPE = 'webhook.endpoint.verification';
/** A challenge answer is a few bytes of JSON; nothing more is read. */
const MAX_ANSWER_BYTES = 64 * 1024;
const EXPECTED =
  'it must answer 2xx with {"proof": "v1,<base64 HMAC-SHA256 of the challenge with the secret>"}';

/** Why a verification failed: `extensions.reason` of its BAD_USER_INPUT. */
const VerificationFailure = {
  STATUS: 'status',
  NOT_JSON: 'not-json',
  /** The answer repeats the challenge without the proof: any echo server does that. */
  CHALLENGE_ECHOED: 'challenge-echoed',
  PROOF_MISSING: 'proof-missing',
  /** A proof made with another secret, or over something else. */
  PROOF_MISMATCH: 'proof-mismatch',
} as const;

/**
 * The ownership challenge: POSTs `{ type: "webhook.endpoint.verification", challenge, … }`,
 * signed like any delivery, and requires a 2xx answer whose JSON body is
 * `{ "proof": challengeProof(secret, challenge) }` within the webhook timeout. The proof is an
 * HMAC only a holder of the endpoint's secret can make, so a server that merely answers what
 * it was sent (an echo route, a request bin) does not pass for the tenant's. While a rotation's
 * grace period lasts, a proof with either live secret passes. Throws BAD_USER_INPUT with the
 * reason; returns when the endpoint proved it is the tenant's.
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
      VerificationFailure.STATUS,
      `the endpoint answered HTTP ${response.statusCode}; ${EXPECTED}` +
        (response.statusCode >= 300 && response.statusCode < 400
          ? ' (redirects are not followed)'
          : ''),
    );
  }
  const text = response.body.toString('utf8');
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw fail(VerificationFailure.NOT_JSON, `the answer is not JSON; ${EXPECTED}`);
  }
  const proof =
    typeof answer === 'object' && answer !== null ? (answer as { proof?: unknown }).proof : null;
  if (typeof proof === 'string' && secrets.some((secret) => sameProof(proof, secret, challenge))) {
    return;
  }
  if (typeof proof === 'string') {
    throw fail(
      VerificationFailure.PROOF_MISMATCH,
      "the proof is not the HMAC-SHA256 of the challenge with the endpoint's secret",
    );
  }
  if (text.includes(challenge)) {
    throw fail(
      VerificationFailure.CHALLENGE_ECHOED,
      `the answer repeats the challenge instead of proving the endpoint holds its secret; ${EXPECTED}`,
    );
  }
  throw fail(VerificationFailure.PROOF_MISSING, `the answer has no proof; ${EXPECTED}`);
}

function sameProof(proof: string, secret: string, challenge: string): boolean {
  const expected = Buffer.from(challengeProof(secret, challenge));
  const given = Buffer.from(proof);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
