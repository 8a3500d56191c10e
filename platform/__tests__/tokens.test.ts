import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import pino from 'pino';
import { constantTimeEqual, hashToken, randomToken } from '../crypto/tokens';
import { Redacted } from '../crypto/redacted';

describe('tokens', () => {
  it('makes 32-byte base64url tokens by default', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('makes tokens of the requested size', () => {
    expect(Buffer.from(randomToken(16), 'base64url')).toHaveLength(16);
    expect(Buffer.from(randomToken(64), 'base64url')).toHaveLength(64);
  });

  it('never repeats a token', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => randomToken()));
    expect(tokens.size).toBe(10_000);
  });

  it.each([0, 8, 15, 16.5, -32, Number.NaN])('refuses a token of %p bytes', (bytes) => {
    expect(() => randomToken(bytes)).toThrow(RangeError);
  });

  it('hashes with SHA-256 to lowercase hex', () => {
    // FIPS 180-2 test vector
    expect(hashToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const token = randomToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).not.toBe(hashToken(randomToken()));
    expect(hashToken(token)).not.toContain(token);
  });

  it('hashes text as UTF-8', () => {
    // SHA-256 of the bytes c3 a9 (not of the Latin-1 byte e9)
    expect(hashToken('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  describe('constantTimeEqual', () => {
    it('is true only for identical strings', () => {
      const token = randomToken();
      expect(constantTimeEqual(token, `${token}`)).toBe(true);
      expect(constantTimeEqual(token, randomToken())).toBe(false);
      expect(constantTimeEqual('', '')).toBe(true);
      expect(constantTimeEqual('abc', 'abC')).toBe(false);
    });

    it('returns false instead of throwing for different lengths', () => {
      expect(constantTimeEqual('abc', 'abcd')).toBe(false);
      expect(constantTimeEqual('', 'a')).toBe(false);
      expect(constantTimeEqual('a'.repeat(10_000), 'a')).toBe(false);
    });

    it('compares bytes, not UTF-16 units', () => {
      // same JavaScript length, different UTF-8 lengths
      expect(constantTimeEqual('é', 'e')).toBe(false);
      // composed and decomposed forms are different secrets
      expect(constantTimeEqual('\u00e9', 'e\u0301')).toBe(false);
      expect(constantTimeEqual('🔑', '🔑')).toBe(true);
    });
  });
});

describe('Redacted', () => {
  const value = 'sk_live_do-not-print-me';
  const secret = new Redacted(value);

  function capture(): { stream: Writable; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    return { stream, text: () => chunks.join('') };
  }

  it('reveals the value only when asked', () => {
    expect(secret.reveal()).toBe(value);
    const bytes = Buffer.from('raw key');
    expect(new Redacted(bytes).reveal()).toBe(bytes);
  });

  it('stays hidden in strings and template literals', () => {
    expect(String(secret)).toBe('[redacted]');
    // The implicit conversions the type rules forbid are exactly what this test covers.
    /* eslint-disable @typescript-eslint/restrict-template-expressions, @typescript-eslint/restrict-plus-operands */
    expect(`${secret}`).toBe('[redacted]');
    expect('key=' + secret).toBe('key=[redacted]');
    expect(secret.toString()).toBe('[redacted]');
    expect(new Error(`bad key ${secret}`).message).toBe('bad key [redacted]');
    /* eslint-enable @typescript-eslint/restrict-template-expressions, @typescript-eslint/restrict-plus-operands */
  });

  it('stays hidden in JSON', () => {
    expect(JSON.stringify(secret)).toBe('"[redacted]"');
    expect(JSON.stringify({ nested: { list: [secret] } })).toBe(
      '{"nested":{"list":["[redacted]"]}}',
    );
  });

  it('stays hidden from util.inspect and util.format, whatever the options', () => {
    const shown = [
      inspect(secret),
      inspect({ deep: { deeper: { secret } } }, { depth: Infinity }),
      inspect(secret, { showHidden: true }),
      inspect(secret, { customInspect: false, showHidden: true }),
      format('%s %o %O %j', secret, secret, secret, secret),
      format(secret),
    ];
    for (const text of shown) expect(text).not.toContain(value);
    expect(inspect(secret)).toBe('[redacted]');
  });

  it('has nothing to copy out: no enumerable fields, spread gives an empty object', () => {
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.getOwnPropertyNames(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
  });

  it('stays hidden from console output', () => {
    const { stream, text } = capture();
    const console = new Console({ stdout: stream, stderr: stream });
    console.log(secret);
    console.log('%s', secret);
    console.log({ apiKey: secret });
    console.error([secret]);
    console.dir(secret, { depth: 5 });
    console.table([{ apiKey: secret }]);
    expect(text()).toContain('[redacted]');
    expect(text()).not.toContain(value);
  });

  it('stays hidden from pino log lines', () => {
    const { stream, text } = capture();
    // no redact paths: the wrapper alone must keep the value out
    const logger = pino({ level: 'trace' }, stream);
    logger.info({ webhookSigningKey: secret }, 'endpoint created');
    logger.info({ nested: { list: [secret] } });
    logger.info('key %s', secret);
    logger.info('key %o', secret);
    logger.info('key %j', secret);
    logger.child({ credentials: secret }).warn('child logger');
    logger.error(secret as unknown as object, 'as merge object');
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(text()).not.toContain(value);
    expect(JSON.parse(lines[0]!)).toMatchObject({ webhookSigningKey: '[redacted]' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ msg: 'key [redacted]' });
    expect(JSON.parse(lines[5]!)).toMatchObject({ credentials: '[redacted]' });
  });
});
