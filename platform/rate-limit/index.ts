export * from './sliding-window';
export * from './window-set';
export { DISCONNECTED } from './script-call';
