import { z } from 'zod';
import { metadataAddressesIn, parseCidr } from '../outbound/address-filter';
import { OUTBOUND_DEFAULTS, type OutboundPolicy } from '../outbound/policy';
import { integer, list } from './fields';
import type { ConfigRule } from './load';

export const outbound = {
  OUTBOUND_ALLOWED_CIDRS: list(
    z
      .string()
      .refine(
        (value) => parseCidr(value) !== undefined,
        'each entry must be a CIDR such as 10.0.0.0/8 or fd00::/8',
      ),
    '',
  ).describe(
    'Comma-separated CIDRs Tessera may reach although they are not public (e.g. an internal range an operator serves OAuth or webhooks from). Empty by default: only public addresses.',
  ),
  OUTBOUND_TIMEOUT_MS: integer(OUTBOUND_DEFAULTS.timeoutMs, 100, 120_000).describe(
    'One deadline per request: DNS, connect, TLS and the whole response.',
  ),
  OUTBOUND_MAX_RESPONSE_BYTES: integer(
    OUTBOUND_DEFAULTS.maxResponseBytes,
    1,
    64 * 1024 * 1024,
  ).describe('The most of an outbound answer ever read.'),
};

export type OutboundConfig = z.infer<z.ZodObject<typeof outbound>>;

export function outboundPolicyFromConfig(config: OutboundConfig): OutboundPolicy {
  return {
    allowedCidrs: [...config.OUTBOUND_ALLOWED_CIDRS],
    timeoutMs: config.OUTBOUND_TIMEOUT_MS,
    maxResponseBytes: config.OUTBOUND_MAX_RESPONSE_BYTES,
  };
}

/**
 * Metadata endpoints hand out the cloud credentials of the machine, so no exception may open
 * them in production. The address filter refuses them anyway; this makes the mistake loud.
 */
export const refuseMetadataCidrsInProduction: ConfigRule<{
  NODE_ENV: string;
  OUTBOUND_ALLOWED_CIDRS: string[];
}> = (config) => {
  if (config.NODE_ENV !== 'production') return [];
  const found = metadataAddressesIn(config.OUTBOUND_ALLOWED_CIDRS);
  return found.length === 0
    ? []
    : [
        {
          variable: 'OUTBOUND_ALLOWED_CIDRS',
          message: `must not contain cloud metadata addresses (${found.join(', ')}) when NODE_ENV=production`,
        },
      ];
};
