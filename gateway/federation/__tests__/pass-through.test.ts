import { composeServices } from '@apollo/composition';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { getOperationAST, parse } from 'graphql';
import { isPlainDataAnswer, passThroughFetch, PassThroughOperations } from '../pass-through';
import { SUBGRAPHS } from './fixtures/subgraphs';

// Which queries may be answered with their one subgraph's answer as it is: decided from the
// plan and the API schema of the fixture's supergraph (accounts, catalog, inventory, reviews).

const composed = composeServices(
  Object.entries(SUBGRAPHS).map(([name, { typeDefs }]) => ({
    name,
    url: `http://${name}.invalid/graphql`,
    typeDefs: parse(typeDefs),
  })),
);
if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
const supergraph = Supergraph.build(composed.supergraphSdl);
const api = supergraph.apiSchema();
const schema = api.toGraphQLJSSchema();
const planner = new QueryPlanner(supergraph);

function passesThrough(query: string, operationName?: string): boolean {
  const document = parse(query);
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error('no such operation');
  const plan = planner.buildQueryPlan(operationFromDocument(api, document, { operationName }));
  return passThroughFetch(plan, operation, schema) !== undefined;
}

describe('passThroughFetch', () => {
  it.each([
    ['scalars and objects of one subgraph', '{ users { id name birthYear } }'],
    [
      'arguments, variables and aliases',
      'query U($id: ID!) { one: user(id: $id) { id who: name } }',
    ],
    ['several root fields of one subgraph', '{ me { id } users { name } }'],
    ['an argument left to its default', '{ topProducts { upc name price } }'],
  ])('lets %s through', (_, query) => {
    expect(passesThrough(query)).toBe(true);
  });

  it.each([
    ['a second subgraph (an entity fetch)', '{ topProducts { upc inStock } }'],
    ['fields of two subgraphs at the root', '{ users { id } topProducts { upc } }'],
    ['an enum, whose values the API may hide', '{ topProducts { upc kind } }'],
    ['an interface', '{ node(id: "u1") { id } }'],
    ['a union', '{ search(term: "a") { ... on Book { title } } }'],
    ['__typename', '{ users { __typename id } }'],
    ['a fragment', '{ users { ...F } } fragment F on User { id }'],
    ['an inline fragment', '{ users { ... on User { id } } }'],
    ['@include', 'query ($all: Boolean!) { users { id name @include(if: $all) } }'],
    ['@skip', '{ users { id @skip(if: true) } }'],
    ['introspection', '{ __schema { queryType { name } } }'],
    ['a mutation', 'mutation { addReview(upc: "p1", body: "ok") { id body } }'],
  ])('keeps %s on the full path', (_, query) => {
    expect(passesThrough(query)).toBe(false);
  });

  it('decides per operation of a document', () => {
    const document = 'query Mine { users { id } } query Theirs { topProducts { upc inStock } }';
    expect(passesThrough(document, 'Mine')).toBe(true);
    expect(passesThrough(document, 'Theirs')).toBe(false);
  });
});

describe('isPlainDataAnswer', () => {
  it.each([
    ['data alone', '{"data":{"users":[{"id":"u1"}]}}\n', true],
    ['a string that quotes the word errors', '{"data":{"note":"no \\"errors\\" here"}}', true],
    ['errors', '{"errors":[{"message":"x"}],"data":{"users":null}}', false],
    ['data, then errors', '{"data":{"users":null},"errors":[{"message":"x"}]}', false],
    ['extensions', '{"data":{"users":[]},"extensions":{"cost":1}}', false],
    ['a field called errors', '{"data":{"errors":1}}', false],
    ['null data', '{"data":null}', false],
    ['no data', '{"errors":[]}', false],
    ['not JSON', 'Bad Gateway', false],
  ])('%s', (_, text, plain) => {
    expect(isPlainDataAnswer(text)).toBe(plain);
  });
});

describe('PassThroughOperations', () => {
  const operation = (name: string) => ({ name }) as never;

  it('finds an operation by its text and the name the client sent, and keeps the first', () => {
    const operations = new PassThroughOperations(10);
    operations.remember('{ a }', null, operation('first'));
    operations.remember('{ a }', null, operation('second'));
    operations.remember('query Q { a }', 'Q', operation('named'));
    expect(operations.get('{ a }', undefined)).toEqual({ name: 'first' });
    expect(operations.get('{ a }', null)).toEqual({ name: 'first' });
    expect(operations.get('{ a } ', null)).toBeUndefined();
    expect(operations.get('query Q { a }', 'Q')).toEqual({ name: 'named' });
    expect(operations.get('query Q { a }', null)).toBeUndefined();
  });

  it('keeps at most as many as it was given, the least recently used going first', () => {
    const operations = new PassThroughOperations(2);
    operations.remember('{ a }', null, operation('a'));
    operations.remember('{ b }', null, operation('b'));
    operations.get('{ a }', null);
    operations.remember('{ c }', null, operation('c'));
    expect(operations.get('{ b }', null)).toBeUndefined();
    expect(operations.get('{ a }', null)).toEqual({ name: 'a' });
    operations.clear();
    expect(operations.get('{ a }', null)).toBeUndefined();
  });

  it('keeps their texts within a budget, and none larger than it', () => {
    const operations = new PassThroughOperations(100, 40);
    const text = (name: string) => `{ ${name.padEnd(14)} }`; // 19 characters with the key's separator
    operations.remember(text('a'), null, operation('a'));
    operations.remember(text('b'), null, operation('b'));
    operations.remember(text('c'), null, operation('c'));
    expect(operations.get(text('a'), null)).toBeUndefined();
    expect(operations.get(text('c'), null)).toEqual({ name: 'c' });
    operations.remember(`{ ${'x'.repeat(60)} }`, null, operation('large'));
    expect(operations.get(`{ ${'x'.repeat(60)} }`, null)).toBeUndefined();
    expect(operations.get(text('c'), null)).toEqual({ name: 'c' });
  });
});
