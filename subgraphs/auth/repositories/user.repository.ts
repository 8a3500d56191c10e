import { In, type EntityManager } from 'typeorm';
import { UserEntity } from '../entities/user.entity';

/** Every SQL statement about users. Lookups by id use the primary key. */
export class UserRepository {
  constructor(private readonly manager: EntityManager) {}

  findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(UserEntity, { where: { id: In([...ids]) } });
  }
}
