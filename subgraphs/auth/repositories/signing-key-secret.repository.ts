import type { EntityManager } from 'typeorm';

/**
 * The signing keys' encrypted private halves, as the re-encryption job sees them. The table is
 * global (keys sign every tenant's tokens) and holds a handful of rows, so no index: the kid
 * filter reads them all.
 */
export class SigningKeySecretRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Kids of keys whose private half is not under `activeKid`, in kid order after `after`. */
  async listStale(activeKid: string, after: string | null, limit: number): Promise<string[]> {
    const rows: { kid: string }[] = await this.manager.query(
      `SELECT kid FROM auth.signing_keys
        WHERE split_part(private_key_encrypted, '.', 2) <> $1 AND ($2::text IS NULL OR kid > $2)
        ORDER BY kid LIMIT $3`,
      [activeKid, after, limit],
    );
    return rows.map((row) => row.kid);
  }

  async countStale(activeKid: string): Promise<number> {
    const [row] = await this.manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM auth.signing_keys
        WHERE split_part(private_key_encrypted, '.', 2) <> $1`,
      [activeKid],
    );
    return row?.n ?? 0;
  }

  /** The envelope, locked until the transaction ends; null when the key is gone. */
  async lockEnvelope(kid: string): Promise<string | null> {
    const [row] = await this.manager.query<{ private_key_encrypted: string }[]>(
      `SELECT private_key_encrypted FROM auth.signing_keys WHERE kid = $1 FOR UPDATE`,
      [kid],
    );
    return row?.private_key_encrypted ?? null;
  }

  async replaceEnvelope(kid: string, envelope: string): Promise<void> {
    await this.manager.query(
      `UPDATE auth.signing_keys SET private_key_encrypted = $2 WHERE kid = $1`,
      [kid, envelope],
    );
  }
}
