import type { ServiceName } from '../../scripts/lib/service-process';
import type { BenchReport } from '../lib/report';
import type { MeasuredRun } from './measured-run';
import type { MixedLoad } from './mixed-load';

export const SERVING: ServiceName[] = ['gateway', 'auth', 'tenancy', 'assets', 'jobs', 'worker'];
/** The goal: each gateway row reaches this share of the physical ceiling's rate. */
const MIN_SHARE_OF_CEILING = 0.4;
/** The goal: writes under background traffic keep this share of their rate alone. */
const MIN_SHARE_UNDER_MIXED_LOAD = 0.7;

export interface TenantWritesOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Slices each load's measured time is cut into, the loads taking turns. */
  rounds: number;
  subscriptions: number;
  backlog: number;
  /** When set, every Tessera process writes a V8 CPU profile there when it exits. */
  cpuProfileDir?: string;
}

/** The tenant writes bench's table, ratios (each beside its goal) and how it was measured. */
export function writesReport(
  options: TenantWritesOptions,
  runs: { ceiling: MeasuredRun; rows: MeasuredRun[]; mixed: MixedLoad },
  journaled: Readonly<Record<string, number>>,
): BenchReport {
  const { ceiling, rows, mixed } = runs;
  const ratios = rows.map((row) => ({ name: row.name, share: row.rps / ceiling.rps }));
  const mixedShare = mixed.run.rps / rows[0]!.rps;
  const byProcess = [...rows, mixed.run]
    .map(
      (run) =>
        `${run.name}: ${SERVING.map((name) => `${name} ${run.cpuMsPerRequestBy[name]}`).join(', ')}`,
    )
    .join('; ');
  return {
    title: 'Tenant writes through the gateway',
    setup:
      `Closed loop, ${options.concurrency} clients, each a distinct user with its own session ` +
      `(two ADMINs per tenant; webhook endpoints spread over each user's own tenants), ` +
      `${options.durationMs / 1000} s each after a ${options.warmupMs / 1000} s warm-up, in ` +
      `${options.rounds} slices: the ceiling and the three writes take turns slice by slice, so ` +
      `the machine's drift reaches them alike; on one machine (load generator included, sending ` +
      `through undici's dispatcher). NODE_ENV=test, as production refuses the plain-HTTP webhook ` +
      `receiver (graphql-js's development checks, what the setting changes on these paths, ` +
      `were under 1 % of each process's CPU in a profile). Ceiling: the rename's transaction (UPDATE, ` +
      `events.append_event, NOTIFY, under RLS) from a pg pool as the tenancy role. CPU ms ` +
      `per request: user + system time of the serving processes (Tessera's six, or the ` +
      `bench process for the pool) and of the database's PostgreSQL backends. Mixed: ` +
      `${options.subscriptions} graphql-ws subscriptions on the writers' tenants, an active ` +
      `webhook endpoint on each, and a backlog of ${options.backlog} deliveries for another ` +
      `tenant; ${mixed.delivered} deliveries and ${mixed.fannedOut} subscription events ` +
      `arrived while measured; when the writes stopped the subscriptions were ` +
      `${mixed.lagAtEnd} events behind, and all had caught up ${mixed.caughtUpMs} ms later. Journal audited afterwards: ${Object.values(journaled).reduce((a, b) => a + b, 0)} ` +
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
      rows: [ceiling, ...rows, mixed.run].map((run) => [
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
}

/** Whether a ratio reached its goal, for the report (a shared machine's noise fails no run). */
function goal(share: number, floor: number): string {
  return `(goal ≥ ${floor}: ${share >= floor ? 'met' : 'not met'})`;
}
