import type { Logger } from 'pino';
import { z } from 'zod';
import { list } from '../../config/fields';
import { verifiedUsersCall } from '../auth/verified-users';
import { roleLookupCall } from '../tenancy/role-lookup';
import { ServiceUnavailableError } from '../../errors/domain-errors';
import type { InternalClient } from '../../internal-calls/client';
import { isEmailAddress } from '../../mail/address';

/**
 * Whom a tenant's alert rules may mail. A rule's text is the tenant's to write, so its mail
 * goes only to the tenant's own members whose email is verified, or to the addresses the
 * platform's operators list in ALERT_EMAIL_ALLOWED_RECIPIENTS (an on-call or NOC mailbox).
 * Platform rules are written by platform administrators and may mail any address.
 *
 * Checked when a rule is written (observability: FORBIDDEN) and again when each notification
 * is sent (the worker), so a member removed or unverified since gets nothing.
 */
export const alertRecipientsConfigShape = {
  ALERT_EMAIL_ALLOWED_RECIPIENTS: list(
    z.string().toLowerCase().refine(isEmailAddress, 'each entry must be an email address'),
    '',
  ).describe(
    "Addresses any tenant's alert rules may mail besides its verified members (comma-separated).",
  ),
};

export interface AlertRecipientPolicy {
  /** The addresses among `addresses` (normalized) that the tenant's rules may not mail. */
  refused(tenantId: string, addresses: readonly string[]): Promise<string[]>;
}

export interface AlertRecipientPolicyOptions {
  /** ALERT_EMAIL_ALLOWED_RECIPIENTS. */
  allowed: readonly string[];
  /** Asks auth (which accounts are verified) and tenancy (who is a member). */
  internal: Pick<InternalClient, 'call'>;
  logger: Logger;
}

/**
 * Asks auth for the verified accounts behind the addresses, then tenancy whether each is a
 * member of the tenant (the role lookup). Throws a coded SERVICE_UNAVAILABLE when either
 * cannot answer: nothing is allowed on a guess.
 */
export function alertRecipientPolicy(options: AlertRecipientPolicyOptions): AlertRecipientPolicy {
  const allowed = new Set(options.allowed);
  return {
    async refused(tenantId, addresses) {
      const unlisted = [...new Set(addresses)].filter((address) => !allowed.has(address));
      if (unlisted.length === 0) return [];
      try {
        const { users } = await options.internal.call(verifiedUsersCall, { emails: unlisted });
        const members = await Promise.all(
          users.map(async (user) => {
            const { role } = await options.internal.call(roleLookupCall, {
              tenantId,
              userId: user.id,
            });
            return role === null ? null : user.email;
          }),
        );
        return unlisted.filter((address) => !members.includes(address));
      } catch (error) {
        options.logger.warn({ err: error, tenantId }, 'alert email recipients not checked');
        throw new ServiceUnavailableError('Cannot check alert email recipients right now; retry');
      }
    },
  };
}
