import { execFileSync } from 'node:child_process';
import { repoRoot } from '../platform/paths';
import prepareDatabases from './global-setup';

/**
 * Once per run of tests that spawn processes (the e2e project, the chaos suite): build dist/,
 * what they start (the services, and the harness and benchmark modules some tests run as
 * processes of their own), then the databases as for every test.
 */
export default async function globalSetupE2e(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build:harness'], { cwd: repoRoot(), stdio: 'inherit' });
  await prepareDatabases();
}
