import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { DataSource } from 'typeorm';
import { parseConfig } from '../config/load';
import { configProblems } from '../../testing/config-problems';
import {
  mail,
  requireExplicitMailTransportInProduction,
  requireSmtpUrlForSmtpTransport,
  type MailConfig,
} from '../config/mail';
import { environment } from '../config/service';
import { ValidationError } from '../errors/domain-errors';
import { createMailer } from '../mail/create-mailer';
import { createOutboxMailer } from '../mail/outbox-mailer';
import { createSmtpMailer, MailDeliveryError } from '../mail/smtp-mailer';
import { MAIL_LIMITS, type ClosableMailer, type MailMessage } from '../mail/mailer';
import { connectAs, createTestDatabase, type TestDatabase } from '../../testing/database';
import { readOutbox } from '../../testing/outbox';

// Both transports for real: rows in mail.outbox written as auth's role, and SMTP to an
// in-process server on a free port. Bad input is refused before any transport sees it.

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let db: TestDatabase;
let app: DataSource;
let smtp: SMTPServer;
let smtpPort: number;
let connections = 0;
const received: Received[] = [];
const closers: (() => Promise<void>)[] = [];

const message = (overrides: Partial<MailMessage> = {}): MailMessage => ({
  to: 'ada@example.test',
  subject: 'Verify your email',
  text: 'Open https://tessera.local/verify?token=abc to verify.',
  kind: 'auth.verify_email',
  ...overrides,
});

function mailConfig(env: Record<string, string>): MailConfig {
  return parseConfig(mail, env, [requireSmtpUrlForSmtpTransport]);
}

function smtpMailer(url: string, timeoutMs = 10_000): ClosableMailer {
  const mailer = createSmtpMailer({
    ...mailConfig({
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: url,
      SMTP_CONNECTION_TIMEOUT_MS: String(timeoutMs),
      SMTP_GREETING_TIMEOUT_MS: String(timeoutMs),
      SMTP_SOCKET_TIMEOUT_MS: String(timeoutMs),
    }),
    SMTP_URL: url,
  });
  closers.push(() => mailer.close());
  return mailer;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'auth', { poolMax: 2, name: 'mailer-test' });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((address) => address.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  smtpPort = await listen(smtp.server);
});

afterAll(async () => {
  for (const close of closers) await close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await app?.destroy();
  await db?.drop();
});

describe('outbox mailer', () => {
  it('writes each message as a row the test helper reads back, newest first', async () => {
    const mailer = createOutboxMailer(app);
    await mailer.send(message({ to: 'outbox@example.test', subject: 'First' }));
    await mailer.send(
      message({
        to: 'outbox@example.test',
        subject: 'Second',
        html: '<p>Second</p>',
        kind: 'auth.reset_password',
      }),
    );
    await mailer.send(message({ to: 'someone-else@example.test' }));

    const mails = await readOutbox(db, 'outbox@example.test');
    expect(mails.map((row) => row.subject)).toEqual(['Second', 'First']);
    expect(mails[0]).toMatchObject({
      kind: 'auth.reset_password',
      recipient: 'outbox@example.test',
      text: message().text,
      html: '<p>Second</p>',
    });
    expect(mails[1]?.html).toBeNull();
    expect(mails[0]?.createdAt).toBeInstanceOf(Date);
    expect(await readOutbox(db, 'outbox@example.test', 'auth.verify_email')).toHaveLength(1);
  });

  it('is what the default config selects', async () => {
    const mailer = createMailer(mailConfig({}), app);
    await mailer.send(message({ to: 'default@example.test' }));
    expect(await readOutbox(db, 'default@example.test')).toHaveLength(1);
  });
});

describe('smtp mailer', () => {
  it('delivers to the SMTP server with the right envelope, headers and body', async () => {
    const mailer = smtpMailer(`smtp://127.0.0.1:${smtpPort}`);
    await mailer.send(message({ to: 'grace@example.test', html: '<p>Verify</p>' }));

    const mail = received.find((entry) => entry.to.includes('grace@example.test'));
    expect(mail).toBeDefined();
    expect(mail!.to).toEqual(['grace@example.test']);
    expect(mail!.from).toBe('no-reply@tessera.local');
    expect(mail!.raw).toMatch(/^To: grace@example\.test\r$/m);
    expect(mail!.raw).toMatch(/^Subject: Verify your email\r$/m);
    expect(mail!.raw).toMatch(/^From: Tessera <no-reply@tessera\.local>\r$/m);
    expect(mail!.raw).toMatch(/^X-Tessera-Mail-Kind: auth\.verify_email\r$/m);
    expect(mail!.raw).toContain(message().text);
    expect(mail!.raw).toContain('<p>Verify</p>');
  });

  it('is what MAIL_TRANSPORT=smtp selects', async () => {
    const mailer = createMailer(
      mailConfig({ MAIL_TRANSPORT: 'smtp', SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }),
      app,
    );
    closers.push(() => mailer.close());
    await mailer.send(message({ to: 'selected@example.test' }));
    expect(received.some((entry) => entry.to.includes('selected@example.test'))).toBe(true);
    expect(await readOutbox(db, 'selected@example.test')).toEqual([]);
  });

  it('rejects with a clear error when nothing listens on the port', async () => {
    const probe = createServer();
    const closedPort = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));

    const sending = smtpMailer(`smtp://127.0.0.1:${closedPort}`, 1_000).send(message());
    await expect(sending).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(sending).rejects.toThrow(/auth\.verify_email mail failed.*ECONNREFUSED/s);
  }, 15_000);

  it('rejects within the greeting timeout when the server accepts but never speaks', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    const silentPort = await listen(silent);
    try {
      const sending = smtpMailer(`smtp://127.0.0.1:${silentPort}`, 300).send(message());
      await expect(sending).rejects.toBeInstanceOf(MailDeliveryError);
      await expect(sending).rejects.toThrow(/ETIMEDOUT|[Gg]reeting/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);
});

describe('message validation', () => {
  const cases: [string, Partial<MailMessage>][] = [
    ['a CR/LF in the subject', { subject: 'Hello\r\nBcc: victim@example.test' }],
    ['a bare LF in the subject', { subject: 'Hello\nBcc: victim@example.test' }],
    ['a CR/LF in the recipient', { to: 'ada@example.test\r\nBcc: victim@example.test' }],
    ['two recipients', { to: 'ada@example.test, victim@example.test' }],
    ['a display name as recipient', { to: 'Ada <ada@example.test>' }],
    ['a recipient without a domain', { to: 'ada@localhost' }],
    ['an empty subject', { subject: '   ' }],
    ['an oversized subject', { subject: 'x'.repeat(MAIL_LIMITS.subjectChars + 1) }],
    ['an oversized text body', { text: 'x'.repeat(MAIL_LIMITS.bodyBytes + 1) }],
    ['an oversized HTML body', { html: 'x'.repeat(MAIL_LIMITS.bodyBytes + 1) }],
    ['an empty text body', { text: '' }],
    ['a malformed kind', { kind: 'Verify Email' }],
  ];

  it.each(cases)('refuses %s before anything is sent over SMTP', async (_name, overrides) => {
    const before = { connections, received: received.length };
    const mailer = smtpMailer(`smtp://127.0.0.1:${smtpPort}`);
    await expect(mailer.send(message(overrides))).rejects.toBeInstanceOf(ValidationError);
    expect({ connections, received: received.length }).toEqual(before);
  });

  it.each(cases)(
    'refuses %s before anything is written to the outbox',
    async (_name, overrides) => {
      const to = 'validation@example.test';
      const bad = message({ to, ...overrides });
      await expect(createOutboxMailer(app).send(bad)).rejects.toBeInstanceOf(ValidationError);
      expect(await readOutbox(db, to)).toEqual([]);
    },
  );
});

describe('mail config', () => {
  const shape = { ...environment, ...mail };
  const rules = [requireSmtpUrlForSmtpTransport, requireExplicitMailTransportInProduction];
  const problems = (env: Record<string, string>) => configProblems(shape, env, rules);

  it('defaults to the outbox and the Tessera sender locally', () => {
    const config = parseConfig(shape, {}, rules);
    expect(config.MAIL_TRANSPORT).toBeUndefined();
    expect(config.MAIL_FROM).toBe('Tessera <no-reply@tessera.local>');
  });

  it('requires SMTP_URL for the smtp transport', () => {
    expect(problems({ MAIL_TRANSPORT: 'smtp' })).toEqual([
      'config error: SMTP_URL: is required when MAIL_TRANSPORT=smtp',
    ]);
  });

  it('requires an explicit transport in production, and accepts an explicit outbox', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'config error: MAIL_TRANSPORT: must be set explicitly (outbox or smtp) when NODE_ENV=production',
    ]);
    expect(problems({ NODE_ENV: 'production', MAIL_TRANSPORT: 'outbox' })).toEqual([]);
  });

  it('refuses a non-SMTP URL, an unknown transport and a From header with a newline, without echoing the password', () => {
    const lines = problems({
      MAIL_TRANSPORT: 'carrier-pigeon',
      SMTP_URL: 'http://mailer:hunter2@smtp.example.test',
      MAIL_FROM: 'Tessera <a@b.test>\nBcc: victim@example.test',
    });
    expect(lines.map((line) => line.split(':')[1]?.trim())).toEqual([
      'MAIL_TRANSPORT',
      'SMTP_URL',
      'MAIL_FROM',
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
  });
});
