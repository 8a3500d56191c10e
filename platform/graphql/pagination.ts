import { ValidationError } from '../errors/domain-errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** Keyset position: the sort value and the id that breaks ties. */
export interface CursorPosition {
  value: string;
  id: string;
}

/** Clamps `first` to 1..MAX_PAGE_SIZE; an explicit out-of-range value is an input error. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ValidationError(`first must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first' });
  }
  return first;
}

/** Cursors are opaque to clients: base64url of the keyset position. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): CursorPosition | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string'
    ) {
      return { value: decoded[0], id: decoded[1] };
    }
  } catch {
    // fall through to the input error below
  }
  throw new ValidationError('after is not a valid cursor', { field: 'after' });
}

/**
 * Builds a connection from `size + 1` fetched rows: the extra row only tells whether another
 * page exists.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  positionOf: (row: T) => CursorPosition,
): Connection<T> {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: {
      endCursor: last ? encodeCursor(positionOf(last)) : null,
      hasNextPage: rows.length > size,
    },
  };
}
