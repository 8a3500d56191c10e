import { createHmac, hkdfSync } from 'node:crypto';
import { BLOB_PATH_PREFIX } from '../../../platform/contracts/assets/blob-path';
import { constantTimeEqual } from '../../../platform/crypto/tokens';
import { blobSegments, type BlobKey } from '../storage/blob-store';

/** What a URL lets its holder do: PUT the bytes once, or GET/HEAD them. */
export type BlobAction = 'upload' | 'download';

export interface SignedBlobUrl {
  url: string;
  expiresAt: Date;
}

export type BlobUrlCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired' };

export interface BlobUrlOptions {
  /** HMAC keys: the first signs, every one verifies (rotation). */
  keys: readonly Buffer[];
  /** The origin clients reach `/blobs/` on, read when a URL is made. */
  publicUrl: () => string;
  uploadTtlSeconds: number;
  downloadTtlSeconds: number;
}

const EXPIRES = /^\d{1,12}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Signed, expiring blob URLs: `<public url>/blobs/<tenant>/<asset>?expires=<unix s>&signature=…`
 * where the signature is an HMAC-SHA256 over the action, tenant, asset and expiry. Changing
 * any of them (another asset, another tenant, a later expiry, a download URL used to upload)
 * makes the URL invalid. The URL is the credential: it is bound to no session, like a
 * presigned S3 URL, so it is kept short-lived.
 */
export class BlobUrls {
  constructor(private readonly options: BlobUrlOptions) {
    if (options.keys.length === 0) throw new RangeError('blob URLs need at least one key');
  }

  upload(key: BlobKey, now = Date.now()): SignedBlobUrl {
    return this.sign('upload', key, Math.floor(now / 1000) + this.options.uploadTtlSeconds);
  }

  /**
   * Rounded up to the minute, so the same asset read again within a minute gets the same URL
   * (and a browser's cached copy of it).
   */
  download(key: BlobKey, now = Date.now()): SignedBlobUrl {
    const expires = Math.ceil((now / 1000 + this.options.downloadTtlSeconds) / 60) * 60;
    return this.sign('download', key, expires);
  }

  /** Checks a URL's query against the action and key its path and method name. */
  verify(action: BlobAction, key: BlobKey, query: URLSearchParams, now = Date.now()): BlobUrlCheck {
    const expires = query.get('expires') ?? '';
    const signature = query.get('signature') ?? '';
    if (!EXPIRES.test(expires) || !SIGNATURE.test(signature))
      return { ok: false, reason: 'invalid' };
    const authentic = this.options.keys.some((secret) =>
      constantTimeEqual(signature, mac(secret, action, key, Number(expires))),
    );
    if (!authentic) return { ok: false, reason: 'invalid' };
    if (Number(expires) * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  private sign(action: BlobAction, key: BlobKey, expires: number): SignedBlobUrl {
    const [tenant, asset] = blobSegments(key);
    const signature = mac(this.options.keys[0]!, action, key, expires);
    const base = this.options.publicUrl().replace(/\/+$/, '');
    return {
      url: `${base}${BLOB_PATH_PREFIX}${tenant}/${asset}?expires=${expires}&signature=${signature}`,
      expiresAt: new Date(expires * 1000),
    };
  }
}

/**
 * The URL keys from configured secrets (or from the process's signing key's seed): HKDF gives
 * blob URLs keys of their own, never the bytes of any other key.
 */
export function blobUrlKeys(secrets: readonly (string | Buffer)[]): Buffer[] {
  return secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, 'tessera', 'assets blob urls v1', 32)),
  );
}

function mac(secret: Buffer, action: BlobAction, key: BlobKey, expires: number): string {
  const [tenant, asset] = blobSegments(key);
  return createHmac('sha256', secret)
    .update(`tessera-blob-url-v1\n${action}\n${tenant}\n${asset}\n${expires}`, 'utf8')
    .digest('base64url');
}
