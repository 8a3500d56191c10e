import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { boolean, integer, list, optionalPort, url } from '../../platform/config/fields';
import { repoRoot } from '../../platform/paths';
import { describeField } from '../config-docs/describe-field';
import { configuredProcesses } from '../config-docs/processes';
import { undescribedVariables } from '../config-docs/render';
import { CONFIGURATION_REFERENCE, configurationReference } from '../generate-config-docs';

describe('the configuration reference (docs/configuration.md)', () => {
  const committed = readFileSync(join(repoRoot(), CONFIGURATION_REFERENCE), 'utf8');

  it('equals a fresh generation from the config schemas', () => {
    const verdict =
      configurationReference() === committed
        ? 'fresh'
        : `${CONFIGURATION_REFERENCE} is stale: run \`npm run docs:config\` and commit it`;
    expect(verdict).toBe('fresh');
  });

  it('gives every validated variable a description in its schema', () => {
    expect(undescribedVariables(configuredProcesses())).toEqual([]);
  });

  it('covers every module that loads a config', () => {
    const loaders = execFileSync(
      'git',
      ['grep', '-l', 'loadConfig(', '--', '*.ts', ':!**/__tests__/**', ':!testing/**'],
      { cwd: repoRoot(), encoding: 'utf8' },
    )
      .split('\n')
      .filter((path) => path && path !== 'platform/config/load.ts');
    const covered = new Set(configuredProcesses().map(({ loadedIn }) => loadedIn));
    expect(loaders.filter((path) => !covered.has(path))).toEqual([]);
  });

  it('names every variable of every program that validates its environment', () => {
    const variables = configuredProcesses().flatMap(({ shape }) => Object.keys(shape));
    expect(variables.length).toBeGreaterThan(100);
    expect(variables.filter((variable) => !committed.includes(`\`${variable}\``))).toEqual([]);
  });
});

describe('describeField', () => {
  it('reads a bounded whole number with its default', () => {
    expect(describeField(integer(10, 1, 200).describe('Pool size.'))).toEqual({
      description: 'Pool size.',
      defaultValue: '10',
      required: false,
      accepts: 'whole number from 1 to 200',
    });
  });

  it('reads a flag, an enum, a URL and an optional port', () => {
    expect(describeField(boolean(false))).toMatchObject({
      defaultValue: 'false',
      accepts: '`true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`)',
    });
    expect(describeField(z.enum(['open', 'closed']).default('open'))).toMatchObject({
      defaultValue: 'open',
      accepts: '`open` or `closed`',
    });
    expect(describeField(url(['http', 'https']))).toMatchObject({
      required: true,
      defaultValue: undefined,
      accepts: 'a http or https URL',
    });
    expect(describeField(optionalPort())).toMatchObject({
      required: false,
      defaultValue: undefined,
      accepts: 'whole number from 0 to 65535',
    });
  });

  it('reads a comma-separated list with its items rule, in words or as the pattern', () => {
    const nodes = list(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each node must be host:port'), '');
    expect(describeField(nodes)).toMatchObject({
      defaultValue: '',
      required: false,
      accepts: 'comma-separated list, each host:port',
    });
    expect(describeField(list(z.string().regex(/^[a-z]+$/), 'a')).accepts).toBe(
      'comma-separated list, each matching `^[a-z]+$`',
    );
  });

  it('says which bounds of a number are exclusive', () => {
    expect(describeField(z.coerce.number().gt(0).lte(1)).accepts).toBe(
      'number, more than 0 and at most 1',
    );
    expect(describeField(z.coerce.number().int().min(1)).accepts).toBe('whole number, at least 1');
  });

  it('falls back to plain text for a schema it cannot read, and never invents a description', () => {
    const parsed = z.string().transform((value) => value.length);
    expect(describeField(parsed)).toEqual({
      description: undefined,
      defaultValue: undefined,
      required: true,
      accepts: 'text',
    });
  });

  it('shows a documented default instead of a secret-looking one', () => {
    const key = z
      .string()
      .default('dev:c2VjcmV0')
      .meta({ documentedDefault: 'a development key (refused in production)' });
    expect(describeField(key)).toMatchObject({
      defaultValue: 'a development key (refused in production)',
      defaultInWords: true,
    });
  });
});
