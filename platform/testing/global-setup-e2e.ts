import { execFileSync } from 'node:child_process';
import { repoRoot } from '../paths';
import prepareDatabases from './global-setup';

/**
 * Once per run of tests that spawn processes (the e2e project, the chaos suite): build dist/,
 * what they start, then the databases as for every test.
 */
export default async function globalSetupE2e(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot(), stdio: 'inherit' });
  await prepareDatabases();
}
