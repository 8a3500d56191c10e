// Moved to platform/http so the subgraphs' own internal calls (tenant status, alert
// recipients) share it with the worker's jobs.
export { callInternalRoute } from '../../../platform/http';
