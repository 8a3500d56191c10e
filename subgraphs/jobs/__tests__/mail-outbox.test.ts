import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption } from '../../../platform/config/encryption';
import { parseConfig } from '../../../platform/config/load';
import { mail as mailShape } from '../../../platform/config/mail';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { createDurableMailer } from '../../../platform/mail/durable-mailer';
import { createSmtpMailer } from '../../../platform/mail/smtp-mailer';
import { type MailMessage } from '../../../platform/mail/mailer';
import { JobName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { eventually } from '../../../testing/eventually';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startSmtpReceiver, type SmtpReceiver } from '../../../testing/smtp-receiver';
import { mailMetrics } from '../worker/mail/mail-metrics';
import { drainMail, sendMail, type MailJobDeps } from '../worker/mail/mail-send.processor';

// The durable mail outbox, for real: auth's role writes a mail in its transaction (or not at
// all when that rolls back), encrypted; the worker's role drains it through a BullMQ queue to
// a local SMTP server, marks it sent with its body blanked, never sends it twice, and gives a
// mail up (dead, blanked) once the relay has refused every attempt.
// (The relay's outage with the real processes: chaos/__tests__/smtp-outage.chaos.test.ts.)

let db: TestDatabase;
let auth: DataSource;
let worker: DataSource;
let smtp: SmtpReceiver;
let redis: Redis;
let queue: Queue;
let bullWorker: Worker;
let workerConnection: Redis;
const prefix = testRedisPrefix();
const registry = new Registry();
const metrics = mailMetrics(registry);
const keyRing = KeyRing.fromConfig(
  parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
);
let deps: MailJobDeps;

const message = (overrides: Partial<MailMessage> = {}): MailMessage => ({
  to: `ada-${randomUUID().slice(0, 8)}@example.test`,
  subject: 'Reset your Tessera password',
  text: `Open https://tessera.local/reset-password?token=${randomUUID()} to reset.`,
  kind: 'auth.password_reset',
  ...overrides,
});

interface Row {
  id: string;
  status: string;
  attempts: number;
  body_ciphertext: string | null;
  last_error: string | null;
}
const rowOf = async (recipient: string) =>
  (
    await db.query<Row & Record<string, unknown>>(
      `SELECT id, status, attempts, body_ciphertext, last_error FROM mail.deliveries
        WHERE recipient = $1`,
      [recipient],
    )
  )[0];

beforeAll(async () => {
  db = await createTestDatabase();
  auth = await connectAs(db, 'auth');
  worker = await connectAs(db, 'worker');
  smtp = await startSmtpReceiver();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const connection = { connection: redis, prefix: queuePrefix(prefix) };
  queue = new Queue('mail', connection);
  const config = parseConfig(mailShape, {
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: smtp.url,
    SMTP_CONNECTION_TIMEOUT_MS: '1000',
    SMTP_GREETING_TIMEOUT_MS: '1000',
  });
  deps = {
    dataSource: worker,
    keyRing,
    mailer: createSmtpMailer({ ...config, SMTP_URL: smtp.url }),
    metrics,
    logger: pino({ level: 'silent' }),
    attempts: 3,
    backoffMs: 10,
  };
  workerConnection = redis.duplicate();
  bullWorker = new Worker(
    'mail',
    (job: Job) => (job.name === JobName.DRAIN_MAIL ? drainMail(queue, deps) : sendMail(job, deps)),
    { ...connection, connection: workerConnection },
  );
});

afterAll(async () => {
  await bullWorker?.close();
  await queue?.close();
  workerConnection?.disconnect();
  redis?.disconnect();
  await smtp?.close();
  await auth?.destroy();
  await worker?.destroy();
  await cleanupRedisPrefix(prefix);
  await db?.drop();
});

const drain = async () => {
  const job = await queue.add(JobName.DRAIN_MAIL, {});
  return eventually(async () => (await job.isCompleted()) || null);
};

it('keeps a mail only when the transaction that writes it commits, with its body encrypted', async () => {
  const mailer = createDurableMailer(auth, keyRing);
  const kept = message();
  const dropped = message();
  await auth.transaction((manager) => mailer.send(kept, manager));
  await expect(
    auth.transaction(async (manager) => {
      await mailer.send(dropped, manager);
      throw new Error('the action failed after its mail was written');
    }),
  ).rejects.toThrow('the action failed');

  expect(await rowOf(dropped.to)).toBeUndefined();
  const row = (await rowOf(kept.to))!;
  expect(row.status).toBe('pending');
  expect(row.body_ciphertext).not.toContain('token=');
  expect(JSON.parse(keyRing.decrypt(row.body_ciphertext!, row.id))).toEqual({ text: kept.text });
  // Another row's id does not open it: an envelope cannot be moved between mails.
  expect(() => keyRing.decrypt(row.body_ciphertext!, randomUUID())).toThrow();
  // Auth may write mails, never read them back (reset links among them).
  await expect(auth.query(`SELECT * FROM mail.deliveries`)).rejects.toThrow(/permission denied/);
});

it('refuses a malformed mail before anything is written', async () => {
  const mailer = createDurableMailer(auth, keyRing);
  const bad = message({ to: 'a@b.test\r\nBcc: x@evil.test' });
  await expect(mailer.send(bad)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  await expect(mailer.send(message({ text: 'x'.repeat(300 * 1024) }))).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
  });
});

it('sends a pending mail once, blanks its body, and never sends it again', async () => {
  const sent = message();
  await createDurableMailer(auth, keyRing).send(sent);
  await drain();
  const [received] = await smtp.waitFor((mail) => mail.to.includes(sent.to), 1);
  expect(received!.kind).toBe('auth.password_reset');
  const row = await eventually(async () => {
    const found = await rowOf(sent.to);
    return found?.status === 'sent' ? found : null;
  });
  expect(row).toMatchObject({ body_ciphertext: null, attempts: 1, last_error: null });

  // A second job for the same mail (a drain that ran twice) finds nothing to send.
  const again = await queue.add(JobName.SEND_MAIL, { deliveryId: row.id });
  expect(await eventually(async () => (await again.isCompleted()) && again.id)).toBeTruthy();
  expect((await queue.getJob(again.id!))?.returnvalue).toEqual({ sent: false });
  await drain();
  expect(smtp.received.filter((mail) => mail.to.includes(sent.to))).toHaveLength(1);
});

it('retries while the relay is down and gives the mail up, blanked, after the last attempt', async () => {
  const lost = message();
  await createDurableMailer(auth, keyRing).send(lost);
  await smtp.stop();
  try {
    await drain();
    const row = await eventually(async () => {
      const found = await rowOf(lost.to);
      return found?.status === 'dead' ? found : null;
    });
    expect(row).toMatchObject({ attempts: 3, body_ciphertext: null });
    expect(row.last_error).toMatch(/SMTP delivery of a auth.password_reset mail failed/);
    const job = await queue.getJob(`mail-${row.id}`);
    expect(await job?.isFailed()).toBe(true);
    const failed = await metrics.failed.get();
    const count = (outcome: string) =>
      failed.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
    expect([count('retry'), count('dead')]).toEqual([2, 1]);
  } finally {
    await smtp.start();
  }
});

it('gives up at once on malformed job data or a body that does not decrypt', async () => {
  const malformed = await queue.add(JobName.SEND_MAIL, { deliveryId: 'not-a-uuid' });
  await eventually(async () => (await malformed.isFailed()) || null);

  const tampered = message();
  await createDurableMailer(auth, keyRing).send(tampered);
  const { id } = (await rowOf(tampered.to))!;
  await db.query(`UPDATE mail.deliveries SET body_ciphertext = $2 WHERE id = $1`, [
    id,
    keyRing.encrypt('{"text":"moved"}', randomUUID()),
  ]);
  const job = await queue.add(JobName.SEND_MAIL, { deliveryId: id }, { attempts: 3 });
  await eventually(async () => (await job.isFailed()) || null);
  expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
  expect(await rowOf(tampered.to)).toMatchObject({ status: 'dead', body_ciphertext: null });
  expect(smtp.received.filter((mail) => mail.to.includes(tampered.to))).toEqual([]);
});
