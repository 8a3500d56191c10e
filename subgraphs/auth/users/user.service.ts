import type { RequestContext } from '../../../platform/context/request-context';
import { isUuid } from '../../../platform/graphql/ids';
import type { UserEntity } from '../entities/user.entity';
import type { AuthLoaders } from '../loaders';

/** Reads of user accounts on behalf of one request. */
export class UserService {
  constructor(
    private readonly request: RequestContext,
    private readonly loaders: AuthLoaders,
  ) {}

  /** The signed-in user; null for anonymous callers and API keys (which are not users). */
  async me(): Promise<UserEntity | null> {
    const principal = this.request.principal;
    if (principal?.kind !== 'user') return null;
    return this.loaders.userById.load(principal.id);
  }

  /** A user this subgraph refers to itself (an API key's creator). */
  byId(id: string): Promise<UserEntity | null> {
    return this.loaders.userById.load(id);
  }

  /** `User.platformAdmin`: to the user and to platform admins; null to anyone else. */
  platformAdminOf(user: UserEntity): boolean | null {
    const principal = this.request.principal;
    const self = principal?.kind === 'user' && principal.id === user.id;
    if (!self && !this.request.platformAdmin) return null;
    return user.platformRole === 'ADMIN';
  }

  /** Resolves a `User` reference from another subgraph; unknown ids resolve to null. */
  async byReference(id: string): Promise<UserEntity | null> {
    if (!isUuid(id)) return null;
    return this.loaders.userById.load(id.toLowerCase());
  }
}
