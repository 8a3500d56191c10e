export const OUTBOUND_FAILURE_REASONS = [
  'invalid-url',
  'blocked-address',
  'dns-failure',
  'timeout',
  'connect-failure',
  'too-large',
  'tls-failure',
] as const;

export type OutboundFailureReason = (typeof OUTBOUND_FAILURE_REASONS)[number];

/**
 * Why an outbound request was refused or failed. Messages name the origin at most (never the
 * path or query, which may carry tokens), never a resolved internal address and never a byte
 * of the response, so a caller may show them to the tenant who chose the URL.
 */
export class OutboundRequestError extends Error {
  constructor(
    readonly reason: OutboundFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundRequestError';
  }
}
