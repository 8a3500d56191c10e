import type { EntityManager } from 'typeorm';
import { OAuthLinkEntity, type OAuthLinkView } from '../entities/oauth-link.entity';

export class OAuthLinkRepository {
  constructor(private readonly manager: EntityManager) {}

  /** In the provider's tenant transaction (oauth_links_identity_key). */
  findByIdentity(provider: string, providerUserId: string): Promise<OAuthLinkEntity | null> {
    return this.manager.findOne(OAuthLinkEntity, { where: { provider, providerUserId } });
  }

  async insert(link: {
    tenantId: string;
    userId: string;
    provider: string;
    providerUserId: string;
    email: string | null;
  }): Promise<OAuthLinkEntity> {
    return this.manager.save(OAuthLinkEntity, this.manager.create(OAuthLinkEntity, link));
  }

  /** The link's user proved it is theirs (linked again, or a trusted provider vouched). */
  async release(id: string): Promise<void> {
    await this.manager.update(OAuthLinkEntity, { id }, { held: false, lastUsedAt: () => 'now()' });
  }

  async touch(id: string): Promise<void> {
    await this.manager.update(OAuthLinkEntity, { id }, { lastUsedAt: () => 'now()' });
  }

  /** In the tenant's transaction: removes the user's links to `provider` there. */
  async deleteOfUser(userId: string, provider: string): Promise<number> {
    const result = await this.manager.delete(OAuthLinkEntity, { userId, provider });
    return result.affected ?? 0;
  }

  /** Holds every link of a user, across tenants (the owner's function); how many it held. */
  async holdAllOfUser(userId: string): Promise<number> {
    const [row] = await this.manager.query<{ held: number }[]>(
      `SELECT auth.hold_oauth_links_of_user($1) AS held`,
      [userId],
    );
    return row?.held ?? 0;
  }

  /** Every link of a user, across tenants (the owner's function; oauth_links_user_idx). */
  async ofUser(userId: string): Promise<OAuthLinkView[]> {
    const rows = await this.manager.query<
      { tenant_id: string; provider: string; provider_user_id: string; linked_at: Date }[]
    >(`SELECT * FROM auth.oauth_links_of_user($1)`, [userId]);
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      provider: row.provider,
      providerUserId: row.provider_user_id,
      linkedAt: row.linked_at,
    }));
  }
}
