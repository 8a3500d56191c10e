import { journalArchiveCall } from './assets/journal-archive';
import { apiKeyOwnerCall } from './auth/api-key-owner';
import { revokeApiKeysOfCreatorCall } from './auth/api-key-revocation';
import { apiKeyVerifyCall } from './auth/api-key-verify';
import { verifiedEmailCall } from './auth/verified-email';
import { verifiedUsersCall } from './auth/verified-users';
import { alertEvaluationCall } from './observability/alert-evaluation';
import { usageReportCall } from './observability/usage-report';
import { reencryptCall } from './subgraphs/reencrypt';
import { retentionPurgeCall } from './subgraphs/retention-purge';
import { tenantPurgeCall } from './subgraphs/tenant-purge';
import { oauthProviderLookupCall } from './tenancy/oauth-provider-lookup';
import { roleLookupCall } from './tenancy/role-lookup';
import { sessionCapCall } from './tenancy/session-cap';
import { sessionRetentionCall } from './tenancy/session-retention';
import { tenantOriginsCall } from './tenancy/tenant-origins';
import { tenantRetentionCall } from './tenancy/tenant-retention';
import { tenantStatusCall } from './tenancy/tenant-status';

/** Every call between Tessera processes, so tests and docs can go through all of them. */
export const INTERNAL_CALLS = [
  apiKeyVerifyCall,
  apiKeyOwnerCall,
  revokeApiKeysOfCreatorCall,
  verifiedEmailCall,
  verifiedUsersCall,
  roleLookupCall,
  oauthProviderLookupCall,
  tenantOriginsCall,
  tenantRetentionCall,
  tenantStatusCall,
  sessionCapCall,
  sessionRetentionCall,
  alertEvaluationCall,
  usageReportCall,
  tenantPurgeCall,
  retentionPurgeCall,
  reencryptCall,
  journalArchiveCall,
] as const;
