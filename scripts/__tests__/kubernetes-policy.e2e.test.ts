import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml';
import { repoRoot } from '../../platform/paths';
import { generateEnv } from '../generate-env';
import type { Container, KubeObject } from '../lib/kubernetes/objects';
import { policyProblems } from '../lib/kubernetes/policy';
import { KUBECTL_MISSING, renderKustomization } from '../lib/kubernetes/render';
import { schemaProblems } from '../lib/kubernetes/schema';

// The checker of scripts/__tests__/kubernetes-manifests.e2e.test.ts must catch what it exists to
// catch: each deliberately broken manifest here, written to a temporary directory and rendered
// by kubectl, is refused with a line naming the object and the problem.

const KUBERNETES = join(repoRoot(), 'deploy', 'kubernetes');
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tessera-kube-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** Renders `objects` through a kustomization in the scratch directory, as CI renders overlays. */
function renderBroken(objects: object[]): KubeObject[] {
  writeFileSync(join(scratch, 'objects.yaml'), objects.map((o) => stringifyYaml(o)).join('---\n'));
  writeFileSync(
    join(scratch, 'kustomization.yaml'),
    stringifyYaml({ resources: ['objects.yaml'] }),
  );
  return renderKustomization(scratch);
}

/** A Deployment as parsed, loose enough to break in any way. */
interface BreakableDeployment extends KubeObject {
  spec: {
    replicas?: unknown;
    template: {
      metadata?: { labels?: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: object;
        containers: (Omit<Container, 'image' | 'securityContext'> & {
          image?: unknown;
          securityContext?: object;
        })[];
      };
    };
  };
}

/** The base's gateway Deployment, for breaking one thing at a time. */
function gateway(): BreakableDeployment {
  const documents = readFileSync(join(KUBERNETES, 'base', 'gateway.yaml'), 'utf8').split(/^---$/m);
  return parseYaml(documents[0]!) as BreakableDeployment;
}
const config = () =>
  parseYaml(readFileSync(join(KUBERNETES, 'base', 'config.yaml'), 'utf8')) as {
    data: Record<string, string>;
  };

it('refuses a container with no limits, no probes, root, a writable root and escalation', () => {
  const broken = gateway();
  const container = broken.spec.template.spec.containers[0]!;
  delete container.resources!.limits;
  delete container.readinessProbe;
  delete container.livenessProbe;
  container.securityContext = { allowPrivilegeEscalation: true, privileged: true };
  broken.spec.template.spec.securityContext = { runAsUser: 0 };
  const problems = policyProblems(renderBroken([broken, config()]));
  const where = 'Deployment/gateway container gateway';
  expect(problems).toEqual(
    expect.arrayContaining([
      `${where}: no CPU limit`,
      `${where}: no memory limit`,
      `${where}: no readiness probe`,
      `${where}: no liveness probe`,
      `${where}: runAsNonRoot is not true`,
      `${where}: runs as uid 0`,
      `${where}: readOnlyRootFilesystem is not true`,
      `${where}: allowPrivilegeEscalation is not false`,
      `${where}: is privileged`,
    ]),
  );
});

it('refuses a grace period shorter than the pause, the drain and the cleanup', () => {
  const broken = gateway();
  broken.spec.template.spec.terminationGracePeriodSeconds = 10;
  const noPause = gateway();
  noPause.metadata.name = 'gateway-without-pause';
  delete noPause.spec.template.spec.containers[0]!.lifecycle;
  const problems = policyProblems(renderBroken([broken, noPause, config()]));
  expect(problems).toEqual(
    expect.arrayContaining([
      'Deployment/gateway container gateway: terminationGracePeriodSeconds 10 < preStop 5 s + drain 20 s + cleanup 5 s',
      'Deployment/gateway-without-pause container gateway: no preStop pause before SIGTERM (endpoints would still send it requests)',
    ]),
  );
});

it('attack: refuses secret values committed as a Secret, a ConfigMap entry or a literal env', () => {
  const leaky = gateway();
  leaky.spec.template.spec.containers[0]!.env!.push({
    name: 'GATEWAY_METRICS_TOKEN',
    value: 'a-token-written-into-the-repository-000',
  });
  const cm = config();
  cm.data.REDIS_URL = 'redis://:hunter2hunter2@redis:6379';
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tessera-secrets' },
    stringData: { POSTGRES_PASSWORD: 'committed' },
  };
  const problems = policyProblems(renderBroken([leaky, cm, secret]));
  expect(problems).toEqual(
    expect.arrayContaining([
      'Deployment/gateway container gateway: GATEWAY_METRICS_TOKEN has a literal value (use a secretKeyRef)',
      'ConfigMap/tessera-config: REDIS_URL has a password in its URL (use $(VAR) from a secretKeyRef)',
      'Secret/tessera-secrets: holds secret values; create it outside the repository',
    ]),
  );
});

it('attack: refuses network policies that open a subgraph or the internet, or deny nothing', () => {
  const open = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'open-auth' },
    spec: {
      podSelector: { matchLabels: { 'tessera.dev/process': 'auth' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{}],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    },
  };
  const auth = gateway();
  auth.metadata.name = 'auth';
  auth.spec.template.metadata = { labels: { 'tessera.dev/process': 'auth' } };
  const problems = policyProblems(renderBroken([open, auth, config()]));
  expect(problems).toEqual(
    expect.arrayContaining([
      'no default-deny NetworkPolicy for ingress and egress',
      "NetworkPolicy/open-auth: admits traffic from outside the namespace to auth (only the gateway's port 4000 may)",
      "NetworkPolicy/open-auth: egress rule reaches more than DNS, PostgreSQL, Redis and Tessera's pods",
      'auth does not admit the gateway',
      'jobs does not admit the worker',
    ]),
  );
});

it('refuses objects the Kubernetes schemas reject, and kinds it has no schema for', () => {
  const broken = gateway();
  broken.spec.template.spec.containers[0]!.image = 42;
  broken.spec.replicas = 'two';
  const unknown = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'x' } };
  const problems = [broken, unknown].flatMap((o) => schemaProblems(o as KubeObject));
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Deployment\/gateway: .*replicas must be integer/),
      'Gadget/x: no schema for example.com/v1 Gadget',
    ]),
  );
});

it('fails with a clear message when kubectl is missing or the kustomization is broken', () => {
  expect(() => renderKustomization(KUBERNETES, 'kubectl-not-installed')).toThrow(KUBECTL_MISSING);
  writeFileSync(join(scratch, 'kustomization.yaml'), stringifyYaml({ resources: ['gone.yaml'] }));
  expect(() => renderKustomization(scratch)).toThrow(/kubectl kustomize .* failed: .*gone\.yaml/s);
});

it('the secrets-from-env-file component builds tessera-secrets from a git-ignored file only', () => {
  const copy = join(scratch, 'kubernetes');
  cpSync(KUBERNETES, copy, { recursive: true });
  const env = generateEnv();
  writeFileSync(
    join(copy, 'components', 'secrets-from-env-file', 'secrets.env'),
    Object.entries(env)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  const overlay = join(copy, 'overlays', 'with-secrets');
  cpSync(join(copy, 'overlays', 'development'), overlay, { recursive: true });
  const kustomization = parseYaml(readFileSync(join(overlay, 'kustomization.yaml'), 'utf8')) as {
    components?: string[];
  };
  kustomization.components = ['../../components/secrets-from-env-file'];
  writeFileSync(join(overlay, 'kustomization.yaml'), stringifyYaml(kustomization));

  const objects = renderKustomization(overlay);
  const secret = objects.find((o) => o.kind === 'Secret')!;
  expect(secret.metadata.name).toBe('tessera-secrets');
  expect(Object.keys(secret.data ?? {}).sort()).toEqual(Object.keys(env).sort());
  // Fine on a cluster, never in the repository: the file it came from is ignored by git.
  const ignored = readFileSync(join(repoRoot(), '.gitignore'), 'utf8').split('\n');
  expect(ignored).toContain('deploy/kubernetes/**/secrets.env');
});
