import { z } from 'zod';

/** Thrown by {@link parseConfig}; `lines` has one entry per problem, each naming the variable. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** A rule across several variables; returns the problems it finds. */
export type ConfigRule<C> = (config: C) => { variable: string; message: string }[];

/**
 * Validates the environment against a schema and returns typed config. Every problem is
 * collected, so an operator fixes them all in one go instead of one restart per variable.
 * Empty strings count as unset, which is what `FOO= node main.js` means to a person.
 */
export function parseConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Env,
  rules: ConfigRule<z.infer<z.ZodObject<S>>>[] = [],
): z.infer<z.ZodObject<S>> {
  const input: Env = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) {
    const problems = rules.flatMap((rule) => rule(result.data));
    if (problems.length === 0) return result.data;
    throw new ConfigError(problems.map((p) => `config error: ${p.variable}: ${p.message}`));
  }
  const lines = result.error.issues.map((issue) => {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : 'environment';
    const value = input[variable];
    const shown = value === undefined ? 'unset' : `got "${redactIfSecret(variable, value)}"`;
    return `config error: ${variable}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(lines);
}

/** Like {@link parseConfig}, but a bad environment ends the process with exit code 1. */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  rules: ConfigRule<z.infer<z.ZodObject<S>>>[] = [],
  env: Env = process.env,
): z.infer<z.ZodObject<S>> {
  try {
    return parseConfig(shape, env, rules);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.lines.join('\n')}\n`);
    process.exit(1);
  }
}

function redactIfSecret(variable: string, value: string): string {
  if (/SECRET|PASSWORD|KEY|TOKEN/.test(variable)) return '[redacted]';
  // URLs may carry credentials in their user-info part.
  return value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:[redacted]@');
}
