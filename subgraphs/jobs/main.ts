import { runSubgraphProcess } from '../../platform/graphql';
import { jobsSubgraph } from '.';

runSubgraphProcess(jobsSubgraph);
