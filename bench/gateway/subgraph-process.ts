import { createSubgraphServer } from './subgraph-server';
import { BENCH_SUBGRAPH_NAMES, type BenchSubgraphName } from './subgraphs';

// One bench subgraph in a process of its own, so its CPU never counts against a gateway's
// event loop: `node subgraph-process.js <name> <port>`.
const name = process.argv[2] as BenchSubgraphName;
if (!BENCH_SUBGRAPH_NAMES.includes(name)) {
  process.stderr.write(`usage: subgraph-process.js <${BENCH_SUBGRAPH_NAMES.join('|')}> <port>\n`);
  process.exit(2);
}
const server = createSubgraphServer(name);
server.listen(Number(process.argv[3]), '127.0.0.1');
