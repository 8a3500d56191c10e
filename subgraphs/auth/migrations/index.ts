import { CreateUsers1764028800000 } from './1764028800000-create-users';

/** In order; the runner sorts by timestamp across subgraphs. */
export const authMigrations = [CreateUsers1764028800000];
