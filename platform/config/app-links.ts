import { url } from './fields';

/**
 * Where the links in mails point (the frontend): verification and reset links from auth,
 * invitation links from tenancy. One definition, so every process validates it alike.
 */
export const appLinks = {
  APP_PUBLIC_URL: url(['http', 'https'], 'http://127.0.0.1:3000').describe(
    'The frontend that links in verification, reset and invitation mails point to.',
  ),
};

/** An absolute link into the frontend, e.g. `/accept-invitation?token=…`. */
export function appLink(
  config: { APP_PUBLIC_URL: string },
  path: string,
  params: Record<string, string> = {},
): URL {
  const link = new URL(path, config.APP_PUBLIC_URL);
  for (const [name, value] of Object.entries(params)) link.searchParams.set(name, value);
  return link;
}
