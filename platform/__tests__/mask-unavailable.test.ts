import { GraphQLError } from 'graphql';
import pino from 'pino';
import { maskError } from '../errors/mask';

// A database or peer that cannot be reached is reported as SERVICE_UNAVAILABLE with
// retryAfter, so clients retry instead of reporting a bug; the detail stays in the log.

const lines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });

function format(error: Error) {
  const wrapped = new GraphQLError('wrapped', { originalError: error, path: ['x'] });
  return maskError(wrapped.toJSON(), wrapped, 'req-7', logger);
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

it.each([
  [
    'a terminated backend',
    withCode('terminating connection due to administrator command', '57P01'),
  ],
  [
    'a database refusing connections',
    withCode('database "t" is not currently accepting connections', '55000'),
  ],
  ['too many connections', withCode('sorry, too many clients already', '53300')],
  ['a refused socket', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
  ['a subgraph that closed the socket', withCode('other side closed', 'UND_ERR_SOCKET')],
  [
    'a subgraph that did not answer in time',
    withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT'),
  ],
  ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ['an exhausted pool', new Error('timeout exceeded when trying to connect')],
])('reports %s as SERVICE_UNAVAILABLE', (_case, error) => {
  lines.splice(0);
  expect(format(error)).toEqual({
    message: 'A service this request needs is unavailable; retry shortly',
    path: ['x'],
    extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5, requestId: 'req-7' },
  });
  expect(lines.join('')).toContain('dependency unavailable');
});

it('keeps other database errors internal', () => {
  expect(format(withCode('duplicate key value', '23505')).extensions?.code).toBe(
    'INTERNAL_SERVER_ERROR',
  );
  expect(format(withCode('bad state', '55000')).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
});
