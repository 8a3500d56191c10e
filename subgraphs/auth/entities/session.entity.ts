import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REVOKE_REASONS = [
  'sign_out',
  'revoked',
  'revoked_all',
  'refresh_token_reuse',
  'evicted',
  'password_changed',
  'password_reset',
  'user_status',
  'admin',
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** One signed-in device: the family of its refresh tokens, and the `sid` of its access tokens. */
@Entity({ schema: 'auth', name: 'sessions' })
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason: RevokeReason | null;
}
