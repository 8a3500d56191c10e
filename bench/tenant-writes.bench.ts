import type { ServiceName } from '../scripts/lib/service-process';
import { auditJournal } from '../platform/testing/journal-audit';
import { startStack } from '../platform/testing/stack';
import { startWebhookReceiver } from '../platform/testing/webhook-receiver';
import { waitFor } from '../platform/testing/ws-client';
import { runClosedLoop } from './lib/closed-loop';
import { toMarkdown, type BenchReport } from './lib/report';
import { startBackgroundTraffic } from './writes/background-traffic';
import { measuredRun, type MeasuredRun } from './writes/measured-run';
import { writeKinds } from './writes/mutations';
import { physicalBaseline } from './writes/physical-baseline';
import { arrangeWriters, tenantsOf } from './writes/writers';

const SERVING: ServiceName[] = ['gateway', 'auth', 'tenancy', 'assets', 'jobs', 'worker'];
/** The goal: each gateway row reaches this share of the physical ceiling's rate. */
const MIN_SHARE_OF_CEILING = 0.4;
/** The goal: writes under background traffic keep this share of their rate alone. */
const MIN_SHARE_UNDER_MIXED_LOAD = 0.7;

export interface TenantWritesOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  subscriptions: number;
  backlog: number;
}

/**
 * Tenant mutations through the gateway, each client a distinct user with its own session,
 * against the same transaction sent straight from a pg pool (the ceiling); then the same
 * writes beside webhook deliveries and live subscriptions. Fails on any error and on a journal
 * that lost, doubled or skipped an event; says of each ratio whether it reached its goal.
 */
export async function tenantWrites(options: TenantWritesOptions): Promise<BenchReport> {
  const receiver = await startWebhookReceiver();
  const stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets', 'jobs'],
    worker: true,
    env: benchEnv(),
  });
  try {
    const writers = await arrangeWriters(stack.gatewayUrl, stack.db, options.concurrency);
    const timing = { durationMs: options.durationMs, warmupMs: options.warmupMs };
    const pids = Object.fromEntries(
      SERVING.map((name) => [name, stack.processes.get(name)!.child.pid!]),
    );
    const journaled: Record<string, number> = {};
    const count = (types: string[], times: number) => {
      for (const type of types) journaled[type] = (journaled[type] ?? 0) + times;
    };

    const ceiling = await measuredRun(
      'pg pool: the same transaction (ceiling)',
      stack.db,
      'self',
      () => physicalBaseline(stack.db, writers, timing),
    );
    count(['tenancy.tenant.updated'], ceiling.succeededTotal);

    const rows: MeasuredRun[] = [];
    const kinds = writeKinds(stack.gatewayUrl, receiver.origin);
    for (const kind of kinds) {
      const run = await measuredRun(`gateway: ${kind.name}`, stack.db, pids, () =>
        runClosedLoop({
          ...timing,
          concurrency: writers.length,
          step: (client, turn) => kind.step(writers[client]!, turn),
        }),
      );
      count(kind.journals, run.succeededTotal);
      rows.push(run);
    }

    const update = kinds[0]!;
    const background = await startBackgroundTraffic(stack, receiver, writers, options);
    let mixed: MeasuredRun;
    let deliveredDuring: number;
    let fannedOutDuring: number;
    try {
      // Renames until every subscription has seen one of its tenant's events (so it is live).
      await waitFor(async () => {
        await Promise.all(writers.map((writer) => update.step(writer, 0)));
        count(update.journals, writers.length);
        return background.allLive();
      }, 60_000);
      const delivered = background.delivered();
      const fannedOut = background.received();
      mixed = await measuredRun(
        `gateway: ${update.name}, with ${options.subscriptions} subscriptions and webhook deliveries`,
        stack.db,
        pids,
        () =>
          runClosedLoop({
            ...timing,
            concurrency: writers.length,
            step: (client, turn) => update.step(writers[client]!, turn),
          }),
      );
      count(update.journals, mixed.succeededTotal);
      deliveredDuring = background.delivered() - delivered;
      fannedOutDuring = background.received() - fannedOut;
    } finally {
      await background.stop();
    }

    const problems = await auditJournal(stack.db, tenantsOf(writers), journaled);
    const all = [ceiling, ...rows, mixed];
    for (const run of all) {
      if (run.errors > 0 || run.failures.length > 0)
        problems.push(`${run.name}: ${run.errors} errors, e.g. ${run.failures[0] ?? 'none'}`);
    }
    const ratios = rows.map((row) => ({ name: row.name, share: row.rps / ceiling.rps }));
    const mixedShare = mixed.rps / rows[0]!.rps;
    const byProcess = [...rows, mixed]
      .map(
        (run) =>
          `${run.name}: ${SERVING.map((name) => `${name} ${run.cpuMsPerRequestBy[name]}`).join(', ')}`,
      )
      .join('; ');
    const report: BenchReport = {
      title: 'Tenant writes through the gateway',
      setup:
        `Closed loop, ${options.concurrency} clients, each a distinct user with its own session ` +
        `(two ADMINs per tenant; webhook endpoints spread over each user's own tenants), ` +
        `${options.durationMs / 1000} s after a ${options.warmupMs / 1000} s warm-up, on one ` +
        `machine (load generator included). Ceiling: the rename's transaction (UPDATE, ` +
        `events.append_event, NOTIFY, under RLS) from a pg pool as the tenancy role. CPU ms ` +
        `per request: user + system time of the serving processes (Tessera's six, or the ` +
        `bench process for the pool) and of the database's PostgreSQL backends. Mixed: ` +
        `${options.subscriptions} graphql-ws subscriptions on the writers' tenants, an active ` +
        `webhook endpoint on each, and a backlog of ${options.backlog} deliveries for another ` +
        `tenant; ${deliveredDuring} deliveries and ${fannedOutDuring} subscription events ` +
        `arrived while measured. Journal audited afterwards: ${Object.values(journaled).reduce((a, b) => a + b, 0)} ` +
        `events, each once, seq gap-free per tenant. CPU ms per request by process — ${byProcess}.`,
      rows: [],
      table: {
        columns: [
          'target',
          'RPS',
          'p50 ms',
          'p99 ms',
          'CPU ms/req (node)',
          'CPU ms/req (pg)',
          'requests',
          'errors',
        ],
        rows: all.map((run) => [
          run.name,
          run.rps,
          run.p50Ms,
          run.p99Ms,
          run.serviceCpuMsPerRequest,
          run.postgresCpuMsPerRequest,
          run.requests,
          run.errors,
        ]),
      },
      ratios: [
        ...ratios.map(
          (ratio) =>
            `${ratio.name} / ceiling RPS: ${ratio.share.toFixed(2)} ${goal(ratio.share, MIN_SHARE_OF_CEILING)}`,
        ),
        `updateTenant with subscriptions and deliveries / alone RPS: ${mixedShare.toFixed(2)} ${goal(mixedShare, MIN_SHARE_UNDER_MIXED_LOAD)}`,
      ],
    };
    if (problems.length > 0) {
      throw new Error(
        `tenant writes bench failed:\n${problems.join('\n')}\n\n${toMarkdown(report)}`,
      );
    }
    return report;
  } finally {
    await stack.stop();
    await receiver.close();
  }
}

/** Whether a ratio reached its goal, for the report (a shared machine's noise fails no run). */
function goal(share: number, floor: number): string {
  return `(goal ≥ ${floor}: ${share >= floor ? 'met' : 'not met'})`;
}

/** Production's defaults, but rate limits sized for the bench's users and tenants. */
function benchEnv(): Record<string, string> {
  return {
    DATABASE_POOL_MAX: '10',
    OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
    GATEWAY_RATE_LIMIT_PER_USER: '1000000',
    GATEWAY_RATE_LIMIT_PER_IP: '1000000',
    GATEWAY_RATE_LIMIT_PER_TENANT: '1000000',
    GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: '1000000',
  };
}
