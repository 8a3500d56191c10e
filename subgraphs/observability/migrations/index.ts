import { CreateAlertRules1764028804000 } from './1764028804000-create-alert-rules';

export const observabilityMigrations = [CreateAlertRules1764028804000];
