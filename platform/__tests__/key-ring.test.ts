import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { parseConfig } from '../config/load';
import { configProblems } from '../../testing/config-problems';
import { environment } from '../config/service';
import {
  DEVELOPMENT_ENCRYPTION_KEYS,
  encryption,
  refuseDevelopmentEncryptionKeyInProduction,
} from '../config/encryption';
import { DecryptionError, KeyRing, type EncryptionKey } from '../crypto/key-ring';
import { Redacted } from '../crypto/redacted';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function entry(kid: string, key: Buffer): EncryptionKey {
  return { kid, key: new Redacted(key) };
}

const ringA = KeyRing.fromConfig([entry('a', keyA)]);
/** After a rotation: b encrypts, a still decrypts. */
const ringBA = KeyRing.fromConfig([entry('b', keyB), entry('a', keyA)]);

function failure(fn: () => unknown): string {
  try {
    fn();
    return 'opened';
  } catch (error) {
    if (error instanceof DecryptionError) return error.reason;
    throw error;
  }
}

/** Replaces one character of a base64url segment with another valid one. */
function flipChar(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'Q' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('key ring', () => {
  it('round-trips text, unicode, empty strings and bytes', () => {
    for (const text of ['webhook secret', 'ünïcödé ✓ 🔑', '', 'x'.repeat(100_000)]) {
      expect(ringA.decrypt(ringA.encrypt(text))).toBe(text);
    }
    const bytes = randomBytes(300);
    expect(ringA.decryptBuffer(ringA.encrypt(bytes)).equals(bytes)).toBe(true);
  });

  it('writes a self-describing v1 envelope under the active kid with a 12-byte IV', () => {
    const envelope = ringBA.encrypt('secret');
    expect(envelope).toMatch(/^v1\.b\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    const [, , iv, sealed] = envelope.split('.') as [string, string, string, string];
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    // ciphertext (6 bytes) + 16-byte tag
    expect(Buffer.from(sealed, 'base64url')).toHaveLength(6 + 16);
    expect(envelope).not.toContain('secret');
    expect(ringBA.activeKid).toBe('b');
  });

  it('never encrypts the same plaintext to the same envelope (fresh random IV)', () => {
    const envelopes = new Set(Array.from({ length: 200 }, () => ringA.encrypt('same')));
    expect(envelopes.size).toBe(200);
    const ivs = new Set([...envelopes].map((envelope) => envelope.split('.')[2]));
    expect(ivs.size).toBe(200);
  });

  it('binds a ciphertext to its associated data, so it cannot move to another row', () => {
    const row1 = ringA.encrypt('row 1 secret', 'webhook:1');
    const row2 = ringA.encrypt('row 2 secret', 'webhook:2');
    expect(ringA.decrypt(row1, 'webhook:1')).toBe('row 1 secret');
    expect(failure(() => ringA.decrypt(row1, 'webhook:2'))).toBe('unauthentic');
    expect(failure(() => ringA.decrypt(row2, 'webhook:1'))).toBe('unauthentic');
    expect(failure(() => ringA.decrypt(row1))).toBe('unauthentic');
    expect(failure(() => ringA.decrypt(ringA.encrypt('no aad'), 'webhook:1'))).toBe('unauthentic');
  });

  it('treats no associated data and empty associated data alike', () => {
    expect(ringA.decrypt(ringA.encrypt('x'), '')).toBe('x');
    expect(ringA.decrypt(ringA.encrypt('x', ''))).toBe('x');
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const envelope = ringA.encrypt('a secret long enough to have a body', 'row');
    const [version, kid, iv, sealed] = envelope.split('.') as [string, string, string, string];
    const variants = [
      [version, kid, iv, flipChar(sealed, 0)], // first ciphertext byte
      [version, kid, iv, flipChar(sealed, sealed.length - 3)], // inside the tag
      [version, kid, flipChar(iv, 0), sealed],
      // truncating drops tag bytes: the remaining bytes no longer authenticate
      [version, kid, iv, sealed.slice(0, -4)],
    ];
    for (const parts of variants) {
      expect(failure(() => ringA.decrypt(parts.join('.'), 'row'))).toBe('unauthentic');
    }
  });

  it('refuses an envelope relabelled with another kid of the ring', () => {
    const envelope = ringBA.encrypt('secret');
    expect(failure(() => ringBA.decrypt(envelope.replace(/^v1\.b\./, 'v1.a.')))).toBe(
      'unauthentic',
    );
  });

  it('refuses an unknown kid with the kid in the error', () => {
    const other = KeyRing.fromConfig([entry('other', randomBytes(32))]);
    const envelope = other.encrypt('secret');
    let error: unknown;
    try {
      ringA.decrypt(envelope);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error).toMatchObject({ reason: 'unknown-key', kid: 'other' });
    expect((error as Error).message).toBe('decryption failed: unknown-key (kid other)');
  });

  it('opens with the right key only: same kid, different key material', () => {
    const impostor = KeyRing.fromConfig([entry('a', randomBytes(32))]);
    expect(failure(() => impostor.decrypt(ringA.encrypt('secret')))).toBe('unauthentic');
  });

  it.each([
    ['empty', ''],
    ['plain text', 'not an envelope'],
    ['too few parts', 'v1.a.AAAAAAAAAAAAAAAA'],
    ['too many parts', `${ringA.encrypt('x')}.extra`],
    ['another version', ringA.encrypt('x').replace(/^v1/, 'v2')],
    ['an uppercase kid', ringA.encrypt('x').replace(/^v1\.a/, 'v1.A')],
    ['a short IV', `v1.a.AAAAAAAAAAAA.${'A'.repeat(30)}`],
    ['a long IV', `v1.a.${'A'.repeat(20)}.${'A'.repeat(30)}`],
    ['no tag', 'v1.a.AAAAAAAAAAAAAAAA.AAAAAAAAAA'],
    ['standard base64', `v1.a.AAAAAAAAAAAAAAAA.${'A'.repeat(20)}+/+/`],
    ['padding', `v1.a.AAAAAAAAAAAAAAAA.${'A'.repeat(30)}==`],
    ['non-canonical trailing bits', `v1.a.AAAAAAAAAAAAAAAA.${'A'.repeat(22)}B`],
    ['whitespace', ` ${ringA.encrypt('x')}`],
  ])('refuses a malformed envelope: %s', (_case, envelope) => {
    expect(failure(() => ringA.decrypt(envelope))).toBe('malformed');
  });

  it('refuses a non-string envelope as malformed', () => {
    expect(failure(() => ringA.decrypt(undefined as unknown as string))).toBe('malformed');
    expect(failure(() => ringA.decrypt(42 as unknown as string))).toBe('malformed');
  });

  it('refuses to decode binary plaintext as text, but opens it as bytes', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0xc3]);
    const envelope = ringA.encrypt(binary);
    expect(failure(() => ringA.decrypt(envelope))).toBe('not-utf8');
    expect(ringA.decryptBuffer(envelope).equals(binary)).toBe(true);
  });

  describe('rotation', () => {
    it('decrypts envelopes written under an older key', () => {
      const old = ringA.encrypt('old secret', 'row-7');
      expect(ringBA.decrypt(old, 'row-7')).toBe('old secret');
    });

    it('flags envelopes not under the active key', () => {
      expect(ringBA.needsReencryption(ringA.encrypt('x'))).toBe(true);
      expect(ringBA.needsReencryption(ringBA.encrypt('x'))).toBe(false);
      // an unknown key needs re-encryption too; reencrypt then fails loudly
      const foreign = KeyRing.fromConfig([entry('zz', randomBytes(32))]).encrypt('x');
      expect(ringBA.needsReencryption(foreign)).toBe(true);
      expect(failure(() => ringBA.reencrypt(foreign))).toBe('unknown-key');
      expect(failure(() => ringBA.needsReencryption('garbage'))).toBe('malformed');
    });

    it('re-encrypts under the active key, keeping the associated data binding', () => {
      const old = ringA.encrypt('rotated secret', 'row-9');
      const fresh = ringBA.reencrypt(old, 'row-9');
      expect(fresh.startsWith('v1.b.')).toBe(true);
      expect(ringBA.needsReencryption(fresh)).toBe(false);
      expect(ringBA.decrypt(fresh, 'row-9')).toBe('rotated secret');
      expect(failure(() => ringBA.decrypt(fresh, 'row-10'))).toBe('unauthentic');
      // once everything is re-encrypted, the old key can leave the ring
      const ringB = KeyRing.fromConfig([entry('b', keyB)]);
      expect(ringB.decrypt(fresh, 'row-9')).toBe('rotated secret');
      expect(failure(() => ringB.decrypt(old, 'row-9'))).toBe('unknown-key');
    });

    it('refuses to re-encrypt with the wrong associated data', () => {
      const old = ringA.encrypt('secret', 'row-1');
      expect(failure(() => ringBA.reencrypt(old, 'row-2'))).toBe('unauthentic');
    });
  });

  describe('fromConfig', () => {
    it('refuses an empty ring, duplicate kids, bad kids and keys of the wrong size', () => {
      expect(() => KeyRing.fromConfig([])).toThrow(/at least one key/);
      expect(() => KeyRing.fromConfig([entry('a', keyA), entry('a', keyB)])).toThrow(/twice/);
      expect(() => KeyRing.fromConfig([entry('Not_OK', keyA)])).toThrow(/key id/);
      expect(() => KeyRing.fromConfig([entry('a', randomBytes(16))])).toThrow(/32 bytes/);
    });

    it('never shows key material when inspected or serialized', () => {
      const base64 = keyA.toString('base64');
      const hex = keyA.toString('hex');
      for (const shown of [
        inspect(ringA, { showHidden: true, depth: 10 }),
        JSON.stringify(ringA),
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the stringification is what is tested
        String(ringA),
      ]) {
        expect(shown).not.toContain(base64);
        expect(shown).not.toContain(hex);
      }
    });
  });
});

describe('ENCRYPTION_KEYS config field', () => {
  const shape = { ...environment, ...encryption };
  const rules = [refuseDevelopmentEncryptionKeyInProduction];
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64url');

  const problems = (env: Record<string, string>) => configProblems(shape, env, rules);

  it('defaults to the development key, which a local run can use', () => {
    const config = parseConfig(shape, {}, rules);
    expect(config.ENCRYPTION_KEYS.map(({ kid }) => kid)).toEqual(['dev']);
    const ring = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
    expect(ring.decrypt(ring.encrypt('local'))).toBe('local');
    expect(DEVELOPMENT_ENCRYPTION_KEYS.startsWith('dev:')).toBe(true);
  });

  it('parses several keys in order (standard or url-safe base64), the first active', () => {
    const config = parseConfig(shape, { ENCRYPTION_KEYS: ` k-2026:${k1} , k-2025:${k2} ` });
    expect(config.ENCRYPTION_KEYS.map(({ kid }) => kid)).toEqual(['k-2026', 'k-2025']);
    expect(config.ENCRYPTION_KEYS[0]!.key.reveal().equals(Buffer.from(k1, 'base64'))).toBe(true);
    expect(config.ENCRYPTION_KEYS[1]!.key.reveal().equals(Buffer.from(k2, 'base64url'))).toBe(true);
    expect(KeyRing.fromConfig(config.ENCRYPTION_KEYS).activeKid).toBe('k-2026');
  });

  it('keeps parsed keys out of JSON and logs', () => {
    const config = parseConfig(shape, { ENCRYPTION_KEYS: `a:${k1}` });
    const shown = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })}`;
    expect(shown).not.toContain(k1);
    expect(shown).toContain('[redacted]');
  });

  it('reports every bad entry at once, by position, without echoing key material', () => {
    const secretLooking = randomBytes(32).toString('base64');
    const lines = problems({
      ENCRYPTION_KEYS: [
        secretLooking, // a key without its kid
        `BAD_KID:${k1}`,
        `short:${randomBytes(16).toString('base64')}`,
        `long:${randomBytes(33).toString('base64')}`,
        'junk:not*base64*at*all*not*base64*at*all*xxxxx',
        `mixed:${k1.slice(0, 10)}-_${k1.slice(12)}`,
        `ok:${k1}`,
        `ok:${k2}`,
      ].join(','),
    });
    expect(lines).toEqual([
      'config error: ENCRYPTION_KEYS: entry 1 must be kid:base64key (got "[redacted]")',
      'config error: ENCRYPTION_KEYS: entry 2: the key id must be 1-16 lowercase letters, digits or - (got "[redacted]")',
      expect.stringMatching(/^config error: ENCRYPTION_KEYS: entry 3 \(kid short\): .*32 bytes/),
      expect.stringMatching(/^config error: ENCRYPTION_KEYS: entry 4 \(kid long\): .*32 bytes/),
      expect.stringMatching(/^config error: ENCRYPTION_KEYS: entry 5 \(kid junk\): .*32 bytes/),
      expect.stringMatching(/^config error: ENCRYPTION_KEYS: entry 6 \(kid mixed\): .*32 bytes/),
      'config error: ENCRYPTION_KEYS: entry 8: key id ok appears twice (got "[redacted]")',
    ]);
    const all = lines.join('\n');
    for (const secret of [secretLooking, k1, k2, k1.slice(0, 12)]) {
      expect(all).not.toContain(secret);
    }
  });

  it('reports a list with no entries', () => {
    expect(problems({ ENCRYPTION_KEYS: ' , ,' })).toEqual([
      'config error: ENCRYPTION_KEYS: needs at least one kid:base64key entry (got "[redacted]")',
    ]);
  });

  it('refuses the development key in production, even as a decrypt-only key', () => {
    const refused = [
      'config error: ENCRYPTION_KEYS: the development key is refused when NODE_ENV=production',
    ];
    expect(problems({ NODE_ENV: 'production' })).toEqual(refused);
    const devKey = DEVELOPMENT_ENCRYPTION_KEYS.split(':')[1]!;
    expect(
      problems({ NODE_ENV: 'production', ENCRYPTION_KEYS: `prod:${k1},renamed:${devKey}` }),
    ).toEqual(refused);
    expect(problems({ NODE_ENV: 'production', ENCRYPTION_KEYS: `prod:${k1}` })).toEqual([]);
    expect(problems({ NODE_ENV: 'test' })).toEqual([]);
  });
});
