import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from 'graphql-ws';
import { ErrorCode } from '../../platform/errors/codes';
import { type DomainError } from '../../platform/errors/domain-errors';
import { refuseUpgrade } from '../../platform/http/raw-answer';
import { requestIdFor } from '../http/request-context';

/** Close codes beyond graphql-ws's own: the server is going away, or the client is too slow. */
export const GOING_AWAY = 1001;
export const TOO_SLOW = 4429;
const TRY_AGAIN_LATER = 1013;

/** The close code that tells a client why it was refused, from the domain error's code. */
export function closeCodeOf(error: DomainError): number {
  switch (error.code) {
    case ErrorCode.UNAUTHENTICATED:
      return CloseCode.Unauthorized;
    case ErrorCode.RATE_LIMITED:
      return TOO_SLOW;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return TRY_AGAIN_LATER;
    default:
      return CloseCode.Forbidden;
  }
}

/**
 * A handshake ws refuses (wrong method, no or bad key, unknown version) gets a coded answer
 * like any other refusal, instead of ws's plain-text one.
 */
export function refuseHandshake(error: Error, socket: Duplex, req: IncomingMessage): void {
  const wrongMethod = req.method !== 'GET';
  refuseUpgrade(socket, {
    status: wrongMethod ? 405 : 400,
    message: `WebSocket handshake refused: ${error.message}`,
    code: ErrorCode.BAD_USER_INPUT,
    requestId: requestIdFor(req),
    // What ws itself would say: the method to use, or the versions it speaks.
    headers: wrongMethod
      ? { allow: 'GET' }
      : /Version/.test(error.message)
        ? { 'sec-websocket-version': '13, 8' }
        : {},
  });
}
