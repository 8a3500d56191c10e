import { anonymousContext, type RequestContext } from '../context/request-context';
import {
  generateServiceKey,
  publicKeyFromRaw,
  ServicePublicKeys,
  signingKeyFromSeed,
  type ServiceName,
  type ServicePublicKey,
} from '../context/service-keys';
import { RequestSigner, RequestVerifier } from '../context/signed-request';

// Signing and verifying internal requests (platform/context/signed-request.ts), no process:
// what a signature binds (caller, key, audience, method, path, body, time, nonce, context) and
// every reason a verifier refuses.

const context: RequestContext = {
  ...anonymousContext('req-1'),
  tenantId: '6f1c1a52-8a5e-4f0e-9a43-1c1f2f6b9a11',
  role: 'MEMBER',
  scopes: ['assets:read'],
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0 "quoted" \n newline',
};

interface Keys {
  signer: RequestSigner;
  publicKey: ServicePublicKey;
}

function keys(service: ServiceName, kid: string): Keys {
  const generated = generateServiceKey(service, kid);
  const seed = Buffer.from(generated.signingKey.split(':')[1]!, 'base64');
  const raw = Buffer.from(generated.publicKey.split(':')[2]!, 'base64');
  return {
    signer: new RequestSigner(signingKeyFromSeed(service, kid, seed)),
    publicKey: { service, kid, publicKey: publicKeyFromRaw(raw) },
  };
}

const gateway = keys('gateway', 'g1');
const rotated = keys('gateway', 'g2');
const worker = keys('worker', 'w1');
const assets = keys('assets', 'a1');
const tenancy = new RequestVerifier({
  self: 'tenancy',
  keys: new ServicePublicKeys([
    gateway.publicKey,
    rotated.publicKey,
    worker.publicKey,
    assets.publicKey,
  ]),
  maxAgeSeconds: 60,
});
const target = {
  audience: 'tenancy',
  method: 'POST',
  path: '/internal/roles',
  body: '{"a":1}',
} as const;
const request = { method: 'POST', path: '/internal/roles' };

function outcome(fn: () => { checkBody(body: Buffer): void }, body: string = target.body): string {
  try {
    fn().checkBody(Buffer.from(body));
    return 'accepted';
  } catch (error) {
    return (error as { reason?: string }).reason ?? String(error);
  }
}

const verify = (
  headers: Record<string, string | string[]>,
  options: { request?: typeof request; callers?: ServiceName[]; now?: number; body?: string } = {},
) =>
  outcome(
    () =>
      tenancy.verify(
        headers,
        options.request ?? request,
        options.callers ?? ['gateway'],
        options.now,
      ),
    options.body,
  );

describe('signed requests', () => {
  it('round-trips the context, header-unsafe characters included, and names the caller', () => {
    const verified = tenancy.verify(gateway.signer.sign(target, context), request, ['gateway']);
    expect(verified.context).toEqual(context);
    expect(verified.caller).toBe('gateway');
    expect(verified.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(verify(gateway.signer.sign(target, context))).toBe('accepted');
  });

  it('accepts every key a caller is listed with (rotation)', () => {
    expect(verify(rotated.signer.sign(target, context))).toBe('accepted');
  });

  it('refuses the same signature for another route, method, service or body', () => {
    const headers = gateway.signer.sign(target, context);
    expect(verify(headers, { request: { method: 'POST', path: '/internal/tenant-origins' } })).toBe(
      'bad-signature',
    );
    expect(verify(headers, { request: { method: 'PUT', path: '/internal/roles' } })).toBe(
      'bad-signature',
    );
    expect(verify(headers, { body: '{"a":2}' })).toBe('body-mismatch');
    const forAuth = gateway.signer.sign({ ...target, audience: 'auth' }, context);
    expect(verify(forAuth)).toBe('wrong-audience');
    // Claiming this audience in a header signed for another does not help either.
    const claimed = forAuth['x-tessera-signature']!.replace(';aud=auth;', ';aud=tenancy;');
    expect(verify({ ...forAuth, 'x-tessera-signature': claimed })).toBe('bad-signature');
  });

  it('refuses a caller the route does not accept, even with a valid signature', () => {
    expect(verify(assets.signer.sign(target, context), { callers: ['gateway', 'worker'] })).toBe(
      'caller-not-allowed',
    );
    expect(verify(worker.signer.sign(target, context), { callers: ['gateway', 'worker'] })).toBe(
      'accepted',
    );
  });

  it('refuses a signer claiming to be another service, and unknown keys', () => {
    const headers = assets.signer.sign(target, context);
    const posing = headers['x-tessera-signature']!.replace(
      'svc=assets;kid=a1',
      'svc=gateway;kid=g1',
    );
    expect(verify({ ...headers, 'x-tessera-signature': posing })).toBe('bad-signature');
    expect(verify(keys('gateway', 'g9').signer.sign(target, context))).toBe('unknown-key');
  });

  it('refuses a context or nonce changed after signing', () => {
    const headers = gateway.signer.sign(target, context);
    const forged = Buffer.from(JSON.stringify({ ...context, platformAdmin: true })).toString(
      'base64url',
    );
    expect(verify({ ...headers, 'x-tessera-context': forged })).toBe('bad-signature');
    const renonced = headers['x-tessera-signature']!.replace(
      /;n=[0-9a-f-]{36};/,
      `;n=${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)};`,
    );
    expect(verify({ ...headers, 'x-tessera-signature': renonced })).toBe('bad-signature');
  });

  it('refuses a request older (or newer) than the max age', () => {
    const now = Date.now();
    expect(verify(gateway.signer.sign(target, context, { now: now - 61_000 }), { now })).toBe(
      'stale',
    );
    expect(verify(gateway.signer.sign(target, context, { now: now + 61_000 }), { now })).toBe(
      'stale',
    );
    expect(verify(gateway.signer.sign(target, context, { now: now - 59_000 }), { now })).toBe(
      'accepted',
    );
  });

  it.each([
    ['missing', {}],
    ['missing', { 'x-tessera-context': 'e30' }],
    ['malformed', { 'x-tessera-context': 'e30', 'x-tessera-signature': 'garbage' }],
    ['malformed', { 'x-tessera-context': ['a', 'b'], 'x-tessera-signature': 'v2' }],
    ['malformed', { 'x-tessera-context': 'e30', 'x-tessera-signature': 't=1,v1=x' }],
  ])('refuses as %s: %j', (expected, headers) => {
    expect(verify(headers)).toBe(expected);
  });

  it('refuses a well-signed payload that is not a valid context', () => {
    const bogus = { ...context, tenantId: "1' OR 1=1 --" } as RequestContext;
    expect(verify(gateway.signer.sign(target, bogus))).toBe('malformed');
  });
});
