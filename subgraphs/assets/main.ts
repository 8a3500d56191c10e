import { runSubgraphProcess } from '../../platform/graphql';
import { assetsSubgraph } from '.';

runSubgraphProcess(assetsSubgraph);
