import type { SubgraphDefinition } from '../../platform/subgraph/subgraph-service';
import { authConfigRules, authConfigShape } from './config';
import { createAuthContext, type AuthContext } from './context';
import { ApiKeyEntity } from './entities/api-key.entity';
import { EmailTokenEntity } from './entities/email-token.entity';
import { OAuthLinkEntity } from './entities/oauth-link.entity';
import { PasskeyEntity } from './entities/passkey.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';
import { SigningKeyEntity } from './entities/signing-key.entity';
import { UserEntity } from './entities/user.entity';
import { resolvers } from './resolvers/resolver-map';
import { authRetentionPurge } from './retention-purge';
import type { AuthServices } from './auth-services';
import { setupAuth } from './setup';

export const authSubgraph: SubgraphDefinition<AuthContext, typeof authConfigShape, AuthServices> = {
  name: 'auth',
  defaultPort: 4001,
  config: { shape: authConfigShape, rules: authConfigRules },
  entities: [
    UserEntity,
    SessionEntity,
    RefreshTokenEntity,
    EmailTokenEntity,
    SigningKeyEntity,
    ApiKeyEntity,
    PasskeyEntity,
    OAuthLinkEntity,
  ],
  resolvers,
  purgeTables: ['auth.oauth_links', 'auth.api_keys'],
  retentionPurge: authRetentionPurge,
  setup: setupAuth,
  createContext: createAuthContext,
};
