import type { KeyRing } from '../../../platform/crypto/key-ring';

/** The event a delivery carries, from the journal or made up for a test. */
export interface DeliveredEvent {
  id: string;
  tenantId: string;
  /** The journal's per-tenant seq; "0" for a test event. */
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  occurredAt: Date | string;
}

/**
 * The JSON body of a delivery: Standard Webhooks' `type`, `timestamp` and `data`, plus the
 * event's id, tenant and seq (a receiver orders by seq: deliveries may arrive out of order).
 */
export function deliveryBody(event: DeliveredEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    tenantId: event.tenantId,
    seq: event.seq,
    data: event.payload,
  });
}

export interface EndpointSecrets {
  id: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

/**
 * The secrets that sign now, newest first: the current one, and the one it replaced while its
 * rotation grace period lasts. Both are encrypted under the endpoint's id, so an envelope
 * copied onto another endpoint does not decrypt.
 */
export function liveSecrets(
  keyRing: Pick<KeyRing, 'decrypt'>,
  endpoint: EndpointSecrets,
  now: Date = new Date(),
): string[] {
  const secrets = [keyRing.decrypt(endpoint.secretCiphertext, endpoint.id)];
  if (
    endpoint.previousSecretCiphertext &&
    endpoint.previousSecretExpiresAt &&
    endpoint.previousSecretExpiresAt > now
  ) {
    secrets.push(keyRing.decrypt(endpoint.previousSecretCiphertext, endpoint.id));
  }
  return secrets;
}
