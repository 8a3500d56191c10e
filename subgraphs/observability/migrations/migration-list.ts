import { CreateAlertRules1764028804000 } from './1764028804000-create-alert-rules';
import { CreateAlerts1764028890000 } from './1764028890000-create-alerts';
import { AddPlatformAlertRules1764028900000 } from './1764028900000-add-platform-alert-rules';
import { ConfineTenantAlertRules1765007002000 } from './1765007002000-confine-tenant-alert-rules';
import { CreateAlertChannels1766004000000 } from './1766004000000-create-alert-channels';
import { CreateAlertChannelReencryption1766004002000 } from './1766004002000-create-alert-channel-reencryption';
import { CreateAuditTrail1766005000000 } from './1766005000000-create-audit-trail';
import { AddAuditTrailFunctions1766005001000 } from './1766005001000-add-audit-trail-functions';
import { CreateTenantUsage1766006000000 } from './1766006000000-create-tenant-usage';
import { AddTenantStorageUsage1766008000000 } from './1766008000000-add-tenant-storage-usage';

export const observabilityMigrations = [
  CreateAlertRules1764028804000,
  CreateAlerts1764028890000,
  AddPlatformAlertRules1764028900000,
  ConfineTenantAlertRules1765007002000,
  CreateAlertChannels1766004000000,
  CreateAlertChannelReencryption1766004002000,
  CreateAuditTrail1766005000000,
  AddAuditTrailFunctions1766005001000,
  CreateTenantUsage1766006000000,
  AddTenantStorageUsage1766008000000,
];
