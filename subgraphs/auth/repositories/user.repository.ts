import type { EntityManager } from 'typeorm';
import { UserEntity, type UserStatus } from '../entities/user.entity';

interface UserRow {
  id: string;
  email: string;
  display_name: string | null;
  email_verified: boolean;
  status: UserStatus;
  platform_role: 'ADMIN' | null;
  created_at: Date;
  updated_at: Date;
}

/** Every column a read returns (never the password hash). */
const USER_COLUMNS =
  'id, email, display_name, email_verified, status, platform_role, created_at, updated_at';

/** Every SQL statement about users. Lookups use the primary key or the unique email index. */
export class UserRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Plain SQL, not `find`: every `User` another subgraph returns is resolved here, and
   * TypeORM's query building and row transformation cost more than the statement itself.
   */
  async findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return [];
    const rows: UserRow[] = await this.manager.query(
      `SELECT ${USER_COLUMNS} FROM auth.users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toUser);
  }

  async findById(id: string): Promise<UserEntity | null> {
    const rows: UserRow[] = await this.manager.query(
      `SELECT ${USER_COLUMNS} FROM auth.users WHERE id = $1`,
      [id],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** The active accounts among `emails` (lower case) whose email is verified. */
  async findVerifiedByEmails(emails: readonly string[]): Promise<{ id: string; email: string }[]> {
    return this.manager.query(
      `SELECT id, email FROM auth.users
        WHERE email = ANY($1::text[]) AND email_verified AND status = 'ACTIVE'`,
      [emails],
    );
  }

  /** With the password hash, which no other read selects. */
  findCredentialsByEmail(email: string): Promise<UserEntity | null> {
    return this.manager
      .createQueryBuilder(UserEntity, 'user')
      .addSelect('user.passwordHash')
      .where('user.email = :email', { email })
      .getOne();
  }

  findCredentialsById(id: string): Promise<UserEntity | null> {
    return this.manager
      .createQueryBuilder(UserEntity, 'user')
      .addSelect('user.passwordHash')
      .where('user.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** Locks the user's row until the transaction ends, so callers counting its rows go one at a time. */
  async lockForUpdate(id: string): Promise<void> {
    await this.manager.query(`SELECT 1 FROM auth.users WHERE id = $1 FOR UPDATE`, [id]);
  }

  /** Whether the user can sign in with a password or a passkey (besides any OAuth link). */
  async hasPasswordOrPasskey(id: string): Promise<boolean> {
    const [row] = await this.manager.query<{ password: boolean; passkey: boolean }[]>(
      `SELECT (u.password_hash IS NOT NULL) AS password,
              EXISTS (SELECT 1 FROM auth.passkeys p WHERE p.user_id = u.id) AS passkey
         FROM auth.users u WHERE u.id = $1`,
      [id],
    );
    return Boolean(row?.password || row?.passkey);
  }

  /** Inserts unless the email is taken; null when it is. */
  async insert(user: {
    email: string;
    /** Null for accounts that sign in only through OAuth or a passkey. */
    passwordHash: string | null;
    displayName: string | null;
    emailVerified?: boolean;
  }): Promise<UserEntity | null> {
    const rows = await this.manager.query<{ id: string }[]>(
      `INSERT INTO auth.users (email, password_hash, display_name, email_verified)
       VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [user.email, user.passwordHash, user.displayName, user.emailVerified ?? false],
    );
    return rows[0] ? this.findById(rows[0].id) : null;
  }

  async update(
    id: string,
    changes: Partial<Pick<UserEntity, 'displayName' | 'passwordHash' | 'emailVerified' | 'status'>>,
  ): Promise<void> {
    await this.manager.update(UserEntity, { id }, { ...changes, updatedAt: () => 'now()' });
  }

  async setStatus(id: string, status: UserStatus): Promise<void> {
    await this.update(id, { status });
  }

  search(options: { search: string | null; limit: number; afterEmail: string | null }) {
    const query = this.manager
      .createQueryBuilder(UserEntity, 'user')
      .orderBy('user.email', 'ASC')
      .limit(options.limit);
    if (options.search) {
      query.andWhere(`user.email LIKE :pattern ESCAPE '\\'`, {
        pattern: `%${options.search.replace(/[\\%_]/g, '\\$&')}%`,
      });
    }
    if (options.afterEmail) query.andWhere('user.email > :after', { after: options.afterEmail });
    return query.getMany();
  }
}

function toUser(row: UserRow): UserEntity {
  return Object.assign(new UserEntity(), {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    emailVerified: row.email_verified,
    status: row.status,
    platformRole: row.platform_role,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
