import { z } from 'zod';

/** Reusable, strict field parsers for environment variables (all values arrive as strings). */

const portNumber = () =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be 0..65535')
    .max(65535, 'must be 0..65535');

export const port = (fallback: number) => portNumber().default(fallback);

/** A port that is unset unless given (a listener that exists only when configured). */
export const optionalPort = () => portNumber().optional();

export const integer = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`)
    .default(fallback);

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      error: 'must be true or false',
    })
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

export const url = (protocols: string[], fallback?: string) => {
  const schema = z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.join(' or ')} URL` },
  );
  return fallback === undefined ? schema : schema.default(fallback);
};

/** Comma-separated list; blank items are dropped. */
export const list = (item: z.ZodType<string, string>, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/**
 * The bytes of a base64 (or base64url) value that is exactly `bytes` long and written in its
 * one canonical form; null otherwise (a truncated or padded-wrong paste decodes to something).
 */
export function exactBase64(encoded: string, bytes: number): Buffer | null {
  if (!BASE64.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64');
  const canonical = decoded.toString('base64').replace(/=+$/, '');
  const given = encoded.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  return canonical === given && decoded.length === bytes ? decoded : null;
}
