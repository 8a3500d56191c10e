import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An OAuth/OIDC provider a tenant's users may sign in with. What the `OAuthProviderConfig`
 * GraphQL type resolves from: the client secret envelope is never read into it.
 */
@Entity({ schema: 'tenancy', name: 'oauth_providers' })
export class OAuthProviderEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  /** Unique within the tenant: `google`, `okta-eu`. */
  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  /** A key ring envelope, associated data `<tenant id>:<provider>`; only the lookup reads it. */
  @Column({ name: 'client_secret_encrypted', type: 'text', select: false })
  clientSecretEncrypted?: string;

  @Column({ type: 'text', nullable: true })
  issuer: string | null;

  @Column({ name: 'authorization_url', type: 'text', nullable: true })
  authorizationUrl: string | null;

  @Column({ name: 'token_url', type: 'text', nullable: true })
  tokenUrl: string | null;

  @Column({ name: 'user_info_url', type: 'text', nullable: true })
  userInfoUrl: string | null;

  @Column({ type: 'text', array: true, default: () => `'{openid,email,profile}'` })
  scopes: string[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
