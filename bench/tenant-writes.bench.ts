import { auditJournal } from '../testing/journal-audit';
import { startStack } from '../testing/stack';
import { startWebhookReceiver } from '../testing/webhook-receiver';
import { MAX_ENDPOINTS_PER_TENANT } from '../subgraphs/jobs/webhooks/webhook-config';
import { workerConfigShape } from '../subgraphs/jobs/worker/config';
import { sampleClosedLoop, type Slice } from './lib/closed-loop';
import { cpuProfileArgs } from './lib/cpu-profile';
import { toMarkdown, type BenchReport } from './lib/report';
import { measuredInTurns } from './writes/measured-run';
import { measureMixedLoad } from './writes/mixed-load';
import { writeKinds } from './writes/mutations';
import { physicalBaseline } from './writes/physical-baseline';
import { SERVING, writesReport, type TenantWritesOptions } from './writes/writes-report';
import { arrangeWriters, tenantsOf } from './writes/writers';

export type { TenantWritesOptions };

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
    execArgv: cpuProfileArgs(options.cpuProfileDir),
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

    // The ceiling and the gateway's writes take turns in slices, so the machine's drift over
    // the run reaches them alike; the mixed load comes after, against updateTenant's rate.
    const baseline = physicalBaseline(stack.db, writers);
    const kinds = writeKinds(stack.gatewayUrl, receiver.origin);
    const [ceiling, ...rows] = await measuredInTurns(
      stack.db,
      [
        { name: 'pg pool: the same transaction (ceiling)', pids: 'self', slice: baseline.slice },
        ...kinds.map((kind) => ({
          name: `gateway: ${kind.name}`,
          pids,
          slice: (slice: Slice) =>
            sampleClosedLoop({
              ...slice,
              concurrency: writers.length,
              step: (client, turn) => kind.step(writers[client]!, turn),
            }),
        })),
      ],
      { ...timing, rounds: options.rounds },
    ).finally(baseline.close);
    count(['tenancy.tenant.updated'], ceiling!.succeededTotal);
    kinds.forEach((kind, index) => count(kind.journals, rows[index]!.succeededTotal));

    const mixed = await measureMixedLoad({
      stack,
      receiver,
      writers,
      write: kinds[0]!,
      pids,
      options,
      journaled: count,
    });

    const problems = await auditJournal(stack.db, tenantsOf(writers), journaled);
    for (const run of [ceiling!, ...rows, mixed.run]) {
      if (run.errors > 0 || run.failures.length > 0)
        problems.push(`${run.name}: ${run.errors} errors, e.g. ${run.failures[0] ?? 'none'}`);
    }
    const report = writesReport(options, { ceiling: ceiling!, rows, mixed }, journaled);
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

/**
 * Production's defaults, but rate limits and endpoint caps sized for the bench's users and
 * tenants. Test stacks run the worker at normal priority; the bench measures what production
 * runs, so its worker gets production's niceness back (the mixed load is about the worker not
 * starving the API).
 */
function benchEnv(): Record<string, string> {
  return {
    WORKER_NICE: String(workerConfigShape.WORKER_NICE.parse(undefined)),
    DATABASE_POOL_MAX: '10',
    OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
    GATEWAY_RATE_LIMIT_PER_USER: '1000000',
    GATEWAY_RATE_LIMIT_PER_IP: '1000000',
    GATEWAY_RATE_LIMIT_PER_TENANT: '1000000',
    GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: '1000000',
    // The endpoint writes spread over each writer's own tenants, up to the most a tenant may hold.
    WEBHOOK_MAX_ENDPOINTS_PER_TENANT: String(MAX_ENDPOINTS_PER_TENANT),
  };
}
