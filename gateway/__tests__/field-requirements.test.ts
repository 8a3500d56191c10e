import { readFileSync } from 'node:fs';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { randomUUID } from 'node:crypto';
import { anonymousContext, type RequestContext } from '../../platform/context/request-context';
import { assertRequirement } from '../../platform/graphql/field-policy';
import { supergraphPath } from '../../platform/paths';
import { composeSupergraph } from '../../platform/schema/compose';
import { FieldRequirements } from '../policies/field-requirements';

const requirements = FieldRequirements.fromSupergraph(readFileSync(supergraphPath(), 'utf8'));
const { apiSchema } = composeSupergraph();

function required(query: string): Record<string, unknown> {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  ) as OperationDefinitionNode;
  return Object.fromEntries(
    requirements
      .of(operation, document, apiSchema)
      .map((found) => [found.coordinate, found.requirement]),
  );
}

describe('field requirements', () => {
  it('reads the policy directives of root fields from the supergraph', () => {
    expect(required('{ myApiKeys { id } users { nodes { id } } health { status } }')).toEqual({
      'Query.myApiKeys': { role: 'ADMIN' },
      'Query.users': { platformAdmin: true },
    });
    expect(required('{ assets { totalCount } }')).toEqual({
      'Query.assets': { role: 'VIEWER', scope: 'assets:read' },
    });
  });

  it('finds guarded fields behind fragments, inline fragments and aliases', () => {
    expect(
      required(`query { ...A ... on Query { k: myApiKeys { id } } }
                fragment A on Query { ...B }
                fragment B on Query { sessions(userId: "x") { id } }`),
    ).toEqual({
      'Query.myApiKeys': { role: 'ADMIN' },
      'Query.sessions': { platformAdmin: true },
    });
  });

  it('looks only at the operation that runs, not at others in the document', () => {
    const document = parse('query A { health { status } } query B { myApiKeys { id } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect(requirements.of(operation, document, apiSchema)).toEqual([]);
  });
});

describe('requirement checks', () => {
  const user = (
    role: RequestContext['role'],
    extra: Partial<RequestContext> = {},
  ): RequestContext => ({
    ...anonymousContext('t'),
    tenantId: randomUUID(),
    principal: { kind: 'user', id: randomUUID() },
    role,
    ...extra,
  });
  const key = (scopes: string[]): RequestContext => ({
    ...anonymousContext('t'),
    tenantId: randomUUID(),
    principal: { kind: 'apiKey', id: randomUUID() },
    scopes,
  });
  const codeOf = (fn: () => void) => {
    try {
      fn();
      return 'ok';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  it.each([
    ['an OWNER on an ADMIN field', { role: 'ADMIN' as const }, user('OWNER'), 'ok'],
    ['an ADMIN on an ADMIN field', { role: 'ADMIN' as const }, user('ADMIN'), 'ok'],
    ['a MEMBER on an ADMIN field', { role: 'ADMIN' as const }, user('MEMBER'), 'FORBIDDEN'],
    ['a VIEWER on a MEMBER field', { role: 'MEMBER' as const }, user('VIEWER'), 'FORBIDDEN'],
    [
      'a platform admin without a role',
      { role: 'OWNER' as const },
      user(null, { platformAdmin: true }),
      'ok',
    ],
    ['anyone anonymous', { role: 'VIEWER' as const }, anonymousContext('t'), 'UNAUTHENTICATED'],
    [
      'a key with the scope',
      { role: 'VIEWER' as const, scope: 'assets:read' },
      key(['assets:read']),
      'ok',
    ],
    [
      'a key without the scope',
      { role: 'VIEWER' as const, scope: 'assets:read' },
      key(['events:read']),
      'FORBIDDEN',
    ],
    [
      'a key on a field with no scope',
      { role: 'ADMIN' as const },
      key(['assets:read']),
      'FORBIDDEN',
    ],
    ['an OWNER on a platform-admin field', { platformAdmin: true }, user('OWNER'), 'FORBIDDEN'],
    [
      'a platform admin on a platform-admin field',
      { platformAdmin: true },
      user(null, { platformAdmin: true }),
      'ok',
    ],
    ['a key on a platform-admin field', { platformAdmin: true }, key(['assets:read']), 'FORBIDDEN'],
  ])('%s: %s', (_case, requirement, request, expected) => {
    expect(codeOf(() => assertRequirement(requirement, request, 'Query.field'))).toBe(expected);
  });
});
