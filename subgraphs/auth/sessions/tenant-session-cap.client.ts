import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { sessionCapCall } from '../../../platform/contracts/tenancy/session-cap';
import type { InternalClient } from '../../../platform/internal-calls/client';

/**
 * The strictest `maxSessionsPerUser` of a user's tenants, asked of tenancy when a session
 * opens. When tenancy cannot answer, sign-in still works under the platform's
 * MAX_SESSIONS_PER_USER (the cap bounds how many sessions pile up; it grants no access), and
 * the miss is logged and counted.
 */
export function tenantSessionCap(
  internal: InternalClient,
  logger: Logger,
  registry: Registry,
): (userId: string) => Promise<number | null> {
  const misses = new Counter({
    name: 'tessera_session_cap_lookup_failures_total',
    help: "Sign-ins that fell back to the platform's session cap because tenancy did not answer.",
    registers: [registry],
  });
  return async (userId) => {
    try {
      return (await internal.call(sessionCapCall, { userId })).maxSessionsPerUser;
    } catch (error) {
      misses.inc();
      logger.warn({ err: error, userId }, "session cap lookup failed: the platform's cap applies");
      return null;
    }
  };
}
