import { startChaosStack } from '../../testing/chaos/fixtures';
import { reportScenario } from '../../testing/chaos/report';
import { stopStragglers } from '../../testing/chaos/stragglers';
import { eventually } from '../../testing/eventually';
import { metricValue, postGraphQL, scrape } from '../../testing/graphql-client';
import { signUpUser, type TestUser } from '../../testing/members';
import { startSmtpReceiver, type SmtpReceiver } from '../../testing/smtp-receiver';
import type { TestStack } from '../../testing/stack';

// The SMTP relay is gone while people sign up and ask for password resets. Each mail must be
// kept in the durable outbox (written with the sign-up or the reset token), encrypted, tried
// and retried by the worker while the relay is away, and sent exactly once when it is back:
// nothing lost, nothing twice. The outage lasts until every mail has been retried (an
// acknowledgement from the outbox, not a fixed time).

const USERS = 6;
const MAILS = USERS * 2;

let smtp: SmtpReceiver;
let stack: TestStack;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  stack = await startChaosStack({
    env: {
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      SMTP_CONNECTION_TIMEOUT_MS: '1000',
      SMTP_GREETING_TIMEOUT_MS: '1000',
      MAIL_DRAIN_INTERVAL_MS: '200',
      MAIL_SEND_BACKOFF_MS: '200',
      MAIL_SEND_ATTEMPTS: '30',
    },
  });
}, 120_000);

afterAll(async () => {
  await stopStragglers();
  await stack?.stop();
  await smtp?.close();
});

type OutboxRow = {
  recipient: string;
  kind: string;
  status: string;
  attempts: number;
  body: string | null;
};

const outbox = () =>
  stack.db.query<OutboxRow>(
    `SELECT recipient, kind, status, attempts, body_ciphertext AS body FROM mail.deliveries`,
  );

it('keeps every mail through an SMTP outage and sends each exactly once when the relay is back', async () => {
  await smtp.stop();
  const users: TestUser[] = [];
  for (let i = 0; i < USERS; i += 1) users.push(await signUpUser(stack.gatewayUrl, 'smtp-chaos'));
  for (const user of users) {
    const reset = await postGraphQL<{ requestPasswordReset: boolean }>(stack.gatewayUrl, {
      query: 'mutation ($email: String!) { requestPasswordReset(email: $email) }',
      variables: { email: user.email },
    });
    expect(reset.body.data?.requestPasswordReset).toBe(true);
  }

  // Queued and retried: every mail is in the outbox, each tried at least twice, none sent.
  const retried = await eventually(async () => {
    const rows = await outbox();
    return rows.length === MAILS && rows.every((row) => row.attempts >= 2) ? rows : null;
  }, 60_000);
  expect(retried.every((row) => row.status === 'pending')).toBe(true);
  // The bodies wait encrypted: no verification or reset link is readable in the table.
  for (const row of retried) expect(row.body).not.toMatch(/token=|reset-password|verify-email/);
  expect(smtp.received).toEqual([]);

  const restartedAt = Date.now();
  await smtp.start();
  const mine = (mail: { to: string[] }) => users.some((user) => mail.to.includes(user.email));
  await smtp.waitFor(mine, MAILS, 60_000);
  const recoveryMs = Date.now() - restartedAt;

  // Sent for good: every row is marked, its body blanked; the worker counted each once.
  const sent = await eventually(async () => {
    const rows = await outbox();
    return rows.every((row) => row.status === 'sent') ? rows : null;
  });
  expect(sent.every((row) => row.body === null)).toBe(true);
  const metrics = await scrape(stack.url('worker'));
  expect(metricValue(metrics, 'tessera_mail_sent_total')).toBe(MAILS);

  const received = smtp.received.filter(mine);
  const distinct = new Set(received.map((mail) => `${mail.to.join(',')} ${mail.kind}`));
  for (const user of users) {
    const kinds = received.filter((mail) => mail.to.includes(user.email)).map((m) => m.kind);
    expect(kinds.sort()).toEqual(['auth.password_reset', 'auth.verify_email']);
  }
  const attempts = retried.reduce((sum, row) => sum + row.attempts, 0);
  reportScenario({
    scenario: 'smtp-outage',
    eventsWritten: MAILS,
    eventsReceived: distinct.size,
    deliveries: received.length,
    duplicates: received.length - distinct.size,
    lost: MAILS - distinct.size,
    recoveryMs,
    notes: `mails ${MAILS}, failed attempts during the outage ${attempts}`,
  });
  expect(received).toHaveLength(MAILS);
});
