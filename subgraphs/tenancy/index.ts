import type { SubgraphDefinition } from '../../platform/graphql';
import { publishMembershipChanged, ROLE_LOOKUP_PATH } from '../../platform/tenancy';
import { createTenancyContext, type TenancyContext, type TenancyServices } from './context';
import { MembershipEntity } from './entities/membership.entity';
import { TenantEntity } from './entities/tenant.entity';
import { resolvers } from './resolvers';
import { roleLookupRoute } from './routes/role-lookup.route';

export const tenancySubgraph: SubgraphDefinition<
  TenancyContext,
  Record<never, never>,
  TenancyServices
> = {
  name: 'tenancy',
  defaultPort: 4002,
  entities: [TenantEntity, MembershipEntity],
  resolvers,
  setup: async (runtime) => ({
    services: {
      // The change is committed by then; if Redis is down, cached answers still expire
      // within their TTL, so the mutation succeeds and the failure is logged.
      membershipChanged: async (tenantId, userId) => {
        try {
          await publishMembershipChanged(
            runtime.redis,
            runtime.config.REDIS_PREFIX,
            tenantId,
            userId,
          );
        } catch (error) {
          runtime.logger.warn(
            { err: error, tenantId },
            'could not invalidate cached roles; they expire on their own',
          );
        }
      },
    },
    routes: { [ROLE_LOOKUP_PATH]: roleLookupRoute(runtime) },
  }),
  createContext: createTenancyContext,
};
