import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobExistsError,
  blobSegments,
  type BlobKey,
  type BlobStore,
  type ByteRange,
} from './blob-store';
import { EMPTY_SHA256, signV4, UNSIGNED_PAYLOAD, uriEncode, type SigV4Credentials } from './sigv4';

export interface S3StoreOptions {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key`. */
  pathStyle: boolean;
  /** Idle time after which a call to the store fails. */
  timeoutMs?: number;
}

/** An S3 answer the store did not expect; the message carries the status, never credentials. */
export class S3RequestError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    detail: string,
  ) {
    super(`S3 ${operation} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'S3RequestError';
  }
}

/**
 * Blobs as objects `<tenant>/<asset>` in one bucket of any S3-compatible store (AWS S3, MinIO,
 * R2, ...), over plain node:http(s) with Signature V4. Uploads stream with `UNSIGNED-PAYLOAD`
 * and a fixed Content-Length, so the object exists only once every byte arrived: a body cut
 * short by the caller stores nothing. `If-None-Match: *` makes the store refuse to replace an
 * existing object (412), which is how a blob stays written once.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly credentials: SigV4Credentials;
  /** `scheme://host[/bucket]`, without a trailing slash. */
  private readonly base: string;

  constructor(private readonly options: S3StoreOptions) {
    this.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
      service: 's3',
    };
    const endpoint = new URL(options.endpoint);
    this.base = options.pathStyle
      ? `${endpoint.origin}/${uriEncode(options.bucket)}`
      : `${endpoint.protocol}//${options.bucket}.${endpoint.host}`;
  }

  async write(key: BlobKey, body: Readable, sizeBytes: number): Promise<void> {
    const response = await this.send('PUT', this.objectUrl(key), {
      headers: {
        'content-length': String(sizeBytes),
        'content-type': 'application/octet-stream',
        'if-none-match': '*',
      },
      body,
    });
    if (response.statusCode === 412) {
      response.resume();
      throw new BlobExistsError();
    }
    await this.expect(response, 'PutObject', [200]);
  }

  async stat(key: BlobKey): Promise<{ sizeBytes: number } | null> {
    const response = await this.send('HEAD', this.objectUrl(key));
    if (response.statusCode === 404) {
      response.resume();
      return null;
    }
    await this.expect(response, 'HeadObject', [200]);
    return { sizeBytes: Number(response.headers['content-length'] ?? 0) };
  }

  async read(key: BlobKey, range?: ByteRange): Promise<Readable | null> {
    const response = await this.send('GET', this.objectUrl(key), {
      headers: range ? { range: `bytes=${range.start}-${range.end}` } : {},
    });
    if (response.statusCode === 404) {
      response.resume();
      return null;
    }
    if (response.statusCode !== (range ? 206 : 200)) {
      await this.expect(response, 'GetObject', []);
    }
    return response;
  }

  async delete(key: BlobKey): Promise<void> {
    const response = await this.send('DELETE', this.objectUrl(key));
    await this.expect(response, 'DeleteObject', [200, 204, 404]);
  }

  async check(): Promise<void> {
    const response = await this.send('HEAD', new URL(`${this.base}/`));
    await this.expect(response, 'HeadBucket', [200]);
  }

  private objectUrl(key: BlobKey): URL {
    const [tenant, asset] = blobSegments(key);
    return new URL(`${this.base}/${tenant}/${asset}`);
  }

  private send(
    method: string,
    url: URL,
    options: { headers?: Record<string, string>; body?: Readable } = {},
  ): Promise<IncomingMessage> {
    const headers = signV4(
      {
        method,
        url,
        headers: options.headers ?? {},
        payloadHash: options.body ? UNSIGNED_PAYLOAD : EMPTY_SHA256,
      },
      this.credentials,
    );
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = send(url, { method, headers }, resolve);
      request.setTimeout(this.options.timeoutMs ?? 30_000, () =>
        request.destroy(new Error(`S3 ${method} timed out`)),
      );
      request.on('error', reject);
      if (!options.body) {
        request.end();
        return;
      }
      // A failing body (too long, too short, client gone) aborts the request mid-way, so
      // the store never receives the Content-Length it was promised and keeps nothing.
      pipeline(options.body, request).catch((error: unknown) => {
        request.destroy(error as Error);
        reject(error as Error);
      });
    });
  }

  private async expect(response: IncomingMessage, operation: string, ok: number[]) {
    const status = response.statusCode ?? 0;
    if (ok.includes(status)) {
      response.resume();
      return;
    }
    let detail = '';
    for await (const chunk of response) {
      detail += String(chunk);
      if (detail.length > 512) break;
    }
    const code = /<Code>([^<]{1,64})<\/Code>/.exec(detail)?.[1] ?? '';
    throw new S3RequestError(operation, status, code);
  }
}
