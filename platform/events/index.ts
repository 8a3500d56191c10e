export * from './event-types';
export * from './append-event';
