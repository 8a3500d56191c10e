import type { z } from 'zod';
import { ConfigError, parseConfig, type ConfigRule } from '../platform/config/load';

/** The lines a process would print for `env` before exiting; none when the config is valid. */
export function configProblems<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string>,
  rules: ConfigRule<z.infer<z.ZodObject<S>>>[] = [],
): string[] {
  try {
    parseConfig(shape, env, rules);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.lines;
    throw error;
  }
}
