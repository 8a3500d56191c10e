import { objectName, type KubeObject } from './objects';

// The network rules the deployment promises (docs/deploy-kubernetes.md): deny by default; only
// the gateway's public port open to the world; the subgraphs reachable from the gateway and the
// worker (and Tessera's other processes) only; egress to DNS, Tessera's own pods, PostgreSQL,
// Redis, and the public internet (never private or link-local ranges) for the pods that send
// webhooks, mail and OAuth requests only.

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number | string; protocol?: string }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

const PROCESS = 'tessera.dev/process';
const SUBGRAPHS = ['auth', 'tenancy', 'assets', 'jobs', 'observability'];
/** The processes that call out of the cluster: webhooks and alerts, OAuth and SMTP, S3. */
const PUBLIC_EGRESS = new Set(['worker', 'auth', 'tenancy', 'assets']);
/** Prometheus's namespace: the one source outside the namespace besides the gateway's clients. */
const MONITORING = JSON.stringify({ matchLabels: { 'tessera.dev/monitoring': 'true' } });
const DATASTORE_PORTS = new Set([5432, 6379]);
const NEVER_REACHED = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

export function matches(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === 'In') return values.includes(labels[key] ?? '\0');
      if (operator === 'NotIn') return !values.includes(labels[key] ?? '\0');
      if (operator === 'Exists') return key in labels;
      return !(key in labels);
    })
  );
}

function podLabels(objects: readonly KubeObject[]): Record<string, string>[] {
  return objects.flatMap((object) => {
    const template = object.spec?.template as { metadata?: { labels?: Record<string, string> } };
    return template?.metadata?.labels ? [template.metadata.labels] : [];
  });
}

export function networkPolicyProblems(objects: readonly KubeObject[]): string[] {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
  const pods = podLabels(objects);
  const processesOf = (selector: Selector) =>
    pods.filter((labels) => matches(selector, labels)).map((labels) => labels[PROCESS] ?? '');
  const problems: string[] = [];
  const denyAll = policies.some((policy) => {
    const spec = policy.spec as unknown as PolicySpec;
    return (
      JSON.stringify(spec.podSelector) === '{}' &&
      ['Ingress', 'Egress'].every((type) => spec.policyTypes?.includes(type)) &&
      !spec.ingress?.length &&
      !spec.egress?.length
    );
  });
  if (!denyAll) problems.push('no default-deny NetworkPolicy for ingress and egress');

  const admitted = new Map<string, Set<string>>();
  for (const policy of policies) {
    const spec = policy.spec as unknown as PolicySpec;
    const selected = processesOf(spec.podSelector);
    const where = objectName(policy);
    for (const rule of spec.ingress ?? []) {
      const peers = rule.from ?? [];
      const outside = peers.length === 0 || peers.some((peer) => peer.ipBlock);
      const otherNamespace = peers.some(
        (peer) => peer.namespaceSelector && JSON.stringify(peer.namespaceSelector) !== MONITORING,
      );
      const ports = (rule.ports ?? []).map((port) => port.port);
      if (
        (outside || otherNamespace) &&
        (selected.some((p) => p !== 'gateway') || ports.join() !== '4000')
      ) {
        problems.push(
          `${where}: admits traffic from outside the namespace to ${selected.join(', ') || 'no pod'} (only the gateway's port 4000 may)`,
        );
      }
      for (const peer of peers.filter((p) => p.podSelector && !p.namespaceSelector)) {
        const sources = processesOf(peer.podSelector!);
        if (sources.some((source) => source === '')) {
          problems.push(`${where}: admits pods that are no Tessera process`);
        }
        for (const target of selected) {
          admitted.set(target, new Set([...(admitted.get(target) ?? []), ...sources]));
        }
      }
    }
    for (const rule of spec.egress ?? []) {
      problems.push(...egressProblems(where, selected, rule, processesOf));
    }
  }
  for (const subgraph of SUBGRAPHS) {
    for (const caller of ['gateway', 'worker']) {
      if (!admitted.get(subgraph)?.has(caller)) {
        problems.push(`${subgraph} does not admit the ${caller}`);
      }
    }
  }
  return problems;
}

function egressProblems(
  where: string,
  selected: string[],
  rule: Rule,
  processesOf: (selector: Selector) => string[],
): string[] {
  const ports = (rule.ports ?? []).map((port) => Number(port.port));
  const peers = rule.to ?? [];
  if (ports.length > 0 && ports.every((port) => port === 53)) return [];
  if (ports.length > 0 && ports.every((port) => DATASTORE_PORTS.has(port))) return [];
  const toTessera = peers.every(
    (peer) =>
      peer.podSelector &&
      !peer.namespaceSelector &&
      !peer.ipBlock &&
      processesOf(peer.podSelector).every((process) => process !== ''),
  );
  if (peers.length > 0 && toTessera) return [];
  const publicOnly =
    peers.length > 0 && peers.every((peer) => peer.ipBlock && excludesPrivate(peer.ipBlock));
  if (!publicOnly)
    return [`${where}: egress rule reaches more than DNS, PostgreSQL, Redis and Tessera's pods`];
  const outsiders = selected.filter((process) => !PUBLIC_EGRESS.has(process));
  return outsiders.length > 0 ? [`${where}: lets ${outsiders.join(', ')} reach the internet`] : [];
}

/** A public-internet block: everything but the private and link-local ranges (metadata). */
function excludesPrivate(block: { cidr: string; except?: string[] }): boolean {
  if (block.cidr.includes(':')) {
    return ['fc00::/7', 'fe80::/10'].every((range) => block.except?.includes(range));
  }
  return NEVER_REACHED.every((range) => block.except?.includes(range));
}
