import { createServer, type Server } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BENCH_SUBGRAPHS, type BenchSubgraphName } from './subgraphs/catalog';

/**
 * How a bench subgraph answers. `remembered`: the answer to a request body is kept (its
 * caller's locale aside), so after the first request of a shape a subgraph costs a scan of
 * the body, a map lookup and a write, the same for every gateway, and the load measures the
 * gateway alone. `executing`: every request is
 * executed by graphql-js over the @apollo/subgraph schema (documents parsed and validated
 * once per query text, as Apollo Server's document cache does), so the subgraphs cost what
 * real ones cost and compete with the gateway for the cores.
 */
export type SubgraphAnswering = 'remembered' | 'executing';
export const SUBGRAPH_ANSWERING: readonly SubgraphAnswering[] = ['remembered', 'executing'];

/** Distinct request bodies (or query texts) remembered; a gateway sends a handful per shape. */
const MAX_CACHED = 1_000;

/** One bench subgraph over plain node:http. */
export function createSubgraphServer(
  name: BenchSubgraphName,
  answering: SubgraphAnswering = 'remembered',
): Server {
  const { typeDefs, resolvers } = BENCH_SUBGRAPHS[name];
  const schema = buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers }]);
  const answer = answering === 'remembered' ? rememberedAnswers(schema) : executedAnswers(schema);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void answer(Buffer.concat(chunks).toString('utf8')).then((body) => {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
        });
        res.end(body);
      });
    });
  });
  // Longer than any gateway's idle keep-alive, so a gateway never reuses a socket this side
  // is closing (a reset would count as a gateway error).
  server.keepAliveTimeout = 65_000;
  return server;
}

/** A `"locale":"…"` variable: the bench's answers are the same in every locale. */
const LOCALE_VARIABLE = /"locale":"[^"\\]*"/g;

function rememberedAnswers(schema: GraphQLSchema): (body: string) => Promise<Buffer> {
  const answers = new Map<string, Buffer>();
  const documents = documentCache(schema);
  return async (body) => {
    const key = body.replace(LOCALE_VARIABLE, '"locale":null');
    let answer = answers.get(key);
    if (!answer) {
      answer = Buffer.from(JSON.stringify(await answerFor(schema, documents, body)));
      if (answers.size < MAX_CACHED) answers.set(key, answer);
    }
    return answer;
  };
}

function executedAnswers(schema: GraphQLSchema): (body: string) => Promise<Buffer> {
  const documents = documentCache(schema);
  return async (body) => Buffer.from(JSON.stringify(await answerFor(schema, documents, body)));
}

type Validated = { document: DocumentNode } | { errors: readonly unknown[] };

/** Parsed and validated documents by query text. */
function documentCache(schema: GraphQLSchema): (query: string) => Validated {
  const validated = new Map<string, Validated>();
  return (query) => {
    let found = validated.get(query);
    if (!found) {
      const document = parse(query);
      const errors = validate(schema, document);
      found = errors.length > 0 ? { errors } : { document };
      if (validated.size < MAX_CACHED) validated.set(query, found);
    }
    return found;
  };
}

async function answerFor(
  schema: GraphQLSchema,
  documents: (query: string) => Validated,
  body: string,
): Promise<unknown> {
  let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
  let validated: Validated;
  try {
    request = JSON.parse(body) as typeof request;
    validated = documents(request.query ?? '');
  } catch (error) {
    return { errors: [{ message: `bad request: ${(error as Error).message}` }] };
  }
  if ('errors' in validated) return { errors: validated.errors };
  // Federation's `_entities` resolver returns promises even over synchronous resolvers.
  return await execute({
    schema,
    document: validated.document,
    variableValues: request.variables,
    operationName: request.operationName,
  });
}
