import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode, isPublicErrorCode } from './codes';
import { DomainError } from './domain-errors';

const INTERNAL_MESSAGE = 'Internal server error';
const UNAVAILABLE_MESSAGE = 'A service this request needs is unavailable; retry shortly';
const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * PostgreSQL refusing or dropping connections (connection exceptions, shutdown, too many
 * connections) and sockets that cannot reach a peer.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // undici (the gateway's subgraph client): connection lost, or no answer in time
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** pg and pg-pool say these without a code; PostgreSQL says the last with the generic 55000. */
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect)|is not currently accepting connections/;

/**
 * The one mapping from whatever went wrong to what a client sees: a known code, a safe
 * message and the request id. Unknown errors are logged in full and reduced to
 * INTERNAL_SERVER_ERROR, so no stack trace, SQL or hostname ever leaves the process.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  error: unknown,
  requestId: string | undefined,
  logger: Logger,
): GraphQLFormattedError {
  const original = originalErrorOf(error);
  const base = { locations: formatted.locations, path: formatted.path };

  if (original instanceof DomainError) {
    return {
      ...base,
      message: original.message,
      extensions: { code: original.code, ...original.details, requestId },
    };
  }

  // Errors that are already GraphQL errors with a public code: validation, parsing, and errors
  // a subgraph returned (already masked there). Keep only the fields we define.
  const code = formatted.extensions?.code;
  if (
    isPublicErrorCode(code) &&
    code !== ErrorCode.INTERNAL_SERVER_ERROR &&
    !isForeignError(original)
  ) {
    const extensions: Record<string, unknown> = { code, requestId };
    const retryAfter = formatted.extensions?.retryAfter;
    if (typeof retryAfter === 'number') extensions.retryAfter = retryAfter;
    const limitBytes = formatted.extensions?.limitBytes;
    if (typeof limitBytes === 'number') extensions.limitBytes = limitBytes;
    // Which input was wrong, and the coded reason why (e.g. a failed webhook verification's).
    for (const key of ['field', 'reason'] as const) {
      const value = formatted.extensions?.[key];
      if (typeof value === 'string' && DETAIL_CODE.test(value)) extensions[key] = value;
    }
    return { ...base, message: formatted.message, extensions };
  }

  // Apollo Server's own refusals of a malformed request carry an HTTP 4xx status but no code
  // (e.g. a persisted query whose hash does not match its text): they say what was wrong.
  if (isApolloRequestRefusal(original)) {
    return {
      ...base,
      message: formatted.message,
      extensions: { code: ErrorCode.BAD_REQUEST, requestId },
    };
  }

  // A database or service that cannot be reached is no bug: say so, so clients retry.
  if (isUnavailable(original)) {
    logger.warn({ err: original, graphqlPath: formatted.path }, 'dependency unavailable');
    return {
      ...base,
      message: UNAVAILABLE_MESSAGE,
      extensions: {
        code: ErrorCode.SERVICE_UNAVAILABLE,
        retryAfter: UNAVAILABLE_RETRY_SECONDS,
        requestId,
      },
    };
  }

  logger.error({ err: original ?? error, graphqlPath: formatted.path }, 'unexpected error');
  return {
    ...base,
    message: INTERNAL_MESSAGE,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  };
}

/** What a forwarded `field` or `reason` may look like: a name or a code, never free text. */
const DETAIL_CODE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

function originalErrorOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/** A non-GraphQL error that merely carries a `code` (e.g. a pg or Node error). */
function isForeignError(original: unknown): boolean {
  return original instanceof Error && !(original instanceof GraphQLError);
}

function isApolloRequestRefusal(original: unknown): boolean {
  if (!(original instanceof GraphQLError) || original.extensions.code !== undefined) return false;
  const status = (original.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function isUnavailable(original: unknown): boolean {
  if (!(original instanceof Error) || original instanceof GraphQLError) return false;
  const code = (original as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))
  ) {
    return true;
  }
  return UNAVAILABLE_MESSAGES.test(original.message);
}
