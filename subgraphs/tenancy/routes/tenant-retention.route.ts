import {
  decodeCursor,
  encodeCursor,
  type CursorPosition,
} from '../../../platform/graphql/pagination';
import { type SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import {
  TENANT_RETENTION_PAGE,
  tenantRetentionCall,
  type TenantRetentionAnswer,
} from '../../../platform/contracts/tenancy/tenant-retention';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { toSettingsModel } from '../services/tenant-settings-input';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';

/**
 * `POST /internal/tenant-retention`: live tenants with their effective retention days, a page
 * at a time, for the worker's retention purges (platform/contracts/tenancy/). It
 * reads across tenants through `tenancy.list_tenants`, like the platform admins' listing.
 */
export function tenantRetentionRoute(runtime: SubgraphRuntime): RequestHandler {
  const { dataSource } = runtime;
  return signedJsonRoute(runtime, tenantRetentionCall, async ({ after }) => {
    let position: CursorPosition | null;
    try {
      position = decodeCursor(after);
    } catch {
      throw new ValidationError('after is not a "next" of this route');
    }
    const listed = await new TenantLifecycleRepository(dataSource.manager).list({
      status: null,
      after: position,
      limit: TENANT_RETENTION_PAGE + 1,
    });
    const page = listed.slice(0, TENANT_RETENTION_PAGE);
    const last = page[page.length - 1];
    const answer: TenantRetentionAnswer = {
      tenants: page.map(({ tenant, settings }) => ({
        tenantId: tenant.id,
        retentionDays: toSettingsModel(settings).retentionDays,
      })),
      next: listed.length > TENANT_RETENTION_PAGE && last ? encodeCursor(last.position) : null,
    };
    return answer;
  });
}
