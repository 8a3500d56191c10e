import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JWK } from 'jose';

/**
 * A key that signs access tokens until `retiresAt` and verifies them until `expiresAt`
 * (retirement plus the longest token lifetime), so rotation never rejects a live token.
 */
@Entity({ schema: 'auth', name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  kid: string;

  @Column({ type: 'text' })
  algorithm: 'ES256';

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: JWK;

  /** A key-ring envelope (`v1.<kid>.…`), bound to the kid as associated data. */
  @Column({ name: 'private_key_encrypted', type: 'text' })
  privateKeyEncrypted: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'retires_at', type: 'timestamptz' })
  retiresAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
