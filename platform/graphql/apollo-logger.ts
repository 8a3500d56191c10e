import type { Logger } from 'pino';

/** The logger shape Apollo Server and Apollo Gateway accept. */
export interface ApolloLogger {
  debug(message?: unknown): void;
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
}

/** Apollo's logger interface on top of pino, so Apollo's own messages are JSON lines too. */
export function apolloLogger(logger: Logger): ApolloLogger {
  const child = logger.child({ component: 'apollo' });
  return {
    debug: (message) => child.debug(String(message)),
    info: (message) => child.info(String(message)),
    warn: (message) => child.warn(String(message)),
    error: (message) => child.error(String(message)),
  };
}
