import type { RequestContext } from '../../platform/context/request-context';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import type { AuthConfig } from './config';
import { createLoaders } from './loaders';
import { AccountService } from './credentials/account.service';
import { AdminService } from './users/admin.service';
import { ApiKeyService } from './api-keys/api-key.service';
import type { AuthServices } from './auth-services';
import { OAuthService } from './oauth/oauth.service';
import { PasskeyService } from './webauthn/passkey.service';
import { PasskeySignInService } from './webauthn/passkey-sign-in.service';
import { RecoveryService } from './credentials/recovery.service';
import { SessionService } from './sessions/session.service';
import { UserService } from './users/user.service';

export interface AuthContext {
  request: RequestContext;
  users: UserService;
  accounts: AccountService;
  recovery: RecoveryService;
  sessions: SessionService;
  apiKeys: ApiKeyService;
  admin: AdminService;
  passkeys: PasskeyService;
  passkeySignIn: PasskeySignInService;
  oauth: OAuthService;
}

export function createAuthContext(
  request: RequestContext,
  runtime: SubgraphRuntime<AuthConfig>,
  auth: AuthServices,
): AuthContext {
  const loaders = createLoaders(runtime.dataSource);
  return {
    request,
    users: new UserService(request, loaders),
    accounts: new AccountService(request, auth),
    recovery: new RecoveryService(request, auth),
    sessions: new SessionService(request, auth),
    apiKeys: new ApiKeyService(request, auth),
    admin: new AdminService(request, auth),
    passkeys: new PasskeyService(request, auth),
    passkeySignIn: new PasskeySignInService(request, auth),
    oauth: new OAuthService(request, auth),
  };
}
