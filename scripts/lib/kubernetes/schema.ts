import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { objectName, type KubeObject } from './objects';

/** A kubernetes-models class: built from an object, `validate()` throws what is wrong. */
type Model = new (data: never) => { validate(): void };

/**
 * The Kubernetes (and Prometheus Operator) OpenAPI schemas, by `apiVersion kind`, of every kind
 * the manifests may hold. A kind missing here is a problem in itself: nothing renders that the
 * check cannot validate.
 */
const MODELS: Record<string, Model> = {
  'v1 ConfigMap': ConfigMap,
  'v1 Namespace': Namespace,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'v1 ServiceAccount': ServiceAccount,
  'apps/v1 Deployment': Deployment,
  'batch/v1 Job': Job,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
};

/** What the schema of `object`'s kind finds wrong with it, one line per problem. */
export function schemaProblems(object: KubeObject): string[] {
  const model = MODELS[`${object.apiVersion} ${object.kind}`];
  if (!model) return [`${objectName(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object as never).validate();
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n').map((line) => `${objectName(object)}: ${line.trim()}`);
  }
}
