import { createHmac, hkdfSync } from 'node:crypto';
import { constantTimeEqual } from '../../../platform/crypto/tokens';
import { AUDIT_EXPORT_PATH_PREFIX } from '../../../platform/contracts/observability/audit-export-path';

/** The platform's own chain, in URLs (as the journal's counter names it). */
export const PLATFORM_CHAIN = '00000000-0000-0000-0000-000000000000';

/** What an export URL grants: one chain's entries with `from <= occurred_at < to`. */
export interface AuditExportGrant {
  /** A tenant id, or PLATFORM_CHAIN. */
  chain: string;
  from: Date;
  to: Date;
}

const MILLIS = /^\d{1,15}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Signed, expiring export URLs: `/audit-exports/<chain>?from=&to=&expires=&signature=`, an
 * HMAC-SHA256 over all four, under a key HKDF derives from the process's signing key (a key of
 * its own). Only platform administrators get one (the auditExport query); the URL is then the
 * credential, bound to no session, so it is short-lived.
 */
export class AuditExportUrls {
  private readonly key: Buffer;

  constructor(
    seed: Buffer,
    private readonly ttlSeconds: number,
    private readonly publicUrl: string | undefined,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', seed, 'tessera', 'audit export urls v1', 32));
  }

  sign(grant: AuditExportGrant, now = Date.now()): { url: string; expiresAt: Date } {
    const expires = Math.floor(now / 1000) + this.ttlSeconds;
    const query = new URLSearchParams({
      from: String(grant.from.getTime()),
      to: String(grant.to.getTime()),
      expires: String(expires),
      signature: this.mac(grant.chain, grant.from.getTime(), grant.to.getTime(), expires),
    });
    const base = (this.publicUrl ?? '').replace(/\/+$/, '');
    return {
      url: `${base}${AUDIT_EXPORT_PATH_PREFIX}${grant.chain}?${query.toString()}`,
      expiresAt: new Date(expires * 1000),
    };
  }

  /** The grant a URL carries, or why it carries none. */
  verify(
    chain: string,
    query: URLSearchParams,
    now = Date.now(),
  ): { ok: true; grant: AuditExportGrant } | { ok: false; reason: 'invalid' | 'expired' } {
    const [from, to, expires] = ['from', 'to', 'expires'].map((name) => query.get(name) ?? '');
    const signature = query.get('signature') ?? '';
    if (![from, to, expires].every((value) => MILLIS.test(value!)) || !SIGNATURE.test(signature))
      return { ok: false, reason: 'invalid' };
    const expected = this.mac(chain, Number(from), Number(to), Number(expires));
    if (!constantTimeEqual(signature, expected)) return { ok: false, reason: 'invalid' };
    if (Number(expires) * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { chain, from: new Date(Number(from)), to: new Date(Number(to)) } };
  }

  private mac(chain: string, from: number, to: number, expires: number): string {
    return createHmac('sha256', this.key)
      .update(`tessera-audit-export-v1\n${chain}\n${from}\n${to}\n${expires}`, 'utf8')
      .digest('base64url');
  }
}
