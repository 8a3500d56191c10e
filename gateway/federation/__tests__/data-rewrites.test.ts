import type { FetchDataRewrite } from '@apollo/query-planner';
import { buildSchema } from 'graphql';
import { applyRewrites, isObjectOfType } from '../data-rewrites';

// `Media` is an interface that another interface extends and two types implement, as an
// @interfaceObject's representations name it; `Custom` and `Result` are no object types.
const schema = buildSchema(`
  interface Node { id: ID! }
  interface Media implements Node { id: ID! }
  type Movie implements Node & Media { id: ID! minutes: Int }
  type Song implements Node & Media { id: ID! minutes: Int }
  type Book { id: ID! }
  union Result = Movie | Book
  scalar Custom
  type Query { media: [Media] result: Result custom: Custom }
`);

const setTypename: FetchDataRewrite = {
  kind: 'ValueSetter',
  path: ['... on Media', '__typename'],
  setValueTo: 'Media',
};
const renameMinutes: FetchDataRewrite = {
  kind: 'KeyRenamer',
  path: ['media', '... on Song', 'minutes__alias_0'],
  renameKeyTo: 'minutes',
};

describe('applyRewrites', () => {
  it('does nothing without rewrites', () => {
    const value = { __typename: 'Movie', id: 'm1' };
    applyRewrites(schema, undefined, value);
    applyRewrites(schema, [], value);
    expect(value).toEqual({ __typename: 'Movie', id: 'm1' });
  });

  it('sets a value on every object of the type condition, in lists too', () => {
    const movie = { __typename: 'Movie', id: 'm1' };
    const list = [{ __typename: 'Song', id: 's1' }, [{ __typename: 'Movie', id: 'm2' }]];
    applyRewrites(schema, [setTypename], movie);
    applyRewrites(schema, [setTypename], list);
    expect(movie).toEqual({ __typename: 'Media', id: 'm1' });
    expect(list).toEqual([{ __typename: 'Media', id: 's1' }, [{ __typename: 'Media', id: 'm2' }]]);
  });

  it('applies a type condition to an object without __typename, and skips other types', () => {
    const untyped: Record<string, unknown> = { id: 'x' };
    const book = { __typename: 'Book', id: 'b1' };
    applyRewrites(schema, [setTypename], untyped);
    applyRewrites(schema, [setTypename], book);
    expect(untyped).toEqual({ id: 'x', __typename: 'Media' });
    expect(book).toEqual({ __typename: 'Book', id: 'b1' });
  });

  it('renames an aliased key back, through a field, a list and a type condition', () => {
    const data = {
      media: [
        { __typename: 'Song', minutes__alias_0: 5 },
        { __typename: 'Movie', minutes: 94 },
        null,
        'not an object',
      ],
    };
    applyRewrites(schema, [renameMinutes], data);
    expect(data.media).toEqual([
      { __typename: 'Song', minutes: 5, minutes__alias_0: undefined },
      { __typename: 'Movie', minutes: 94 },
      null,
      'not an object',
    ]);
    expect(JSON.stringify(data.media[0])).toBe('{"__typename":"Song","minutes":5}');
  });

  it('leaves a falsy or absent value under its alias, as @apollo/gateway does', () => {
    const data = {
      media: [
        { __typename: 'Song', minutes__alias_0: 0 },
        { __typename: 'Song', minutes__alias_0: null },
        { __typename: 'Song' },
      ],
    };
    applyRewrites(schema, [renameMinutes], data);
    expect(data.media).toEqual([
      { __typename: 'Song', minutes__alias_0: 0 },
      { __typename: 'Song', minutes__alias_0: null },
      { __typename: 'Song' },
    ]);
  });

  it('stops where the path meets no object', () => {
    for (const data of [{}, { media: null }, { media: 3 }, null, 'text']) {
      const before = JSON.stringify(data);
      applyRewrites(schema, [renameMinutes], data);
      expect(JSON.stringify(data)).toBe(before);
    }
  });

  it('never reads or writes through the prototype (__proto__, constructor, toString)', () => {
    const target: Record<string, unknown> = { __typename: 'Movie' };
    applyRewrites(
      schema,
      [
        { kind: 'ValueSetter', path: ['__proto__'], setValueTo: { polluted: true } },
        { kind: 'ValueSetter', path: ['constructor'], setValueTo: 'own' },
        { kind: 'KeyRenamer', path: ['toString'], renameKeyTo: 'stolen' },
      ],
      target,
    );
    const other = {};
    applyRewrites(
      schema,
      [{ kind: 'ValueSetter', path: ['constructor', 'prototype', 'polluted'], setValueTo: 1 }],
      other,
    );
    expect(other).toEqual({});
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(target, '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(Object.prototype.hasOwnProperty.call(target, 'constructor')).toBe(true);
    expect(target.stolen).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores a rewrite with an empty path', () => {
    const value = { id: 'x' };
    applyRewrites(schema, [{ kind: 'ValueSetter', path: [], setValueTo: 1 }], value);
    expect(value).toEqual({ id: 'x' });
  });

  it('refuses a path that ends on a type condition', () => {
    const rewrite: FetchDataRewrite = {
      kind: 'ValueSetter',
      path: ['media', '... on Movie'],
      setValueTo: 1,
    };
    expect(() => applyRewrites(schema, [rewrite], {})).toThrow(
      'Unexpected fragment as last element of media,... on Movie',
    );
  });
});

describe('isObjectOfType', () => {
  const of = (typename: unknown, condition: string, fallback?: boolean) =>
    isObjectOfType(schema, { __typename: typename }, condition, fallback);

  it('is the fallback (false unless given) for an object without a usable __typename', () => {
    expect(isObjectOfType(schema, {}, 'Movie')).toBe(false);
    expect(isObjectOfType(schema, {}, 'Movie', true)).toBe(true);
    expect(of('', 'Movie', true)).toBe(true);
    expect(of(7, 'Movie')).toBe(false);
    expect(of({ name: 'Movie' }, 'Movie', true)).toBe(true);
  });

  it('matches the type itself, and the interfaces and unions it belongs to', () => {
    expect(of('Movie', 'Movie')).toBe(true);
    expect(of('Movie', 'Media')).toBe(true);
    expect(of('Song', 'Node')).toBe(true);
    expect(of('Movie', 'Result')).toBe(true);
    // An @interfaceObject's representation names the interface itself.
    expect(of('Media', 'Node')).toBe(true);
  });

  it('does not match other types, unknown names, or types that are not objects', () => {
    expect(of('Song', 'Movie')).toBe(false);
    expect(of('Song', 'Result')).toBe(false);
    expect(of('Book', 'Media')).toBe(false);
    expect(of('Ghost', 'Media')).toBe(false);
    expect(of('Movie', 'Ghost')).toBe(false);
    expect(of('Custom', 'Media')).toBe(false);
    expect(of('Result', 'Result')).toBe(true);
    expect(of('Result', 'Node')).toBe(false);
  });
});
