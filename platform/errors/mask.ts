import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode, isPublicErrorCode } from './codes';
import { DomainError } from './domain-errors';

const INTERNAL_MESSAGE = 'Internal server error';

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
    return { ...base, message: formatted.message, extensions };
  }

  logger.error({ err: original ?? error, graphqlPath: formatted.path }, 'unexpected error');
  return {
    ...base,
    message: INTERNAL_MESSAGE,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  };
}

function originalErrorOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/** A non-GraphQL error that merely carries a `code` (e.g. a pg or Node error). */
function isForeignError(original: unknown): boolean {
  return original instanceof Error && !(original instanceof GraphQLError);
}
