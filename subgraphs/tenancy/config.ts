import type { z } from 'zod';
import { appLinks } from '../../platform/config/app-links';
import {
  encryption,
  refuseDevelopmentEncryptionKeyInProduction,
} from '../../platform/config/encryption';
import { integer, url } from '../../platform/config/fields';
import {
  mail,
  requireExplicitMailTransportInProduction,
  requireSmtpUrlForSmtpTransport,
} from '../../platform/config/mail';
import type { SubgraphConfig } from '../../platform/subgraph/subgraph-service';

/** The tenancy subgraph's own variables, validated together with the common ones. */
export const tenancyConfigShape = {
  /** Encrypts the tenants' OAuth client secrets at rest. */
  ...encryption,
  /** Invitation mails: the same transport settings as auth's. */
  ...mail,
  /** Where the links in invitation mails point (the frontend). */
  ...appLinks,
  INVITATION_TTL_DAYS: integer(7, 1, 30).describe("An invitation's token works this long."),
  INVITATIONS_PER_TENANT_PER_HOUR: integer(50, 1, 10_000).describe(
    'Invitations one tenant may send per hour (each is a mail to an address it chooses).',
  ),
  AUTH_INTERNAL_URL: url(['http', 'https'], 'http://127.0.0.1:4001').describe(
    "The auth process: asked for an accepting user's verified address, and told to revoke the API keys of a member who no longer manages the tenant.",
  ),
};

export type TenancyConfig = SubgraphConfig & z.infer<z.ZodObject<typeof tenancyConfigShape>>;

export const tenancyConfigRules = [
  refuseDevelopmentEncryptionKeyInProduction,
  requireSmtpUrlForSmtpTransport,
  requireExplicitMailTransportInProduction,
];
