import type { WriteStream } from 'node:fs';

/**
 * Resolves once `file` is closed. A pipeline into a file stream rejects as soon as a stream
 * before it fails, while the file may still be open, or still opening: removed then, the
 * pending open would create it again, and it would stay behind.
 */
export function fileClosed(file: WriteStream): Promise<void> {
  if (file.closed) return Promise.resolve();
  // 'close' comes after any 'error', so only it is waited for.
  return new Promise((resolve) => file.once('close', () => resolve()));
}
