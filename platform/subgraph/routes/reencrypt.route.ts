import { reencryptCall, type ReencryptAnswer } from '../../contracts/subgraphs/reencrypt';
import { DecryptionError, type KeyRing } from '../../crypto/key-ring';
import { ValidationError } from '../../errors/domain-errors';
import { signedJsonRoute, type SignedRouteRuntime } from '../../http/signed-json-route';
import { type RequestHandler } from '../../http/service-server';

/**
 * One column (or set of columns) of key ring envelopes a subgraph owns, e.g. the signing keys'
 * private halves. Items are listed in a stable order by `id`, which is also the pass's cursor.
 */
export interface SecretStore<T extends { id: string } = { id: string }> {
  /** `schema.table`, in logs. */
  name: string;
  /** Up to `limit` items whose envelope is not under `activeKid`, after `after` by id. */
  list(activeKid: string, after: string | null, limit: number): Promise<T[]>;
  /**
   * Re-reads the item under a row lock and rewrites each of its envelopes still under another
   * key with `keyRing.reencrypt(envelope, sameAad)`: how many it rewrote (0 when another call
   * got there first or the item is gone). Throws {@link DecryptionError} when it cannot, having
   * written nothing.
   */
  rewrite(item: T, keyRing: KeyRing): Promise<number>;
  /** How many envelopes are not under `activeKid`. */
  countStale(activeKid: string): Promise<number>;
}

/**
 * A store of any item type: the route only hands each store's items back to that store, which
 * is why `rewrite`, a method, may take a narrower item than `{ id }` here.
 */
export type AnySecretStore = SecretStore;

/**
 * `POST /internal/reencrypt` of a subgraph (platform/contracts/subgraphs/reencrypt.ts): rewrites up
 * to `batch` of its secrets that are not under the active key, store after store, and answers
 * what it did, what is left and where to go on.
 */
export function reencryptRoute(
  runtime: SignedRouteRuntime,
  keyRing: KeyRing,
  stores: readonly AnySecretStore[],
): RequestHandler {
  const { logger } = runtime;
  return signedJsonRoute(runtime, reencryptCall, async ({ batch, cursor }) => {
    const activeKid = keyRing.activeKid;
    let position = parseCursor(cursor, stores.length);
    if (!position) throw new ValidationError('cursor is not one this route gave');
    let budget = batch;
    let reencrypted = 0;
    let failed = 0;
    while (budget > 0 && position.store < stores.length) {
      const store: AnySecretStore = stores[position.store]!;
      const items = await store.list(activeKid, position.after, budget);
      for (const item of items) {
        try {
          reencrypted += await store.rewrite(item, keyRing);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          failed += 1;
          // The id says which row; the reason and kid say why. Never the envelope itself.
          logger.error(
            { store: store.name, id: item.id, reason: error.reason, kid: error.kid },
            'stored secret cannot be re-encrypted',
          );
        }
        position = { store: position.store, after: item.id };
      }
      budget -= items.length;
      if (budget > 0) position = { store: position.store + 1, after: null };
    }
    let remaining = 0;
    for (const store of stores) remaining += await store.countStale(activeKid);
    const answer: ReencryptAnswer = {
      reencrypted,
      failed,
      remaining,
      cursor: position.store < stores.length ? formatCursor(position) : null,
      activeKid,
    };
    if (reencrypted > 0 || failed > 0) logger.info(answer, 'secrets re-encrypted');
    return answer;
  });
}

interface Position {
  store: number;
  after: string | null;
}

function formatCursor(position: Position): string {
  return `${position.store}:${position.after ?? ''}`;
}

function parseCursor(cursor: string | undefined, stores: number): Position | null {
  if (cursor === undefined) return { store: 0, after: null };
  const match = /^(\d{1,3}):(.*)$/.exec(cursor);
  if (!match || Number(match[1]) > stores) return null;
  return { store: Number(match[1]), after: match[2] === '' ? null : match[2]! };
}
