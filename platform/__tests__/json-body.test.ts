import { parseJsonBody } from '../http/body';

// Request bodies are parsed once, at the edge: what is not JSON, or not Unicode, is the
// client's mistake (BAD_USER_INPUT), never an internal error further in.

const parse = (text: string) => () => parseJsonBody(Buffer.from(text), 'application/json');

it('refuses a body that is not JSON', () => {
  expect(parse('{"query":')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
});

it.each([
  ['a lone high surrogate', String.raw`{"variables":{"n":"a\ud800b"}}`],
  ['a lone low surrogate', String.raw`{"variables":{"n":"\udc00"}}`],
  ['a lone surrogate in a key', String.raw`{"variables":{"\ud800":1}}`],
  ['a lone surrogate deep in a list', String.raw`{"v":[[[["\udbff"]]]]}`],
])('refuses %s, which PostgreSQL would refuse later', (_case, text) => {
  expect(parse(text)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
});

it('keeps surrogate pairs (an emoji), escaped or not', () => {
  expect(parse(String.raw`{"n":"\ud83d\ude00"}`)()).toEqual({ n: '😀' });
  expect(parse('{"n":"😀"}')()).toEqual({ n: '😀' });
});

it('parses a body nested 100 000 deep without running out of stack', () => {
  const deep = `${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`;
  expect(parse(deep)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
});
