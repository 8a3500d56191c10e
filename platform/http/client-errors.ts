import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { rawErrorAnswer } from './raw-answer';

/**
 * Requests Node's parser refuses (not HTTP, headers too large, conflicting lengths) get a
 * coded JSON answer with a request id like any other refusal, instead of a bare status line.
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  logger: Logger,
): void {
  // As Node's own handler: answer only if no answer has started on this connection.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const requestId = randomUUID();
  const message =
    status === 431
      ? 'Request headers too large'
      : status === 408
        ? 'Request not received in time'
        : 'Malformed HTTP request';
  logger.info({ requestId, reason: error.code }, 'malformed HTTP request refused');
  socket.write(rawErrorAnswer({ status, message, code: 'BAD_USER_INPUT', requestId }));
  socket.destroy();
}
