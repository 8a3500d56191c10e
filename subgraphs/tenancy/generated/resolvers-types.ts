import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { TenantEntity } from '../entities/tenant.entity';
import type { OAuthProviderEntity } from '../entities/oauth-provider.entity';
import type { TenantConnectionModel } from '../services/tenant-admin.service';
import type { MembershipModel } from '../services/membership.service';
import type { InvitationEntity } from '../entities/invitation.entity';
import type { TenancyContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An opaque pagination cursor: pass a page's `endCursor` as `after` to get the next page. */
  Cursor: { input: string; output: string; }
  /** An ISO-8601 date-time in UTC. */
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/**
 * An invitation to join the tenant with a role. Pending until accepted; its token works once,
 * until `expiresAt`.
 */
export type Invitation = {
  __typename?: 'Invitation';
  acceptedAt?: Maybe<Scalars['DateTime']['output']>;
  createdAt: Scalars['DateTime']['output'];
  /** Lower case. */
  email: Scalars['String']['output'];
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** Who sent it; null when that account is gone. */
  invitedBy?: Maybe<User>;
  role: Role;
};

/** A new invitation with its token, shown this once (and mailed to the invitee). */
export type InvitationWithToken = {
  __typename?: 'InvitationWithToken';
  invitation: Invitation;
  token: Scalars['String']['output'];
};

/** A user's place in a tenant. */
export type Membership = {
  __typename?: 'Membership';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  role: Role;
  tenant: Tenant;
  user: User;
};

export type MembershipConnection = {
  __typename?: 'MembershipConnection';
  nodes: Array<Membership>;
  pageInfo: PageInfo;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * The signed-in user joins the invitation's tenant with its role; the token works once.
   * BAD_USER_INPUT for an unknown, expired, revoked or used token; CONFLICT when already a member
   * (the token stays usable); TENANT_SUSPENDED while the tenant is suspended.
   */
  acceptInvitation: Membership;
  /**
   * Sets a tenant's status: SUSPENDED refuses every request to it with TENANT_SUSPENDED from the
   * next one on; ACTIVE lets them in again. NOT_FOUND for a deleted tenant. Platform
   * administrators only.
   */
  adminSetTenantStatus: Tenant;
  /**
   * Creates or replaces (by name) one of the tenant's OAuth providers. OWNERs and ADMINs only;
   * at most 10 per tenant.
   */
  configureOAuthProvider: OAuthProviderConfig;
  /**
   * Creates a tenant with the signed-in user as its OWNER. `name`: 1-100 characters; `slug`:
   * 3-48 lower-case letters, digits and hyphens, not starting or ending with a hyphen, unique
   * (CONFLICT when taken). A user may own a limited number of tenants.
   */
  createTenant: Tenant;
  /**
   * Deletes the tenant: `confirmSlug` must be its slug (BAD_USER_INPUT otherwise). Every request
   * to it is refused from then on (FORBIDDEN), and its data in every service is purged in the
   * background. OWNERs only.
   */
  deleteTenant: Scalars['Boolean']['output'];
  /**
   * Invites `email` (at most 254 characters, stored lower case) with `role`, replacing the
   * address's pending invitation if there is one, and mails the link. OWNERs and ADMINs; only an
   * OWNER invites an OWNER. At most 100 pending invitations per tenant.
   */
  inviteMember: InvitationWithToken;
  /** The signed-in member leaves the tenant; its last OWNER cannot (CONFLICT). */
  leaveTenant: Scalars['Boolean']['output'];
  /**
   * Removes a member. OWNERs and ADMINs; only an OWNER removes an OWNER, and never the last one
   * (CONFLICT). The member's next request in the tenant is refused.
   */
  removeMember: Scalars['Boolean']['output'];
  /** Removes the tenant's provider of that name (NOT_FOUND when there is none). OWNERs and ADMINs only. */
  removeOAuthProvider: Scalars['Boolean']['output'];
  /** Deletes a pending invitation. OWNERs and ADMINs; only an OWNER revokes an OWNER's invitation. */
  revokeInvitation: Scalars['Boolean']['output'];
  /**
   * Changes a member's role. OWNERs and ADMINs; only an OWNER makes or unmakes an OWNER, and the
   * tenant's last OWNER stays one (CONFLICT).
   */
  updateMemberRole: Membership;
  /** Renames the tenant (`name`: 1-100 characters; null changes nothing). OWNERs and ADMINs. */
  updateTenant: Tenant;
  /** Changes the tenant's settings (see `TenantSettingsInput`). OWNERs and ADMINs. */
  updateTenantSettings: Tenant;
};


export type MutationAcceptInvitationArgs = {
  token: Scalars['String']['input'];
};


export type MutationAdminSetTenantStatusArgs = {
  status: TenantStatus;
  tenantId: Scalars['ID']['input'];
};


export type MutationConfigureOAuthProviderArgs = {
  input: OAuthProviderInput;
};


export type MutationCreateTenantArgs = {
  name: Scalars['String']['input'];
  slug: Scalars['String']['input'];
};


export type MutationDeleteTenantArgs = {
  confirmSlug: Scalars['String']['input'];
};


export type MutationInviteMemberArgs = {
  email: Scalars['String']['input'];
  role: Role;
};


export type MutationRemoveMemberArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationRemoveOAuthProviderArgs = {
  provider: Scalars['String']['input'];
};


export type MutationRevokeInvitationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateMemberRoleArgs = {
  role: Role;
  userId: Scalars['ID']['input'];
};


export type MutationUpdateTenantArgs = {
  name?: InputMaybe<Scalars['String']['input']>;
};


export type MutationUpdateTenantSettingsArgs = {
  input: TenantSettingsInput;
};

/**
 * An OAuth 2.0 / OpenID Connect provider the tenant's users may sign in with. Its client secret
 * is stored encrypted and is never returned.
 */
export type OAuthProviderConfig = {
  __typename?: 'OAuthProviderConfig';
  authorizationUrl?: Maybe<Scalars['String']['output']>;
  clientId: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Only enabled providers can be signed in with. */
  enabled: Scalars['Boolean']['output'];
  /** The OIDC issuer; endpoints not given below are discovered from it. */
  issuer?: Maybe<Scalars['String']['output']>;
  /** The provider's name within the tenant, e.g. `google` or `okta-eu`. */
  provider: Scalars['String']['output'];
  /** The scopes requested at sign-in. */
  scopes: Array<Scalars['String']['output']>;
  tokenUrl?: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
  userInfoUrl?: Maybe<Scalars['String']['output']>;
};

/**
 * A provider's configuration, replacing the one of the same name if there is one. Give an
 * `issuer` (OIDC discovery) or all three of `authorizationUrl`, `tokenUrl` and `userInfoUrl`.
 * URLs: https (http outside production only), at most 2048 characters, no credentials; blank
 * counts as not given.
 */
export type OAuthProviderInput = {
  authorizationUrl?: InputMaybe<Scalars['String']['input']>;
  /** 1-512 characters. */
  clientId: Scalars['String']['input'];
  /** 1-1024 characters; stored encrypted, never returned. */
  clientSecret: Scalars['String']['input'];
  /** Default: true for a new provider, unchanged for an existing one. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  issuer?: InputMaybe<Scalars['String']['input']>;
  /** 1-32 lower-case letters, digits, `-` and `_`, starting with a letter or digit. */
  provider: Scalars['String']['input'];
  tokenUrl?: InputMaybe<Scalars['String']['input']>;
  userInfoUrl?: InputMaybe<Scalars['String']['input']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['Cursor']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * The tenant's pending invitations (expired ones too, until the next invitation clears them),
   * then those accepted in the last 30 days; newest first. OWNERs and ADMINs only.
   */
  invitations: Array<Invitation>;
  /** The signed-in user's memberships in every tenant, oldest first. */
  myTenants: Array<Membership>;
  /** The tenant's OAuth providers by name. OWNERs and ADMINs only. */
  oauthProviders: Array<OAuthProviderConfig>;
  /** The tenant named by X-Tenant-Id. */
  tenant?: Maybe<Tenant>;
  /**
   * Every tenant (deleted ones aside), newest first, optionally of one status: `first` 1-100
   * (default 20), `after` a page's `endCursor`. Platform administrators only.
   */
  tenants: TenantConnection;
};


export type QueryTenantsArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<TenantStatus>;
};

/** Each 1-3650 days; a field left out stays as it is, null returns it to its default. */
export type RetentionInput = {
  deletedAssets?: InputMaybe<Scalars['Int']['input']>;
  events?: InputMaybe<Scalars['Int']['input']>;
  sessions?: InputMaybe<Scalars['Int']['input']>;
  webhookDeliveries?: InputMaybe<Scalars['Int']['input']>;
};

/** Days the purges keep the tenant's rows, 1-3650 each. */
export type RetentionSettings = {
  __typename?: 'RetentionSettings';
  /** Deleted assets and their blobs (default 30). */
  deletedAssets: Scalars['Int']['output'];
  /** The event journal (default 90). */
  events: Scalars['Int']['output'];
  /** Ended sessions (default 30). */
  sessions: Scalars['Int']['output'];
  /** Webhook deliveries and their attempts (default 30). */
  webhookDeliveries: Scalars['Int']['output'];
};

/** A member's role within one tenant: OWNER > ADMIN > MEMBER > VIEWER. */
export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER'
  | 'VIEWER';

export type Tenant = {
  __typename?: 'Tenant';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /**
   * The tenant's members, oldest first: `first` 1-100 (default 20), `after` a page's `endCursor`.
   * Any member of the tenant in X-Tenant-Id; API keys need the `members:read` scope.
   */
  members: MembershipConnection;
  name: Scalars['String']['output'];
  /**
   * The tenant's settings. Members of the tenant in X-Tenant-Id (any role) and platform
   * administrators; not API keys.
   */
  settings: TenantSettings;
  slug: Scalars['String']['output'];
  status: TenantStatus;
};


export type TenantMembersArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of tenants. */
export type TenantConnection = {
  __typename?: 'TenantConnection';
  nodes: Array<Tenant>;
  pageInfo: PageInfo;
};

/**
 * A tenant's settings. What the tenant never set reads as the platform default; setting a field
 * to null in `updateTenantSettings` returns it to that default.
 */
export type TenantSettings = {
  __typename?: 'TenantSettings';
  /** Browser origins allowed to call the API (CORS), e.g. `https://app.example.com`. */
  allowedOrigins: Array<Scalars['String']['output']>;
  /** The most live sessions one user may hold; null: the platform's MAX_SESSIONS_PER_USER. */
  maxSessionsPerUser?: Maybe<Scalars['Int']['output']>;
  /** How many days each purge keeps the tenant's rows. */
  retentionDays: RetentionSettings;
};

/** Changes to a tenant's settings: a field left out stays as it is, null returns it to its default. */
export type TenantSettingsInput = {
  /**
   * Replaces the list: at most 50 exact origins `https://host[:port]` (http too outside
   * production), no path, wildcard or credentials; stored lower case without a default port.
   * Null or [] allows none.
   */
  allowedOrigins?: InputMaybe<Array<Scalars['String']['input']>>;
  /** 1-1000, or null for the platform default. */
  maxSessionsPerUser?: InputMaybe<Scalars['Int']['input']>;
  retentionDays?: InputMaybe<RetentionInput>;
};

export type TenantStatus =
  | 'ACTIVE'
  | 'SUSPENDED';

/** Resolved by the auth subgraph. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Tenant: Tenant;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Tenant:
    ( { __typename: 'Tenant' }
    & GraphQLRecursivePick<FederationTypes['Tenant'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Cursor: ResolverTypeWrapper<Scalars['Cursor']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Invitation: ResolverTypeWrapper<InvitationEntity>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  InvitationWithToken: ResolverTypeWrapper<Omit<InvitationWithToken, 'invitation'> & { invitation: ResolversTypes['Invitation'] }>;
  Membership: ResolverTypeWrapper<MembershipModel>;
  MembershipConnection: ResolverTypeWrapper<Omit<MembershipConnection, 'nodes'> & { nodes: Array<ResolversTypes['Membership']> }>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  OAuthProviderConfig: ResolverTypeWrapper<OAuthProviderEntity>;
  OAuthProviderInput: OAuthProviderInput;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  RetentionInput: RetentionInput;
  RetentionSettings: ResolverTypeWrapper<RetentionSettings>;
  Role: Role;
  Tenant: ResolverTypeWrapper<TenantEntity>;
  TenantConnection: ResolverTypeWrapper<TenantConnectionModel>;
  TenantSettings: ResolverTypeWrapper<TenantSettings>;
  TenantSettingsInput: TenantSettingsInput;
  TenantStatus: TenantStatus;
  User: ResolverTypeWrapper<User>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Cursor: Scalars['Cursor']['output'];
  DateTime: Scalars['DateTime']['output'];
  Invitation: InvitationEntity;
  ID: Scalars['ID']['output'];
  InvitationWithToken: Omit<InvitationWithToken, 'invitation'> & { invitation: ResolversParentTypes['Invitation'] };
  Membership: MembershipModel;
  MembershipConnection: Omit<MembershipConnection, 'nodes'> & { nodes: Array<ResolversParentTypes['Membership']> };
  Mutation: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  OAuthProviderConfig: OAuthProviderEntity;
  OAuthProviderInput: OAuthProviderInput;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  RetentionInput: RetentionInput;
  RetentionSettings: RetentionSettings;
  Tenant: TenantEntity;
  TenantConnection: TenantConnectionModel;
  TenantSettings: TenantSettings;
  TenantSettingsInput: TenantSettingsInput;
  User: User;
  String: Scalars['String']['output'];
}>;

export type PlatformAdminDirectiveArgs = { };

export type PlatformAdminDirectiveResolver<Result, Parent, ContextType = TenancyContext, Args = PlatformAdminDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresRoleDirectiveArgs = {
  role: Role;
};

export type RequiresRoleDirectiveResolver<Result, Parent, ContextType = TenancyContext, Args = RequiresRoleDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresScopeDirectiveArgs = {
  scope: Scalars['String']['input'];
};

export type RequiresScopeDirectiveResolver<Result, Parent, ContextType = TenancyContext, Args = RequiresScopeDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type TenantlessDirectiveArgs = { };

export type TenantlessDirectiveResolver<Result, Parent, ContextType = TenancyContext, Args = TenantlessDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface CursorScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Cursor'], any> {
  name: 'Cursor';
}

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type InvitationResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['Invitation'] = ResolversParentTypes['Invitation']> = ResolversObject<{
  acceptedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invitedBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
}>;

export type InvitationWithTokenResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['InvitationWithToken'] = ResolversParentTypes['InvitationWithToken']> = ResolversObject<{
  invitation?: Resolver<ResolversTypes['Invitation'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type MembershipResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['Membership'] = ResolversParentTypes['Membership']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  tenant?: Resolver<ResolversTypes['Tenant'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type MembershipConnectionResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['MembershipConnection'] = ResolversParentTypes['MembershipConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['Membership']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  acceptInvitation?: Resolver<ResolversTypes['Membership'], ParentType, ContextType, RequireFields<MutationAcceptInvitationArgs, 'token'>>;
  adminSetTenantStatus?: Resolver<ResolversTypes['Tenant'], ParentType, ContextType, RequireFields<MutationAdminSetTenantStatusArgs, 'status' | 'tenantId'>>;
  configureOAuthProvider?: Resolver<ResolversTypes['OAuthProviderConfig'], ParentType, ContextType, RequireFields<MutationConfigureOAuthProviderArgs, 'input'>>;
  createTenant?: Resolver<ResolversTypes['Tenant'], ParentType, ContextType, RequireFields<MutationCreateTenantArgs, 'name' | 'slug'>>;
  deleteTenant?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteTenantArgs, 'confirmSlug'>>;
  inviteMember?: Resolver<ResolversTypes['InvitationWithToken'], ParentType, ContextType, RequireFields<MutationInviteMemberArgs, 'email' | 'role'>>;
  leaveTenant?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  removeMember?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveMemberArgs, 'userId'>>;
  removeOAuthProvider?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveOAuthProviderArgs, 'provider'>>;
  revokeInvitation?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeInvitationArgs, 'id'>>;
  updateMemberRole?: Resolver<ResolversTypes['Membership'], ParentType, ContextType, RequireFields<MutationUpdateMemberRoleArgs, 'role' | 'userId'>>;
  updateTenant?: Resolver<ResolversTypes['Tenant'], ParentType, ContextType, Partial<MutationUpdateTenantArgs>>;
  updateTenantSettings?: Resolver<ResolversTypes['Tenant'], ParentType, ContextType, RequireFields<MutationUpdateTenantSettingsArgs, 'input'>>;
}>;

export type OAuthProviderConfigResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['OAuthProviderConfig'] = ResolversParentTypes['OAuthProviderConfig']> = ResolversObject<{
  authorizationUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  clientId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  issuer?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  provider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  scopes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  tokenUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  userInfoUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['Cursor']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  invitations?: Resolver<Array<ResolversTypes['Invitation']>, ParentType, ContextType>;
  myTenants?: Resolver<Array<ResolversTypes['Membership']>, ParentType, ContextType>;
  oauthProviders?: Resolver<Array<ResolversTypes['OAuthProviderConfig']>, ParentType, ContextType>;
  tenant?: Resolver<Maybe<ResolversTypes['Tenant']>, ParentType, ContextType>;
  tenants?: Resolver<ResolversTypes['TenantConnection'], ParentType, ContextType, Partial<QueryTenantsArgs>>;
}>;

export type RetentionSettingsResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['RetentionSettings'] = ResolversParentTypes['RetentionSettings']> = ResolversObject<{
  deletedAssets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  webhookDeliveries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type TenantResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['Tenant'] = ResolversParentTypes['Tenant'], FederationReferenceType extends FederationReferenceTypes['Tenant'] = FederationReferenceTypes['Tenant']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Tenant']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  members?: Resolver<ResolversTypes['MembershipConnection'], ParentType, ContextType, Partial<TenantMembersArgs>>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  settings?: Resolver<ResolversTypes['TenantSettings'], ParentType, ContextType>;
  slug?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['TenantStatus'], ParentType, ContextType>;
}>;

export type TenantConnectionResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['TenantConnection'] = ResolversParentTypes['TenantConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['Tenant']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type TenantSettingsResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['TenantSettings'] = ResolversParentTypes['TenantSettings']> = ResolversObject<{
  allowedOrigins?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  maxSessionsPerUser?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  retentionDays?: Resolver<ResolversTypes['RetentionSettings'], ParentType, ContextType>;
}>;

export type UserResolvers<ContextType = TenancyContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = TenancyContext> = ResolversObject<{
  Cursor?: GraphQLScalarType;
  DateTime?: GraphQLScalarType;
  Invitation?: InvitationResolvers<ContextType>;
  InvitationWithToken?: InvitationWithTokenResolvers<ContextType>;
  Membership?: MembershipResolvers<ContextType>;
  MembershipConnection?: MembershipConnectionResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  OAuthProviderConfig?: OAuthProviderConfigResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RetentionSettings?: RetentionSettingsResolvers<ContextType>;
  Tenant?: TenantResolvers<ContextType>;
  TenantConnection?: TenantConnectionResolvers<ContextType>;
  TenantSettings?: TenantSettingsResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = TenancyContext> = ResolversObject<{
  platformAdmin?: PlatformAdminDirectiveResolver<any, any, ContextType>;
  requiresRole?: RequiresRoleDirectiveResolver<any, any, ContextType>;
  requiresScope?: RequiresScopeDirectiveResolver<any, any, ContextType>;
  tenantless?: TenantlessDirectiveResolver<any, any, ContextType>;
}>;
