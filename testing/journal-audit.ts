/** Anything that runs SQL as the owner: a TestDatabase. */
interface Queryable {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

interface ScopeRow extends Record<string, unknown> {
  tenant_id: string;
  events: string;
  distinct_seqs: string;
  distinct_ids: string;
  first_seq: string | null;
  last_seq: string | null;
  counter: string | null;
}

/**
 * What must hold of the journal after concurrent writes to `tenantIds`: each tenant's seq runs
 * 1, 2, … with no gap and no repeat, its counter stands at the last one, and every event type
 * of `expected` was journaled exactly as many times as writes of it succeeded (the journal
 * lost none and doubled none). Answers the problems found, empty when there are none.
 */
export async function auditJournal(
  db: Queryable,
  tenantIds: readonly string[],
  expected: Readonly<Record<string, number>>,
): Promise<string[]> {
  const problems: string[] = [];
  const scopes = await db.query<ScopeRow>(
    `SELECT t.id AS tenant_id, count(e.seq)::text AS events,
            count(DISTINCT e.seq)::text AS distinct_seqs, count(DISTINCT e.id)::text AS distinct_ids,
            min(e.seq)::text AS first_seq, max(e.seq)::text AS last_seq,
            (SELECT s.last_seq::text FROM events.sequences s WHERE s.scope = t.id) AS counter
       FROM unnest($1::uuid[]) AS t(id)
       LEFT JOIN events.events e ON e.tenant_id = t.id
      GROUP BY t.id`,
    [tenantIds],
  );
  for (const scope of scopes) {
    const events = Number(scope.events);
    if (events === 0) continue;
    const label = `tenant ${scope.tenant_id}`;
    if (Number(scope.distinct_seqs) !== events) problems.push(`${label}: a seq is repeated`);
    if (Number(scope.distinct_ids) !== events) problems.push(`${label}: an event id is repeated`);
    if (scope.first_seq !== '1' || Number(scope.last_seq) !== events) {
      problems.push(`${label}: ${events} events hold seqs ${scope.first_seq}..${scope.last_seq}`);
    }
    if (scope.counter !== scope.last_seq) {
      problems.push(`${label}: counter at ${scope.counter}, last event at ${scope.last_seq}`);
    }
  }
  const counts = await db.query<{ type: string; events: string }>(
    `SELECT type, count(*)::text AS events FROM events.events
      WHERE tenant_id = ANY($1::uuid[]) AND type = ANY($2::text[]) GROUP BY type`,
    [tenantIds, Object.keys(expected)],
  );
  for (const [type, count] of Object.entries(expected)) {
    const journaled = Number(counts.find((row) => row.type === type)?.events ?? 0);
    if (journaled !== count)
      problems.push(`${type}: ${count} writes succeeded, ${journaled} journaled`);
  }
  return problems;
}
