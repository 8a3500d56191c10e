import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';

/** What a server answered to one malformed request; `status` 0 when it only hung up. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when no HTTP answer came: `ECONNRESET`, `TIMEOUT`, ... */
  error?: string;
}

export interface HttpCase {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; a Buffer may hold anything, invalid UTF-8 included. */
  body?: string | Buffer;
  /** Stream the body with chunked encoding (no Content-Length). */
  chunked?: boolean;
  /**
   * The server may hang up on a body it does not want (answering first, or not at all): a
   * reset or broken pipe then counts as an answer, a timeout still does not.
   */
  mayHangUp?: boolean;
}

/** One request with node:http (no client-side validation of what it sends beyond HTTP's own). */
export function sendCase(
  baseUrl: string,
  testCase: HttpCase,
  timeoutMs = 15_000,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const body = testCase.body;
    const headers: Record<string, string | number> = { ...testCase.headers };
    if (body !== undefined && !testCase.chunked)
      headers['content-length'] = Buffer.byteLength(body);
    const req = httpRequest(
      `${baseUrl}${testCase.path}`,
      { method: testCase.method ?? 'POST', headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ status: res.statusCode ?? 0, headers: {}, body: '', error: error.code }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, headers: {}, body: '', error: error.code ?? error.message }),
    );
    if (body !== undefined && testCase.chunked) {
      const bytes = Buffer.from(body);
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
        req.write(bytes.subarray(offset, offset + 64 * 1024));
      }
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** Bytes straight onto a TCP socket: for requests no HTTP client would send. */
export function sendRaw(
  port: number,
  bytes: Buffer | string,
  timeoutMs = 15_000,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status,
        headers,
        body: rest.join('\r\n\r\n'),
        error: status ? undefined : 'NO_ANSWER',
      });
    });
    socket.write(bytes);
    // Half-close after sending: a server waiting for more gives up or answers.
    socket.end();
  });
}

export interface WsCase {
  name: string;
  /** Subprotocol offered; graphql-ws's by default. */
  protocol?: string | null;
  path?: string;
  /** Frames sent one after the other once open (a Buffer goes as a binary frame). */
  frames: (string | Buffer)[];
}

export interface WsAnswer {
  /** The close code, or 0 when the connection was refused or never opened. */
  code: number;
  reason: string;
  messages: string[];
  /** Set when the upgrade itself was answered with an HTTP status (101: no subprotocol). */
  httpStatus?: number;
  /** The body and request id of that HTTP answer, when it refused the upgrade. */
  httpBody?: string;
  requestId?: string;
}

/**
 * Opens a raw WebSocket (no graphql-ws client to tidy things up), sends the frames and waits
 * for the server to close, or closes after `settleMs` if the server kept it open (code 1000 from
 * our side is then reported as 0: the server neither refused nor closed).
 */
export function sendWsCase(baseUrl: string, testCase: WsCase, settleMs = 1_500): Promise<WsAnswer> {
  return new Promise((resolve) => {
    const url = `${baseUrl.replace(/^http/, 'ws')}${testCase.path ?? '/graphql'}`;
    const protocol = testCase.protocol === undefined ? 'graphql-transport-ws' : testCase.protocol;
    const socket = new WebSocket(url, protocol === null ? [] : [protocol], {
      maxPayload: 64 * 1024 * 1024,
    });
    const messages: string[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (answer: WsAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const requestId = res.headers['x-request-id'];
        finish({
          code: 0,
          reason: '',
          messages,
          httpStatus: res.statusCode,
          httpBody: body,
          requestId: typeof requestId === 'string' ? requestId : undefined,
        });
        socket.terminate();
      });
    });
    // A server that declines the offered subprotocol answers without one (RFC 6455), and the
    // client gives up: an answer, not a drop.
    socket.on('error', (error) => {
      if (/no subprotocol/.test(error.message)) {
        finish({ code: 0, reason: 'subprotocol declined', messages, httpStatus: 101 });
      }
    });
    socket.on('message', (data) => messages.push(frameText(data)));
    let acked: () => void = () => undefined;
    const ack = new Promise<void>((resolve) => (acked = resolve));
    socket.on('message', (data) => {
      if (frameText(data).includes('"connection_ack"')) acked();
    });
    const sendFrames = async () => {
      for (const frame of testCase.frames) {
        if (socket.readyState !== WebSocket.OPEN) break;
        socket.send(frame, { binary: Buffer.isBuffer(frame) });
        // What follows a first connection_init is meant for an acknowledged connection.
        if (frame === testCase.frames[0] && isInit(frame)) {
          await Promise.race([ack, new Promise((resolve) => setTimeout(resolve, 3_000))]);
        }
      }
      timer = setTimeout(() => {
        finish({ code: 0, reason: 'still open', messages });
        socket.terminate();
      }, settleMs);
    };
    socket.on('open', () => void sendFrames());
    socket.on('close', (code, reason) => finish({ code, reason: reason.toString(), messages }));
  });
}

/** A received frame as text (ws hands over one Buffer unless told otherwise). */
function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function isInit(frame: string | Buffer): boolean {
  return typeof frame === 'string' && frame.includes('"connection_init"');
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
