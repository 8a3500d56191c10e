import { runSubgraphProcess } from '../../platform/subgraph/subgraph-service';
import { authSubgraph } from './subgraph';

runSubgraphProcess(authSubgraph);
