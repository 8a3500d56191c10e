import type { z } from 'zod';
import { gatewayConfigShape } from '../../gateway/config';
import { subgraphConfigSchema } from '../../platform/subgraph/subgraph-service';
import { assetsSubgraph } from '../../subgraphs/assets/subgraph';
import { authSubgraph } from '../../subgraphs/auth/subgraph';
import { jobsSubgraph } from '../../subgraphs/jobs/subgraph';
import { workerConfigShape } from '../../subgraphs/jobs/worker/config';
import { backupConfigShape } from '../../subgraphs/jobs/worker/backup/backup-config';
import { observabilitySubgraph } from '../../subgraphs/observability/subgraph';
import { tenancySubgraph } from '../../subgraphs/tenancy/subgraph';
import { auditConfigShape } from '../dependency-audit';
import { restoreConfigShape } from '../journal-restore';
import { launcherConfigShape } from '../launcher-config';
import { migrationConfigShape } from '../migrate';

/** One program that validates its environment, and the shape it validates it with. */
export interface ConfiguredProcess {
  /** The heading of its section. */
  name: string;
  /** How it is started, and what it is. */
  about: string;
  shape: z.ZodRawShape;
  /** The module that passes `shape` to loadConfig, so a program missing here is noticed. */
  loadedIn: string;
}

const subgraph = (definition: Parameters<typeof subgraphConfigSchema>[0]): ConfiguredProcess => ({
  name: definition.name,
  about: `The ${definition.name} subgraph (\`node dist/subgraphs/${definition.name}/main.js\`; port ${definition.defaultPort}).`,
  shape: subgraphConfigSchema(definition).shape,
  loadedIn: 'platform/subgraph/subgraph-service.ts',
});

/**
 * Every program that reads environment variables, each with the exact shape it passes to
 * loadConfig: a variable added to any of these shapes appears in the reference by itself.
 */
export function configuredProcesses(): ConfiguredProcess[] {
  return [
    {
      name: 'gateway',
      about:
        'The public GraphQL gateway (`npm run start:gateway`, `node dist/gateway/main.js`; port 4000).',
      shape: gatewayConfigShape,
      loadedIn: 'gateway/config.ts',
    },
    subgraph(authSubgraph),
    subgraph(tenancySubgraph),
    subgraph(assetsSubgraph),
    subgraph(jobsSubgraph),
    subgraph(observabilitySubgraph),
    {
      name: 'worker',
      about:
        'The worker: BullMQ jobs, the event relay, webhook delivery, mail, alerts and backups (`node dist/subgraphs/jobs/worker/main.js`; port 4006).',
      shape: workerConfigShape,
      loadedIn: 'subgraphs/jobs/worker/config.ts',
    },
    {
      name: 'launcher',
      about:
        '`npm start`: migrates, then runs every process above on this machine. It hands its whole environment on to each process, plus where the others listen.',
      shape: launcherConfigShape,
      loadedIn: 'scripts/start.ts',
    },
    {
      name: 'migrate',
      about: '`npm run migrate` and `npm run migrate:revert`: connect as the schema owner.',
      shape: migrationConfigShape,
      loadedIn: 'scripts/migrate.ts',
    },
    {
      name: 'db-backup',
      about:
        '`npm run db:backup`, `npm run db:restore` and `npm run db:backup:verified` ([backup and restore](backup-and-restore.md)).',
      shape: { ...migrationConfigShape, ...backupConfigShape },
      loadedIn: 'scripts/db-backup.ts',
    },
    {
      name: 'journal-restore',
      about:
        '`npm run journal:restore`: puts an archived month of the event journal back ([event journal](event-journal.md)).',
      shape: restoreConfigShape,
      loadedIn: 'scripts/journal-restore.ts',
    },
    {
      name: 'dependency-audit',
      about: '`npm run audit:deps`: the production dependency audit CI runs.',
      shape: auditConfigShape,
      loadedIn: 'scripts/dependency-audit.ts',
    },
  ];
}
