import { OutboundRequestError } from '../../../platform/outbound/errors';
import { safeFetch } from '../../../platform/outbound/safe-fetch';
import { systemResolver, type Resolver } from '../../../platform/outbound/vet-url';
import { type OutboundPolicy } from '../../../platform/outbound/policy';
import { signWebhook } from './signature';

/** What an attempt log keeps of the answer. */
export const MAX_LOGGED_RESPONSE_BYTES = 4 * 1024;
/** What is ever read of an answer; the rest is dropped unread. */
export const MAX_READ_RESPONSE_BYTES = 1024 * 1024;

const USER_AGENT = 'Tessera-Webhooks/1.0';

export interface WebhookMessage {
  /** The `webhook-id`: the event's id, so a receiver can drop repeats. */
  id: string;
  /** The JSON body, exactly as signed. */
  body: string;
  /** Live secrets, newest first. */
  secrets: readonly string[];
}

export interface WebhookResponse {
  /** Null when no answer came. */
  statusCode: number | null;
  headers: Record<string, string | string[] | undefined>;
  /** The answer as read (at most `maxResponseBytes`). */
  body: Buffer;
  durationMs: number;
  /** Why no answer came (timeout, refused address, connection error), for the tenant's eyes. */
  error: string | null;
  /** The refusal or failure kind from the outbound client, for metrics and tests. */
  failure: OutboundRequestError['reason'] | null;
}

/**
 * POSTs one signed message with the SSRF-safe client: DNS resolved and checked again at every
 * request, the socket pinned to the checked address, redirects returned rather than followed,
 * one deadline for everything, and at most `maxResponseBytes` of the answer read. Connections
 * to the same vetted address are kept alive and reused.
 */
export async function sendWebhook(
  url: string,
  message: WebhookMessage,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<WebhookResponse> {
  const started = performance.now();
  try {
    const response = await safeFetch(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          ...signWebhook(message),
        },
        body: message.body,
        onTooLarge: 'truncate',
        // Deliveries go to the same few receivers again and again: a handshake per request
        // cost more than the request itself.
        keepAlive: true,
      },
      policy,
      resolve,
    );
    return {
      statusCode: response.status,
      headers: response.headers,
      body: response.body,
      durationMs: Math.round(response.durationMs),
      error: null,
      failure: null,
    };
  } catch (error) {
    if (!(error instanceof OutboundRequestError)) throw error;
    return {
      statusCode: null,
      headers: {},
      body: Buffer.alloc(0),
      durationMs: Math.round(performance.now() - started),
      error: error.message,
      failure: error.reason,
    };
  }
}

/** The first 4 KiB of an answer as text, cut on a character boundary. */
export function loggedResponseBody(body: Buffer): string | null {
  if (body.length === 0) return null;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(
    body.subarray(0, MAX_LOGGED_RESPONSE_BYTES),
  );
  // A multi-byte character cut in two decodes as U+FFFD; NUL cannot be stored in text.
  return text
    .replace(/\uFFFD$/, '')
    .replaceAll('\u0000', '')
    .slice(0, MAX_LOGGED_RESPONSE_BYTES);
}
