import type { DataSource } from 'typeorm';
import type { KeyRing } from '../../../platform/crypto/key-ring';
import { reencryptCall } from '../../../platform/contracts/subgraphs/reencrypt';
import type { RequestHandler } from '../../../platform/http/service-server';
import type { SignedRouteRuntime } from '../../../platform/http/signed-json-route';
import { reencryptRoute } from '../../../platform/subgraph/routes/reencrypt.route';
import { jobsSecretStores } from '../services/webhook-secret-reencryption';

/**
 * The jobs process's HTTP routes beside GraphQL: the key ring rotation's pass over the webhook
 * signing secrets it stores (the worker's `reencrypt-secrets` job calls it).
 */
export function jobsRoutes(
  runtime: SignedRouteRuntime & { dataSource: DataSource },
  keyRing: KeyRing,
): Record<string, RequestHandler> {
  return {
    [reencryptCall.path]: reencryptRoute(runtime, keyRing, jobsSecretStores(runtime.dataSource)),
  };
}
