import { decodeCursor, encodeCursor, pageSize, toConnection } from '../graphql/pagination';

describe('cursor pagination', () => {
  it('round-trips an opaque cursor', () => {
    const cursor = encodeCursor({ value: '2026-01-01T00:00:00.000Z', id: 'abc' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ value: '2026-01-01T00:00:00.000Z', id: 'abc' });
  });

  it.each([
    'not base64 at all!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ])('refuses a cursor it did not make: %s', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('caps page sizes and refuses out-of-range ones', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, -1, 101, 1.5]) {
      expect(() => pageSize(bad)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    }
  });

  it('uses the extra row only to tell that another page exists', () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n) }));
    const page = toConnection(rows, 2, (row) => ({ value: row.id, id: row.id }));
    expect(page.nodes).toEqual(rows.slice(0, 2));
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(page.pageInfo.endCursor)).toEqual({ value: '2', id: '2' });
    expect(toConnection([], 2, () => ({ value: '', id: '' })).pageInfo).toEqual({
      endCursor: null,
      hasNextPage: false,
    });
  });
});
