import { randomBytes } from 'node:crypto';

/**
 * What a stack needs to run as deployed, NODE_ENV=production: graphql-js and Apollo Server skip
 * their development-only checks (graphql-js's `instanceOf` alone was about 5 % of the assets
 * subgraph's CPU under test settings), and the configuration rules that guard production
 * apply. Each of those rules asks for a setting of its own, given here as a deployment would:
 * an encryption key of this run's own (the stack's service keys are fresh already), the mail
 * outbox, /metrics on a port of its own, and the origin clients reach the assets' blob routes
 * on (not reached by a bench that only reads).
 */
export function productionEnv(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    MAIL_TRANSPORT: 'outbox',
    GATEWAY_METRICS_PORT: '0',
    ASSETS_PUBLIC_URL: 'http://127.0.0.1',
  };
}
