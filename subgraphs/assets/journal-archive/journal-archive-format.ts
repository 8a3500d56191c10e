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
 * the digest of their ids that events.drop_journal_partition computes over the partition: the
 * exact sum of the first 64 bits of each id's md5, read as a signed integer.
 */
export async function summarizeArchive(
  gzipped: Readable,
): Promise<{ rows: number; idsDigest: string }> {
  let digest = 0n;
  let rows = 0;
  for await (const row of archiveRows(gzipped)) {
    const md5 = createHash('md5').update(String(row.id)).digest('hex');
    digest += BigInt.asIntN(64, BigInt(`0x${md5.slice(0, 16)}`));
    rows += 1;
  }
  return { rows, idsDigest: digest.toString() };
}
