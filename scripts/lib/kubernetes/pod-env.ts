import type { Container, KubeObject } from './objects';

/**
 * The environment the kubelet gives `container`: its ConfigMaps' keys (envFrom), then each
 * `env` entry in order, with `$(NAME)` expanded from what came before, ConfigMap keys and the
 * Secret's keys taken from `secrets` (the `.env` an operator turns into `tessera-secrets`). A
 * required key that is missing throws, naming it, as the kubelet refuses to start the pod.
 */
export function containerEnv(
  objects: readonly KubeObject[],
  container: Container,
  secrets: Readonly<Record<string, string>>,
): Record<string, string> {
  const configMap = (name: string) => {
    const found = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!found) throw new Error(`${container.name}: ConfigMap ${name} is not rendered`);
    return found.data ?? {};
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
    if (source.secretRef) Object.assign(env, secrets);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (from?.configMapKeyRef) {
      value = configMap(from.configMapKeyRef.name)[from.configMapKeyRef.key];
      if (value === undefined && !from.configMapKeyRef.optional) {
        throw new Error(`${container.name}: ConfigMap key ${from.configMapKeyRef.key} is missing`);
      }
    } else if (from?.secretKeyRef) {
      value = secrets[from.secretKeyRef.key];
      if (value === undefined && !from.secretKeyRef.optional) {
        throw new Error(`${container.name}: Secret key ${from.secretKeyRef.key} is missing`);
      }
    } else {
      value = expand(variable.value ?? '', env);
    }
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** Kubernetes' `$(NAME)` expansion: defined names are replaced, `$$` escapes, others stay. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) =>
    match === '$$' ? '$' : name !== undefined && name in env ? env[name]! : match,
  );
}
