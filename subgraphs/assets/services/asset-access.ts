import { ROLES, type RequestContext, type Role } from '../../../platform/context/request-context';
import { ForbiddenError } from '../../../platform/errors/domain-errors';
import type { AssetEntity } from '../entities/asset.entity';

export const ASSETS_WRITE_SCOPE = 'assets:write';

const atLeast = (role: Role | null, floor: Role) =>
  role !== null && ROLES.indexOf(role) <= ROLES.indexOf(floor);

/**
 * Who may change an asset, beyond the field's own policy (MEMBER, or an API key with
 * assets:write): OWNERs and ADMINs change every asset of the tenant, MEMBERs their own ones.
 * An API key acts for the tenant (only OWNERs and ADMINs create keys), so with assets:write it
 * changes every asset too.
 */
export function assertMayChange(request: RequestContext, asset: AssetEntity): void {
  const principal = request.principal;
  if (request.platformAdmin) return;
  if (principal?.kind === 'apiKey' && request.scopes.includes(ASSETS_WRITE_SCOPE)) return;
  if (principal?.kind === 'user') {
    if (atLeast(request.role, 'ADMIN')) return;
    if (atLeast(request.role, 'MEMBER') && asset.ownerId === principal.id) return;
  }
  throw new ForbiddenError('Only the owner of this asset or an ADMIN may change it');
}
