import type { SubgraphDefinition } from '../../platform/subgraph/subgraph-service';
import { tenancyConfigRules, tenancyConfigShape } from './config';
import { createTenancyContext, type TenancyContext, type TenancyServices } from './context';
import { InvitationEntity } from './entities/invitation.entity';
import { MembershipEntity } from './entities/membership.entity';
import { OAuthProviderEntity } from './entities/oauth-provider.entity';
import { TenantSettingsEntity } from './entities/tenant-settings.entity';
import { TenantEntity } from './entities/tenant.entity';
import { resolvers } from './resolvers/resolver-map';
import { tenancyRetentionPurge } from './retention-purge';
import { setupTenancy } from './setup';

export const tenancySubgraph: SubgraphDefinition<
  TenancyContext,
  typeof tenancyConfigShape,
  TenancyServices
> = {
  name: 'tenancy',
  defaultPort: 4002,
  config: { shape: tenancyConfigShape, rules: tenancyConfigRules },
  entities: [
    TenantEntity,
    MembershipEntity,
    OAuthProviderEntity,
    InvitationEntity,
    TenantSettingsEntity,
  ],
  resolvers,
  retentionPurge: tenancyRetentionPurge,
  setup: setupTenancy,
  createContext: createTenancyContext,
};
