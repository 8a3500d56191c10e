import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { postGraphQL } from '../../../testing/graphql-client';

// What a frontend (or a program with an API key) does with assets: GraphQL through the
// gateway, bytes straight to the signed URLs.

export interface UploadAnswer {
  uploadUrl: string;
  expiresAt: string;
  asset: { id: string; name: string; status: string; sizeBytes: number; tags: string[] };
}

export interface UploadInput {
  name?: string;
  contentType?: string;
  sizeBytes: number;
  tags?: string[];
  metadata?: unknown;
  checksumSha256?: string;
}

export const CREATE_UPLOAD = `mutation ($name: String!, $contentType: String!, $sizeBytes: Int!,
  $tags: [String!], $metadata: JSON, $checksumSha256: String) {
  createAssetUpload(name: $name, contentType: $contentType, sizeBytes: $sizeBytes, tags: $tags,
    metadata: $metadata, checksumSha256: $checksumSha256) {
    uploadUrl expiresAt asset { id name status sizeBytes tags }
  }
}`;

export const ASSET_FIELDS =
  'id name status sizeBytes contentType checksumSha256 tags metadata deletedAt downloadUrl owner { id email }';

export interface AssetView {
  id: string;
  name: string;
  status: string;
  sizeBytes: number;
  contentType: string;
  checksumSha256: string | null;
  tags: string[];
  metadata: unknown;
  deletedAt: string | null;
  downloadUrl: string | null;
  owner: { id: string; email: string };
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const contentDigest = (bytes: Buffer) =>
  `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;

export class AssetsClient {
  constructor(
    private readonly gatewayUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  call<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) {
    return postGraphQL<T>(this.gatewayUrl, { query, variables }, this.headers);
  }

  createUpload(input: UploadInput) {
    return this.call<{ createAssetUpload: UploadAnswer }>(CREATE_UPLOAD, {
      name: 'file.bin',
      contentType: 'application/octet-stream',
      ...input,
    });
  }

  /** Creates an upload and fails the test if it was refused. */
  async mustCreate(input: UploadInput): Promise<UploadAnswer> {
    const response = await this.createUpload(input);
    if (!response.body.data?.createAssetUpload) {
      throw new Error(`createAssetUpload failed: ${response.text}`);
    }
    return response.body.data.createAssetUpload;
  }

  complete(id: string) {
    return this.call<{ completeAssetUpload: AssetView }>(
      `mutation ($id: ID!) { completeAssetUpload(id: $id) { ${ASSET_FIELDS} } }`,
      { id },
    );
  }

  asset(id: string) {
    return this.call<{ asset: AssetView | null }>(
      `query ($id: ID!) { asset(id: $id) { ${ASSET_FIELDS} } }`,
      { id },
    );
  }

  /** Create, PUT and complete: a READY asset holding `bytes`. */
  async upload(bytes: Buffer, input: Partial<UploadInput> = {}): Promise<AssetView> {
    const created = await this.mustCreate({ sizeBytes: bytes.length, ...input });
    const put = await putBytes(created.uploadUrl, bytes);
    if (put.status !== 200)
      throw new Error(`PUT failed: ${put.status} ${JSON.stringify(put.body)}`);
    const completed = await this.complete(created.asset.id);
    if (!completed.body.data) throw new Error(`complete failed: ${completed.text}`);
    return completed.body.data.completeAssetUpload;
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json?: { errors?: { message: string; extensions?: Record<string, unknown> }[] } & Record<
    string,
    unknown
  >;
  /** Set when the connection failed before an answer arrived. */
  error?: Error;
}

/** A PUT with an exact Content-Length, as `curl -T` or `fetch` sends it. */
export function putBytes(url: string, bytes: Buffer, headers: Record<string, string> = {}) {
  return send(
    url,
    { method: 'PUT', headers: { 'content-length': String(bytes.length), ...headers } },
    [bytes],
  );
}

/** A PUT with no Content-Length (chunked), so only the byte count can catch a long body. */
export function putChunked(url: string, chunks: Buffer[], headers: Record<string, string> = {}) {
  return send(
    url,
    { method: 'PUT', headers: { 'transfer-encoding': 'chunked', ...headers } },
    chunks,
  );
}

export function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return send(url, { method, headers }, []);
}

/** Raw HTTP with the path exactly as given (fetch would normalize `..` away). */
export function send(
  url: string,
  options: { method: string; headers: Record<string, string>; path?: string },
  chunks: Buffer[],
): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? `${target.pathname}${target.search}`,
        method: options.method,
        headers: options.headers,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(parts);
          let json: HttpAnswer['json'];
          try {
            json = JSON.parse(body.toString('utf8')) as HttpAnswer['json'];
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', (error) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error }));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

export const httpCodeOf = (answer: HttpAnswer) => answer.json?.errors?.[0]?.extensions?.code;

/** Every file under the storage root, relative to it. */
export function storedFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

export const blobPath = (tenantId: string, assetId: string) =>
  join(tenantId, assetId.slice(0, 2), assetId);
