/**
 * What Tessera may do when it sends a request to an address a tenant chose (OAuth token and
 * userinfo endpoints, webhook deliveries). Built from config by `outboundPolicyFromConfig`.
 */
export interface OutboundPolicy {
  /**
   * Exceptions to the address filter, as CIDRs (e.g. `127.0.0.0/8` in tests, or an internal
   * range an operator deliberately serves hooks from). Cloud metadata addresses stay refused
   * even inside an exception.
   */
  allowedCidrs: string[];
  /** One deadline for the whole request: DNS, connect, TLS, response headers and body. */
  timeoutMs: number;
  /** The most response body bytes ever read. */
  maxResponseBytes: number;
}

export const OUTBOUND_DEFAULTS = {
  timeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
} as const;
