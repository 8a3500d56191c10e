import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

// A software WebAuthn authenticator (and the browser around it) for tests: it makes real
// P-256 credentials and signs real assertions, so the server's verification runs end to end.
// Attestation is `none`; every knob a test needs to go wrong on purpose is an override.

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

/** The COSE names of an ES256 (ECDSA P-256, SHA-256) public key. */
const COSE_KTY = 1;
const COSE_ALG = 3;
const COSE_CRV = -1;
const COSE_X = -2;
const COSE_Y = -3;
const KTY_EC2 = 2;
const ALG_ES256 = -7;
const CRV_P256 = 1;

export interface StoredCredential {
  id: string;
  rpId: string;
  privateKey: KeyObject;
  /** The user handle the RP gave at creation (base64url), returned by discoverable assertions. */
  userHandle: string;
  /** The signature counter: raised before each assertion unless the authenticator does not count. */
  counter: number;
}

/** What a ceremony can be made to get wrong. */
export interface CeremonyOverrides {
  origin?: string;
  /** The RP ID whose hash goes into the authenticator data (default: the options' RP ID). */
  rpId?: string;
  challenge?: string;
  type?: string;
  userPresent?: boolean;
  userVerified?: boolean;
  /** Assertion only: answer with this credential, whatever the options allow. */
  credentialId?: string;
  /** Assertion only: sign with this counter value instead of the next one. */
  counter?: number;
  /** Assertion only: leave the user handle out, as for a non-discoverable credential. */
  omitUserHandle?: boolean;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export class SoftwareAuthenticator {
  readonly credentials = new Map<string, StoredCredential>();

  /**
   * @param origin what the "browser" puts in clientDataJSON
   * @param counts false for an authenticator that reports 0 forever (many synced passkeys)
   */
  constructor(
    readonly origin: string,
    readonly counts = true,
  ) {}

  /** `navigator.credentials.create(options)` followed by `credential.toJSON()`. */
  create(options: CreationOptions, overrides: CeremonyOverrides = {}) {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [COSE_KTY, KTY_EC2],
        [COSE_ALG, ALG_ES256],
        [COSE_CRV, CRV_P256],
        [COSE_X, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [COSE_Y, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const credentialId = randomBytes(32);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.authDataHead(overrides.rpId ?? rpId, overrides, FLAG_AT, 0),
      Buffer.alloc(16), // AAGUID: all zeros, as authenticators without attestation send
      idLength,
      credentialId,
      Buffer.from(cosePublicKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const id = b64url(credentialId);
    this.credentials.set(id, {
      id,
      rpId,
      privateKey,
      userHandle: options.user.id,
      counter: 0,
    });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, overrides),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** `navigator.credentials.get(options)` followed by `credential.toJSON()`. */
  get(options: RequestOptions, overrides: CeremonyOverrides = {}) {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const credential = this.pick(rpId, options, overrides.credentialId);
    if (overrides.counter !== undefined) credential.counter = overrides.counter;
    else if (this.counts) credential.counter += 1;
    const authData = this.authDataHead(overrides.rpId ?? rpId, overrides, 0, credential.counter);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    // ES256: an ASN.1 DER ECDSA signature over authenticatorData || SHA-256(clientDataJSON).
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]),
      { key: credential.privateKey, dsaEncoding: 'der' },
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(overrides.omitUserHandle ? {} : { userHandle: credential.userHandle }),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** A copy of this authenticator's keys, as an attacker who extracted them would hold. */
  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(this.origin, this.counts);
    for (const [id, credential] of this.credentials) copy.credentials.set(id, { ...credential });
    return copy;
  }

  /** The credential a browser would offer: one the options allow, or any discoverable one. */
  private pick(rpId: string, options: RequestOptions, wanted?: string): StoredCredential {
    const allowed = options.allowCredentials?.map((entry) => entry.id) ?? [];
    const credential = wanted
      ? this.credentials.get(wanted)
      : [...this.credentials.values()].find(
          (candidate) =>
            candidate.rpId === rpId && (allowed.length === 0 || allowed.includes(candidate.id)),
        );
    if (!credential) throw new Error('NotAllowedError: no credential for this request');
    return credential;
  }

  /** rpIdHash (32) | flags (1) | signCount (4, big-endian). */
  private authDataHead(
    rpId: string,
    overrides: CeremonyOverrides,
    extraFlags: number,
    counter: number,
  ): Buffer {
    let flags = extraFlags;
    if (overrides.userPresent ?? true) flags |= FLAG_UP;
    if (overrides.userVerified ?? true) flags |= FLAG_UV;
    const head = Buffer.alloc(37);
    sha256(rpId).copy(head, 0);
    head.writeUInt8(flags, 32);
    head.writeUInt32BE(counter, 33);
    return head;
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    return b64url(
      Buffer.from(
        JSON.stringify({
          type: overrides.type ?? type,
          challenge: overrides.challenge ?? challenge,
          origin: overrides.origin ?? this.origin,
          crossOrigin: false,
        }),
      ),
    );
  }
}
