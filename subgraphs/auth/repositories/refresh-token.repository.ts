import type { EntityManager } from 'typeorm';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';

export class RefreshTokenRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(sessionId: string, tokenHash: string): Promise<void> {
    await this.manager.insert(RefreshTokenEntity, { sessionId, tokenHash });
  }

  /** The token row, locked, so two concurrent refreshes with one token cannot both win. */
  findForUpdate(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.manager
      .createQueryBuilder(RefreshTokenEntity, 'token')
      .where('token.tokenHash = :tokenHash', { tokenHash })
      .setLock('pessimistic_write')
      .getOne();
  }

  async markUsed(id: string): Promise<void> {
    await this.manager.update(RefreshTokenEntity, { id }, { usedAt: () => 'now()' });
  }
}
