import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw badInput('DateTime must be an ISO-8601 string such as 2026-01-31T12:00:00Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput('DateTime is not a valid date');
  return date;
}

/** ISO-8601 strings on the wire, `Date` objects in resolvers. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new Error('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string');
    return parseDate(ast.value);
  },
});

function literalToJson(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((value) => literalToJson(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        ast.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]),
      );
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw badInput('JSON literal is not supported');
  }
}

/** Any JSON value, passed through as is. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalToJson(ast, variables),
});

const MAX_CURSOR_LENGTH = 512;

function parseCursor(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_CURSOR_LENGTH) {
    throw badInput('Cursor must be a string taken from pageInfo.endCursor');
  }
  return value;
}

/** Opaque page cursors: strings of bounded length; their content is checked where used. */
export const CursorScalar = new GraphQLScalarType<string, string>({
  name: 'Cursor',
  serialize: (value) => String(value),
  parseValue: parseCursor,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('Cursor must be a string');
    return parseCursor(ast.value);
  },
});
