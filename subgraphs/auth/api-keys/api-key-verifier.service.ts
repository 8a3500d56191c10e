import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { parseApiKey } from '../../../platform/contracts/auth/api-key-format';
import type { VerifiedApiKey } from '../../../platform/contracts/auth/api-key-verify';
import { constantTimeEqual, hashToken } from '../../../platform/crypto/tokens';
import { tenantScope } from '../../../platform/db/scope';
import { ApiKeyRepository } from '../repositories/api-key.repository';

/**
 * Answers the gateway's "whose key is this?" and remembers which keys were used, writing
 * `last_used_at` for all of them in one statement every `flushMs` rather than once per
 * request.
 */
export class ApiKeyVerifier {
  private used = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly flushMs = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  async verify(key: string): Promise<VerifiedApiKey | null> {
    const parsed = parseApiKey(key);
    if (!parsed) return null;
    const found = await new ApiKeyRepository(this.dataSource.manager).findByPrefix(parsed.prefix);
    if (!found || !constantTimeEqual(found.secret_hash, hashToken(parsed.secret))) return null;
    if (found.revoked_at || (found.expires_at && found.expires_at <= new Date())) return null;
    this.used.add(found.id);
    return {
      id: found.id,
      tenantId: found.tenant_id,
      scopes: found.scopes,
      expiresAt: found.expires_at?.toISOString() ?? null,
      createdBy: found.created_by,
    };
  }

  /** Who created the key `id` of `tenantId` (null when unknown or when that user is gone). */
  async ownerOf(tenantId: string, id: string): Promise<string | null> {
    const key = await tenantScope(this.dataSource, tenantId).run((manager) =>
      new ApiKeyRepository(manager).findById(id),
    );
    return key?.createdBy ?? null;
  }

  async flush(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used = new Set();
    try {
      await new ApiKeyRepository(this.dataSource.manager).touch(ids, new Date());
    } catch (error) {
      this.logger.warn({ err: error, keys: ids.length }, 'recording API key use failed');
    }
  }
}
