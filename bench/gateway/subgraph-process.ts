import {
  createSubgraphServer,
  SUBGRAPH_ANSWERING,
  type SubgraphAnswering,
} from './subgraph-server';
import { BENCH_SUBGRAPH_NAMES, type BenchSubgraphName } from './subgraphs/catalog';

// One bench subgraph in a process of its own, so its CPU never counts against a gateway's
// event loop: `node subgraph-process.js <name> <port> [remembered|executing]`.
const name = process.argv[2] as BenchSubgraphName;
const answering = (process.argv[4] ?? 'remembered') as SubgraphAnswering;
if (!BENCH_SUBGRAPH_NAMES.includes(name) || !SUBGRAPH_ANSWERING.includes(answering)) {
  process.stderr.write(
    `usage: subgraph-process.js <${BENCH_SUBGRAPH_NAMES.join('|')}> <port> [${SUBGRAPH_ANSWERING.join('|')}]\n`,
  );
  process.exit(2);
}
const server = createSubgraphServer(name, answering);
server.listen(Number(process.argv[3]), '127.0.0.1');
