import type { SqlRunner } from './outbox-mailer';

export interface NewMailDelivery {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  /** `{ text, html }` as JSON, encrypted with the delivery's id as associated data. */
  bodyCiphertext: string;
}

export interface PendingMailDelivery {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  bodyCiphertext: string;
  attempts: number;
}

/** mail.deliveries: the durable outbox of transactional mail (see its migration). */
export class MailDeliveryRepository {
  constructor(private readonly db: SqlRunner) {}

  async insert(delivery: NewMailDelivery): Promise<void> {
    await this.db.query(
      `INSERT INTO mail.deliveries (id, kind, recipient, subject, body_ciphertext)
       VALUES ($1, $2, $3, $4, $5)`,
      [delivery.id, delivery.kind, delivery.recipient, delivery.subject, delivery.bodyCiphertext],
    );
  }

  /**
   * Pending mails not handed to the queue yet, or handed over longer than `staleSeconds` ago
   * (their job may have been lost with Redis): stamped as handed over now, oldest first.
   * SKIP LOCKED lets two workers drain at once without taking the same rows.
   */
  async claimForQueue(limit: number, staleSeconds: number): Promise<string[]> {
    // A SELECT around the UPDATE: TypeORM answers an UPDATE with [rows, count], a SELECT with rows.
    const rows = (await this.db.query(
      `WITH claimed AS (
         UPDATE mail.deliveries SET enqueued_at = now()
          WHERE id IN (
            SELECT id FROM mail.deliveries
             WHERE status = 'pending'
               AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $2))
             ORDER BY created_at LIMIT $1
             FOR UPDATE SKIP LOCKED)
          RETURNING id, created_at)
       SELECT id FROM claimed ORDER BY created_at`,
      [limit, staleSeconds],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async findPending(id: string): Promise<PendingMailDelivery | null> {
    const rows = (await this.db.query(
      `SELECT id, kind, recipient, subject, body_ciphertext AS "bodyCiphertext", attempts
         FROM mail.deliveries WHERE id = $1 AND status = 'pending'`,
      [id],
    )) as PendingMailDelivery[];
    return rows[0] ?? null;
  }

  /** Sent: the body (and the tokens in it) is blanked; only the record stays. */
  async markSent(id: string): Promise<void> {
    await this.db.query(
      `UPDATE mail.deliveries
          SET status = 'sent', body_ciphertext = NULL, attempts = attempts + 1,
              last_error = NULL, finished_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [id],
    );
  }

  /** A failed attempt; `dead` when it was the last one (the body is blanked then too). */
  async recordFailure(id: string, reason: string, dead: boolean): Promise<void> {
    await this.db.query(
      `UPDATE mail.deliveries
          SET attempts = attempts + 1, last_error = left($2, 500),
              status = CASE WHEN $3 THEN 'dead' ELSE status END,
              body_ciphertext = CASE WHEN $3 THEN NULL ELSE body_ciphertext END,
              finished_at = CASE WHEN $3 THEN now() ELSE finished_at END
        WHERE id = $1 AND status = 'pending'`,
      [id, reason, dead],
    );
  }

  async countPending(): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS count FROM mail.deliveries WHERE status = 'pending'`,
    )) as { count: number }[];
    return row?.count ?? 0;
  }
}
