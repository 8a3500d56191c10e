import { z } from 'zod';
import { defineInternalCall } from '../../internal-calls/contract';

/**
 * The user who created the API key of the request context the call carries (assets signs the
 * context of the request it serves). Assets asks so that what a program uploads has a user as
 * its owner. It answers only for the key in the context, so it reveals nothing a caller
 * holding that key could not already act as. `userId` is null when the creator is gone.
 */
export const apiKeyOwnerCall = defineInternalCall({
  name: 'the API key owner lookup',
  path: '/internal/api-keys/owner',
  servedBy: ['auth'],
  callers: ['assets'],
  mutating: false,
  request: z.object({}).strict(),
  answer: z.object({ userId: z.uuid().nullable() }),
  timeoutMs: 2_000,
  bodyLimitBytes: 1024,
});
