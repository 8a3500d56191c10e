import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { createMigrationDataSource } from '../../../platform/db/migrations';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import { HoldOAuthLinksJoinedByEmail1765002000000 } from '../migrations/1765002000000-hold-oauth-links-joined-by-email';

// The migration that holds OAuth links the old email match may have made, run against rows
// shaped like each way a link came to be. The database is a migrated clone; the migration is
// taken down and up again around the arranged rows.

const migration = new HoldOAuthLinksJoinedByEmail1765002000000();
const tenantId = randomUUID();
let db: TestDatabase;
let dataSource: DataSource;
let runner: QueryRunner;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await createMigrationDataSource(db.ownerUrl, []).initialize();
  runner = dataSource.createQueryRunner();
  await migration.down(runner);
});

afterAll(async () => {
  await runner?.release();
  await dataSource?.destroy();
  await db?.drop();
});

/** A user created `ago` ago, with a live session opened `sessionAgo` ago. */
async function user(email: string, ago: string, sessionAgo: string) {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO auth.users (email, created_at) VALUES ($1, now() - $2::interval) RETURNING id`,
    [email, ago],
  );
  await db.query(
    `INSERT INTO auth.sessions (user_id, created_at, last_seen_at, expires_at)
     VALUES ($1, now() - $2::interval, now(), now() + interval '1 day')`,
    [row!.id, sessionAgo],
  );
  return row!.id;
}

async function link(
  userId: string,
  email: string,
  /** an interval, or 'with the account' */ linkedAgo: string,
) {
  await db.query(
    `INSERT INTO auth.oauth_links (tenant_id, user_id, provider, provider_user_id, email, linked_at)
     SELECT $1, id, 'idp', $2, $3,
            CASE WHEN $4 = 'with the account' THEN created_at ELSE now() - $4::interval END
       FROM auth.users WHERE id = $5`,
    [tenantId, randomUUID(), email, linkedAgo, userId],
  );
}

it('holds the links the email match could have made and ends the sessions opened since', async () => {
  const signedUpThroughOAuth = await user('a@example.com', '10 days', '1 day');
  await link(signedUpThroughOAuth, 'a@example.com', 'with the account');
  const linkedAnotherAddress = await user('b@example.com', '10 days', '1 day');
  await link(linkedAnotherAddress, 'b-elsewhere@example.com', '5 days');
  const joinedByEmail = await user('c@example.com', '10 days', '1 day');
  await link(joinedByEmail, 'c@example.com', '5 days');
  const joinedAfterSession = await user('d@example.com', '10 days', '6 days');
  await link(joinedAfterSession, 'd@example.com', '5 days');

  await migration.up(runner);

  const links = await db.query<{ user_id: string; held: boolean }>(
    `SELECT user_id, held FROM auth.oauth_links`,
  );
  const held = (id: string) => links.find((row) => row.user_id === id)?.held;
  expect(held(signedUpThroughOAuth)).toBe(false);
  expect(held(linkedAnotherAddress)).toBe(false);
  expect(held(joinedByEmail)).toBe(true);
  expect(held(joinedAfterSession)).toBe(true);

  const sessions = await db.query<{ user_id: string; revoked_reason: string | null }>(
    `SELECT user_id, revoked_reason FROM auth.sessions`,
  );
  const ended = (id: string) => sessions.find((row) => row.user_id === id)?.revoked_reason;
  expect(ended(signedUpThroughOAuth)).toBeNull();
  expect(ended(linkedAnotherAddress)).toBeNull();
  // The session opened after the held link could be the takeover's.
  expect(ended(joinedByEmail)).toBe('admin');
  // One opened before the link existed cannot be.
  expect(ended(joinedAfterSession)).toBeNull();

  await migration.down(runner);
  expect(await db.query(`SELECT count(*)::int AS n FROM auth.oauth_links`)).toEqual([{ n: 4 }]);
});
