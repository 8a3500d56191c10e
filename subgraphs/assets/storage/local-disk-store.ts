import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, link, mkdir, open, realpath, rm, stat, unlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileClosed } from './file-closed';
import {
  BlobExistsError,
  blobSegments,
  type BlobKey,
  type BlobStore,
  type ByteRange,
} from './blob-store';

/**
 * Blobs as files under one root: `<root>/<tenant>/<first two hex of asset>/<asset>`. Paths are
 * built only from validated UUIDs and checked to stay under the root, which is resolved once
 * (symlinks included) at start. A write goes to a uniquely named `.part` file in the same
 * directory, is flushed to disk, and is then hard-linked to its final name: `link` is atomic
 * and never replaces an existing file, so a blob appears whole or not at all, and only once.
 */
export class LocalDiskBlobStore implements BlobStore {
  readonly kind = 'local';

  private constructor(private readonly root: string) {}

  /** Creates the root when missing and resolves it to a real path. */
  static async open(root: string): Promise<LocalDiskBlobStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    return new LocalDiskBlobStore(await realpath(root));
  }

  /** Where a key's blob lives; throws for any key that is not two canonical UUIDs. */
  pathOf(key: BlobKey): string {
    const [tenant, asset] = blobSegments(key);
    const path = join(this.root, tenant, asset.slice(0, 2), asset);
    // Unreachable with UUID segments; kept so a future change to the layout cannot escape.
    if (!path.startsWith(this.root + sep)) throw new Error('blob path escapes the storage root');
    return path;
  }

  async write(key: BlobKey, body: Readable, _sizeBytes: number): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    const part = `${path}.${randomBytes(8).toString('hex')}.part`;
    // `flush`: the bytes reach the disk before the file is closed, hence before it is linked.
    const file = createWriteStream(part, { flags: 'wx', mode: 0o600, flush: true });
    try {
      await pipeline(body, file);
      await link(part, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BlobExistsError();
      throw error;
    } finally {
      await fileClosed(file);
      await unlink(part).catch(() => undefined);
    }
  }

  async stat(key: BlobKey): Promise<{ sizeBytes: number } | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { sizeBytes: info.size } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async read(key: BlobKey, range?: ByteRange): Promise<Readable | null> {
    let handle;
    try {
      // O_NOFOLLOW: a symlink planted in the tree is never followed out of it.
      handle = await open(this.pathOf(key), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    // The stream closes the handle when it ends or is destroyed.
    return handle.createReadStream({ start: range?.start, end: range?.end });
  }

  async delete(key: BlobKey): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async check(): Promise<void> {
    await access(this.root, constants.R_OK | constants.W_OK);
  }
}
