import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { Redacted } from '../crypto/redacted';

/**
 * Every Tessera process that signs or verifies internal requests, by the name it signs as.
 * Each has a key pair of its own (Ed25519): it holds its private key, and every process holds
 * the public keys, so a receiver can check who called without being able to sign as them.
 */
export const SERVICE_NAMES = [
  'gateway',
  'auth',
  'tenancy',
  'assets',
  'jobs',
  'observability',
  'worker',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** A process's private signing key, imported once at start. */
export interface ServiceSigningKey {
  service: ServiceName;
  kid: string;
  privateKey: KeyObject;
  /** The 32-byte seed, for keys derived from it (e.g. assets' blob URL keys). */
  seed: Redacted<Buffer>;
}

/** One public key a caller may sign with; several per caller while its key rotates. */
export interface ServicePublicKey {
  service: ServiceName;
  kid: string;
  publicKey: KeyObject;
}

export const SEED_BYTES = 32;
export const KEY_ID_PATTERN = /^[a-z0-9-]{1,16}$/;
/** The key id of every development key. */
export const DEVELOPMENT_KEY_ID = 'dev';

// DER wrappers of a raw Ed25519 seed (PKCS#8) and public key (SPKI), RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw 32 bytes of a public key, as SERVICE_PUBLIC_KEYS writes them. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({
    format: 'der',
    type: 'spki',
  });
  return der.subarray(SPKI_PREFIX.length);
}

/**
 * The development key of a service: derived from its name, so every process of a local run
 * (and the tests) agrees on it with no setup. It is public, so production refuses it.
 */
export function developmentSeed(service: ServiceName): Buffer {
  return createHash('sha256').update(`tessera-development-service-key:${service}`).digest();
}

export function signingKeyFromSeed(
  service: ServiceName,
  kid: string,
  seed: Buffer,
): ServiceSigningKey {
  return { service, kid, privateKey: privateKeyFromSeed(seed), seed: new Redacted(seed) };
}

/** `kid:base64` of a fresh seed, as `<SERVICE>_SIGNING_KEY` takes it, with its public entry. */
export function generateServiceKey(
  service: ServiceName,
  kid: string,
): { signingKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return {
    signingKey: `${kid}:${seed.toString('base64')}`,
    publicKey: `${service}:${kid}:${rawPublicKey(publicKey).toString('base64')}`,
  };
}

/** SERVICE_PUBLIC_KEYS of a local run: every service's development public key. */
export function developmentPublicKeys(): string {
  return SERVICE_NAMES.map(
    (service) =>
      `${service}:${DEVELOPMENT_KEY_ID}:${rawPublicKey(privateKeyFromSeed(developmentSeed(service))).toString('base64')}`,
  ).join(',');
}

/** The public keys a process accepts, looked up by signer and key id on every request. */
export class ServicePublicKeys {
  private readonly byId = new Map<string, KeyObject>();

  constructor(readonly keys: readonly ServicePublicKey[]) {
    for (const key of keys) this.byId.set(`${key.service}:${key.kid}`, key.publicKey);
  }

  find(service: string, kid: string): KeyObject | undefined {
    return this.byId.get(`${service}:${kid}`);
  }
}
