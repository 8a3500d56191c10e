import type { EntityManager } from 'typeorm';
import { EmailTokenEntity, type EmailTokenPurpose } from '../entities/email-token.entity';

export class EmailTokenRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Issues a token and retires the user's earlier open ones for the same purpose. */
  async replace(
    userId: string,
    purpose: EmailTokenPurpose,
    tokenHash: string,
    expiresAt: Date,
  ): Promise<void> {
    await this.manager.query(
      `UPDATE auth.email_tokens SET used_at = now()
        WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [userId, purpose],
    );
    await this.manager.insert(EmailTokenEntity, { userId, purpose, tokenHash, expiresAt });
  }

  /**
   * Uses a token once: marks it used and returns its user, or null when it is unknown, used,
   * expired or for another purpose. One statement, so two concurrent uses cannot both pass.
   */
  async consume(tokenHash: string, purpose: EmailTokenPurpose): Promise<string | null> {
    const [rows] = await this.manager.query<[{ user_id: string }[], number]>(
      `UPDATE auth.email_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id`,
      [tokenHash, purpose],
    );
    return rows[0]?.user_id ?? null;
  }
}
