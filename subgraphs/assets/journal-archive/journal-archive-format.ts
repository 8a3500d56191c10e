import { createHash } from 'node:crypto';
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

/**
 * What the archive holds, read whole (the check before a partition is dropped): its rows, and
 * the md5 of their ids in order, comma-separated, which the database computes the same way
 * over the partition (ids are written in uuid order, which is their text order).
 */
export async function summarizeArchive(
  gzipped: Readable,
): Promise<{ rows: number; idsMd5: string }> {
  const digest = createHash('md5');
  let rows = 0;
  for await (const row of archiveRows(gzipped)) {
    digest.update(rows === 0 ? String(row.id) : `,${String(row.id)}`);
    rows += 1;
  }
  return { rows, idsMd5: digest.digest('hex') };
}
