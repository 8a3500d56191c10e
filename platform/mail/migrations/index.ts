import { CreateMailOutbox1764028805000 } from './1764028805000-create-mail-outbox';

export const mailMigrations = [CreateMailOutbox1764028805000];
