import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { eventChannel, type PublishedEvent } from '../platform/events';
import { repoRoot } from '../platform/paths';
import { signUpMember } from '../platform/testing/members';
import { TEST_REDIS_URL } from '../platform/testing/services';
import { startStack } from '../platform/testing/stack';
import { connectWs, waitFor, type WsClient } from '../platform/testing/ws-client';
import { percentile } from './lib/load';
import type { BenchReport } from './lib/report';

const QUERY = 'subscription { events { seq payload } }';

interface FanoutResult {
  p50: number;
  p95: number;
  p99: number;
  delivered: number;
  expected: number;
}

/**
 * Subscription fan-out: one event to N subscribers, latency from publish to receipt; and the
 * memory 1 000 idle subscriptions cost the serving process. Tessera's gateway (auth, tenant
 * access on every delivery, gap-free seq tracking) beside a plain graphql-ws server relaying
 * the same Redis channel with graphql-redis-subscriptions, measured in the same run.
 */
export async function subscriptionFanout(options: {
  subscribers: number;
  events: number;
}): Promise<BenchReport> {
  const stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs'],
    env: {
      GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: '1000000',
      GATEWAY_RATE_LIMIT_PER_USER: '1000000',
      GATEWAY_RATE_LIMIT_PER_IP: '1000000',
    },
  });
  const baseline = await startBaseline();
  const publisher = new Redis(TEST_REDIS_URL);
  try {
    const tenantId = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'fanout', 'Fanout')`,
      [tenantId],
    );
    const viewer = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'VIEWER');
    const gatewayParams = { authorization: `Bearer ${viewer.accessToken}`, tenantId };
    let seq = 0;
    const tessera = await fanout(stack.gatewayUrl, gatewayParams, options, async (sentAt) => {
      seq += 1;
      const event: PublishedEvent = {
        id: randomUUID(),
        tenantId,
        seq: String(seq),
        type: 'tenancy.tenant.updated',
        payload: { sentAt },
        actor: null,
        requestId: null,
        ip: null,
        userAgent: null,
        occurredAt: new Date().toISOString(),
      };
      await publisher.publish(eventChannel(stack.redisPrefix, tenantId), JSON.stringify(event));
    });
    let plainSeq = 0;
    const plain = await fanout(baseline.url, {}, options, async (sentAt) => {
      plainSeq += 1;
      await publisher.publish(
        baseline.channel,
        JSON.stringify({
          seq: String(plainSeq),
          type: 'bench',
          occurredAt: new Date().toISOString(),
          payload: JSON.stringify({ sentAt }),
        }),
      );
    });

    const gatewayPid = stack.processes.get('gateway')!.child.pid!;
    const tesseraMemory = await idleMemory(stack.gatewayUrl, gatewayParams, gatewayPid);
    const plainMemory = await idleMemory(baseline.url, {}, baseline.child.pid!);

    return {
      title: `Subscription fan-out: 1 event to ${options.subscribers} subscribers`,
      setup: `${options.events} events published to Redis one at a time, each to ${options.subscribers} graphql-ws subscribers on one gateway; latency from publish to receipt. Memory: resident-set growth of the serving process for 1 000 idle subscriptions. Clients run in the bench process on the same machine.`,
      rows: [],
      table: {
        columns: ['server', 'p50 ms', 'p95 ms', 'p99 ms', 'delivered', 'MiB per 1 000 idle'],
        rows: [
          [
            'Tessera gateway',
            tessera.p50,
            tessera.p95,
            tessera.p99,
            `${tessera.delivered}/${tessera.expected}`,
            tesseraMemory,
          ],
          [
            'plain graphql-ws + Redis',
            plain.p50,
            plain.p95,
            plain.p99,
            `${plain.delivered}/${plain.expected}`,
            plainMemory,
          ],
        ],
      },
      ratios: [
        `Tessera / plain p99 latency: ${(tessera.p99 / plain.p99).toFixed(2)}`,
        `Tessera / plain memory per idle subscription: ${(tesseraMemory / plainMemory).toFixed(2)}`,
      ],
    };
  } finally {
    publisher.disconnect();
    baseline.child.kill('SIGTERM');
    await stack.stop();
  }
}

async function fanout(
  url: string,
  params: Record<string, unknown>,
  options: { subscribers: number; events: number },
  publish: (sentAt: number) => Promise<void>,
): Promise<FanoutResult> {
  const latencies: number[] = [];
  const clients: WsClient[] = [];
  try {
    for (let i = 0; i < options.subscribers; i += 1) {
      const client = connectWs(url, params);
      clients.push(client);
      client.client.subscribe(
        { query: QUERY },
        {
          next: (result) => {
            const payload = (result.data as { events?: { payload?: unknown } } | undefined)?.events
              ?.payload;
            const sentAt = Number(
              (typeof payload === 'string' ? JSON.parse(payload) : (payload as { sentAt?: number }))
                ?.sentAt,
            );
            if (Number.isFinite(sentAt)) latencies.push(Date.now() - sentAt);
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
    }
    // Let every subscription reach its server before the first event.
    await new Promise((resolve) => setTimeout(resolve, 1_500 + options.subscribers * 5));
    for (let i = 0; i < options.events; i += 1) {
      await publish(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const expected = options.subscribers * options.events;
    await waitFor(() => latencies.length >= expected, 20_000).catch(() => undefined);
    latencies.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      delivered: latencies.length,
      expected,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

/** Resident-set growth (MiB) of `pid` while 1 000 subscriptions sit idle on `url`. */
async function idleMemory(
  url: string,
  params: Record<string, unknown>,
  pid: number,
): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssMiB(pid);
  const clients: WsClient[] = [];
  try {
    for (let i = 0; i < 1_000; i += 1) {
      const client = connectWs(url, params);
      clients.push(client);
      client.subscribe(QUERY);
    }
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    return Math.round((rssMiB(pid) - before) * 10) / 10;
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function startBaseline(): Promise<{ child: ChildProcess; url: string; channel: string }> {
  const channel = `bench:${randomUUID()}`;
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/bench/lib/plain-ws-server.js')], {
    env: { ...process.env, REDIS_URL: TEST_REDIS_URL, BENCH_CHANNEL: channel },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /"port":(\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/graphql`, channel };
}
