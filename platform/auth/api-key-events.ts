/** What the auth process answers when the gateway asks about a key. */
export interface VerifiedApiKey {
  id: string;
  tenantId: string;
  scopes: string[];
  /** ISO time, or null for a key that does not expire. */
  expiresAt: string | null;
  /**
   * The user who created it: the key works only while that user is an OWNER or ADMIN of the
   * tenant. Null for keys whose creator is not recorded.
   */
  createdBy: string | null;
}

export const API_KEY_VERIFY_PATH = '/internal/api-keys/verify';
