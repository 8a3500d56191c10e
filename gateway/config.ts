import { z } from 'zod';
import {
  boolean,
  contextSigning,
  environment,
  integer,
  loadConfig,
  port,
  refuseDevelopmentSecretInProduction,
  url,
} from '../platform/config';
import { SUBGRAPH_NAMES, supergraphPath, type SubgraphName } from '../platform/paths';

export const gatewayConfigShape = {
  ...environment,
  ...contextSigning,
  PORT: port(4000),
  GATEWAY_SUPERGRAPH_PATH: z.string().default(supergraphPath()),
  /** `off` serves any supergraph with none of Tessera's tenancy and auth checks. */
  GATEWAY_POLICIES: z.enum(['on', 'off']).default('on'),
  GATEWAY_BODY_LIMIT_BYTES: integer(1024 * 1024, 1024, 64 * 1024 * 1024),
  GATEWAY_SANDBOX: boolean(true),
  GATEWAY_INTROSPECTION: boolean(true),
  /** Trust X-Forwarded-For for the client IP (only behind a proxy that sets it). */
  GATEWAY_TRUST_PROXY: boolean(false),
  SUBGRAPH_AUTH_URL: url(['http', 'https']).optional(),
  SUBGRAPH_TENANCY_URL: url(['http', 'https']).optional(),
  SUBGRAPH_ASSETS_URL: url(['http', 'https']).optional(),
  SUBGRAPH_JOBS_URL: url(['http', 'https']).optional(),
  SUBGRAPH_OBSERVABILITY_URL: url(['http', 'https']).optional(),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env?: NodeJS.ProcessEnv) {
  return loadConfig(gatewayConfigShape, [refuseDevelopmentSecretInProduction], env);
}

/** Subgraph URL overrides by subgraph name; names missing here use the supergraph's URL. */
export function subgraphUrlOverrides(config: GatewayConfig): Partial<Record<string, string>> {
  const byName: Record<SubgraphName, string | undefined> = {
    auth: config.SUBGRAPH_AUTH_URL,
    tenancy: config.SUBGRAPH_TENANCY_URL,
    assets: config.SUBGRAPH_ASSETS_URL,
    jobs: config.SUBGRAPH_JOBS_URL,
    observability: config.SUBGRAPH_OBSERVABILITY_URL,
  };
  return Object.fromEntries(
    SUBGRAPH_NAMES.filter((name) => byName[name]).map((name) => [name, byName[name]]),
  );
}
