import { randomUUID } from 'node:crypto';
import { BlobUrls, blobUrlKeys } from '../services/blob-urls';

const key = { tenantId: randomUUID(), assetId: randomUUID() };
const now = Date.parse('2026-01-01T00:00:00Z');
const urls = (secrets = ['a-secret-of-at-least-thirty-two-characters']) =>
  new BlobUrls({
    keys: blobUrlKeys(secrets),
    publicUrl: () => 'https://files.example.com/',
    uploadTtlSeconds: 900,
    downloadTtlSeconds: 300,
  });
const queryOf = (url: string) => new URL(url).searchParams;

describe('signed blob URLs', () => {
  it('names the tenant and asset in the path and expire after their TTL', () => {
    const { url, expiresAt } = urls().upload(key, now);
    expect(url).toMatch(
      new RegExp(
        `^https://files\\.example\\.com/blobs/${key.tenantId}/${key.assetId}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`,
      ),
    );
    expect(expiresAt.getTime()).toBe(now + 900_000);
    expect(urls().verify('upload', key, queryOf(url), now + 899_000)).toEqual({ ok: true });
    expect(urls().verify('upload', key, queryOf(url), now + 901_000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('rounds download expiry up to the minute, so a page read twice gets the same URL', () => {
    const first = urls().download(key, now + 1_000);
    expect(urls().download(key, now + 20_000).url).toBe(first.url);
    expect(first.expiresAt.getTime() % 60_000).toBe(0);
  });

  it.each([
    ['another asset', (q: URLSearchParams) => q, { ...key, assetId: randomUUID() }, 'upload'],
    ['another tenant', (q: URLSearchParams) => q, { ...key, tenantId: randomUUID() }, 'upload'],
    ['the other action', (q: URLSearchParams) => q, key, 'download'],
    [
      'a later expiry',
      (q: URLSearchParams) =>
        new URLSearchParams({
          ...Object.fromEntries(q),
          expires: String(Number(q.get('expires')) + 3600),
        }),
      key,
      'upload',
    ],
    [
      'an edited signature',
      (q: URLSearchParams) => {
        const signature = q.get('signature')!;
        const flipped = signature[0] === 'A' ? 'B' : 'A';
        return new URLSearchParams({
          ...Object.fromEntries(q),
          signature: flipped + signature.slice(1),
        });
      },
      key,
      'upload',
    ],
    ['no signature', () => new URLSearchParams(), key, 'upload'],
  ] as const)('refuses an upload URL used for %s', (_case, edit, target, action) => {
    const { url } = urls().upload(key, now);
    expect(urls().verify(action, target, edit(queryOf(url)), now)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('verifies with every key of a rotation and signs with the first', () => {
    const old = urls(['the-old-secret-of-at-least-thirty-two-chars']);
    const rotated = urls([
      'the-new-secret-of-at-least-thirty-two-chars',
      'the-old-secret-of-at-least-thirty-two-chars',
    ]);
    expect(rotated.verify('upload', key, queryOf(old.upload(key, now).url), now).ok).toBe(true);
    expect(old.verify('upload', key, queryOf(rotated.upload(key, now).url), now).ok).toBe(false);
  });
});
