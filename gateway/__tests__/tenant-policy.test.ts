import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { readFileSync } from 'node:fs';
import { supergraphPath } from '../../platform/paths';
import { TenantPolicy } from '../policies/tenant-policy';

const policy = TenantPolicy.fromSupergraph(readFileSync(supergraphPath(), 'utf8'));

function scoped(query: string): string[] {
  const document = parse(query);
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION,
  ) as OperationDefinitionNode;
  return [...policy.tenantScopedFields(operation, document)].sort();
}

describe('tenant policy', () => {
  it('reads @tenantless marks from the supergraph', () => {
    expect(policy.isTenantless('Query', 'health')).toBe(true);
    expect(policy.isTenantless('Query', 'me')).toBe(true);
    expect(policy.isTenantless('Query', 'tenant')).toBe(false);
    expect(policy.isTenantless('Query', 'assets')).toBe(false);
  });

  it('treats an unmarked or unknown field as tenant-scoped', () => {
    expect(policy.isTenantless('Query', 'somethingNew')).toBe(false);
    expect(policy.isTenantless('Mutation', 'health')).toBe(false);
  });

  it('lets introspection run without a tenant', () => {
    expect(scoped('{ __schema { queryType { name } } __typename }')).toEqual([]);
  });

  it('sees root fields behind aliases, fragments and inline fragments', () => {
    expect(scoped('{ h: health { status } t: tenant { id } }')).toEqual(['tenant']);
    expect(
      scoped(
        '{ ...F } fragment F on Query { ... on Query { assets { totalCount } } health { status } }',
      ),
    ).toEqual(['assets']);
  });

  it('does not loop on a fragment that spreads itself', () => {
    expect(scoped('{ ...F } fragment F on Query { ...F tenant { id } }')).toEqual(['tenant']);
  });
});
