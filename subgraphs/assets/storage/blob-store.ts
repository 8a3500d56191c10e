import type { Readable } from 'node:stream';

/** Blobs are addressed by tenant and asset id only: never by a name a user chose. */
export interface BlobKey {
  tenantId: string;
  assetId: string;
}

/** Inclusive byte positions, as in an HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where asset bytes live. Every implementation writes a blob once and atomically: a write
 * that fails (client gone, body too long or too short, wrong checksum) leaves nothing behind,
 * and a write for a key that already holds a blob fails with {@link BlobExistsError} instead
 * of replacing it, so bytes verified by completeAssetUpload cannot change afterwards.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /**
   * Stores `body` under `key`. `body` must yield exactly `sizeBytes` bytes (the S3 store sends
   * that length up front); the caller's stream enforces it and errors otherwise.
   */
  write(key: BlobKey, body: Readable, sizeBytes: number): Promise<void>;
  /** The blob's size, or null when there is none. */
  stat(key: BlobKey): Promise<{ sizeBytes: number } | null>;
  /** The blob's bytes (or one range of them), or null when there is none. */
  read(key: BlobKey, range?: ByteRange): Promise<Readable | null>;
  /** Removes the blob; removing one that is not there is not an error. */
  delete(key: BlobKey): Promise<void>;
  /** Throws when the store cannot be reached or written (readiness). */
  check(): Promise<void>;
}

export class BlobExistsError extends Error {
  constructor() {
    super('a blob is already stored under this key');
    this.name = 'BlobExistsError';
  }
}

/** A key whose ids are not canonical UUIDs: refused before any path or URL is built from it. */
export class InvalidBlobKeyError extends Error {
  constructor() {
    super('blob keys are a tenant UUID and an asset UUID');
    this.name = 'InvalidBlobKeyError';
  }
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The key's two path segments, checked: lower-case UUIDs only, so no `..`, separator, NUL or
 * encoding trick can reach a file system path or an object key.
 */
export function blobSegments(key: BlobKey): [tenant: string, asset: string] {
  if (!CANONICAL_UUID.test(key.tenantId) || !CANONICAL_UUID.test(key.assetId)) {
    throw new InvalidBlobKeyError();
  }
  return [key.tenantId, key.assetId];
}
