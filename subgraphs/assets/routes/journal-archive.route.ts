import { journalArchiveCall } from '../../../platform/contracts/assets/journal-archive';
import { ConflictError } from '../../../platform/errors/domain-errors';
import { signedJsonRoute, type SignedRouteRuntime } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import {
  archiveExpiredPartitions,
  type JournalArchiverOptions,
} from '../journal-archive/journal-archiver';

const DAY_MS = 86_400_000;

/**
 * `POST /internal/journal-archive` (platform/contracts/assets/journal-archive.ts), for the
 * worker's events retention. A cutoff less than a day old is refused before anything is read:
 * the database refuses it too, but a month still being written is not worth reading.
 */
export function journalArchiveRoute(
  runtime: SignedRouteRuntime,
  options: JournalArchiverOptions,
): RequestHandler {
  return signedJsonRoute(runtime, journalArchiveCall, async (request) => {
    const before = new Date(request.before);
    if (before.getTime() > Date.now() - DAY_MS) {
      throw new ConflictError('journal months are archived a day after they end, at the earliest');
    }
    return archiveExpiredPartitions(options, before);
  });
}
