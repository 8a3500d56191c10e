import { ErrorCode } from './codes';

/**
 * Errors a service throws on purpose. Their message is written for the client; everything
 * else that escapes a resolver is a bug and is masked.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super(ErrorCode.UNAUTHENTICATED, message, 401);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Not allowed') {
    super(ErrorCode.FORBIDDEN, message, 403);
  }
}

export class TenantRequiredError extends DomainError {
  constructor(message = 'This operation needs a tenant: send the X-Tenant-Id header') {
    super(ErrorCode.TENANT_REQUIRED, message, 400);
  }
}

export class TenantSuspendedError extends DomainError {
  constructor(message = 'This tenant is suspended') {
    super(ErrorCode.TENANT_SUSPENDED, message, 403);
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, 400, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`, 404);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message, 409);
  }
}

export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, 'Too many requests', 429, {
      retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)),
    });
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `Payload exceeds the limit of ${limitBytes} bytes`, 413, {
      limitBytes,
    });
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(
    message = 'A service this request needs is unavailable; retry shortly',
    retryAfterSeconds = 5,
  ) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, 503, { retryAfter: retryAfterSeconds });
  }
}
