import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { byIdLoader } from '../../platform/graphql/by-id-loader';
import type { UserEntity } from './entities/user.entity';
import { UserRepository } from './repositories/user.repository';

export interface AuthLoaders {
  userById: DataLoader<string, UserEntity | null>;
}

/**
 * Per-request loaders: every `User` reference the gateway sends in one `_entities` call
 * becomes a single `WHERE id = ANY(...)` query. Users belong to no tenant and carry no
 * row-level security, so that one statement runs alone: no transaction, no tenant setting
 * (every tenant setting is transaction-local, so a pooled connection outside one has none).
 */
export function createLoaders(dataSource: DataSource): AuthLoaders {
  return {
    userById: byIdLoader(
      (ids) => new UserRepository(dataSource.manager).findByIds(ids),
      (user) => user.id,
    ),
  };
}
