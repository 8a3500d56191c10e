export * from './sliding-window';
