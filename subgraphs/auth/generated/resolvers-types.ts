import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { UserEntity } from '../entities/user.entity';
import type { SessionEntity } from '../entities/session.entity';
import type { ApiKeyEntity } from '../entities/api-key.entity';
import type { PasskeyEntity } from '../entities/passkey.entity';
import type { OAuthLinkView } from '../entities/oauth-link.entity';
import type { ApiKeyWithSecret as ApiKeyWithSecretModel } from '../api-keys/api-key.service';
import type { SignedIn } from '../credentials/account.service';
import type { UserConnectionModel } from '../users/admin.service';
import type { AuthContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
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
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTime']['output'];
  /**
   * The user who created the key (null when that is not known). The key works only while this
   * user is an OWNER or ADMIN of its tenant. Visible to OWNERs and ADMINs only.
   */
  createdBy?: Maybe<User>;
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** `tsk_<prefix>`: the key's public part, to tell keys apart. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  scopes: Array<Scalars['String']['output']>;
};

export type ApiKeyWithSecret = {
  __typename?: 'ApiKeyWithSecret';
  apiKey: ApiKey;
  /** The whole key, `tsk_<prefix>_<secret>`. Shown once: only a hash is kept. */
  secret: Scalars['String']['output'];
};

export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** A short-lived JWT: send it as `Authorization: Bearer <token>`. */
  accessToken: Scalars['String']['output'];
  /** When the access token expires. */
  expiresAt: Scalars['DateTime']['output'];
  /** Opaque and single-use: `refreshSession` trades it for a new pair. Reusing one ends the session. */
  refreshToken: Scalars['String']['output'];
  user: User;
};

/** Sign-in (`signIn`, `completeOAuthSignIn`) needs a second factor: finish it with `finishPasskeyAuthentication(mfaToken:)`. */
export type MfaChallenge = {
  __typename?: 'MfaChallenge';
  methods: Array<Scalars['String']['output']>;
  mfaToken: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  adminRevokeSessions: Scalars['Int']['output'];
  adminRevokeSessionsByIp: Scalars['Int']['output'];
  adminSetUserStatus: User;
  /** Ends every other session of the account. */
  changePassword: Scalars['Boolean']['output'];
  /**
   * Signs in with the provider account: its linked user, or a new account for it. An account
   * with a second factor is refused (FORBIDDEN): sign in with `completeOAuthSignIn` instead.
   */
  completeOAuth: AuthPayload;
  /**
   * Signs in with the provider account as `completeOAuth` does, but answers like `signIn`: an
   * `MfaChallenge` when the account has a second factor.
   */
  completeOAuthSignIn: SignInResult;
  createApiKey: ApiKeyWithSecret;
  deactivateAccount: Scalars['Boolean']['output'];
  /**
   * Verifies an assertion (`AuthenticationResponseJSON`) and signs in. With `mfaToken` (from `signIn` or
   * `completeOAuthSignIn`) it completes that sign-in, and the passkey must belong to that account; without it the
   * passkey alone signs in and must verify the user (PIN or biometrics).
   */
  finishPasskeyAuthentication: AuthPayload;
  /** Verifies the authenticator's response (`RegistrationResponseJSON`) to the latest options and keeps the passkey. */
  finishPasskeyRegistration: Passkey;
  /** Links the provider account to the signed-in user who started the flow. */
  linkOAuth: OAuthLink;
  refreshSession: AuthPayload;
  /** Removes one of the signed-in user's passkeys; the last one only while the account has a password. */
  removePasskey: Scalars['Boolean']['output'];
  /** Mails the signed-in user a new verification link. */
  requestEmailVerification: Scalars['Boolean']['output'];
  /** Always true, whether or not the address has an account. */
  requestPasswordReset: Scalars['Boolean']['output'];
  /** Sets a new password and ends every session of the account. */
  resetPassword: Scalars['Boolean']['output'];
  revokeAllSessions: Scalars['Int']['output'];
  revokeApiKey: Scalars['Boolean']['output'];
  revokeSession: Scalars['Boolean']['output'];
  /** A new secret for the key; the old one keeps working for `gracePeriodSeconds` (default 3600). */
  rotateApiKey: ApiKeyWithSecret;
  signIn: SignInResult;
  /** Ends the session of the access token in use. */
  signOut: Scalars['Boolean']['output'];
  signUp: AuthPayload;
  /**
   * Starts a sign-in with `tenantId`'s OAuth provider (authorization code with PKCE). Send the
   * browser to `authorizationUrl`; the provider sends it back to `redirectUri`, which must be
   * on an allowed origin, with `code` and `state`. Signed in, this starts a link instead.
   */
  startOAuth: OAuthStart;
  /** WebAuthn request options (`PublicKeyCredentialRequestOptionsJSON`); without `email`, any discoverable passkey may answer. */
  startPasskeyAuthentication: Scalars['JSON']['output'];
  /** Signed-in users: WebAuthn creation options (`PublicKeyCredentialCreationOptionsJSON`) for `navigator.credentials.create`. */
  startPasskeyRegistration: Scalars['JSON']['output'];
  /** Removes the user's links to `provider`, unless that leaves no way to sign in. */
  unlinkOAuth: Scalars['Boolean']['output'];
  updateProfile: User;
  verifyEmail: Scalars['Boolean']['output'];
};


export type MutationAdminRevokeSessionsArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationAdminRevokeSessionsByIpArgs = {
  ip: Scalars['String']['input'];
};


export type MutationAdminSetUserStatusArgs = {
  status: UserStatus;
  userId: Scalars['ID']['input'];
};


export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


export type MutationCompleteOAuthArgs = {
  code: Scalars['String']['input'];
  provider: Scalars['String']['input'];
  state: Scalars['String']['input'];
};


export type MutationCompleteOAuthSignInArgs = {
  code: Scalars['String']['input'];
  provider: Scalars['String']['input'];
  state: Scalars['String']['input'];
};


export type MutationCreateApiKeyArgs = {
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  name: Scalars['String']['input'];
  scopes: Array<Scalars['String']['input']>;
};


export type MutationDeactivateAccountArgs = {
  password: Scalars['String']['input'];
};


export type MutationFinishPasskeyAuthenticationArgs = {
  mfaToken?: InputMaybe<Scalars['String']['input']>;
  response: Scalars['JSON']['input'];
};


export type MutationFinishPasskeyRegistrationArgs = {
  name?: InputMaybe<Scalars['String']['input']>;
  response: Scalars['JSON']['input'];
};


export type MutationLinkOAuthArgs = {
  code: Scalars['String']['input'];
  provider: Scalars['String']['input'];
  state: Scalars['String']['input'];
};


export type MutationRefreshSessionArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRemovePasskeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRequestPasswordResetArgs = {
  email: Scalars['String']['input'];
};


export type MutationResetPasswordArgs = {
  newPassword: Scalars['String']['input'];
  token: Scalars['String']['input'];
};


export type MutationRevokeAllSessionsArgs = {
  exceptCurrent?: InputMaybe<Scalars['Boolean']['input']>;
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeSessionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRotateApiKeyArgs = {
  gracePeriodSeconds?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationSignInArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationSignUpArgs = {
  displayName?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationStartOAuthArgs = {
  provider: Scalars['String']['input'];
  redirectUri: Scalars['String']['input'];
  tenantId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationStartPasskeyAuthenticationArgs = {
  email?: InputMaybe<Scalars['String']['input']>;
};


export type MutationUnlinkOAuthArgs = {
  provider: Scalars['String']['input'];
};


export type MutationUpdateProfileArgs = {
  displayName?: InputMaybe<Scalars['String']['input']>;
};


export type MutationVerifyEmailArgs = {
  token: Scalars['String']['input'];
};

/** The user's account at a tenant's OAuth provider (identified by the provider's user id). */
export type OAuthLink = {
  __typename?: 'OAuthLink';
  linkedAt: Scalars['DateTime']['output'];
  provider: Scalars['String']['output'];
  providerUserId: Scalars['String']['output'];
};

/** Where to send the browser to sign in with a provider, and the state it will bring back. */
export type OAuthStart = {
  __typename?: 'OAuthStart';
  authorizationUrl: Scalars['String']['output'];
  state: Scalars['String']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['Cursor']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** A WebAuthn credential: signs its user in without a password, or completes a password sign-in. */
export type Passkey = {
  __typename?: 'Passkey';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** The signed-in user, or null for an anonymous caller. */
  me?: Maybe<User>;
  /** The current tenant's API keys (OWNER and ADMIN). */
  myApiKeys: Array<ApiKey>;
  /** The signed-in user's live sessions, newest first. */
  mySessions: Array<Session>;
  /** Platform admins: a user's live sessions. */
  sessions: Array<Session>;
  /** Platform admins: one user. */
  user?: Maybe<User>;
  /** Platform admins: users by email, optionally containing `search`. */
  users: UserConnection;
};


export type QuerySessionsArgs = {
  userId: Scalars['ID']['input'];
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};

/** A member's role within one tenant: OWNER > ADMIN > MEMBER > VIEWER. */
export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER'
  | 'VIEWER';

/** A signed-in device. Ending it also ends its access tokens on every gateway within a second. */
export type Session = {
  __typename?: 'Session';
  createdAt: Scalars['DateTime']['output'];
  /** True for the session of the access token making this request. */
  current: Scalars['Boolean']['output'];
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  ip?: Maybe<Scalars['String']['output']>;
  lastSeenAt: Scalars['DateTime']['output'];
  userAgent?: Maybe<Scalars['String']['output']>;
};

export type SignInResult = AuthPayload | MfaChallenge;

export type User = {
  __typename?: 'User';
  createdAt: Scalars['DateTime']['output'];
  displayName?: Maybe<Scalars['String']['output']>;
  email: Scalars['String']['output'];
  emailVerified: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  /** The user's accounts at tenants' OAuth providers: visible to the user and to platform admins. */
  oauthLinks: Array<OAuthLink>;
  /** The user's passkeys, oldest first: visible to the user and to platform admins, empty for anyone else. */
  passkeys: Array<Passkey>;
  /** True for platform administrators: shown to the user and to platform admins, null for anyone else. */
  platformAdmin?: Maybe<Scalars['Boolean']['output']>;
  status: UserStatus;
};

export type UserConnection = {
  __typename?: 'UserConnection';
  nodes: Array<User>;
  pageInfo: PageInfo;
};

export type UserStatus =
  | 'ACTIVE'
  | 'BANNED'
  | 'DEACTIVATED';

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
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;

/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = ResolversObject<{
  SignInResult:
    | ( SignedIn )
    | ( MfaChallenge )
  ;
}>;


/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ApiKey: ResolverTypeWrapper<ApiKeyEntity>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  ApiKeyWithSecret: ResolverTypeWrapper<ApiKeyWithSecretModel>;
  AuthPayload: ResolverTypeWrapper<SignedIn>;
  Cursor: ResolverTypeWrapper<Scalars['Cursor']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  MfaChallenge: ResolverTypeWrapper<MfaChallenge>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  OAuthLink: ResolverTypeWrapper<OAuthLinkView>;
  OAuthStart: ResolverTypeWrapper<OAuthStart>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Passkey: ResolverTypeWrapper<PasskeyEntity>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Role: Role;
  Session: ResolverTypeWrapper<SessionEntity>;
  SignInResult: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['SignInResult']>;
  User: ResolverTypeWrapper<UserEntity>;
  UserConnection: ResolverTypeWrapper<UserConnectionModel>;
  UserStatus: UserStatus;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ApiKey: ApiKeyEntity;
  ID: Scalars['ID']['output'];
  ApiKeyWithSecret: ApiKeyWithSecretModel;
  AuthPayload: SignedIn;
  Cursor: Scalars['Cursor']['output'];
  DateTime: Scalars['DateTime']['output'];
  JSON: Scalars['JSON']['output'];
  MfaChallenge: MfaChallenge;
  Mutation: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  Boolean: Scalars['Boolean']['output'];
  OAuthLink: OAuthLinkView;
  OAuthStart: OAuthStart;
  PageInfo: PageInfo;
  Passkey: PasskeyEntity;
  Query: Record<PropertyKey, never>;
  Session: SessionEntity;
  SignInResult: ResolversUnionTypes<ResolversParentTypes>['SignInResult'];
  User: UserEntity;
  UserConnection: UserConnectionModel;
  String: Scalars['String']['output'];
}>;

export type PlatformAdminDirectiveArgs = { };

export type PlatformAdminDirectiveResolver<Result, Parent, ContextType = AuthContext, Args = PlatformAdminDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresRoleDirectiveArgs = {
  role: Role;
};

export type RequiresRoleDirectiveResolver<Result, Parent, ContextType = AuthContext, Args = RequiresRoleDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresScopeDirectiveArgs = {
  scope: Scalars['String']['input'];
};

export type RequiresScopeDirectiveResolver<Result, Parent, ContextType = AuthContext, Args = RequiresScopeDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type TenantlessDirectiveArgs = { };

export type TenantlessDirectiveResolver<Result, Parent, ContextType = AuthContext, Args = TenantlessDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ApiKeyResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['ApiKey'] = ResolversParentTypes['ApiKey']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastUsedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  prefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  scopes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ApiKeyWithSecretResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['ApiKeyWithSecret'] = ResolversParentTypes['ApiKeyWithSecret']> = ResolversObject<{
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type AuthPayloadResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['AuthPayload'] = ResolversParentTypes['AuthPayload']> = ResolversObject<{
  accessToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  refreshToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export interface CursorScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Cursor'], any> {
  name: 'Cursor';
}

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MfaChallengeResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['MfaChallenge'] = ResolversParentTypes['MfaChallenge']> = ResolversObject<{
  methods?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  mfaToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  adminRevokeSessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationAdminRevokeSessionsArgs, 'userId'>>;
  adminRevokeSessionsByIp?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationAdminRevokeSessionsByIpArgs, 'ip'>>;
  adminSetUserStatus?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationAdminSetUserStatusArgs, 'status' | 'userId'>>;
  changePassword?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationChangePasswordArgs, 'currentPassword' | 'newPassword'>>;
  completeOAuth?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationCompleteOAuthArgs, 'code' | 'provider' | 'state'>>;
  completeOAuthSignIn?: Resolver<ResolversTypes['SignInResult'], ParentType, ContextType, RequireFields<MutationCompleteOAuthSignInArgs, 'code' | 'provider' | 'state'>>;
  createApiKey?: Resolver<ResolversTypes['ApiKeyWithSecret'], ParentType, ContextType, RequireFields<MutationCreateApiKeyArgs, 'name' | 'scopes'>>;
  deactivateAccount?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeactivateAccountArgs, 'password'>>;
  finishPasskeyAuthentication?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationFinishPasskeyAuthenticationArgs, 'response'>>;
  finishPasskeyRegistration?: Resolver<ResolversTypes['Passkey'], ParentType, ContextType, RequireFields<MutationFinishPasskeyRegistrationArgs, 'response'>>;
  linkOAuth?: Resolver<ResolversTypes['OAuthLink'], ParentType, ContextType, RequireFields<MutationLinkOAuthArgs, 'code' | 'provider' | 'state'>>;
  refreshSession?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationRefreshSessionArgs, 'refreshToken'>>;
  removePasskey?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemovePasskeyArgs, 'id'>>;
  requestEmailVerification?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  requestPasswordReset?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRequestPasswordResetArgs, 'email'>>;
  resetPassword?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationResetPasswordArgs, 'newPassword' | 'token'>>;
  revokeAllSessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationRevokeAllSessionsArgs, 'exceptCurrent'>>;
  revokeApiKey?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeApiKeyArgs, 'id'>>;
  revokeSession?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeSessionArgs, 'id'>>;
  rotateApiKey?: Resolver<ResolversTypes['ApiKeyWithSecret'], ParentType, ContextType, RequireFields<MutationRotateApiKeyArgs, 'id'>>;
  signIn?: Resolver<ResolversTypes['SignInResult'], ParentType, ContextType, RequireFields<MutationSignInArgs, 'email' | 'password'>>;
  signOut?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  signUp?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationSignUpArgs, 'email' | 'password'>>;
  startOAuth?: Resolver<ResolversTypes['OAuthStart'], ParentType, ContextType, RequireFields<MutationStartOAuthArgs, 'provider' | 'redirectUri'>>;
  startPasskeyAuthentication?: Resolver<ResolversTypes['JSON'], ParentType, ContextType, Partial<MutationStartPasskeyAuthenticationArgs>>;
  startPasskeyRegistration?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  unlinkOAuth?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationUnlinkOAuthArgs, 'provider'>>;
  updateProfile?: Resolver<ResolversTypes['User'], ParentType, ContextType, Partial<MutationUpdateProfileArgs>>;
  verifyEmail?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationVerifyEmailArgs, 'token'>>;
}>;

export type OAuthLinkResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['OAuthLink'] = ResolversParentTypes['OAuthLink']> = ResolversObject<{
  linkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  provider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  providerUserId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type OAuthStartResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['OAuthStart'] = ResolversParentTypes['OAuthStart']> = ResolversObject<{
  authorizationUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['Cursor']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PasskeyResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['Passkey'] = ResolversParentTypes['Passkey']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastUsedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  me?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  myApiKeys?: Resolver<Array<ResolversTypes['ApiKey']>, ParentType, ContextType>;
  mySessions?: Resolver<Array<ResolversTypes['Session']>, ParentType, ContextType>;
  sessions?: Resolver<Array<ResolversTypes['Session']>, ParentType, ContextType, RequireFields<QuerySessionsArgs, 'userId'>>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUserArgs, 'id'>>;
  users?: Resolver<ResolversTypes['UserConnection'], ParentType, ContextType, Partial<QueryUsersArgs>>;
}>;

export type SessionResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['Session'] = ResolversParentTypes['Session']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  current?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ip?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastSeenAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type SignInResultResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['SignInResult'] = ResolversParentTypes['SignInResult']> = ResolversObject<{
  __resolveType: TypeResolveFn<'AuthPayload' | 'MfaChallenge', ParentType, ContextType>;
}>;

export type UserResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  displayName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  emailVerified?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  oauthLinks?: Resolver<Array<ResolversTypes['OAuthLink']>, ParentType, ContextType>;
  passkeys?: Resolver<Array<ResolversTypes['Passkey']>, ParentType, ContextType>;
  platformAdmin?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['UserStatus'], ParentType, ContextType>;
}>;

export type UserConnectionResolvers<ContextType = AuthContext, ParentType extends ResolversParentTypes['UserConnection'] = ResolversParentTypes['UserConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = AuthContext> = ResolversObject<{
  ApiKey?: ApiKeyResolvers<ContextType>;
  ApiKeyWithSecret?: ApiKeyWithSecretResolvers<ContextType>;
  AuthPayload?: AuthPayloadResolvers<ContextType>;
  Cursor?: GraphQLScalarType;
  DateTime?: GraphQLScalarType;
  JSON?: GraphQLScalarType;
  MfaChallenge?: MfaChallengeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  OAuthLink?: OAuthLinkResolvers<ContextType>;
  OAuthStart?: OAuthStartResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Passkey?: PasskeyResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Session?: SessionResolvers<ContextType>;
  SignInResult?: SignInResultResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  UserConnection?: UserConnectionResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = AuthContext> = ResolversObject<{
  platformAdmin?: PlatformAdminDirectiveResolver<any, any, ContextType>;
  requiresRole?: RequiresRoleDirectiveResolver<any, any, ContextType>;
  requiresScope?: RequiresScopeDirectiveResolver<any, any, ContextType>;
  tenantless?: TenantlessDirectiveResolver<any, any, ContextType>;
}>;
