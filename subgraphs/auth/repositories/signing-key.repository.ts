import { MoreThan, type EntityManager } from 'typeorm';
import { SigningKeyEntity } from '../entities/signing-key.entity';

// Any constant works; it only has to be the same in every auth process.
const ROTATION_LOCK = 0x74657373; // "tess"

export class SigningKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Keys that still verify tokens, newest first. Served at the JWKS endpoint. */
  unexpired(now: Date): Promise<SigningKeyEntity[]> {
    return this.manager.find(SigningKeyEntity, {
      where: { expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
  }

  /** Serializes rotation across auth processes for the rest of the transaction. */
  async lockRotation(): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock($1)`, [ROTATION_LOCK]);
  }

  async insert(key: SigningKeyEntity): Promise<void> {
    await this.manager.insert(SigningKeyEntity, key);
  }

  async deleteExpired(before: Date): Promise<void> {
    await this.manager.query(`DELETE FROM auth.signing_keys WHERE expires_at < $1`, [before]);
  }
}
