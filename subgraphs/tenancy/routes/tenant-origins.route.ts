import type { SubgraphRuntime } from '../../../platform/graphql';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import {
  TENANT_ORIGINS_BODY_LIMIT_BYTES,
  tenantOriginsRequestSchema,
  type TenantOriginsAnswer,
} from '../../../platform/tenancy';
import { allowedOrigins } from '../services/tenant-settings.service';

/**
 * `POST /internal/tenant-origins`: the browser origins tenants allow, for the gateway's CORS
 * (the questions it may ask are in platform/tenancy/tenant-origins.ts).
 */
export function tenantOriginsRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, {
    name: 'tenant origins lookup',
    bodyLimitBytes: TENANT_ORIGINS_BODY_LIMIT_BYTES,
    schema: tenantOriginsRequestSchema,
    expected: '{"origin"?: an origin, "tenantId"?: UUID}',
    handle: async (question, _context, res) => {
      const answer: TenantOriginsAnswer = {
        origins: await allowedOrigins(runtime.dataSource, question),
      };
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
