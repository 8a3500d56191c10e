import { ValidationError } from '../errors/domain-errors';
import { OutboundRequestError } from './errors';
import type { OutboundPolicy } from './policy';
import { assertSafeUrl, systemResolver, type Resolver } from './vet-url';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Checks a URL a tenant wants webhooks at (its webhook endpoints, a Slack alert channel): absolute http(s) (https only in production), no
 * credentials or fragment, at most 2048 characters, and a host whose every address the SSRF
 * filter allows now (deliveries check again each time). Returns it as the WHATWG parser
 * serializes it. Errors are BAD_USER_INPUT naming the reason, never an internal address.
 */
export async function validateWebhookUrl(
  raw: string,
  options: { allowHttp: boolean; policy: OutboundPolicy; resolve?: Resolver; field?: string },
): Promise<string> {
  const fail = (message: string, reason = 'invalid-url') =>
    new ValidationError(message, { field: options.field ?? 'url', reason });
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    throw fail(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fail('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) {
    throw fail(options.allowHttp ? 'url must be http or https' : 'url must use https');
  }
  if (url.username !== '' || url.password !== '') throw fail('url must not carry credentials');
  if (url.hash !== '') throw fail('url must not have a #fragment');
  const normalized = url.toString();
  if (normalized.length > MAX_WEBHOOK_URL_LENGTH) {
    throw fail(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  try {
    await assertSafeUrl(normalized, options.policy, options.resolve ?? systemResolver);
  } catch (error) {
    if (error instanceof OutboundRequestError) {
      throw fail(`url is not allowed: ${error.message}`, error.reason);
    }
    throw error;
  }
  return normalized;
}
