import { writeFileSync } from 'node:fs';
import { composeSupergraph } from '../platform/schema/compose';
import { supergraphPath } from '../platform/paths';

// Writes schema/supergraph.graphql from the subgraph SDLs. Commit the result; a test fails
// when it is stale.
const { supergraphSdl } = composeSupergraph();
writeFileSync(supergraphPath(), supergraphSdl);
process.stdout.write(`wrote ${supergraphPath()}\n`);
