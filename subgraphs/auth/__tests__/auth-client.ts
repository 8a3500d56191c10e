import { randomInt, randomUUID } from 'node:crypto';
import { postGraphQL, type GraphQLResponse } from '../../../testing/graphql-client';

export const PASSWORD = 'correct horse battery staple';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  user: { id: string; email: string };
}

/** A fresh client IP per caller, so per-IP limits of one test do not touch another. */
export function clientIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

const PAYLOAD = 'accessToken refreshToken expiresAt user { id email }';

/**
 * GraphQL calls a frontend makes against the gateway: from one fixed client IP when given,
 * otherwise from a new one on every call.
 */
export class AuthClient {
  constructor(
    readonly gatewayUrl: string,
    readonly ip?: string,
  ) {}

  call<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(
      this.gatewayUrl,
      { query, variables },
      {
        'x-forwarded-for': this.ip ?? clientIp(),
        ...headers,
      },
    );
  }

  as(token: string, headers: Record<string, string> = {}) {
    return { authorization: `Bearer ${token}`, ...headers };
  }

  async signUp(email = uniqueEmail(), password = PASSWORD): Promise<Tokens> {
    const response = await this.call<{ signUp: Tokens }>(
      `mutation ($email: String!, $password: String!) { signUp(email: $email, password: $password) { ${PAYLOAD} } }`,
      { email, password },
    );
    if (!response.body.data?.signUp) throw new Error(`signUp failed: ${response.text}`);
    return response.body.data.signUp;
  }

  signIn(email: string, password = PASSWORD) {
    return this.call<{ signIn: Tokens & { __typename: string } }>(
      `mutation ($email: String!, $password: String!) { signIn(email: $email, password: $password) { __typename ... on AuthPayload { ${PAYLOAD} } ... on MfaChallenge { mfaToken methods } } }`,
      { email, password },
    );
  }

  refresh(refreshToken: string) {
    return this.call<{ refreshSession: Tokens }>(
      `mutation ($token: String!) { refreshSession(refreshToken: $token) { ${PAYLOAD} } }`,
      { token: refreshToken },
    );
  }

  me(accessToken: string) {
    return this.call<{ me: { id: string; email: string; emailVerified: boolean } | null }>(
      `{ me { id email emailVerified } }`,
      {},
      this.as(accessToken),
    );
  }
}
