import { runSubgraphProcess } from '../../platform/graphql';
import { tenancySubgraph } from '.';

runSubgraphProcess(tenancySubgraph);
