import type { FetchDataRewrite, FetchNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import { buildSchema, OperationTypeNode } from 'graphql';
import type { JsonObject } from '../merge';
import { entityRepresentations } from '../representations';

const schema = buildSchema(`
  interface Media { id: ID! }
  type Movie implements Media { id: ID! owner: Owner tags: [Tag] }
  type Song implements Media { id: ID! }
  type Owner { id: ID! name: String }
  type Tag { name: String }
  type Query { media: [Media] }
`);

const field = (name: string, selections?: QueryPlanSelectionNode[]): QueryPlanSelectionNode => ({
  kind: 'Field',
  name,
  selections,
});
const on = (typeCondition: string | undefined, selections: QueryPlanSelectionNode[]) =>
  ({ kind: 'InlineFragment', typeCondition, selections }) as QueryPlanSelectionNode;

function fetchOf(requires?: QueryPlanSelectionNode[], inputRewrites?: FetchDataRewrite[]) {
  const fetch: FetchNode = {
    kind: 'Fetch',
    serviceName: 'media',
    operation:
      'query($representations:[_Any!]!){_entities(representations:$representations){__typename}}',
    operationName: undefined,
    operationKind: OperationTypeNode.QUERY,
    requires,
    inputRewrites,
  };
  return fetch;
}

/** What the subgraph is sent, parsed, and which entity each representation went to. */
function represent(fetch: FetchNode, entities: JsonObject[]) {
  const made = entityRepresentations(schema, fetch, entities);
  return { sent: made.unique.map((json) => JSON.parse(json) as unknown), made };
}

const movieKey = fetchOf([on('Movie', [field('__typename'), field('id')])]);

describe('entityRepresentations', () => {
  it('sends each distinct key once, and remembers which entities asked', () => {
    const entities = [
      { __typename: 'Movie', id: 'm1', title: 'Metropolis' },
      { __typename: 'Movie', id: 'm2' },
      { __typename: 'Movie', id: 'm1' },
      { __typename: 'Movie', id: 2 },
      { __typename: 'Movie', id: '2' },
    ];
    const { sent, made } = represent(movieKey, entities);
    expect(sent).toEqual([
      { __typename: 'Movie', id: 'm1' },
      { __typename: 'Movie', id: 'm2' },
      { __typename: 'Movie', id: 2 },
      { __typename: 'Movie', id: '2' },
    ]);
    expect(made.entityIndexes).toEqual([0, 1, 2, 3, 4]);
    expect(made.uniqueIndexes).toEqual([0, 1, 0, 2, 3]);
  });

  it('skips entities of other types, without __typename, or missing a required field', () => {
    const entities = [
      { __typename: 'Song', id: 's1' },
      { id: 'm1' },
      { __typename: 'Movie' },
      { __typename: 'Movie', id: 'm3' },
    ];
    const { sent, made } = represent(movieKey, entities);
    expect(sent).toEqual([{ __typename: 'Movie', id: 'm3' }]);
    expect(made.entityIndexes).toEqual([3]);
    expect(made.uniqueIndexes).toEqual([0]);
  });

  it('serializes a key that is no string or number in full, equal ones once', () => {
    const entities = [
      { __typename: 'Movie', id: { part: 1 } },
      { __typename: 'Movie', id: { part: 1 } },
      { __typename: 'Movie', id: null },
      { __typename: 'Movie', id: ['a', 1] },
    ];
    const { sent, made } = represent(movieKey, entities);
    expect(sent).toEqual([
      { __typename: 'Movie', id: { part: 1 } },
      { __typename: 'Movie', id: null },
      { __typename: 'Movie', id: ['a', 1] },
    ]);
    expect(made.uniqueIndexes).toEqual([0, 0, 1, 2]);
  });

  it('matches an abstract type condition by the entity’s own type', () => {
    const fetch = fetchOf([on('Media', [field('__typename'), field('id')])]);
    const { sent } = represent(fetch, [
      { __typename: 'Movie', id: 'm1' },
      { __typename: 'Song', id: 's1' },
      { __typename: 'Movie', id: 'm1' },
    ]);
    expect(sent).toEqual([
      { __typename: 'Movie', id: 'm1' },
      { __typename: 'Song', id: 's1' },
    ]);
  });

  it('selects nested objects and lists of them (composite keys, @requires)', () => {
    const fetch = fetchOf([
      on('Movie', [
        field('__typename'),
        field('owner', [field('id')]),
        field('tags', [field('name')]),
      ]),
    ]);
    const { sent } = represent(fetch, [
      {
        __typename: 'Movie',
        owner: { id: 'o1', name: 'Ada' },
        tags: [{ name: 'noir', id: 1 }, null, 'text', [{ name: 'nested' }], {}],
      },
      { __typename: 'Movie', owner: null, tags: null },
      { __typename: 'Movie', owner: 'o1', tags: [] },
      { __typename: 'Movie', owner: { id: 'o2' } },
    ]);
    expect(sent).toEqual([
      {
        __typename: 'Movie',
        owner: { id: 'o1' },
        tags: [{ name: 'noir' }, null, null, null, null],
      },
      { __typename: 'Movie', owner: null, tags: null },
      { __typename: 'Movie', owner: null, tags: [] },
    ]);
  });

  it('rewrites what it sends (an @interfaceObject is sent as its interface)', () => {
    const fetch = fetchOf(
      [on('Media', [field('__typename'), field('id')])],
      [{ kind: 'ValueSetter', path: ['... on Media', '__typename'], setValueTo: 'Media' }],
    );
    const entities = [
      { __typename: 'Movie', id: 'm1' },
      { __typename: 'Song', id: 's1' },
      { __typename: 'Movie', id: 'm1' },
    ];
    const { sent, made } = represent(fetch, entities);
    expect(sent).toEqual([
      { __typename: 'Media', id: 'm1' },
      { __typename: 'Media', id: 's1' },
    ]);
    expect(made.uniqueIndexes).toEqual([0, 1, 0]);
    // The entities themselves keep their type.
    expect(entities[0]).toEqual({ __typename: 'Movie', id: 'm1' });
  });

  it('makes no representation for a fetch without requires', () => {
    const made = entityRepresentations(schema, fetchOf(), [{ __typename: 'Movie', id: 'm1' }]);
    expect(made).toEqual({ unique: [], entityIndexes: [], uniqueIndexes: [] });
  });

  it('reads only an entity’s own fields, never inherited ones', () => {
    const fetch = fetchOf([on('Movie', [field('__typename'), field('toString')])]);
    const inherits = Object.assign(Object.create({ id: 'from the prototype' }) as JsonObject, {
      __typename: 'Movie',
    });
    expect(represent(fetch, [{ __typename: 'Movie' }]).sent).toEqual([]);
    expect(represent(movieKey, [inherits]).sent).toEqual([]);
  });
});

describe('the direct serializer and the generic path', () => {
  const aliased: QueryPlanSelectionNode = { kind: 'Field', alias: 'key', name: 'id' };
  // The shapes the direct serializer takes: `... on T { __typename fields… }`.
  const direct: QueryPlanSelectionNode[][] = [
    [on('Movie', [field('__typename'), field('id')])],
    [on('Media', [field('id'), field('__typename')])],
    [on('Movie', [field('__typename'), aliased])],
    [on('Movie', [field('__typename'), field('owner', [field('id')])])],
    [on('Movie', [field('__typename'), field('owner', [field('id')]), field('tags')])],
    [on('Movie', [field('__typename'), field('id'), field('tags', [field('name')])])],
  ];
  const entities: JsonObject[] = [
    { __typename: 'Movie', id: 'm1', key: 'k1', owner: { id: 'o1' }, tags: [{ name: 'a' }] },
    { __typename: 'Movie', id: 'm1', key: 'k1', owner: { id: 'o1' }, tags: [{ name: 'a' }] },
    { __typename: 'Song', id: 's1', key: 7, owner: null, tags: null },
    { __typename: 'Movie', id: 3, key: null, owner: 'o1', tags: ['x', null, [1]] },
    { __typename: 'Movie', id: { a: [1] }, owner: { name: 'no id' }, tags: [{}] },
    { __typename: 'Ghost', id: 'g1', key: 'k', owner: { id: 'o' }, tags: [] },
    { id: 'untyped', key: 'k', owner: { id: 'o' }, tags: [] },
    { __typename: '', id: 'empty', key: 'k', owner: { id: 'o' }, tags: [] },
  ];

  it.each(direct.map((requires, index) => [index, requires]))(
    'send the same for shape %i',
    (_, requires) => {
      // A second fragment that matches nothing adds nothing, and takes the generic path.
      const generic = fetchOf([...requires, on('Ghost', [field('id')])]);
      const expected = entityRepresentations(schema, generic, entities);
      expect(entityRepresentations(schema, fetchOf(requires), entities)).toEqual(expected);
      expect(expected.unique.length).toBeGreaterThan(0);
    },
  );

  const movies = [
    { __typename: 'Movie', id: 'm1' },
    { __typename: 'Movie', id: 3 },
    { __typename: 'Movie', id: { a: [1] } },
  ];
  it.each([
    [
      'fields outside any fragment: any typed entity',
      [field('__typename'), field('id')],
      [
        movies[0],
        { __typename: 'Song', id: 's1' },
        movies[1],
        movies[2],
        { __typename: 'Ghost', id: 'g1' },
      ],
    ],
    ['a fragment without type condition: nothing', [on(undefined, [field('__typename')])], []],
    [
      'a nested fragment',
      [on('Media', [field('__typename'), on('Movie', [field('id')])])],
      [movies[0], { __typename: 'Song' }, movies[1], movies[2]],
    ],
    [
      'a fragment below a field (an untyped object matches no fragment)',
      [on('Movie', [field('__typename'), field('owner', [on('Owner', [field('id')])])])],
      [
        { __typename: 'Movie', owner: {} },
        { __typename: 'Movie', owner: null },
      ],
    ],
    ['a field twice', [on('Movie', [field('__typename'), field('id'), field('id')])], movies],
    ['no __typename: nothing', [on('Movie', [field('id')])], []],
    [
      'a __typename with a selection: nothing',
      [on('Movie', [field('__typename', [field('id')]), field('id')])],
      [],
    ],
  ])('take the generic path for %s', (_, requires, expected) => {
    const fetch = fetchOf(requires);
    expect(represent(fetch, entities).sent).toEqual(expected);
  });
});
