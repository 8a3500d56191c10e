import type {
  CeremonyOverrides,
  SoftwareAuthenticator,
} from '../../../testing/webauthn-authenticator';
import type { GraphQLResponse } from '../../../testing/graphql-client';
import { type AuthClient, type Tokens } from './auth-client';
import { codeOf } from '../../../testing/graphql-client';

export interface PasskeyView {
  id: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

const PASSKEY = 'id name createdAt lastUsedAt';
const PAYLOAD = 'accessToken refreshToken expiresAt user { id email }';

type Options = Parameters<SoftwareAuthenticator['get']>[0] & {
  allowCredentials?: { id: string }[];
};
type CreationOptions = Parameters<SoftwareAuthenticator['create']>[0] & {
  excludeCredentials?: { id: string }[];
};

/** The passkey calls a frontend makes through the gateway, with a software authenticator. */
export class PasskeyClient {
  constructor(private readonly client: AuthClient) {}

  startRegistration(accessToken?: string) {
    return this.client.call<{ startPasskeyRegistration: CreationOptions }>(
      `mutation { startPasskeyRegistration }`,
      {},
      accessToken ? this.client.as(accessToken) : {},
    );
  }

  finishRegistration(accessToken: string | undefined, response: unknown, name?: string) {
    return this.client.call<{ finishPasskeyRegistration: PasskeyView }>(
      `mutation ($response: JSON!, $name: String) { finishPasskeyRegistration(response: $response, name: $name) { ${PASSKEY} } }`,
      { response, name },
      accessToken ? this.client.as(accessToken) : {},
    );
  }

  /** Start and finish in one go; throws unless the passkey was registered. */
  async register(
    tokens: Tokens,
    authenticator: SoftwareAuthenticator,
    name?: string,
  ): Promise<PasskeyView> {
    const options = await this.creationOptions(tokens);
    const finished = await this.finishRegistration(
      tokens.accessToken,
      authenticator.create(options),
      name,
    );
    const passkey = finished.body.data?.finishPasskeyRegistration;
    if (!passkey) throw new Error(`finishPasskeyRegistration failed: ${finished.text}`);
    return passkey;
  }

  async creationOptions(tokens: Tokens): Promise<CreationOptions> {
    const started = await this.startRegistration(tokens.accessToken);
    const options = started.body.data?.startPasskeyRegistration;
    if (!options) throw new Error(`startPasskeyRegistration failed: ${started.text}`);
    return options;
  }

  startAuthentication(email?: string) {
    return this.client.call<{ startPasskeyAuthentication: Options }>(
      `mutation ($email: String) { startPasskeyAuthentication(email: $email) }`,
      { email },
    );
  }

  async requestOptions(email?: string): Promise<Options> {
    const started = await this.startAuthentication(email);
    const options = started.body.data?.startPasskeyAuthentication;
    if (!options) throw new Error(`startPasskeyAuthentication failed: ${started.text}`);
    return options;
  }

  finishAuthentication(response: unknown, mfaToken?: string) {
    return this.client.call<{ finishPasskeyAuthentication: Tokens }>(
      `mutation ($response: JSON!, $mfaToken: String) { finishPasskeyAuthentication(response: $response, mfaToken: $mfaToken) { ${PAYLOAD} } }`,
      { response, mfaToken },
    );
  }

  /** A whole passkey sign-in: options (for `email`, or discoverable), assertion, finish. */
  async signIn(
    authenticator: SoftwareAuthenticator,
    options: { email?: string; mfaToken?: string; overrides?: CeremonyOverrides } = {},
  ): Promise<GraphQLResponse<{ finishPasskeyAuthentication: Tokens }>> {
    const request = await this.requestOptions(options.email);
    return this.finishAuthentication(
      authenticator.get(request, options.overrides),
      options.mfaToken,
    );
  }

  /** The MFA token a password sign-in answers with; throws when it signs in directly. */
  async mfaToken(email: string): Promise<string> {
    const response = await this.client.signIn(email);
    const result = response.body.data?.signIn as
      { __typename: string; mfaToken?: string } | undefined;
    if (result?.__typename !== 'MfaChallenge' || !result.mfaToken) {
      throw new Error(`expected an MFA challenge: ${response.text}`);
    }
    return result.mfaToken;
  }

  async list(accessToken: string): Promise<PasskeyView[]> {
    const response = await this.client.call<{ me: { passkeys: PasskeyView[] } }>(
      `{ me { passkeys { ${PASSKEY} } } }`,
      {},
      this.client.as(accessToken),
    );
    const passkeys = response.body.data?.me?.passkeys;
    if (!passkeys)
      throw new Error(`me.passkeys failed: ${response.text} (${String(codeOf(response))})`);
    return passkeys;
  }

  remove(accessToken: string, id: string) {
    return this.client.call<{ removePasskey: boolean }>(
      `mutation ($id: ID!) { removePasskey(id: $id) }`,
      { id },
      this.client.as(accessToken),
    );
  }
}
