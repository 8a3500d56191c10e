import type { Logger } from 'pino';
import type { ApiKeyEndings } from '../../platform/contracts/auth/api-key-endings';
import type { RevocationList } from '../../platform/contracts/auth/session-revocation';
import type { RequestContext } from '../../platform/context/request-context';
import { managesKeys } from '../auth/api-key-creators';
import type { RoleResolver } from '../auth/role-resolver';

/** One open socket, as the watch sees it. */
export interface WatchedConnection {
  request: RequestContext;
  /** When its credential expires (the access token's or the API key's expiry); null: never. */
  expiresAt: number | null;
  /** For an API key, the user whose role in the tenant keeps the key alive (its creator). */
  keyCreator: string | null;
  /** Closes the socket with the close code for a credential that no longer holds (4403). */
  end(reason: string): void;
}

export interface ConnectionWatchOptions {
  revocations: Pick<RevocationList, 'isRevoked'>;
  apiKeyEndings: Pick<ApiKeyEndings, 'hasEnded'>;
  roles: Pick<RoleResolver, 'resolve'>;
  logger: Logger;
  /** How often every socket is checked; 500 ms by default. */
  tickMs?: number;
  now?: () => number;
}

/** Sockets that one tenancy lookup answers for: one tenant, and one key creator (or none). */
interface AccessGroup {
  tenantId: string;
  /** The user or key asked about; the tenant's status is the same for all. */
  principalId: string;
  keyCreator: boolean;
  connections: WatchedConnection[];
}

/**
 * Ends every socket of this pod whose credential no longer holds, on one shared tick rather
 * than a timer per socket: a revoked session, an API key revoked or past its rotation grace
 * (both announced by auth to every pod), an access token or API key past its expiry, a key
 * whose creator no longer manages the tenant, and a suspended or deleted tenant. The clock and
 * the revocation lists are read in memory on every tick; tenant status and creators' roles
 * come from the role lookup (Redis-cached, dropped on every change), asked once per tenant
 * and key creator, with one round of lookups at a time. While tenancy cannot answer, sockets
 * stay open and are asked about again on the next tick.
 */
export class ConnectionWatch {
  private readonly connections = new Set<WatchedConnection>();
  private readonly tickMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private lookingUp = false;
  /** Whether the last lookup failed: an outage is logged once, not on every tick. */
  private unanswered = false;

  constructor(private readonly options: ConnectionWatchOptions) {
    this.tickMs = options.tickMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  add(connection: WatchedConnection): void {
    this.connections.add(connection);
  }

  delete(connection: WatchedConnection): void {
    this.connections.delete(connection);
  }

  get size(): number {
    return this.connections.size;
  }

  /** One pass over every socket; resolves when its lookups (if it ran any) are answered. */
  async check(): Promise<void> {
    const now = this.now();
    for (const connection of this.connections) {
      const reason = this.credentialEnded(connection, now);
      if (reason) this.end(connection, reason);
    }
    if (this.lookingUp) return;
    this.lookingUp = true;
    try {
      await Promise.all([...this.accessGroups()].map((group) => this.checkAccess(group)));
    } finally {
      this.lookingUp = false;
    }
  }

  private credentialEnded(connection: WatchedConnection, now: number): string | null {
    const { request, expiresAt } = connection;
    const apiKey = request.principal?.kind === 'apiKey' ? request.principal.id : null;
    if (request.sessionId && this.options.revocations.isRevoked(request.sessionId)) {
      return 'Session revoked';
    }
    if (apiKey && this.options.apiKeyEndings.hasEnded(apiKey, now)) {
      return 'API key revoked or replaced';
    }
    if (expiresAt !== null && now >= expiresAt) {
      return apiKey ? 'API key expired' : 'Access token expired';
    }
    return null;
  }

  private accessGroups(): Iterable<AccessGroup> {
    const groups = new Map<string, AccessGroup>();
    for (const connection of this.connections) {
      const { tenantId, principal } = connection.request;
      if (!tenantId || !principal) continue;
      const id = connection.keyCreator ? `${tenantId}:${connection.keyCreator}` : tenantId;
      let group = groups.get(id);
      if (!group) {
        group = {
          tenantId,
          principalId: connection.keyCreator ?? principal.id,
          keyCreator: connection.keyCreator !== null,
          connections: [],
        };
        groups.set(id, group);
      }
      group.connections.push(connection);
    }
    return groups.values();
  }

  private async checkAccess(group: AccessGroup): Promise<void> {
    let answer;
    try {
      answer = await this.options.roles.resolve(group.tenantId, group.principalId);
      this.unanswered = false;
    } catch (error) {
      if (!this.unanswered) {
        this.options.logger.warn(
          { err: error, tenantId: group.tenantId },
          'could not check open sockets against tenancy; asking again on every tick',
        );
      }
      this.unanswered = true;
      return;
    }
    const reason =
      answer.tenantStatus === null
        ? 'Tenant deleted'
        : answer.tenantStatus === 'SUSPENDED'
          ? 'Tenant suspended'
          : group.keyCreator && !managesKeys(answer.role)
            ? 'API key revoked: its creator no longer manages the tenant'
            : null;
    if (reason) for (const connection of group.connections) this.end(connection, reason);
  }

  private end(connection: WatchedConnection, reason: string): void {
    if (!this.connections.delete(connection)) return;
    connection.end(reason);
  }
}
