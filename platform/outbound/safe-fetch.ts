import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pooledAgent } from './connection-pool';
import { OutboundRequestError } from './errors';
import type { OutboundPolicy } from './policy';
import { systemResolver, vetUrl, type ResolvedAddress, type Resolver } from './vet-url';

export interface SafeFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * A body over `maxResponseBytes`: `'error'` (default) fails with `too-large`; `'truncate'`
   * returns its first `maxResponseBytes` bytes with `truncated: true` (webhook attempt logs).
   */
  onTooLarge?: 'truncate' | 'error';
  /**
   * Reuse keep-alive connections to the same vetted address (connection-pool.ts), for callers
   * that send many requests to the same receivers. Off by default: one connection per request.
   */
  keepAlive?: boolean;
}

export interface SafeFetchResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  truncated: boolean;
  durationMs: number;
  /** The vetted IP address the request was sent to. */
  address: string;
}

/** Set from the URL and the body only, so a caller's header cannot point the request elsewhere. */
const CONTROLLED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/** How a write on a socket the peer already closed fails. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Sends one HTTP(S) request to an address a tenant chose. The host is resolved once, every
 * answer is checked against the policy, and the socket is connected to a checked address
 * while Host and SNI keep the original name. Redirects are returned, never followed (the
 * target of a redirect would need checking too, and callers do not want to follow them). One
 * deadline covers DNS, connect, TLS and the whole response.
 */
export async function safeFetch(
  url: string | URL,
  init: SafeFetchInit,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<SafeFetchResponse> {
  const started = performance.now();
  const vetted = await vetUrl(url, policy, resolve, policy.timeoutMs);
  const remainingMs = policy.timeoutMs - (performance.now() - started);
  if (remainingMs <= 0) throw timeoutError(vetted.url, policy);
  // All answers passed; the first is the one the resolver prefers.
  const pinned = vetted.addresses[0] as ResolvedAddress;
  const pooled = init.keepAlive === true;
  try {
    return await send(
      vetted.url,
      vetted.hostname,
      pinned,
      init,
      pooled,
      policy,
      remainingMs,
      started,
    );
  } catch (error) {
    if (!(error instanceof StaleConnectionError)) throw error;
    // The receiver closed a pooled connection as the request went out on it: nothing was
    // answered, so it is sent once more, on a connection of its own, within the same deadline.
    const leftMs = policy.timeoutMs - (performance.now() - started);
    if (leftMs <= 0) throw timeoutError(vetted.url, policy);
    return send(vetted.url, vetted.hostname, pinned, init, false, policy, leftMs, started);
  }
}

/** A reused keep-alive socket failed before any answer (the receiver had closed it). */
class StaleConnectionError extends OutboundRequestError {}

function timeoutError(url: URL, policy: OutboundPolicy): OutboundRequestError {
  return new OutboundRequestError(
    'timeout',
    `${url.origin} did not answer within ${policy.timeoutMs} ms`,
  );
}

function send(
  url: URL,
  hostname: string,
  pinned: ResolvedAddress,
  init: SafeFetchInit,
  pooled: boolean,
  policy: OutboundPolicy,
  remainingMs: number,
  started: number,
): Promise<SafeFetchResponse> {
  const secure = url.protocol === 'https:';
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body;
  const options = requestOptions(url, hostname, pinned, init, body, pooled);
  const max = policy.maxResponseBytes;
  const onTooLarge = init.onTooLarge ?? 'error';

  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const progress: Progress = { connected: false, secured: !secure, responding: false };

    const req = (secure ? https : http).request(options);
    const settle = (reusable = false) => {
      settled = true;
      clearTimeout(timer);
      // Also what stops reading a body that is too large: the socket goes away. A response
      // read to its end leaves a pooled socket to its agent, for the next request.
      if (!(reusable && pooled)) req.destroy();
    };
    const fail = (error: OutboundRequestError) => {
      if (settled) return;
      settle();
      reject(error);
    };
    const timer = setTimeout(() => fail(timeoutError(url, policy)), remainingMs);
    const tooLarge = () =>
      new OutboundRequestError(
        'too-large',
        `${url.origin}: the response body exceeds ${max} bytes`,
      );
    const broken = (error: NodeJS.ErrnoException) => brokenError(url, secure, progress, error);

    trackProgress(req, progress);
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!progress.responding && req.reusedSocket && STALE_CODES.has(error.code ?? '')) {
        fail(new StaleConnectionError('connect-failure', 'a pooled connection was closed'));
      } else fail(broken(error));
    });
    req.on('response', (res) => {
      progress.responding = true;
      const declared = Number(res.headers['content-length']);
      if (onTooLarge === 'error' && Number.isFinite(declared) && declared > max) {
        fail(tooLarge());
        return;
      }
      readBody(res, max, onTooLarge, {
        settled: () => settled,
        fail,
        tooLarge,
        broken,
        finish: (body, truncated) => {
          settle(!truncated);
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: { ...res.headers },
            body,
            truncated,
            durationMs: performance.now() - started,
            address: pinned.address,
          });
        },
      });
    });
    req.end(body);
  });
}

interface BodySink {
  settled(): boolean;
  fail(error: OutboundRequestError): void;
  tooLarge(): OutboundRequestError;
  broken(error: NodeJS.ErrnoException): OutboundRequestError;
  finish(body: Buffer, truncated: boolean): void;
}

/**
 * Reads a response body up to `max` bytes; past that, fails with `too-large` or (with
 * `truncate`) finishes with the first `max` bytes.
 */
function readBody(
  res: http.IncomingMessage,
  max: number,
  onTooLarge: NonNullable<SafeFetchInit['onTooLarge']>,
  to: BodySink,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (truncated: boolean) => {
    if (to.settled()) return;
    to.finish(Buffer.concat(chunks, received), truncated);
  };
  res.on('data', (chunk: Buffer) => {
    if (to.settled()) return;
    const room = max - received;
    if (chunk.length <= room) {
      chunks.push(chunk);
      received += chunk.length;
      return;
    }
    if (onTooLarge === 'error') {
      to.fail(to.tooLarge());
      return;
    }
    chunks.push(chunk.subarray(0, room));
    received = max;
    finish(true);
  });
  res.on('end', () => finish(false));
  res.on('error', (error) => to.fail(to.broken(error)));
  res.on('close', () => {
    if (!res.complete)
      to.fail(to.broken(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  });
}

/** How far a request got: says which failure a socket error is. */
interface Progress {
  connected: boolean;
  secured: boolean;
  responding: boolean;
}

function trackProgress(req: http.ClientRequest, progress: Progress): void {
  req.on('socket', (socket: Socket) => {
    // A pooled socket comes connected (and past its TLS handshake) already.
    if (!socket.connecting && !socket.destroyed) progress.connected = true;
    if (req.reusedSocket) progress.secured = true;
    socket.once('connect', () => (progress.connected = true));
    socket.once('secureConnect', () => (progress.secured = true));
  });
}

function brokenError(
  url: URL,
  secure: boolean,
  { connected, secured, responding }: Progress,
  error: NodeJS.ErrnoException,
): OutboundRequestError {
  const code = error.code ?? 'error';
  if (secure && connected && !secured) {
    return new OutboundRequestError('tls-failure', `${url.origin}: TLS failed (${code})`, {
      cause: error,
    });
  }
  const when = !connected
    ? 'could not connect'
    : responding
      ? 'the connection broke while reading the response'
      : 'the connection failed before a response';
  return new OutboundRequestError('connect-failure', `${url.origin}: ${when} (${code})`, {
    cause: error,
  });
}

/** The request to the pinned address, with Host and SNI still the URL's name. */
function requestOptions(
  url: URL,
  hostname: string,
  pinned: ResolvedAddress,
  init: SafeFetchInit,
  body: Buffer | undefined,
  pooled: boolean,
): https.RequestOptions {
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (!CONTROLLED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  if (body) headers['content-length'] = String(body.length);
  const port = url.port || (secure ? 443 : 80);
  const family = isIP(pinned.address);
  // Node asks this instead of DNS, so a second answer for the name (DNS rebinding) can never
  // change where the socket goes. Node 20 asks for all addresses (autoSelectFamily).
  const lookup: LookupFunction = (_name, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family }]);
    else callback(null, pinned.address, family);
  };
  return {
    protocol: url.protocol,
    hostname,
    port,
    path: `${url.pathname}${url.search}`,
    method: init.method ?? 'GET',
    headers,
    agent: pooled ? pooledAgent({ secure, hostname, port, address: pinned.address }) : false,
    lookup,
    // An IP literal has no name to send; Node refuses an IP address as SNI.
    ...(secure && isIP(hostname) === 0 ? { servername: hostname } : {}),
  };
}
