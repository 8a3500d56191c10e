import { S3ServiceException } from '@aws-sdk/client-s3';
import { ServiceUnavailableError } from '../../../platform/errors/domain-errors';

/** Why a call to the object store failed, as the logs and metrics name it. */
export type BlobStoreFailure = 'unreachable' | 'denied' | 'failed';

/**
 * The object store could not do what was asked: it is down or unreachable, it refused the
 * credentials, or it answered with an error. Clients see SERVICE_UNAVAILABLE (503, with
 * retryAfter) and a message that names neither the store nor its credentials; `failure`,
 * `operation` and `status` are for the logs.
 */
export class BlobStoreError extends ServiceUnavailableError {
  constructor(
    readonly operation: string,
    readonly failure: BlobStoreFailure,
    readonly status: number | null,
    readonly s3Code: string | null,
  ) {
    super('The blob store is unavailable; retry shortly');
  }
}

/** Socket-level failures: the store is not there (any more), or stopped answering. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const NETWORK_MESSAGE = new RegExp(`\\b(${[...NETWORK_CODES].join('|')})\\b`);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout']);
const DENIED_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied']);

/**
 * The SDK's error for `operation` as a {@link BlobStoreError}. Anything that is neither an S3
 * answer nor a network failure (the caller's body failing, a DomainError from a verifying
 * stream) is returned unchanged, so the caller still sees why its upload stopped.
 */
export function toBlobStoreError(operation: string, error: unknown): unknown {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? null;
    const denied = status === 403 || DENIED_CODES.has(error.name);
    return new BlobStoreError(operation, denied ? 'denied' : 'failed', status, error.name);
  }
  if (isNetworkFailure(error)) return new BlobStoreError(operation, 'unreachable', null, null);
  return error;
}

function isNetworkFailure(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, name, message, cause, errors } = error as Record<string, unknown>;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (typeof name === 'string' && NETWORK_NAMES.has(name)) return true;
  // The SDK's retry layer rewraps an error it does not recognise as one (another realm's, as
  // under a test runner) into a new Error that keeps only the message.
  if (typeof message === 'string' && NETWORK_MESSAGE.test(message)) return true;
  // An AggregateError from a dual-stack connect, or an error the SDK wrapped.
  const nested = Array.isArray(errors) ? errors : [cause];
  return nested.some((inner) => isNetworkFailure(inner, depth + 1));
}

/** The HTTP status of an S3 answer, or null for anything else. */
export function s3Status(error: unknown): number | null {
  return error instanceof S3ServiceException ? (error.$metadata.httpStatusCode ?? null) : null;
}
