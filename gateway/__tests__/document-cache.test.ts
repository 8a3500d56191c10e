import { buildSchema, specifiedRules } from 'graphql';
import { DocumentCache } from '../subscriptions/document-cache';
import { queryLimitRules } from '../security/limits';

const SDL = `
  type Query { ok: Boolean }
  type Event { seq: String! payload: String }
  type Subscription { events(types: [String!]): Event! }
`;
const LIMITS = { maxDepth: 12, maxAliases: 1, maxDirectives: 50, maxCost: 5_000 };

function cache(maxDocuments = 10) {
  return new DocumentCache({
    validationRules: [...specifiedRules, ...queryLimitRules(LIMITS)],
    maxTokens: 50,
    maxDocuments,
  });
}

function documentOf(prepared: ReturnType<DocumentCache['prepare']>) {
  if ('errors' in prepared) throw new Error(`unexpected errors: ${prepared.errors[0]!.message}`);
  return prepared.document;
}

describe('DocumentCache', () => {
  const schema = buildSchema(SDL);

  it('shares one parsed document between operations of the same query text', () => {
    const documents = cache();
    const query = 'subscription ($t: [String!]) { events(types: $t) { seq } }';
    const first = documentOf(documents.prepare(schema, query));
    expect(documentOf(documents.prepare(schema, query))).toBe(first);
    expect(documentOf(documents.prepare(schema, `${query} `))).not.toBe(first);
    expect(documents.sizeFor(schema)).toBe(2);
  });

  it('counts each read as a hit or a miss', () => {
    const counted: string[] = [];
    const documents = new DocumentCache({
      validationRules: specifiedRules,
      maxTokens: 50,
      countLookup: (result) => counted.push(result),
    });
    documents.prepare(schema, 'subscription { events { seq } }');
    documents.prepare(schema, 'subscription { events { seq } }');
    documents.prepare(schema, 'subscription {');
    expect(counted).toEqual(['miss', 'hit', 'miss']);
  });

  it('is bounded: the least recently used query text makes way', () => {
    const documents = cache(2);
    const queries = ['seq', 'payload', 'seq payload'].map(
      (f) => `subscription { events { ${f} } }`,
    );
    const first = documentOf(documents.prepare(schema, queries[0]!));
    documents.prepare(schema, queries[1]!);
    documents.prepare(schema, queries[2]!);
    expect(documents.sizeFor(schema)).toBe(2);
    // Evicted, so parsed again: a new object.
    expect(documentOf(documents.prepare(schema, queries[0]!))).not.toBe(first);
  });

  it('never reuses a document validated against another schema', () => {
    const documents = cache();
    const query = 'subscription { events { payload } }';
    documentOf(documents.prepare(schema, query));
    // A new supergraph without the field: the same text is validated again, and refused.
    const next = buildSchema(SDL.replace(' payload: String', ''));
    const prepared = documents.prepare(next, query);
    expect('errors' in prepared && prepared.errors[0]!.extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(documents.sizeFor(next)).toBe(0);
    expect(documents.sizeFor(schema)).toBe(1);
  });

  it('answers a parse error coded, every time, and keeps no failed document', () => {
    const documents = cache();
    for (let i = 0; i < 2; i += 1) {
      const prepared = documents.prepare(schema, 'subscription { events { seq ');
      expect('errors' in prepared && prepared.errors[0]!.extensions.code).toBe(
        'GRAPHQL_PARSE_FAILED',
      );
    }
    // Over the token limit: refused by the parser, coded the same way.
    const long = `subscription { events { ${'seq '.repeat(60)}} }`;
    const prepared = documents.prepare(schema, long);
    expect('errors' in prepared && prepared.errors[0]!.extensions.code).toBe(
      'GRAPHQL_PARSE_FAILED',
    );
    expect(documents.sizeFor(schema)).toBe(0);
  });

  it('keeps a query limit domain code', () => {
    const prepared = cache().prepare(schema, 'subscription { events { a: seq b: seq } }');
    expect('errors' in prepared && prepared.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});
