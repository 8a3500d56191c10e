import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../../platform/paths';

// jest.config.ts splits tests by file name: the unit project runs without building dist/ and
// spawns nothing. A test that starts a process, directly or through a helper it imports, must
// be named *.e2e.test.ts, or `npm run test:unit` would run it against a missing or stale build.

const root = repoRoot();
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'chaos']);
// Relative imports that load code (`import type` loads nothing), side-effect imports included.
const IMPORT = /^(?:import|export)(?!\s+type\s)(?:[^;]*?\sfrom)?\s*'(\.{1,2}\/[^']+)'/gm;
// Starting a process, or naming a built entry point to start.
const SPAWNS = /'(?:node:)?child_process'|'dist\/[\w/.-]+\.js'/;

// Tests of pure functions that share a module with a command's `main`, which they never run.
const IN_PROCESS_ONLY = new Set(['scripts/__tests__/dependency-audit.test.ts']);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) {
      return SKIPPED_DIRS.has(entry.name) ? [] : testFiles(join(dir, entry.name));
    }
    const inTests = dir.split('/').includes('__tests__');
    return inTests && entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts'), base].find(
    (candidate) => candidate.endsWith('.ts') && existsSync(candidate),
  );
}

interface Module {
  spawns: boolean;
  imports: string[];
}
const modules = new Map<string, Module>();

function moduleAt(file: string): Module {
  let known = modules.get(file);
  if (!known) {
    const source = readFileSync(file, 'utf8');
    const imports = [...source.matchAll(IMPORT)].flatMap(([, specifier]) => {
      const target = resolveImport(file, specifier!);
      return target ? [target] : [];
    });
    known = { spawns: SPAWNS.test(source), imports };
    modules.set(file, known);
  }
  return known;
}

/** A module that `file` or anything it imports (relative imports, all the way down) spawns from. */
function spawnerReachedFrom(file: string): string | undefined {
  const seen = new Set([file]);
  const queue = [file];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const module = moduleAt(next);
    if (module.spawns) return next;
    for (const target of module.imports) {
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return undefined;
}

describe('test projects', () => {
  const files = testFiles(root);

  it('finds both kinds of test', () => {
    expect(files.filter((file) => file.endsWith('.e2e.test.ts')).length).toBeGreaterThan(10);
    expect(files.filter((file) => !file.endsWith('.e2e.test.ts')).length).toBeGreaterThan(10);
  });

  it('names every test that spawns a process *.e2e.test.ts', () => {
    const misnamed = files
      .filter(
        (file) => !file.endsWith('.e2e.test.ts') && !IN_PROCESS_ONLY.has(relative(root, file)),
      )
      .map((file) => ({ file, spawner: spawnerReachedFrom(file) }))
      .filter(({ spawner }) => spawner !== undefined)
      .map(({ file, spawner }) => `${relative(root, file)} (via ${relative(root, spawner!)})`);
    expect(misnamed).toEqual([]);
  });
});
