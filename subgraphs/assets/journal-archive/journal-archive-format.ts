import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PLATFORM_SCOPE } from '../../../platform/events/append-event';
import type { BlobKey } from '../storage/blob-store';

/**
 * A journal archive: one month partition's rows, one JSON object per line (every column, as
 * `to_jsonb` writes it), gzip-compressed, stored once in the asset store under the platform's
 * (nil uuid) tenant segment and the archive's id, which events.journal_archives records.
 */
export function archiveKey(archiveId: string): BlobKey {
  return { tenantId: PLATFORM_SCOPE, assetId: archiveId };
}

/** The archive's rows, in order; a line that is not a JSON object stops it with an error. */
export async function* archiveRows(gzipped: Readable): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: gzipped.pipe(createGunzip()), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.length === 0) continue;
    const row: unknown = JSON.parse(line);
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new Error(`archive line ${number} is not a journal row`);
    }
    yield row as Record<string, unknown>;
  }
}

/** How many rows the archive holds, reading it whole (the check before a partition is dropped). */
export async function countArchiveRows(gzipped: Readable): Promise<number> {
  let rows = 0;
  for await (const _row of archiveRows(gzipped)) rows += 1;
  return rows;
}
