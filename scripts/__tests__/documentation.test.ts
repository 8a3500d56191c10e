import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import {
  Kind,
  parse,
  validate,
  type DefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { repoRoot, supergraphPath } from '../../platform/paths';
import { brokenLinks, documentationFiles, headingAnchors } from '../lib/markdown-links';

const root = repoRoot();
const files = documentationFiles(root);

/** Every operation of the docs' `graphql` blocks, and the queries of their curl examples. */
function exampleOperations(): { file: string; text: string }[] {
  const examples: { file: string; text: string }[] = [];
  for (const file of files) {
    const markdown = readFileSync(join(root, file), 'utf8');
    for (const [, block] of markdown.matchAll(/^```graphql\n([\s\S]*?)^```/gm)) {
      examples.push({ file, text: block! });
    }
    for (const [, encoded] of markdown.matchAll(/"query":"((?:[^"\\]|\\.)*)"/g)) {
      examples.push({ file, text: JSON.parse(`"${encoded!}"`) as string });
    }
  }
  return examples;
}

/** One operation per document, with the block's fragments, so each is validated alone. */
function operationsOf(text: string): { name: string; definitions: DefinitionNode[] }[] {
  const document = parse(text);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({
      name: operation.name?.value ?? text.slice(operation.loc!.start, operation.loc!.start + 60),
      definitions: [operation, ...fragments],
    }));
}

describe('the documentation (README.md and docs/)', () => {
  let api: GraphQLSchema;
  beforeAll(() => {
    api = Supergraph.build(readFileSync(supergraphPath(), 'utf8')).apiSchema().toGraphQLJSSchema();
  });

  it('has no relative link to a missing file or heading', () => {
    expect(brokenLinks(root, files)).toEqual([]);
  });

  it('keeps the README short', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(
      251,
    );
  });

  it('shows only example operations the served API accepts', () => {
    const operations = exampleOperations().flatMap(({ file, text }) =>
      operationsOf(text).map((operation) => ({ file, ...operation })),
    );
    expect(operations.length).toBeGreaterThan(50);
    const invalid = operations.flatMap(({ file, name, definitions }) =>
      validate(api, { kind: Kind.DOCUMENT, definitions }).map(
        (error) => `${file}: ${name.trim()}: ${error.message}`,
      ),
    );
    expect(invalid).toEqual([]);
  });
});

describe('brokenLinks', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tessera-links-'));
    mkdirSync(join(folder, 'docs'));
    writeFileSync(
      join(folder, 'docs', 'target.md'),
      '# Target\n\n## Two words, and `code`\n\n## Repeat\n\n## Repeat\n',
    );
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('reports a missing file and a missing heading, with their line', () => {
    writeFileSync(
      join(folder, 'README.md'),
      'See [gone](docs/gone.md).\n\nAnd [there](docs/target.md#nowhere), [here](#nothing-here).\n',
    );
    expect(brokenLinks(folder, ['README.md'])).toEqual([
      { file: 'README.md', line: 1, target: 'docs/gone.md', reason: 'no such file' },
      { file: 'README.md', line: 3, target: 'docs/target.md#nowhere', reason: 'no such heading' },
      { file: 'README.md', line: 3, target: '#nothing-here', reason: 'no such heading' },
    ]);
  });

  it('accepts headings by their GitHub anchors, folders, web links, and ignores code', () => {
    writeFileSync(
      join(folder, 'README.md'),
      [
        '[a](docs/target.md#two-words-and-code) [b](docs/target.md#repeat-1) [c](docs/)',
        '[d](https://example.com/missing.md) `[e](docs/gone.md)`',
        '```md',
        '[f](docs/gone.md)',
        '```',
      ].join('\n'),
    );
    expect(brokenLinks(folder, ['README.md'])).toEqual([]);
    expect([...headingAnchors('# A: b\n## A: b\n')]).toEqual(['a-b', 'a-b-1']);
  });
});
