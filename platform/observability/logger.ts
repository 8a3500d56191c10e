import pino, { type Logger } from 'pino';
import { currentContext } from '../context/request-context';

/** Field paths whose values never reach a log line. */
const REDACTED_PATHS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'secret',
  'accessToken',
  'refreshToken',
  'authorization',
  'cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.secret',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
  '*.cookie',
  'headers["x-api-key"]',
  'headers["x-tessera-signature"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  '*.headers["x-tessera-signature"]',
  'variables.*',
];

/**
 * JSON-lines logger. Every line carries the service name and, inside a request, its request
 * id, tenant and principal, taken from the async context so callers never pass them along.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const context = currentContext();
      if (!context) return {};
      return {
        requestId: context.requestId,
        tenantId: context.tenantId ?? undefined,
        principalId: context.principal?.id,
      };
    },
  });
}
