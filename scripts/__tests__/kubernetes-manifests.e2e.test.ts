import { join } from 'node:path';
import type { z } from 'zod';
import { gatewayConfigRules, gatewayConfigShape } from '../../gateway/config';
import { parseConfig } from '../../platform/config/load';
import { signingKeyVariable } from '../../platform/config/service-keys';
import { SERVICE_NAMES } from '../../platform/context/service-keys';
import { serviceRole } from '../../platform/db/roles';
import { subgraphConfigSchema } from '../../platform/subgraph/subgraph-service';
import { repoRoot } from '../../platform/paths';
import { assetsSubgraph } from '../../subgraphs/assets/subgraph';
import { authSubgraph } from '../../subgraphs/auth/subgraph';
import { jobsSubgraph } from '../../subgraphs/jobs/subgraph';
import { workerConfigRules, workerConfigShape } from '../../subgraphs/jobs/worker/config';
import { observabilitySubgraph } from '../../subgraphs/observability/subgraph';
import { tenancySubgraph } from '../../subgraphs/tenancy/subgraph';
import { generateEnv } from '../generate-env';
import { objectName, podSpecOf, type Container, type KubeObject } from '../lib/kubernetes/objects';
import { containerEnv } from '../lib/kubernetes/pod-env';
import { isTesseraProcess, policyProblems } from '../lib/kubernetes/policy';
import { renderKustomization } from '../lib/kubernetes/render';
import { schemaProblems } from '../lib/kubernetes/schema';
import { SERVICE_ENTRIES, type ServiceName } from '../lib/service-process';
import { migrationConfigShape, serviceDatabaseUrls } from '../migrate';

// deploy/kubernetes/: each overlay renders with `kubectl kustomize` (kubectl must be on PATH:
// .ci/run installs it), every object passes the Kubernetes schemas, the house policy holds,
// and each process gets an environment its own config accepts in production, from the secrets
// `npm run env:generate` writes, so no variable or port in the manifests is invented.

const KUBERNETES = join(repoRoot(), 'deploy', 'kubernetes');
const OVERLAYS = ['development', 'production'] as const;
const SUBGRAPHS = {
  auth: authSubgraph,
  tenancy: tenancySubgraph,
  assets: assetsSubgraph,
  jobs: jobsSubgraph,
  observability: observabilitySubgraph,
} as const;
/** What an operator puts in `tessera-secrets`: the generated `.env`, plus S3 credentials. */
const SECRETS: Record<string, string> = {
  ...generateEnv(),
  ASSETS_S3_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
  ASSETS_S3_SECRET_ACCESS_KEY: 'example/secret/access/key/of/forty/chars0',
};

const rendered = Object.fromEntries(
  OVERLAYS.map((overlay) => [
    overlay,
    () => renderKustomization(join(KUBERNETES, 'overlays', overlay)),
  ]),
) as Record<(typeof OVERLAYS)[number], () => KubeObject[]>;

/** Tessera's processes in a rendered overlay, by the entry file their command runs. */
function processes(
  objects: KubeObject[],
): { name: ServiceName; object: KubeObject; container: Container }[] {
  const byEntry = new Map<string, string>(
    Object.entries(SERVICE_ENTRIES).map(([name, entry]) => [entry, name]),
  );
  return objects.flatMap((object) => {
    const container = podSpecOf(object)?.containers[0];
    const name = container && byEntry.get(container.command?.at(-1) ?? '');
    return object.kind === 'Deployment' && container && name
      ? [{ name: name as ServiceName, object, container }]
      : [];
  });
}

function configOf(name: ServiceName, env: Record<string, string>): Record<string, unknown> {
  if (name === 'gateway') return parseConfig(gatewayConfigShape, env, gatewayConfigRules);
  if (name === 'worker') return parseConfig(workerConfigShape, env, workerConfigRules);
  const { shape, rules } = subgraphConfigSchema<z.ZodRawShape>(SUBGRAPHS[name]);
  return parseConfig(shape, env, rules);
}

describe.each(OVERLAYS)('overlays/%s', (overlay) => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = rendered[overlay]();
  });

  it('renders with kubectl kustomize, every object valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  it('meets the policy: sized, probed, non-root, read-only, drained, no secret, network rules', () => {
    expect(policyProblems(objects)).toEqual([]);
    // The policy looks at these: they must be there to be looked at.
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').length).toBeGreaterThanOrEqual(5);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('runs every process once, with a Service on its port and a disruption budget', () => {
    const running = processes(objects);
    expect(running.map((p) => p.name).sort()).toEqual(Object.keys(SERVICE_ENTRIES).sort());
    for (const { name, object, container } of running) {
      expect(isTesseraProcess(container)).toBe(true);
      const env = containerEnv(objects, container, SECRETS);
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === name);
      const ports = (service?.spec?.ports as { port: number }[] | undefined)?.map((p) => p.port);
      expect({ name, serves: ports?.includes(Number(env.PORT)) }).toEqual({ name, serves: true });
      expect(container.ports?.map((p) => p.containerPort)).toContain(Number(env.PORT));
      const budget = objects.find(
        (o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === object.metadata.name,
      );
      expect({ name, budget: budget?.spec?.maxUnavailable }).toEqual({ name, budget: 1 });
    }
  });

  it('hands each process an environment its own config accepts in production, naming real Services', () => {
    const services = objects.filter((o) => o.kind === 'Service');
    for (const { name, container } of processes(objects)) {
      const env = containerEnv(objects, container, SECRETS);
      const config = configOf(name, env);
      expect({ name, nodeEnv: config.NODE_ENV }).toEqual({ name, nodeEnv: 'production' });
      if (name !== 'gateway') {
        const url = new URL(String(config.DATABASE_URL));
        expect([name, url.username, url.hostname]).toEqual([
          name,
          serviceRole(name),
          env.DATABASE_HOST,
        ]);
        expect(url.password).toBe(SECRETS[`TESSERA_${name.toUpperCase()}_DB_PASSWORD`]);
      }
      // Each process signs with its own key and holds no other.
      const keys = SERVICE_NAMES.filter((service) => signingKeyVariable(service) in env);
      expect({ name, keys }).toEqual({ name, keys: [name] });
      // Every in-cluster URL names a rendered Service on one of its ports.
      for (const [variable, value] of Object.entries(env)) {
        const url = URL.parse(value);
        // Dotted names are outside the cluster; localhost is a developer's browser origin.
        const inCluster =
          url && /^https?:$/.test(url.protocol) && /^[a-z][a-z0-9-]*$/.test(url.hostname);
        if (!url || !inCluster || url.hostname === 'localhost') continue;
        const service = services.find((s) => s.metadata.name === url.hostname);
        const ports = (service?.spec?.ports as { port: number }[] | undefined)?.map((p) => p.port);
        expect({ name, variable, reachable: ports?.includes(Number(url.port)) }).toEqual({
          name,
          variable,
          reachable: true,
        });
      }
    }
  });

  it('migrates with a Job that gives each role the password its process connects with', () => {
    const job = objects.find((o) => o.kind === 'Job')!;
    const container = podSpecOf(job)!.containers[0]!;
    expect(container.command).toEqual(['node', 'dist/scripts/migrate.js', 'up']);
    const config = parseConfig(migrationConfigShape, containerEnv(objects, container, SECRETS));
    expect(new URL(config.MIGRATION_DATABASE_URL).password).toBe(SECRETS.POSTGRES_PASSWORD);
    const urls = serviceDatabaseUrls(config);
    for (const { name, container: process } of processes(objects)) {
      if (name === 'gateway') continue;
      const env = containerEnv(objects, process, SECRETS);
      expect([name, urls[name]]).toEqual([name, env.DATABASE_URL]);
    }
  });

  it('needs no secret but those npm run env:generate writes (others are optional)', () => {
    const generated = new Set(Object.keys(generateEnv()));
    for (const object of objects) {
      for (const container of podSpecOf(object)?.containers ?? []) {
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (!ref || ref.optional) continue;
          expect({
            where: objectName(object),
            key: ref.key,
            generated: generated.has(ref.key),
          }).toEqual({
            where: objectName(object),
            key: ref.key,
            generated: true,
          });
        }
      }
    }
  });
});

it('production scales the gateway on CPU and requests in flight, and sizes its workers to its CPU', () => {
  const objects = rendered.production();
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
  const metrics =
    (hpa.spec?.metrics as { type: string; pods?: { metric: { name: string } } }[]) ?? [];
  expect(metrics.map((m) => m.type)).toEqual(['Resource', 'Pods']);
  expect(metrics[1]?.pods?.metric.name).toBe('tessera_http_requests_in_flight');
  const gateway = processes(objects).find((p) => p.name === 'gateway')!;
  const env = containerEnv(objects, gateway.container, SECRETS);
  const config = configOf('gateway', env);
  expect(String(config.GATEWAY_WORKERS)).toBe(gateway.container.resources?.limits?.cpu);
  // The ServiceMonitor component scrapes the gateway on its metrics port, never the public one.
  const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
  const gatewayMonitor = monitors.find((m) => m.metadata.name === 'tessera-gateway')!;
  expect(gatewayMonitor.spec?.endpoints).toEqual([expect.objectContaining({ port: 'metrics' })]);
  expect(config.GATEWAY_METRICS_PORT).toBe(9464);
});

it('production refuses to start the assets process on S3 without its credentials', () => {
  const objects = rendered.production();
  const assets = processes(objects).find((p) => p.name === 'assets')!;
  const { ASSETS_S3_ACCESS_KEY_ID: _id, ASSETS_S3_SECRET_ACCESS_KEY: _key, ...generated } = SECRETS;
  const env = containerEnv(objects, assets.container, generated);
  expect(() => configOf('assets', env)).toThrow(
    /ASSETS_S3_ACCESS_KEY_ID: is required when ASSETS_STORAGE=s3/,
  );
});
