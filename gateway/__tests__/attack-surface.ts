import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { ROLES, type Role } from '../../platform/context/request-context';
import { requirementOf, type FieldRequirement } from '../../platform/graphql/field-policy';
import { supergraphPath } from '../../platform/paths';
import { TenantPolicy } from '../policies/tenant-policy';

// The attack suite's view of the API, generated from the supergraph the gateway serves: every
// tenant-scoped root field with its policy, minimal arguments for it, and selections that read
// as much as one request may. A field added tomorrow is attacked tomorrow, with no edit here.

export interface RootField {
  operation: 'query' | 'mutation';
  /** `Query.asset`, as test names and the gateway's messages say it. */
  coordinate: string;
  name: string;
  field: GraphQLField<unknown, unknown>;
  requirement: FieldRequirement | null;
}

export interface AttackSurface {
  schema: GraphQLSchema;
  /** Tenant-scoped Query and Mutation fields (subscriptions are attacked over graphql-ws). */
  fields: RootField[];
  /** Every field's policy by `Type.field`, nested ones included. */
  requirements: ReadonlyMap<string, FieldRequirement>;
}

export function loadAttackSurface(path = supergraphPath()): AttackSurface {
  const sdl = readFileSync(path, 'utf8');
  const document = parse(sdl);
  const schema = buildASTSchema(document, { assumeValidSDL: true });
  const policy = TenantPolicy.fromSupergraph(sdl);
  const requirements = new Map<string, FieldRequirement>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) {
      const requirement = requirementOf(field.directives);
      if (requirement)
        requirements.set(`${definition.name.value}.${field.name.value}`, requirement);
    }
  }
  const fields: RootField[] = [];
  for (const [operation, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (field.name.startsWith('_') || policy.isTenantless(type!.name, field.name)) continue;
      const coordinate = `${type!.name}.${field.name}`;
      fields.push({
        operation,
        coordinate,
        name: field.name,
        field,
        requirement: requirements.get(coordinate) ?? null,
      });
    }
  }
  return { schema, fields, requirements };
}

/** Roles strictly below what the field requires (none when it requires no role). */
export function rolesBelow(requirement: FieldRequirement | null): Role[] {
  if (!requirement?.role) return [];
  return ROLES.slice(ROLES.indexOf(requirement.role) + 1);
}

/**
 * A selection of `type` down to `depth` object levels: every leaf field without required
 * arguments, `__typename` everywhere, unions and interfaces by `__typename` only; fields for
 * platform administrators left out (they would refuse the whole operation).
 */
export function selectionFor(
  surface: AttackSurface,
  type: GraphQLOutputType,
  depth: number,
): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isAbstractType(named) || !isObjectType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) {
      continue;
    }
    if (surface.requirements.get(`${named.name}.${field.name}`)?.platformAdmin) continue;
    if (isLeafType(getNamedType(field.type))) parts.push(field.name);
    else if (depth > 1) parts.push(`${field.name} ${selectionFor(surface, field.type, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** What tenant A owns, as the attacks use it: ids by GraphQL type, and a few of its names. */
export interface ObjectPool {
  ids: Map<string, string[]>;
  /** String arguments that name one of A's objects (`provider`, `confirmSlug`). */
  names: Record<string, string>;
}

/** Values sent for arguments; `ownIds` records which of them are A's. */
export interface BuiltOperation {
  query: string;
  variables: Record<string, unknown>;
  /** Argument values that are A's ids or names (an answer may echo them). */
  sent: string[];
}

/**
 * The operation calling `root` with minimal arguments: required ones, plus every id-like one.
 * An id argument gets one of A's ids of `idType` (see {@link idTypesFor}) when the pool has
 * one, else a random UUID; names of A's objects go where the pool has them.
 */
export function operationFor(
  surface: AttackSurface,
  root: RootField,
  options: { pool?: ObjectPool; idType?: string; depth?: number } = {},
): BuiltOperation {
  const sent: string[] = [];
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const uses: string[] = [];
  root.field.args.forEach((arg, index) => {
    if (!isNonNullType(arg.type) && !isIdLike(arg.name)) return;
    const name = `a${index}`;
    variables[name] = valueFor(arg.type, arg.name, { ...options, sent });
    definitions.push(`$${name}: ${String(arg.type)}`);
    uses.push(`${arg.name}: $${name}`);
  });
  const selection = selectionFor(surface, root.field.type, options.depth ?? 1);
  const query = `${root.operation} Attack${definitions.length ? `(${definitions.join(', ')})` : ''} { ${
    root.name
  }${uses.length ? `(${uses.join(', ')})` : ''} ${selection} }`;
  return { query, variables, sent };
}

function isIdLike(name: string): boolean {
  return name === 'id' || /[a-z]Id$/.test(name);
}

function valueFor(
  type: GraphQLInputType,
  name: string,
  options: { pool?: ObjectPool; idType?: string; sent: string[] },
): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, name, options);
  if (isListType(type)) return [valueFor(type.ofType, name, options)];
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || isIdLike(field.name)) {
        value[field.name] = valueFor(field.type, field.name, options);
      }
    }
    return value;
  }
  if (isEnumType(type)) return type.getValues()[0]!.value;
  switch (type.name) {
    case 'ID': {
      const ids = options.idType ? options.pool?.ids.get(options.idType) : undefined;
      if (ids?.length) {
        options.sent.push(ids[0]!);
        return ids[0];
      }
      return randomUUID();
    }
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date(Date.now() - 3_600_000).toISOString();
    case 'JSON':
      return {};
    case 'Cursor':
      return Buffer.from('attack').toString('base64url');
    default:
      return stringFor(name, options);
  }
}

function stringFor(name: string, options: { pool?: ObjectPool; sent: string[] }): string {
  const own = options.pool?.names[name];
  if (own) {
    options.sent.push(own);
    return own;
  }
  if (/email/i.test(name)) return `attacker-${randomUUID().slice(0, 8)}@example.com`;
  if (/url/i.test(name)) return 'https://attacker.example.com/hook';
  if (/slug/i.test(name)) return `attack-${randomUUID().slice(0, 8)}`;
  if (/type/i.test(name)) return 'attack.test';
  if (/password/i.test(name)) return 'not the password';
  return 'attack';
}

/**
 * The types whose ids an id argument of `root` may mean, most likely first: for `userId` the
 * type named so, otherwise the field's return type, types named in the field's name
 * (`revokeApiKey`), then object types the return type points at (`rotateWebhookSecret`
 * returns the endpoint inside). The attack tries each.
 */
export function idTypesFor(root: RootField, argName: string, pool: ObjectPool): string[] {
  const known = [...pool.ids.keys()];
  if (argName !== 'id') {
    const stem = argName.replace(/Id$/, '').toLowerCase();
    return known
      .filter((type) => type.toLowerCase().endsWith(stem))
      .sort((a, b) => a.length - b.length)
      .slice(0, 1);
  }
  const found: string[] = [];
  const add = (type: string) => {
    if (pool.ids.has(type) && !found.includes(type)) found.push(type);
  };
  const returned = getNamedType(root.field.type);
  add(returned.name);
  known
    .filter((type) => root.name.toLowerCase().includes(type.toLowerCase()))
    .sort((a, b) => b.length - a.length)
    .forEach(add);
  if (isObjectType(returned)) {
    for (const field of Object.values(returned.getFields())) add(getNamedType(field.type).name);
  }
  return found.filter((type) => type !== 'User');
}

/** The id arguments of a root field, nested input fields included (by name). */
export function idArguments(root: RootField): string[] {
  const names: string[] = [];
  const visit = (arg: { name: string; type: GraphQLInputType }) => {
    const named = getNamedType(arg.type);
    if (named.name === 'ID' && isIdLike(arg.name)) names.push(arg.name);
    if (isInputObjectType(named)) Object.values(named.getFields()).forEach(visit);
  };
  root.field.args.forEach((arg: GraphQLArgument) => visit(arg));
  return names;
}

/** Every `{ __typename, id }` object in an answer, by type. */
export function collectIds(value: unknown, into: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    value.forEach((item) => collectIds(item, into));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (typeof record.__typename === 'string' && typeof record.id === 'string') {
    const ids = into.get(record.__typename) ?? new Set<string>();
    ids.add(record.id);
    into.set(record.__typename, ids);
  }
  Object.values(record).forEach((inner) => collectIds(inner, into));
}

/** A mutation's answer that did nothing: null, false, 0, an empty list or page. */
export function isEmptyAnswer(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    const nodes = (value as { nodes?: unknown }).nodes;
    return Array.isArray(nodes) && nodes.length === 0;
  }
  return false;
}
