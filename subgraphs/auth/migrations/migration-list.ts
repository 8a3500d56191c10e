import { CreateUsers1764028800000 } from './1764028800000-create-users';
import { CreateCredentials1764028810000 } from './1764028810000-create-credentials';
import { CreateApiKeys1764028811000 } from './1764028811000-create-api-keys';
import { CreatePasskeys1764028812000 } from './1764028812000-create-passkeys';
import { CreateOAuthLinks1764028813000 } from './1764028813000-create-oauth-links';
import { IndexCredentialExpiry1764028870000 } from './1764028870000-index-credential-expiry';
import { HoldOAuthLinksJoinedByEmail1765002000000 } from './1765002000000-hold-oauth-links-joined-by-email';
import { TrackApiKeyCreators1765005000000 } from './1765005000000-track-api-key-creators';

/** In order; the runner sorts by timestamp across subgraphs. */
export const authMigrations = [
  CreateUsers1764028800000,
  CreateCredentials1764028810000,
  CreateApiKeys1764028811000,
  CreatePasskeys1764028812000,
  CreateOAuthLinks1764028813000,
  IndexCredentialExpiry1764028870000,
  HoldOAuthLinksJoinedByEmail1765002000000,
  TrackApiKeyCreators1765005000000,
];
