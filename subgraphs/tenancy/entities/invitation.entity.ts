import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './membership.entity';

/**
 * An invitation to join a tenant with a role; what the `Invitation` GraphQL type resolves
 * from. The token's hash is never read into it.
 */
@Entity({ schema: 'tenancy', name: 'invitations' })
export class InvitationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  /** Lower case, validated like an account's address. */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  role: Role;

  /** SHA-256 of the token, hex; only the acceptance compares it. */
  @Column({ name: 'token_hash', type: 'text', select: false })
  tokenHash?: string;

  /** The inviting user (an `auth.users` id, no foreign key across owners). */
  @Column({ name: 'invited_by', type: 'uuid', nullable: true })
  invitedBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ name: 'accepted_by', type: 'uuid', nullable: true })
  acceptedBy: string | null;
}
