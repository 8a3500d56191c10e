import type { RequestContext } from '../../platform/context/request-context';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import { createTenancyLoaders, type TenancyLoaders } from './loaders';
import type { AuthCalls } from './services/auth-calls';
import { InvitationService, type InvitationSettings } from './services/invitation.service';
import { MemberService } from './services/member.service';
import { MembershipService, type MembershipChanged } from './services/membership.service';
import {
  OAuthProviderService,
  type OAuthProviderSettings,
} from './services/oauth-provider.service';
import { TenantService } from './services/tenant.service';
import {
  createTenantLifecycleContext,
  type TenantLifecycleContext,
} from './tenant-lifecycle.context';
import type { TenantLifecycleServices } from './tenant-lifecycle.setup';

/** What the tenancy process builds once (see setup.ts). */
export interface TenancyServices {
  membershipChanged: MembershipChanged;
  oauthProviders: OAuthProviderSettings;
  tenantLifecycle: TenantLifecycleServices;
  invitations: InvitationSettings;
  /** Tenancy's calls to auth: verified addresses, revoking a former ADMIN's API keys. */
  auth: AuthCalls;
}

export interface TenancyContext extends TenantLifecycleContext {
  request: RequestContext;
  tenants: TenantService;
  memberships: MembershipService;
  members: MemberService;
  invitations: InvitationService;
  loaders: TenancyLoaders;
  oauthProviders: OAuthProviderService;
}

export function createTenancyContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
  services: TenancyServices,
): TenancyContext {
  const loaders = createTenancyLoaders(runtime.dataSource, request);
  return {
    request,
    tenants: new TenantService(runtime.dataSource, request, services.membershipChanged),
    memberships: new MembershipService(runtime.dataSource, request),
    members: new MemberService(
      runtime.dataSource,
      request,
      loaders,
      services.membershipChanged,
      services.auth,
    ),
    invitations: new InvitationService(
      runtime.dataSource,
      request,
      services.invitations,
      services.membershipChanged,
    ),
    loaders,
    oauthProviders: new OAuthProviderService(runtime.dataSource, request, services.oauthProviders),
    ...createTenantLifecycleContext(request, runtime, services),
  };
}
