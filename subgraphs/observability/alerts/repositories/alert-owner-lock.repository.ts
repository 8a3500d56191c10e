import type { EntityManager } from 'typeorm';
import { scopeLockKey } from '../alert-scope';

/**
 * Transaction-scoped advisory locks on one owner's alerting (a tenant's, or the platform's
 * when tenantId is null). Each lock is released when the caller's transaction ends.
 */
export class AlertOwnerLockRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Waits its turn: two rule creations at once cannot both pass the owner's cap. */
  async lockRuleCreation(tenantId: string | null): Promise<void> {
    await this.lock('tessera:alert-rules', tenantId);
  }

  /** Waits its turn: two channel creations at once cannot both pass the owner's cap. */
  async lockChannelCreation(tenantId: string | null): Promise<void> {
    await this.lock('tessera:alert-channels', tenantId);
  }

  /** Whether this transaction now holds the owner's evaluation; false: another round does. */
  async tryLockEvaluation(tenantId: string | null): Promise<boolean> {
    const [lock] = await this.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtext('tessera:alerts'), hashtext($1)) AS locked`,
      [scopeLockKey(tenantId)],
    );
    return lock?.locked === true;
  }

  private async lock(namespace: string, tenantId: string | null): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [
      namespace,
      scopeLockKey(tenantId),
    ]);
  }
}
