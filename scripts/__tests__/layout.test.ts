import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, SUBGRAPH_NAMES } from '../../platform/paths';

// What the folders promise beyond what eslint's import boundaries check (eslint.config.mjs).

const root = repoRoot();
const SOURCE_DIRS = ['gateway', 'platform', 'subgraphs', 'scripts', 'testing', 'bench', 'chaos'];
const SKIPPED_DIRS = new Set(['node_modules', 'generated']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : filesUnder(path);
    return [relative(root, path)];
  });
}

const sources = SOURCE_DIRS.flatMap((dir) => filesUnder(join(root, dir)));

describe('the source layout', () => {
  it('has no index.ts: an import names the module it wants, and a file says what it holds', () => {
    expect(sources.filter((file) => file.endsWith('/index.ts'))).toEqual([]);
  });

  it('gives every subgraph a routes/ folder, and keeps its HTTP routes there', () => {
    const missing = SUBGRAPH_NAMES.filter(
      (name) => !existsSync(join(root, 'subgraphs', name, 'routes')),
    );
    expect(missing).toEqual([]);
    const strayRoutes = sources.filter(
      (file) =>
        file.startsWith('subgraphs/') && /\.routes?\.ts$/.test(file) && !file.includes('/routes/'),
    );
    expect(strayRoutes).toEqual([]);
  });

  it('keeps the test harness and the benchmarks out of the build the image ships', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const built = scripts.build!.split(' -d ')[0]!.split(' ').slice(1);
    expect(built).toEqual(expect.arrayContaining(['gateway', 'platform', 'subgraphs', 'scripts']));
    expect(built).not.toContain('testing');
    expect(built).not.toContain('bench');
    expect(sources.filter((file) => file.startsWith('platform/testing/'))).toEqual([]);
  });
});
