import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { spawnService } from '../../../scripts/lib/service-process';
import { dataOf, postGraphQL } from '../../../testing/graphql-client';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { verifiedEndpoint } from '../../../testing/webhook-endpoints';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookAnswer,
  type WebhookReceiver,
} from '../../../testing/webhook-receiver';
import { waitFor } from '../../../testing/ws-client';

// A suspended tenant's webhook deliveries wait, and resume when it is reinstated: gateway,
// auth, tenancy, jobs and the worker as real processes, a local receiver that verifies every
// request with the stock `standardwebhooks` library. The worker learns the suspension from the
// journal (never from tenancy's tables), so it also holds across a worker restart.

const tenantId = randomUUID();
const ENV = {
  OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
  WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
  WEBHOOK_TIMEOUT_MS: '60000',
  RELAY_POLL_MS: '100',
  RELAY_LOCK_RETRY_MS: '300',
};
let stack: TestStack;
let receiver: WebhookReceiver;
let owner: TestUser;
let platformAdmin: TestUser;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'], worker: true, env: ENV });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'held', 'Held')`, [
    tenantId,
  ]);
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function ok<T>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<T> {
  return dataOf(await postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers));
}

/** A verified endpoint for the tenant's own lifecycle events, answering with `answer`. */
function endpointFor(answer: (request: ReceivedWebhook) => Promise<WebhookAnswer>) {
  return verifiedEndpoint(stack.gatewayUrl, owner.headers(tenantId), receiver, {
    eventTypes: ['tenancy.tenant.*'],
    answer,
  });
}

function setStatus(status: 'ACTIVE' | 'SUSPENDED') {
  return ok(
    `mutation ($id: ID!, $status: TenantStatus!) { adminSetTenantStatus(tenantId: $id, status: $status) { status } }`,
    { id: tenantId, status },
    platformAdmin.headers(),
  );
}

async function eventOf(type: string, to?: string): Promise<string> {
  const rows = await stack.db.query<{ id: string }>(
    `SELECT id FROM events.events WHERE tenant_id = $1 AND type = $2
        AND ($3::text IS NULL OR payload->>'to' = $3) ORDER BY seq DESC LIMIT 1`,
    [tenantId, type, to ?? null],
  );
  return rows[0]!.id;
}

async function deliveryOf(endpointId: string, eventId: string) {
  const [row] = await stack.db.query<{
    id: string;
    status: string;
    attempt_count: number;
    held_since: Date | null;
  }>(
    `SELECT id, status, attempt_count, held_since FROM jobs.webhook_deliveries
      WHERE endpoint_id = $1 AND event_id = $2`,
    [endpointId, eventId],
  );
  return row;
}

const idsOf = (requests: ReceivedWebhook[]) =>
  requests.map((request) => String(request.headers['webhook-id']));

it('holds a suspended tenant’s deliveries, retries included, across a worker restart, and sends each once after reinstatement', async () => {
  // One endpoint answers 200; the other holds its first answer until the tenant is suspended,
  // then fails it, so its retry comes due during the suspension.
  const steady = await endpointFor(() => Promise.resolve({ status: 204 }));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const flaky = await endpointFor(async () => {
    calls += 1;
    if (calls > 1) return { status: 204 };
    await released;
    return { status: 500 };
  });

  await ok(`mutation { updateTenant(name: "Held Two") { name } }`, {}, owner.headers(tenantId));
  const updated = await eventOf('tenancy.tenant.updated');
  await waitFor(() => steady.deliveries().length === 1 && flaky.deliveries().length === 1, 20_000);

  await setStatus('SUSPENDED');
  const suspended = await eventOf('tenancy.tenant.status_changed', 'SUSPENDED');
  // The worker knows once the relay recorded the event (from the journal, not tenancy).
  await waitFor(async () => {
    const [row] = await stack.db.query<{ status: string }>(
      `SELECT status FROM jobs.tenant_statuses WHERE tenant_id = $1`,
      [tenantId],
    );
    return row?.status === 'SUSPENDED';
  }, 20_000);
  release();

  // The failed attempt's retry and the suspension's own event come due while suspended: each
  // is held (acknowledged in its row) or, were the hold missing, sent.
  const settled = async (endpointId: string, eventId: string, sent: () => number) => {
    const delivery = await deliveryOf(endpointId, eventId);
    return Boolean(delivery?.held_since) || sent() > 0;
  };
  await waitFor(() => settled(flaky.id, updated, () => flaky.deliveries().length - 1), 20_000);
  await waitFor(
    () =>
      settled(
        steady.id,
        suspended,
        () => idsOf(steady.deliveries()).filter((id) => id === suspended).length,
      ),
    20_000,
  );
  expect(idsOf(flaky.deliveries())).toEqual([updated]);
  expect(idsOf(steady.deliveries())).toEqual([updated]);
  expect(await deliveryOf(flaky.id, updated)).toMatchObject({ status: 'FAILED', attempt_count: 1 });
  expect(await deliveryOf(steady.id, suspended)).toMatchObject({
    status: 'PENDING',
    attempt_count: 0,
  });
  const letters = await stack.db.query(`SELECT id FROM jobs.dead_letters WHERE tenant_id = $1`, [
    tenantId,
  ]);
  expect(letters).toEqual([]);

  // A worker restart during the suspension: the held jobs wait in Redis, the status in the
  // jobs schema, so the fresh worker holds them too and picks up the relay.
  const worker = stack.processes.get('worker')!;
  worker.child.kill('SIGKILL');
  await worker.exited;
  stack.processes.set('worker', await spawnService('worker', { env: stack.envOf('worker') }));

  await setStatus('ACTIVE');
  const reinstated = await eventOf('tenancy.tenant.status_changed', 'ACTIVE');
  await waitFor(() => steady.deliveries().length === 3 && flaky.deliveries().length === 4, 30_000);
  await waitFor(async () => {
    const rows = await stack.db.query<{ status: string }>(
      `SELECT status FROM jobs.webhook_deliveries WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows.every((row) => row.status === 'SUCCEEDED');
  }, 20_000);

  // Each event exactly once per endpoint (the retry twice: its 500, then its success), every
  // request signed, the same webhook-id as the event.
  expect(idsOf(steady.deliveries()).sort()).toEqual([updated, suspended, reinstated].sort());
  expect(idsOf(flaky.deliveries()).sort()).toEqual(
    [updated, updated, suspended, reinstated].sort(),
  );
  for (const request of steady.deliveries()) {
    new Webhook(steady.secret).verify(request.body, request.headers as Record<string, string>);
  }
  expect(await deliveryOf(flaky.id, updated)).toMatchObject({
    status: 'SUCCEEDED',
    attempt_count: 2,
    held_since: null,
  });
  expect(await deliveryOf(steady.id, suspended)).toMatchObject({
    status: 'SUCCEEDED',
    attempt_count: 1,
    held_since: null,
  });
  expect(
    await stack.db.query(`SELECT id FROM jobs.dead_letters WHERE tenant_id = $1`, [tenantId]),
  ).toEqual([]);
}, 120_000);
