import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { SoftwareAuthenticator } from '../../testing/webauthn-authenticator';

// The test authenticator against the verifier the auth subgraph uses, with no server in
// between: if these fail, the end-to-end passkey tests would fail for the wrong reason.

const rpID = 'tessera.test';
const origin = 'https://app.tessera.test';

async function register(authenticator: SoftwareAuthenticator): Promise<WebAuthnCredential> {
  const options = await generateRegistrationOptions({
    rpName: 'Tessera',
    rpID,
    userName: 'ada@example.com',
    attestationType: 'none',
  });
  const result = await verifyRegistrationResponse({
    response: authenticator.create(options) as RegistrationResponseJSON,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
  });
  expect(result.verified).toBe(true);
  return result.registrationInfo!.credential;
}

async function assert(
  authenticator: SoftwareAuthenticator,
  credential: WebAuthnCredential,
  tamper: (response: AuthenticationResponseJSON) => void = () => undefined,
) {
  const options = await generateAuthenticationOptions({ rpID });
  const response = authenticator.get(options) as AuthenticationResponseJSON;
  tamper(response);
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential,
  });
}

describe('software WebAuthn authenticator', () => {
  it('registers a P-256 credential with none attestation that verifies', async () => {
    const credential = await register(new SoftwareAuthenticator(origin));
    expect(credential.counter).toBe(0);
    expect(credential.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs assertions that verify, with a rising counter', async () => {
    const authenticator = new SoftwareAuthenticator(origin);
    const credential = await register(authenticator);
    const first = await assert(authenticator, credential);
    expect(first.verified).toBe(true);
    expect(first.authenticationInfo.newCounter).toBe(1);
    expect(first.authenticationInfo.userVerified).toBe(true);
    credential.counter = first.authenticationInfo.newCounter;
    expect((await assert(authenticator, credential)).authenticationInfo.newCounter).toBe(2);
  });

  it('produces a signature the verifier rejects once a byte of it changes', async () => {
    const authenticator = new SoftwareAuthenticator(origin);
    const credential = await register(authenticator);
    const result = await assert(authenticator, credential, (response) => {
      const signature = Buffer.from(response.response.signature, 'base64url');
      signature[signature.length - 1]! ^= 0x01;
      response.response.signature = signature.toString('base64url');
    });
    expect(result.verified).toBe(false);
  });
});
