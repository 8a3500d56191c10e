import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The transports a browser may report for a credential (WebAuthn `AuthenticatorTransport`). */
export const PASSKEY_TRANSPORTS = [
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
] as const;
export type PasskeyTransport = (typeof PASSKEY_TRANSPORTS)[number];

/** A WebAuthn credential a user registered: it signs them in, or completes a password sign-in. */
@Entity({ schema: 'auth', name: 'passkeys' })
export class PasskeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** The authenticator's credential id, base64url: what an assertion names. Unique. */
  @Column({ name: 'credential_id', type: 'text' })
  credentialId: string;

  /** The COSE-encoded public key, as the authenticator sent it. */
  @Column({ name: 'public_key', type: 'bytea', select: false })
  publicKey: Buffer;

  /**
   * The authenticator's signature counter (a uint32, so a bigint column). Each assertion must
   * raise it, unless the authenticator does not count (0 stays 0): see PasskeyRepository.
   */
  @Column({
    type: 'bigint',
    default: 0,
    transformer: { to: (value: number) => value, from: (value: string) => Number(value) },
  })
  counter: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  transports: PasskeyTransport[];

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
