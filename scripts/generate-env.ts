import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signingKeyVariable } from '../platform/config/service-keys';
import { DATABASE_SERVICES } from '../platform/db/roles';
import { generateServiceKey, SERVICE_NAMES } from '../platform/context/service-keys';
import { repoRoot } from '../platform/paths';

// `npm run env:generate`: writes a fresh `.env` for docker-compose.yml, which reads every secret
// from it (and refuses to start without them). Nothing in it has a default anywhere.

/** Every secret docker-compose.yml reads from `.env`, freshly generated. */
export function generateEnv(): Record<string, string> {
  // Hex: safe inside the postgres:// URLs compose builds from the passwords.
  const password = () => randomBytes(24).toString('hex');
  const keyId = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  const env: Record<string, string> = {
    POSTGRES_PASSWORD: password(),
    GRAFANA_ADMIN_PASSWORD: password(),
    ENCRYPTION_KEYS: `${keyId}:${randomBytes(32).toString('base64')}`,
  };
  // Each process's own PostgreSQL role.
  for (const service of DATABASE_SERVICES) {
    env[`TESSERA_${service.toUpperCase()}_DB_PASSWORD`] = password();
  }
  const publicKeys: string[] = [];
  for (const service of SERVICE_NAMES) {
    const { signingKey, publicKey } = generateServiceKey(service, keyId);
    env[signingKeyVariable(service)] = signingKey;
    publicKeys.push(publicKey);
  }
  env.SERVICE_PUBLIC_KEYS = publicKeys.join(',');
  return env;
}

if (require.main === module) {
  const path = join(repoRoot(), '.env');
  if (existsSync(path)) {
    process.stderr.write(`${path} exists already; move it away to generate a new one\n`);
    process.exit(1);
  }
  const lines = Object.entries(generateEnv()).map(([name, value]) => `${name}=${value}`);
  writeFileSync(
    path,
    `# Secrets for docker-compose.yml, written by npm run env:generate. Never commit this file.\n${lines.join('\n')}\n`,
    { mode: 0o600 },
  );
  process.stdout.write(`wrote ${path}\n`);
}
