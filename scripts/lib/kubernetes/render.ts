import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './objects';

/** Where CI gets kubectl when the machine lacks it (.ci/run does this). */
export const KUBECTL_MISSING =
  'kubectl is not on PATH: the Kubernetes manifests cannot be rendered. Install it ' +
  '(.ci/run tries `apt-get install kubernetes-client`, or see ' +
  'https://kubernetes.io/docs/tasks/tools/) and run again.';

/**
 * `kubectl kustomize <dir>`: the objects an overlay (or base) renders to, in order. Throws
 * with kubectl's own message when the kustomization is broken, and with KUBECTL_MISSING when
 * there is no kubectl at all.
 */
export function renderKustomization(dir: string, kubectl = 'kubectl'): KubeObject[] {
  const result = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  // spawnSync's error is a system error when kubectl cannot be started at all.
  const error: NodeJS.ErrnoException | undefined = result.error;
  if (error?.code === 'ENOENT') throw new Error(KUBECTL_MISSING);
  if (error) throw error;
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr.trim()}`);
  }
  return parseAllDocuments(result.stdout).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(document.errors[0]!.message);
    const object = document.toJS() as KubeObject | null;
    return object ? [object] : [];
  });
}
