/** A mail the outbox transport recorded, as tests read it. */
export interface OutboxMail {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
  createdAt: Date;
}

/** Anything that runs SQL and returns rows: a TestDatabase, a DataSource, a pg Client wrapper. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The mails sent to `recipient` through the outbox transport, newest first (so `[0]` is the
 * latest verification or reset mail), optionally only those of one kind.
 */
export async function readOutbox(
  db: Queryable,
  recipient: string,
  kind?: string,
): Promise<OutboxMail[]> {
  const rows = (await db.query(
    `SELECT id, kind, recipient, subject, body_text AS text, body_html AS html, created_at AS "createdAt"
       FROM mail.outbox
      WHERE recipient = $1 AND ($2::text IS NULL OR kind = $2)
      ORDER BY created_at DESC, id DESC`,
    [recipient, kind ?? null],
  )) as OutboxMail[];
  return rows;
}
