import { isDeepStrictEqual } from 'node:util';

export interface GraphQLAnswer {
  status: number;
  body: { data?: unknown; errors?: unknown; extensions?: unknown };
}

/** POSTs a GraphQL request body and returns the status and parsed answer. */
export async function ask(url: string, body: string): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLAnswer['body'] };
  } catch {
    throw new Error(`${url} answered ${response.status} with non-JSON: ${text.slice(0, 300)}`);
  }
}

/**
 * Throws unless every answer is a 200 with data and no errors, and every `data` equals the
 * first one's (object key order aside): a gateway that is fast because it answers something
 * else must not get a row in the table.
 */
export function assertSameData(answers: { name: string; answer: GraphQLAnswer }[]): void {
  const problems: string[] = [];
  for (const { name, answer } of answers) {
    const { status, body } = answer;
    // Apollo's gateway reports a subgraph's broken entity in `extensions`, not `errors`.
    const trouble = body.errors ?? (body.data ? undefined : body.extensions);
    if (status !== 200 || trouble || !body.data) {
      problems.push(
        `${name}: HTTP ${status}, ${JSON.stringify(trouble ?? 'no data').slice(0, 300)}`,
      );
    }
  }
  const [reference, ...others] = answers;
  for (const other of others) {
    if (!reference || isDeepStrictEqual(reference.answer.body.data, other.answer.body.data))
      continue;
    const diffs = differences(reference.answer.body.data, other.answer.body.data, 'data');
    problems.push(
      `${other.name} differs from ${reference.name} at ${diffs.length} place(s), first: ${diffs.slice(0, 5).join('; ')}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`gateways disagree on the deep query:\n- ${problems.join('\n- ')}`);
  }
}

/** Paths where `a` and `b` differ, each with both values shortened. */
export function differences(a: unknown, b: unknown, path: string): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects =
    !bothArrays && isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b);
  if (bothArrays && a.length === b.length) {
    return a.flatMap((item, i) => differences(item, b[i], `${path}[${i}]`));
  }
  if (bothObjects) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => differences(a[key], b[key], `${path}.${key}`));
  }
  return [`${path}: ${shorten(a)} vs ${shorten(b)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function shorten(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
