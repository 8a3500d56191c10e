import { runSubgraphProcess } from '../../platform/graphql';
import { observabilitySubgraph } from '.';

runSubgraphProcess(observabilitySubgraph);
