import { PayloadTooLargeError, ValidationError } from '../../../platform/errors/domain-errors';

export const ASSET_INPUT_LIMITS = {
  name: 255,
  contentType: 127,
  tags: 50,
  tag: 64,
  metadataBytes: 16 * 1024,
};

const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const CHECKSUM = /^[0-9a-f]{64}$/i;
// C0 and C1 controls, DEL, bidirectional overrides and isolates (they make "txt.exe" display
// as "exe.txt"), zero-width characters and the byte-order mark: matching them is the point.
const UNSAFE_SOURCE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.source;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_SOURCE, 'g');
const HAS_UNSAFE_CHARACTER = new RegExp(UNSAFE_SOURCE);

/**
 * A display name from what a client sent: Unicode-normalized, without control or
 * direction-changing characters, with path separators replaced. The name is only ever shown
 * (and sent as a download's file name); storage paths never contain it.
 */
export function sanitizeName(raw: string): string {
  const name = raw
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(/[/\\]/g, '_')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (name === '' || /^\.+$/.test(name)) {
    throw new ValidationError('name must contain something besides spaces and dots', {
      field: 'name',
    });
  }
  if ([...name].length > ASSET_INPUT_LIMITS.name) {
    throw new ValidationError(`name is longer than ${ASSET_INPUT_LIMITS.name} characters`, {
      field: 'name',
    });
  }
  return name;
}

/** `type/subtype` in lower case, without parameters, and one the configuration allows. */
export function parseContentType(raw: string, allowed: readonly string[]): string {
  const contentType = raw.trim().toLowerCase();
  if (contentType.length > ASSET_INPUT_LIMITS.contentType || !CONTENT_TYPE.test(contentType)) {
    throw new ValidationError('contentType must be a media type such as image/png', {
      field: 'contentType',
    });
  }
  const [type] = contentType.split('/');
  const permitted = allowed.some(
    (pattern) => pattern === '*/*' || pattern === contentType || pattern === `${type}/*`,
  );
  if (!permitted) {
    throw new ValidationError(`contentType ${contentType} is not accepted here`, {
      field: 'contentType',
    });
  }
  return contentType;
}

/** Declared size: a whole number of bytes, within the per-asset limit. */
export function parseSize(sizeBytes: number, maxBytes: number): number {
  if (!Number.isInteger(sizeBytes) || sizeBytes < 0) {
    throw new ValidationError('sizeBytes must be a whole number of bytes', {
      field: 'sizeBytes',
    });
  }
  if (sizeBytes > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return sizeBytes;
}

/** Trimmed, de-duplicated tags in the order given. */
export function parseTags(raw: readonly string[]): string[] {
  const tags = [...new Set(raw.map((tag) => tag.normalize('NFC').trim()))];
  if (tags.length > ASSET_INPUT_LIMITS.tags) {
    throw new ValidationError(`An asset takes at most ${ASSET_INPUT_LIMITS.tags} tags`, {
      field: 'tags',
    });
  }
  for (const tag of tags) {
    if (tag === '' || [...tag].length > ASSET_INPUT_LIMITS.tag || HAS_UNSAFE_CHARACTER.test(tag)) {
      throw new ValidationError(`Each tag is 1 to ${ASSET_INPUT_LIMITS.tag} printable characters`, {
        field: 'tags',
      });
    }
  }
  return tags;
}

/** A JSON object of bounded size; jsonb cannot hold U+0000, so it is refused here. */
export function parseMetadata(raw: unknown): Record<string, unknown> | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('metadata must be a JSON object', { field: 'metadata' });
  }
  const json = JSON.stringify(raw);
  if (Buffer.byteLength(json, 'utf8') > ASSET_INPUT_LIMITS.metadataBytes) {
    throw new ValidationError(
      `metadata is larger than ${ASSET_INPUT_LIMITS.metadataBytes} bytes of JSON`,
      { field: 'metadata' },
    );
  }
  if (json.includes('\\u0000')) {
    throw new ValidationError('metadata contains a NUL character', { field: 'metadata' });
  }
  return raw as Record<string, unknown>;
}

/** A SHA-256 in hex, lower-cased, or null when none was given. */
export function parseChecksum(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  if (!CHECKSUM.test(raw)) {
    throw new ValidationError('checksumSha256 must be 64 hex digits', {
      field: 'checksumSha256',
    });
  }
  return raw.toLowerCase();
}
