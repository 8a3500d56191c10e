import { z } from 'zod';
import { MAX_ORIGIN_LENGTH } from './tenant-settings';

/**
 * The tenancy process's internal lookup of the browser origins tenants allow, for the
 * gateway's CORS: `POST TENANT_ORIGINS_PATH` with a signed service context and
 * {@link TenantOriginsRequest}, answered with {@link TenantOriginsAnswer}.
 *
 * - `{}`: every origin any tenant allows (sorted, distinct), to load the whole set and refresh
 *   it periodically;
 * - `{ origin }`: `[origin]` when some tenant allows it, else `[]`: one cacheable question per
 *   Origin header (a preflight carries no tenant);
 * - `{ tenantId }`: that tenant's origins; `{ tenantId, origin }`: `[origin]` when that tenant
 *   allows it.
 *
 * The origin asked about is compared after the same normalization as stored origins (lower
 * case, default port dropped); one that cannot be an origin answers `[]`. Deleted tenants allow
 * nothing; suspended ones keep their origins, so their frontends can read the 403
 * TENANT_SUSPENDED answer instead of a CORS failure.
 */
export const TENANT_ORIGINS_PATH = '/internal/tenant-origins';

export const TENANT_ORIGINS_BODY_LIMIT_BYTES = 4 * 1024;

export const tenantOriginsRequestSchema = z.object({
  origin: z
    .string()
    .max(MAX_ORIGIN_LENGTH * 2)
    .optional(),
  tenantId: z.uuid().optional(),
});
export type TenantOriginsRequest = z.infer<typeof tenantOriginsRequestSchema>;

export const tenantOriginsAnswerSchema = z.object({ origins: z.array(z.string()) });
export type TenantOriginsAnswer = z.infer<typeof tenantOriginsAnswerSchema>;
