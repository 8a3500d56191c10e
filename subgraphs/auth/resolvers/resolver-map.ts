import { DateTimeScalar, JSONScalar } from '../../../platform/graphql/scalars';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    me: (_parent, _args, { users }) => users.me(),
    mySessions: (_parent, _args, { sessions }) => sessions.mine(),
    myApiKeys: (_parent, _args, { apiKeys }) => apiKeys.list(),
    users: (_parent, args, { admin }) => admin.users(args),
    user: (_parent, { id }, { admin }) => admin.user(id),
    sessions: (_parent, { userId }, { admin }) => admin.sessionsOf(userId),
  },
  Mutation: {
    signUp: (_parent, { email, password, displayName }, { accounts }) =>
      accounts.signUp(email, password, displayName),
    signIn: (_parent, { email, password }, { accounts }) => accounts.signIn(email, password),
    refreshSession: (_parent, { refreshToken }, { sessions }) => sessions.refresh(refreshToken),
    signOut: (_parent, _args, { sessions }) => sessions.signOut(),
    verifyEmail: (_parent, { token }, { recovery }) => recovery.verifyEmail(token),
    requestEmailVerification: (_parent, _args, { recovery }) => recovery.requestEmailVerification(),
    requestPasswordReset: (_parent, { email }, { recovery }) =>
      recovery.requestPasswordReset(email),
    resetPassword: (_parent, { token, newPassword }, { recovery }) =>
      recovery.resetPassword(token, newPassword),
    changePassword: (_parent, { currentPassword, newPassword }, { accounts }) =>
      accounts.changePassword(currentPassword, newPassword),
    updateProfile: (_parent, { displayName }, { accounts }) => accounts.updateProfile(displayName),
    deactivateAccount: (_parent, { password }, { accounts }) =>
      accounts.deactivateAccount(password),
    revokeSession: (_parent, { id }, { sessions }) => sessions.revokeOwn(id),
    revokeAllSessions: (_parent, { exceptCurrent }, { sessions }) =>
      sessions.revokeAllOwn(exceptCurrent ?? true),
    createApiKey: (_parent, args, { apiKeys }) => apiKeys.create(args),
    rotateApiKey: (_parent, { id, gracePeriodSeconds }, { apiKeys }) =>
      apiKeys.rotate(id, gracePeriodSeconds),
    revokeApiKey: (_parent, { id }, { apiKeys }) => apiKeys.revoke(id),
    startPasskeyRegistration: (_parent, _args, { passkeys }) => passkeys.startRegistration(),
    finishPasskeyRegistration: (_parent, { response, name }, { passkeys }) =>
      passkeys.finishRegistration(response, name),
    startPasskeyAuthentication: (_parent, { email }, { passkeySignIn }) =>
      passkeySignIn.startAuthentication(email),
    finishPasskeyAuthentication: (_parent, { response, mfaToken }, { passkeySignIn }) =>
      passkeySignIn.finishAuthentication(response, mfaToken),
    removePasskey: (_parent, { id }, { passkeys }) => passkeys.remove(id),
    startOAuth: (_parent, { provider, tenantId, redirectUri }, { oauth }) =>
      oauth.start(provider, tenantId, redirectUri),
    completeOAuth: (_parent, { provider, code, state }, { oauth }) =>
      oauth.complete(provider, code, state),
    completeOAuthSignIn: (_parent, { provider, code, state }, { oauth }) =>
      oauth.completeSignIn(provider, code, state),
    linkOAuth: (_parent, { provider, code, state }, { oauth }) => oauth.link(provider, code, state),
    unlinkOAuth: (_parent, { provider }, { oauth }) => oauth.unlink(provider),
    adminRevokeSessions: (_parent, { userId }, { admin }) => admin.revokeSessions(userId),
    adminRevokeSessionsByIp: (_parent, { ip }, { admin }) => admin.revokeSessionsByIp(ip),
    adminSetUserStatus: (_parent, { userId, status }, { admin }) =>
      admin.setUserStatus(userId, status),
  },
  SignInResult: {
    __resolveType: (result) => ('mfaToken' in result ? 'MfaChallenge' : 'AuthPayload'),
  },
  AuthPayload: {
    accessToken: ({ tokens }) => tokens.accessToken,
    refreshToken: ({ tokens }) => tokens.refreshToken,
    expiresAt: ({ tokens }) => tokens.expiresAt,
  },
  Session: {
    current: (session, _args, { sessions }) => sessions.isCurrent(session),
  },
  ApiKey: {
    prefix: (key) => `tsk_${key.prefix}`,
    createdBy: (key, _args, { users }) => (key.createdBy ? users.byId(key.createdBy) : null),
  },
  User: {
    __resolveReference: (reference, { users }) => users.byReference(reference.id),
    platformAdmin: (user, _args, { users }) => users.platformAdminOf(user),
    passkeys: (user, _args, { passkeys }) => passkeys.of(user),
    oauthLinks: (user, _args, { oauth }) => oauth.linksOf(user),
  },
};
