import { runSubgraphProcess } from '../../platform/subgraph/subgraph-service';
import { jobsSubgraph } from './subgraph';

runSubgraphProcess(jobsSubgraph);
