import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { Redacted } from './redacted';

/** Key ids travel inside every envelope, so they stay short and need no escaping. */
export const KID_PATTERN = /^[a-z0-9-]{1,16}$/;
export const KEY_BYTES = 32;

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// v1.<kid>.<iv: 12 bytes = 16 base64url chars>.<ciphertext + 16-byte tag: at least 22 chars>
const ENVELOPE = /^v1\.([a-z0-9-]{1,16})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;

/** One key of the ring, as the ENCRYPTION_KEYS config field parses it. */
export interface EncryptionKey {
  kid: string;
  key: Redacted<Buffer>;
}

export type DecryptionFailure =
  /** Not an envelope this code wrote: wrong version, shape or encoding. */
  | 'malformed'
  /** The key id is not (or no longer) in the ring. */
  | 'unknown-key'
  /** Tampered with, encrypted under other associated data, or under another key. */
  | 'unauthentic'
  /** Authentic, but the plaintext is binary: use decryptBuffer. */
  | 'not-utf8';

/** Why an envelope could not be opened. The message never holds plaintext or key material. */
export class DecryptionError extends Error {
  constructor(
    readonly reason: DecryptionFailure,
    readonly kid?: string,
  ) {
    super(`decryption failed: ${reason}${kid === undefined ? '' : ` (kid ${kid})`}`);
    this.name = 'DecryptionError';
  }
}

interface ParsedEnvelope {
  kid: string;
  iv: Buffer;
  sealed: Buffer;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Versioned AES-256-GCM key ring for secrets at rest (webhook secrets, OAuth client secrets,
 * signing keys, sensitive job payloads). The first key encrypts; the others only decrypt, so
 * a key rotates by prepending a new one, letting a job re-encrypt old rows
 * ({@link needsReencryption}, {@link reencrypt}), then dropping the old key.
 *
 * Envelope: `v1.<kid>.<base64url iv>.<base64url ciphertext+tag>`. The version and kid are
 * authenticated too (part of GCM's associated data), so neither can be edited in place.
 *
 * IVs are 96 random bits; NIST bounds that to 2^32 encryptions per key, far beyond what a
 * rotation schedule lets one key see.
 */
export class KeyRing {
  readonly #activeKid: string;
  readonly #keys: ReadonlyMap<string, KeyObject>;

  private constructor(activeKid: string, keys: ReadonlyMap<string, KeyObject>) {
    this.#activeKid = activeKid;
    this.#keys = keys;
  }

  /** Builds a ring from config (first key active). Throws on an empty ring or a bad key. */
  static fromConfig(keys: readonly EncryptionKey[]): KeyRing {
    const [active] = keys;
    if (!active) throw new RangeError('a key ring needs at least one key');
    const ring = new Map<string, KeyObject>();
    for (const { kid, key } of keys) {
      // An invalid kid is not echoed: it may be key material pasted into the wrong place.
      if (!KID_PATTERN.test(kid)) throw new RangeError(`every key id must match ${KID_PATTERN}`);
      if (ring.has(kid)) throw new RangeError(`key id "${kid}" appears twice`);
      if (key.reveal().length !== KEY_BYTES) {
        throw new RangeError(`key "${kid}" must be exactly ${KEY_BYTES} bytes`);
      }
      ring.set(kid, createSecretKey(key.reveal()));
    }
    return new KeyRing(active.kid, ring);
  }

  /** The id new envelopes are written under. */
  get activeKid(): string {
    return this.#activeKid;
  }

  /**
   * Encrypts under the active key. Pass the same `aad` (e.g. the owning row's id) to decrypt:
   * it binds the ciphertext to its context, so an envelope copied into another row fails to
   * decrypt instead of handing over that row's secret. No aad is the same as an empty one.
   */
  encrypt(plaintext: string | Buffer, aad?: string): string {
    const kid = this.#activeKid;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key(kid), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(kid, aad));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const sealed = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${kid}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** Opens an envelope holding text. Throws {@link DecryptionError}; never returns garbage. */
  decrypt(envelope: string, aad?: string): string {
    const plaintext = this.decryptBuffer(envelope, aad);
    try {
      return utf8.decode(plaintext);
    } catch {
      throw new DecryptionError('not-utf8');
    }
  }

  /** Opens an envelope holding bytes. Throws {@link DecryptionError}. */
  decryptBuffer(envelope: string, aad?: string): Buffer {
    const { kid, iv, sealed } = parseEnvelope(envelope);
    const key = this.#keys.get(kid);
    if (!key) throw new DecryptionError('unknown-key', kid);
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(kid, aad));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new DecryptionError('unauthentic', kid);
    }
  }

  /** True when the envelope was written under a key other than the active one. */
  needsReencryption(envelope: string): boolean {
    return parseEnvelope(envelope).kid !== this.#activeKid;
  }

  /** Decrypts (with any key of the ring) and encrypts again under the active key. */
  reencrypt(envelope: string, aad?: string): string {
    return this.encrypt(this.decryptBuffer(envelope, aad), aad);
  }

  #key(kid: string): KeyObject {
    const key = this.#keys.get(kid);
    if (!key) throw new DecryptionError('unknown-key', kid);
    return key;
  }
}

/** The envelope's header, then the caller's context; the kid holds no dot, so no ambiguity. */
function associatedData(kid: string, aad: string | undefined): Buffer {
  return Buffer.from(`${VERSION}.${kid}.${aad ?? ''}`, 'utf8');
}

function parseEnvelope(envelope: string): ParsedEnvelope {
  const match = typeof envelope === 'string' ? ENVELOPE.exec(envelope) : null;
  if (!match) throw new DecryptionError('malformed');
  const [, kid, ivText, sealedText] = match as unknown as [string, string, string, string];
  const iv = Buffer.from(ivText, 'base64url');
  const sealed = Buffer.from(sealedText, 'base64url');
  // Node's decoder ignores stray trailing bits; insisting on the canonical form keeps one
  // envelope per ciphertext.
  if (iv.toString('base64url') !== ivText || sealed.toString('base64url') !== sealedText) {
    throw new DecryptionError('malformed');
  }
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new DecryptionError('malformed');
  return { kid, iv, sealed };
}
