import type { EntityManager } from 'typeorm';
import { tenantScope } from '../../../platform/db/scope';
import { ConflictError, ValidationError } from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import type { OAuthLinkEntity } from '../entities/oauth-link.entity';
import { OAuthLinkRepository } from '../repositories/oauth-link.repository';
import { UserRepository } from '../repositories/user.repository';
import type { AuthServices } from '../auth-services';
import { normalizeEmail } from '../../../platform/mail/address';
import { ProviderRefusedError } from './oauth-provider-directory.client';
import type { OAuthState } from './oauth-state.store';

/** Only what this needs of what the auth process shares. */
export type OAuthAccountDeps = Pick<AuthServices, 'dataSource' | 'metrics'>;

export const SIGN_IN_AND_LINK =
  'An account with this email exists: sign in to it and link this provider there';

/** Who the provider says the person is. */
export interface ProviderIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

/** `sub` (OIDC) or `id` (plain OAuth 2.0 APIs), and the email if the provider shares it. */
export function identityOf(info: Record<string, unknown>): ProviderIdentity {
  const subject = info.sub ?? info.id;
  if (
    (typeof subject !== 'string' && typeof subject !== 'number') ||
    String(subject).length > 255
  ) {
    throw new ProviderRefusedError(200);
  }
  let email: string | null = null;
  if (typeof info.email === 'string') {
    try {
      email = normalizeEmail(info.email);
    } catch {
      email = null;
    }
  }
  return { subject: String(subject), email, emailVerified: info.email_verified === true };
}

/**
 * The account a provider account signs in to: the one it is linked to, or a new account for
 * an email nobody has. It joins an existing account (or a held link is released) only when
 * `trusted` (an issuer the operator trusts) and both sides verified the email; otherwise the
 * person must sign in and link (CONFLICT). A new account's email counts as verified only if a
 * trusted issuer said so.
 */
export function accountFor(
  auth: OAuthAccountDeps,
  started: OAuthState,
  identity: ProviderIdentity,
  trusted: boolean,
): Promise<string> {
  return tenantScope(auth.dataSource, started.tenantId).run(async (manager) => {
    const links = new OAuthLinkRepository(manager);
    const linked = await links.findByIdentity(started.provider, identity.subject);
    if (linked && !linked.held) {
      await links.touch(linked.id);
      return linked.userId;
    }
    if (!identity.email) {
      throw new ValidationError('The provider did not share an email address');
    }
    const users = new UserRepository(manager);
    const existing = await users.findCredentialsByEmail(identity.email);
    if (existing || linked) {
      const vouched = trusted && identity.emailVerified && existing?.emailVerified;
      if (!vouched || (linked && linked.userId !== existing.id)) {
        auth.metrics.attempts.inc({ kind: 'oauth', outcome: 'conflict' });
        throw new ConflictError(SIGN_IN_AND_LINK);
      }
      await recordLink(manager, started, identity, existing.id, linked);
      return existing.id;
    }
    const created = await users.insert({
      email: identity.email,
      passwordHash: null,
      displayName: null,
      emailVerified: trusted && identity.emailVerified,
    });
    if (!created) throw new ConflictError(SIGN_IN_AND_LINK);
    await appendEvent(manager, {
      type: EventType.USER_SIGNED_UP,
      tenantId: started.tenantId,
      actor: { kind: 'user', id: created.id },
      payload: { userId: created.id, via: 'oauth', provider: started.provider },
    });
    await recordLink(manager, started, identity, created.id, null);
    return created.id;
  });
}

/** A new link of `userId` to the provider account, or its held link released. */
export async function recordLink(
  manager: EntityManager,
  started: OAuthState,
  identity: ProviderIdentity,
  userId: string,
  held: OAuthLinkEntity | null,
): Promise<OAuthLinkEntity> {
  const links = new OAuthLinkRepository(manager);
  let link: OAuthLinkEntity;
  if (held) {
    await links.release(held.id);
    link = { ...held, held: false };
  } else {
    link = await links.insert({
      tenantId: started.tenantId,
      userId,
      provider: started.provider,
      providerUserId: identity.subject,
      email: identity.email,
    });
  }
  await appendEvent(manager, {
    type: EventType.OAUTH_LINKED,
    tenantId: started.tenantId,
    actor: { kind: 'user', id: userId },
    payload: { userId, provider: started.provider },
  });
  return link;
}
