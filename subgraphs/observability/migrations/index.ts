import { CreateAlertRules1764028804000 } from './1764028804000-create-alert-rules';
import { CreateAlerts1764028890000 } from './1764028890000-create-alerts';

export const observabilityMigrations = [CreateAlertRules1764028804000, CreateAlerts1764028890000];
