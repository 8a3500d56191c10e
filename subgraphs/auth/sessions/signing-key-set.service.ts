import { platformScope } from '../../../platform/db/scope';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  ACCESS_TOKEN_ALGORITHM,
  type AccessTokenClaims,
} from '../../../platform/contracts/auth/access-token';
import type { KeyRing } from '../../../platform/crypto/key-ring';
import { SigningKeyEntity } from '../entities/signing-key.entity';
import { SigningKeyRepository } from '../repositories/signing-key.repository';

export interface SigningKeyOptions {
  issuer: string;
  accessTokenTtlSeconds: number;
  rotationDays: number;
  /** How often every process re-reads the key set (and rotates when due). */
  refreshMs?: number;
}

interface ActiveKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  retiresAt: Date;
}

const DAY_MS = 86_400_000;

/**
 * The rotating key set that signs access tokens. Keys live in the database with their
 * private half encrypted by the key ring, so every auth process signs with the same key
 * and the gateway verifies with the JWKS. A new key is made when the active one retires;
 * the retired one keeps verifying until the last token it signed has expired.
 */
export class SigningKeySet {
  private active: ActiveKey | undefined;
  private publicKeys: JWK[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keyRing: KeyRing,
    private readonly options: SigningKeyOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.logger.error({ err: error }, 'refreshing signing keys failed'),
      );
    }, this.options.refreshMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The public keys that verify access tokens, for `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] } {
    return { keys: this.publicKeys };
  }

  async sign(claims: AccessTokenClaims): Promise<{ token: string; expiresAt: Date }> {
    if (!this.active || this.active.retiresAt.getTime() <= Date.now()) await this.refresh();
    const key = this.active!;
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.options.accessTokenTtlSeconds;
    const token = await new SignJWT({ sid: claims.sid, ...(claims.adm ? { adm: true } : {}) })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.issuer)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(key.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Reads the key set, making a new active key first when none can sign. */
  async refresh(): Promise<void> {
    const now = new Date();
    let keys = await new SigningKeyRepository(this.dataSource.manager).unexpired(now);
    if (!keys.some((key) => key.retiresAt > now)) {
      keys = await this.rotate();
    }
    const signing = keys.find((key) => key.retiresAt > now)!;
    if (this.active?.kid !== signing.kid) {
      const jwk = JSON.parse(
        this.keyRing.decrypt(signing.privateKeyEncrypted, signing.kid).toString(),
      ) as JWK;
      this.active = {
        kid: signing.kid,
        privateKey: await importJWK(jwk, ACCESS_TOKEN_ALGORITHM),
        retiresAt: signing.retiresAt,
      };
    }
    this.publicKeys = keys.map((key) => key.publicJwk);
  }

  private rotate(): Promise<SigningKeyEntity[]> {
    return platformScope(this.dataSource).run(async (manager) => {
      const repository = new SigningKeyRepository(manager);
      await repository.lockRotation();
      const now = new Date();
      // Another process may have rotated while this one waited for the lock.
      const current = await repository.unexpired(now);
      if (current.some((key) => key.retiresAt > now)) return current;

      const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, {
        extractable: true,
      });
      const kid = randomBytes(12).toString('base64url');
      const retiresAt = new Date(now.getTime() + this.options.rotationDays * DAY_MS);
      const key = Object.assign(new SigningKeyEntity(), {
        kid,
        algorithm: ACCESS_TOKEN_ALGORITHM,
        publicJwk: {
          ...(await exportJWK(publicKey)),
          kid,
          alg: ACCESS_TOKEN_ALGORITHM,
          use: 'sig',
        },
        privateKeyEncrypted: this.keyRing.encrypt(JSON.stringify(await exportJWK(privateKey)), kid),
        createdAt: now,
        retiresAt,
        expiresAt: new Date(retiresAt.getTime() + this.options.accessTokenTtlSeconds * 1000),
      });
      await repository.insert(key);
      await repository.deleteExpired(now);
      this.logger.info({ kid }, 'access-token signing key rotated');
      return repository.unexpired(now);
    });
  }
}
