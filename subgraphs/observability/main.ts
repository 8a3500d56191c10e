import { runSubgraphProcess } from '../../platform/subgraph/subgraph-service';
import { observabilitySubgraph } from './subgraph';

runSubgraphProcess(observabilitySubgraph);
