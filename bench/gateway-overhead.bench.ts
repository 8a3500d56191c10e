import { startStack, type TestStack } from '../testing/stack';
import { cpuProfileArgs } from './lib/cpu-profile';
import { productionEnv } from './lib/production-env';
import type { BenchReport } from './lib/report';
import { SLICE_SETTLE_MS } from './lib/closed-loop';
import { measuredLoads, warm, type LoadTiming, type MeasuredLoad } from './overhead/measured-load';
import { startBareProxy, type BareProxy } from './overhead/bare-proxy';
import { arrangeReaders } from './overhead/readers';
import {
  assetsQuery,
  directToAssets,
  PAGE_SIZE,
  unsignedTo,
  viaGateway,
} from './overhead/requests';

/** Distinct signed-in users sending the load, spread over this many tenants. */
const READERS = 200;
const TENANTS = 10;
const ASSETS_PER_TENANT = 50;

/** What the production path must reach against the assets subgraph called directly. */
const GOALS = { rps: 0.8, p99: 1.5 };

export const OVERHEAD_TITLE = 'Gateway production path: a tenant page of assets by many users';

const GROUPS = [
  'gateway',
  'bare proxy',
  'signing proxy',
  'assets',
  'auth',
  'tenancy',
  'client',
] as const;

/**
 * The gateway's production path (authentication, tenant role, rate limits, signed context,
 * policies on, deduplication off): a page of a tenant's assets read by many distinct users,
 * each with X-Tenant-Id, through the gateway against the same page read straight from the
 * assets subgraph with the context the gateway would sign; then the two-subgraph case, each
 * asset's owner email from auth, against assets answering the owner ids. Fails on any error.
 */
export async function gatewayOverhead(
  timing: LoadTiming,
  cpuProfileDir?: string,
): Promise<BenchReport> {
  const stack = await startOverheadStack(cpuProfileDir);
  const proxies = await startProxies(stack).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  try {
    const readers = await arrangeReaders(stack.gatewayUrl, stack.db, {
      users: READERS,
      tenants: TENANTS,
      assetsPerTenant: ASSETS_PER_TENANT,
    });
    const pid = (name: 'gateway' | 'assets' | 'auth' | 'tenancy') =>
      stack.processes.get(name)!.child.pid!;
    const groups = {
      gateway: pid('gateway'),
      'bare proxy': proxies.bare.pid,
      'signing proxy': proxies.signing.pid,
      assets: pid('assets'),
      auth: pid('auth'),
      tenancy: pid('tenancy'),
      client: 'self' as const,
    };
    const { oneSubgraph, twoSubgraphs } = comparisons(stack, proxies);
    // Every path is warmed before any is measured: the one measured first would otherwise pay
    // alone for the processes' JIT and PostgreSQL's cold pages, which flattered the other.
    for (const { step } of [...Object.values(oneSubgraph), ...Object.values(twoSubgraphs)]) {
      await warm(readers, step, timing);
    }
    // Each comparison's sides take turns; the gateway is idle only while its baselines run.
    const { direct, gateway, bare, signing } = await measuredLoads(
      oneSubgraph,
      readers,
      groups,
      timing,
    );
    const owners = await measuredLoads(twoSubgraphs, readers, groups, timing);
    const [directOwners, gatewayOwners] = [owners.direct, owners.gateway];
    const rows = [direct, bare, signing, gateway, directOwners, gatewayOwners];
    failOnErrors(rows);
    return overheadReport(timing, rows, [
      ratios('one subgraph', gateway, direct),
      ratios('two subgraphs', gatewayOwners, directOwners),
      ...floors(direct, bare, signing, gateway),
    ]);
  } finally {
    await Promise.all([proxies.bare.stop(), proxies.signing.stop()]);
    await stack.stop();
  }
}

function startOverheadStack(cpuProfileDir: string | undefined): Promise<TestStack> {
  return startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    execArgv: cpuProfileArgs(cpuProfileDir),
    env: {
      ...productionEnv(),
      LOG_LEVEL: 'info',
      DATABASE_POOL_MAX: '10',
      GATEWAY_DEDUPLICATE_QUERIES: 'false',
      // The default limits, sized so the bench's callers stay inside them: a refusal is an error.
      GATEWAY_RATE_LIMIT_PER_IP: '1000000',
      GATEWAY_RATE_LIMIT_PER_USER: '1000000',
      GATEWAY_RATE_LIMIT_PER_TENANT: '1000000',
      // The readers all sign up from this one address before the load.
      AUTH_ATTEMPTS_PER_IP: '100000',
    },
  });
}

/** Two floors of a gateway in front of assets: forwarding alone, and forwarding with signing. */
async function startProxies(stack: TestStack): Promise<{ bare: BareProxy; signing: BareProxy }> {
  const bare = await startBareProxy(stack.url('assets'));
  const signing = await startBareProxy(
    stack.url('assets'),
    stack.keys.env.GATEWAY_SIGNING_KEY,
  ).catch(async (error: unknown) => {
    await bare.stop();
    throw error;
  });
  return { bare, signing };
}

/** The paths each comparison measures, its baselines first. */
function comparisons(stack: TestStack, proxies: { bare: BareProxy; signing: BareProxy }) {
  const assetsUrl = stack.url('assets');
  return {
    oneSubgraph: {
      direct: {
        name: 'assets subgraph directly',
        step: directToAssets(assetsUrl, stack.keys, assetsQuery()),
      },
      // The floor of any Node gateway: the direct request, forwarded and nothing more.
      bare: {
        name: 'bare Node proxy → assets (forwards the direct request)',
        step: directToAssets(proxies.bare.origin, stack.keys, assetsQuery()),
      },
      // The floor of a gateway that does what the design requires of each subgraph request.
      signing: {
        name: 'signing Node proxy → assets (signs each context afresh)',
        step: unsignedTo(proxies.signing.origin, assetsQuery()),
      },
      gateway: { name: 'gateway → assets', step: viaGateway(stack.gatewayUrl, assetsQuery()) },
    },
    twoSubgraphs: {
      direct: {
        name: 'assets subgraph directly (owner { id })',
        step: directToAssets(assetsUrl, stack.keys, assetsQuery('id')),
      },
      gateway: {
        name: 'gateway → assets + auth (owner { email })',
        step: viaGateway(stack.gatewayUrl, assetsQuery('email')),
      },
    },
  };
}

function failOnErrors(rows: readonly MeasuredLoad[]): void {
  const failed = rows.filter((row) => row.errors > 0 || row.failures.length > 0);
  if (failed.length === 0) return;
  throw new Error(
    `gateway overhead bench failed: ${failed
      .map((row) => `${row.name}: ${row.errors} errors, e.g. ${row.failures[0] ?? 'none'}`)
      .join('; ')}`,
  );
}

function ratios(label: string, gateway: MeasuredLoad, direct: MeasuredLoad): string {
  const rps = gateway.rps / direct.rps;
  const p99 = gateway.p99Ms / direct.p99Ms;
  const met = (ok: boolean) => (ok ? 'goal met' : 'goal missed');
  return (
    `${label}: gateway / direct RPS ${rps.toFixed(2)} (goal ≥ ${GOALS.rps}: ${met(rps >= GOALS.rps)}), ` +
    `p99 ${p99.toFixed(2)} (goal ≤ ${GOALS.p99}: ${met(p99 <= GOALS.p99)})`
  );
}

/**
 * Where the two floors stand against direct, and the gateway against each: what forwarding
 * alone costs, what the signing every subgraph request needs adds, and what the gateway adds.
 */
function floors(
  direct: MeasuredLoad,
  bare: MeasuredLoad,
  signing: MeasuredLoad,
  gateway: MeasuredLoad,
): string[] {
  const cpu = (load: MeasuredLoad, group: (typeof GROUPS)[number]) =>
    (gateway.cpuMsPerRequest.gateway! / load.cpuMsPerRequest[group]!).toFixed(1);
  const against = (load: MeasuredLoad) =>
    `RPS ${(load.rps / direct.rps).toFixed(2)}, p99 ${(load.p99Ms / direct.p99Ms).toFixed(2)}`;
  return [
    `bare Node proxy / direct ${against(bare)} (the floor of a Node gateway on this machine); ` +
      `gateway / bare proxy RPS ${(gateway.rps / bare.rps).toFixed(2)}, CPU per request ${cpu(bare, 'bare proxy')}×`,
    `signing Node proxy / direct ${against(signing)} (the floor of a gateway that signs each ` +
      `subgraph request, as the design requires); gateway / signing proxy RPS ` +
      `${(gateway.rps / signing.rps).toFixed(2)}, CPU per request ${cpu(signing, 'signing proxy')}×`,
  ];
}

function overheadReport(
  timing: LoadTiming,
  rows: MeasuredLoad[],
  ratioLines: string[],
): BenchReport {
  return {
    title: OVERHEAD_TITLE,
    setup:
      `Every process runs as deployed (NODE_ENV=production). ` +
      `${READERS} distinct signed-in users (VIEWERs of ${TENANTS} tenants) each asking in turn for ` +
      `${PAGE_SIZE} of their tenant's ${ASSETS_PER_TENANT} assets with X-Tenant-Id; policies on, ` +
      `in-flight deduplication off, rate limits on and sized so none refuses. Closed loop, ` +
      `${timing.concurrency} concurrent clients; every path warmed for ${timing.warmupMs / 1000} s, ` +
      `then each measured for ${timing.durationMs / 1000} s in ${timing.rounds} slices, the ` +
      `two sides of each comparison taking turns slice by slice so that the machine's drift reaches both alike (each ` +
      `slice after a ${SLICE_SETTLE_MS / 1000} s settle); load generator on the same machine. CPU ms ` +
      `per request: user + system time of each process tree over the requests served (settles ` +
      `included on both sides); "client" is the load generator (undici's dispatcher, not global ` +
      `fetch, which cost nearly as much CPU per request as the gateway), which signs each direct request. ` +
      `The bare Node proxy takes its turn beside the one-subgraph pair: it forwards the direct ` +
      `request (method, path, headers, body) to assets over 32 keep-alive connections and ` +
      `answers with the answer's status and body, nothing else (\`bench/lib/bare-proxy.ts\`), ` +
      `so its row is what a gateway costs before it does any of its work. The signing Node proxy ` +
      `does the same and signs each request's context afresh with the gateway's key (body hash, ` +
      `nonce, time, Ed25519), the one piece of the gateway's work every subgraph request needs; ` +
      `its client sends the context unsigned.`,
    rows,
    table: {
      columns: [
        'target',
        'RPS',
        'p50 ms',
        'p99 ms',
        ...GROUPS.map((group) => `CPU ms/req ${group}`),
        'requests',
        'errors',
      ],
      rows: rows.map((row) => [
        row.name,
        row.rps,
        row.p50Ms,
        row.p99Ms,
        ...GROUPS.map((group) => row.cpuMsPerRequest[group] ?? 0),
        row.requests,
        row.errors,
      ]),
    },
    ratios: ratioLines,
  };
}
