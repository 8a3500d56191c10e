import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { pipeline, type Readable } from 'node:stream';
import {
  BlobExistsError,
  blobSegments,
  type BlobKey,
  type BlobStore,
  type ByteRange,
} from './blob-store';
import { exactLength } from './exact-length';
import { s3Status, toBlobStoreError } from './s3-errors';

export interface S3StoreOptions {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key`. */
  pathStyle: boolean;
  /** Connect and idle time after which one attempt of a call to the store fails. */
  timeoutMs?: number;
  /** Attempts per call (the SDK retries network failures and 5xx with backoff). */
  maxAttempts?: number;
  /** Bodies longer than this go up as a multipart upload in parts of this size (>= 5 MiB). */
  partSizeBytes?: number;
}

const MIB = 1024 * 1024;
/** Parts of one multipart upload in flight at once: memory per upload is this × part size. */
const PARTS_IN_FLIGHT = 2;
/** 412: the key holds an object already; 409: another conditional write to it is under way. */
const REFUSED_AS_EXISTING = new Set([412, 409]);

/**
 * Blobs as objects `<tenant>/<asset>` in one bucket of any S3-compatible store (AWS S3, MinIO,
 * R2, ...), through the AWS SDK. A blob up to one part goes up as one PutObject, a larger one
 * as a multipart upload; either way the body is buffered part by part and checked against its
 * declared size first, so a body cut short or failing stores nothing (a failed multipart
 * upload is aborted). `If-None-Match: *` on PutObject and CompleteMultipartUpload makes the
 * store refuse to replace an existing object, which is how a blob stays written once.
 * Failures to reach or use the store are {@link BlobStoreError}s (SERVICE_UNAVAILABLE).
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly partSizeBytes: number;

  constructor(private readonly options: S3StoreOptions) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.partSizeBytes = Math.max(options.partSizeBytes ?? 8 * MIB, 5 * MIB);
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.pathStyle,
      credentials: {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
      },
      maxAttempts: options.maxAttempts ?? 3,
      // Checksums only where S3 requires them: the SDK's default (CRC32 trailers on every
      // upload) is not understood by every S3-compatible store.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
  }

  async write(key: BlobKey, body: Readable, sizeBytes: number): Promise<void> {
    const Key = this.objectKey(key);
    // pipeline (not pipe) so that a failing body fails the checked stream the upload reads.
    const checked = pipeline(body, exactLength(sizeBytes), () => undefined);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.options.bucket,
        Key,
        Body: checked,
        ContentType: 'application/octet-stream',
        IfNoneMatch: '*',
      },
      partSize: this.partSizeBytes,
      queueSize: PARTS_IN_FLIGHT,
      // Aborted below instead, so that a failing abort cannot hide why the upload failed.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      if (upload.uploadId) await this.abortParts(Key, upload.uploadId);
      const status = s3Status(error);
      if (status !== null && REFUSED_AS_EXISTING.has(status)) throw new BlobExistsError();
      throw toBlobStoreError('PutObject', error);
    }
  }

  async stat(key: BlobKey): Promise<{ sizeBytes: number } | null> {
    const Key = this.objectKey(key);
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key }),
      );
      return { sizeBytes: head.ContentLength ?? 0 };
    } catch (error) {
      if (s3Status(error) === 404) return null;
      throw toBlobStoreError('HeadObject', error);
    }
  }

  async read(key: BlobKey, range?: ByteRange): Promise<Readable | null> {
    const Key = this.objectKey(key);
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // In Node the SDK's body is the response stream itself.
      return object.Body as Readable;
    } catch (error) {
      if (s3Status(error) === 404) return null;
      throw toBlobStoreError('GetObject', error);
    }
  }

  async delete(key: BlobKey): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key }));
    } catch (error) {
      if (s3Status(error) === 404) return;
      throw toBlobStoreError('DeleteObject', error);
    }
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      throw toBlobStoreError('HeadBucket', error);
    }
  }

  /**
   * Drops a failed multipart upload's parts. Best effort: when the store is unreachable the
   * parts stay, invisible (they are no object), until the bucket's lifecycle rule for
   * incomplete multipart uploads removes them.
   */
  private async abortParts(Key: string, UploadId: string): Promise<void> {
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key, UploadId }))
      .catch(() => undefined);
  }

  /** Releases the client's sockets (tests, shutdown). */
  close(): void {
    this.client.destroy();
  }

  private objectKey(key: BlobKey): string {
    const [tenant, asset] = blobSegments(key);
    return `${tenant}/${asset}`;
  }
}
