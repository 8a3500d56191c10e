import type { EntityManager } from 'typeorm';
import { PasskeyEntity, type PasskeyTransport } from '../entities/passkey.entity';

export interface NewPasskey {
  userId: string;
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  transports: PasskeyTransport[];
  name: string | null;
}

/**
 * Every SQL statement about passkeys. Lookups use passkeys_credential_id_key (assertions) or
 * passkeys_user_idx (a user's list and count).
 */
export class PasskeyRepository {
  constructor(private readonly manager: EntityManager) {}

  listOf(userId: string): Promise<PasskeyEntity[]> {
    return this.manager.find(PasskeyEntity, {
      where: { userId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** The passkeys of several users in one query, for the per-request loader. */
  async listOfUsers(userIds: readonly string[]): Promise<PasskeyEntity[]> {
    if (userIds.length === 0) return [];
    return this.manager
      .createQueryBuilder(PasskeyEntity, 'passkey')
      .where('passkey.userId = ANY(:userIds)', { userIds: [...userIds] })
      .orderBy('passkey.createdAt', 'ASC')
      .addOrderBy('passkey.id', 'ASC')
      .getMany();
  }

  async countOf(userId: string): Promise<number> {
    const [row] = await this.manager.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM auth.passkeys WHERE user_id = $1`,
      [userId],
    );
    return row?.count ?? 0;
  }

  findOwned(id: string, userId: string): Promise<PasskeyEntity | null> {
    return this.manager.findOne(PasskeyEntity, { where: { id, userId } });
  }

  /** With the public key, which no other read selects. */
  findByCredentialId(credentialId: string): Promise<PasskeyEntity | null> {
    return this.manager
      .createQueryBuilder(PasskeyEntity, 'passkey')
      .addSelect('passkey.publicKey')
      .where('passkey.credentialId = :credentialId', { credentialId })
      .getOne();
  }

  /** Inserts unless the credential is registered already (to anyone); null when it is. */
  async insert(passkey: NewPasskey): Promise<PasskeyEntity | null> {
    const rows = await this.manager.query<{ id: string }[]>(
      `INSERT INTO auth.passkeys (user_id, credential_id, public_key, counter, transports, name)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (credential_id) DO NOTHING RETURNING id`,
      [
        passkey.userId,
        passkey.credentialId,
        passkey.publicKey,
        passkey.counter,
        passkey.transports,
        passkey.name,
      ],
    );
    const [row] = rows;
    return row ? this.manager.findOne(PasskeyEntity, { where: { id: row.id } }) : null;
  }

  /**
   * Records an assertion, refusing (false) a signature counter that did not go up: the
   * WebAuthn rule, checked and written in one statement so two assertions carrying the same
   * counter (a cloned authenticator racing the original) cannot both pass. An authenticator
   * that does not count at all reports 0 every time, which stays allowed while the stored
   * counter is 0 too.
   */
  async recordUse(id: string, counter: number): Promise<boolean> {
    const [, affected] = await this.manager.query<[unknown, number]>(
      `UPDATE auth.passkeys SET counter = $2, last_used_at = now()
        WHERE id = $1 AND ($2 > counter OR ($2 = 0 AND counter = 0))`,
      [id, counter],
    );
    return affected > 0;
  }

  async delete(id: string, userId: string): Promise<boolean> {
    const [, affected] = await this.manager.query<[unknown, number]>(
      `DELETE FROM auth.passkeys WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return affected > 0;
  }
}
