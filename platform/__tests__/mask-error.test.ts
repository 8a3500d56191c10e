import { GraphQLError } from 'graphql';
import pino from 'pino';
import { maskError } from '../errors/mask';
import { NotFoundError, RateLimitedError } from '../errors/domain-errors';

const lines: string[] = [];
const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });

function format(error: unknown) {
  const graphqlError =
    error instanceof GraphQLError
      ? error
      : new GraphQLError('wrapped', { originalError: error as Error, path: ['x'] });
  return maskError(graphqlError.toJSON(), graphqlError, 'req-42', logger);
}

describe('error masking', () => {
  beforeEach(() => lines.splice(0));

  it('passes a domain error through with its code, details and the request id', () => {
    expect(format(new RateLimitedError(1.2))).toEqual({
      message: 'Too many requests',
      path: ['x'],
      extensions: { code: 'RATE_LIMITED', retryAfter: 2, requestId: 'req-42' },
    });
    expect(format(new NotFoundError('Asset')).extensions).toEqual({
      code: 'NOT_FOUND',
      requestId: 'req-42',
    });
  });

  it('reduces an unknown error to INTERNAL_SERVER_ERROR and logs the detail', () => {
    const sqlError = Object.assign(new Error('relation "assets.assets" does not exist'), {
      code: '42P01',
    });
    const masked = format(sqlError);
    expect(masked).toEqual({
      message: 'Internal server error',
      path: ['x'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' },
    });
    expect(JSON.stringify(masked)).not.toMatch(/relation|42P01|stack/);
    expect(lines.join('')).toMatch(/relation \\"assets.assets\\" does not exist/);
  });

  it('keeps validation errors, dropping extensions it does not define', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', {
      extensions: {
        code: 'GRAPHQL_VALIDATION_FAILED',
        stacktrace: ['at x'],
        exception: { sql: 'SELECT' },
      },
    });
    expect(format(error).extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      requestId: 'req-42',
    });
  });

  it("keeps a subgraph error's field and coded reason, but no free text under those names", () => {
    const forwarded = new GraphQLError('Endpoint verification failed: …', {
      extensions: { code: 'BAD_USER_INPUT', field: 'url', reason: 'challenge-echoed' },
    });
    expect(format(forwarded).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'url',
      reason: 'challenge-echoed',
      requestId: 'req-42',
    });
    const prose = new GraphQLError('Bad input', {
      extensions: { code: 'BAD_USER_INPUT', reason: 'connect ECONNREFUSED 10.0.0.7:5432' },
    });
    expect(format(prose).extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: 'req-42' });
  });

  it('says what was wrong when Apollo Server refuses a malformed request (a 4xx, no code)', () => {
    const refusal = new GraphQLError('provided sha does not match query', {
      extensions: { http: { status: 400, headers: new Map() } },
    });
    expect(format(refusal)).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST', requestId: 'req-42' },
    });
    const failure = new GraphQLError('db password is hunter2', {
      extensions: { http: { status: 500, headers: new Map() } },
    });
    expect(format(failure).extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'req-42',
    });
  });

  it('masks an error that claims a code it is not allowed to have', () => {
    const error = new GraphQLError('connect ECONNREFUSED 10.0.0.7:5432', {
      extensions: { code: 'ECONNREFUSED' },
    });
    expect(format(error)).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('masks a non-GraphQL error that merely carries a public code', () => {
    const error = Object.assign(new Error('secret detail'), { extensions: { code: 'NOT_FOUND' } });
    expect(format(error).message).toBe('Internal server error');
  });
});
