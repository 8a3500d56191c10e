import type { FetchNode } from '@apollo/query-planner';
import { OperationTypeNode } from 'graphql';
import { clientErrors, MAX_ERROR_COPIES, type FetchErrorContext } from '../fetch-errors';
import type { SubgraphError } from '../subgraph-client';

const rootFetch: FetchNode = {
  kind: 'Fetch',
  serviceName: 'library',
  operation: '{ media { id } }',
  operationName: undefined,
  operationKind: OperationTypeNode.QUERY,
};
const entityFetch: FetchNode = {
  ...rootFetch,
  requires: [{ kind: 'InlineFragment', typeCondition: 'Movie', selections: [] }],
};

// Four entities at `rated.@` (rated.0, .1, .3, .4; rated.2 is null), sent as representations
// [m4, m5, m1]: m4 stands for the entities at rated.0 and rated.4.
const fullResult = {
  rated: [{ id: 'm4' }, { id: 'm5' }, null, { id: 'm1' }, { id: 'm4' }],
};
const entityContext: FetchErrorContext = {
  fetch: entityFetch,
  fullResult,
  path: ['rated', '@'],
  representations: {
    unique: ['m4', 'm5', 'm1'],
    entityIndexes: [0, 1, 2, 3],
    uniqueIndexes: [0, 1, 2, 0],
  },
};

const summary = (errors: ReturnType<typeof clientErrors>) =>
  errors.map(({ message, path, extensions }) => ({ message, path, ...extensions }));

describe('clientErrors', () => {
  it('places a root fetch error below the fetch’s path, with the subgraph and a code', () => {
    const errors: SubgraphError[] = [
      { message: 'boom', path: ['media', 1, 'title'] },
      { message: 'no', path: ['media'], extensions: { code: 'FORBIDDEN', detail: 1 } },
      { message: '' },
    ];
    const context = { fetch: rootFetch, fullResult: {}, path: ['top'] };
    expect(summary(clientErrors(errors, context))).toEqual([
      {
        message: 'boom',
        path: ['top', 'media', 1, 'title'],
        serviceName: 'library',
        code: 'DOWNSTREAM_SERVICE_ERROR',
      },
      {
        message: 'no',
        path: ['top', 'media'],
        serviceName: 'library',
        code: 'FORBIDDEN',
        detail: 1,
      },
      {
        message: 'Error while fetching subquery from service "library"',
        path: undefined,
        serviceName: 'library',
        code: 'DOWNSTREAM_SERVICE_ERROR',
      },
    ]);
  });

  it('reports an entity’s error at every entity its representation stood for, in entity order', () => {
    const errors: SubgraphError[] = [
      { message: 'm4', path: ['_entities', 0, 'director'] },
      { message: 'after m4, of no entity', path: ['_entities'] },
      { message: 'm5', path: ['_entities', 1, 'director'] },
    ];
    expect(clientErrors(errors, entityContext).map(({ message, path }) => [message, path])).toEqual(
      [
        ['m4', ['rated', 0, 'director']],
        ['after m4, of no entity', ['rated', '@', '_entities']],
        ['m5', ['rated', 1, 'director']],
        ['m4', ['rated', 4, 'director']],
      ],
    );
  });

  it('makes at most MAX_ERROR_COPIES copies per fetch, and reports every error once', () => {
    const count = MAX_ERROR_COPIES + 3;
    const context: FetchErrorContext = {
      fetch: entityFetch,
      fullResult: { rated: Array.from({ length: count }, () => ({ id: 'm4' })) },
      path: ['rated', '@'],
      representations: {
        unique: ['m4', 'm1'],
        entityIndexes: Array.from({ length: count }, (_, index) => index),
        uniqueIndexes: Array.from({ length: count }, (_, index) => (index === 1 ? 1 : 0)),
      },
    };
    const errors = clientErrors(
      [
        { message: 'm4', path: ['_entities', 0] },
        { message: 'm1', path: ['_entities', 1] },
        { message: 'm4 again', path: ['_entities', 0] },
      ],
      context,
    );
    // m4's error: once and MAX_ERROR_COPIES copies (its last entity left out); then m1's once
    // and m4's second error once, in entity order.
    expect(errors).toHaveLength(MAX_ERROR_COPIES + 3);
    expect(errors.slice(0, 4).map(({ message, path }) => [message, path])).toEqual([
      ['m4', ['rated', 0]],
      ['m4 again', ['rated', 0]],
      ['m1', ['rated', 1]],
      ['m4', ['rated', 2]],
    ]);
    expect(errors[errors.length - 1]?.path).toEqual(['rated', MAX_ERROR_COPIES + 1]);
  });

  it('keeps the subgraph’s order when no representation was shared', () => {
    const errors: SubgraphError[] = [
      { message: 'm1', path: ['_entities', 2, 'director'] },
      { message: 'm5', path: ['_entities', 1] },
    ];
    expect(clientErrors(errors, entityContext).map(({ path }) => path)).toEqual([
      ['rated', 3, 'director'],
      ['rated', 1],
    ]);
  });

  it('places an index beyond the representations at that entity, or at the root if none', () => {
    const errors: SubgraphError[] = [
      { message: 'third entity', path: ['_entities', 3, 'title'] },
      { message: 'no such entity', path: ['_entities', 9, 'title'] },
    ];
    expect(clientErrors(errors, entityContext).map(({ path }) => path)).toEqual([
      ['rated', 4, 'title'],
      ['title'],
    ]);
    const withoutRepresentations = { ...entityContext, representations: undefined };
    expect(clientErrors([errors[0]!], withoutRepresentations)[0]?.path).toEqual([
      'rated',
      4,
      'title',
    ]);
  });

  it('finds entities through nested lists and skips missing branches', () => {
    const context: FetchErrorContext = {
      fetch: entityFetch,
      fullResult: { shelves: [[{ media: { id: 'a' } }, {}], null, [{ media: { id: 'b' } }]] },
      path: ['shelves', 'media'],
    };
    const errors: SubgraphError[] = [
      { message: 'a', path: ['_entities', 0] },
      { message: 'b', path: ['_entities', 1] },
    ];
    expect(clientErrors(errors, context).map(({ path }) => path)).toEqual([
      ['shelves', 0, 0, 'media'],
      ['shelves', 2, 0, 'media'],
    ]);
  });

  it('refuses a `@` in the fetch’s path where the result holds no list', () => {
    const context: FetchErrorContext = {
      fetch: entityFetch,
      fullResult: { rated: { id: 'm1' } },
      path: ['rated', '@'],
    };
    expect(() => clientErrors([{ message: 'x', path: ['_entities', 0] }], context)).toThrow(
      'expected array when encountering `@`',
    );
  });
});
