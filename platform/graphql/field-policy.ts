import {
  defaultFieldResolver,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from 'graphql';
import { ROLES, type RequestContext, type Role } from '../context/request-context';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain-errors';

/** What a field's policy directives ask of the caller (see the directives in schema/). */
export interface FieldRequirement {
  /** `@requiresRole`: at least this role in the request's tenant. */
  role?: Role;
  /** `@requiresScope`: the scope an API key needs. */
  scope?: string;
  /** `@platformAdmin`: platform administrators only. */
  platformAdmin?: boolean;
}

export const POLICY_DIRECTIVES = ['requiresRole', 'requiresScope', 'platformAdmin'] as const;

/** The requirement the directives on one field definition state, or null for none. */
export function requirementOf(
  directives: readonly ConstDirectiveNode[] | undefined,
): FieldRequirement | null {
  const requirement: FieldRequirement = {};
  for (const directive of directives ?? []) {
    const argument = directive.arguments?.[0]?.value;
    switch (directive.name.value) {
      case 'requiresRole':
        if (argument?.kind === Kind.ENUM) requirement.role = argument.value as Role;
        break;
      case 'requiresScope':
        if (argument?.kind === Kind.STRING) requirement.scope = argument.value;
        break;
      case 'platformAdmin':
        requirement.platformAdmin = true;
        break;
    }
  }
  return Object.keys(requirement).length > 0 ? requirement : null;
}

/**
 * Whether the caller meets a field's requirement. Users are judged by their tenant role
 * (platform admins pass), API keys by their scopes only: a field with a role but no scope is
 * not for programs. Throws UNAUTHENTICATED for anonymous callers, FORBIDDEN otherwise.
 */
export function assertRequirement(
  requirement: FieldRequirement,
  request: RequestContext,
  field: string,
): void {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError(`Sign in to use "${field}"`);
  if (requirement.platformAdmin) {
    if (!request.platformAdmin) {
      throw new ForbiddenError(`"${field}" is for platform administrators`);
    }
    return;
  }
  if (principal.kind === 'apiKey') {
    if (requirement.scope && request.scopes.includes(requirement.scope)) return;
    throw new ForbiddenError(
      requirement.scope
        ? `"${field}" needs an API key with the ${requirement.scope} scope`
        : `"${field}" is not available to API keys`,
    );
  }
  if (!requirement.role || request.platformAdmin) return;
  if (request.role === null || ROLES.indexOf(request.role) > ROLES.indexOf(requirement.role)) {
    throw new ForbiddenError(`"${field}" needs the ${requirement.role} role or higher`);
  }
}

/**
 * The subgraph's half of the check: every field with a policy directive gets its resolver
 * wrapped, so a request that reached the subgraph without the gateway's check (or with a
 * gateway bug) is still refused.
 */
export function enforceFieldPolicies(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const requirement = requirementOf(field.astNode?.directives);
      if (!requirement) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      field.resolve = (source, args, context: { request?: RequestContext }, info) => {
        if (!context.request) throw new UnauthenticatedError();
        assertRequirement(requirement, context.request, coordinate);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
