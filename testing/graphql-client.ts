export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: TData | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  };
  text: string;
}

/** A plain HTTP GraphQL client: what a frontend sends, nothing more. */
export async function postGraphQL<TData = Record<string, unknown>>(
  url: string,
  request: { query: string; variables?: Record<string, unknown> } | string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof request === 'string' ? request : JSON.stringify(request),
  });
  const text = await response.text();
  let body: GraphQLResponse<TData>['body'] = {};
  try {
    body = JSON.parse(text) as GraphQLResponse<TData>['body'];
  } catch {
    // not JSON: tests assert on `text`
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** The data of an answer that must have succeeded; throws with the answer's text otherwise. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (!response.body.data || response.body.errors) {
    throw new Error(`unexpected answer: ${response.text}`);
  }
  return response.body.data;
}

/** The code of an answer's first error (`extensions.code`), undefined when it has none. */
export function codeOf(response: {
  body: { errors?: { extensions?: Record<string, unknown> }[] };
}): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}

/** Reads one sample of a Prometheus metric from a /metrics page (0 when absent). */
export function metricValue(
  page: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) =>
      line.includes(`${key}="${value}"`),
    );
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function scrape(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}
