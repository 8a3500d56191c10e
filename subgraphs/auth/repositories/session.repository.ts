import type { EntityManager } from 'typeorm';
import { SessionEntity, type RevokeReason } from '../entities/session.entity';

export interface RevokedRow {
  id: string;
}

/** Sessions and their refresh-token families. */
export class SessionRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(session: {
    userId: string;
    ip: string | null;
    userAgent: string | null;
    expiresAt: Date;
  }): Promise<SessionEntity> {
    const inserted = this.manager.create(SessionEntity, session);
    return this.manager.save(SessionEntity, inserted);
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.manager.findOne(SessionEntity, { where: { id } });
  }

  /** Live sessions of a user, oldest first (uses sessions_user_live_idx). */
  live(userId: string): Promise<SessionEntity[]> {
    return this.manager
      .createQueryBuilder(SessionEntity, 'session')
      .where('session.userId = :userId AND session.revokedAt IS NULL', { userId })
      .andWhere('session.expiresAt > now()')
      .orderBy('session.createdAt', 'ASC')
      .getMany();
  }

  /** Ends sessions matching `where`; returns the ids it ended (not those already ended). */
  private async revokeWhere(
    where: string,
    parameters: unknown[],
    reason: RevokeReason,
  ): Promise<string[]> {
    const rows = await this.manager.query<[RevokedRow[], number]>(
      `UPDATE auth.sessions SET revoked_at = now(), revoked_reason = $1
        WHERE revoked_at IS NULL AND expires_at > now() AND ${where} RETURNING id`,
      [reason, ...parameters],
    );
    return rows[0].map((row) => row.id);
  }

  revokeById(id: string, reason: RevokeReason, userId?: string): Promise<string[]> {
    return userId
      ? this.revokeWhere('id = $2 AND user_id = $3', [id, userId], reason)
      : this.revokeWhere('id = $2', [id], reason);
  }

  revokeByIds(ids: string[], reason: RevokeReason): Promise<string[]> {
    return this.revokeWhere('id = ANY($2)', [ids], reason);
  }

  revokeAllOfUser(
    userId: string,
    reason: RevokeReason,
    exceptId?: string | null,
  ): Promise<string[]> {
    return exceptId
      ? this.revokeWhere('user_id = $2 AND id <> $3', [userId, exceptId], reason)
      : this.revokeWhere('user_id = $2', [userId], reason);
  }

  revokeByIp(ip: string, reason: RevokeReason): Promise<string[]> {
    return this.revokeWhere('ip = $2', [ip], reason);
  }

  async touch(id: string): Promise<void> {
    await this.manager.query(`UPDATE auth.sessions SET last_seen_at = now() WHERE id = $1`, [id]);
  }

  /** Sessions revoked since `since` (re-announced to gateways; sessions_revoked_at_idx). */
  async revokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    const rows = await this.manager.query<{ id: string; revoked_at: Date }[]>(
      `SELECT id, revoked_at FROM auth.sessions WHERE revoked_at > $1`,
      [since],
    );
    return rows.map((row) => ({ id: row.id, revokedAt: row.revoked_at }));
  }
}
