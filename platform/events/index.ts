export * from './event-types';
export * from './append-event';
export * from './channel';
export * from './event-visibility';
