/** A tenant's rule, or the platform's: what it may watch and where it may send alerts. */
export type RuleOwner = 'tenant' | 'platform';

/** The key that serializes one owner's rule writes and evaluations (advisory locks). */
export function scopeLockKey(tenantId: string | null): string {
  return tenantId ?? 'platform';
}
