import type { DeliveryStatus } from '../../entities/webhook-delivery.entity';

/**
 * Why a job must not touch its delivery, or null when it is the one in charge: a manual
 * retry or replay hands a delivery to a new job, and a finished delivery stays finished.
 */
export function standDown(
  delivery: { jobId: string; status: DeliveryStatus },
  jobId: string | undefined,
): string | null {
  if (delivery.jobId !== jobId) return 'another job is in charge of the delivery';
  if (delivery.status === 'SUCCEEDED' || delivery.status === 'DEAD') {
    return `the delivery is ${delivery.status} already`;
  }
  return null;
}
