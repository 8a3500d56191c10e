import { Transform, type TransformCallback } from 'node:stream';

/** A body that yields more or fewer bytes than it promised. */
export class BodyLengthError extends Error {
  constructor(expected: number, actual: string) {
    super(`the body yielded ${actual} bytes where ${expected} were declared`);
    this.name = 'BodyLengthError';
  }
}

/**
 * Passes bytes through and fails as soon as more than `expected` went by, or at the end when
 * fewer did. The S3 store buffers parts before sending them, so a body failing here fails the
 * upload before its last part (or its single PUT) reaches the store: no object is made.
 */
export function exactLength(expected: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > expected) return done(new BodyLengthError(expected, `more than ${expected}`));
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      done(seen === expected ? null : new BodyLengthError(expected, String(seen)));
    },
  });
}
