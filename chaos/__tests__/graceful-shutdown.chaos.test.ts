import { signedHeaders } from '../../testing/internal-requests';
import type { ServiceName, ServiceProcess } from '../../scripts/lib/service-process';
import {
  latestSeq,
  restartService,
  tenantWrite,
  writtenSeqs,
  type ChaosTenant,
} from '../../testing/chaos/fixtures';
import { countCodes, describeCodes, reportScenario } from '../../testing/chaos/report';
import { resumingSubscriber } from '../../testing/chaos/resuming-subscriber';
import {
  startDeliveryChaos,
  TENANT_UPDATED,
  type DeliveryChaos,
} from '../../testing/chaos/delivery-chaos';
import { holdRequest, send, startTraffic, type Outcome } from '../../testing/chaos/traffic';
import {
  journalEvents,
  receivedIds,
  waitForDeliveries,
} from '../../testing/chaos/webhook-endpoint';
import { signUpUser, TEST_PASSWORD, type TestUser } from '../../testing/members';
import type { TestStack } from '../../testing/stack';
import { waitFor } from '../../testing/ws-client';

// SIGTERM while busy: the process stops taking new work, finishes what it holds (HTTP
// requests; webhook deliveries for the worker, the rest handed back to the queue), closes
// its WebSockets with 1001 and exits 0 within SHUTDOWN_GRACE_MS: its log never says the grace
// period ran out (how long the exit took is reported, not asserted).

const GRACE_MS = 5_000;
/** Sign-ins hash a password (argon2id): slow enough to be in flight when the signal comes. */
const IN_FLIGHT = 20;

let chaos: DeliveryChaos;
let stack: TestStack;
let tenant: ChaosTenant;
let gateway2: ServiceProcess;
let endpoint: DeliveryChaos['endpoint'];
/**
 * One account per sign-in in flight: an account takes only SIGN_IN_FAILURES_PER_ACCOUNT
 * password checks at once (its lockout reserves a slot before each), as people sign in.
 */
let users: TestUser[];

beforeAll(async () => {
  chaos = await startDeliveryChaos({
    path: '/chaos-drain',
    delayMs: 300,
    env: {
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      AUTH_ATTEMPTS_PER_IP: '100000',
      MAX_SESSIONS_PER_USER: '1000',
    },
  });
  ({ stack, tenant, gateway2, endpoint } = chaos);
  users = await Promise.all(
    Array.from({ length: IN_FLIGHT }, () => signUpUser(stack.gatewayUrl, 'drain')),
  );
}, 120_000);

afterAll(() => chaos?.stop());

const SIGN_IN = `mutation ($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { ... on AuthPayload { accessToken } } }`;

const signInOf = (user: TestUser) => ({ email: user.email, password: TEST_PASSWORD });

/** `count` sign-ins of as many accounts at once, through `gatewayUrl`. */
function signIns(gatewayUrl: string, count: number): Promise<Outcome[]> {
  return Promise.all(
    users
      .slice(0, count)
      .map((user) => send(gatewayUrl, { query: SIGN_IN, variables: signInOf(user) })),
  );
}

/**
 * `count` sign-ins the server at `url` has provably started reading (their bodies held back until
 * `complete`): in flight by any definition when the signal comes.
 */
async function heldSignIns(
  url: string,
  count: number,
  headers: (body: string) => Record<string, string> = () => ({}),
) {
  const held = users.slice(0, count).map((user) => {
    const variables = signInOf(user);
    const body = JSON.stringify({ query: SIGN_IN, variables });
    return holdRequest(url, { query: SIGN_IN, variables, headers: headers(body) });
  });
  await Promise.all(held.map((request) => request.accepted));
  return () => Promise.all(held.map((request) => request.complete()));
}

/** What a process logs when its grace period ran out before it had drained. */
const CUT_SHORT = [
  'grace period over; closing remaining connections',
  'shutting down: job handed back to its queue',
];

/**
 * Sends SIGTERM and resolves with the exit code, how long the exit took (a figure, not
 * asserted: the machine's load decides it) and whether the drain had to be cut short by the
 * grace period, which the process's own log says.
 */
/** Waits until `service` has logged that it is shutting down (after log line `mark`). */
async function signalTaken(service: ServiceName, mark: number): Promise<void> {
  await waitFor(() =>
    stack.logs
      .slice(mark)
      .some((log) => log.service === service && log.entry?.msg === 'shutting down'),
  );
}

async function terminate(
  service: ServiceProcess,
): Promise<{ code: number | string; ms: number; cutShort: boolean }> {
  const signalledAt = Date.now();
  const logMark = stack.logs.length;
  const code = await service.stop('SIGTERM');
  const cutShort = stack.logs
    .slice(logMark)
    .some(({ line }) => CUT_SHORT.some((message) => line.includes(message)));
  return { code, ms: Date.now() - signalledAt, cutShort };
}

it('SIGTERM of a gateway under load: requests in flight complete, sockets close 1001, exit 0 in the grace period', async () => {
  const start = await latestSeq(stack.db, tenant.tenantId);
  const subscribers = [0, 1, 2].map(() =>
    resumingSubscriber({
      urls: [stack.gatewayUrl, `${gateway2.url}/graphql`],
      connectionParams: tenant.connectionParams,
      afterSeq: start,
    }),
  );
  await waitFor(() => subscribers.every((subscriber) => subscriber.connections.length === 1));
  // Events keep coming through the other gateway while this one drains.
  const writes = startTraffic({
    url: `${gateway2.url}/graphql`,
    concurrency: 2,
    next: tenantWrite(tenant),
  });
  const complete = await heldSignIns(stack.gatewayUrl, IN_FLIGHT);
  const signalled = stack.logs.length;
  const exiting = terminate(stack.processes.get('gateway')!);
  // The bodies arrive once the process has taken the signal: the requests must still be served.
  await signalTaken('gateway', signalled);
  const answers = await complete();
  const exit = await exiting;
  await waitFor(
    () => subscribers.every((subscriber) => subscriber.connections.length === 2),
    15_000,
  );
  await writes.answered(20);
  const writeStats = await writes.stop();
  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await Promise.all(
    subscribers.map((subscriber) => subscriber.waitForAll(written).catch(() => {})),
  );
  await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
  await restartService(stack, 'gateway');

  const sum = (pick: (subscriber: (typeof subscribers)[number]) => number) =>
    subscribers.reduce((total, subscriber) => total + pick(subscriber), 0);
  reportScenario({
    scenario: 'sigterm-gateway',
    eventsWritten: written.length,
    eventsReceived: sum((subscriber) => subscriber.tally.seen.size),
    deliveries: sum((subscriber) => subscriber.tally.deliveries),
    duplicates: sum((subscriber) => subscriber.tally.duplicates),
    lost: sum((subscriber) => subscriber.tally.missing(written).length),
    recoveryMs: exit.ms,
    notes:
      `exit ${exit.code} after ${exit.ms} ms (grace ${GRACE_MS} ms); ${IN_FLIGHT} sign-ins in flight: ${describeCodes(countCodes(answers))}; ` +
      `close codes ${subscribers.map((subscriber) => subscriber.closeCodes[0]).join(',')}; writes elsewhere ${describeCodes(writeStats.codes)}`,
  });

  expect(exit.code).toBe(0);
  expect(exit.cutShort).toBe(false);
  expect(countCodes(answers)).toEqual({ OK: IN_FLIGHT });
  for (const subscriber of subscribers) {
    expect(subscriber.closeCodes[0]).toBe(1001);
    expect(subscriber.tally.missing(written)).toEqual([]);
  }
});

it('SIGTERM of a subgraph under load: requests in flight complete, exit 0 in the grace period', async () => {
  // Straight to auth, signed as the gateway signs, so each is provably at auth when it stops.
  const complete = await heldSignIns(`${stack.url('auth')}/graphql`, IN_FLIGHT, (body) =>
    signedHeaders(stack.keys, { to: 'auth', path: '/graphql', body }, { as: 'gateway' }),
  );
  const signalled = stack.logs.length;
  const exiting = terminate(stack.processes.get('auth')!);
  await signalTaken('auth', signalled);
  const answers = await complete();
  const exit = await exiting;
  await restartService(stack, 'auth');
  const after = await signIns(stack.gatewayUrl, 1);

  reportScenario({
    scenario: 'sigterm-subgraph',
    eventsWritten: 0,
    eventsReceived: 0,
    deliveries: 0,
    duplicates: 0,
    lost: 0,
    recoveryMs: exit.ms,
    notes: `auth exit ${exit.code} after ${exit.ms} ms; ${IN_FLIGHT} sign-ins in flight: ${describeCodes(countCodes(answers))}; after restart ${after[0]!.code}`,
  });

  expect(exit.code).toBe(0);
  expect(exit.cutShort).toBe(false);
  expect(countCodes(answers)).toEqual({ OK: IN_FLIGHT });
  expect(after[0]!.code).toBe('OK');
});

it('SIGTERM of the worker mid-delivery: deliveries in flight finish, the rest are handed back, none lost', async () => {
  const start = await latestSeq(stack.db, tenant.tenantId);
  const before = endpoint.deliveries().length;
  const writes = startTraffic({ url: stack.gatewayUrl, concurrency: 3, next: tenantWrite(tenant) });
  await waitFor(() => endpoint.deliveries().length >= before + 20, 15_000);
  const exit = await terminate(stack.processes.get('worker')!);
  await restartService(stack, 'worker');
  const restartedAt = Date.now();
  await writes.answered(20);
  const writeStats = await writes.stop();

  const events = await journalEvents(stack.db, tenant.tenantId, start, TENANT_UPDATED);
  const ids = receivedIds(endpoint.deliveries, before);
  await waitForDeliveries(
    stack,
    tenant.tenantId,
    events.map((event) => event.id),
    ids,
  );
  const all = endpoint
    .deliveries()
    .slice(before)
    .map((request) => String(request.headers['webhook-id']));
  const got = ids();
  const missing = events.filter((event) => !got.has(event.id));

  reportScenario({
    scenario: 'sigterm-worker',
    eventsWritten: events.length,
    eventsReceived: got.size,
    deliveries: all.length,
    duplicates: all.length - new Set(all).size,
    lost: missing.length,
    recoveryMs: Date.now() - restartedAt,
    notes: `webhook deliveries; worker exit ${exit.code} after ${exit.ms} ms; writes ${describeCodes(writeStats.codes)}`,
  });

  expect(exit.code).toBe(0);
  expect(exit.cutShort).toBe(false);
  expect(missing).toEqual([]);
  // Nothing but journal events: any of the tenant's, as the last deliveries of the scenarios
  // before this one may still arrive after it started counting.
  const journal = new Set(
    (await journalEvents(stack.db, tenant.tenantId, 0n, TENANT_UPDATED)).map((event) => event.id),
  );
  expect(all.filter((id) => !journal.has(id))).toEqual([]);
});
