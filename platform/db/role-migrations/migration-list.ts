import { MoveGrantsToServiceRoles1765004000000 } from './1765004000000-move-grants-to-service-roles';

/** What concerns every schema at once: the service roles' grants. */
export const roleMigrations = [MoveGrantsToServiceRoles1765004000000];
