import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import {
  composeBenchSupergraph,
  startBenchSubgraphs,
  type BenchSubgraphs,
} from '../bench-subgraphs';
import type { BenchProcess } from '../child-process';
import { DEEP_QUERY, DEEP_QUERY_BODY } from '../deep-query';
import { GATEWAYS, type GatewayKey } from '../gateways';
import { ask, assertSameData, type GraphQLAnswer } from '../same-data';

// Keeps the gateway bench honest without timing anything: the gateways it compares must give
// the deep query the same, complete answer, so a gateway change that breaks results fails
// here before it could look fast there.
describe('gateway bench', () => {
  let subgraphs: BenchSubgraphs;
  const running: BenchProcess[] = [];

  beforeAll(async () => {
    subgraphs = await startBenchSubgraphs();
  });

  afterAll(async () => {
    await Promise.all(running.map((gateway) => gateway.stop()));
    await subgraphs?.stop();
  });

  async function answerOf(key: GatewayKey): Promise<{ name: string; answer: GraphQLAnswer }> {
    const gateway = GATEWAYS.find((candidate) => candidate.key === key)!;
    const served = await gateway.start(subgraphs.supergraphPath);
    running.push(served);
    return { name: gateway.name, answer: await ask(served.url, DEEP_QUERY_BODY) };
  }

  it('gets the same deep answer from Tessera in generic mode as from stock @apollo/gateway', async () => {
    const [stock, tessera] = await Promise.all([answerOf('stock'), answerOf('tessera')]);
    expect(() => assertSameData([stock, tessera])).not.toThrow();

    // The answer is the fan-out the bench is built on: 10 users × 3 reviews × 3 × 3.
    const data = tessera.answer.body.data as {
      users: { reviews: { product: { reviews: { author: { reviews: unknown[] } }[] } }[] }[];
    };
    const leaves = data.users.flatMap((user) =>
      user.reviews.flatMap((review) =>
        review.product.reviews.flatMap((inner) => inner.author.reviews),
      ),
    );
    expect(leaves).toHaveLength(270);
  });

  it('gets the same answer over subgraphs that execute every request', async () => {
    const executing = await startBenchSubgraphs('executing');
    try {
      const tessera = GATEWAYS.find((candidate) => candidate.key === 'tessera-no-dedup')!;
      const served = await tessera.start(executing.supergraphPath);
      running.push(served);
      const [stock, overExecuting] = await Promise.all([
        answerOf('stock'),
        ask(served.url, DEEP_QUERY_BODY),
      ]);
      expect(() =>
        assertSameData([stock, { name: 'over executing subgraphs', answer: overExecuting }]),
      ).not.toThrow();
    } finally {
      await executing.stop();
    }
  });

  it("sends the caller's locale with every subgraph fetch, so no two callers' fetches are the same", () => {
    const urls = {
      users: 'http://u',
      products: 'http://p',
      inventory: 'http://i',
      reviews: 'http://r',
    };
    const supergraph = Supergraph.build(composeBenchSupergraph(urls));
    const plan = new QueryPlanner(supergraph).buildQueryPlan(
      operationFromDocument(supergraph.apiSchema(), parse(DEEP_QUERY), {
        operationName: 'TestQuery',
      }),
    );
    const fetches: FetchNode[] = [];
    const collect = (node: PlanNode | undefined): void => {
      if (!node) return;
      if (node.kind === 'Fetch') fetches.push(node);
      if ('nodes' in node) node.nodes.forEach(collect);
      if (node.kind === 'Flatten') collect(node.node);
    };
    collect(plan.node as PlanNode | undefined);
    expect(fetches).toHaveLength(16);
    for (const fetch of fetches) expect(fetch.variableUsages).toContain('locale');
  });

  it('refuses answers that differ, naming where', () => {
    const answer = (price: number): GraphQLAnswer => ({
      status: 200,
      body: { data: { topProducts: [{ upc: 'p1', price }] } },
    });
    expect(() =>
      assertSameData([
        { name: 'a', answer: answer(100) },
        { name: 'b', answer: answer(101) },
      ]),
    ).toThrow('b differs from a at 1 place(s), first: data.topProducts[0].price: 100 vs 101');
  });

  it('refuses an answer with errors even when it has data', () => {
    expect(() =>
      assertSameData([
        {
          name: 'a',
          answer: { status: 200, body: { data: { users: null }, errors: [{ message: 'down' }] } },
        },
      ]),
    ).toThrow(/a: HTTP 200/);
  });
});
