import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderAccount {
  sub: string;
  email: string;
  email_verified: boolean;
}

interface IssuedCode {
  account: ProviderAccount;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
}

/**
 * A small OAuth 2.0 / OIDC provider for tests, on 127.0.0.1: it issues codes for an account
 * the test picks (standing in for a person approving in a browser), and checks what a real
 * provider checks at the token endpoint: client credentials, redirect URI, single use, and
 * the PKCE verifier against the challenge.
 */
export class TestOAuthProvider {
  readonly clientId = 'tessera-test-client';
  readonly clientSecret = randomBytes(24).toString('base64url');
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, ProviderAccount>();
  private server: Server | undefined;
  url = '';
  /** Token endpoint calls seen, for assertions. */
  tokenRequests: URLSearchParams[] = [];

  /** `discovery` replaces fields of the OIDC discovery document (a misbehaving provider). */
  constructor(private readonly options: { discovery?: Record<string, unknown> } = {}) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  get endpoints() {
    return {
      issuer: this.url,
      authorizationUrl: `${this.url}/authorize`,
      tokenUrl: `${this.url}/token`,
      userInfoUrl: `${this.url}/userinfo`,
    };
  }

  /** What the browser would bring back after the person approved `authorizationUrl`. */
  approve(authorizationUrl: string, account: ProviderAccount): { code: string; state: string } {
    const url = new URL(authorizationUrl);
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, {
      account,
      clientId: url.searchParams.get('client_id') ?? '',
      redirectUri: url.searchParams.get('redirect_uri') ?? '',
      codeChallenge: url.searchParams.get('code_challenge') ?? '',
    });
    return { code, state: url.searchParams.get('state') ?? '' };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer: this.url,
          authorization_endpoint: `${this.url}/authorize`,
          token_endpoint: `${this.url}/token`,
          userinfo_endpoint: `${this.url}/userinfo`,
          ...this.options.discovery,
        },
      };
    }
    if (path === '/token' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += String(chunk);
      const form = new URLSearchParams(raw);
      this.tokenRequests.push(form);
      const issued = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !issued ||
        form.get('grant_type') !== 'authorization_code' ||
        form.get('client_id') !== this.clientId ||
        form.get('client_secret') !== this.clientSecret ||
        form.get('redirect_uri') !== issued.redirectUri ||
        challenge !== issued.codeChallenge
      ) {
        return { status: 400, body: { error: 'invalid_grant' } };
      }
      const accessToken = randomBytes(16).toString('base64url');
      this.tokens.set(accessToken, issued.account);
      return { status: 200, body: { access_token: accessToken, token_type: 'Bearer' } };
    }
    if (path === '/userinfo') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const account = token ? this.tokens.get(token) : undefined;
      return account
        ? { status: 200, body: account }
        : { status: 401, body: { error: 'invalid_token' } };
    }
    return { status: 404, body: { error: 'not_found' } };
  }
}
