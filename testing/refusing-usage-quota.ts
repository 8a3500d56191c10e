import { UsageQuotaExceededError, type UsageQuota } from '../platform/usage/usage-quota';

/**
 * A usage quota for tests (GATEWAY_USAGE_QUOTA_MODULE=dist/testing/refusing-usage-quota.js):
 * it admits queries and subscriptions and refuses every mutation with QUOTA_EXCEEDED, so a
 * test sees both sides of the hook through a real gateway.
 */
export function createUsageQuota(): UsageQuota {
  return {
    admit({ operationType }) {
      if (operationType === 'mutation') {
        throw new UsageQuotaExceededError('This tenant may run no more mutations today');
      }
    },
  };
}
