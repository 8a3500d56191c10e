export * from './mailer';
export * from './outbox-mailer';
export * from './smtp-mailer';
export * from './create-mailer';
export * from './address';
export * from './durable-mailer';
export * from './mail-delivery.repository';
