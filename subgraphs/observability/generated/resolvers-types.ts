import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { AlertRuleEntity } from '../entities/alert-rule.entity';
import type { HealthModel } from '../services/health.service';
import type { ObservabilityContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC. */
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type AlertRule = {
  __typename?: 'AlertRule';
  channels: Array<Scalars['String']['output']>;
  comparator: Scalars['String']['output'];
  enabled: Scalars['Boolean']['output'];
  forSeconds: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  metric: Scalars['String']['output'];
  name: Scalars['String']['output'];
  severity: Severity;
  threshold: Scalars['Float']['output'];
};

/** The database as the observability service sees it. */
export type DatabaseStats = {
  __typename?: 'DatabaseStats';
  /** Server connections to this database (pg_stat_activity). */
  connections: Scalars['Int']['output'];
  poolIdle: Scalars['Int']['output'];
  /** Connections in this process's pool, idle ones, and callers waiting for one. */
  poolTotal: Scalars['Int']['output'];
  poolWaiting: Scalars['Int']['output'];
  /**
   * Statements whose mean execution time exceeds DATABASE_SLOW_QUERY_MS, from
   * pg_stat_statements; 0 when that extension is not installed.
   */
  slowQueries: Scalars['Int']['output'];
};

/**
 * The platform's readiness: PostgreSQL and Redis as this service sees them, and the `/readyz` of
 * every process (gateway, subgraphs, worker), probed in parallel with a short timeout.
 */
export type Health = {
  __typename?: 'Health';
  checks: Array<HealthCheck>;
  /**
   * `ok` when every check passes; `down` when PostgreSQL or Redis is unreachable (nothing works
   * without them); `degraded` when some process is not ready.
   */
  status: Scalars['String']['output'];
};

export type HealthCheck = {
  __typename?: 'HealthCheck';
  /** Why it is not ok: the failing checks of the process, or an error code. */
  detail?: Maybe<Scalars['String']['output']>;
  latencyMs?: Maybe<Scalars['Float']['output']>;
  /** `postgres`, `redis`, or a process: `gateway`, `auth`, `tenancy`, `assets`, `jobs`, `worker`. */
  name: Scalars['String']['output'];
  /**
   * `ok`; `fail` (reachable but not ready, or a dependency check failed); `down` (no answer
   * within the timeout).
   */
  status: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** The current tenant's alert rules. */
  alertRules: Array<AlertRule>;
  /** Connection pool, connections and slow statements. Platform administrators only. */
  databaseStats: DatabaseStats;
  /** Readiness of the platform's dependencies. */
  health: Health;
  /** Job counts of every queue. Platform administrators only. */
  queueStats: Array<QueueStats>;
};

/** One BullMQ queue's job counts. */
export type QueueStats = {
  __typename?: 'QueueStats';
  active: Scalars['Int']['output'];
  completed: Scalars['Int']['output'];
  delayed: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  paused: Scalars['Boolean']['output'];
  waiting: Scalars['Int']['output'];
};

/** A member's role within one tenant: OWNER > ADMIN > MEMBER > VIEWER. */
export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER'
  | 'VIEWER';

export type Severity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


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





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AlertRule: ResolverTypeWrapper<AlertRuleEntity>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  DatabaseStats: ResolverTypeWrapper<DatabaseStats>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Health: ResolverTypeWrapper<HealthModel>;
  HealthCheck: ResolverTypeWrapper<HealthCheck>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  QueueStats: ResolverTypeWrapper<QueueStats>;
  Role: Role;
  Severity: Severity;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AlertRule: AlertRuleEntity;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
  ID: Scalars['ID']['output'];
  Float: Scalars['Float']['output'];
  DatabaseStats: DatabaseStats;
  DateTime: Scalars['DateTime']['output'];
  Health: HealthModel;
  HealthCheck: HealthCheck;
  Query: Record<PropertyKey, never>;
  QueueStats: QueueStats;
  String: Scalars['String']['output'];
}>;

export type PlatformAdminDirectiveArgs = { };

export type PlatformAdminDirectiveResolver<Result, Parent, ContextType = ObservabilityContext, Args = PlatformAdminDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresRoleDirectiveArgs = {
  role: Role;
};

export type RequiresRoleDirectiveResolver<Result, Parent, ContextType = ObservabilityContext, Args = RequiresRoleDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresScopeDirectiveArgs = {
  scope: Scalars['String']['input'];
};

export type RequiresScopeDirectiveResolver<Result, Parent, ContextType = ObservabilityContext, Args = RequiresScopeDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type TenantlessDirectiveArgs = { };

export type TenantlessDirectiveResolver<Result, Parent, ContextType = ObservabilityContext, Args = TenantlessDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AlertRuleResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AlertRule'] = ResolversParentTypes['AlertRule']> = ResolversObject<{
  channels?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  comparator?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  forSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  metric?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  severity?: Resolver<ResolversTypes['Severity'], ParentType, ContextType>;
  threshold?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type DatabaseStatsResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['DatabaseStats'] = ResolversParentTypes['DatabaseStats']> = ResolversObject<{
  connections?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  poolIdle?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  poolTotal?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  poolWaiting?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  slowQueries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type HealthResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['Health'] = ResolversParentTypes['Health']> = ResolversObject<{
  checks?: Resolver<Array<ResolversTypes['HealthCheck']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type HealthCheckResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['HealthCheck'] = ResolversParentTypes['HealthCheck']> = ResolversObject<{
  detail?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  latencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  alertRules?: Resolver<Array<ResolversTypes['AlertRule']>, ParentType, ContextType>;
  databaseStats?: Resolver<ResolversTypes['DatabaseStats'], ParentType, ContextType>;
  health?: Resolver<ResolversTypes['Health'], ParentType, ContextType>;
  queueStats?: Resolver<Array<ResolversTypes['QueueStats']>, ParentType, ContextType>;
}>;

export type QueueStatsResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['QueueStats'] = ResolversParentTypes['QueueStats']> = ResolversObject<{
  active?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  delayed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  paused?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  waiting?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = ObservabilityContext> = ResolversObject<{
  AlertRule?: AlertRuleResolvers<ContextType>;
  DatabaseStats?: DatabaseStatsResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Health?: HealthResolvers<ContextType>;
  HealthCheck?: HealthCheckResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  QueueStats?: QueueStatsResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = ObservabilityContext> = ResolversObject<{
  platformAdmin?: PlatformAdminDirectiveResolver<any, any, ContextType>;
  requiresRole?: RequiresRoleDirectiveResolver<any, any, ContextType>;
  requiresScope?: RequiresScopeDirectiveResolver<any, any, ContextType>;
  tenantless?: TenantlessDirectiveResolver<any, any, ContextType>;
}>;
