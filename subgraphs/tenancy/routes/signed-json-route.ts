// Moved to platform/http so every subgraph's internal routes share it (the tenant purge).
export { signedJsonRoute, type SignedJsonRoute } from '../../../platform/http';
