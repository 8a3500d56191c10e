import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { UserEntity } from './entities/user.entity';
import { UserRepository } from './repositories/user.repository';

export interface AuthLoaders {
  userById: DataLoader<string, UserEntity | null>;
}

/**
 * Per-request loaders: every `User` reference the gateway sends in one `_entities` call
 * becomes a single `WHERE id = ANY(...)` query.
 */
export function createLoaders(dataSource: DataSource): AuthLoaders {
  return {
    userById: new DataLoader(async (ids) => {
      const users = await new UserRepository(dataSource.manager).findByIds(ids);
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
