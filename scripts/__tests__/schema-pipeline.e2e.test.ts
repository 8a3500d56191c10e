import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Kind,
  parse,
  print,
  type FieldDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { TenantPolicy } from '../../gateway/policies/tenant-policy';
import { repoRoot, supergraphPath } from '../../platform/paths';
import { composeSupergraph } from '../../platform/schema/compose';

const root = repoRoot();
const contractCopy = join(root, 'schema', 'contract.graphql');
const sharedContract = join(root, '..', 'shared', 'contract.graphql');
const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

describe('schema pipeline', () => {
  const composed = composeSupergraph();

  it('has a committed supergraph equal to a fresh composition (run `npm run compose`)', () => {
    expect(readFileSync(supergraphPath(), 'utf8')).toBe(composed.supergraphSdl);
  });

  it('has committed resolver types equal to fresh codegen output (run `npm run codegen`)', () => {
    // The same codegen.yml, written to a scratch folder instead of over the committed files.
    const config = parseYaml(readFileSync(join(root, 'codegen.yml'), 'utf8')) as {
      generates: Record<string, unknown>;
    };
    const scratch = mkdtempSync(join(tmpdir(), 'tessera-codegen-'));
    try {
      const targets = Object.keys(config.generates);
      const scratchConfig = {
        ...config,
        generates: Object.fromEntries(
          targets.map((target) => [join(scratch, target), config.generates[target]]),
        ),
      };
      writeFileSync(join(scratch, 'codegen.yml'), stringifyYaml(scratchConfig));
      execFileSync(
        join(root, 'node_modules', '.bin', 'graphql-codegen'),
        ['--config', join(scratch, 'codegen.yml')],
        {
          cwd: root,
          stdio: 'pipe',
        },
      );
      expect(targets).toHaveLength(5);
      for (const target of targets) {
        expect({ target, content: readFileSync(join(root, target), 'utf8') }).toEqual({
          target,
          content: readFileSync(join(scratch, target), 'utf8'),
        });
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps its copy of the client contract identical to the shared one', () => {
    if (!existsSync(sharedContract)) return; // a clone without the steering folder beside it
    expect(readFileSync(contractCopy, 'utf8')).toBe(readFileSync(sharedContract, 'utf8'));
  });

  describe('client contract', () => {
    const source = readFileSync(contractCopy, 'utf8');
    const contractFields = rootFieldsOf(source);
    const present = contractFields.filter(({ type, field }) =>
      apiField(composed.apiSchema, type, field.name.value),
    );

    it('is implemented in part already (the check below is not vacuous)', () => {
      expect(present.length).toBeGreaterThanOrEqual(8);
    });

    it.each(present.map((entry) => [`${entry.type}.${entry.field.name.value}`, entry]))(
      '%s has the contract shape',
      (_name, { type, field }) => {
        const actual = apiField(composed.apiSchema, type, field.name.value)!;
        expect(String(actual.type)).toBe(print(field.type));
        const expected = (field.arguments ?? []).map((arg) => ({
          name: arg.name.value,
          type: print(arg.type),
          default: arg.defaultValue ? print(arg.defaultValue) : undefined,
        }));
        const byName = new Map(actual.args.map((arg) => [arg.name, arg]));
        // Every contract argument is there with its type and default...
        expect(
          expected.map(({ name }) => {
            const arg = byName.get(name);
            const defaultValue = arg?.astNode?.defaultValue;
            return {
              name,
              type: String(arg?.type),
              default: defaultValue ? print(defaultValue) : undefined,
            };
          }),
        ).toEqual(expected);
        // ...and any argument added beyond the contract is optional.
        const extraRequired = actual.args.filter(
          (arg) =>
            !expected.some(({ name }) => name === arg.name) && String(arg.type).endsWith('!'),
        );
        expect(extraRequired.map((arg) => arg.name)).toEqual([]);
      },
    );

    it('marks exactly the contract’s tenantless and platform-admin root fields @tenantless', () => {
      const policy = TenantPolicy.fromSupergraph(composed.supergraphSdl);
      const lines = source.split('\n');
      const mismatches = present
        .map(({ type, field }) => {
          const line = lines[field.loc!.endToken.line - 1] ?? '';
          // The mark opens the comment; `jobs` only mentions what platform admins see in a tenant.
          const contractSays = /#\s*(tenantless|platform-admin)\b/.test(line);
          return {
            field: `${type}.${field.name.value}`,
            contractSays,
            schemaSays: policy.isTenantless(type, field.name.value),
          };
        })
        .filter(({ contractSays, schemaSays }) => contractSays !== schemaSays);
      expect(mismatches).toEqual([]);
    });
  });
});

function rootFieldsOf(source: string): { type: string; field: FieldDefinitionNode }[] {
  const fields: { type: string; field: FieldDefinitionNode }[] = [];
  for (const definition of parse(source).definitions) {
    if (
      (definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
        definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
      ROOT_TYPES.has(definition.name.value)
    ) {
      for (const field of definition.fields ?? [])
        fields.push({ type: definition.name.value, field });
    }
  }
  return fields;
}

function apiField(
  schema: GraphQLSchema,
  type: string,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  const root =
    type === 'Query'
      ? schema.getQueryType()
      : type === 'Mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return root?.getFields()[name];
}
