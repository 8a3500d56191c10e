import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { AlertRuleEntity } from '../entities/alert-rule.entity';
import type { AlertChannelView } from '../alerts/channels/alert-channel.service';
import type { AlertRecord } from '../alerts/repositories/alert.repository';
import type { AuditTrailRow } from '../repositories/audit-trail.repository';
import type { AuditConnectionModel } from '../services/audit.service';
import type { HealthModel } from '../services/health.service';
import type { ObservabilityContext } from '../context';
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

/** One firing of a rule: open until the condition clears, then resolved. */
export type Alert = {
  __typename?: 'Alert';
  acknowledgedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The user who acknowledged it; null for an API key. */
  acknowledgedBy?: Maybe<User>;
  firedAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  message: Scalars['String']['output'];
  resolvedAt?: Maybe<Scalars['DateTime']['output']>;
  rule: AlertRule;
  severity: Severity;
  /** The value that fired it (a counter's rate per second). */
  value?: Maybe<Scalars['Float']['output']>;
};

/**
 * A Slack or PagerDuty destination that alert rules name in their channels (`channel`). Its
 * secret (the webhook URL, the routing key) is stored encrypted and never returned.
 */
export type AlertChannel = {
  __typename?: 'AlertChannel';
  /** What a rule writes in `channels` to send here: `slack:<id>` or `pagerduty:<id>`. */
  channel: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  kind: AlertChannelKind;
  name: Scalars['String']['output'];
  /** The secret masked: a Slack URL's host and last 4 characters, a routing key's last 4. */
  target: Scalars['String']['output'];
};

/** A new alert channel. */
export type AlertChannelInput = {
  kind: AlertChannelKind;
  /** 1 to 100 characters, unique among the owner's channels. */
  name: Scalars['String']['input'];
  /**
   * SLACK: the incoming-webhook URL (https; its host must resolve to public addresses).
   * PAGERDUTY: the Events API v2 routing (integration) key, 32 letters and digits.
   */
  secret: Scalars['String']['input'];
};

/** What an AlertChannel sends to. */
export type AlertChannelKind =
  /**
   * A PagerDuty service through the Events API v2: a `trigger` when the alert fires, a `resolve`
   * when it resolves, with the alert's id as `dedup_key`.
   */
  | 'PAGERDUTY'
  /** A Slack incoming webhook: a message with the alert's summary. */
  | 'SLACK';

/**
 * A rule on a measure. A tenant's rules watch the tenant's own figures only:
 * `tessera_journal_events_total`, its journal's events per second, optionally of one `type`. A
 * platform rule may also watch Tessera's process metrics, read from every process's `/metrics`
 * each round (they count every tenant's traffic together): a gauge is compared as it is (summed
 * over processes, or their max for lags and memory), a counter as its rate per second since the
 * previous round. The rule fires once its condition has held for `forSeconds`, and resolves when
 * it no longer holds. While its tenant is suspended, a tenant's rules are not evaluated.
 */
export type AlertRule = {
  __typename?: 'AlertRule';
  /**
   * Where alerts go: `log`, `email:<address>`, `webhook:<endpoint id>` (a tenant's rules only),
   * `slack:<alert channel id>` or `pagerduty:<alert channel id>` (an AlertChannel of the rule's
   * owner, see `createAlertChannel`; any other is BAD_USER_INPUT); at most 10. A tenant rule mails only the tenant's members with a verified email, and the
   * addresses the platform allows (`ALERT_EMAIL_ALLOWED_RECIPIENTS`); any other is FORBIDDEN.
   */
  channels: Array<Scalars['String']['output']>;
  /** One of `>` `>=` `<` `<=` `==` `!=`. */
  comparator: Scalars['String']['output'];
  /**
   * Why the platform disabled the rule (it watched a platform-wide metric); null when the rule is
   * enabled or its owner disabled it. Updating the rule clears it.
   */
  disabledReason?: Maybe<Scalars['String']['output']>;
  enabled: Scalars['Boolean']['output'];
  /** How long the condition must hold before the alert fires: 0 to 86400. */
  forSeconds: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  /**
   * An allowed measure, optionally with label matchers:
   * `tessera_journal_events_total{type="jobs.webhook.delivery.dead"}` (tenant and platform rules),
   * `tessera_relay_lag_seconds`, `tessera_jobs_processed_total{outcome="failed"}` (platform rules).
   */
  metric: Scalars['String']['output'];
  name: Scalars['String']['output'];
  severity: Severity;
  threshold: Scalars['Float']['output'];
};

/** A rule as a client writes it (see AlertRule); `enabled` defaults to true. */
export type AlertRuleInput = {
  channels: Array<Scalars['String']['input']>;
  comparator: Scalars['String']['input'];
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  forSeconds: Scalars['Int']['input'];
  metric: Scalars['String']['input'];
  name: Scalars['String']['input'];
  severity: Severity;
  threshold: Scalars['Float']['input'];
};

/**
 * What verifying one audit chain found: each row must link to the one before it (or, once
 * retention pruned the chain's head, to the anchor kept of it) and hash to what it holds.
 */
export type AuditChainVerification = {
  __typename?: 'AuditChainVerification';
  /** Where the chain starts after retention: the last pruned row's place (null when none was). */
  anchorPosition?: Maybe<Scalars['String']['output']>;
  /** The journal event id of that row (null when ok). */
  brokenEventId?: Maybe<Scalars['ID']['output']>;
  /** The first row that does not check out: its place in the chain (null when ok). */
  brokenPosition?: Maybe<Scalars['String']['output']>;
  /** Rows checked before the first broken one (every row when ok). */
  checkedRows: Scalars['Int']['output'];
  /** True when every row of the chain checks out. */
  ok: Scalars['Boolean']['output'];
};

/** A page of the audit log, newest first. */
export type AuditConnection = {
  __typename?: 'AuditConnection';
  nodes: Array<AuditEntry>;
  pageInfo: PageInfo;
};

/**
 * A security-relevant action from the event journal: sign-in failures, session and key
 * revocations, credential, role and tenant changes, webhook secret rotations, administrators'
 * actions.
 */
export type AuditEntry = {
  __typename?: 'AuditEntry';
  /** The event type, e.g. `auth.api_key.revoked`. */
  action: Scalars['String']['output'];
  /** The user who did it; null for an API key, the system, or an anonymous caller. */
  actor?: Maybe<User>;
  /** The user or API key who did it. */
  actorId?: Maybe<Scalars['ID']['output']>;
  /** `user`, `apiKey` or `system`; null when nobody was signed in (a failed sign-in). */
  actorKind?: Maybe<Scalars['String']['output']>;
  at: Scalars['DateTime']['output'];
  /** The event's payload. */
  details?: Maybe<Scalars['JSON']['output']>;
  /** The journal event's id. */
  id: Scalars['ID']['output'];
  ip?: Maybe<Scalars['String']['output']>;
  requestId?: Maybe<Scalars['String']['output']>;
  /** What it was done to, as `kind:id` (`apiKey:…`, `user:…`, `webhookEndpoint:…`). */
  target?: Maybe<Scalars['String']['output']>;
  userAgent?: Maybe<Scalars['String']['output']>;
};

/**
 * A signed, short-lived URL serving an audit export as NDJSON (one audit entry per line, with its
 * chain position and hashes). A URL without an origin is served by the gateway that answered.
 */
export type AuditExport = {
  __typename?: 'AuditExport';
  expiresAt: Scalars['DateTime']['output'];
  url: Scalars['String']['output'];
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

export type Mutation = {
  __typename?: 'Mutation';
  /** Marks an alert seen; the first acknowledgement is kept. */
  acknowledgeAlert: Alert;
  /** Marks a platform alert seen; the first acknowledgement is kept. */
  acknowledgePlatformAlert: Alert;
  /**
   * Adds a Slack or PagerDuty channel for the tenant's rules (at most 50; names unique:
   * CONFLICT). A malformed secret, or a Slack URL whose host is not public, is BAD_USER_INPUT.
   */
  createAlertChannel: AlertChannel;
  /**
   * Adds a rule (at most 200 per tenant; names are unique in a tenant: CONFLICT). A platform-wide
   * metric is BAD_USER_INPUT; an email channel to anyone but a verified member of the tenant or
   * an address the platform allows is FORBIDDEN.
   */
  createAlertRule: AlertRule;
  /** Adds a Slack or PagerDuty channel for platform rules. Platform administrators only. */
  createPlatformAlertChannel: AlertChannel;
  /**
   * Adds a platform rule, over Tessera's process metrics or the platform's own journal; its
   * channels are `log` and `email:<address>` (webhook endpoints belong to tenants). At most 200;
   * names are unique among platform rules (CONFLICT). Platform administrators only.
   */
  createPlatformAlertRule: AlertRule;
  /** Deletes a channel; CONFLICT while a rule still sends to it. */
  deleteAlertChannel: Scalars['Boolean']['output'];
  /** Deletes a rule with its alerts. */
  deleteAlertRule: Scalars['Boolean']['output'];
  /** Deletes a platform channel; CONFLICT while a platform rule still sends to it. */
  deletePlatformAlertChannel: Scalars['Boolean']['output'];
  /** Deletes a platform rule with its alerts. */
  deletePlatformAlertRule: Scalars['Boolean']['output'];
  /** Replaces a rule; a changed condition starts its `for` window over. */
  updateAlertRule: AlertRule;
  /** Replaces a platform rule; a changed condition starts its `for` window over. */
  updatePlatformAlertRule: AlertRule;
};


export type MutationAcknowledgeAlertArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAcknowledgePlatformAlertArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateAlertChannelArgs = {
  input: AlertChannelInput;
};


export type MutationCreateAlertRuleArgs = {
  input: AlertRuleInput;
};


export type MutationCreatePlatformAlertChannelArgs = {
  input: AlertChannelInput;
};


export type MutationCreatePlatformAlertRuleArgs = {
  input: AlertRuleInput;
};


export type MutationDeleteAlertChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteAlertRuleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePlatformAlertChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePlatformAlertRuleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateAlertRuleArgs = {
  id: Scalars['ID']['input'];
  input: AlertRuleInput;
};


export type MutationUpdatePlatformAlertRuleArgs = {
  id: Scalars['ID']['input'];
  input: AlertRuleInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['Cursor']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** One alert of the tenant; null when there is none with this id. */
  alert?: Maybe<Alert>;
  /** The current tenant's Slack and PagerDuty alert channels, oldest first (secrets masked). */
  alertChannels: Array<AlertChannel>;
  /** The current tenant's alert rules, oldest first. */
  alertRules: Array<AlertRule>;
  /**
   * The tenant's alerts, newest first (at most 200): `active` true for the open ones, false for
   * the resolved ones, omitted for both.
   */
  alerts: Array<Alert>;
  /**
   * A download URL for the audit entries of one chain (the tenant's, or the platform's when
   * `tenantId` is omitted) that occurred in `[from, to)`. A range longer than the platform's
   * AUDIT_EXPORT_MAX_DAYS, or `to` not after `from`, is BAD_USER_INPUT. Platform administrators
   * only.
   */
  auditExport: AuditExport;
  /**
   * The tenant's audit log, newest first: `first` 1-100 (default 20), `after` a page's
   * `endCursor`; `action` keeps one event type (BAD_USER_INPUT when it is not audited),
   * `actorId` one user's or API key's actions.
   */
  auditLog: AuditConnection;
  /** Connection pool, connections and slow statements. Platform administrators only. */
  databaseStats: DatabaseStats;
  /** Readiness of the platform's dependencies. */
  health: Health;
  /** One platform alert; null when there is none with this id (a tenant's alert included). */
  platformAlert?: Maybe<Alert>;
  /** The platform's own Slack and PagerDuty alert channels, oldest first. Platform administrators. */
  platformAlertChannels: Array<AlertChannel>;
  /**
   * The platform's own alert rules (no tenant owns them; tenants never see them), oldest first.
   * Platform administrators only.
   */
  platformAlertRules: Array<AlertRule>;
  /**
   * The platform rules' alerts, newest first (at most 200): `active` as in `alerts`. Platform
   * administrators only.
   */
  platformAlerts: Array<Alert>;
  /**
   * The platform's own audit log (events outside any tenant: sign-in failures, session
   * revocations, account changes, platform administrators' actions). Platform administrators only.
   */
  platformAuditLog: AuditConnection;
  /** Job counts of every queue. Platform administrators only. */
  queueStats: Array<QueueStats>;
  /**
   * Usage per UTC day from `from` to `to` (`YYYY-MM-DD`, both included, at most 366 days), days
   * without usage left out, oldest first: the X-Tenant-Id tenant's, for its admins and owners.
   * Platform administrators may name any other tenant with `tenantId` (FORBIDDEN for anyone
   * else). A bad range is BAD_USER_INPUT.
   */
  tenantUsage: Array<TenantUsageDay>;
  /**
   * Verifies one audit chain: the tenant's, or the platform's own when `tenantId` is omitted.
   * Platform administrators only.
   */
  verifyAuditChain: AuditChainVerification;
};


export type QueryAlertArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAlertsArgs = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryAuditExportArgs = {
  from: Scalars['DateTime']['input'];
  tenantId?: InputMaybe<Scalars['ID']['input']>;
  to: Scalars['DateTime']['input'];
};


export type QueryAuditLogArgs = {
  action?: InputMaybe<Scalars['String']['input']>;
  actorId?: InputMaybe<Scalars['ID']['input']>;
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryPlatformAlertArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPlatformAlertsArgs = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryPlatformAuditLogArgs = {
  action?: InputMaybe<Scalars['String']['input']>;
  actorId?: InputMaybe<Scalars['ID']['input']>;
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryTenantUsageArgs = {
  from: Scalars['String']['input'];
  tenantId?: InputMaybe<Scalars['ID']['input']>;
  to: Scalars['String']['input'];
};


export type QueryVerifyAuditChainArgs = {
  tenantId?: InputMaybe<Scalars['ID']['input']>;
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

export type Subscription = {
  __typename?: 'Subscription';
  /** The current tenant's alerts as they fire, resolve or are acknowledged. */
  alerts: Alert;
  /** The platform rules' alerts as they fire, resolve or are acknowledged. Platform administrators. */
  platformAlerts: Alert;
};

/**
 * One tenant's usage on one UTC day: what its requests, subscriptions and webhooks cost
 * (docs/usage.md).
 */
export type TenantUsageDay = {
  __typename?: 'TenantUsageDay';
  /** The UTC day, `YYYY-MM-DD`. */
  day: Scalars['String']['output'];
  /** Mutations run (HTTP). */
  mutations: Scalars['Float']['output'];
  /** The most subscriptions live at once on one gateway process. */
  peakSubscriptions: Scalars['Float']['output'];
  /** Queries run (HTTP). */
  queries: Scalars['Float']['output'];
  /** GraphQL requests over HTTP in the tenant (refused ones included). */
  requests: Scalars['Float']['output'];
  /** Bytes of the HTTP GraphQL answers sent to the tenant's callers. */
  responseBytes: Scalars['Float']['output'];
  /** The most bytes the tenant's assets held that day (what its storage quota counts), sampled. */
  storageBytes: Scalars['Float']['output'];
  /** Subscriptions started (graphql-ws). */
  subscriptions: Scalars['Float']['output'];
  /** Webhook deliveries attempted to the tenant's endpoints. */
  webhookDeliveries: Scalars['Float']['output'];
};

/** Resolved by the auth subgraph. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
};

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
  Alert: ResolverTypeWrapper<AlertRecord>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  AlertChannel: ResolverTypeWrapper<AlertChannelView>;
  AlertChannelInput: AlertChannelInput;
  AlertChannelKind: AlertChannelKind;
  AlertRule: ResolverTypeWrapper<AlertRuleEntity>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  AlertRuleInput: AlertRuleInput;
  AuditChainVerification: ResolverTypeWrapper<AuditChainVerification>;
  AuditConnection: ResolverTypeWrapper<AuditConnectionModel>;
  AuditEntry: ResolverTypeWrapper<AuditTrailRow>;
  AuditExport: ResolverTypeWrapper<AuditExport>;
  Cursor: ResolverTypeWrapper<Scalars['Cursor']['output']>;
  DatabaseStats: ResolverTypeWrapper<DatabaseStats>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Health: ResolverTypeWrapper<HealthModel>;
  HealthCheck: ResolverTypeWrapper<HealthCheck>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  QueueStats: ResolverTypeWrapper<QueueStats>;
  Role: Role;
  Severity: Severity;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TenantUsageDay: ResolverTypeWrapper<TenantUsageDay>;
  User: ResolverTypeWrapper<User>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Alert: AlertRecord;
  ID: Scalars['ID']['output'];
  Float: Scalars['Float']['output'];
  AlertChannel: AlertChannelView;
  AlertChannelInput: AlertChannelInput;
  AlertRule: AlertRuleEntity;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
  AlertRuleInput: AlertRuleInput;
  AuditChainVerification: AuditChainVerification;
  AuditConnection: AuditConnectionModel;
  AuditEntry: AuditTrailRow;
  AuditExport: AuditExport;
  Cursor: Scalars['Cursor']['output'];
  DatabaseStats: DatabaseStats;
  DateTime: Scalars['DateTime']['output'];
  Health: HealthModel;
  HealthCheck: HealthCheck;
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  QueueStats: QueueStats;
  Subscription: Record<PropertyKey, never>;
  TenantUsageDay: TenantUsageDay;
  User: User;
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

export type AlertResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['Alert'] = ResolversParentTypes['Alert']> = ResolversObject<{
  acknowledgedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  acknowledgedBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  firedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  resolvedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  rule?: Resolver<ResolversTypes['AlertRule'], ParentType, ContextType>;
  severity?: Resolver<ResolversTypes['Severity'], ParentType, ContextType>;
  value?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
}>;

export type AlertChannelResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AlertChannel'] = ResolversParentTypes['AlertChannel']> = ResolversObject<{
  channel?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['AlertChannelKind'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  target?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type AlertRuleResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AlertRule'] = ResolversParentTypes['AlertRule']> = ResolversObject<{
  channels?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  comparator?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  disabledReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  forSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  metric?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  severity?: Resolver<ResolversTypes['Severity'], ParentType, ContextType>;
  threshold?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type AuditChainVerificationResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AuditChainVerification'] = ResolversParentTypes['AuditChainVerification']> = ResolversObject<{
  anchorPosition?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  brokenEventId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  brokenPosition?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  checkedRows?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type AuditConnectionResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AuditConnection'] = ResolversParentTypes['AuditConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['AuditEntry']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type AuditEntryResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AuditEntry'] = ResolversParentTypes['AuditEntry']> = ResolversObject<{
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  actor?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  actorId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  actorKind?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  details?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ip?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  requestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  target?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type AuditExportResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['AuditExport'] = ResolversParentTypes['AuditExport']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface CursorScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Cursor'], any> {
  name: 'Cursor';
}

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

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  acknowledgeAlert?: Resolver<ResolversTypes['Alert'], ParentType, ContextType, RequireFields<MutationAcknowledgeAlertArgs, 'id'>>;
  acknowledgePlatformAlert?: Resolver<ResolversTypes['Alert'], ParentType, ContextType, RequireFields<MutationAcknowledgePlatformAlertArgs, 'id'>>;
  createAlertChannel?: Resolver<ResolversTypes['AlertChannel'], ParentType, ContextType, RequireFields<MutationCreateAlertChannelArgs, 'input'>>;
  createAlertRule?: Resolver<ResolversTypes['AlertRule'], ParentType, ContextType, RequireFields<MutationCreateAlertRuleArgs, 'input'>>;
  createPlatformAlertChannel?: Resolver<ResolversTypes['AlertChannel'], ParentType, ContextType, RequireFields<MutationCreatePlatformAlertChannelArgs, 'input'>>;
  createPlatformAlertRule?: Resolver<ResolversTypes['AlertRule'], ParentType, ContextType, RequireFields<MutationCreatePlatformAlertRuleArgs, 'input'>>;
  deleteAlertChannel?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteAlertChannelArgs, 'id'>>;
  deleteAlertRule?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteAlertRuleArgs, 'id'>>;
  deletePlatformAlertChannel?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeletePlatformAlertChannelArgs, 'id'>>;
  deletePlatformAlertRule?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeletePlatformAlertRuleArgs, 'id'>>;
  updateAlertRule?: Resolver<ResolversTypes['AlertRule'], ParentType, ContextType, RequireFields<MutationUpdateAlertRuleArgs, 'id' | 'input'>>;
  updatePlatformAlertRule?: Resolver<ResolversTypes['AlertRule'], ParentType, ContextType, RequireFields<MutationUpdatePlatformAlertRuleArgs, 'id' | 'input'>>;
}>;

export type PageInfoResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['Cursor']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  alert?: Resolver<Maybe<ResolversTypes['Alert']>, ParentType, ContextType, RequireFields<QueryAlertArgs, 'id'>>;
  alertChannels?: Resolver<Array<ResolversTypes['AlertChannel']>, ParentType, ContextType>;
  alertRules?: Resolver<Array<ResolversTypes['AlertRule']>, ParentType, ContextType>;
  alerts?: Resolver<Array<ResolversTypes['Alert']>, ParentType, ContextType, Partial<QueryAlertsArgs>>;
  auditExport?: Resolver<ResolversTypes['AuditExport'], ParentType, ContextType, RequireFields<QueryAuditExportArgs, 'from' | 'to'>>;
  auditLog?: Resolver<ResolversTypes['AuditConnection'], ParentType, ContextType, Partial<QueryAuditLogArgs>>;
  databaseStats?: Resolver<ResolversTypes['DatabaseStats'], ParentType, ContextType>;
  health?: Resolver<ResolversTypes['Health'], ParentType, ContextType>;
  platformAlert?: Resolver<Maybe<ResolversTypes['Alert']>, ParentType, ContextType, RequireFields<QueryPlatformAlertArgs, 'id'>>;
  platformAlertChannels?: Resolver<Array<ResolversTypes['AlertChannel']>, ParentType, ContextType>;
  platformAlertRules?: Resolver<Array<ResolversTypes['AlertRule']>, ParentType, ContextType>;
  platformAlerts?: Resolver<Array<ResolversTypes['Alert']>, ParentType, ContextType, Partial<QueryPlatformAlertsArgs>>;
  platformAuditLog?: Resolver<ResolversTypes['AuditConnection'], ParentType, ContextType, Partial<QueryPlatformAuditLogArgs>>;
  queueStats?: Resolver<Array<ResolversTypes['QueueStats']>, ParentType, ContextType>;
  tenantUsage?: Resolver<Array<ResolversTypes['TenantUsageDay']>, ParentType, ContextType, RequireFields<QueryTenantUsageArgs, 'from' | 'to'>>;
  verifyAuditChain?: Resolver<ResolversTypes['AuditChainVerification'], ParentType, ContextType, Partial<QueryVerifyAuditChainArgs>>;
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

export type SubscriptionResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  alerts?: SubscriptionResolver<ResolversTypes['Alert'], "alerts", ParentType, ContextType>;
  platformAlerts?: SubscriptionResolver<ResolversTypes['Alert'], "platformAlerts", ParentType, ContextType>;
}>;

export type TenantUsageDayResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['TenantUsageDay'] = ResolversParentTypes['TenantUsageDay']> = ResolversObject<{
  day?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  mutations?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  peakSubscriptions?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  queries?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  requests?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  responseBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  storageBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  subscriptions?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  webhookDeliveries?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type UserResolvers<ContextType = ObservabilityContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = ObservabilityContext> = ResolversObject<{
  Alert?: AlertResolvers<ContextType>;
  AlertChannel?: AlertChannelResolvers<ContextType>;
  AlertRule?: AlertRuleResolvers<ContextType>;
  AuditChainVerification?: AuditChainVerificationResolvers<ContextType>;
  AuditConnection?: AuditConnectionResolvers<ContextType>;
  AuditEntry?: AuditEntryResolvers<ContextType>;
  AuditExport?: AuditExportResolvers<ContextType>;
  Cursor?: GraphQLScalarType;
  DatabaseStats?: DatabaseStatsResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Health?: HealthResolvers<ContextType>;
  HealthCheck?: HealthCheckResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  QueueStats?: QueueStatsResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TenantUsageDay?: TenantUsageDayResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = ObservabilityContext> = ResolversObject<{
  platformAdmin?: PlatformAdminDirectiveResolver<any, any, ContextType>;
  requiresRole?: RequiresRoleDirectiveResolver<any, any, ContextType>;
  requiresScope?: RequiresScopeDirectiveResolver<any, any, ContextType>;
  tenantless?: TenantlessDirectiveResolver<any, any, ContextType>;
}>;
