import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';
import { MAX_ORIGIN_LENGTH } from './tenant-settings';

/**
 * The browser origins tenants allow, for the gateway's CORS:
 *
 * - `{}`: every origin any tenant allows (sorted, distinct);
 * - `{ origin }`: `[origin]` when some tenant allows it, else `[]` (a preflight names no
 *   tenant);
 * - `{ tenantId }`: that tenant's origins; `{ tenantId, origin }`: `[origin]` when that tenant
 *   allows it (a request names its tenant in X-Tenant-Id).
 *
 * The origin asked about is compared after the same normalization as stored origins (lower
 * case, default port dropped); one that cannot be an origin answers `[]`. Deleted tenants allow
 * nothing; suspended ones keep their origins, so their frontends can read the 403
 * TENANT_SUSPENDED answer instead of a CORS failure.
 */
export const tenantOriginsCall = defineInternalCall({
  name: 'the tenant origins lookup',
  path: '/internal/tenant-origins',
  servedBy: ['tenancy'],
  callers: ['gateway'],
  mutating: false,
  request: z.object({
    origin: z
      .string()
      .max(MAX_ORIGIN_LENGTH * 2)
      .optional(),
    tenantId: z.uuid().optional(),
  }),
  answer: z.object({ origins: z.array(z.string()) }),
  timeoutMs: 1_000,
  bodyLimitBytes: 4 * 1024,
});
export type TenantOriginsRequest = z.infer<typeof tenantOriginsCall.request>;
