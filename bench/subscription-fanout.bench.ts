import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { eventChannel, type PublishedEvent } from '../platform/events/channel';
import { signUpMember, type TestUser } from '../testing/members';
import { TEST_REDIS_URL } from '../testing/services';
import { startStack } from '../testing/stack';
import { listeningNow, waitFor } from '../testing/ws-client';
import { startListeningScript, type ListeningScript } from './lib/listening-script';
import { percentile } from './lib/load';
import { memoryProbe, settledMemory, type MemoryProbe } from './lib/memory-reading';
import { openSubscribers } from './lib/subscribers';
import type { BenchReport } from './lib/report';

const QUERY = 'subscription ($types: [String!]) { events(types: $types) { seq payload } }';
const EVENT_TYPE = 'tenancy.tenant.updated';
/** Subscribers open before the first memory reading: what one more idle subscriber costs. */
const WARM = 10;
/** Users the gateway's subscribers are spread over (each signs up, so a few dozen at most). */
const USERS = 20;
const MIB = 1024 * 1024;

/** A server under test: where it listens, how to count its subscriptions, how to publish. */
interface Target {
  name: string;
  url: string;
  pid: number;
  paramsFor(index: number): Record<string, unknown>;
  listening(): Promise<number>;
  publish(sentAt: number): Promise<void>;
}

interface TargetResult {
  p50: number;
  p99: number;
  delivered: number;
  expected: number;
  rssMiB: number;
  rssKiBPerSub: number;
  heapKiBPerSub: number;
}

/**
 * Subscription fan-out and idle memory: N subscribers (distinct sockets, users and variables)
 * sit idle, then each event is fanned out to all of them, latency from publish to receipt.
 * Tessera's gateway (auth, tenant access on every delivery, gap-free seq tracking) beside a
 * plain graphql-ws server relaying the same Redis channel with graphql-redis-subscriptions,
 * measured in the same run.
 */
export async function subscriptionFanout(options: {
  subscribers: number;
  events: number;
}): Promise<BenchReport> {
  const probe = memoryProbe();
  const stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs'],
    env: {
      GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: '1000000',
      GATEWAY_RATE_LIMIT_PER_USER: '1000000',
      GATEWAY_RATE_LIMIT_PER_IP: '1000000',
      GATEWAY_RATE_LIMIT_PER_TENANT: '1000000',
      ...probe.env,
    },
  });
  const baseline = await startBaseline(probe);
  const publisher = new Redis(TEST_REDIS_URL);
  try {
    const tenantId = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'fanout', 'Fanout')`,
      [tenantId],
    );
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i += 1) {
      users.push(await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'VIEWER'));
    }
    const gatewayBase = stack.url('gateway');
    let seq = 0;
    const tessera = await measure(probe, options, {
      name: 'Tessera gateway',
      url: stack.gatewayUrl,
      pid: stack.processes.get('gateway')!.child.pid!,
      paramsFor: (index) => ({
        authorization: `Bearer ${users[index % USERS]!.accessToken}`,
        tenantId,
      }),
      listening: () => listeningNow(gatewayBase),
      publish: async (sentAt) => {
        seq += 1;
        const event = benchEvent(tenantId, seq, sentAt);
        await publisher.publish(eventChannel(stack.redisPrefix, tenantId), JSON.stringify(event));
      },
    });
    let plainSeq = 0;
    const plain = await measure(probe, options, {
      name: 'plain graphql-ws + Redis',
      url: baseline.url,
      pid: baseline.server.pid,
      paramsFor: () => ({}),
      listening: async () => {
        const response = await fetch(baseline.url);
        return ((await response.json()) as { subscribed: number }).subscribed;
      },
      publish: async (sentAt) => {
        plainSeq += 1;
        const event = {
          seq: String(plainSeq),
          type: 'bench',
          occurredAt: new Date().toISOString(),
          payload: JSON.stringify({ sentAt }),
        };
        await publisher.publish(baseline.channel, JSON.stringify(event));
      },
    });
    return report(options, tessera, plain);
  } finally {
    publisher.disconnect();
    await baseline.server.stop();
    await stack.stop();
    probe.remove();
  }
}

/** A journal event as the relay publishes it, carrying its send time for the latency. */
function benchEvent(tenantId: string, seq: number, sentAt: number): PublishedEvent {
  return {
    id: randomUUID(),
    tenantId,
    seq: String(seq),
    type: EVENT_TYPE,
    payload: { sentAt },
    actor: null,
    requestId: null,
    ip: null,
    userAgent: null,
    occurredAt: new Date().toISOString(),
  };
}

/**
 * Memory is read (after a forced collection, median of several readings) once WARM subscribers
 * listen and again once all N do, each time after the server's own count of listening
 * subscriptions reached the target; the difference over N - WARM is the cost of one.
 */
async function measure(
  probe: MemoryProbe,
  options: { subscribers: number; events: number },
  target: Target,
): Promise<TargetResult> {
  const latencies: number[] = [];
  const disposals: (() => Promise<void>)[] = [];
  const open = async (firstIndex: number, count: number) => {
    const before = await target.listening();
    disposals.push(
      await openSubscribers({
        url: target.url,
        count,
        firstIndex,
        query: QUERY,
        paramsFor: (index) => target.paramsFor(index),
        variablesFor: (index) => ({ types: [EVENT_TYPE, `bench.subscriber.${letters(index)}`] }),
        latencies,
      }),
    );
    await waitFor(async () => (await target.listening()) >= before + count, 120_000);
  };
  try {
    await open(0, WARM);
    const warm = await settledMemory(probe, target.pid);
    const idle = options.subscribers - WARM;
    await open(WARM, idle);
    const full = await settledMemory(probe, target.pid);
    if (!warm.collected || !full.collected) throw new Error(`${target.name} ran without gc`);
    for (let i = 1; i <= options.events; i += 1) {
      await target.publish(Date.now());
      // Each event reaches everyone before the next (bounded: a loss shows as delivered < expected).
      await waitFor(() => latencies.length >= options.subscribers * i, 60_000).catch(
        () => undefined,
      );
    }
    latencies.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      delivered: latencies.length,
      expected: options.subscribers * options.events,
      rssMiB: Math.round((full.rssBytes / MIB) * 10) / 10,
      rssKiBPerSub: kibPerSub(full.rssBytes - warm.rssBytes, idle),
      heapKiBPerSub: kibPerSub(full.heapUsedBytes - warm.heapUsedBytes, idle),
    };
  } finally {
    await Promise.all(disposals.map((dispose) => dispose()));
  }
}

function report(
  options: { subscribers: number; events: number },
  tessera: TargetResult,
  plain: TargetResult,
): BenchReport {
  const row = (name: string, r: TargetResult) => [
    name,
    r.p50,
    r.p99,
    `${r.delivered}/${r.expected}`,
    r.rssMiB,
    r.rssKiBPerSub,
    r.heapKiBPerSub,
  ];
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  return {
    title: `Subscription fan-out: ${options.subscribers} idle subscribers, then ${options.events === 1 ? '1 event' : `${options.events} events`} to all`,
    setup: `${options.subscribers} graphql-ws subscribers (one socket each; on the gateway spread over ${USERS} users, each with its own variables) on one server; once the server counts them all listening, ${options.events} event(s) published to Redis, each delivered to all before the next; latency from publish to receipt. Memory read from the server itself after a forced GC (median of 5), with ${WARM} and with all subscribers listening; per subscription = growth / ${options.subscribers - WARM}. Clients run in the bench process on the same machine.`,
    rows: [],
    table: {
      columns: [
        'server',
        'p50 ms',
        'p99 ms',
        'delivered',
        `RSS MiB at ${options.subscribers}`,
        'RSS KiB per idle sub',
        'heap KiB per idle sub',
      ],
      rows: [row('Tessera gateway', tessera), row('plain graphql-ws + Redis', plain)],
    },
    ratios: [
      `Tessera / plain p99 latency: ${ratio(tessera.p99, plain.p99)}`,
      `Tessera / plain RSS per idle subscription: ${ratio(tessera.rssKiBPerSub, plain.rssKiBPerSub)}`,
      `Tessera / plain heap per idle subscription: ${ratio(tessera.heapKiBPerSub, plain.heapKiBPerSub)}`,
    ],
  };
}

function kibPerSub(bytes: number, subscriptions: number): number {
  return Math.round((bytes / 1024 / subscriptions) * 100) / 100;
}

/** An index as lowercase letters: event types allow no digits. */
function letters(index: number): string {
  let text = '';
  let rest = index;
  do {
    text = String.fromCharCode(97 + (rest % 26)) + text;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return text;
}

async function startBaseline(
  probe: MemoryProbe,
): Promise<{ server: ListeningScript; url: string; channel: string }> {
  const channel = `bench:${randomUUID()}`;
  const server = await startListeningScript('bench/lib/plain-ws-server.js', {
    REDIS_URL: TEST_REDIS_URL,
    BENCH_CHANNEL: channel,
    ...probe.env,
  });
  return { server, url: `${server.origin}/graphql`, channel };
}
