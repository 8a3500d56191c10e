import { API_KEY_SCOPES, generateApiKey } from '../../../platform/contracts/auth/api-key-format';
import { ROLES, type RequestContext, type Role } from '../../../platform/context/request-context';
import { hashToken } from '../../../platform/crypto/tokens';
import { tenantScope, type TenantScope } from '../../../platform/db/scope';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { parseId } from '../../../platform/graphql/ids';
import type { ApiKeyEntity } from '../entities/api-key.entity';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import type { AuthServices } from '../auth-services';

/** Only what this needs of what the auth process shares. */
export type ApiKeyServiceDeps = Pick<AuthServices, 'dataSource' | 'revocations'>;

export const MAX_LIVE_API_KEYS_PER_TENANT = 100;
const MAX_GRACE_SECONDS = 7 * 86_400;
const DEFAULT_GRACE_SECONDS = 3_600;

export interface ApiKeyWithSecret {
  apiKey: ApiKeyEntity;
  secret: string;
}

/** A tenant's API keys, managed by its OWNERs and ADMINs. */
export class ApiKeyService {
  private readonly scope: TenantScope;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: ApiKeyServiceDeps,
  ) {
    this.scope = tenantScope(auth.dataSource, request);
  }

  async list(): Promise<ApiKeyEntity[]> {
    this.requireManager();
    return this.scope.run((manager) => new ApiKeyRepository(manager).list());
  }

  async create(args: {
    name: string;
    scopes: string[];
    expiresAt?: Date | string | null;
  }): Promise<ApiKeyWithSecret> {
    const userId = this.requireManager();
    const name = validName(args.name);
    const scopes = validScopes(args.scopes);
    const expiresAt = validExpiry(args.expiresAt);
    return this.scope.run(async (manager) => {
      const keys = new ApiKeyRepository(manager);
      if ((await keys.countLive()) >= MAX_LIVE_API_KEYS_PER_TENANT) {
        throw new ValidationError(
          `A tenant can have at most ${MAX_LIVE_API_KEYS_PER_TENANT} live API keys; revoke one first`,
        );
      }
      const created = await this.insertKey(keys, { name, scopes, expiresAt, createdBy: userId });
      await appendEvent(manager, {
        type: EventType.API_KEY_CREATED,
        payload: { apiKeyId: created.apiKey.id, name, scopes, prefix: created.apiKey.prefix },
      });
      return created;
    });
  }

  /** A new key with the same name and scopes; the old one works for the grace period. */
  async rotate(id: string, gracePeriodSeconds?: number | null): Promise<ApiKeyWithSecret> {
    const userId = this.requireManager();
    const keyId = parseId(id);
    const grace = gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw new ValidationError(`gracePeriodSeconds must be 0..${MAX_GRACE_SECONDS}`, {
        field: 'gracePeriodSeconds',
      });
    }
    const rotated = await this.scope.run(async (manager) => {
      const keys = new ApiKeyRepository(manager);
      const old = await keys.findById(keyId);
      if (!old || old.revokedAt || (old.expiresAt && old.expiresAt <= new Date())) {
        throw new NotFoundError('API key');
      }
      const created = await this.insertKey(keys, {
        name: old.name,
        scopes: old.scopes,
        expiresAt: old.expiresAt,
        createdBy: userId,
      });
      const endsAt = await keys.retire(
        old.id,
        new Date(Date.now() + grace * 1000),
        created.apiKey.id,
      );
      await appendEvent(manager, {
        type: EventType.API_KEY_ROTATED,
        payload: { apiKeyId: old.id, replacedBy: created.apiKey.id, gracePeriodSeconds: grace },
      });
      return { created, endsAt };
    });
    await this.auth.revocations.announceApiKeys([{ apiKeyId: keyId, endsAt: rotated.endsAt }]);
    return rotated.created;
  }

  async revoke(id: string): Promise<boolean> {
    this.requireManager();
    const keyId = parseId(id);
    await this.scope.run(async (manager) => {
      if (!(await new ApiKeyRepository(manager).revoke(keyId))) throw new NotFoundError('API key');
      await appendEvent(manager, { type: EventType.API_KEY_REVOKED, payload: { apiKeyId: keyId } });
    });
    await this.auth.revocations.announceApiKeys([{ apiKeyId: keyId, endsAt: new Date() }]);
    return true;
  }

  private async insertKey(
    keys: ApiKeyRepository,
    fields: { name: string; scopes: string[]; expiresAt: Date | null; createdBy: string },
  ): Promise<ApiKeyWithSecret> {
    const { prefix, secret, key } = generateApiKey();
    const apiKey = await keys.insert({
      ...fields,
      tenantId: this.scope.tenantId,
      prefix,
      secretHash: hashToken(secret),
    });
    return { apiKey, secret: key };
  }

  /** A signed-in OWNER or ADMIN of the tenant; API keys cannot manage keys. */
  private requireManager(): string {
    const principal = this.request.principal;
    if (!principal) throw new UnauthenticatedError('Sign in first');
    if (principal.kind !== 'user') throw new ForbiddenError('API keys cannot manage API keys');
    if (!atLeast(this.request.role, 'ADMIN')) {
      throw new ForbiddenError('Only OWNERs and ADMINs of this tenant manage API keys');
    }
    return principal.id;
  }
}

function atLeast(role: Role | null, minimum: Role): boolean {
  return role !== null && ROLES.indexOf(role) <= ROLES.indexOf(minimum);
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) {
    throw new ValidationError('name must be 1-100 characters', { field: 'name' });
  }
  return trimmed;
}

function validScopes(scopes: string[]): string[] {
  const unique = [...new Set(scopes)];
  const unknown = unique.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
  if (unique.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      unique.length === 0
        ? 'scopes must name at least one scope'
        : `unknown scopes: ${unknown
            .slice(0, 5)
            .map((scope) => scope.slice(0, 40))
            .join(', ')}; known: ${API_KEY_SCOPES.join(', ')}`,
      { field: 'scopes' },
    );
  }
  return unique.sort();
}

function validExpiry(expiresAt: Date | string | null | undefined): Date | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
    throw new ValidationError('expiresAt must be in the future', { field: 'expiresAt' });
  }
  if (date.getTime() > Date.now() + 5 * 365 * 86_400_000) {
    throw new ValidationError('expiresAt must be within 5 years', { field: 'expiresAt' });
  }
  return date;
}
