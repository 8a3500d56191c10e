import { appLink } from '../../../platform/config/app-links';
import type { MailMessage } from '../../../platform/mail/mailer';
import type { Role } from '../entities/membership.entity';

/** What the invitation mail says; the link carries the token, the frontend calls accept. */
export const INVITATION_MAIL_KIND = 'tenancy.invitation';
export const ACCEPT_INVITATION_PATH = '/accept-invitation';

export function invitationMail(input: {
  to: string;
  tenantName: string;
  role: Role;
  token: string;
  expiresAt: Date;
  appPublicUrl: string;
}): MailMessage {
  const link = appLink({ APP_PUBLIC_URL: input.appPublicUrl }, ACCEPT_INVITATION_PATH, {
    token: input.token,
  });
  // Tenant names are free text: nothing but plain spaces may reach a header line.
  const name = input.tenantName.replace(/[\p{C}\p{Z}]+/gu, ' ').trim();
  return {
    kind: INVITATION_MAIL_KIND,
    to: input.to,
    subject: `You are invited to join ${name} on Tessera`,
    text:
      `You have been invited to join "${name}" on Tessera as ${article(input.role)} ${input.role}.\n\n` +
      `To accept, sign in (or create an account) and open:\n${link.href}\n\n` +
      `The link works once and expires on ${input.expiresAt.toISOString()}. ` +
      `If you did not expect this invitation, ignore this mail.\n`,
  };
}

function article(role: Role): string {
  return role === 'OWNER' || role === 'ADMIN' ? 'an' : 'a';
}
