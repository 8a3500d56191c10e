import type { SubgraphRuntime } from '../../../platform/graphql';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import {
  TENANT_STATUS_BODY_LIMIT_BYTES,
  tenantStatusRequestSchema,
  type TenantStatusAnswer,
} from '../../../platform/tenancy';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';

/**
 * `POST /internal/tenant-status`: which of these tenants are live, and their status, for the
 * services that pause a suspended tenant's background work (see platform/tenancy/tenant-status.ts).
 */
export function tenantStatusRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, {
    name: 'tenant status lookup',
    bodyLimitBytes: TENANT_STATUS_BODY_LIMIT_BYTES,
    schema: tenantStatusRequestSchema,
    expected: '{"tenantIds": [UUID, ...]}',
    handle: async ({ tenantIds }, _context, res) => {
      const answer: TenantStatusAnswer = {
        tenants: await new TenantLifecycleRepository(runtime.dataSource.manager).statuses(
          tenantIds.map((id) => id.toLowerCase()),
        ),
      };
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
