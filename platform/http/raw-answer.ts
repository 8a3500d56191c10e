import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export const REQUEST_ID_HEADER = 'x-request-id';

export interface RawRefusal {
  status: number;
  message: string;
  /** The `extensions.code` of the one error, as every other refusal carries. */
  code: string;
  requestId: string;
  headers?: Record<string, string>;
}

/**
 * A coded JSON error answer as the bytes of an HTTP/1.1 response, for the moments a socket has
 * no ServerResponse to write it (a request Node's parser refused, an upgrade refused before
 * the WebSocket handshake). It asks to close the connection: nothing more is read from it.
 */
export function rawErrorAnswer(refusal: RawRefusal): string {
  const body = JSON.stringify({
    errors: [
      {
        message: refusal.message,
        extensions: { code: refusal.code, requestId: refusal.requestId },
      },
    ],
  });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [REQUEST_ID_HEADER]: refusal.requestId,
    ...refusal.headers,
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n${lines.join('')}\r\n${body}`;
}

/**
 * Refuses an upgrade request with a coded answer and closes the socket once it is sent. Until
 * the handshake completes the socket speaks plain HTTP, so a WebSocket client reads an ordinary
 * status and body instead of a connection dropped without a word.
 */
export function refuseUpgrade(socket: Duplex, refusal: RawRefusal): void {
  // Node stops watching an upgraded socket's errors: a client resetting now must not throw.
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(rawErrorAnswer(refusal));
}
