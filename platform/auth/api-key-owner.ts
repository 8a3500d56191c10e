/**
 * Auth's internal route that names the user who created the API key of a signed request
 * context (the gateway-signed context a subgraph forwards). The assets subgraph asks it so
 * that what a program uploads has a user as its owner. It answers only for the key in the
 * context, so it reveals nothing a caller holding that key could not already act as.
 */
export const API_KEY_OWNER_PATH = '/internal/api-keys/owner';

export interface ApiKeyOwnerAnswer {
  /** Null when the creating user is gone. */
  userId: string | null;
}
