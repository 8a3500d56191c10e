import { createServer, type Server } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BENCH_SUBGRAPHS, type BenchSubgraphName } from './subgraphs';

/** Distinct request bodies remembered; a gateway sends a handful per query shape. */
const MAX_CACHED_BODIES = 1_000;

/**
 * One bench subgraph over plain node:http. Its data never changes, so an answer is remembered
 * by the exact request body: after the first request of a shape, a subgraph costs a map
 * lookup and a write, the same for every gateway, and the gateway under test is what the
 * load measures.
 */
export function createSubgraphServer(name: BenchSubgraphName): Server {
  const { typeDefs, resolvers } = BENCH_SUBGRAPHS[name];
  const schema = buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers }]);
  const answers = new Map<string, Buffer>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let answer = answers.get(body);
      if (!answer) {
        answer = Buffer.from(JSON.stringify(await answerFor(schema, body)));
        if (answers.size < MAX_CACHED_BODIES) answers.set(body, answer);
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': answer.length,
      });
      res.end(answer);
    });
  });
  // Longer than any gateway's idle keep-alive, so a gateway never reuses a socket this side
  // is closing (a reset would count as a gateway error).
  server.keepAliveTimeout = 65_000;
  return server;
}

async function answerFor(schema: GraphQLSchema, body: string): Promise<unknown> {
  let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
  let document: DocumentNode;
  try {
    request = JSON.parse(body) as typeof request;
    document = parse(request.query ?? '');
  } catch (error) {
    return { errors: [{ message: `bad request: ${(error as Error).message}` }] };
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { errors };
  // Federation's `_entities` resolver returns promises even over synchronous resolvers.
  return await execute({
    schema,
    document,
    variableValues: request.variables,
    operationName: request.operationName,
  });
}
