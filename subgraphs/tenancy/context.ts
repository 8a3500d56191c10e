import type { RequestContext } from '../../platform/context';
import type { SubgraphRuntime } from '../../platform/graphql';
import { MembershipService, type MembershipChanged } from './services/membership.service';
import {
  OAuthProviderService,
  type OAuthProviderSettings,
} from './services/oauth-provider.service';
import { TenantService } from './services/tenant.service';

/** What the tenancy process builds once (see setup.ts). */
export interface TenancyServices {
  membershipChanged: MembershipChanged;
  oauthProviders: OAuthProviderSettings;
}

export interface TenancyContext {
  request: RequestContext;
  tenants: TenantService;
  memberships: MembershipService;
  oauthProviders: OAuthProviderService;
}

export function createTenancyContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
  services: TenancyServices,
): TenancyContext {
  return {
    request,
    tenants: new TenantService(runtime.dataSource, request, services.membershipChanged),
    memberships: new MembershipService(runtime.dataSource, request),
    oauthProviders: new OAuthProviderService(runtime.dataSource, request, services.oauthProviders),
  };
}
