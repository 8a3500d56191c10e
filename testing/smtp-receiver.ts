import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the receiver accepted. */
export interface ReceivedMail {
  to: string[];
  raw: string;
  /** The X-Tessera-Mail-Kind header the SMTP mailer sets. */
  kind: string | null;
}

export interface SmtpReceiver {
  /** `smtp://127.0.0.1:<port>`: the same while stopped and after a restart. */
  url: string;
  received: ReceivedMail[];
  /** Connections refused from now on, as when the server is gone (open ones are cut). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Resolves once `count` messages went to `address` (rejects after `timeoutMs`). */
  waitFor(
    predicate: (mail: ReceivedMail) => boolean,
    count: number,
    timeoutMs?: number,
  ): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * A local SMTP server (the smtp-server package, plain SMTP without TLS or auth) that records
 * what it accepts, and can go away and come back on the same port: a mail relay's outage.
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let port = 0;
  let server: SMTPServer | null = null;

  const listen = async () => {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // A stop cuts open (pooled) connections at once instead of waiting for them to end.
      closeTimeout: 10,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          received.push({
            to: session.envelope.rcptTo.map((address) => address.address),
            raw,
            kind: /^X-Tessera-Mail-Kind: (.+)$/im.exec(raw)?.[1]?.trim() ?? null,
          });
          for (const wake of waiters) wake();
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      smtp.server.once('error', reject);
      smtp.server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (smtp.server.address() as AddressInfo).port;
    server = smtp;
  };
  const stop = async () => {
    const smtp = server;
    server = null;
    if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  };
  await listen();

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    stop,
    start: listen,
    waitFor: (predicate, count, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const matching = () => received.filter(predicate);
        const check = () => {
          if (matching().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matching());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`got ${matching().length} of ${count} mails in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: stop,
  };
}
