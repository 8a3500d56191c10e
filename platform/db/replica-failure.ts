/**
 * Whether an error on the replica means the replica cannot answer (down, restarting, not yet
 * holding the database, a query cancelled by replay) rather than a fault of the query itself:
 * only the former sends the read to the primary, a bug in a read still surfaces.
 */
export function isReplicaFailure(error: unknown): boolean {
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  return candidates.some((candidate) => {
    if (!candidate || typeof candidate !== 'object') return false;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (SQLSTATES.has(code) || SQLSTATE_CLASSES.has(code.slice(0, 2)))
    ) {
      return true;
    }
    if (typeof code === 'string' && SOCKET_ERRORS.has(code)) return true;
    return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
  });
}

/** 08: connection exception; 57P: shutdown, crash, cannot connect now, database dropped. */
const SQLSTATE_CLASSES = new Set(['08']);
const SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '57P04',
  // The database does not exist (yet) on the replica: its creation is still to be replayed.
  '3D000',
  // Cancelled by a conflict with recovery (a row the query needed was vacuumed on the primary).
  '40001',
  '53300',
]);
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection error|DataSource is not initialized/i;
