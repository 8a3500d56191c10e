import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

// The baseline: @apollo/gateway behind Apollo Server exactly as its docs start it, with
// default settings: `node stock-gateway.js <supergraph file> <port>`.
async function main(): Promise<void> {
  const [supergraphPath, port] = process.argv.slice(2);
  if (!supergraphPath || !port) throw new Error('usage: stock-gateway.js <supergraph> <port>');
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
  const server = new ApolloServer({ gateway });
  await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
