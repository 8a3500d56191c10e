import { CLEANUP_MS } from '../../../gateway/cluster/cluster-primary';
import { networkPolicyProblems } from './network-policy';
import { podSpecOf, objectName, type Container, type KubeObject, type PodSpec } from './objects';
import { containerEnv } from './pod-env';

/** Names that hold secrets: a literal value for one is a secret committed to the repository. */
const SECRET_NAME = /PASSWORD|SECRET|SIGNING_KEY|ENCRYPTION_KEYS|TOKEN|ACCESS_KEY/;
/** The password of a `scheme://user:password@host` URL. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@]*:([^@/]*)@/i;
/** A value the kubelet fills in from another variable (a secretKeyRef), not a literal. */
const REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/;

/**
 * What the house rules find wrong with a rendered set of manifests, one line per problem:
 * every container sized (requests and limits), probed (readiness and liveness, unless it is a
 * Job's one-shot), and locked down (non-root, read-only root filesystem, no privilege
 * escalation); Tessera's processes paused before SIGTERM and given the time their drain
 * takes; no secret value in a Secret, a ConfigMap or a container's literal env; and the
 * NetworkPolicies the deployment needs.
 */
export function policyProblems(objects: readonly KubeObject[]): string[] {
  return [
    ...objects.flatMap((object) => workloadProblems(objects, object)),
    ...objects.flatMap(secretProblems),
    ...networkPolicyProblems(objects),
  ];
}

function workloadProblems(objects: readonly KubeObject[], object: KubeObject): string[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  const oneShot = object.kind === 'Job';
  const containers = [...(pod.initContainers ?? []), ...pod.containers];
  return containers.flatMap((container) => {
    const where = `${objectName(object)} container ${container.name}`;
    const problems = [
      ...resourceProblems(container),
      ...securityProblems(pod, container),
      ...(oneShot || pod.initContainers?.includes(container) ? [] : probeProblems(container)),
      ...literalSecretProblems(container),
    ];
    if (!oneShot && isTesseraProcess(container)) {
      problems.push(...drainProblems(objects, pod, container));
    }
    return problems.map((problem) => `${where}: ${problem}`);
  });
}

function resourceProblems(container: Container): string[] {
  const { requests, limits } = container.resources ?? {};
  return [
    !requests?.cpu && 'no CPU request',
    !requests?.memory && 'no memory request',
    !limits?.cpu && 'no CPU limit',
    !limits?.memory && 'no memory limit',
  ].filter((problem): problem is string => Boolean(problem));
}

function securityProblems(pod: PodSpec, container: Container): string[] {
  const own = container.securityContext ?? {};
  const nonRoot = own.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  const user = own.runAsUser ?? pod.securityContext?.runAsUser;
  return [
    nonRoot !== true && 'runAsNonRoot is not true',
    user === 0 && 'runs as uid 0',
    own.readOnlyRootFilesystem !== true && 'readOnlyRootFilesystem is not true',
    own.allowPrivilegeEscalation !== false && 'allowPrivilegeEscalation is not false',
    own.privileged === true && 'is privileged',
  ].filter((problem): problem is string => Boolean(problem));
}

function probeProblems(container: Container): string[] {
  const problems: string[] = [];
  if (!container.readinessProbe) problems.push('no readiness probe');
  if (!container.livenessProbe) problems.push('no liveness probe');
  if (isTesseraProcess(container)) {
    // Readiness turns false while draining; liveness must not depend on PostgreSQL or Redis,
    // or an outage would restart every pod at once.
    if (container.readinessProbe?.httpGet?.path !== '/readyz')
      problems.push('readiness is not /readyz');
    if (container.livenessProbe?.httpGet?.path !== '/healthz')
      problems.push('liveness is not /healthz');
  }
  return problems;
}

function literalSecretProblems(container: Container): string[] {
  return (container.env ?? []).flatMap((variable) =>
    variable.value === undefined ? [] : literalProblems(variable.name, variable.value),
  );
}

/** A secret written out: under a secret's name, or as a URL's password. */
function literalProblems(name: string, value: string): string[] {
  if (SECRET_NAME.test(name)) return [`${name} has a literal value (use a secretKeyRef)`];
  const password = URL_PASSWORD.exec(value)?.[1];
  return password && !REFERENCE.test(password)
    ? [`${name} has a password in its URL (use $(VAR) from a secretKeyRef)`]
    : [];
}

/** The pause before SIGTERM, and SHUTDOWN_GRACE_MS plus cleanup, within the grace period. */
function drainProblems(
  objects: readonly KubeObject[],
  pod: PodSpec,
  container: Container,
): string[] {
  const preStop = container.lifecycle?.preStop;
  const pauseSeconds =
    preStop?.sleep?.seconds ??
    (preStop?.exec?.command[0] === 'sleep' ? Number(preStop.exec.command[1]) : undefined);
  if (pauseSeconds === undefined || !Number.isFinite(pauseSeconds)) {
    return ['no preStop pause before SIGTERM (endpoints would still send it requests)'];
  }
  // What the process itself would read, its default included (platform/config/service.ts).
  const env = containerEnv(objects, container, new Proxy({}, { get: () => 'x' }));
  const drainSeconds = Number(env.SHUTDOWN_GRACE_MS ?? 10_000) / 1000;
  const needed = pauseSeconds + drainSeconds + CLEANUP_MS / 1000;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  return grace < needed
    ? [
        `terminationGracePeriodSeconds ${grace} < preStop ${pauseSeconds} s + drain ${drainSeconds} s + cleanup ${CLEANUP_MS / 1000} s`,
      ]
    : [];
}

function secretProblems(object: KubeObject): string[] {
  if (
    object.kind === 'Secret' &&
    (Object.keys(object.data ?? {}).length > 0 || Object.keys(object.stringData ?? {}).length > 0)
  ) {
    return [`${objectName(object)}: holds secret values; create it outside the repository`];
  }
  if (object.kind === 'ConfigMap') {
    return Object.entries(object.data ?? {}).flatMap(([key, value]) =>
      literalProblems(key, value).map((problem) => `${objectName(object)}: ${problem}`),
    );
  }
  return [];
}

/** One of Tessera's own processes (the image every process runs), not a third-party one. */
export function isTesseraProcess(container: Container): boolean {
  return (
    /(^|\/)tessera(:|$)/.test(container.image ?? '') && (container.command?.[0] ?? '') === 'node'
  );
}
