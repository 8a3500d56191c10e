import type { z } from 'zod';
import { encryption, refuseDevelopmentEncryptionKeyInProduction } from '../../platform/config';
import type { SubgraphConfig } from '../../platform/graphql';

/** The tenancy subgraph's own variables, validated together with the common ones. */
export const tenancyConfigShape = {
  /** Encrypts the tenants' OAuth client secrets at rest. */
  ...encryption,
};

export type TenancyConfig = SubgraphConfig & z.infer<z.ZodObject<typeof tenancyConfigShape>>;

export const tenancyConfigRules = [refuseDevelopmentEncryptionKeyInProduction];
