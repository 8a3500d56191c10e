import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AccessTokenVerifier } from '../auth/access-tokens';

// The gateway checks an access token's signature once and reuses the answer for the same
// token text, but checks expiry and revocation on every request. The JWKS is
// served over real HTTP; the clock is injected.

const ISSUER = 'https://auth.tessera.test';
let server: Server;
let jwksUrl: URL;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let jwksRequests = 0;
let clock = Date.UTC(2026, 11, 5, 12);
const revoked = new Set<string>();

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = createServer((_req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function verifier(): AccessTokenVerifier {
  return new AccessTokenVerifier(
    jwksUrl,
    ISSUER,
    { isRevoked: (sid) => revoked.has(sid) },
    undefined,
    () => clock,
  );
}

function token(claims: { sub: string; sid: string }, expiresInSeconds = 900, key = privateKey) {
  const now = Math.floor(clock / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(key);
}

it('answers a token seen before with the same verdict', async () => {
  const tokens = verifier();
  const claims = { sub: randomUUID(), sid: randomUUID() };
  const jwt = await token(claims);
  const first = await tokens.verify(jwt);
  const again = await tokens.verify(jwt);
  expect(again).toEqual(first);
  expect(first).toEqual({ userId: claims.sub, sessionId: claims.sid, platformAdmin: false });
  expect(jwksRequests).toBe(1);
});

it('refuses a token it verified once when its session is revoked since', async () => {
  const tokens = verifier();
  const claims = { sub: randomUUID(), sid: randomUUID() };
  const jwt = await token(claims);
  await tokens.verify(jwt);
  revoked.add(claims.sid);
  await expect(tokens.verify(jwt)).rejects.toMatchObject({
    code: 'UNAUTHENTICATED',
    message: 'Session revoked',
  });
});

it('refuses a token it verified once when it has expired since', async () => {
  const tokens = verifier();
  const jwt = await token({ sub: randomUUID(), sid: randomUUID() }, 30);
  await tokens.verify(jwt);
  clock += 36_000;
  await expect(tokens.verify(jwt)).rejects.toMatchObject({
    code: 'UNAUTHENTICATED',
    message: 'Access token expired',
  });
});

it('does not take a forged token for a verified one with the same claims', async () => {
  const tokens = verifier();
  const claims = { sub: randomUUID(), sid: randomUUID() };
  await tokens.verify(await token(claims));
  const forger = await generateKeyPair('ES256');
  const forged = await token(claims, 900, forger.privateKey);
  await expect(tokens.verify(forged)).rejects.toMatchObject({
    code: 'UNAUTHENTICATED',
    message: 'Invalid access token',
  });
  // The same token with its signature cut off is refused as well.
  const unsigned = (await token(claims)).split('.').slice(0, 2).join('.') + '.';
  await expect(tokens.verify(unsigned)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
});
