import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const USER_STATUSES = ['ACTIVE', 'DEACTIVATED', 'BANNED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A person who can sign in. Users are global; tenancy links them to tenants. */
@Entity({ schema: 'auth', name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased; unique. */
  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ type: 'text', default: 'ACTIVE' })
  status: UserStatus;

  /** argon2id; null for accounts that sign in only with a passkey or OAuth. */
  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash: string | null;

  /** `ADMIN` for platform administrators (across tenants); null for everyone else. */
  @Column({ name: 'platform_role', type: 'text', nullable: true })
  platformRole: 'ADMIN' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
