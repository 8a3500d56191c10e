import { optionalPort, port, url } from '../platform/config/fields';
import { migrationConfigShape } from './migrate';

/** What `npm start` reads itself; everything else it hands on to the processes it starts. */
export const launcherConfigShape = {
  ...migrationConfigShape,
  PORT: port(4000).describe("The gateway's port."),
  AUTH_PORT: port(4001).describe("The auth subgraph's port."),
  TENANCY_PORT: port(4002).describe("The tenancy subgraph's port."),
  ASSETS_PORT: port(4003).describe("The assets subgraph's port."),
  JOBS_PORT: port(4004).describe("The jobs subgraph's port."),
  OBSERVABILITY_PORT: port(4005).describe("The observability subgraph's port."),
  WORKER_PORT: port(4006).describe("The worker's port (health, readiness and metrics)."),
  GATEWAY_METRICS_PORT: optionalPort().describe(
    "The gateway's separate metrics port, handed to the gateway and to observability (which scrapes it).",
  ),
  READ_DATABASE_URL: url(['postgres', 'postgresql'])
    .optional()
    .describe(
      'A read replica for every subgraph (docs/read-replicas.md): each connects to it as its own role.',
    ),
};
