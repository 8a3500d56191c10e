import { startBenchSubgraphs } from './bench-subgraphs';
import { DEEP_QUERY_BODY } from './deep-query';

// For profiling a gateway by hand: starts the bench subgraphs, prints where they are and how
// to point a gateway at them, and stops them on Ctrl-C.
async function main(): Promise<void> {
  const subgraphs = await startBenchSubgraphs();
  const lines = [
    `supergraph: ${subgraphs.supergraphPath}`,
    ...Object.entries(subgraphs.urls).map(([name, url]) => `${name}: ${url}`),
    '',
    `GATEWAY_SUPERGRAPH_PATH=${subgraphs.supergraphPath} GATEWAY_POLICIES=off GATEWAY_MAX_DEPTH=100 GATEWAY_MAX_COST=10000000 PORT=4000 node --max-semi-space-size=32 dist/gateway/main.js`,
    `curl -s localhost:4000/graphql -H 'content-type: application/json' -d '${DEEP_QUERY_BODY.replace(/\\n\s*/g, ' ')}'`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => void subgraphs.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
