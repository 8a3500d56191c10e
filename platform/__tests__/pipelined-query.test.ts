import { Client } from 'pg';
import { sendPipeline } from '../db/pipelined-query';
import { createTestDatabase, type TestDatabase } from '../../testing/database';

// The pipeline on a real PostgreSQL connection: what comes back, and what a failure leaves.

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.ownerUrl });
  await client.connect();
  await client.query(`CREATE TEMP TABLE pipelined (n integer NOT NULL)`);
});

afterAll(async () => {
  await client.end();
  await db.drop();
});

beforeEach(() => client.query(`TRUNCATE pipelined`));

const count = async () =>
  (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pipelined`)).rows[0]!.n;

describe('a pipeline of statements', () => {
  it('answers each statement in order, in one round trip', async () => {
    const sent = jest.spyOn(client, 'query');
    const results = await sendPipeline(client, [
      { text: `INSERT INTO pipelined VALUES ($1), ($2)`, values: [1, 2] },
      { text: `SELECT $1::text AS word, $2::jsonb AS doc`, values: ['two', { a: [1] }] },
      { text: `SELECT n FROM pipelined ORDER BY n` },
    ]);
    expect(sent).toHaveBeenCalledTimes(1);
    sent.mockRestore();
    expect(results.map((result) => result.command)).toEqual(['INSERT', 'SELECT', 'SELECT']);
    expect(results[0]!.rowCount).toBe(2);
    expect(results[1]!.rows).toEqual([{ word: 'two', doc: { a: [1] } }]);
    expect(results[2]!.rows).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('converts values as pg does: dates, buffers, NULL', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const [result] = await sendPipeline(client, [
      {
        text: `SELECT $1::timestamptz AS at, $2::bytea AS bytes, $3::text IS NULL AS missing`,
        values: [at, Buffer.from([0, 255]), null],
      },
    ]);
    expect(result!.rows).toEqual([{ at, bytes: Buffer.from([0, 255]), missing: true }]);
  });

  it('runs as one transaction: a failure undoes the statements before it, and skips the rest', async () => {
    await expect(
      sendPipeline(client, [
        { text: `INSERT INTO pipelined VALUES ($1)`, values: [1] },
        { text: `SELECT $1::int`, values: ['not a number'] },
        { text: `INSERT INTO pipelined VALUES ($1)`, values: [2] },
      ]),
    ).rejects.toThrow(/invalid input syntax for type integer/);
    expect(await count()).toBe(0);
    // The connection is ready for the next query.
    expect((await client.query(`SELECT 1 AS ok`)).rows).toEqual([{ ok: 1 }]);
  });

  it('leaves a block it opens open, for the statements after it', async () => {
    await sendPipeline(client, [
      { text: 'START TRANSACTION' },
      { text: `INSERT INTO pipelined VALUES ($1)`, values: [1] },
    ]);
    await client.query('ROLLBACK');
    expect(await count()).toBe(0);
  });

  it('sends nothing when a value cannot be converted', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      sendPipeline(client, [
        { text: `INSERT INTO pipelined VALUES ($1)`, values: [1] },
        { text: `SELECT $1::jsonb`, values: [circular] },
      ]),
    ).rejects.toThrow(/circular/i);
    expect(await count()).toBe(0);
  });

  it('refuses an empty pipeline', async () => {
    await expect(sendPipeline(client, [])).rejects.toThrow('at least one statement');
  });
});
