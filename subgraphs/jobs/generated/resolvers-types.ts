import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import type { EventRecord } from '../repositories/event.repository';
import type { WebhookEndpointWithSecret as WebhookEndpointWithSecretModel } from '../services/webhook-endpoint.service';
import type { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import type { WebhookDeliveryConnectionModel } from '../services/webhook-delivery.service';
import type { WebhookAttemptEntity } from '../entities/webhook-attempt.entity';
import type { JobView } from '../admin/job-view';
import type { JobConnectionModel } from '../services/job-admin.service';
import type { DeadLetterRecord } from '../repositories/dead-letter.repository';
import type { DeadLetterConnectionModel } from '../services/dead-letter.service';
import type { PurgeRunRecord } from '../repositories/purge-run.repository';
import type { JobsContext } from '../context';
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
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** A job that failed for good: its attempts spent, or stalled out. */
export type DeadLetter = {
  __typename?: 'DeadLetter';
  failedAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** The failed job as it was (live from the queue while it keeps it, else as recorded). */
  job: Job;
  queue: Scalars['String']['output'];
  reason: Scalars['String']['output'];
  /** When `replayDeadLetter` enqueued it again, as `replayedJobId`. */
  replayedAt?: Maybe<Scalars['DateTime']['output']>;
  replayedJobId?: Maybe<Scalars['ID']['output']>;
  tenantId?: Maybe<Scalars['ID']['output']>;
};

export type DeadLetterConnection = {
  __typename?: 'DeadLetterConnection';
  nodes: Array<DeadLetter>;
  pageInfo: PageInfo;
};

/** One HTTP request of a delivery. */
export type DeliveryAttempt = {
  __typename?: 'DeliveryAttempt';
  at: Scalars['DateTime']['output'];
  attempt: Scalars['Int']['output'];
  durationMs: Scalars['Int']['output'];
  /** Why the attempt failed without an answer (timeout, refused address, connection error). */
  error?: Maybe<Scalars['String']['output']>;
  /** The first 4 KiB of the answer. */
  responseBody?: Maybe<Scalars['String']['output']>;
  /** Null when no answer came. */
  statusCode?: Maybe<Scalars['Int']['output']>;
};

export type DeliveryOrigin =
  /** The event relay, as the event committed. */
  | 'EVENT'
  /** `replayEvents`. */
  | 'REPLAY'
  /** `sendTestWebhook`. */
  | 'TEST';

export type DeliveryStatus =
  | 'DEAD'
  | 'FAILED'
  | 'PENDING'
  | 'SUCCEEDED';

/**
 * Something that changed in the tenant, recorded in the same transaction as the change (the event
 * journal). Events are never edited; webhooks and subscriptions deliver the same ones.
 */
export type Event = {
  __typename?: 'Event';
  /**
   * The user who caused the event; null when an API key or the system did (see `actorKind`), and
   * for an API key without `members:read` (the user's email is a member's).
   */
  actor?: Maybe<User>;
  /** The id of the user or API key that caused the event. */
  actorId?: Maybe<Scalars['ID']['output']>;
  actorKind?: Maybe<EventActorKind>;
  id: Scalars['ID']['output'];
  /** The actor's IP address: null below ADMIN, and for an API key without `audit:read`. */
  ip?: Maybe<Scalars['String']['output']>;
  /** When the transaction that recorded the event started. */
  occurredAt: Scalars['DateTime']['output'];
  payload: Scalars['JSON']['output'];
  requestId?: Maybe<Scalars['String']['output']>;
  /** Per-tenant, strictly increasing in commit order with no gaps; a 64-bit number, so a string. Subscriptions resume from it. */
  seq: Scalars['String']['output'];
  /** `<owner>.<entity>.<what happened>`, e.g. `assets.asset.created`. */
  type: Scalars['String']['output'];
  /** The actor's user agent: null below ADMIN, and for an API key without `audit:read`. */
  userAgent?: Maybe<Scalars['String']['output']>;
};

export type EventActorKind =
  | 'API_KEY'
  | 'SYSTEM'
  | 'USER';

export type EventConnection = {
  __typename?: 'EventConnection';
  nodes: Array<Event>;
  pageInfo: PageInfo;
};

/**
 * A BullMQ job. Its `id` is `<queue>:<job id>`. Tenants see only jobs enqueued for them (the
 * job's correlation names the tenant); platform work (purges, maintenance) has no tenant.
 */
export type Job = {
  __typename?: 'Job';
  /** Attempts allowed before the job fails for good (and becomes a dead letter). */
  attempts: Scalars['Int']['output'];
  attemptsMade: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The job's data (ids and correlation; sensitive fields redacted). */
  data?: Maybe<Scalars['JSON']['output']>;
  failedReason?: Maybe<Scalars['String']['output']>;
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  queue: Scalars['String']['output'];
  /** The request that enqueued the job. */
  requestId?: Maybe<Scalars['String']['output']>;
  state: JobState;
  /** The tenant the job works for; null for platform work. */
  tenantId?: Maybe<Scalars['ID']['output']>;
};

export type JobConnection = {
  __typename?: 'JobConnection';
  nodes: Array<Job>;
  pageInfo: PageInfo;
};

export type JobState =
  | 'ACTIVE'
  | 'COMPLETED'
  | 'DELAYED'
  | 'FAILED'
  | 'PAUSED'
  | 'WAITING';

export type Mutation = {
  __typename?: 'Mutation';
  /** `cancelJob` for any job, platform work included. Platform administrators. */
  adminCancelJob: Scalars['Boolean']['output'];
  /** `replayDeadLetter` for any dead letter. Platform administrators. */
  adminReplayDeadLetter: Job;
  /** `retryJob` for any job. Platform administrators. */
  adminRetryJob: Job;
  /**
   * Removes a job of the tenant that has not started (waiting, delayed, paused). CONFLICT for a
   * running job (it finishes or fails on its own) or a finished one; NOT_FOUND for an id that
   * is not the tenant's.
   */
  cancelJob: Scalars['Boolean']['output'];
  /**
   * A new endpoint (at most WEBHOOK_MAX_ENDPOINTS_PER_TENANT), PENDING_VERIFICATION, and its secret.
   * It sends the journal's events out, so an API key needs `events:read` as well.
   */
  createWebhookEndpoint: WebhookEndpointWithSecret;
  /** Deletes the endpoint with its deliveries. */
  deleteWebhookEndpoint: Scalars['Boolean']['output'];
  /**
   * Runs the worker's `reencrypt-secrets` job now (or joins the run already waiting or running)
   * and waits for it, at most 30 s: every stored secret (signing keys, OAuth client secrets,
   * webhook secrets) not under the first key of ENCRYPTION_KEYS is rewritten under it. Returns how
   * many were. CONFLICT when some stay under an older key (keep that key); SERVICE_UNAVAILABLE
   * while the run goes on (ask again to wait for the same run). Platform administrators.
   */
  reencryptSecrets: Scalars['Int']['output'];
  /**
   * Enqueues a dead letter's job again as a new job (same name and data, this request's
   * correlation) and marks it replayed; CONFLICT when it already was, and for a webhook
   * delivery's dead letter (retryWebhookDelivery restarts the delivery).
   */
  replayDeadLetter: Job;
  /**
   * Delivers the journal's events of [since, until] (until: now) that the endpoint subscribes to
   * (and of `types`, when given) again, oldest first; at most 10 000. Returns how many. It reads
   * the journal, so an API key needs `events:read` as well.
   */
  replayEvents: Scalars['Int']['output'];
  /** Runs a FAILED job of the tenant again, attempts counted afresh; CONFLICT in any other state. */
  retryJob: Job;
  /** Starts a FAILED or DEAD delivery again now, with a fresh retry schedule. */
  retryWebhookDelivery: WebhookDelivery;
  /** A new secret; the old one keeps signing for `gracePeriodSeconds` (default 86400, at most 7 days). */
  rotateWebhookSecret: WebhookEndpointWithSecret;
  /**
   * Runs one retention purge now (BAD_USER_INPUT for a target not in `purgeTargets`): the run
   * is recorded at once and finishes in the background (see `purgeRuns`).
   */
  runPurge: PurgeRun;
  /** Delivers a made-up event of `eventType` (default `webhook.test`) to an ACTIVE endpoint. */
  sendTestWebhook: WebhookDelivery;
  /** A new `url` or `eventTypes` chooses where journal events go: an API key needs `events:read` too. */
  updateWebhookEndpoint: WebhookEndpoint;
  /**
   * The ownership challenge: POSTs a signed `{ "type": "webhook.endpoint.verification",
   * "challenge": "…" }`; the endpoint must answer 2xx with `{ "proof": "v1,<base64>" }`, the
   * HMAC-SHA256 of the challenge (its UTF-8 bytes) keyed with the secret's bytes (the base64
   * after `whsec_`), as only a holder of the secret can. Then ACTIVE; otherwise BAD_USER_INPUT
   * with `reason` (`challenge-echoed`, `proof-missing`, `proof-mismatch`, `not-json`, `status`,
   * or why no answer came), and nothing changes.
   */
  verifyWebhookEndpoint: WebhookEndpoint;
};


export type MutationAdminCancelJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAdminReplayDeadLetterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAdminRetryJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCancelJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateWebhookEndpointArgs = {
  input: WebhookEndpointInput;
};


export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReplayDeadLetterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReplayEventsArgs = {
  endpointId: Scalars['ID']['input'];
  since: Scalars['DateTime']['input'];
  types?: InputMaybe<Array<Scalars['String']['input']>>;
  until?: InputMaybe<Scalars['DateTime']['input']>;
};


export type MutationRetryJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRetryWebhookDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRotateWebhookSecretArgs = {
  gracePeriodSeconds?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationRunPurgeArgs = {
  target: Scalars['String']['input'];
};


export type MutationSendTestWebhookArgs = {
  eventType?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationUpdateWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
  patch: WebhookEndpointPatch;
};


export type MutationVerifyWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['Cursor']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** One run of a retention purge: what it deleted, and why it failed if it did. */
export type PurgeRun = {
  __typename?: 'PurgeRun';
  deleted: Scalars['Int']['output'];
  error?: Maybe<Scalars['String']['output']>;
  /** Null while the run is waiting or running. */
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  startedAt: Scalars['DateTime']['output'];
  /** One of `purgeTargets`. */
  target: Scalars['String']['output'];
  trigger: PurgeTrigger;
};

export type PurgeTrigger =
  /** `runPurge`. */
  | 'MANUAL'
  /** A job scheduler, every PURGE_INTERVAL_SECONDS. */
  | 'SCHEDULE';

export type Query = {
  __typename?: 'Query';
  /** Every tenant's dead letters and the platform's (or one tenant's). Platform administrators. */
  adminDeadLetters: DeadLetterConnection;
  /** Every tenant's jobs and the platform's (or one tenant's, `tenantId`). Platform administrators. */
  adminJobs: JobConnection;
  /** The current tenant's dead letters, newest first. */
  deadLetters: DeadLetterConnection;
  /** One event of the current tenant's journal. */
  event?: Maybe<Event>;
  /**
   * The current tenant's event journal, newest first (seq descending). `first` is at most 100;
   * `types` keeps events of these types (1 to 20 of them); `since` keeps events that occurred at
   * or after it. With `afterSeq`, the events after that seq instead, oldest first: how a client
   * catches up from the last event it saw (page on with the last node's seq).
   */
  events: EventConnection;
  /**
   * The current tenant's jobs of every queue, newest first (`first` at most 100); `queue` and
   * `state` narrow them. A listing reads the newest 1000 jobs of each queue and state.
   */
  jobs: JobConnection;
  /** The latest retention purge runs, newest first (`first` 1-100, default 20). */
  purgeRuns: Array<PurgeRun>;
  /** The targets `runPurge` takes. */
  purgeTargets: Array<Scalars['String']['output']>;
  /** One delivery of the current tenant, with its attempts. */
  webhookDelivery?: Maybe<WebhookDelivery>;
  webhookEndpoint?: Maybe<WebhookEndpoint>;
  /** The current tenant's webhook endpoints, newest first. */
  webhookEndpoints: Array<WebhookEndpoint>;
};


export type QueryAdminDeadLettersArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  queue?: InputMaybe<Scalars['String']['input']>;
  tenantId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryAdminJobsArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  queue?: InputMaybe<Scalars['String']['input']>;
  state?: InputMaybe<JobState>;
  tenantId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryDeadLettersArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  queue?: InputMaybe<Scalars['String']['input']>;
};


export type QueryEventArgs = {
  id: Scalars['ID']['input'];
};


export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  afterSeq?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  since?: InputMaybe<Scalars['DateTime']['input']>;
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type QueryJobsArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  queue?: InputMaybe<Scalars['String']['input']>;
  state?: InputMaybe<JobState>;
};


export type QueryPurgeRunsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryWebhookDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type QueryWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};

/** A member's role within one tenant: OWNER > ADMIN > MEMBER > VIEWER. */
export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER'
  | 'VIEWER';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * The current tenant's events as they commit, in seq order. With `afterSeq`, first every
   * event after that seq from the journal, then live, with no gap and no duplicate: reconnect
   * with the last seq you saw. `types` keeps events of these types.
   */
  events: Event;
  /** A delivery each time its status changes; with `endpointId`, only that endpoint's deliveries. */
  webhookDeliveryUpdated: WebhookDelivery;
};


export type SubscriptionEventsArgs = {
  afterSeq?: InputMaybe<Scalars['String']['input']>;
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type SubscriptionWebhookDeliveryUpdatedArgs = {
  endpointId?: InputMaybe<Scalars['ID']['input']>;
};

/** Resolved by the auth subgraph. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
};

/** One event on its way to one endpoint. */
export type WebhookDelivery = {
  __typename?: 'WebhookDelivery';
  /** Every attempt, oldest first, across retries. */
  attempts: Array<DeliveryAttempt>;
  createdAt: Scalars['DateTime']['output'];
  endpoint: WebhookEndpoint;
  /**
   * The event sent (a made-up one for `sendTestWebhook`); its id is the `webhook-id` header. The
   * journal's rules apply, as for `events`: an API key needs `events:read` too.
   */
  event: Event;
  eventType: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** When the next retry is due (null when none is scheduled). */
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** How the delivery came about. */
  origin: DeliveryOrigin;
  /** PENDING until the first attempt, FAILED while retries remain, then SUCCEEDED or DEAD. */
  status: DeliveryStatus;
};

export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  nodes: Array<WebhookDelivery>;
  pageInfo: PageInfo;
};

/**
 * A tenant's server that receives signed webhooks (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature` headers) for the event types it chose.
 */
export type WebhookEndpoint = {
  __typename?: 'WebhookEndpoint';
  createdAt: Scalars['DateTime']['output'];
  /** Newest first; `first` is at most 100. */
  deliveries: WebhookDeliveryConnection;
  description?: Maybe<Scalars['String']['output']>;
  /** Why the delivery worker disabled the endpoint (410 Gone, failing for too long). */
  disabledReason?: Maybe<Scalars['String']['output']>;
  /** Exact types (`assets.asset.created`), prefixes ending in `.*` (`tenancy.member.*`), or `*`. */
  eventTypes: Array<Scalars['String']['output']>;
  /** Since when every attempt has failed; null after a success. */
  failingSince?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** Until then, the secret replaced by the last rotation signs too. */
  previousSecretExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** At most this many deliveries per second, across every worker; null: no limit. */
  rateLimitPerSecond?: Maybe<Scalars['Int']['output']>;
  /** PENDING_VERIFICATION until `verifyWebhookEndpoint` passes; only ACTIVE endpoints receive events. */
  status: WebhookStatus;
  updatedAt: Scalars['DateTime']['output'];
  url: Scalars['String']['output'];
  verifiedAt?: Maybe<Scalars['DateTime']['output']>;
};


/**
 * A tenant's server that receives signed webhooks (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature` headers) for the event types it chose.
 */
export type WebhookEndpointDeliveriesArgs = {
  after?: InputMaybe<Scalars['Cursor']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<DeliveryStatus>;
};

export type WebhookEndpointInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  eventTypes: Array<Scalars['String']['input']>;
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  /** https (http outside production), no credentials, at most 2048 characters, a public address. */
  url: Scalars['String']['input'];
};

/** Only the fields given change; a new `url` needs verifying again. */
export type WebhookEndpointPatch = {
  description?: InputMaybe<Scalars['String']['input']>;
  eventTypes?: InputMaybe<Array<Scalars['String']['input']>>;
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  /** ACTIVE (verified endpoints only), PAUSED or DISABLED. */
  status?: InputMaybe<WebhookStatus>;
  url?: InputMaybe<Scalars['String']['input']>;
};

/** A new endpoint or a rotated secret: the secret (`whsec_…`) is shown this once. */
export type WebhookEndpointWithSecret = {
  __typename?: 'WebhookEndpointWithSecret';
  endpoint: WebhookEndpoint;
  secret: Scalars['String']['output'];
};

export type WebhookStatus =
  | 'ACTIVE'
  | 'DISABLED'
  | 'PAUSED'
  | 'PENDING_VERIFICATION';

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
  Event: Event;
  WebhookEndpoint: WebhookEndpoint;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Event:
    ( { __typename: 'Event' }
    & GraphQLRecursivePick<FederationTypes['Event'], {"id":true}> );
  WebhookEndpoint:
    ( { __typename: 'WebhookEndpoint' }
    & GraphQLRecursivePick<FederationTypes['WebhookEndpoint'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Cursor: ResolverTypeWrapper<Scalars['Cursor']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeadLetter: ResolverTypeWrapper<DeadLetterRecord>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  DeadLetterConnection: ResolverTypeWrapper<DeadLetterConnectionModel>;
  DeliveryAttempt: ResolverTypeWrapper<WebhookAttemptEntity>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DeliveryOrigin: DeliveryOrigin;
  DeliveryStatus: DeliveryStatus;
  Event: ResolverTypeWrapper<EventRecord>;
  EventActorKind: EventActorKind;
  EventConnection: ResolverTypeWrapper<Omit<EventConnection, 'nodes'> & { nodes: Array<ResolversTypes['Event']> }>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Job: ResolverTypeWrapper<JobView>;
  JobConnection: ResolverTypeWrapper<JobConnectionModel>;
  JobState: JobState;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PurgeRun: ResolverTypeWrapper<PurgeRunRecord>;
  PurgeTrigger: PurgeTrigger;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Role: Role;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<User>;
  WebhookDelivery: ResolverTypeWrapper<WebhookDeliveryEntity>;
  WebhookDeliveryConnection: ResolverTypeWrapper<WebhookDeliveryConnectionModel>;
  WebhookEndpoint: ResolverTypeWrapper<WebhookEndpointEntity>;
  WebhookEndpointInput: WebhookEndpointInput;
  WebhookEndpointPatch: WebhookEndpointPatch;
  WebhookEndpointWithSecret: ResolverTypeWrapper<WebhookEndpointWithSecretModel>;
  WebhookStatus: WebhookStatus;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Cursor: Scalars['Cursor']['output'];
  DateTime: Scalars['DateTime']['output'];
  DeadLetter: DeadLetterRecord;
  ID: Scalars['ID']['output'];
  DeadLetterConnection: DeadLetterConnectionModel;
  DeliveryAttempt: WebhookAttemptEntity;
  Int: Scalars['Int']['output'];
  Event: EventRecord;
  EventConnection: Omit<EventConnection, 'nodes'> & { nodes: Array<ResolversParentTypes['Event']> };
  JSON: Scalars['JSON']['output'];
  Job: JobView;
  JobConnection: JobConnectionModel;
  Mutation: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  PageInfo: PageInfo;
  PurgeRun: PurgeRunRecord;
  Query: Record<PropertyKey, never>;
  Subscription: Record<PropertyKey, never>;
  User: User;
  WebhookDelivery: WebhookDeliveryEntity;
  WebhookDeliveryConnection: WebhookDeliveryConnectionModel;
  WebhookEndpoint: WebhookEndpointEntity;
  WebhookEndpointInput: WebhookEndpointInput;
  WebhookEndpointPatch: WebhookEndpointPatch;
  WebhookEndpointWithSecret: WebhookEndpointWithSecretModel;
  String: Scalars['String']['output'];
}>;

export type PlatformAdminDirectiveArgs = { };

export type PlatformAdminDirectiveResolver<Result, Parent, ContextType = JobsContext, Args = PlatformAdminDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresRoleDirectiveArgs = {
  role: Role;
};

export type RequiresRoleDirectiveResolver<Result, Parent, ContextType = JobsContext, Args = RequiresRoleDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresScopeDirectiveArgs = {
  scope: Scalars['String']['input'];
};

export type RequiresScopeDirectiveResolver<Result, Parent, ContextType = JobsContext, Args = RequiresScopeDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type TenantlessDirectiveArgs = { };

export type TenantlessDirectiveResolver<Result, Parent, ContextType = JobsContext, Args = TenantlessDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface CursorScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Cursor'], any> {
  name: 'Cursor';
}

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeadLetterResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['DeadLetter'] = ResolversParentTypes['DeadLetter']> = ResolversObject<{
  failedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  job?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
  queue?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  replayedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  replayedJobId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  tenantId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
}>;

export type DeadLetterConnectionResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['DeadLetterConnection'] = ResolversParentTypes['DeadLetterConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['DeadLetter']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type DeliveryAttemptResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['DeliveryAttempt'] = ResolversParentTypes['DeliveryAttempt']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  attempt?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  responseBody?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  statusCode?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type EventResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['Event'] = ResolversParentTypes['Event'], FederationReferenceType extends FederationReferenceTypes['Event'] = FederationReferenceTypes['Event']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Event']> | FederationReferenceType, FederationReferenceType, ContextType>;
  actor?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  actorId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  actorKind?: Resolver<Maybe<ResolversTypes['EventActorKind']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ip?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  payload?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  requestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type EventConnectionResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['EventConnection'] = ResolversParentTypes['EventConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['Event']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type JobResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['Job'] = ResolversParentTypes['Job']> = ResolversObject<{
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  attemptsMade?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  data?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  failedReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  queue?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  requestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  state?: Resolver<ResolversTypes['JobState'], ParentType, ContextType>;
  tenantId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
}>;

export type JobConnectionResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['JobConnection'] = ResolversParentTypes['JobConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['Job']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  adminCancelJob?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationAdminCancelJobArgs, 'id'>>;
  adminReplayDeadLetter?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationAdminReplayDeadLetterArgs, 'id'>>;
  adminRetryJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationAdminRetryJobArgs, 'id'>>;
  cancelJob?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationCancelJobArgs, 'id'>>;
  createWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpointWithSecret'], ParentType, ContextType, RequireFields<MutationCreateWebhookEndpointArgs, 'input'>>;
  deleteWebhookEndpoint?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteWebhookEndpointArgs, 'id'>>;
  reencryptSecrets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  replayDeadLetter?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationReplayDeadLetterArgs, 'id'>>;
  replayEvents?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationReplayEventsArgs, 'endpointId' | 'since'>>;
  retryJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationRetryJobArgs, 'id'>>;
  retryWebhookDelivery?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType, RequireFields<MutationRetryWebhookDeliveryArgs, 'id'>>;
  rotateWebhookSecret?: Resolver<ResolversTypes['WebhookEndpointWithSecret'], ParentType, ContextType, RequireFields<MutationRotateWebhookSecretArgs, 'id'>>;
  runPurge?: Resolver<ResolversTypes['PurgeRun'], ParentType, ContextType, RequireFields<MutationRunPurgeArgs, 'target'>>;
  sendTestWebhook?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType, RequireFields<MutationSendTestWebhookArgs, 'id'>>;
  updateWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType, RequireFields<MutationUpdateWebhookEndpointArgs, 'id' | 'patch'>>;
  verifyWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType, RequireFields<MutationVerifyWebhookEndpointArgs, 'id'>>;
}>;

export type PageInfoResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['Cursor']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PurgeRunResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['PurgeRun'] = ResolversParentTypes['PurgeRun']> = ResolversObject<{
  deleted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  target?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  trigger?: Resolver<ResolversTypes['PurgeTrigger'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  adminDeadLetters?: Resolver<ResolversTypes['DeadLetterConnection'], ParentType, ContextType, Partial<QueryAdminDeadLettersArgs>>;
  adminJobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, Partial<QueryAdminJobsArgs>>;
  deadLetters?: Resolver<ResolversTypes['DeadLetterConnection'], ParentType, ContextType, Partial<QueryDeadLettersArgs>>;
  event?: Resolver<Maybe<ResolversTypes['Event']>, ParentType, ContextType, RequireFields<QueryEventArgs, 'id'>>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, Partial<QueryEventsArgs>>;
  jobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, Partial<QueryJobsArgs>>;
  purgeRuns?: Resolver<Array<ResolversTypes['PurgeRun']>, ParentType, ContextType, Partial<QueryPurgeRunsArgs>>;
  purgeTargets?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  webhookDelivery?: Resolver<Maybe<ResolversTypes['WebhookDelivery']>, ParentType, ContextType, RequireFields<QueryWebhookDeliveryArgs, 'id'>>;
  webhookEndpoint?: Resolver<Maybe<ResolversTypes['WebhookEndpoint']>, ParentType, ContextType, RequireFields<QueryWebhookEndpointArgs, 'id'>>;
  webhookEndpoints?: Resolver<Array<ResolversTypes['WebhookEndpoint']>, ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  events?: SubscriptionResolver<ResolversTypes['Event'], "events", ParentType, ContextType, Partial<SubscriptionEventsArgs>>;
  webhookDeliveryUpdated?: SubscriptionResolver<ResolversTypes['WebhookDelivery'], "webhookDeliveryUpdated", ParentType, ContextType, Partial<SubscriptionWebhookDeliveryUpdatedArgs>>;
}>;

export type UserResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type WebhookDeliveryResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['WebhookDelivery'] = ResolversParentTypes['WebhookDelivery']> = ResolversObject<{
  attempts?: Resolver<Array<ResolversTypes['DeliveryAttempt']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  endpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType>;
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
  eventType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  nextAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  origin?: Resolver<ResolversTypes['DeliveryOrigin'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['DeliveryStatus'], ParentType, ContextType>;
}>;

export type WebhookDeliveryConnectionResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['WebhookDeliveryConnection'] = ResolversParentTypes['WebhookDeliveryConnection']> = ResolversObject<{
  nodes?: Resolver<Array<ResolversTypes['WebhookDelivery']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type WebhookEndpointResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['WebhookEndpoint'] = ResolversParentTypes['WebhookEndpoint'], FederationReferenceType extends FederationReferenceTypes['WebhookEndpoint'] = FederationReferenceTypes['WebhookEndpoint']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['WebhookEndpoint']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deliveries?: Resolver<ResolversTypes['WebhookDeliveryConnection'], ParentType, ContextType, Partial<WebhookEndpointDeliveriesArgs>>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  disabledReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  eventTypes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  failingSince?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  previousSecretExpiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  rateLimitPerSecond?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['WebhookStatus'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  verifiedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
}>;

export type WebhookEndpointWithSecretResolvers<ContextType = JobsContext, ParentType extends ResolversParentTypes['WebhookEndpointWithSecret'] = ResolversParentTypes['WebhookEndpointWithSecret']> = ResolversObject<{
  endpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = JobsContext> = ResolversObject<{
  Cursor?: GraphQLScalarType;
  DateTime?: GraphQLScalarType;
  DeadLetter?: DeadLetterResolvers<ContextType>;
  DeadLetterConnection?: DeadLetterConnectionResolvers<ContextType>;
  DeliveryAttempt?: DeliveryAttemptResolvers<ContextType>;
  Event?: EventResolvers<ContextType>;
  EventConnection?: EventConnectionResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Job?: JobResolvers<ContextType>;
  JobConnection?: JobConnectionResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PurgeRun?: PurgeRunResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  WebhookDelivery?: WebhookDeliveryResolvers<ContextType>;
  WebhookDeliveryConnection?: WebhookDeliveryConnectionResolvers<ContextType>;
  WebhookEndpoint?: WebhookEndpointResolvers<ContextType>;
  WebhookEndpointWithSecret?: WebhookEndpointWithSecretResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = JobsContext> = ResolversObject<{
  platformAdmin?: PlatformAdminDirectiveResolver<any, any, ContextType>;
  requiresRole?: RequiresRoleDirectiveResolver<any, any, ContextType>;
  requiresScope?: RequiresScopeDirectiveResolver<any, any, ContextType>;
  tenantless?: TenantlessDirectiveResolver<any, any, ContextType>;
}>;
