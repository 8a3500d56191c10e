import { globalRegistry } from 'zod';

/**
 * What the configuration reference says about one environment variable, read from its zod
 * schema: the schema is the single source, so the reference cannot drift from what is checked.
 */
export interface FieldDoc {
  /** `.describe(...)` of the field (or of a schema it wraps); undefined when it has none. */
  description: string | undefined;
  /** The default as an operator would write it; undefined when there is none. */
  defaultValue: string | undefined;
  /** A variable with neither a default nor `.optional()` must be set. */
  required: boolean;
  /** The values accepted, in words. */
  accepts: string;
  /** True when the default is told in words (`documentedDefault`) rather than shown. */
  defaultInWords?: boolean;
}

/** Extra metadata a field may carry for the reference (`.meta({ documentedDefault })`). */
export interface ConfigDocMeta {
  /** Shown instead of a default that is long or secret-looking (development keys). */
  documentedDefault?: string;
}

// zod keeps a schema's structure in `_zod.def`, its checks (bounds, patterns, refinements)
// included; only the parts this reference reads are typed here.
interface Node {
  _zod: { def: Def };
}
interface Def {
  type: string;
  innerType?: Node;
  in?: Node;
  out?: Node;
  element?: Node;
  entries?: Record<string, string | number>;
  defaultValue?: unknown;
  checks?: { _zod: { def: CheckDef } }[];
}
interface CheckDef {
  check: string;
  format?: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  pattern?: RegExp;
  error?: (issue?: unknown) => unknown;
}

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'];
const GENERIC = 'text';

export function describeField(schema: unknown): FieldDoc {
  const doc: FieldDoc = {
    description: undefined,
    defaultValue: undefined,
    required: true,
    accepts: GENERIC,
  };
  let documentedDefault: string | undefined;
  // Wrappers (default, optional, pipe) come first; the first description and default found,
  // outermost first, are the field's. Refinements on a wrapper (`.default(...).refine(...)`)
  // still say what is accepted.
  const wrapperRules: string[] = [];
  let node = schema as Node;
  for (;;) {
    const meta = globalRegistry.get(node as never) as
      ({ description?: string } & ConfigDocMeta) | undefined;
    doc.description ??= meta?.description;
    documentedDefault ??= meta?.documentedDefault;
    const def = node._zod.def;
    if (def.type !== 'pipe') wrapperRules.push(...ruleMessages(def));
    if (def.type === 'default' || def.type === 'prefault') {
      doc.required = false;
      doc.defaultValue ??= formatDefault(def.defaultValue);
      node = def.innerType!;
    } else if (def.type === 'optional') {
      doc.required = false;
      node = def.innerType!;
    } else if (def.type === 'pipe') {
      const input = describeField(def.in);
      doc.required &&= input.required;
      doc.defaultValue ??= input.defaultValue;
      doc.accepts = [acceptsOfPipe(node), ...ruleMessages(def)].filter(known).join('; ') || GENERIC;
      return finish(doc, documentedDefault, def.in!);
    } else {
      const own = acceptsOf(node);
      doc.accepts =
        [own, ...wrapperRules.filter((rule) => !own.includes(rule))].filter(known).join('; ') ||
        GENERIC;
      return finish(doc, documentedDefault, node);
    }
  }
}

/** A pipe's input is usually plain text; its output (a number, a list) says more. */
function acceptsOfPipe(node: Node): string {
  const input = describeField(node._zod.def.in);
  if (input.accepts !== GENERIC) return input.accepts;
  const out = node._zod.def.out!;
  if (out._zod.def.type === 'array') {
    const item = acceptsOf(out._zod.def.element!);
    return item === GENERIC ? 'comma-separated list' : `comma-separated list, each ${item}`;
  }
  if (out._zod.def.type === 'transform') return GENERIC;
  return describeField(out).accepts;
}

function known(accepts: string): boolean {
  return accepts !== GENERIC;
}

function finish(doc: FieldDoc, documentedDefault: string | undefined, inner: Node): FieldDoc {
  // A default set inside the innermost schema's own wrappers still counts.
  if (doc.defaultValue === undefined && inner._zod.def.type !== 'transform') {
    const nested = innerDefault(inner);
    if (nested !== undefined) {
      doc.required = false;
      doc.defaultValue = nested;
    }
  }
  documentedDefault ??= innerDocumentedDefault(inner);
  if (documentedDefault !== undefined) {
    doc.defaultValue = documentedDefault;
    doc.defaultInWords = true;
  }
  return doc;
}

/** A documented default set inside a pipe, on the schema that holds the default. */
function innerDocumentedDefault(node: Node): string | undefined {
  const meta = globalRegistry.get(node as never) as ConfigDocMeta | undefined;
  if (meta?.documentedDefault !== undefined) return meta.documentedDefault;
  const def = node._zod.def;
  const next = def.type === 'pipe' ? def.in : def.innerType;
  return next === undefined ? undefined : innerDocumentedDefault(next);
}

function innerDefault(node: Node): string | undefined {
  const def = node._zod.def;
  if (def.type === 'default' || def.type === 'prefault') return formatDefault(def.defaultValue);
  if (def.type === 'pipe') return innerDefault(def.in!);
  if (def.type === 'optional') return innerDefault(def.innerType!);
  return undefined;
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function acceptsOf(node: Node): string {
  const def = node._zod.def;
  const checks = (def.checks ?? []).map((check) => check._zod.def);
  const rules = ruleMessages(def);
  switch (def.type) {
    case 'enum':
      return enumWords(Object.values(def.entries ?? {}).map(String));
    case 'number':
      return [numberWords(checks), ...rules].join('; ');
    case 'string':
      return [...lengthWords(checks), ...rules].join('; ') || GENERIC;
    case 'boolean':
      return '`true` or `false`';
    default:
      return rules.length > 0 ? rules.join('; ') : GENERIC;
  }
}

function enumWords(values: string[]): string {
  const isBoolean =
    values.length === BOOLEAN_WORDS.length &&
    values.every((value) => BOOLEAN_WORDS.includes(value));
  if (isBoolean) return '`true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`)';
  const quoted = values.map((value) => `\`${value}\``);
  return quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function numberWords(checks: CheckDef[]): string {
  const whole = checks.some((check) => check.check === 'number_format');
  const min = checks.find((check) => check.check === 'greater_than');
  const max = checks.find((check) => check.check === 'less_than');
  const bounds = [
    min && `${min.inclusive ? 'at least' : 'more than'} ${min.value}`,
    max && `${max.inclusive ? 'at most' : 'less than'} ${max.value}`,
  ].filter(Boolean);
  const noun = whole ? 'whole number' : 'number';
  if (min?.inclusive && max?.inclusive) return `${noun} from ${min.value} to ${max.value}`;
  return bounds.length > 0 ? `${noun}, ${bounds.join(' and ')}` : noun;
}

function lengthWords(checks: CheckDef[]): string[] {
  const min = checks.find((check) => check.check === 'min_length')?.minimum;
  const max = checks.find((check) => check.check === 'max_length')?.maximum;
  if (min !== undefined && max !== undefined) return [`${min} to ${max} characters`];
  if (min !== undefined && min > 1) return [`at least ${min} characters`];
  if (max !== undefined) return [`at most ${max} characters`];
  return [];
}

/**
 * What a pattern or a refinement demands, from its message ("must be a http or https URL"
 * reads "a http or https URL"); a pattern without a message is shown as it is.
 */
function ruleMessages(def: Def): string[] {
  const messages: string[] = [];
  for (const check of def.checks ?? []) {
    const checkDef = check._zod.def;
    const isPattern = checkDef.check === 'string_format' && checkDef.format === 'regex';
    if (checkDef.check !== 'custom' && !isPattern) continue;
    const message = typeof checkDef.error === 'function' ? messageOf(checkDef.error) : undefined;
    if (message) messages.push(message.replace(/^((each|every) \w+ )?must (be )?/, ''));
    else if (isPattern && checkDef.pattern)
      messages.push(`matching \`${checkDef.pattern.source}\``);
  }
  return messages;
}

function messageOf(error: (issue?: unknown) => unknown): string | undefined {
  const result = error({});
  if (typeof result === 'string') return result;
  if (result && typeof result === 'object' && 'message' in result) {
    return typeof result.message === 'string' ? result.message : undefined;
  }
  return undefined;
}
