import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ROLES, type Role } from '../../../platform/context/request-context';

// The roles live in the request context (the gateway resolves them into it); the CHECK on
// tenancy.memberships.role and the GraphQL `Role` enum must allow exactly these.
export { ROLES, type Role };

/** A user's place in a tenant. One per (tenant, user). */
@Entity({ schema: 'tenancy', name: 'memberships' })
export class MembershipEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  /** An `auth.users` id; another service's row, so no foreign key. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  role: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
