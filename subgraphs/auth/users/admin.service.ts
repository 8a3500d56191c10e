import { platformScope } from '../../../platform/db/scope';
import type { RequestContext } from '../../../platform/context/request-context';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '../../../platform/graphql/pagination';
import { parseId } from '../../../platform/graphql/ids';
import type { SessionEntity } from '../entities/session.entity';
import type { UserEntity, UserStatus } from '../entities/user.entity';
import { SessionRepository } from '../repositories/session.repository';
import { UserRepository } from '../repositories/user.repository';
import { SessionService, type SessionServiceDeps } from '../sessions/session.service';
import { isIP } from 'node:net';

/** Admin actions end sessions the way their owners do, so they need what SessionService needs. */
export type AdminServiceDeps = SessionServiceDeps;

/** What platform administrators do to users and sessions across tenants. */
export class AdminService {
  private readonly sessions: SessionService;

  constructor(
    private readonly request: RequestContext,
    private readonly auth: AdminServiceDeps,
  ) {
    this.sessions = new SessionService(request, auth);
  }

  async users(args: {
    first?: number | null;
    after?: string | null;
    search?: string | null;
  }): Promise<Connection<UserEntity>> {
    this.requireAdmin();
    const size = pageSize(args.first);
    const search = args.search?.trim().toLowerCase() || null;
    if (search && search.length > 254)
      throw new ValidationError('search is too long', { field: 'search' });
    const after = decodeCursor(args.after);
    const afterEmail = after?.value ?? null;
    const rows = await platformScope(this.auth.dataSource).read((manager) =>
      new UserRepository(manager).search({ search, limit: size + 1, afterEmail }),
    );
    return toConnection(rows, size, (user) => ({ value: user.email, id: user.id }));
  }

  async user(id: string): Promise<UserEntity | null> {
    this.requireAdmin();
    return new UserRepository(this.auth.dataSource.manager).findById(parseId(id));
  }

  async sessionsOf(userId: string): Promise<SessionEntity[]> {
    this.requireAdmin();
    const sessions = await new SessionRepository(this.auth.dataSource.manager).live(
      parseId(userId),
    );
    return sessions.reverse();
  }

  async revokeSessions(userId: string): Promise<number> {
    this.requireAdmin();
    const ended = await this.sessions.revoke({
      userId: parseId(userId),
      all: true,
      reason: 'admin',
    });
    return ended.length;
  }

  async revokeSessionsByIp(ip: string): Promise<number> {
    this.requireAdmin();
    if (isIP(ip.trim()) === 0)
      throw new ValidationError('ip must be an IPv4 or IPv6 address', { field: 'ip' });
    const ended = await this.sessions.revoke({ ip: ip.trim(), reason: 'admin' });
    return ended.length;
  }

  /** Any status but ACTIVE ends every session of the user at once. */
  async setUserStatus(userId: string, status: UserStatus): Promise<UserEntity> {
    const adminId = this.requireAdmin();
    const id = parseId(userId);
    if (id === adminId && status !== 'ACTIVE') {
      throw new ValidationError('Administrators cannot lock themselves out', { field: 'userId' });
    }
    const { user, revoked } = await platformScope(this.auth.dataSource).run(async (manager) => {
      const users = new UserRepository(manager);
      const existing = await users.findById(id);
      if (!existing) throw new NotFoundError('User');
      await users.setStatus(id, status);
      const ended =
        status === 'ACTIVE'
          ? []
          : await new SessionRepository(manager).revokeAllOfUser(id, 'user_status');
      await appendEvent(manager, {
        type: EventType.USER_STATUS_CHANGED,
        tenantId: null,
        payload: { userId: id, from: existing.status, to: status, sessionsRevoked: ended.length },
      });
      return { user: (await users.findById(id))!, revoked: ended };
    });
    if (revoked.length)
      this.auth.metrics.sessionsRevoked.inc({ reason: 'user_status' }, revoked.length);
    await this.auth.revocations.announce(revoked);
    return user;
  }

  private requireAdmin(): string {
    const principal = this.request.principal;
    if (principal?.kind !== 'user') throw new UnauthenticatedError('Sign in first');
    if (!this.request.platformAdmin) throw new ForbiddenError('Platform administrators only');
    return principal.id;
  }
}

export type UserConnectionModel = Connection<UserEntity>;
