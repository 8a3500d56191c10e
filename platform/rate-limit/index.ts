export * from './sliding-window';
export * from './window-set';
