import {
  decodeCursor,
  encodeCursor,
  type CursorPosition,
  type SubgraphRuntime,
} from '../../../platform/graphql';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import {
  TENANT_RETENTION_BODY_LIMIT_BYTES,
  TENANT_RETENTION_PAGE,
  tenantRetentionRequestSchema,
  type TenantRetentionAnswer,
} from '../../../platform/retention';
import { toSettingsModel } from '../services/tenant-settings-input';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';

/**
 * `POST /internal/tenant-retention`: live tenants with their effective retention days, a page
 * at a time, for the worker's retention purges (platform/retention/tenant-retention.ts). It
 * reads across tenants through `tenancy.list_tenants`, like the platform admins' listing.
 */
export function tenantRetentionRoute(runtime: SubgraphRuntime): RequestHandler {
  const { dataSource } = runtime;
  return signedJsonRoute(runtime, {
    name: 'tenant retention lookup',
    bodyLimitBytes: TENANT_RETENTION_BODY_LIMIT_BYTES,
    schema: tenantRetentionRequestSchema,
    expected: '{"after": null or the previous answer\'s "next"}',
    handle: async ({ after }, _context, res) => {
      let position: CursorPosition | null;
      try {
        position = decodeCursor(after);
      } catch {
        return sendJson(res, 400, { error: 'after is not a "next" of this route' });
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
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
