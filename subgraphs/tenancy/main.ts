import { runSubgraphProcess } from '../../platform/subgraph/subgraph-service';
import { tenancySubgraph } from './subgraph';

runSubgraphProcess(tenancySubgraph);
