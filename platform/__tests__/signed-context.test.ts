import { anonymousContext, signContext, verifyContext, type RequestContext } from '../context';

const secret = 'a-service-secret-that-is-long-enough-1234';
const context: RequestContext = {
  ...anonymousContext('req-1'),
  tenantId: '6f1c1a52-8a5e-4f0e-9a43-1c1f2f6b9a11',
  role: 'MEMBER',
  scopes: ['assets:read'],
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0 "quoted" \n newline',
};

function reason(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return (error as { reason?: string }).reason ?? String(error);
  }
}

describe('signed request context', () => {
  it('round-trips a context, header-unsafe characters included', () => {
    expect(verifyContext(signContext(context, secret), [secret], 60)).toEqual(context);
  });

  it('verifies with an older secret during a rotation', () => {
    const headers = signContext(context, secret);
    expect(verifyContext(headers, ['the-new-secret-that-is-long-enough-5678', secret], 60)).toEqual(
      context,
    );
  });

  it.each([
    ['missing', {}],
    ['missing', { 'x-tessera-context': 'e30' }],
    ['malformed', { 'x-tessera-context': 'e30', 'x-tessera-signature': 'garbage' }],
    ['malformed', { 'x-tessera-context': ['a', 'b'], 'x-tessera-signature': 't=1,v1=x' }],
  ])('rejects as %s: %j', (expected, headers) => {
    expect(reason(() => verifyContext(headers, [secret], 60))).toBe(expected);
  });

  it('rejects a context signed with another secret', () => {
    expect(reason(() => verifyContext(signContext(context, 'x'.repeat(40)), [secret], 60))).toBe(
      'bad-signature',
    );
  });

  it('rejects a payload changed after signing', () => {
    const headers = signContext(context, secret);
    const forged = Buffer.from(JSON.stringify({ ...context, platformAdmin: true })).toString(
      'base64url',
    );
    expect(
      reason(() => verifyContext({ ...headers, 'x-tessera-context': forged }, [secret], 60)),
    ).toBe('bad-signature');
  });

  it('rejects a signature moved to another timestamp', () => {
    const headers = signContext(context, secret);
    const moved = headers['x-tessera-signature']!.replace(
      /^t=\d+/,
      `t=${Math.floor(Date.now() / 1000) + 5}`,
    );
    expect(
      reason(() => verifyContext({ ...headers, 'x-tessera-signature': moved }, [secret], 60)),
    ).toBe('bad-signature');
  });

  it('rejects a context older (or newer) than the max age', () => {
    const now = Date.now();
    expect(
      reason(() => verifyContext(signContext(context, secret, now - 61_000), [secret], 60, now)),
    ).toBe('stale');
    expect(
      reason(() => verifyContext(signContext(context, secret, now + 61_000), [secret], 60, now)),
    ).toBe('stale');
    expect(
      reason(() => verifyContext(signContext(context, secret, now - 59_000), [secret], 60, now)),
    ).toBe('accepted');
  });

  it('rejects a correctly signed payload that is not a valid context', () => {
    const bogus = { ...context, tenantId: "1' OR 1=1 --" };
    expect(
      reason(() => verifyContext(signContext(bogus as RequestContext, secret), [secret], 60)),
    ).toBe('malformed');
  });
});
