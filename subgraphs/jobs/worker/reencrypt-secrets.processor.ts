import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { reencryptCall } from '../../../platform/contracts/subgraphs/reencrypt';
import type { InternalClient } from '../../../platform/internal-calls/client';
import type { SubgraphName } from '../../../platform/paths';
import type { ReencryptSecretsResult } from '../../../platform/contracts/jobs/reencrypt-secrets-job';

/** Secrets per call: each is a short transaction, and one call stays well under a second. */
const BATCH = 200;
/** Calls to one subgraph before the run gives up on it (200 000 secrets at the batch above). */
const MAX_CALLS_PER_SUBGRAPH = 1_000;

/**
 * The subgraphs that store secrets under the key ring: auth (signing keys), tenancy (OAuth
 * client secrets) and jobs (webhook signing secrets).
 */
const SECRET_OWNERS: readonly SubgraphName[] = ['auth', 'tenancy', 'jobs', 'observability'];

/**
 * The `reencrypt-secrets` job: one pass over every owner's secrets through its signed internal
 * route, batch after batch. Throws when an owner cannot be reached (BullMQ retries), and fails
 * for good when any secret is still under an older key afterwards, naming how many: that key
 * must not leave ENCRYPTION_KEYS yet.
 */
export async function reencryptSecrets(options: {
  internal: InternalClient;
  logger: Logger;
}): Promise<ReencryptSecretsResult> {
  const result: ReencryptSecretsResult = { reencrypted: 0, owners: {} };
  for (const subgraph of SECRET_OWNERS) {
    const owner = { activeKid: '', reencrypted: 0, failed: 0, remaining: 0 };
    let cursor: string | undefined;
    for (let call = 0; ; call += 1) {
      if (call >= MAX_CALLS_PER_SUBGRAPH) {
        throw new Error(`${subgraph} did not finish re-encrypting its secrets`);
      }
      const answer = await options.internal.call(
        reencryptCall,
        { batch: BATCH, ...(cursor === undefined ? {} : { cursor }) },
        { to: subgraph },
      );
      if (owner.activeKid && answer.activeKid !== owner.activeKid) {
        // Two processes of one subgraph with different ENCRYPTION_KEYS: finish the rollout.
        throw new Error(
          `${subgraph} processes disagree on the active key (${owner.activeKid}, ${answer.activeKid})`,
        );
      }
      owner.activeKid = answer.activeKid;
      owner.reencrypted += answer.reencrypted;
      owner.failed += answer.failed;
      owner.remaining = answer.remaining;
      if (answer.cursor === null) break;
      cursor = answer.cursor;
    }
    result.owners[subgraph] = owner;
    result.reencrypted += owner.reencrypted;
  }
  const left = Object.entries(result.owners).filter(([, owner]) => owner.remaining > 0);
  if (left.length > 0) {
    options.logger.error({ ...result }, 'secrets left under an older key');
    // Retrying cannot help until ENCRYPTION_KEYS changes: fail now, visibly.
    throw new UnrecoverableError(
      `secrets still under an older key: ${left
        .map(([name, owner]) => `${name} ${owner.remaining} (${owner.failed} unreadable)`)
        .join(', ')}; keep the old key in ENCRYPTION_KEYS and see the subgraphs' logs`,
    );
  }
  options.logger.info({ ...result }, 'secrets re-encrypted');
  return result;
}
