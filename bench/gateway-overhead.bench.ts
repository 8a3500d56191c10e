import { randomUUID } from 'node:crypto';
import { anonymousContext } from '../platform/context';
import { signedHeaders } from '../platform/testing/internal-requests';
import { startStack } from '../platform/testing/stack';
import { signUpMember } from '../platform/testing/members';
import { runLoad } from './lib/load';
import type { BenchReport } from './lib/report';

const ASSETS = 100;
const OWNERS = 20;

/**
 * What federation costs: a page of 100 assets with their owners' emails through the gateway
 * (assets subgraph, then one batched entity fetch to auth) against the same page straight
 * from the assets subgraph (owner ids only, since emails live in auth).
 */
export async function gatewayOverhead(options: {
  durationMs: number;
  concurrency: number;
}): Promise<BenchReport> {
  const stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    env: { LOG_LEVEL: 'info', DATABASE_POOL_MAX: '10' },
  });
  try {
    const tenantId = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'bench', 'Bench')`,
      [tenantId],
    );
    const viewer = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'VIEWER');
    const owners = Array.from({ length: OWNERS }, () => randomUUID());
    await stack.db.query(
      `INSERT INTO auth.users (id, email) SELECT id, 'owner-' || n || '@example.com' FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)`,
      [owners],
    );
    await stack.db.query(
      `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
       SELECT $1, 'file-' || n || '.txt', 'text/plain', n, ($2::uuid[])[1 + n % $3]
         FROM generate_series(1, $4) AS n`,
      [tenantId, owners, OWNERS, ASSETS],
    );

    const load = (url: string, query: string, headers: () => Record<string, string>) =>
      runLoad({
        url,
        body: JSON.stringify({ query }),
        headers,
        concurrency: options.concurrency,
        durationMs: options.durationMs,
        warmupMs: 1_000,
      });

    const viaGateway = await load(
      stack.gatewayUrl,
      `{ assets(first: ${ASSETS}) { nodes { name owner { email } } } }`,
      () => viewer.headers(tenantId),
    );
    const directQuery = `{ assets(first: ${ASSETS}) { nodes { name owner { id } } } }`;
    // Signed as the gateway signs each fetch: over this body, for assets' /graphql.
    const direct = await load(`${stack.url('assets')}/graphql`, directQuery, () =>
      signedHeaders(
        stack.keys,
        { to: 'assets', path: '/graphql', body: JSON.stringify({ query: directQuery }) },
        {
          as: 'gateway',
          context: {
            ...anonymousContext(randomUUID()),
            tenantId,
            principal: { kind: 'user', id: viewer.id },
            role: 'VIEWER',
          },
        },
      ),
    );

    return {
      title: 'Gateway overhead: 100 assets with owners',
      setup: `Closed loop, ${options.concurrency} concurrent clients, ${options.durationMs / 1000} s after a 1 s warm-up, on one machine (load generator included).`,
      rows: [
        { name: 'gateway → assets + auth (owner { email })', ...viaGateway },
        { name: 'assets subgraph directly (owner { id })', ...direct },
      ],
      ratios: [
        `gateway / direct RPS: ${(viaGateway.rps / direct.rps).toFixed(2)}`,
        `gateway / direct p99: ${(viaGateway.p99Ms / direct.p99Ms).toFixed(2)}`,
      ],
    };
  } finally {
    await stack.stop();
  }
}
