import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { AuthConfig } from '../config';
import type { PasskeyEntity, PasskeyTransport } from '../entities/passkey.entity';
import type { UserEntity } from '../entities/user.entity';
import type { AuthenticationResponse, RegistrationResponse } from './webauthn.input';

// The WebAuthn ceremonies, verified by @simplewebauthn/server against this deployment's
// RP ID and the exact origins it serves. Choices (see also PasskeyService):
// - attestation `none`: we trust the account that registers a key, not the key's maker;
// - user verification (PIN, biometrics) is requested ("preferred") everywhere and enforced
//   where the passkey is the only factor (passwordless sign-in). Registering (inside a
//   signed-in session) and completing a password sign-in need only user presence, so
//   security keys without a PIN still work as a second factor;
// - the signature counter is not checked here but atomically in PasskeyRepository.recordUse.

type Allowed = { id: string; transports?: PasskeyTransport[] };

export interface NewCredential {
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  transports: PasskeyTransport[];
}

export type Verification<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A user handle is the account id's 16 bytes: stable, and no email or name in it. */
export function userHandleOf(userId: string): string {
  return Buffer.from(userId.replace(/-/g, ''), 'hex').toString('base64url');
}

function challengeBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(32));
}

export function creationOptions(
  config: AuthConfig,
  user: UserEntity,
  existing: readonly PasskeyEntity[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: config.WEBAUTHN_RP_NAME,
    rpID: config.WEBAUTHN_RP_ID,
    userName: user.email,
    userID: new Uint8Array(Buffer.from(userHandleOf(user.id), 'base64url')),
    userDisplayName: user.displayName ?? user.email,
    challenge: challengeBytes(),
    timeout: config.WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    // Registering the same authenticator twice is refused by the browser before it asks.
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.credentialId,
      transports: passkey.transports,
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

export function requestOptions(
  config: AuthConfig,
  allowCredentials: Allowed[] | undefined,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: config.WEBAUTHN_RP_ID,
    allowCredentials,
    challenge: challengeBytes(),
    timeout: config.WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
    userVerification: 'preferred',
  });
}

/**
 * What `startPasskeyAuthentication(email)` offers for an address without passkeys (or
 * without an account): one credential id derived from the address with a server key, so the
 * answer for a given address is stable and looks like a real one.
 */
export function decoyCredential(config: AuthConfig, email: string): Allowed {
  const [first] = config.ENCRYPTION_KEYS;
  const secret = Buffer.from(
    hkdfSync('sha256', first!.key.reveal(), '', 'tessera auth webauthn decoy', 32),
  );
  return { id: createHmac('sha256', secret).update(email).digest('base64url') };
}

export async function verifyRegistration(
  config: AuthConfig,
  response: RegistrationResponse,
  expectedChallenge: string,
): Promise<Verification<NewCredential>> {
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: config.WEBAUTHN_ORIGINS,
      expectedRPID: config.WEBAUTHN_RP_ID,
      requireUserPresence: true,
      requireUserVerification: false,
    });
    if (!result.verified) return { ok: false, reason: 'attestation not verified' };
    const { credential } = result.registrationInfo;
    return {
      ok: true,
      value: {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: response.response.transports,
      },
    };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

export async function verifyAssertion(
  config: AuthConfig,
  response: AuthenticationResponse,
  expectedChallenge: string,
  passkey: PasskeyEntity,
  requireUserVerification: boolean,
): Promise<Verification<{ counter: number }>> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: config.WEBAUTHN_ORIGINS,
      expectedRPID: config.WEBAUTHN_RP_ID,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        // 0 turns off the library's own counter check: PasskeyRepository.recordUse applies
        // the same rule atomically, which also stops two concurrent assertions with one value.
        counter: 0,
        transports: passkey.transports,
      },
      requireUserVerification,
    });
    if (!result.verified) return { ok: false, reason: 'signature not verified' };
    return { ok: true, value: { counter: result.authenticationInfo.newCounter } };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

/** The library's message, for the log only: it may quote what the client sent. */
function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
