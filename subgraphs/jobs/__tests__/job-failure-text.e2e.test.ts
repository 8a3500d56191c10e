import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  alertDispatchJobOptions,
  type AlertDispatchJob,
} from '../../../platform/contracts/observability/alert-dispatch-job';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { spawnService } from '../../../scripts/lib/service-process';
import { dataOf, postGraphQL } from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';
import { waitFor } from '../../../testing/ws-client';

// A mail transport's error text never reaches what tenants read. The gateway, auth, tenancy,
// jobs and the worker run as real processes; the worker mails through SMTP to a local server
// that speaks SMTP and refuses every message naming internal hosts, as a corporate relay does
// (no real relay runs here). The alert notification is enqueued as the observability process
// enqueues it.

const tenantId = randomUUID();
const INTERNAL = /corp\.internal|10\.20\.30\.40/;
let stack: TestStack;
let smtp: Server;
let redis: Redis;
let alerts: Queue;
let admin: TestUser;
let viewer: TestUser;
const workerLog: string[] = [];
const sockets = new Set<Socket>();

/** Greets, then refuses the sender with a reply naming the relay's internal host and address. */
function startRefusingSmtpServer(): Promise<Server> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 mx1.corp.internal ESMTP ready\r\n');
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const command = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (command.startsWith('EHLO') || command.startsWith('HELO')) {
          socket.write('250-mx1.corp.internal greets you\r\n250 8BITMIME\r\n');
        } else if (command.startsWith('MAIL FROM')) {
          socket.write('554 5.7.1 <relay.corp.internal[10.20.30.40]>: Relay access denied\r\n');
        } else if (command.startsWith('QUIT')) {
          socket.end('221 mx1.corp.internal bye\r\n');
        } else {
          socket.write('250 OK\r\n');
        }
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  smtp = await startRefusingSmtpServer();
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'] });
  // Only the worker mails through SMTP (auth and tenancy keep the outbox of tests).
  const worker = await spawnService('worker', {
    env: {
      ...stack.envOf('worker'),
      MAIL_TRANSPORT: 'smtp',
      // The operators' own address: the worker mails it without asking who it belongs to.
      ALERT_EMAIL_ALLOWED_RECIPIENTS: 'ops@example.com',
      SMTP_URL: `smtp://127.0.0.1:${(smtp.address() as AddressInfo).port}`,
    },
    onLine: (line) => workerLog.push(line),
  });
  stack.processes.set('worker', worker);
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'mail', 'Mail')`, [
    tenantId,
  ]);
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
  viewer = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'VIEWER');
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  alerts = new Queue(QueueName.ALERTS, {
    connection: redis,
    prefix: queuePrefix(stack.redisPrefix),
  });
}, 120_000);

afterAll(async () => {
  await alerts?.close();
  redis?.disconnect();
  await stack?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => smtp?.close(resolve));
});

async function ok<T>(query: string, headers: Record<string, string>): Promise<T> {
  return dataOf(await postGraphQL<T>(stack.gatewayUrl, { query }, headers));
}

it('shows tenants MAIL_TRANSPORT_FAILED for a mail the relay refused, never its host names', async () => {
  const notification: AlertDispatchJob = {
    notificationId: randomUUID(),
    tenantId,
    requestId: `req-${randomUUID()}`,
    actor: { kind: 'system', id: null },
    alertId: randomUUID(),
    ruleId: randomUUID(),
    ruleName: 'queue backlog',
    severity: 'WARNING',
    transition: 'fired',
    eventId: randomUUID(),
    channel: 'email:ops@example.com',
    message: 'queue backlog above 100',
    metric: 'tessera_queue_jobs',
    value: 120,
    firedAt: new Date().toISOString(),
    resolvedAt: null,
  };
  await alerts.add(JobName.DISPATCH_ALERT, notification, {
    ...alertDispatchJobOptions(2, 10),
    jobId: notification.notificationId,
  });

  // What an ADMIN reads: the dead letter, its job, and the failed job in the listing.
  // The dead letter is committed before BullMQ marks the job failed: wait for both.
  let letters: { reason: string; job: { failedReason: string | null } }[] = [];
  let failed: { jobs: { nodes: { failedReason: string | null }[] } } = { jobs: { nodes: [] } };
  await waitFor(async () => {
    letters = (
      await ok<{ deadLetters: { nodes: typeof letters } }>(
        `{ deadLetters(queue: "alerts") { nodes { reason job { failedReason attemptsMade } } } }`,
        admin.headers(tenantId),
      )
    ).deadLetters.nodes;
    failed = await ok<typeof failed>(
      `{ jobs(queue: "alerts", state: FAILED) { nodes { failedReason } } }`,
      admin.headers(tenantId),
    );
    return Boolean(letters[0]?.job.failedReason) && failed.jobs.nodes.length > 0;
  }, 30_000);
  // What a VIEWER reads: the journal's dead-letter event.
  const journal = await ok<{ events: { nodes: { payload: { reason: string } }[] } }>(
    `{ events(types: ["jobs.job.dead_lettered"]) { nodes { payload } } }`,
    viewer.headers(tenantId),
  );

  const shown = [
    letters[0]!.reason,
    letters[0]!.job.failedReason,
    ...failed.jobs.nodes.map((job) => job.failedReason),
    ...journal.events.nodes.map((event) => event.payload.reason),
  ];
  expect(shown.length).toBeGreaterThanOrEqual(4);
  for (const reason of shown) {
    expect(reason).toMatch(/^MAIL_TRANSPORT_FAILED: /);
    expect(reason).not.toMatch(INTERNAL);
  }
  expect(JSON.stringify({ letters, failed, journal })).not.toMatch(INTERNAL);
  // The operator's log keeps the relay's answer.
  expect(workerLog.some((line) => INTERNAL.test(line) && line.includes(tenantId))).toBe(true);
});
