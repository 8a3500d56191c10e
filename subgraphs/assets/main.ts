import { runSubgraphProcess } from '../../platform/subgraph/subgraph-service';
import { assetsSubgraph } from './subgraph';

runSubgraphProcess(assetsSubgraph);
