import { runSubgraphProcess } from '../../platform/graphql';
import { authSubgraph } from '.';

runSubgraphProcess(authSubgraph);
