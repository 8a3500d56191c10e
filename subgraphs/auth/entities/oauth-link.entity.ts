import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A user's account at one tenant's OAuth provider, by the provider's stable user id. */
@Entity({ schema: 'auth', name: 'oauth_links' })
export class OAuthLinkEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'provider_user_id', type: 'text' })
  providerUserId: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'linked_at', type: 'timestamptz', default: () => 'now()' })
  linkedAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /**
   * Signs nobody in until its user links the provider again. Set on links that the email
   * match of older releases may have made (it let a tenant's provider join any account with
   * the same address), and on links made before a password reset first proved the address.
   */
  @Column({ type: 'boolean', default: false })
  held: boolean;
}

/** A link as `User.oauthLinks` shows it. */
export interface OAuthLinkView {
  tenantId: string;
  provider: string;
  providerUserId: string;
  linkedAt: Date;
}
