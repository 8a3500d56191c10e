import { randomBytes, randomUUID } from 'node:crypto';
import { reencryptCall } from '../contracts/subgraphs/reencrypt';
import { oauthProviderLookupCall } from '../contracts/tenancy/oauth-provider-lookup';
import { KeyRing } from '../crypto/key-ring';
import { Redacted } from '../crypto/redacted';
import { postGraphQL } from '../../testing/graphql-client';
import {
  signUpMember,
  signUpPlatformAdmin,
  TEST_PASSWORD,
  type TestUser,
} from '../../testing/members';
import { postInternal } from '../../testing/internal-requests';
import { startStack, type TestStack } from '../../testing/stack';
import { spawnService, type ServiceName } from '../../scripts/lib/service-process';

// Rotating ENCRYPTION_KEYS end to end: secrets written under an old key, the owning processes
// restarted with a new key in front, the worker's reencrypt-secrets job run through the
// platform-admin mutation, every stored envelope checked, then the old key dropped.

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);
const OLD = `old:${OLD_KEY.toString('base64')}`;
const NEW = `new:${NEW_KEY.toString('base64')}`;
const tenantId = randomUUID();
const CLIENT_SECRET = `client-secret-${randomUUID()}`;
const LATE_SECRET = `late-secret-${randomUUID()}`;

let stack: TestStack;
let owner: TestUser;
let admin: TestUser;
/** A webhook endpoint mid-rotation: its current secret and the previous one, both stored. */
let endpointId: string;
const webhookSecrets: string[] = [];
/** Alert channels' secrets by channel id: a tenant's Slack URL and a platform routing key. */
const channelSecrets = new Map<string, string>();

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs', 'observability'],
    worker: true,
    // Webhook endpoints on this machine may be created (nothing is delivered to them).
    env: { ENCRYPTION_KEYS: OLD, OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8' },
  });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'Keys')`, [
    tenantId,
    `keys-${tenantId.slice(0, 8)}`,
  ]);
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
  admin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  await configureProvider('corp', CLIENT_SECRET);
  await createRotatedEndpoint();
  await createAlertChannels();
}, 120_000);

async function createAlertChannels(): Promise<void> {
  const create = async (field: string, input: object, headers: Record<string, string>) => {
    const response = await postGraphQL<Record<string, { id: string }>>(
      stack.gatewayUrl,
      {
        query: `mutation ($input: AlertChannelInput!) { ${field}(input: $input) { id } }`,
        variables: { input },
      },
      headers,
    );
    const id = response.body.data?.[field]?.id;
    if (!id) throw new Error(`${field} failed: ${response.text}`);
    channelSecrets.set(id, (input as { secret: string }).secret);
  };
  const url = `http://127.0.0.1:9/services/T1/B1/${randomUUID()}`;
  await create(
    'createAlertChannel',
    { kind: 'SLACK', name: 'ops', secret: url },
    owner.headers(tenantId),
  );
  const key = randomBytes(16).toString('hex');
  await create(
    'createPlatformAlertChannel',
    { kind: 'PAGERDUTY', name: 'on-call', secret: key },
    admin.headers(),
  );
}

/** Each alert channel's stored secret, opened with a ring of `keys`, by channel id. */
async function storedChannelSecrets(keys: Record<string, Buffer>): Promise<Map<string, string>> {
  const ring = KeyRing.fromConfig(
    Object.entries(keys).map(([kid, key]) => ({ kid, key: new Redacted(key) })),
  );
  const rows = await stack.db.query<{ id: string; e: string }>(
    `SELECT id, secret_ciphertext AS e FROM observability.alert_channels`,
  );
  return new Map(rows.map((row) => [row.id, ring.decrypt(row.e, row.id)]));
}

afterAll(async () => {
  await stack?.stop();
});

async function configureProvider(provider: string, clientSecret: string): Promise<void> {
  const response = await postGraphQL(
    stack.gatewayUrl,
    {
      query: `mutation ($input: OAuthProviderInput!) { configureOAuthProvider(input: $input) { provider } }`,
      variables: {
        input: {
          provider,
          clientId: `${provider}-client`,
          clientSecret,
          authorizationUrl: 'https://idp.example.com/authorize',
          tokenUrl: 'https://idp.example.com/token',
          userInfoUrl: 'https://idp.example.com/userinfo',
        },
      },
    },
    owner.headers(tenantId),
  );
  expect(response.body.errors).toBeUndefined();
}

async function createRotatedEndpoint(): Promise<void> {
  const created = await postGraphQL<{
    createWebhookEndpoint: { endpoint: { id: string }; secret: string };
  }>(
    stack.gatewayUrl,
    {
      query: `mutation ($input: WebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { endpoint { id } secret } }`,
      variables: { input: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } },
    },
    owner.headers(tenantId),
  );
  expect(created.body.errors).toBeUndefined();
  endpointId = created.body.data!.createWebhookEndpoint.endpoint.id;
  const rotated = await postGraphQL<{ rotateWebhookSecret: { secret: string } }>(
    stack.gatewayUrl,
    {
      query: `mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`,
      variables: { id: endpointId },
    },
    owner.headers(tenantId),
  );
  expect(rotated.body.errors).toBeUndefined();
  webhookSecrets.push(
    rotated.body.data!.rotateWebhookSecret.secret,
    created.body.data!.createWebhookEndpoint.secret,
  );
}

/** The endpoint's stored secrets (current, previous), opened with a ring of `keys`. */
async function storedWebhookSecrets(keys: Record<string, Buffer>): Promise<string[]> {
  const ring = KeyRing.fromConfig(
    Object.entries(keys).map(([kid, key]) => ({ kid, key: new Redacted(key) })),
  );
  const [row] = await stack.db.query<{ current: string; previous: string }>(
    `SELECT secret_ciphertext AS current, previous_secret_ciphertext AS previous
       FROM jobs.webhook_endpoints WHERE id = $1`,
    [endpointId],
  );
  return [ring.decrypt(row!.current, endpointId), ring.decrypt(row!.previous, endpointId)];
}

/** Stops a process and starts a fresh one on the same port with other ENCRYPTION_KEYS. */
async function restart(name: ServiceName, keys: string): Promise<void> {
  const running = stack.processes.get(name)!;
  expect(await running.stop()).toBe(0);
  const fresh = await spawnService(name, {
    env: {
      ...stack.envOf(name),
      PORT: String(running.port),
      ENCRYPTION_KEYS: keys,
      TENANCY_INTERNAL_URL: stack.url('tenancy'),
      AUTH_INTERNAL_URL: stack.url('auth'),
    },
    onLine: (line, stream) => stack.logs.push({ service: name, stream, line }),
  });
  stack.processes.set(name, fresh);
}

async function rotateTo(keys: string): Promise<void> {
  // Tenancy first: auth asks it for OAuth providers.
  await restart('tenancy', keys);
  await restart('auth', keys);
  await restart('jobs', keys);
  await restart('observability', keys);
}

/** Every stored envelope's key id, by table. */
async function envelopeKids(): Promise<{
  signingKeys: string[];
  oauthSecrets: string[];
  webhookSecrets: string[];
  alertChannels: string[];
}> {
  const kid = (envelope: string) => envelope.split('.')[1]!;
  const signing = await stack.db.query<{ e: string }>(
    `SELECT private_key_encrypted AS e FROM auth.signing_keys`,
  );
  const oauth = await stack.db.query<{ e: string }>(
    `SELECT client_secret_encrypted AS e FROM tenancy.oauth_providers`,
  );
  const webhook = await stack.db.query<{ e: string }>(
    `SELECT secret_ciphertext AS e FROM jobs.webhook_endpoints
     UNION ALL SELECT previous_secret_ciphertext FROM jobs.webhook_endpoints
      WHERE previous_secret_ciphertext IS NOT NULL`,
  );
  const channels = await stack.db.query<{ e: string }>(
    `SELECT secret_ciphertext AS e FROM observability.alert_channels`,
  );
  return {
    alertChannels: channels.map((row) => kid(row.e)),
    signingKeys: signing.map((row) => kid(row.e)),
    oauthSecrets: oauth.map((row) => kid(row.e)),
    webhookSecrets: webhook.map((row) => kid(row.e)),
  };
}

async function reencryptSecrets() {
  return postGraphQL<{ reencryptSecrets: number }>(
    stack.gatewayUrl,
    { query: 'mutation { reencryptSecrets }' },
    admin.headers(),
  );
}

async function signInWorks(): Promise<void> {
  const signedIn = await postGraphQL<{ signIn: { accessToken: string } }>(stack.gatewayUrl, {
    query: `mutation ($email: String!, $password: String!) {
      signIn(email: $email, password: $password) { ... on AuthPayload { accessToken } } }`,
    variables: { email: owner.email, password: TEST_PASSWORD },
  });
  const token = signedIn.body.data?.signIn.accessToken;
  expect(token).toEqual(expect.any(String));
  const me = await postGraphQL(
    stack.gatewayUrl,
    { query: '{ me { id } }' },
    { authorization: `Bearer ${token}` },
  );
  expect(me.body.data).toEqual({ me: { id: owner.id } });
}

async function resolvedSecret(provider: string): Promise<string | undefined> {
  const response = await postInternal(stack, oauthProviderLookupCall, { tenantId, provider });
  expect(response.status).toBe(200);
  return oauthProviderLookupCall.answer.parse(await response.json()).provider?.clientSecret;
}

function callRoute(service: ServiceName, body: unknown, signed = true): Promise<Response> {
  if (signed) return postInternal(stack, reencryptCall, body, { to: service });
  return fetch(`${stack.url(service)}${reencryptCall.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('rotating ENCRYPTION_KEYS', () => {
  it('starts with every secret under the old key', async () => {
    const kids = await envelopeKids();
    expect(kids.signingKeys.length).toBeGreaterThan(0);
    expect(kids.oauthSecrets).toEqual(['old']);
    expect(kids.webhookSecrets).toEqual(['old', 'old']);
    expect(await resolvedSecret('corp')).toBe(CLIENT_SECRET);
    expect(await storedWebhookSecrets({ old: OLD_KEY })).toEqual(webhookSecrets);
    expect(kids.alertChannels).toEqual(['old', 'old']);
    expect(await storedChannelSecrets({ old: OLD_KEY })).toEqual(channelSecrets);
  });

  it('refuses unsigned and malformed calls to the internal route', async () => {
    for (const service of ['auth', 'tenancy', 'jobs', 'observability'] as const) {
      expect((await callRoute(service, { batch: 10 }, false)).status).toBe(401);
      expect((await callRoute(service, { batch: -1 })).status).toBe(400);
      expect((await callRoute(service, { batch: 10, cursor: 'nonsense' })).status).toBe(400);
    }
  });

  it('keeps working with a new key in front, writing new secrets under it', async () => {
    await rotateTo(`${NEW},${OLD}`);
    await configureProvider('late', LATE_SECRET);
    await signInWorks();
    expect(await resolvedSecret('corp')).toBe(CLIENT_SECRET);
    const kids = await envelopeKids();
    expect(kids.oauthSecrets.sort()).toEqual(['new', 'old']);
    // A count alone (batch 0) rewrites nothing.
    const counted = await callRoute('tenancy', { batch: 0 });
    expect(await counted.json()).toMatchObject({ reencrypted: 0, remaining: 1, activeKid: 'new' });
  });

  it('rewrites every stored secret under the new key when a platform admin runs the job', async () => {
    const before = await envelopeKids();
    const stale = [
      ...before.signingKeys,
      ...before.oauthSecrets,
      ...before.webhookSecrets,
      ...before.alertChannels,
    ].filter((kid) => kid === 'old');

    const response = await reencryptSecrets();
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ reencryptSecrets: stale.length });

    const after = await envelopeKids();
    expect(after.signingKeys.every((kid) => kid === 'new')).toBe(true);
    expect(after.oauthSecrets).toEqual(['new', 'new']);
    expect(after.webhookSecrets).toEqual(['new', 'new']);
    expect(after.alertChannels).toEqual(['new', 'new']);
    const envelopes = await stack.db.query<{ e: string }>(
      `SELECT private_key_encrypted AS e FROM auth.signing_keys
       UNION ALL SELECT client_secret_encrypted FROM tenancy.oauth_providers
       UNION ALL SELECT secret_ciphertext FROM jobs.webhook_endpoints
       UNION ALL SELECT previous_secret_ciphertext FROM jobs.webhook_endpoints
       UNION ALL SELECT secret_ciphertext FROM observability.alert_channels`,
    );
    for (const { e } of envelopes) expect(e.startsWith('v1.new.')).toBe(true);

    await signInWorks();
    expect(await resolvedSecret('corp')).toBe(CLIENT_SECRET);
    expect(await resolvedSecret('late')).toBe(LATE_SECRET);
    // The same secrets, now readable with the new key alone, under the same associated data.
    expect(await storedWebhookSecrets({ new: NEW_KEY })).toEqual(webhookSecrets);
    expect(await storedChannelSecrets({ new: NEW_KEY })).toEqual(channelSecrets);
    // Nothing left: a second run rewrites nothing.
    expect((await reencryptSecrets()).body.data).toEqual({ reencryptSecrets: 0 });
  });

  it('keeps every secret readable once the old key is dropped', async () => {
    await rotateTo(NEW);
    await signInWorks();
    expect(await resolvedSecret('corp')).toBe(CLIENT_SECRET);
    expect(await resolvedSecret('late')).toBe(LATE_SECRET);
  });

  it('fails, naming what is left, when a secret is under a key the ring no longer has', async () => {
    const lost = KeyRing.fromConfig([{ kid: 'lost', key: new Redacted(randomBytes(32)) }]);
    await stack.db.query(
      `INSERT INTO tenancy.oauth_providers (tenant_id, provider, client_id, client_secret_encrypted, issuer)
       VALUES ($1, 'orphan', 'orphan-client', $2, 'https://idp.example.com')`,
      [tenantId, lost.encrypt('unreadable', `${tenantId}:orphan`)],
    );
    try {
      const response = await reencryptSecrets();
      expect(response.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(response.body.errors?.[0]?.message).toMatch(/tenancy 1 \(1 unreadable\)/);
      const logged = stack.logs.find(
        (log) => log.service === 'tenancy' && log.line.includes('cannot be re-encrypted'),
      );
      expect(logged?.line).toContain('"kid":"lost"');
      // Everything else is untouched and still readable.
      expect(await resolvedSecret('corp')).toBe(CLIENT_SECRET);
    } finally {
      await stack.db.query(`DELETE FROM tenancy.oauth_providers WHERE provider = 'orphan'`);
    }
  });

  it('is for platform administrators only', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: 'mutation { reencryptSecrets }' },
      owner.headers(),
    );
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
