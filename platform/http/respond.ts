import type { ServerResponse } from 'node:http';
import type { DomainError } from '../errors/domain-errors';
import { graphQLResponseMediaType } from './media-type';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/**
 * A GraphQL-shaped error response for failures that happen before GraphQL execution, in the
 * media type the request's `accept` header asks for (application/json without one).
 */
export function sendGraphQLError(
  res: ServerResponse,
  error: DomainError,
  requestId: string,
  accept?: string,
): void {
  const headers: Record<string, string> = { 'content-type': graphQLResponseMediaType(accept) };
  if (typeof error.details.retryAfter === 'number')
    headers['retry-after'] = String(error.details.retryAfter);
  sendJson(
    res,
    error.httpStatus,
    {
      errors: [
        { message: error.message, extensions: { code: error.code, ...error.details, requestId } },
      ],
    },
    headers,
  );
}
