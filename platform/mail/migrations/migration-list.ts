import { CreateMailOutbox1764028805000 } from './1764028805000-create-mail-outbox';
import { NarrowMailOutbox1765004002000 } from './1765004002000-narrow-mail-outbox';
import { CreateMailDeliveries1766004001000 } from './1766004001000-create-mail-deliveries';

export const mailMigrations = [
  CreateMailOutbox1764028805000,
  NarrowMailOutbox1765004002000,
  CreateMailDeliveries1766004001000,
];
