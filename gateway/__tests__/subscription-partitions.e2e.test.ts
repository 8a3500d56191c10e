import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { anonymousContext, runWithContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import { appendEvent } from '../../platform/events/append-event';
import { EventType } from '../../platform/events/event-types';
import { connectAs } from '../../testing/database';
import { eventually } from '../../testing/eventually';
import { signUpMember } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import { connectWs, waitFor, type WsClient } from '../../testing/ws-client';

// Resuming `events(afterSeq:)` when the tenant's journal spans two month partitions: the real
// gateway, jobs and the worker's relay; the owner moves the first events into last month's
// partition (an UPDATE of occurred_at moves rows between partitions).

let stack: TestStack;
let tenancy: DataSource;
const clients: WsClient[] = [];

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'], worker: true });
  tenancy = await connectAs(stack.db, 'tenancy', { poolMax: 2, name: 'subscription-partitions' });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await tenancy?.destroy();
  await stack?.stop();
});

describe('a subscription across a partition boundary', () => {
  it('resumes from a seq in the previous month with no gap and no duplicate', async () => {
    const resumeTenant = randomUUID();
    await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'res', 'R')`, [
      resumeTenant,
    ]);
    const member = await signUpMember(stack.gatewayUrl, stack.db, resumeTenant, 'OWNER');
    for (let n = 0; n < 6; n += 1) {
      await runWithContext({ ...anonymousContext(randomUUID()), tenantId: resumeTenant }, () =>
        tenantScope(tenancy, resumeTenant).run((manager) =>
          appendEvent(manager, {
            type: EventType.TENANT_UPDATED,
            payload: { n },
            actor: { kind: 'system', id: null },
          }),
        ),
      );
    }
    // The first three move into last month's partition.
    await stack.db.query(`SELECT events.create_journal_partitions(now() - interval '1 month', 1)`);
    await stack.db.query(
      `UPDATE events.events SET occurred_at = date_trunc('month', now()) - interval '1 hour'
        WHERE tenant_id = $1 AND seq <= 3`,
      [resumeTenant],
    );
    const parts = await stack.db.query<{ seq: string; part: string }>(
      `SELECT e.seq::text AS seq, e.tableoid::regclass::text AS part FROM events.events e
        WHERE e.tenant_id = $1 ORDER BY e.seq`,
      [resumeTenant],
    );
    expect(new Set(parts.map((row) => row.part)).size).toBe(2);
    expect(parts[2]!.part).not.toBe(parts[3]!.part);
    await eventually(async () => {
      const [row] = await stack.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events.events WHERE tenant_id = $1 AND published_at IS NULL`,
        [resumeTenant],
      );
      return row!.n === 0;
    });

    const client = connectWs(stack.gatewayUrl, {
      authorization: `Bearer ${member.accessToken}`,
      tenantId: resumeTenant,
    });
    clients.push(client);
    const received = client.subscribe<{ events: { seq: string } }>(
      'subscription ($after: String) { events(afterSeq: $after) { seq } }',
      { after: '1' },
    );
    await waitFor(() => received.results.length >= 5);
    await runWithContext({ ...anonymousContext(randomUUID()), tenantId: resumeTenant }, () =>
      tenantScope(tenancy, resumeTenant).run((manager) =>
        appendEvent(manager, {
          type: EventType.TENANT_UPDATED,
          payload: { n: 6 },
          actor: { kind: 'system', id: null },
        }),
      ),
    );
    await waitFor(() => received.results.length >= 6);
    expect(received.results.map((result) => Number(result.events.seq))).toEqual([2, 3, 4, 5, 6, 7]);
    received.unsubscribe();
  });
});
