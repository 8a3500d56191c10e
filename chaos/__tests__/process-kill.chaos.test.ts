import type { DataSource } from 'typeorm';
import type { ServiceProcess } from '../../scripts/lib/service-process';
import { connectAs } from '../../testing/database';
import {
  latestSeq,
  mixedOperations,
  restartService,
  tenantWrite,
  writtenSeqs,
  type ChaosTenant,
} from '../../testing/chaos/fixtures';
import { appendEvents } from '../../testing/journal-writes';
import { watchReadiness } from '../../testing/chaos/readiness-watch';
import { countCodes, describeCodes, reportScenario } from '../../testing/chaos/report';
import { resumingSubscriber } from '../../testing/chaos/resuming-subscriber';
import {
  startDeliveryChaos,
  TENANT_UPDATED,
  type DeliveryChaos,
} from '../../testing/chaos/delivery-chaos';
import { startTraffic } from '../../testing/chaos/traffic';
import type { TestStack } from '../../testing/stack';
import { deliveryStates } from '../../testing/chaos/delivery-diagnosis';
import {
  journalEvents,
  receivedIds,
  waitForDeliveries,
} from '../../testing/chaos/webhook-endpoint';
import { waitFor } from '../../testing/ws-client';

// kill -9 under traffic, one process at a time: a subgraph (then started again), one of two
// gateways (its subscribers move to the other), and the worker in the middle of a burst of
// webhook deliveries (a fresh one takes over). The relay holder's SIGKILL is proven in
// subgraphs/jobs/__tests__/event-relay.e2e.test.ts and gateway/__tests__/subscriptions.e2e.test.ts.

let chaos: DeliveryChaos;
let stack: TestStack;
let tenant: ChaosTenant;
let gateway2: ServiceProcess;
let endpoint: DeliveryChaos['endpoint'];
/** A service's connection for appending the burst's events as every service does. */
let app: DataSource;
/** Events appended at once in the middle of the writes: the worker dies while sending them. */
const BURST = 2_000;
/** Every delivery the receiver got after the endpoint was verified. */
const deliveries = () => endpoint.deliveries();

beforeAll(async () => {
  chaos = await startDeliveryChaos({
    path: '/chaos-kill',
    // Every delivery is held a little, so some are always in flight when the worker dies.
    delayMs: 25,
    env: { WEBHOOK_TIMEOUT_MS: '4000' },
  });
  ({ stack, tenant, gateway2, endpoint } = chaos);
  app = await connectAs(stack.db, 'tenancy', { name: 'chaos-burst' });
}, 120_000);

afterAll(async () => {
  await app?.destroy().catch(() => {});
  await chaos?.stop();
});

const gateway2Url = () => `${gateway2.url}/graphql`;
const liveProcesses = () =>
  Object.fromEntries([...stack.processes].map(([name, service]) => [name, service.url]));

it('kill -9 of a subgraph: coded errors while it is gone, recovery once it is started again', async () => {
  const readiness = watchReadiness(liveProcesses());
  const start = await latestSeq(stack.db, tenant.tenantId);
  const subscriber = resumingSubscriber({
    urls: [stack.gatewayUrl],
    connectionParams: tenant.connectionParams,
    afterSeq: start,
  });
  const traffic = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 4,
    next: mixedOperations(tenant),
  });
  await traffic.answered(40);

  const killedAt = Date.now();
  await stack.processes.get('tenancy')!.stop('SIGKILL');
  await traffic.answered(40);
  const whileDown = traffic.since(killedAt);
  await restartService(stack, 'tenancy');
  const restartedAt = Date.now();
  const readyAt = await readiness.allReady(30_000);
  // Recovered: every answer OK again (a circuit still cooling down may refuse the first few).
  await traffic.recovered(40, readyAt);
  const stats = await traffic.stop();
  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await subscriber.waitForAll(written).catch(() => undefined);
  await subscriber.stop();
  await readiness.stop();

  const lost = subscriber.tally.missing(written);
  reportScenario({
    scenario: 'kill-9-subgraph',
    eventsWritten: written.length,
    eventsReceived: subscriber.tally.seen.size,
    deliveries: subscriber.tally.deliveries,
    duplicates: subscriber.tally.duplicates,
    lost: lost.length,
    recoveryMs: Math.max(readyAt, stats.lastFailureAt ?? 0) - restartedAt,
    notes:
      `tenancy down ${restartedAt - killedAt} ms; while down ${describeCodes(countCodes(whileDown))}; ` +
      `requests ${stats.total} (${describeCodes(stats.codes)})`,
  });

  expect(whileDown.some((outcome) => outcome.code !== 'OK')).toBe(true);
  // What needed the dead subgraph was SERVICE_UNAVAILABLE; the rest went on.
  expect(new Set(stats.outcomes.map((outcome) => outcome.code))).toEqual(
    new Set(['OK', 'SERVICE_UNAVAILABLE']),
  );
  expect(stats.uncoded).toEqual([]);
  expect(stats.serverErrorsWithoutRequestId).toEqual([]);
  expect(lost).toEqual([]);
  expect(subscriber.tally.outOfOrder).toBe(0);
});

it('kill -9 of one of two gateways: the other one’s clients see nothing, subscribers move to it and miss nothing', async () => {
  const start = await latestSeq(stack.db, tenant.tenantId);
  const subscribers = [0, 1, 2].map(() =>
    resumingSubscriber({
      urls: [stack.gatewayUrl, gateway2Url()],
      connectionParams: tenant.connectionParams,
      afterSeq: start,
    }),
  );
  await waitFor(() => subscribers.every((subscriber) => subscriber.connections.length === 1));
  const onVictim = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 2,
    next: mixedOperations(tenant),
  });
  const onSurvivor = startTraffic({
    url: gateway2Url(),
    concurrency: 2,
    next: mixedOperations(tenant),
  });
  await Promise.all([onVictim.answered(20), onSurvivor.answered(20)]);

  const killedAt = Date.now();
  await stack.processes.get('gateway')!.stop('SIGKILL');
  await waitFor(
    () => subscribers.every((subscriber) => subscriber.connections.length === 2),
    15_000,
  );
  const movedAt = Math.max(...subscribers.map((subscriber) => subscriber.connections[1]!.at));
  await onSurvivor.answered(40);
  const victimStats = await onVictim.stop();
  const survivorStats = await onSurvivor.stop();
  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await Promise.all(
    subscribers.map((subscriber) => subscriber.waitForAll(written).catch(() => {})),
  );
  await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
  await restartService(stack, 'gateway');

  const sum = (pick: (subscriber: (typeof subscribers)[number]) => number) =>
    subscribers.reduce((total, subscriber) => total + pick(subscriber), 0);
  const lost = sum((subscriber) => subscriber.tally.missing(written).length);
  reportScenario({
    scenario: 'kill-9-gateway',
    eventsWritten: written.length,
    eventsReceived: sum((subscriber) => subscriber.tally.seen.size),
    deliveries: sum((subscriber) => subscriber.tally.deliveries),
    duplicates: sum((subscriber) => subscriber.tally.duplicates),
    lost,
    recoveryMs: movedAt - killedAt,
    notes:
      `${subscribers.length} subscribers moved to the survivor; survivor's clients ${describeCodes(survivorStats.codes)}; ` +
      `victim's clients after the kill ${describeCodes(countCodes(onVictim.since(killedAt)))}`,
  });

  // Clients of the surviving gateway never noticed.
  expect(Object.keys(survivorStats.codes)).toEqual(['OK']);
  // Clients of the dead one lost their connection (no answer at all), nothing else.
  expect(victimStats.serverErrorsWithoutRequestId).toEqual([]);
  for (const subscriber of subscribers) {
    expect(subscriber.connections.map((connection) => connection.url)).toEqual([
      stack.gatewayUrl,
      gateway2Url(),
    ]);
    expect(subscriber.tally.missing(written)).toEqual([]);
    expect(subscriber.tally.outOfOrder).toBe(0);
  }
});

it('kill -9 of the worker in the middle of a 2 000-event burst: every event delivered, a repeat only under its own webhook-id', async () => {
  const start = await latestSeq(stack.db, tenant.tenantId);
  const before = deliveries().length;
  const subscriber = resumingSubscriber({
    urls: [stack.gatewayUrl],
    connectionParams: tenant.connectionParams,
    afterSeq: start,
  });
  // Writes only, so deliveries pile up.
  const traffic = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 3,
    next: tenantWrite(tenant),
  });
  await traffic.answered(10);
  await appendEvents(app, tenant.tenantId, BURST);
  // Killed with a tenth of the burst sent: most of it is still queued or in flight.
  await waitFor(() => deliveries().length >= before + BURST / 10, 60_000).catch(() => {
    throw new Error(`${deliveries().length - before} deliveries within 60 s of the burst`);
  });

  const killedAt = Date.now();
  const inFlightAtKill = deliveries().length - before;
  await stack.processes.get('worker')!.stop('SIGKILL');
  const seqAtKill = await latestSeq(stack.db, tenant.tenantId);
  // Writes go on while no worker runs: their deliveries wait in the journal.
  await traffic.answered(20);
  await restartService(stack, 'worker');
  const restartedAt = Date.now();
  await traffic.answered(40);
  const stats = await traffic.stop();

  const rows = await journalEvents(stack.db, tenant.tenantId, start, TENANT_UPDATED);
  const delivered = receivedIds(deliveries, before);
  // As long as deliveries keep arriving or being attempted the burst is still being worked
  // off, not lost.
  await waitForDeliveries(
    stack,
    tenant.tenantId,
    rows.map((row) => row.id),
    delivered,
  );
  // The subscriber sees every event of the tenant, the deliveries' own among them.
  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await subscriber.waitForAll(written).catch(() => undefined);
  await subscriber.stop();

  const received = deliveries().slice(before);
  const ids = received.map((request) => String(request.headers['webhook-id']));
  const got = delivered();
  const missing = rows.filter((row) => !got.has(row.id));
  // Recovered once every event committed before the kill had reached the receiver.
  const firstArrival = new Map<string, number>();
  for (const request of received) {
    const id = String(request.headers['webhook-id']);
    if (!firstArrival.has(id)) firstArrival.set(id, request.at);
  }
  const backlogDoneAt = Math.max(
    ...rows
      .filter((row) => row.seq <= seqAtKill)
      .map((row) => firstArrival.get(row.id) ?? Number.NaN),
  );
  reportScenario({
    scenario: 'kill-9-worker-mid-delivery',
    eventsWritten: rows.length,
    eventsReceived: got.size,
    deliveries: received.length,
    duplicates: ids.length - new Set(ids).size,
    lost: missing.length,
    recoveryMs: Math.max(0, backlogDoneAt - restartedAt),
    notes:
      `webhook deliveries, a ${BURST}-event burst among the writes; subscriber ${subscriber.tally.seen.size} of ${written.length} events, ${subscriber.tally.missing(written).length} lost; ` +
      `${inFlightAtKill} delivered before the kill; worker down ${restartedAt - killedAt} ms; writes ${describeCodes(stats.codes)}`,
  });

  expect(rows.length).toBeGreaterThanOrEqual(BURST);
  // Each missing event with its delivery row, last attempt and queue job: why it never arrived.
  const diagnosis = await deliveryStates(
    stack,
    missing.map((row) => row.id),
  );
  expect(
    diagnosis && {
      ...diagnosis,
      killedAt: new Date(killedAt).toISOString(),
      restartedAt: new Date(restartedAt).toISOString(),
    },
  ).toBeNull();
  // Nothing but the journal's events, each under its own id: a repeat carries the id (and the
  // event) of its first send, never a new one. Any of the tenant's events: the last deliveries
  // of the scenarios before this one may still arrive after it started counting.
  const journal = await journalEvents(stack.db, tenant.tenantId, 0n, TENANT_UPDATED);
  const seqById = new Map(journal.map((row) => [row.id, row.seq.toString()]));
  const mismatched = received.filter((request) => {
    const body = JSON.parse(request.body) as { id: string; seq: string };
    const id = String(request.headers['webhook-id']);
    return !seqById.has(id) || body.id !== id || String(body.seq) !== seqById.get(id);
  });
  expect(mismatched).toEqual([]);
  expect(subscriber.tally.missing(written)).toEqual([]);
  expect(stats.uncoded).toEqual([]);
  // A bound for a hung run only: on two cores with one kept busy the scenario takes about 20 s.
}, 300_000);
