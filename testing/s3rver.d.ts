// The part of s3rver (a local S3-compatible server, tests only) that the harness uses; the
// package ships no types.
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Readable } from 'node:stream';

  interface S3rverOptions {
    directory: string;
    silent?: boolean;
    configureBuckets?: { name: string }[];
    vhostBuckets?: boolean;
  }

  interface KoaContext {
    req: IncomingMessage;
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    headers: Record<string, string | string[] | undefined>;
    status: number;
    type: string;
    body: unknown;
  }

  class S3rver {
    constructor(options: S3rverOptions);
    middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
    store: {
      getObject(bucket: string, key: string): Promise<{ content: Readable } | null>;
    };
    configureBuckets(): Promise<void>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }

  export = S3rver;
}
