/** The two GraphQL response media types, in the order Apollo Server prefers them. */
export const GRAPHQL_MEDIA_TYPES = {
  json: 'application/json; charset=utf-8',
  graphqlResponse: 'application/graphql-response+json; charset=utf-8',
} as const;

const CANDIDATES = [
  { essence: 'application/json', value: GRAPHQL_MEDIA_TYPES.json },
  { essence: 'application/graphql-response+json', value: GRAPHQL_MEDIA_TYPES.graphqlResponse },
];

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  index: number;
}

/**
 * The media type of a GraphQL response for this `Accept` header, chosen as Apollo Server
 * chooses it for the answers it writes (highest q, then the most specific range, then the
 * header's order), so an answer the gateway writes before Apollo runs is labelled alike.
 * A client that accepts neither gets application/json, which the spec allows.
 */
export function graphQLResponseMediaType(accept: string | undefined): string {
  if (!accept) return GRAPHQL_MEDIA_TYPES.json;
  const ranges = parseAccept(accept);
  const scored = CANDIDATES.flatMap(({ essence, value }) => {
    const match = closestRange(ranges, essence);
    return match && match.q > 0 ? [{ value, ...match }] : [];
  });
  // Stable sort: on a full tie the candidates' own order (JSON first) decides.
  scored.sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.index - b.index);
  return scored[0]?.value ?? GRAPHQL_MEDIA_TYPES.json;
}

/** The most specific range matching the media type (its q applies, even 0), if any. */
function closestRange(
  ranges: MediaRange[],
  essence: string,
): { q: number; specificity: number; index: number } | undefined {
  const [type, subtype] = essence.split('/') as [string, string];
  let closest: { q: number; specificity: number; index: number } | undefined;
  for (const range of ranges) {
    const specificity = specificityOf(range, type, subtype);
    if (specificity > (closest?.specificity ?? -1)) {
      closest = { q: range.q, specificity, index: range.index };
    }
  }
  return closest;
}

/** 2 for an exact match, 1 for `type/*`, 0 for `*\/*`, -1 when the range does not match. */
function specificityOf(range: MediaRange, type: string, subtype: string): number {
  if (range.type === type && range.subtype === subtype) return 2;
  if (range.type === type && range.subtype === '*') return 1;
  if (range.type === '*' && range.subtype === '*') return 0;
  return -1;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const [index, part] of accept.split(',').entries()) {
    const [essence = '', ...parameters] = part.split(';');
    const [type, subtype, extra] = essence.trim().toLowerCase().split('/');
    if (!type || !subtype || extra !== undefined) continue;
    let q = 1;
    for (const parameter of parameters) {
      const [name, value] = parameter.split('=').map((text) => text.trim());
      if (name?.toLowerCase() === 'q') q = Number(value);
    }
    if (Number.isFinite(q)) ranges.push({ type, subtype, q, index });
  }
  return ranges;
}
