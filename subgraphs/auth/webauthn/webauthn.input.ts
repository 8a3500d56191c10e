import { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../../../platform/errors/domain-errors';
import { PASSKEY_TRANSPORTS, type PasskeyTransport } from '../entities/passkey.entity';

/**
 * What a browser's `credential.toJSON()` looks like, bounded. Real responses are a few hundred
 * bytes (a few kilobytes with a certificate chain), so 64 KiB leaves room without letting a
 * caller hand the verifier megabytes to decode.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** Credential ids are 16 to 1023 bytes (WebAuthn Level 3), base64url without padding. */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{22,1364}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Whether an id (say, the one inside authenticator data) fits what we store. */
export function isCredentialId(value: string): boolean {
  return CREDENTIAL_ID.test(value);
}

const base64url = (max: number) => z.string().min(1).max(max).regex(BASE64URL);
const credentialId = z.string().regex(CREDENTIAL_ID);
const extensionResults = z.record(z.string().max(64), z.unknown()).default({});

const registrationSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(48 * 1024),
    transports: z.array(z.string().max(32)).max(16).optional().transform(knownTransports),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: extensionResults,
});

const authenticationSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(1024),
    userHandle: base64url(128)
      .nullish()
      .transform((value) => value ?? undefined),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: extensionResults,
});

export type RegistrationResponse = z.infer<typeof registrationSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationSchema>;

export function parseRegistrationResponse(value: unknown): RegistrationResponse {
  return parse(registrationSchema, value);
}

export function parseAuthenticationResponse(value: unknown): AuthenticationResponse {
  return parse(authenticationSchema, value);
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  assertJsonWithin(value, MAX_RESPONSE_BYTES);
  const result = schema.safeParse(value);
  if (!result.success) {
    const path = result.error.issues[0]?.path.join('.');
    throw new ValidationError('The passkey response is malformed', {
      field: path ? `response.${path}` : 'response',
    });
  }
  return result.data;
}

/**
 * Refuses a value whose JSON text would exceed `limitBytes`, estimated without serializing
 * it and without recursion, so neither a huge nor a deeply nested value costs much.
 */
export function assertJsonWithin(value: unknown, limitBytes: number): void {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') size += Buffer.byteLength(item, 'utf8') + 2;
    else if (Array.isArray(item)) {
      size += 2 + item.length;
      for (const entry of item) pending.push(entry);
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      size += 2 + entries.length;
      for (const [key, entry] of entries) {
        size += Buffer.byteLength(key, 'utf8') + 3;
        pending.push(entry);
      }
    } else size += 8;
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
  }
}

/** Our challenges are 32 random bytes, base64url: 43 characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The challenge a response answers, read from its client data before anything is verified, so
 * the stored challenge can be taken (and so spent) exactly once. Null when it cannot be ours.
 */
export function challengeOf(clientDataJSON: string): string | null {
  let clientData: unknown;
  try {
    clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('The passkey response is malformed', {
      field: 'response.response.clientDataJSON',
    });
  }
  const challenge = (clientData as { challenge?: unknown } | null)?.challenge;
  return typeof challenge === 'string' && CHALLENGE.test(challenge) ? challenge : null;
}

/** The transports we keep: known values only, each once. */
export function knownTransports(reported: readonly string[] | undefined): PasskeyTransport[] {
  const known = new Set<string>(PASSKEY_TRANSPORTS);
  return [...new Set(reported ?? [])].filter((value): value is PasskeyTransport =>
    known.has(value),
  );
}

/** A passkey's label: trimmed, at most 100 characters, no control characters; blank is none. */
export function normalizePasskeyName(name: string | null | undefined): string | null {
  const trimmed = name?.trim();
  if (!trimmed) return null;
  if (trimmed.length > 100) {
    throw new ValidationError('Passkey name must be at most 100 characters', { field: 'name' });
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ValidationError('Passkey name must not contain control characters', {
      field: 'name',
    });
  }
  return trimmed;
}
