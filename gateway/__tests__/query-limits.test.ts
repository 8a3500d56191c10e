import {
  buildSchema,
  getIntrospectionQuery,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { QueryLimitError, assertTokenLimit, queryLimitRules } from '../security/limits';
import { assertCostLimit } from '../security/cost-limit';
import { measureOperation, operationCost } from '../security/operation-measures';
import { ValidationError } from '../../platform/errors/domain-errors';

const schema = buildSchema(`
  directive @tag(name: String) repeatable on FIELD | QUERY | FRAGMENT_SPREAD | INLINE_FRAGMENT
  type Query {
    me: User
    users(first: Int, after: String): UserConnection!
    tags: [Tag!]!
    search(first: Int = 50): [User!]!
  }
  type User { id: ID! name: String friends(first: Int): UserConnection! tags: [Tag!]! }
  type UserConnection { nodes: [User!]! edges: [UserEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type UserEdge { node: User! cursor: String! }
  type PageInfo { endCursor: String hasNextPage: Boolean! }
  type Tag { name: String! }
`);

const LIMITS = { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxCost: 5_000 };

function measure(query: string) {
  const { document, operation } = operationOf(query);
  return measureOperation(schema, document, operation);
}

function operationOf(query: string) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('no operation');
  return { document, operation };
}

/** The cost for `variables` as sent, coerced as execution coerces them. */
function costOf(query: string, variables: Record<string, unknown>) {
  const { document, operation } = operationOf(query);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (!coerced.coerced) throw new Error('variables do not coerce');
  return operationCost(schema, document, operation, coerced.coerced);
}

function costLimit(query: string, variables: Record<string, unknown>) {
  const { document, operation } = operationOf(query);
  assertCostLimit(schema, document, operation, variables, LIMITS.maxCost);
}

function limitErrors(query: string, limits = LIMITS) {
  return validate(schema, parse(query), [...specifiedRules, ...queryLimitRules(limits)]).map(
    (error: GraphQLError) => ({
      message: error.message,
      details: (error.originalError as ValidationError | undefined)?.details,
    }),
  );
}

describe('operation measures', () => {
  it('counts depth in fields, leaves included, through fragments', () => {
    expect(measure('{ me { id } }').depth).toBe(2);
    expect(measure('{ me { ...F } } fragment F on User { friends { nodes { name } } }').depth).toBe(
      4,
    );
  });

  it('lets the standard introspection query pass the depth and cost limits', () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const measures = measure(query);
    // __schema types fields args type name: ofType chains add no depth.
    expect(measures.depth).toBe(6);
    expect(measures.cost).toBe(1);
    expect(limitErrors(query)).toEqual([]);
  });

  // graphql's own MaxIntrospectionDepthRule refuses more than 3 nested `fields`, too.
  it('still bounds the depth of cyclic introspection', () => {
    const levels = [
      'types',
      'fields',
      'type',
      'fields',
      'type',
      'fields',
      'type',
      'fields',
      'type',
      'fields',
      'type',
    ];
    const nested = `{ __schema { ${levels.join(' { ')} { name }${' }'.repeat(levels.length)} }`;
    expect(measure(nested).depth).toBe(13);
    expect(limitErrors(nested)[0]?.details).toEqual({ limit: 'depth', max: 12, actual: 13 });
  });

  it('costs list fields by their page: first, else the largest page; other lists by 20', () => {
    // users: 1 + 10 × (nodes: 1 + 1 × (id + name)) = 31; the page is nodes, not nodes × 20.
    expect(measure('{ users(first: 10) { nodes { id name } } }').cost).toBe(31);
    // No first: the subgraph may answer up to 100, so 100 it costs.
    expect(measure('{ users { nodes { id } } }').cost).toBe(1 + 100 * 2);
    expect(measure('{ users(first: null) { nodes { id } } }').cost).toBe(1 + 100 * 2);
    expect(measure('{ users(first: 1000) { nodes { id } } }').cost).toBe(1 + 100 * 2);
    // search declares first = 50, which is what it runs with; tags is a plain list (× 20).
    expect(measure('{ search { id } }').cost).toBe(1 + 50);
    expect(measure('{ tags { name } }').cost).toBe(1 + 20);
    // Nested pages multiply.
    expect(
      measure('{ users(first: 10) { nodes { friends(first: 10) { totalCount } } } }').cost,
    ).toBe(1 + 10 * (1 + (1 + 10 * 1)));
  });

  it('costs a variable first at the value the request sends, not at its default', () => {
    const query = 'query ($n: Int = 5) { users(first: $n) { nodes { id } } }';
    // Before the variables are known: the worst case.
    expect(measure(query).cost).toBe(201);
    expect(costOf(query, { n: 80 })).toBe(1 + 80 * 2);
    expect(costOf(query, {})).toBe(1 + 5 * 2);
    expect(costOf(query, { n: null })).toBe(201);
    expect(costOf('query ($n: Int) { users(first: $n) { nodes { id } } }', {})).toBe(201);
    // Inside a fragment, too.
    expect(
      costOf(
        'query ($n: Int = 1) { ...F } fragment F on Query { users(first: $n) { totalCount } }',
        {
          n: 100,
        },
      ),
    ).toBe(1 + 100);
  });

  it('measures a fragment once however often it is spread', () => {
    // 2^30 expansions if fragments were walked at every spread.
    const fragments = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const query = `{ me { ...F0 } } ${fragments} fragment F30 on User { a: id }`;
    const measures = measure(query);
    expect(measures.aliases).toBe(2 ** 30);
    expect(limitErrors(query)[0]?.details).toMatchObject({ limit: 'aliases', max: 30 });
  });

  it('survives fragment cycles (graphql reports them)', () => {
    const query = '{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A id }';
    expect(measure(query).depth).toBe(2);
  });
});

describe('query limit rules', () => {
  it('refuses each limit with its own name and maximum', () => {
    const deep = `{ me { ${'friends(first: 1) { nodes { '.repeat(6)}id${' } }'.repeat(6)} } }`;
    expect(limitErrors(deep)).toEqual([
      {
        message: 'Query depth is 14, over the limit of 12',
        details: { limit: 'depth', max: 12, actual: 14 },
      },
    ]);
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect(limitErrors(aliases)[0]?.details).toEqual({ limit: 'aliases', max: 30, actual: 31 });
    const directives = `{ me @tag ${'@tag '.repeat(50)} { id } }`;
    expect(limitErrors(directives)[0]?.details).toEqual({
      limit: 'directives',
      max: 50,
      actual: 51,
    });
  });

  it('refuses a cost over the limit for the variables sent, with the cost it came to', () => {
    const query =
      'query ($n: Int = 1) { users(first: $n) { nodes { friends(first: $n) { totalCount } } } }';
    expect(limitErrors(query)).toEqual([]);
    expect(() => costLimit(query, { n: 2 })).not.toThrow();
    expect(() => costLimit(query, { n: 100 })).toThrow(
      expect.objectContaining({
        message: 'Estimated query cost is 10201, over the limit of 5000',
        details: { limit: 'cost', max: 5_000, actual: 10_201 },
      }),
    );
    // Variables that do not coerce are left to execution, which refuses them.
    expect(() => costLimit(query, { n: 'many' })).not.toThrow();
  });

  it('carries a BAD_USER_INPUT domain error for the masking to report', () => {
    const [error] = validate(schema, parse('{ a: me { id } b: me { id } }'), [
      ...queryLimitRules({ ...LIMITS, maxAliases: 1 }),
    ]);
    expect(error?.originalError).toBeInstanceOf(QueryLimitError);
    expect((error?.originalError as QueryLimitError).code).toBe('BAD_USER_INPUT');
  });
});

describe('token limit', () => {
  it('counts tokens as the parser does, comments excluded', () => {
    // { me { id } } is 6 tokens.
    expect(() => assertTokenLimit('{ me { id } } # a comment of many words', 6)).not.toThrow();
    expect(() => assertTokenLimit('{ me { id name } }', 6)).toThrow(
      expect.objectContaining({ details: { limit: 'tokens', max: 6 } }),
    );
  });

  it('leaves syntax errors to the parser', () => {
    expect(() => assertTokenLimit('{ me { "unterminated', 100)).not.toThrow();
    expect(() => assertTokenLimit(undefined, 1)).not.toThrow();
  });
});
