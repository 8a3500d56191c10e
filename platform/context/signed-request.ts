import { createHash, randomUUID, sign, verify } from 'node:crypto';
import { requestContextSchema, type RequestContext } from './request-context';
import {
  isServiceName,
  type ServiceName,
  type ServicePublicKeys,
  type ServiceSigningKey,
} from './service-keys';

export const CONTEXT_HEADER = 'x-tessera-context';
export const SIGNATURE_HEADER = 'x-tessera-signature';

/**
 * Why a service refused a signed request. The reason is logged; the caller sees 401
 * (`UNAUTHENTICATED`), or 403 (`FORBIDDEN`) for a well-signed caller the route does not accept.
 */
export type RejectionReason =
  | 'missing'
  | 'malformed'
  | 'wrong-audience'
  | 'unknown-key'
  | 'bad-signature'
  | 'stale'
  | 'body-mismatch'
  | 'replayed'
  | 'caller-not-allowed';

export class ContextRejectedError extends Error {
  constructor(readonly reason: RejectionReason) {
    super(`signed request rejected: ${reason}`);
    this.name = 'ContextRejectedError';
  }
}

/** The request a signature is bound to, besides the context it carries. */
export interface SignedTarget {
  /** The service the request is for. */
  audience: ServiceName;
  method: string;
  /** Path and query, exactly as sent (`req.url` on the receiving side). */
  path: string;
  body: string | Buffer;
}

const VERSION = 'v2';
const SIGNATURE_PATTERN =
  /^v2;svc=([a-z]{1,16});kid=([a-z0-9-]{1,16});aud=([a-z]{1,16});t=(\d{1,12});n=([0-9a-f-]{36});h=([A-Za-z0-9_-]{43});sig=([A-Za-z0-9_-]{86})$/;
const MAX_CONTEXT_LENGTH = 8192;

export function bodyHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** What the signature covers: who signs for whom, the request, when, once, and the context. */
function signedMessage(fields: {
  caller: string;
  kid: string;
  audience: string;
  method: string;
  path: string;
  timestamp: string;
  nonce: string;
  hash: string;
  context: string;
}): Buffer {
  return Buffer.from(
    [
      'tessera-request-v2',
      fields.caller,
      fields.kid,
      fields.audience,
      fields.method.toUpperCase(),
      fields.path,
      fields.timestamp,
      fields.nonce,
      fields.hash,
      fields.context,
    ].join('\n'),
  );
}

/** The context as it travels: base64url JSON, so header-unsafe user agents cannot break it. */
export function encodeContext(context: RequestContext): string {
  return Buffer.from(JSON.stringify(context)).toString('base64url');
}

/**
 * Signs requests as one service with its private key: each request gets its own nonce, the
 * current time and the hash of its body, bound to its method, path and audience.
 */
export class RequestSigner {
  constructor(private readonly key: ServiceSigningKey) {}

  get service(): ServiceName {
    return this.key.service;
  }

  /**
   * The context and signature headers of one request. `context` may be a context already
   * encoded with {@link encodeContext} (the gateway encodes once per client request).
   */
  sign(
    target: SignedTarget,
    context: RequestContext | string,
    options: { now?: number; nonce?: string } = {},
  ): Record<string, string> {
    const encoded = typeof context === 'string' ? context : encodeContext(context);
    const timestamp = String(Math.floor((options.now ?? Date.now()) / 1000));
    const nonce = options.nonce ?? randomUUID();
    const hash = bodyHash(target.body);
    const signature = sign(
      null,
      signedMessage({
        caller: this.key.service,
        kid: this.key.kid,
        audience: target.audience,
        method: target.method,
        path: target.path,
        timestamp,
        nonce,
        hash,
        context: encoded,
      }),
      this.key.privateKey,
    ).toString('base64url');
    return {
      [CONTEXT_HEADER]: encoded,
      [SIGNATURE_HEADER]: `${VERSION};svc=${this.key.service};kid=${this.key.kid};aud=${target.audience};t=${timestamp};n=${nonce};h=${hash};sig=${signature}`,
    };
  }
}

/** A request whose signature checked out; its body still has to match {@link checkBody}. */
export interface VerifiedRequest {
  context: RequestContext;
  caller: ServiceName;
  nonce: string;
  /** Unix seconds the caller signed at. */
  timestamp: number;
  /** Throws `body-mismatch` unless `body` is the body that was signed. */
  checkBody(body: Buffer): void;
}

export interface RequestVerifierOptions {
  /** The service verifying: requests signed for another audience are refused. */
  self: ServiceName;
  keys: ServicePublicKeys;
  maxAgeSeconds: number;
}

/**
 * Verifies signed requests addressed to one service, before their body is read: the signer's
 * public key (by service and key id), the audience, method and path, and the age. The body
 * hash is checked once the body is in ({@link VerifiedRequest.checkBody}).
 */
export class RequestVerifier {
  constructor(private readonly options: RequestVerifierOptions) {}

  get maxAgeSeconds(): number {
    return this.options.maxAgeSeconds;
  }

  /** Throws {@link ContextRejectedError}. */
  verify(
    headers: Record<string, string | string[] | undefined>,
    request: { method: string; path: string },
    allowedCallers: readonly ServiceName[],
    now: number = Date.now(),
  ): VerifiedRequest {
    const payload = headers[CONTEXT_HEADER];
    const signature = headers[SIGNATURE_HEADER];
    if (payload === undefined || signature === undefined) {
      throw new ContextRejectedError('missing');
    }
    if (typeof payload !== 'string' || typeof signature !== 'string') {
      throw new ContextRejectedError('malformed');
    }
    const match = SIGNATURE_PATTERN.exec(signature);
    if (!match || payload.length > MAX_CONTEXT_LENGTH) throw new ContextRejectedError('malformed');
    const [, caller, kid, audience, timestamp, nonce, hash, sig] = match as unknown as string[];
    if (audience !== this.options.self) throw new ContextRejectedError('wrong-audience');
    const publicKey = this.options.keys.find(caller!, kid!);
    if (!publicKey || !isServiceName(caller!)) throw new ContextRejectedError('unknown-key');
    const message = signedMessage({
      caller,
      kid: kid!,
      audience,
      method: request.method,
      path: request.path,
      timestamp: timestamp!,
      nonce: nonce!,
      hash: hash!,
      context: payload,
    });
    if (!verify(null, message, publicKey, Buffer.from(sig!, 'base64url'))) {
      throw new ContextRejectedError('bad-signature');
    }
    const signedAt = Number(timestamp);
    if (Math.abs(Math.floor(now / 1000) - signedAt) > this.options.maxAgeSeconds) {
      throw new ContextRejectedError('stale');
    }
    if (!allowedCallers.includes(caller)) throw new ContextRejectedError('caller-not-allowed');
    return {
      context: decodeContext(payload),
      caller,
      nonce: nonce!,
      timestamp: signedAt,
      checkBody: (body) => {
        if (bodyHash(body) !== hash) throw new ContextRejectedError('body-mismatch');
      },
    };
  }
}

function decodeContext(payload: string): RequestContext {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new ContextRejectedError('malformed');
  }
  const parsed = requestContextSchema.safeParse(decoded);
  if (!parsed.success) throw new ContextRejectedError('malformed');
  return parsed.data;
}
